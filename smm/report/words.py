"""The HTML report's interface text in English and Chinese (`smm report --format html` and the site's
report pages): one catalogue, no literal in the template. Chinese for a `zh` page language, English
otherwise (smm.site.catalogue.interface_language); the text, Markdown and JSON reports use the English.
"""

from __future__ import annotations

from smm.site.catalogue import in_language, interface_language

WORDS: dict[str, tuple[str, str]] = {  # key: (English, Chinese)
    "title": ("{brand}: social media report", "{brand}：社交媒体报告"),
    "generated": ("generated", "生成于"),
    "period": ("{start} to {end} ({timezone}, {days} days)", "{start} 至 {end}（{timezone}，{days} 天）"),
    "warning": ("Warning:", "警告："),
    "accounts": ("Accounts", "账号"),
    "account": ("account", "账号"),
    "followers_start": ("followers at start", "期初粉丝"),
    "at_end": ("at end", "期末"),
    "growth": ("growth", "增长"),
    "posts_column": ("posts", "帖子数"),
    "interactions": ("interactions", "互动数"),
    "engagement_rate": ("engagement rate", "互动率"),
    "by_views": ("by views", "按浏览计"),
    "followers_caption": ("Followers per account, by day (the legend gives the last count)",
                          "各账号每日粉丝数（图例为最新数值）"),
    "followers_chart": ("Followers per account, by day", "各账号每日粉丝数"),
    "posts": ("Posts", "帖子"),
    "top": ("Top posts by engagement rate", "互动率最高的帖子"),
    "bottom": ("Bottom posts by engagement rate", "互动率最低的帖子"),
    "top_caption": ("Engagement rate of the top posts (interactions ÷ followers at post time)",
                    "互动率最高帖子的互动率（互动数 ÷ 发帖时粉丝数）"),
    "top_chart": ("Top posts by engagement rate", "互动率最高的帖子"),
    "post": ("post", "帖子"),
    "published": ("published", "发布时间"),
    "no_posts": ("No measured posts in this period yet: run {command} after publishing.",
                 "本时段还没有已采集数据的帖子：发布后请运行 {command}。"),
    "by_campaign": ("By campaign", "按活动"),
    "by_pillar": ("By pillar", "按内容支柱"),
    "campaign": ("campaign", "活动"),
    "pillar": ("pillar", "内容支柱"),
    "slot_line": ("{published} post{plural} published; calendar: {planned} slots planned, {filled} filled, "
                  "{missed} missed; {outside} outside the slots",
                  "已发布 {published} 篇帖子；日历：计划 {planned} 个档期，已填 {filled} 个，错过 {missed} 个；"
                  "档期外 {outside} 篇"),
    "best_times": ("Best posting times", "最佳发布时间"),
    "no_recommendation": ("No recommendation yet: no weekday × hour has {min} measured posts ({samples} in all).",
                          "暂无建议：没有哪个星期几 × 小时有 {min} 篇已采集数据的帖子（共 {samples} 篇）。"),
    "recommendation": ("Best times to post: {picks}.", "最佳发布时间：{picks}。"),
    "full_stop": (".", "。"),
    "list_separator": (", ", "；"),
    "pick": ("{day} {hour:02d}:00 (median {rate}, {samples} posts)",
             "{day} {hour:02d}:00（中位数 {rate}，{samples} 篇）"),
    "heatmap_caption": ("Median engagement rate by local weekday and hour of publishing, from {samples} measured posts",
                        "按本地星期几和发布时刻统计的互动率中位数，基于 {samples} 篇已采集数据的帖子"),
    "heatmap_chart": ("Median engagement rate by weekday and hour", "按星期几和时刻的互动率中位数"),
    "heatmap_table": ("The same as a table: median engagement rate (posts)", "以表格显示：互动率中位数（帖子数）"),
    "weekdays": ("Mon Tue Wed Thu Fri Sat Sun", "周一 周二 周三 周四 周五 周六 周日"),
    "goals": ("Goals", "目标"),
    "goal": ("goal", "目标"),
    "status": ("status", "状态"),
    "metric": ("metric", "指标"),
    "current": ("current", "当前"),
    "target": ("target", "目标值"),
    "deadline": ("deadline", "截止日期"),
    "progress": ("progress", "进度"),
    "forecast": ("forecast", "预测"),
    "all": ("all", "全部"),
    "personas": ("Personas", "用户画像"),
    "persona": ("persona", "用户画像"),
    "persona_best": ("best times on its networks", "其所在平台的最佳时间"),
    "persona_none": ("none yet ({samples} measured posts, {min} per hour needed)",
                     "暂无（已采集 {samples} 篇，每个时段需 {min} 篇）"),
    "personas_note": ("Best times marked * start within the persona's active hours.",
                      "标有 * 的最佳时间落在该用户画像的活跃时段内。"),
    "responsiveness": ("Responsiveness", "响应速度"),
    "items": ("items", "消息数"),
    "answered": ("answered", "已回复"),
    "first_response": ("median first response", "首次回复时间中位数"),
    "within_sla": ("within SLA", "SLA 内"),
    "overdue": ("overdue", "已超时"),
    "hours_minutes": ("{h}h {m:02d}m", "{h} 小时 {m:02d} 分"),
    "minutes": ("{m}m", "{m} 分钟"),
    "priority": ("{priority} priority", "{priority} 优先级"),
    "mentions_chart": ("Brand mentions and negative ones, by day", "每日品牌提及及负面提及"),
    "share_of_voice": ("Share of voice", "声量份额"),
    "points": ("{value} points", "{value} 个百分点"),
    "mentions": ("Mentions", "品牌提及"),
    "mentions_summary": ("{total} mentions of the brand: {positive} positive ({positive_pct}), {neutral} neutral "
                         "({neutral_pct}), {negative} negative ({negative_pct}); {trend}.",
                         "品牌提及 {total} 条：正面 {positive} 条（{positive_pct}），中性 {neutral} 条（{neutral_pct}），"
                         "负面 {negative} 条（{negative_pct}）；{trend}。"),
    "trend_none": ("no mentions in the period", "本时段没有提及"),
    "trend_net": ("net sentiment {net}", "净情感 {net}"),
    "trend_no_before": (" (no mentions in the period before to compare with)", "（上一时段没有提及，无从比较）"),
    "trend_change": (", {change} from the period before ({previous})", "，较上一时段（{previous}）变化 {change}"),
    "busiest": ("Busiest days: {days}.", "提及最多的日子：{days}。"),
    "reach": ("reach", "触达"),
    "author": ("author", "作者"),
    "network": ("network", "平台"),
    "sentiment": ("sentiment", "情感"),
    "when": ("when", "时间"),
    "mention": ("mention", "提及内容"),
    "top_keywords": ("Top keywords: {keywords}.", "热门关键词：{keywords}。"),
    "mentions_caption": ("Brand mentions per local day, and the negative ones", "每个本地日的品牌提及及其中的负面提及"),
    "subject": ("subject", "对象"),
    "mentions_column": ("mentions", "提及数"),
    "share_column": ("share of voice", "声量份额"),
    "share_caption": ("Share of voice: each subject's mentions ÷ all mentions in the period",
                      "声量份额：各对象的提及数 ÷ 本时段全部提及数"),
    "competitors": ("Competitor benchmark", "竞品对比"),
    "brand_account": ("{name} (brand)", "{name}（本品牌）"),
    "handle": ("handle", "用户名"),
    "followers": ("followers", "粉丝"),
    "posts_a_week": ("posts a week", "每周发帖"),
    "median_engagement": ("median engagement", "互动中位数"),
    "competitors_note": ("Engagement rate: median engagement (likes + reposts + replies of a post) ÷ followers at the "
                         "end × 100.", "互动率：互动中位数（单帖点赞 + 转发 + 回复）÷ 期末粉丝数 × 100。"),
    "alerts": ("Alerts", "预警"),
    "day": ("day", "日期"),
    "what": ("what", "内容"),
    "how_far": ("how far", "偏离程度"),
    "alert_mentions": ("mentions", "提及量"),
    "alert_negative_share": ("negative share", "负面占比"),
    "alert_how_far": ("{message}", "{value}，比 {days} 天中位数 {median} 高 {score:.1f} 个 MAD"),
    "rule": ("Rule: {rule}.", "规则：{rule}。"),
    "alert_rule": ("a day is flagged when its brand mentions, or its negative share of them, are ≥ {threshold:g} "
                   "median absolute deviations (MAD, scaled by {scale} to estimate a standard deviation) above the "
                   "median of the {days} days before it; the MAD counts as at least 1 mention (5 points of negative "
                   "share); a baseline needs {history} days of history, and the negative share {least} mentions a day",
                   "某天的品牌提及量或其中的负面占比，比此前 {days} 天的中位数高出 {threshold:g} 个中位数绝对偏差"
                   "（MAD，乘以 {scale} 以估计标准差）或更多时预警；MAD 至少按 1 条提及（负面占比 5 个百分点）计；"
                   "基线需要 {history} 天的历史，负面占比需要当天至少 {least} 条提及"),
    "chart_empty_line": ("No follower counts in this period.", "本时段没有粉丝数据。"),
    "chart_line_label": ("{name} {first} to {last}", "{name} {first} 至 {last}"),
    "chart_line_tip": ("{name}: {first} on {first_day} → {last} on {last_day}",
                       "{name}：{first_day} {first} → {last_day} {last}"),
    "chart_cell_tip": ("{day} {hour:02d}:00 · median {rate} · {samples} post{plural}",
                       "{day} {hour:02d}:00 · 中位数 {rate} · {samples} 篇"),
    "chart_no_rate": ("no rate", "无互动率"),
    "chart_cell_few": (" (fewer than {min}: not enough to trust)", "（少于 {min} 篇，不足以参考）"),
    "chart_cell_recommended": (" · recommended", " · 推荐"),
    "chart_empty_heatmap": ("No measured posts yet.", "尚无已采集数据的帖子。"),
    "legend_rate": ("median engagement rate", "互动率中位数"),
    "legend_few": ("fewer than {min} posts: too few to trust", "少于 {min} 篇：不足以参考"),
    "legend_recommended": ("recommended", "推荐"),
    "legend_number": ("The number in a cell: posts published at that local weekday and hour (hover for the median).",
                      "格中数字：在该本地星期几和时刻发布的帖子数（悬停可看中位数）。"),
    "chart_empty_bars": ("No measured posts in this period.", "本时段没有已采集数据的帖子。"),
    "tick_day": ("{month} {day}", "{m}月{day}日"),
    "tick_day_year": ("{month} {day}, {year}", "{year}年{m}月{day}日"),
    "tick_month": ("{month}", "{m}月"),
    "tick_month_year": ("{month} {year}", "{year}年{m}月"),
    "definitions": ("Definitions", "指标定义"),
    "tile_followers": ("followers at the end", "期末粉丝"),
    "tile_growth": ("follower growth", "粉丝增长"),
    "tile_posts": ("posts published", "已发布帖子"),
    "tile_interactions": ("interactions", "互动数"),
    "tile_rate": ("mean engagement rate", "平均互动率"),
}


