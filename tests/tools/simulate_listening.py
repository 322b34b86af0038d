"""Simulate two months of listening for the example repository (Cloudleaf Tea 云叶茶 and the two
competitors of brand/listening.yml), so `smm report` on a fresh clone shows the mentions, share of
voice, competitor benchmark and alerts sections.

    .venv/bin/python tests/tools/simulate_listening.py      # rewrites the files below

Deterministic: one seeded random generator (SEED), no clock, no network; running it again gives
byte-identical files. What it writes (and first removes, if there), in the shared formats
(README, "Listening data"):

- data/mentions/<YYYY-MM>.csv: posts naming the brand or a competitor on mastodon, bluesky and
  weibo from 2026-09-27 to 2026-11-25 (Shanghai days): about 14 a day for the brand with a weekly
  rhythm (fewer at weekends), 12 for Jadeleaf, 5 for Mistpeak; authors' followers log-normal;
  engagement grows with them. Texts come from bilingual templates and their sentiment is what
  smm.inbox.sentiment says of them, as `smm listen` would record it. Two events: 2026-11-19 a
  tea blogger's post about the winter blend brings four times the usual mentions, and
  2026-11-23 a courier's delay brings a day of complaints (a negative share far above usual): both
  are flagged as alerts (and, as with real counts, an ordinary busy day, 2026-11-02, crosses the line).
- data/competitors/<YYYY-MM>.csv: each competitor account on mastodon and bluesky (the networks the
  example publishes to and smm can read), collected daily at 16:05 UTC as `smm metrics` would: followers
  (Jadeleaf growing, Mistpeak losing some), posts in the 30 days before and their median engagement.
"""

from __future__ import annotations

import math
import random
import shutil
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from smm.listening.mentions import MENTIONS  # noqa: E402
from smm.data.tables import COMPETITORS  # noqa: E402
from tests.tools.simulate_history import write_csv as write_month_files  # noqa: E402
from smm.inbox.sentiment import sentiment  # noqa: E402

SEED = 20261126
TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY, LAST_DAY = date(2026, 9, 27), date(2026, 11, 25)
VIRAL_DAY, COMPLAINT_DAY = date(2026, 11, 19), date(2026, 11, 23)
NETWORKS = {"mastodon": 0.35, "bluesky": 0.35, "weibo": 0.30}
SUBJECTS = {  # subject → (mentions a day, keywords as listening.yml has them)
    "brand": (14, ["Cloudleaf", "云叶茶", "cloudleaf tea", "cloudleaftea"]),
    "Jadeleaf": (12, ["Jadeleaf", "玉叶茶"]),
    "Mistpeak": (5, ["Mistpeak", "雾峰茶"]),
}
ACCOUNTS = {  # (competitor, network) → (handle, followers on FIRST_DAY, daily growth, posts a week, median engagement)
    ("Jadeleaf", "mastodon"): ("@jadeleaf@mastodon.example", 4210, 6.0, 9, 38),
    ("Jadeleaf", "bluesky"): ("jadeleaf.bsky.social", 2870, 8.5, 11, 52),
    ("Mistpeak", "bluesky"): ("mistpeak.bsky.social", 1320, -1.5, 3, 9),
}
POSITIVE = ["Just tried the {tea} from {name}, lovely and fresh. Highly recommend!",
            "{name} {tea} is my favourite cup this week, wonderful aroma.",
            "Great service from {name}: fast delivery and a beautiful tin. Love it.",
            "Thank you {name} for the tasting notes, really helpful and kind."]
NEUTRAL = ["Brewing {name} {tea} this afternoon.", "Has anyone compared {name} with other tea shops?",
           "{name} posted their {tea} brewing guide today.", "Picked up a sample of {name} {tea} at the market."]
NEGATIVE = ["My {name} order arrived late and the tin was dented. Disappointed.",
            "{name} customer service never answered my email, terrible.",
            "The {tea} from {name} tasted stale this time. Not happy.",
            "Still waiting for my {name} parcel, a week late. Very frustrating."]
TEAS = ["Longjing", "Tieguanyin", "Dianhong", "White Peony", "Dancong", "Keemun", "winter blend"]
MOOD = {"brand": (0.45, 0.40), "Jadeleaf": (0.38, 0.44), "Mistpeak": (0.30, 0.45)}  # P(positive), P(neutral)
FIRST_NAMES = ["lin", "mei", "jun", "tao", "ana", "sam", "kai", "yue", "noor", "leo", "ivy", "hao", "ruth", "wen"]


def author(rng: random.Random, network: str) -> tuple[str, int]:
    name = f"{rng.choice(FIRST_NAMES)}{rng.randint(1, 999)}"
    handle = {"mastodon": f"{name}@mastodon.example", "bluesky": f"{name}.bsky.social", "weibo": name}[network]
    return handle, int(math.exp(rng.gauss(5.3, 1.3)))


