"""Simulate six months of Cloudleaf Tea 云叶茶's social media history, so `smm report` on a
fresh clone of the example repository shows something meaningful.

    .venv/bin/python tests/tools/simulate_history.py        # rewrites the files below

Deterministic: one seeded random generator (SEED), no clock, no network; running it again
gives byte-identical files. What it writes (and first removes, if there):

- content/2026/05/ … content/2026/10/: an ARCHIVE of short bilingual posts (feed,
  mastodon, bluesky), from 2026-05-01 to 2026-10-31: the three weekly calendar slots of
  brand/calendar.yml (Mon 12:00 industry news, Wed 12:00 tips, Fri 18:00 customer
  stories; about 1 in 12 is left empty) plus extra posts at other times (Tue 20:00, Thu
  08:00, Sat 10:00, Sun 21:00), pillars from the calendar, three campaigns
  (spring-harvest-2026, cold-brew-summer-2026, mid-autumn-2026) and never more than one
  promotional (product) post in 7 days.
- data/published/<post-id>.json: a publish record per archive post, `published` on every
  account. They are written by smm's real publishing engine (smm.publish.pipeline.Publisher, so
  the keys, hashes and shapes are exactly smm's) run at each post's time plus 1-6
  minutes, with stand-in adapters returning plausible ids: Mastodon snowflake ids and
  https://mastodon.example/@cloudleaf/<id> URLs, Bluesky at:// URIs with the TID record
  key smm derives and bsky.app URLs, the feed's urn:uuid entry ids.
- data/accounts/<YYYY-MM>.csv: followers of mastodon and bluesky collected daily at
  00:05 Shanghai time (16:05 UTC) from 2026-05-02 to 2026-11-26: organic growth
  (mastodon ~1,180 → ~1,800, bluesky ~760 → ~1,700), a weekly rhythm, a few unfollows,
  and a bump after each post in proportion to its interactions.
- data/metrics/<YYYY-MM>.csv: the same daily collection of each post's counts for its
  first 30 days on mastodon and bluesky (the feed has no metrics). A post's final
  interactions are followers at post time × a base rate (mastodon 2.2 %, bluesky 3.0 %)
  × a weekday-and-hour effect (evenings strong: Tue 20:00, Sun 21:00, Fri 18:00; Thu
  08:00 weak) × a pillar effect × log-normal noise; two posts go viral (× 9 and × 12).
  Counts accumulate as 1 − e^(−days/1.6): most in the first two days. They split into
  likes, reposts, replies and (Bluesky only; Mastodon's quotes stay empty) quotes; views
  and clicks stay empty, as these networks give none.

Then check: `.venv/bin/smm check` exits 0 and the golden preview is regenerated
(`SMM_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SEED = 20260501
TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 5, 1)
LAST_POST_DAY = date(2026, 10, 31)
LAST_COLLECTION = datetime(2026, 11, 25, 16, 5, tzinfo=timezone.utc)  # 2026-11-26 00:05 in Shanghai
MONTHS = ["05", "06", "07", "08", "09", "10"]
ACCOUNTS = ["feed", "mastodon", "bluesky"]
MEASURED = ["bluesky", "mastodon"]  # accounts whose adapters have metrics, in collection order
DID = "did:plc:c7oudleafte4xq2mz6rvhy3k"
SNAPSHOT_DAYS = 30

# (weekday, "HH:MM", pillar or None for an extra) -- weekday 0 is Monday
SLOTS = [(0, "12:00", "industry-news"), (2, "12:00", "tips"), (4, "18:00", "customer-stories")]
EXTRAS = [(1, "20:00"), (3, "08:00"), (5, "10:00"), (6, "21:00")]
CELL_EFFECT = {(0, 12): 0.9, (2, 12): 1.0, (4, 18): 1.2, (1, 20): 1.45, (3, 8): 0.7, (5, 10): 1.05, (6, 21): 1.35}
PILLAR_EFFECT = {"industry-news": 0.85, "tips": 1.15, "customer-stories": 1.1, "product": 0.9, "behind-the-scenes": 1.2}
BASE_RATE = {"mastodon": 0.022, "bluesky": 0.030}
SPLIT = {"mastodon": {"likes": 0.62, "reposts": 0.25, "replies": 0.13},
         "bluesky": {"likes": 0.65, "reposts": 0.17, "replies": 0.10, "quotes": 0.08}}
CAMPAIGNS = [(date(2026, 5, 4), date(2026, 5, 31), "spring-harvest-2026"),
             (date(2026, 7, 6), date(2026, 8, 2), "cold-brew-summer-2026"),
             (date(2026, 9, 7), date(2026, 9, 30), "mid-autumn-2026")]

TEAS = [("Longjing", "龙井", 80, 3), ("Tieguanyin", "铁观音", 95, 7), ("Dianhong", "滇红", 90, 4),
        ("White Peony", "白牡丹", 85, 5), ("Dancong", "单丛", 95, 6), ("jasmine green tea", "茉莉绿茶", 80, 3),
        ("Biluochun", "碧螺春", 75, 3), ("Wuyi rock tea", "武夷岩茶", 95, 6), ("Keemun", "祁门红茶", 90, 4),
        ("Lapsang souchong", "正山小种", 90, 5)]
PLACES = [("Anxi", "安溪"), ("Wuyishan", "武夷山"), ("Lincang", "临沧"), ("Hangzhou", "杭州"), ("Fuding", "福鼎"),
          ("Qimen", "祁门"), ("Chaozhou", "潮州"), ("Menghai", "勐海")]
CAFES = [("Moonbridge Café", "月桥咖啡馆", "Suzhou", "苏州"), ("Old Lane Teahouse", "老巷茶馆", "Chengdu", "成都"),
         ("Little Kettle Bakery", "小壶烘焙", "Hangzhou", "杭州"), ("Harbour Reading Room", "海港阅览室", "Xiamen", "厦门"),
         ("Pine Steps Hostel", "松阶青旅", "Kunming", "昆明"), ("Quiet Hours Studio", "静时工作室", "Shanghai", "上海"),
         ("Riverside Noodle Bar", "河畔面馆", "Wuhan", "武汉"), ("Lantern Street Books", "灯笼街书店", "Guangzhou", "广州"),
         ("Cloud Terrace Inn", "云台客栈", "Dali", "大理"), ("Morning Tide Café", "晨潮咖啡", "Qingdao", "青岛"),
         ("Hillside Pottery", "山坡陶坊", "Jingdezhen", "景德镇"), ("North Gate Co-working", "北门共享办公", "Beijing", "北京")]

KINDS = ["a café that brews with us", "teatime at an old lane teahouse", "a bakery's afternoon pot", "a reading room by the sea",
         "tea at a hostel", "a studio's quiet hours", "noodles and tea", "a bookshop's tea corner", "an inn above the clouds",
         "morning tea by the tide", "tea among the kilns", "a co-working tea break"]


@dataclass
class Planned:
    at: datetime
    pillar: str
    campaign: str | None
    slug: str
    title: str
    body: str
    hashtags: list[str]
    link: str
    tags: list[str]


# -- texts --------------------------------------------------------------------------------------


def news(rng: random.Random, n: int) -> tuple[str, str, str, list[str]]:
    place, place_zh = PLACES[n % len(PLACES)]
    kind = n % 4
    if kind == 0:
        return (f"{place} harvest notes", f"{place} harvest notes {place_zh}采茶记",
                f"Picking has started in {place}. Growers report steady rain and slower buds, so the first lots may "
                f"arrive a week late.\n\n{place_zh}开采了。雨水均匀，芽头长得慢，首批茶可能晚一周到。",
                ["TeaHarvest", "茶季"])
    if kind == 1:
        rise = rng.choice([4, 6, 8, 11])
        return (f"{place} prices this season", f"{place} prices this season {place_zh}茶价",
                f"Farm-gate prices in {place} are up about {rise}% on last year, mostly from labour costs. Our prices "
                f"stay the same until the autumn.\n\n{place_zh}茶园收购价比去年涨了约{rise}%，主要是人工成本。我们的价格到秋天都不变。",
                ["TeaMarket", "茶价"])
    if kind == 2:
        return (f"{place} tea fair notes", f"{place} tea fair notes {place_zh}茶博会",
                f"Back from the {place} tea fair: fewer flavoured blends, more single-garden teas and plenty of "
                f"talk about lighter roasts.\n\n{place_zh}茶博会归来：调味茶少了，单一茶园多了，大家都在聊轻焙火。",
                ["TeaFair", "茶博会"])
    return (f"{place} weather watch", f"{place} weather watch {place_zh}天气",
            f"A dry fortnight in {place} means small, dense leaves this round. Expect a sweeter cup and "
            f"slightly smaller lots.\n\n{place_zh}两周少雨，这一轮叶片小而厚实，茶汤更甜，产量略少。",
            ["TeaFarm", "茶园"])


def tip(rng: random.Random, n: int) -> tuple[str, str, str, list[str]]:
    tea, tea_zh, temp, grams = TEAS[n % len(TEAS)]
    head = tea[0].upper() + tea[1:].lower()
    kind = n % 5
    if kind == 0:
        return (f"{head}: water temperature", f"{head}: water temperature {tea_zh}水温",
                f"Brew {tea} at about {temp}°C. Hotter water pulls out bitterness before the sweetness "
                f"arrives.\n\n{tea_zh}建议用{temp}°C左右的水。水太烫，苦味会先于回甘出来。",
                ["TeaTips", "冲泡技巧"])
    if kind == 1:
        return (f"{head}: how much leaf", f"{head}: how much leaf {tea_zh}投茶量",
                f"For a 150 ml gaiwan, start with {grams} g of {tea}. Too strong? Pour sooner rather than using "
                f"less leaf.\n\n150毫升盖碗放{grams}克{tea_zh}。觉得浓，就缩短出汤时间，不必减茶。",
                ["TeaTips", "冲泡技巧"])
    if kind == 2:
        return (f"{head}: cold brew", f"{head}: cold brew 冷泡{tea_zh}",
                f"Cold brew {tea}: {grams * 2} g in a litre of cold water, six hours in the fridge, then strain. "
                f"Soft and clear.\n\n冷泡{tea_zh}：{grams * 2}克茶叶加一升冷水，冷藏六小时后滤出，清甜柔和。",
                ["ColdBrew", "冷泡茶"])
    if kind == 3:
        return (f"{head}: storage", f"{head}: storage {tea_zh}的储存",
                f"Keep {tea} sealed, dark and away from spices. A tin in a cupboard beats a glass jar on "
                f"the counter.\n\n{tea_zh}要密封、避光、远离香料。放在柜子里的茶罐比台面上的玻璃罐好。",
                ["TeaTips", "储茶"])
    return (f"{head}: more steeps", f"{head}: more steeps {tea_zh}续泡",
            f"Do not stop after one cup of {tea}. Add ten seconds to each steep; the third is often the "
            f"sweetest.\n\n{tea_zh}别只泡一次。每泡多加十秒，第三泡往往最甜。",
            ["TeaTips", "冲泡技巧"])


def story(rng: random.Random, n: int) -> tuple[str, str, str, list[str]]:
    cafe, cafe_zh, city, city_zh = CAFES[n % len(CAFES)]
    tea, tea_zh, _, _ = TEAS[(n * 3 + 1) % len(TEAS)]
    kind = n % 3
    if kind == 0:
        text = (f"{cafe} in {city} serves our {tea} in small pots after lunch. Regulars now ask for it by name."
                f"\n\n{city_zh}的{cafe_zh}午后用小壶供应我们的{tea_zh}，熟客已经会点名要了。")
    elif kind == 1:
        text = (f"At {cafe} in {city}, the team tastes every new lot with us before it goes on the menu. This "
                f"month: {tea}.\n\n{city_zh}{cafe_zh}的团队每批新茶都和我们一起试饮，这个月是{tea_zh}。")
    else:
        text = (f"{cafe} in {city} pairs {tea} with their afternoon menu. Thank you for brewing with "
                f"us.\n\n{city_zh}的{cafe_zh}把{tea_zh}配进了下午的菜单，谢谢你们。")
    short = f"{city}: {KINDS[n % len(CAFES)]}"
    return short, f"{short} {city_zh}{cafe_zh}", text, ["TeaPeople", "客户故事"]


def behind(rng: random.Random, n: int) -> tuple[str, str, str, list[str]]:
    items = [
        ("Roastery morning", "Roastery morning 焙茶的早晨",
         "Six in the morning at the roastery: the oolong goes in for its second, slower roast.\n\n清晨六点的焙茶间，乌龙开始第二次慢焙。"),
        ("Packing day", "Packing day 打包日",
         "Packing day. Every tin is weighed twice and sealed by hand before it leaves Shanghai.\n\n打包日。每罐茶称两次，手工封口后才从上海发出。"),
        ("Tasting table", "Tasting table 试茶桌",
         "Our Thursday tasting: twelve cups, three of us, one new tea that made the cut.\n\n周四试茶：十二杯，三个人，一款新茶入选。"),
        ("Farm visit in Anxi", "Farm visit 安溪茶园探访",
         "Two days in Anxi with the growers we buy from, walking the terraces before the autumn pick.\n\n在安溪和合作茶农一起走了两天茶园梯田，秋茶快开采了。"),
        ("Our oolong buyer", "Our oolong buyer 认识采购林",
         "Meet Lin, who buys our oolongs. She tastes about forty samples for every tea we list.\n\n认识一下采购林，我们上架的每款茶，她都要试大约四十个样。"),
        ("New labels", "New labels 新标签",
         "We rewrote our labels: harvest date, garden and brewing notes on the front, in both languages.\n\n新标签：采摘日期、茶园和冲泡建议都印在正面，中英双语。"),
        ("Water tests", "Water tests 试水",
         "We brewed the same Dianhong with five bottled waters. Soft water won, by a lot.\n\n同一款滇红用五种瓶装水冲泡，软水明显胜出。"),
        ("Studio cleanup", "Studio cleanup 工作室大扫除",
         "Quarterly cleanup: the old tasting cups go to a café that asked for them.\n\n季度大扫除：旧试茶杯送给了一家想要它们的咖啡馆。"),
    ]
    title, full, text = items[n % len(items)]
    return title, full, text, ["BehindTheScenes", "幕后"]


def product(rng: random.Random, n: int, campaign: str | None) -> tuple[str, str, str, list[str]]:
    if campaign == "spring-harvest-2026":
        return ("Longjing first flush", "Longjing first flush 明前龙井",
                "This spring's first flush Longjing is in: small batch, picked before Qingming.\n\n今年的明前龙井到货了，小批量。",
                ["Longjing", "明前茶"])
    if campaign == "cold-brew-summer-2026":
        return ("Cold brew kit", "Cold brew kit 冷泡套装",
                "Our cold brew kit is back: a bottle, a filter and three teas for the summer.\n\n冷泡套装回来了：一个瓶子、一个滤网和三款夏日茶。",
                ["ColdBrew", "冷泡茶"])
    if campaign == "mid-autumn-2026":
        return ("Mid-Autumn gift box", "Mid-Autumn gift box 中秋礼盒",
                "The Mid-Autumn gift box: Tieguanyin, Dianhong and a moon-shaped tin. Orders ship until 20 September."
                "\n\n中秋礼盒：铁观音、滇红和月亮形茶罐，9月20日前下单可发货。",
                ["MidAutumn", "中秋"])
    items = [("Keemun restock", "Keemun restock 祁门红茶补货",
              "Keemun is back in stock, from the same garden as last year.\n\n祁门红茶补货了，和去年同一个茶园。", ["BlackTea", "红茶"]),
             ("Sampler set", "Sampler set 品鉴装",
              "New sampler set: five teas, 10 g each, for finding the one you like.\n\n新品鉴装：五款茶各10克，找到你喜欢的那一款。",
              ["TeaSampler", "品鉴"])]
    return items[n % len(items)]


def slugify(text: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    out = "".join(ch.lower() if ch.isascii() and ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)[:48].strip("-")


def campaign_on(day: date) -> str | None:
    return next((name for first, last, name in CAMPAIGNS if first <= day <= last), None)


def plan(rng: random.Random) -> list[Planned]:
    """Which posts go out when, with their texts."""
    planned: list[Planned] = []
    counters = {p: 0 for p in PILLAR_EFFECT}
    last_product: date | None = None
    day = FIRST_DAY
    while day <= LAST_POST_DAY:
        moments = []
        for weekday, at, pillar in SLOTS:
            if day.weekday() == weekday and rng.random() > 1 / 12:
                moments.append((at, pillar))
        for weekday, at in EXTRAS:
            if day.weekday() == weekday and rng.random() < 0.3:
                campaign = campaign_on(day)
                promo_ok = last_product is None or (day - last_product).days >= 7
                if promo_ok and (campaign or rng.random() < 0.2):
                    pillar = "product"
                    last_product = day
                else:
                    pillar = rng.choice(["behind-the-scenes", "behind-the-scenes", "tips"])
                moments.append((at, pillar))
        for at, pillar in moments:
            hour, minute = map(int, at.split(":"))
            when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)
            n = counters[pillar]
            counters[pillar] += 1
            campaign = campaign_on(day)
            if pillar == "industry-news":
                short, title, body, tags = news(rng, n)
            elif pillar == "tips":
                short, title, body, tags = tip(rng, n)
            elif pillar == "customer-stories":
                short, title, body, tags = story(rng, n)
            elif pillar == "behind-the-scenes":
                short, title, body, tags = behind(rng, n)
            else:
                short, title, body, tags = product(rng, n, campaign)
            if pillar == "tips":  # campaigns are carried by product posts and some tips
                campaign = campaign if rng.random() < 0.6 else None
            elif pillar != "product":
                campaign = None
            slug = slugify(short)
            path = "shop" if pillar == "product" else "journal"
            link = f"https://cloudleaf.example/{path}/{slug}"
            planned.append(Planned(when, pillar, campaign, slug, title, body,
                                   tags, link, ["promo"] if pillar == "product" else []))
        day += timedelta(days=1)
    return planned


def post_file(p: Planned) -> tuple[str, str]:
    name = f"{p.at:%Y-%m-%d}-{p.slug}"
    title = json.dumps(p.title, ensure_ascii=False) if ":" in p.title else p.title
    front = [f"title: {title}", f"publish_at: {p.at:%Y-%m-%dT%H:%M}", "platforms: [feed, mastodon, bluesky]",
             f"pillar: {p.pillar}"]
    if p.campaign:
        front.append(f"campaign: {p.campaign}")
    if p.tags:
        front.append(f"tags: [{', '.join(p.tags)}]")
    front.append("hashtags: [" + ", ".join(f'"#{t}"' if not t.isascii() else t for t in p.hashtags) + "]")
    front.append(f"link: {p.link}")
    return f"content/{p.at:%Y}/{p.at:%m}/{name}.md", "---\n" + "\n".join(front) + "\n---\n" + p.body + "\n"


# -- publishing, with stand-in adapters ----------------------------------------------------------


def publish_all(root: Path, planned: list[Planned], rng: random.Random) -> dict[str, dict]:
    """Run smm's publishing engine at each post's time; returns post id → record accounts."""
    from smm.data.records import RecordStore
    from smm.platforms import PublishResult
    from smm.platforms.bluesky import tid
    from smm.platforms.feed import entry_id
    from smm.publish.pipeline import Publisher
    from smm.workspace.repo import load_repo

    class StandIn:
        def __init__(self, account: str, site: str, moment) -> None:
            self.account, self.site, self.moment = account, site, moment
            self.label = account

        def find(self, outgoing, *, idempotency_key, lookup=None):
            return None

        def publish(self, outgoing, *, idempotency_key):
            if self.account == "feed":
                return PublishResult(entry_id(outgoing.post_id), outgoing.link or self.site)
            if self.account == "mastodon":
                millis = int(self.moment().timestamp() * 1000)
                status = str((millis << 16) + rng.randrange(65536))
                return PublishResult(status, f"https://mastodon.example/@cloudleaf/{status}")
            rkey = tid(idempotency_key, outgoing.published_at)
            return PublishResult(f"at://{DID}/app.bsky.feed.post/{rkey}",
                                 f"https://bsky.app/profile/cloudleaf.bsky.social/post/{rkey}")

    repo = load_repo(root)
    store = RecordStore(root, repo.records)
    env = {"SMM_MASTODON_TOKEN": "simulated", "SMM_BLUESKY_APP_PASSWORD": "simulated"}
    for p in planned:
        moment = p.at + timedelta(minutes=rng.randint(1, 6), seconds=rng.randint(0, 59))
        publisher = Publisher(repo, moment, env, clock=lambda m=moment: m, sleep=lambda s: None)
        publisher.store = store
        publisher.adapter = lambda account, platform, m=moment: StandIn(account, "https://cloudleaf.example",
                                                                        lambda: m)
        report = publisher.run()
        states = {(j.post, j.account): j.state for j in report.jobs}
        assert states and all(s == "published" for s in states.values()), states
    return {post_id: record.accounts for post_id, record in store.records.items()}


# -- metrics and followers ------------------------------------------------------------------------


def collections() -> list[datetime]:
    moment = datetime(2026, 5, 1, 16, 5, tzinfo=timezone.utc)
    found = []
    while moment <= LAST_COLLECTION:
        found.append(moment)
        moment += timedelta(days=1)
    return found


def simulate(planned: list[Planned], records: dict[str, dict], rng: random.Random) -> tuple[list, list]:
    times = collections()
    posts = []  # (id, account, published_at, remote_id, final counts)
    by_id = {f"{p.at:%Y-%m-%d}-{p.slug}": p for p in planned}
    viral = {sorted(by_id)[31]: ("bluesky", 12.0), sorted(by_id)[58]: ("mastodon", 9.0)}
    followers = {"mastodon": 1180.0, "bluesky": 760.0}
    organic = {"mastodon": 2.2, "bluesky": 3.4}
    bumps: dict[tuple[str, int], float] = {}
    follower_rows, metric_rows = [], []
    pending = sorted(by_id.items(), key=lambda item: item[1].at)
    index = 0
    for day, moment in enumerate(times):
        # posts that went out since the previous collection: their final counts, from followers now
        while index < len(pending) and datetime.fromisoformat(records[pending[index][0]]["mastodon"]["published_at"]) <= moment:
            post_id, p = pending[index]
            index += 1
            local = p.at.astimezone(TZ)
            for account in MEASURED:
                job = records[post_id][account]
                effect = CELL_EFFECT[(local.weekday(), local.hour)] * PILLAR_EFFECT[p.pillar]
                final = followers[account] * BASE_RATE[account] * effect * math.exp(rng.gauss(0, 0.35))
                if viral.get(post_id, (None,))[0] == account:
                    final *= viral[post_id][1]
                shares = {k: final * v * math.exp(rng.gauss(0, 0.15)) for k, v in SPLIT[account].items()}
                posts.append((post_id, account, datetime.fromisoformat(job["published_at"]), job["remote_id"], shares))
                for lag in range(1, 8):  # new followers from the post over a week
                    bumps[(account, day + lag)] = bumps.get((account, day + lag), 0.0) + final * 0.04 * math.exp(-lag / 2)
        for account in ("mastodon", "bluesky"):
            weekly = 1.25 if moment.astimezone(TZ).weekday() in (5, 6) else 0.95
            gain = organic[account] * weekly * math.exp(rng.gauss(0, 0.4)) + bumps.get((account, day), 0.0)
            loss = rng.choice([0, 0, 0, 1, 1, 2, 3])
            followers[account] = max(0.0, followers[account] + gain - loss)
            organic[account] *= 1.001
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        for account in ("bluesky", "mastodon"):
            follower_rows.append((moment, [stamp, account, account, int(followers[account])]))
        rows = []
        for post_id, account, published, remote_id, shares in posts:
            age = (moment - published).total_seconds() / 86400
            if age <= 0 or age > SNAPSHOT_DAYS:
                continue
            share = 1 - math.exp(-age / 1.6)
            counts = {k: int(v * share) for k, v in shares.items()}
            rows.append((account, post_id, [stamp, post_id, account, account, remote_id, counts["likes"],
                                             counts["reposts"], counts["replies"], counts.get("quotes"), None, None]))
        metric_rows += [(moment, row) for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]
    return metric_rows, follower_rows


def write_csv(root: Path, folder: str, columns: tuple[str, ...], rows: list[tuple[datetime, list]]) -> None:
    by_month: dict[str, list[list]] = {}
    for moment, row in rows:
        by_month.setdefault(f"{moment:%Y-%m}", []).append(row)
    for month, items in sorted(by_month.items()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else v for v in row] for row in items])
        path = root / folder / f"{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")


# -- the whole thing --------------------------------------------------------------------------------


def clean(root: Path) -> None:
    for month in MONTHS:
        shutil.rmtree(root / "content" / "2026" / month, ignore_errors=True)
    records = root / "data" / "published"
    if records.is_dir():
        for path in records.glob("2026-*.json"):
            if path.name[5:7] in MONTHS:
                path.unlink()
    for folder in ("data/metrics", "data/accounts"):
        shutil.rmtree(root / folder, ignore_errors=True)


def main(root: Path = ROOT) -> None:
    from smm.metrics.collect import (
        ACCOUNTS_DIR,
        FOLLOWER_COLUMNS,
        METRIC_COLUMNS,
        METRICS_DIR,
    )

    rng = random.Random(SEED)
    clean(root)
    planned = plan(rng)
    for p in planned:
        file, text = post_file(p)
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_text(text, encoding="utf-8")
    records = publish_all(root, planned, rng)
    metric_rows, follower_rows = simulate(planned, records, rng)
    write_csv(root, METRICS_DIR, METRIC_COLUMNS, metric_rows)
    write_csv(root, ACCOUNTS_DIR, FOLLOWER_COLUMNS, follower_rows)
    print(f"{len(planned)} posts, {len(metric_rows)} metric rows, {len(follower_rows)} follower rows")


if __name__ == "__main__":
    main()
