"""Built-in social rules (brand/voice.yml) and the calendar rule."""

from __future__ import annotations

import pytest
from test_voice import check, load, post, posts_of, voice_repo


def social(tmp_path, voice_yml: str, posts: dict[str, str], rendered: bool = False):
    root = voice_repo(tmp_path, posts=posts, voice_yml=voice_yml)
    voice, problems = load(root)
    assert problems == []
    return check(root, voice, rendered=rendered)


def test_rules_run_only_when_configured(tmp_path):
    body = "WOW!!!! 🎉🎉🎉🎉 https://bit.ly/x"
    assert social(tmp_path, "", {"p.md": post(body)}) == []
    assert social(tmp_path / "2", "emoji: {max: 1, enabled: false}\n", {"p.md": post(body)}) == []


def test_hashtags_per_platform_in_what_each_account_receives(tmp_path):
    config = "hashtags: {max: 3, platforms: {bluesky: 1, feed: 2}}\n"
    text = post("Tea #one", platforms="[mastodon, bluesky, feed]", hashtags="[two, three]",
                overrides="{feed: {hashtags: [a, b, c]}}")
    found = social(tmp_path, config, {"p.md": text}, rendered=True)
    assert [(d.line, d.column, d.rule, d.message) for d in found] == [
        (5, 11, "voice.hashtags", "bluesky: 3 hashtags, over the brand's limit of 1 for bluesky"),
        (6, 30, "voice.hashtags", "feed: 4 hashtags, over the brand's limit of 2 for feed"),
    ]
    assert found[0].severity == "warning"


def test_hashtags_without_rendered_results(tmp_path):
    found = social(tmp_path, "hashtags: {max: 2}\n", {"p.md": post("#a #b", hashtags="[c]")})
    assert [d.message for d in found] == ["mastodon: 3 hashtags, over the brand's limit of 2 for mastodon"]


def test_disclosure_hashtags_do_not_count(tmp_path):
    config = "hashtags: {max: 1}\ndisclosure: {tokens: ['#ad', '#广告']}\n"
    found = social(tmp_path, config, {"p.md": post("#ad #广告 Kettles", hashtags="[tea]", sponsored="true")},
                   rendered=True)
    assert found == []


@pytest.mark.parametrize("body,column", [
    ("Hi!! Ok! Yes! Go!", 13),  # at the fourth
    ("好！真好！！太好了！", 10),
    ("Hi! 好！", None),
    ("`!!!!` and https://example.com/a!b!c!d are skipped!", None),
    ("https://example.com/!!!! after a link, they count", 24),
])
def test_exclamation_marks(tmp_path, body, column):
    found = social(tmp_path, "exclamation: {max: 3}\n", {"p.md": post(body)})
    assert [d.column for d in found] == ([column] if column else [])


def test_emoji_count_clusters_once(tmp_path):
    body = "Tea 🍵 👨‍👩‍👧 🇨🇳 ☕️ 1️⃣ © ™ and 🎉"  # ©, ™ without VS16 are text, not emoji
    found = social(tmp_path, "emoji:\n  max: 5\n  level: error\n", {"p.md": post(body)})
    [d] = found
    assert (d.column, d.severity, d.message) == (31, "error", "6 emoji in this text; the brand allows at most 5")


def test_emoji_in_override_texts(tmp_path):
    text = post("calm", overrides='{mastodon: {text: "🎉🎉🎉"}}')
    [d] = social(tmp_path, "emoji: {max: 2}\n", {"p.md": text})
    assert (d.line, d.column) == (5, 33)  # the third, in the override text


def test_all_caps(tmp_path):
    body = "FREE shipping, the UNESCO list, OK, TEA, 用SALE发布, ＢＵＹ ＮＯＷ, #SALE, https://x.com/SALE"
    found = social(tmp_path, "all_caps: {min_length: 4, allow: [UNESCO]}\n", {"p.md": post(body, title="BIG NEWS")})
    assert [(d.line, d.column, d.message) for d in found] == [
        (2, 12, "“NEWS” is in ALL CAPS"),
        (6, 1, "“FREE” is in ALL CAPS"),
        (6, 43, "“SALE” is in ALL CAPS"),
    ]