def interface_words(page_lang: str = "en") -> dict[str, str]:
    """Every message in the interface language of `page_lang` (English by default)."""
    return in_language(WORDS, page_lang)


VALUES: dict[str, str] = {  # the values the report's data spells in English: their Chinese names
    "achieved": "已达成", "missed": "未达成", "no data": "无数据", "on track": "进展顺利", "at risk": "有风险",
    "followers": "粉丝", "engagement_rate": "互动率", "interactions": "互动数", "posts": "帖子数",
    "positive": "正面", "neutral": "中性", "negative": "负面", "brand": "本品牌", "mentions": "提及",
    # an inbox item's priority and kind (smm.inbox.items), a publish job's state (smm.data.jobs.JobState)
    "urgent": "紧急", "high": "高", "normal": "普通", "low": "低",
    "mention": "提及", "reply": "回复", "comment": "评论", "quote": "引用", "dm": "私信",
    "pending": "待发布", "late": "逾期未发", "failed": "失败", "in_flight": "发送中", "unconfirmed": "待确认",
    "exported": "已导出", "published": "已发布",
}
WORDS |= {f"value:{value}": (value, chinese) for value, chinese in VALUES.items()}


def value_name(value: str, w: dict) -> str:
    """A value of the report's data (a goal's status or metric, a sentiment, the `brand` subject) as shown."""
    return w.get(f"value:{value}", value)


