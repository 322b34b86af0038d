"""Sentiment and intent of a message, offline, in English and Chinese: `classify(text)`.

Sentiment comes from the shipped linear models (smm/inbox/models, trained by
tests/tools/train_sentiment.py), plus three rules. Spam is neutral: it says nothing of the brand.
A message without letters is read from its emoji (the training tweets lost theirs), else neutral.
The Chinese model learnt from reviews, which are all positive or negative, so a Chinese message
with none of the opinion words below that is a question or short (≤ 12 characters) is neutral:
"请问周末营业吗？", "收到", "转发微博".
"""

from __future__ import annotations

import re
from typing import NamedTuple

from smm.inbox.features import language
from smm.inbox.intent import intent, is_question, is_spam
from smm.inbox.model import shipped

ZH_SHORT = 12
_ZH_OPINION_WORDS = (
    "好评 不错 满意 喜欢 推荐 谢谢 感谢 赞 棒 给力 优秀 厉害 漂亮 精致 舒服 方便 实惠 划算 超值 值得 "
    "开心 高兴 完美 贴心 耐心 惊喜 精彩 流畅 清晰 专业 热情 支持你们 爱了 好用 好吃 好看 很好 挺好 "
    "真好 太好 非常好 不好 差 坏 烂 垃圾 失望 退款 退货 退钱 投诉 太慢 很慢 贵 假货 骗 不行 破损 脏 "
    "臭 难用 难吃 难看 糟 后悔 生气 无语 恶心 坑 闪退 卡顿 故障 麻烦 郁闷 可惜 遗憾 一般 不满 敷衍 "
    "离谱 没人 不回 还没到 没收到 扣款 失败 崩溃 不如 不值 没用 用不了 不能用 态度 问题 质量 浪费 "
    "上当 慢死 太吵").split()
_ZH_OPINION = re.compile("|".join(map(re.escape, _ZH_OPINION_WORDS)))
_EMOJI_POSITIVE = frozenset("👍❤😍🥰😊🙂😀😃😄😁🙏👏🎉💯✨💕💖😘🤩👌💪🥳")
_EMOJI_NEGATIVE = frozenset("👎😡🤬😠💩😤😢😭😞😒🙄💔😫😩🤮😓😔")


class Classified(NamedTuple):
    language: str  # "en", "zh" or "und"
    sentiment: str  # positive / neutral / negative
    intent: str  # question / complaint / praise / spam / other


def _from_emoji(text: str) -> str:
    """Sentiment of a message without letters: more positive or negative emoji, else neutral."""
    positive = sum(ch in _EMOJI_POSITIVE for ch in text)
    negative = sum(ch in _EMOJI_NEGATIVE for ch in text)
    return "positive" if positive > negative else "negative" if negative > positive else "neutral"


def _without_opinion(text: str, lang: str) -> bool:
    if is_spam(text, lang):
        return True
    return lang == "zh" and not _ZH_OPINION.search(text) and (
        len(text.strip()) <= ZH_SHORT or is_question(text, lang))


def sentiment(text: str, lang: str | None = None) -> str:
    """"positive", "neutral" or "negative" (a language other than "zh" uses the English model)."""
    lang = "zh" if (lang or language(text)) == "zh" else "en"
    if not any(ch.isalpha() for ch in text):
        return _from_emoji(text)
    if _without_opinion(text, lang):
        return "neutral"
    probs = shipped(lang).probabilities(text, lang)
    return max(probs, key=probs.get)


def classify(text: str) -> Classified:
    """(language, sentiment, intent) of one message."""
    lang = language(text)
    feeling = sentiment(text, lang)
    return Classified(lang, feeling, intent(text, lang, feeling))