def test_disclosure(tmp_path):
    config = "disclosure: {tokens: ['#ad', '#广告', Paid partnership], within: 40}\n"
    posts = {
        "ok.md": post("#ad Tea kettles", sponsored="true"),
        "zh.md": post("与Tidewell合作 #广告", sponsored="true"),
        "words.md": post("Paid partnership with Tidewell", sponsored="true"),
        "none.md": post("#adventure time", sponsored="true", platforms="[mastodon, bluesky]"),
        "late.md": post("x" * 50 + " #ad", sponsored="true"),
        "override.md": post("#ad kettles", sponsored="true", platforms="[mastodon, bluesky]",
                            overrides='{bluesky: {text: "kettles"}}'),
        "unsponsored.md": post("kettles"),
    }
    found = social(tmp_path, config, posts, rendered=True)
    assert [(d.file.split("/")[-1], d.line, d.column, d.severity, d.message) for d in found] == [
        ("late.md", 5, 12, "error", "the disclosure comes after the first 40 characters for mastodon; readers may not see it"),
        ("none.md", 5, 12, "error", "sponsored post without a disclosure (`#ad`, `#广告`, `Paid partnership`) for mastodon, bluesky"),
        ("override.md", 5, 12, "error", "sponsored post without a disclosure (`#ad`, `#广告`, `Paid partnership`) for bluesky"),
    ]


def test_banned_link_domains(tmp_path):
    config = "link_domains: {banned: [bit.ly, spam.example]}\n"
    body = "See https://bit.ly/abc and [x](https://www.spam.example/y) and https://bitly.com/ok and 用https://bit.ly/z发布"
    text = post(body, link="https://sub.spam.example/p", overrides='{mastodon: {link: "https://ok.example"}}')
    found = social(tmp_path, config, {"p.md": text})
    assert [(d.line, d.column, d.message) for d in found] == [
        (5, 7, "link to a banned domain `spam.example`: https://sub.spam.example/p"),
        (8, 5, "link to a banned domain `bit.ly`: https://bit.ly/abc"),
        (8, 32, "link to a banned domain `spam.example`: https://www.spam.example/y"),
        (8, 90, "link to a banned domain `bit.ly`: https://bit.ly/z"),
    ]


def test_front_matter_disable_covers_built_in_rules(tmp_path):
    text = post("Go!!!!", voice="{disable: [exclamation]}")
    assert social(tmp_path, "exclamation: {max: 1}\n", {"p.md": text}) == []
    # marks in a disabled region do not count
    text = post("Go!\n<!-- smm-disable voice.exclamation -->\nGo!!!!\n<!-- smm-enable -->\nGo!")
    [d] = social(tmp_path / "2", "exclamation: {max: 1}\n", {"p.md": text})
    assert (d.line, d.column, d.message) == (10, 3, "2 exclamation marks in this text; the brand allows at most 1")


# -- the calendar rule ----------------------------------------------------------------------

PROMO = "promo_share: {max_percent: 40, days: 7, min_posts: 3, tags: [promo]}\n"


def calendar_check(tmp_path, posts: dict[str, str], config: str = PROMO):
    root = voice_repo(tmp_path, posts=posts, voice_yml=config)
    voice, problems = load(root)
    assert problems == []
    return voice.check_calendar(posts_of(root))


def at(day: int, hour: int = 12, **fields) -> str:
    return post("x", publish_at=f"2026-12-{day:02d}T{hour:02d}:00", **fields)