def text_of(rng: random.Random, subject: str, keyword: str, mood: str) -> str:
    templates = {"positive": POSITIVE, "neutral": NEUTRAL, "negative": NEGATIVE}[mood]
    tea = "winter blend" if subject == "brand" and mood != "negative" and rng.random() < 0.2 else rng.choice(TEAS)
    return rng.choice(templates).format(name=keyword, tea=tea)


def day_count(rng: random.Random, subject: str, day: date) -> int:
    base = SUBJECTS[subject][0] * (0.7 if day.weekday() >= 5 else 1.0)
    if subject == "brand" and day == VIRAL_DAY:
        base *= 4.0
    if subject == "brand" and day == COMPLAINT_DAY:
        base *= 1.6
    return max(0, round(base * math.exp(rng.gauss(0, 0.2))))  # overdispersed, as mention counts are


def mood_of(rng: random.Random, subject: str, day: date) -> str:
    positive, neutral = MOOD[subject]
    if subject == "brand" and day == COMPLAINT_DAY:
        positive, neutral = 0.1, 0.2
    draw = rng.random()
    return "positive" if draw < positive else "neutral" if draw < positive + neutral else "negative"


def mentions(rng: random.Random) -> list[tuple[datetime, list]]:
    rows, number, day = [], 0, FIRST_DAY
    while day <= LAST_DAY:
        for subject, (_, keywords) in SUBJECTS.items():
            for _ in range(day_count(rng, subject, day)):
                number += 1
                network = rng.choices(list(NETWORKS), weights=list(NETWORKS.values()))[0]
                handle, followers = author(rng, network)
                at = datetime.combine(day, time(rng.randint(7, 23), rng.randint(0, 59)), tzinfo=TZ).astimezone(timezone.utc)
                keyword = rng.choice(keywords)
                text = text_of(rng, subject, keyword, mood_of(rng, subject, day))
                if subject == "brand" and day == VIRAL_DAY and rng.random() < 0.6:
                    text = f"Saw @teawithmei's post about the {keyword} winter blend, ordered some. Looks wonderful!"
                post_id = f"{110_000_000_000_000_000 + number * 7919}" if network == "mastodon" else (
                    f"at://did:plc:sim{number:06d}/app.bsky.feed.post/3m{number:011d}" if network == "bluesky"
                    else f"{5_100_000_000_000_000 + number * 104_729}")
                url = {"mastodon": f"https://mastodon.example/@{handle.split('@')[0]}/{post_id}",
                       "bluesky": f"https://bsky.app/profile/{handle}/post/3m{number:011d}",
                       "weibo": f"https://weibo.com/{handle}/{post_id}"}[network]
                engagement = int(rng.expovariate(1.0) * (2 + math.sqrt(followers) / 4))
                rows.append((at, [post_id, network, handle, followers, f"{at:%Y-%m-%dT%H:%M:%SZ}", text, url, keyword,
                                  subject, sentiment(text), engagement]))
        day += timedelta(days=1)
    return sorted(rows, key=lambda r: (r[0], r[1][0]))


def competitor_rows(rng: random.Random) -> list[tuple[datetime, list]]:
    rows, day = [], FIRST_DAY
    while day <= LAST_DAY:
        at = datetime.combine(day, time(16, 5), tzinfo=timezone.utc)
        for (competitor, network), (handle, start, growth, per_week, engagement) in ACCOUNTS.items():
            days = (day - FIRST_DAY).days
            followers = round(start + growth * days + rng.gauss(0, 4))
            posts = max(0, round(per_week * 30 / 7 + rng.gauss(0, 1.5)))
            median = round(engagement * (1 + days / 300) * math.exp(rng.gauss(0, 0.12)), 1) if posts else None
            rows.append((at, [f"{at:%Y-%m-%dT%H:%M:%SZ}", competitor, network, handle, followers, posts,
                              int(median) if median is not None and median.is_integer() else median]))
        day += timedelta(days=1)
    return rows


def write_csv(folder: str, columns: tuple[str, ...], rows: list[tuple[datetime, list]]) -> None:
    """The month files of `folder`, written afresh (simulate_history's writer)."""
    shutil.rmtree(ROOT / folder, ignore_errors=True)
    write_month_files(ROOT, folder, columns, rows)


def main() -> None:
    rng = random.Random(SEED)
    write_csv(MENTIONS.folder, MENTIONS.columns, mentions(rng))
    write_csv(COMPETITORS.folder, COMPETITORS.columns, competitor_rows(rng))


if __name__ == "__main__":
    main()
