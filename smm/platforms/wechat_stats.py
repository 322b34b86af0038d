"""WeChat statistics (数据统计, datacube), which run a day behind.

Data exist up to yesterday, China time (asking for today is error 61501), and yesterday's only
after 08:00. So an article published today has no figures yet, and yesterday's may have none
before 08:00: both are left out, not errors, and counted on a later run.

    article_metrics  ── the articles' publishing days (freepublish/batchget), then for each day
                        datacube/getarticletotal (a one-day span): the article's row by its title,
                        its latest figures: reads (int_page_read_count) as views, shares as
                        reposts, reads of the 原文链接 (ori_page_read_count) as clicks
    follower_count   ── datacube/getusercumulate over the last two days: the latest total
"""

from __future__ import annotations

from datetime import date, timedelta

from smm.platforms import answers
from smm.platforms.base import Metrics


def _day(value: date) -> str:
    return value.isoformat()


def article_metrics(adapter, remote_ids: list[str]) -> list[Metrics]:
    from smm.platforms.wechat import BEIJING

    today = adapter.clock().astimezone(BEIJING).date()
    wanted = set(remote_ids)
    days: dict[date, list[tuple[str, str]]] = {}  # publishing day → (article_id, title)
    for item in adapter.published():
        if item.get("article_id") in wanted:
            made = answers.epoch(item.get("update_time", 0))
            news = (item.get("content") or {}).get("news_item") or [{}]
            if made is not None and made.astimezone(BEIJING).date() < today:  # today's figures come tomorrow
                days.setdefault(made.astimezone(BEIJING).date(), []).append((item["article_id"], news[0].get("title", "")))
            wanted.discard(item["article_id"])
            if not wanted:
                break
    found = []
    for day, articles in sorted(days.items()):
        rows = adapter.call("article statistics", "/datacube/getarticletotal",
                            {"begin_date": _day(day), "end_date": _day(day)}).get("list") or []
        for article_id, title in articles:
            row = next((r for r in rows if r.get("title") == title and r.get("details")), None)
            if row is not None:
                latest = max(row["details"], key=lambda d: d.get("stat_date", ""))
                found.append(Metrics(article_id, views=latest.get("int_page_read_count"),
                                     reposts=latest.get("share_count"), clicks=latest.get("ori_page_read_count")))
    return found


def follower_count(adapter) -> int | None:
    from smm.platforms.wechat import BEIJING

    yesterday = adapter.clock().astimezone(BEIJING).date() - timedelta(days=1)
    rows = adapter.call("followers", "/datacube/getusercumulate",
                        {"begin_date": _day(yesterday - timedelta(days=1)), "end_date": _day(yesterday)}).get("list") or []
    rows = sorted((r for r in rows if "cumulate_user" in r), key=lambda r: r.get("ref_date", ""))
    return int(rows[-1]["cumulate_user"]) if rows else None