def test_promo_share_in_a_rolling_week(tmp_path):
    posts = {
        "01.md": at(1), "02.md": at(2, pillar="product"), "03.md": at(3),
        "04.md": at(4, tags="[promo]"), "05.md": at(5),
        # three weeks later: one promotional post among four is 25%
        "22.md": at(22), "23.md": at(23, pillar="product"), "24.md": at(24), "25.md": at(25),
    }
    [d] = calendar_check(tmp_path, posts)
    assert (d.file, d.line, d.column, d.rule, d.severity) == ("content/04.md", 5, 7, "voice.promo-share", "warning")
    assert d.message == ("2 of the 4 posts from 2026-12-01 to 2026-12-04 are promotional (50%); "
                         "the brand allows at most 40% in any 7 days")
    assert "02, 04" in d.hint


def test_promo_share_windows_need_min_posts_and_skip_drafts(tmp_path):
    posts = {"01.md": at(1, pillar="product"), "02.md": at(2, pillar="product"),
             "03.md": post("x", draft="true", publish_at=None), "20.md": at(20)}
    assert calendar_check(tmp_path, posts) == []  # two posts in the window: below min_posts


def test_promo_share_finds_a_window_between_posts(tmp_path):
    # no window that starts or ends at a post holds only 4, 5 and 6; the one from the 2nd at 13:00 does
    posts = {"01.md": at(1), "04.md": at(4, tags="[promo]"), "05.md": at(5, tags="[promo]"),
             "06.md": at(6), "09.md": at(9)}
    [d] = calendar_check(tmp_path, posts, PROMO.replace("40", "60"))
    assert d.file == "content/05.md" and "2 of the 3 posts" in d.message


def test_promo_share_disabled_post_is_counted_but_not_blamed(tmp_path):
    posts = {"01.md": at(1, tags="[promo]"), "02.md": at(2, tags="[promo]", voice="{disable: [promo-share]}"),
             "03.md": at(3)}
    [d] = calendar_check(tmp_path, posts)
    assert d.file == "content/01.md" and "2 of the 3" in d.message


def _timeline(days: int, promo_every: int, start_day: int = 0, posts_per_day: int = 2) -> dict[str, str]:
    """`posts_per_day` posts a day for `days` days from 2026-12-01 + start_day; every
    `promo_every`-th post is promotional (0: none)."""
    from datetime import datetime, timedelta

    first = datetime(2026, 12, 1, 9) + timedelta(days=start_day)
    posts = {}
    for n in range(days * posts_per_day):
        when = first + timedelta(hours=24 * (n // posts_per_day) + 6 * (n % posts_per_day))
        fields = {"tags": "[promo]"} if promo_every and n % promo_every == 0 else {}
        posts[f"{when:%Y%m%d%H}-{start_day}.md"] = post("x", publish_at=when.strftime("%Y-%m-%dT%H:%M"), **fields)
    return posts


@pytest.mark.parametrize("posts,reported", [
    (_timeline(days=200, promo_every=2), 1),  # 400 posts, half of them selling all year round: one stretch
    (_timeline(days=200, promo_every=4), 0),  # a quarter: under the 40% limit everywhere
    ({**_timeline(days=5, promo_every=1), **_timeline(days=14, promo_every=0, start_day=5),
      **_timeline(days=5, promo_every=1, start_day=19)}, 2),  # two bad weeks, two weeks apart
    ({**_timeline(days=3, promo_every=1), **_timeline(days=3, promo_every=0, start_day=3),
      **_timeline(days=3, promo_every=1, start_day=6)}, 1),  # two bad stretches whose windows overlap: one
])
def test_promo_share_is_reported_once_per_stretch_of_overlapping_windows(tmp_path, posts, reported):
    found = calendar_check(tmp_path, posts)
    assert len(found) == reported, [d.message for d in found]


def test_promo_share_names_the_worst_window_of_its_stretch(tmp_path):
    posts = {"01.md": at(1, tags="[promo]"), "02.md": at(2), "03.md": at(3, tags="[promo]"),
             "04.md": at(4, tags="[promo]"), "05.md": at(5, tags="[promo]"), "06.md": at(6)}
    [d] = calendar_check(tmp_path, posts, PROMO.replace("days: 7", "days: 3"))  # windows overlap 01 to 06
    assert d.file == "content/05.md" and "3 of the 3 posts from 2026-12-03 to 2026-12-05" in d.message
