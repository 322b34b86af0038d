"""Intent of an inbox message from rules plus its sentiment: question / complaint / praise / spam / other.

First match wins: spam (promotion phrases, a contact id, several links); complaint (a complaint word, or negative
sentiment); question (a question mark or a question opening); praise (a praise word that is not
negated by the sentiment, or positive sentiment); else other. English words match whole words at
their start ("refund" matches "refunded"); Chinese phrases match anywhere.
"""

from __future__ import annotations

import re

_SPAM_EN = ("free followers", "follow back", "followback", "giveaway", "click here", "click the link",
            "link in my bio", "subscribe to my", "dm me for", "earn $", "make money fast",
            "working from home", "work from home", "forex", "promo code", "limited offer",
            "hot singles", "casino", "payday loan", "guaranteed profit", "profit guaranteed",
            "join my telegram", "win a free")
_SPAM_ZH = ("加微信", "加v", "代购", "兼职", "刷单", "日赚", "日结", "免费领", "点击链接", "领取优惠券",
            "博彩", "彩金", "低息贷款", "互粉", "互赞", "关注必回", "看我主页")
_CONTACT = re.compile(r"(?:qq|vx|wx|微信|v信)\s*(?:号)?\s*[:：]?\s*[a-z0-9_-]{5,}", re.IGNORECASE)
_COMPLAINT_EN = ("refund", "broken", "broke", "doesn't work", "does not work", "not working",
                 "stopped working", "worst", "terrible", "awful", "horrible", "scam", "cancelled",
                 "canceled", "delayed", "never arrived", "still waiting", "disappointed",
                 "unacceptable", "ridiculous", "rude", "charged twice", "crash", "crashing", "bug",
                 "sucks", "complaint", "fix it", "fix this", "down again", "can't log in", "lost my")
_COMPLAINT_ZH = ("投诉", "退款", "退货", "退钱", "坏了", "坏的", "差评", "太差", "差劲", "垃圾", "欺骗",
                 "骗", "失望", "用不了", "不能用", "没收到", "还没到", "闪退", "卡死", "故障", "恶劣",
                 "维权", "举报", "破损", "扣款", "离谱", "无语", "恶心", "坑人", "没人")
_PRAISE_EN = ("love", "thank", "thanks", "great", "awesome", "amazing", "best", "excellent",
              "fantastic", "kudos", "well done", "perfect", "appreciate", "impressed", "recommend",
              "beautiful", "brilliant")
_PRAISE_ZH = ("谢谢", "感谢", "赞", "棒", "好评", "喜欢", "爱了", "给力", "满意", "不错", "优秀",
              "厉害", "好用", "推荐", "漂亮", "精致", "支持你们", "贴心")
_QUESTION_OPENING_EN = re.compile(
    r"^(?:(?:hi|hello|hey)\b[\s,!.]*)?(?:how|what|when|where|why|who|which|can|could|do|does|did|is|are|"
    r"will|would|should|any|anyone|may)\b(?!['’])", re.IGNORECASE)
_QUESTION_ZH = ("请问", "怎么", "如何", "什么时候", "为什么", "哪里", "哪儿", "能不能", "可不可以",
                "是否", "有没有", "多少", "几点", "吗")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_HANDLE = re.compile(r"^(?:\s*@\w+)+\s*")


def _words(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w$])(?:" + "|".join(re.escape(p) for p in phrases) + ")", re.IGNORECASE)


_SPAM_EN_RE, _COMPLAINT_EN_RE, _PRAISE_EN_RE = _words(_SPAM_EN), _words(_COMPLAINT_EN), _words(_PRAISE_EN)


def _has(text: str, lang: str, english: re.Pattern, chinese: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return bool(english.search(text)) or (lang == "zh" and any(p in lowered for p in chinese))


def is_spam(text: str, lang: str) -> bool:
    """Promotion phrases, a QQ or WeChat id to contact, or two links or more."""
    return (_has(text, lang, _SPAM_EN_RE, _SPAM_ZH) or bool(_CONTACT.search(text))
            or len(_LINK.findall(text)) >= 2)


def is_question(text: str, lang: str) -> bool:
    """A question mark, an English question opening (after any @handles), a Chinese question word."""
    if "?" in text or "？" in text:
        return True
    if lang == "zh":
        return any(word in text for word in _QUESTION_ZH)
    return bool(_QUESTION_OPENING_EN.match(_HANDLE.sub("", text)))


SENTIMENTS = ("positive", "neutral", "negative")  # what the sentiment model says (smm.inbox.sentiment)
INTENTS = ("question", "complaint", "praise", "spam", "other")  # what intent() says


def intent(text: str, lang: str, sentiment: str) -> str:
    """"question", "complaint", "praise", "spam" or "other" for a message and its sentiment."""
    if is_spam(text, lang):
        return "spam"
    if sentiment == "negative" or _has(text, lang, _COMPLAINT_EN_RE, _COMPLAINT_ZH):
        return "complaint"
    if is_question(text, lang):
        return "question"
    if sentiment == "positive" or _has(text, lang, _PRAISE_EN_RE, _PRAISE_ZH):
        return "praise"
    return "other"