DEFINITIONS_ZH: dict[str, tuple[str, str]] = {  # key of the report's definitions: (term, definition)
    "interactions": ("互动数", "某账号上一篇帖子的点赞 + 转发 + 回复 + 引用，取时段结束前最后一次采集的数值（平台不提供的计为 0）"),
    "engagement_rate": ("互动率", "互动数 ÷ 发帖时该账号的粉丝数 × 100（发帖时粉丝数：发帖时或之前最后一次采集的数值，否则取之后的第一次）；"
                                 "账号或分组的互动率是其帖子的平均值"),
    "engagement_rate_by_views": ("按浏览计的互动率", "互动数 ÷ 浏览量 × 100，仅限平台提供浏览量的帖子；分组取这些帖子的平均值"),
    "followers_growth": ("粉丝增长", "期末粉丝（结束前最后一次采集）− 期初粉丝（开始时或之前最后一次采集，否则取时段内第一次）；"
                                    "增长率 = 增长 ÷ 期初 × 100"),
    "posts": ("帖子数", "时段内在某账号上发出的帖子（发布记录）；日历档期是 brand/calendar.yml 在该时段内的每周档期，"
                       "当天有同一内容支柱的帖子发布即为已填"),
    "best_times": ("最佳发布时间", "品牌截至时段结束的所有已采集数据帖子，按发布时的本地星期几和时刻统计的互动率中位数；"
                                  "某格至少有 {min_samples} 篇帖子才会推荐"),
    "responsiveness": ("响应速度", "时段内用户对品牌说的话（data/inbox/）；已回复：已发布回复或已发送自动回复；首次回复时间："
                                  "从对方发言到第一次回复；SLA 内：在期限（brand/replies.yml）前回复的，占已回复或时段结束时已到期的"
                                  "比例；已超时：时段结束时仍在等待且已过期限"),
    "personas": ("用户画像", "brand/personas.yml 中的每个用户画像：时段内 `audience` 指向它的帖子（按帖子数的口径计）；"
                            "其最佳时间是其所在平台（未指定则为全部平台）帖子的最佳发布时间，时刻落在其活跃时段内的标为 `active`"),
    "reach": ("触达", "提及作者的粉丝数（未知为 0）+ 该提及的互动（点赞 + 转发 + 回复）"),
    "net_sentiment": ("净情感", "品牌提及中正面占比 − 负面占比；其变化相对于紧邻的等长上一时段"),
    "share_of_voice": ("声量份额", "某对象（本品牌或竞品，即 data/mentions/ 中的 `subject`）的提及数 ÷ 时段内全部提及数 × 100"),
    "competitor_engagement_rate": ("竞品互动率", "互动中位数（单帖点赞 + 转发 + 回复）÷ 期末粉丝数 × 100；竞品的帖子取其最后一次"
                                                "采集前 30 天内的帖子，本品牌取本时段的帖子；每周发帖同理"),
    "alerts": ("预警", "{alert_rule}"),
}


def definitions(found: dict[str, str], page_lang: str, **numbers) -> list[tuple[str, str]]:
    """The report's definitions as (term, text) in the interface language (a definition without a
    translation stays English)."""
    if interface_language(page_lang) != "zh":
        return list(found.items())
    return [(f"{DEFINITIONS_ZH[k][0]}（{k}）", DEFINITIONS_ZH[k][1].format(**numbers)) if k in DEFINITIONS_ZH else (k, text)
            for k, text in found.items()]


ENGLISH = interface_words()
