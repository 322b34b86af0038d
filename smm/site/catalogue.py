"""The site's interface text in English and Chinese: one catalogue, no literal in the templates.

The interface language follows the pages' language (brand/brand.yml `language`, else
smm.workspace.brand.page_language): Chinese for a `zh` tag, English otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

MESSAGES: dict[str, tuple[str, str]] = {  # key: (English, Chinese)
    "site": ("social media dashboard", "社交媒体看板"),
    "home": ("Home", "首页"),
    "calendar": ("Calendar", "日历"),
    "posts": ("Posts", "帖子"),
    "report": ("Report", "报告"),
    "inbox": ("Inbox", "收件箱"),
    "listening": ("Listening & competitors", "舆情与竞品"),
    "search": ("Search", "搜索"),
    "skip": ("Skip to the content", "跳到正文"),
    "generated": ("Built {when} from the repository; nothing here is fetched when you view it.",
                  "生成于 {when}，内容全部来自仓库，浏览时不联网。"),
    "due_week": ("Due this week", "本周待发"),
    "nothing_due": ("Nothing is scheduled this week.", "本周没有排期的帖子。"),
    "overdue_inbox": ("Overdue in the inbox", "收件箱中已超时"),
    "open_items": ("open", "待处理"),
    "overdue": ("overdue", "已超时"),
    "goals": ("Goals at a glance", "目标一览"),
    "goal": ("goal", "目标"),
    "no_goals": ("No goals yet: add brand/goals.yml.", "尚无目标：请添加 brand/goals.yml。"),
    "alerts": ("Alerts", "提醒"),
    "no_alerts": ("No alerts.", "没有提醒。"),
    "month": ("Month", "月"),
    "week": ("Week", "周"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "gap": ("open slot", "空档"),
    "draft": ("draft", "草稿"),
    "by_pillar": ("Slots and gaps by pillar", "各内容支柱的档期与空档"),
    "pillar": ("pillar", "内容支柱"),
    "scheduled": ("scheduled", "已排期"),
    "gaps": ("gaps", "空档"),
    "weekdays": ("Mon Tue Wed Thu Fri Sat Sun", "周一 周二 周三 周四 周五 周六 周日"),
    "unscheduled": ("unscheduled", "未排期"),
    "unscheduled_posts": ("Not scheduled yet", "尚未排期的帖子"),
    "previews": ("What each account will receive", "各账号将收到的内容"),
    "records": ("Publish records", "发布记录"),
    "not_published": ("Not published yet.", "尚未发布。"),
    "metrics": ("Metrics", "数据"),
    "no_metrics": ("No metrics collected yet.", "尚未采集数据。"),
    "account": ("account", "账号"),
    "state": ("state", "状态"),
    "published_at": ("published", "发布时间"),
    "link": ("link", "链接"),
    "likes": ("likes", "点赞"),
    "reposts": ("reposts", "转发"),
    "replies": ("replies", "回复"),
    "quotes": ("quotes", "引用"),
    "views": ("views", "浏览"),
    "clicks": ("clicks", "点击"),
    "collected_at": ("collected", "采集时间"),
    "period": ("Period", "时段"),
    "last_days": ("last {days} days", "最近 {days} 天"),
    "inbox_queue": ("The open queue", "待处理队列"),
    "inbox_empty": ("Nothing is waiting for an answer.", "没有待回复的消息。"),
    "inbox_private": ("Item texts are not shown: this site may be public. Set `site: {include_inbox: true}` in "
                      "brand/brand.yml to show them.",
                      "出于隐私不显示消息内容（本站可能公开）。如需显示，请在 brand/brand.yml 中设置 "
                      "`site: {include_inbox: true}`。"),
    "network": ("network", "平台"),
    "oldest": ("oldest waiting", "最久等待"),
    "priority": ("priority", "优先级"),
    "due": ("due", "期限"),
    "from": ("from", "来自"),
    "says": ("says", "内容"),
    "left": ("{time} left", "剩余 {time}"),
    "late": ("overdue {time}", "超时 {time}"),
    "listening_only": ("Listening", "舆情"),
    "competitors": ("Competitors", "竞品"),
    "listening_absent": ("No listening data yet: add brand/listening.yml and run `smm listen`.",
                         "尚无舆情数据：请添加 brand/listening.yml 并运行 `smm listen`。"),
    "competitors_absent": ("No competitor data yet.", "尚无竞品数据。"),
    "search_label": ("Search posts by title, id, pillar or campaign", "按标题、ID、内容支柱或活动搜索帖子"),
    "search_hint": ("Type to search {count} posts.", "输入关键词，在 {count} 篇帖子中搜索。"),
    "search_noscript": ("Search needs JavaScript; the calendar lists every post.", "搜索需要 JavaScript；日历列出了所有帖子。"),
    "results": ("results", "条结果"),
    "results_more": ("results; the first {shown} are listed: add a word to narrow the search",
                     "条结果，仅列出前 {shown} 条：再输入一个词可缩小范围"),
    "all_posts": ("posts", "篇帖子"),
}


def interface_language(page_lang: str) -> str:
    """`zh` for a Chinese page language, else `en`."""
    return "zh" if page_lang.lower().split("-")[0] == "zh" else "en"


def html_language(page_lang: str) -> str:
    """`<html lang>`: the interface's language, which is `page_lang` itself when the interface is written
    in it (an English or Chinese tag: `en-GB`, `zh-Hans`), else English (`en`: a `ja` or `fr` brand)."""
    return page_lang if page_lang.lower().split("-")[0] in ("en", "zh") else "en"


def text_language(page_lang: str) -> str | None:
    """The language the repository's text (titles, bodies, the brand's name, pillars, goals...) is marked
    with, on the element that holds it: `page_lang` where the page (html_language()) is in another, else None."""
    return None if html_language(page_lang) == page_lang else page_lang


def text_mark(page_lang: str) -> Markup:
    """` lang="ja"` for text_language() `ja`, or nothing: the attribute on an element holding the repository's text."""
    text = text_language(page_lang)
    return Markup(' lang="{}"').format(text) if text else Markup("")


def catalogue(page_lang: str) -> dict[str, str]:
    """Every message in the interface language of `page_lang`."""
    return in_language(MESSAGES, page_lang)


def in_language(texts: dict[str, tuple[str, str]], page_lang: str) -> dict[str, str]:
    """key → its text in the interface language of `page_lang`, from (English, Chinese) pairs."""
    index = 1 if interface_language(page_lang) == "zh" else 0
    return {key: pair[index] for key, pair in texts.items()}
