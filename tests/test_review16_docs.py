"""Review 16: README.md is smm's contract; these tables hold the code to what it documents.

- Every rule id the Diagnostics table (and the Goals and Brand voice sections) lists is produced, with the
  severity it states, by a small repository made to break that rule; every rule any of them produces is
  documented. Before this session an anyOf or dependentRequired of a schema (a Slack account without its
  webhook or bot token, an X account's partial OAuth keys, a `formerly` of the wrong type, a voice rule's
  `scope` as a mapping) came out as the undocumented `schema.anyOf` / `schema.dependentRequired`, worded as
  Python's reprs (`{'platform': 'slack'} is not valid under any of the given schemas`); and an X account
  missing `client_id` beside its `refresh_token_env`, alone in platforms.yml, passed: fastjsonschema, which
  answers "valid?" first, does not know `dependentRequired`. A spreadsheet with a header and no rows was
  imported as nothing, exit 0; README says `import.table`.
- Each command's `--format json` (and `smm count --json`) prints the keys its README row names, and each of
  those keys is in the row (the preview's `title`, `publish_at`, `link` were not).
- What the README states of one behaviour, checked where the code disagreed: a Mastodon account's
  `visibility` is `public` by default (nothing was sent: the instance used the account's own default, which
  may be followers only); `smm count --json` says why the network would refuse the text (it said only
  `ok: false`); a Bluesky text over its 3,000 bytes but not its 300 graphemes is reported once, as the bytes
  (it was also "over the limit of 300 by -299").
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import CALENDAR, PLATFORMS, ROOT, post_text
from PIL import Image

from smm.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
NOW = "2026-11-26T09:00"
P = post_text


def _section(title: str) -> str:
    """The README's text from a heading to the next heading of its level or above."""
    start = README.index(title) + len(title)
    level = title.split(" ", 1)[0]
    following = re.search(rf"^#{{1,{len(level)}}} ", README[start:], re.M)
    return README[start:start + following.start()] if following else README[start:]


DIAGNOSTICS = _section("### Diagnostics")
RULE_ID = re.compile(r"`([a-z]+\.[a-z][a-z0-9-]*)`")
DOCUMENTED = {rule for rule in RULE_ID.findall(README) if not rule.endswith((".yml", ".md", ".json", ".j2"))}


def _table_rules() -> set[str]:
    """The rule ids the Diagnostics table's first column lists."""
    return {rule for line in DIAGNOSTICS.splitlines() if line.startswith("| `")
            for rule in RULE_ID.findall(line.split(" | ")[0])}


def _png(width: int = 8, height: int = 8, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(buffer, fmt)
    return buffer.getvalue()


def _noise(path: Path) -> None:
    Image.effect_noise((1400, 1400), 100).convert("RGB").save(path, "PNG")


def _video(**size):
    from videos import make_video

    return lambda path: make_video(path, **size)


def _record(post: str, account: str, **job) -> str:
    return json.dumps({"post": post, "file": f"content/{post}.md", "accounts": {account: job}})


CARD = "text: {box: [0.1, 0.1, 0.8, 0.5]}\n"
WECHAT = PLATFORMS + "  wechat: {platform: wechat, app_id: wx0123456789abcdef, secret_env: T_WX, cover: content/c.png}\n"
WEIBO = PLATFORMS + "  weibo: {platform: weibo, token_env: T_WB, safe_domain: example.com}\n"
DOUYIN = PLATFORMS + "  douyin: {platform: douyin}\n"
X = PLATFORMS + "  x: {platform: x, handle: b, token_env: T_X}\n"
META = (PLATFORMS + "  th: {platform: threads, token_env: T_TH, user_id: '1'}\n"
        "  ig: {platform: instagram, token_env: T_IG, user_id: '1', media_base_url: https://example.com}\n")
GOAL = "{id: g, metric: posts, baseline: 1, target: 2, start: 2026-01-01, deadline: 2026-12-01}"
VOICE = "hashtags: {max: 1}\nemoji: {}\nexclamation: {}\nall_caps: {}\ndisclosure: {}\nlink_domains: {banned: [bit.ly]}\npromo_share: {}\n"
RULE = "extends: existence\nmessage: \"'%s'\"\nlevel: warning\ntokens: [synergy]\n"
INBOX_ITEM = json.dumps({"id": "mastodon:123", "account": "mastodon", "platform": "mastodon", "kind": "mention",
                         "author": "a@b.example", "text": "hi", "url": None, "created_at": "2026-11-20T10:00:00+00:00",
                         "due_by": "2026-11-21T10:00:00+00:00", "priority": "normal", "sentiment": "neutral",
                         "intent": "other", "state": "open", "post": None, "updated_at": "2026-11-20T10:00:00+00:00"})
REPLY = P(reply_to='"mastodon:123"', platforms="[mastodon]", publish_at=None)
GIVEAWAY = '{{enter: [{enter}], deadline: "{deadline}", winners: {winners}}}'


def _giveaway(enter="reply", deadline="2026-12-24T20:00:00+08:00", winners=1, platforms="[mastodon]"):
    return {"content/a.md": P(platforms=platforms, giveaway=GIVEAWAY.format(enter=enter, deadline=deadline, winners=winners))}


def _voiced(post: str, **more) -> dict:
    return {"content/a.md": post, "brand/voice.yml": VOICE, **more}


# rule → (severity, files, platforms.yml, brand/calendar.yml): a repository `smm check` finds that rule in
RECIPES: dict[str, tuple] = {
    "file.binary": ("error", {"content/a.md": b"---\ntitle: a\x00b\n---\nx\n"}),
    "file.encoding": ("error", {"content/a.md": P("茶").encode("gbk")}),
    "file.too-large": ("error", {"content/a.md": P("x" * (1024 * 1024 + 10))}),
    "file.unreadable": ("error", {"content/\udcff.md": P()}),
    "file.outside-repo": ("error", {"content/a.md": lambda path: path.symlink_to("/etc/hostname")}),
    "file.not-regular": ("error", {"content/a.md": lambda path: os.mkfifo(path)}),
    "file.bom": ("error", {"content/a.md": "\ufeff" + P()}),
    "file.line-endings": ("error", {"content/a.md": P().replace("\n", "\r\n")}),
    "post.empty-file": ("error", {"content/a.md": ""}),
    "frontmatter.missing": ("error", {"content/a.md": "hello\n"}),
    "frontmatter.unclosed": ("error", {"content/a.md": "---\ntitle: a\n"}),
    "frontmatter.not-mapping": ("error", {"content/a.md": "---\n- a\n---\nx\n"}),
    "yaml.syntax": ("error", {"content/a.md": "---\ntitle: [a\n---\nx\n"}),
    "yaml.tab": ("error", {"content/a.md": "---\ntitle: a\n\tx: 1\n---\nx\n"}),
    "yaml.duplicate-key": ("error", {"content/a.md": P(draft="true\ndraft: false")}),
    "yaml.complex-key": ("error", {"content/a.md": P(**{"? [a, b]": "1"})}),
    "yaml.recursive-alias": ("error", {"brand/brand.yml": "a: &x [*x]\n"}),
    "yaml.too-complex": ("error", {"brand/brand.yml": "a: " + "[" * 200 + "]" * 200 + "\n"}),
    "yaml.unsupported": ("error", {"content/a.md": P(title="!custom a")}),
    "yaml.not-mapping": ("error", {"brand/brand.yml": "- a\n"}),
    "yaml.lookalike": ("error", {"content/a.md": "---\ntitle：a\n---\nx\n"}),
    "schema.unknown-field": ("error", {"content/a.md": P(colour="red")}),
    "schema.required": ("error", {"content/a.md": P(title=None)}),
    "schema.type": ("error", {"content/a.md": P(platforms="feed")}),
    "schema.enum": ("error", {"content/a.md": P(thread="yes")}),
    "schema.pattern": ("error", {"content/a.md": P(campaign='"Big Sale"')}),
    "schema.unique": ("error", {"content/a.md": P(platforms="[feed, feed]")}),
    "schema.empty": ("error", {"content/a.md": P(platforms="[]")}),
    "schema.too-short": ("error", {"brand/cards/q.yml": "text: {box: [0.1, 0.1, 0.5]}\n"}),
    "schema.too-long": ("error", {"content/a.md": P(languages="[en, zh, ja, ko]")}),
    "schema.range": ("error", {"brand/theme.yml": "fonts: {size: 99}\n"}),
    "schema.name": ("error", {"content/a.md": P()}, PLATFORMS + "  Bad: {platform: feed, path: data/b.xml}\n"),
    "schema.not": ("error", {"content/a.md": P(media="[{card: q, text: hi, file: content/x.png}]")}),
    "post.extension": ("warning", {"content/a.markdown": P()}),
    "post.id": ("error", {"content/Bad Name.md": P()}),
    "post.duplicate-id": ("error", {"content/a.md": P(), "content/b.md": P(id="a")}),
    "post.publish-at": ("error", {"content/a.md": P(publish_at="2026-02-30T12:00")}),
    "post.publish-at-missing": ("error", {"content/a.md": P(publish_at=None)}),
    "post.id-portable": ("warning", {"content/a.md": P(id="con")}),
    "post.path-portable": ("warning", {"content/nul/x.md": P()}),
    "post.path-collision": ("warning", {"content/A.md": P(id="one"), "content/a.md": P(id="two")}),
    "post.publish-at-dst": ("warning", {"content/a.md": P(publish_at="2026-03-08T02:30")},
                            PLATFORMS.replace("Asia/Shanghai", "America/New_York")),
    "post.unknown-account": ("error", {"content/a.md": P(platforms="[nope]")}),
    "post.unused-override": ("warning", {"content/a.md": P(overrides="{bluesky: {text: x}}")}),
    "post.unknown-pillar": ("error", {"content/a.md": P(pillar="nope")}),
    "post.unknown-persona": ("error", {"content/a.md": P(audience="[nobody]"), "brand/personas.yml": "personas:\n  fan: {}\n"}),
    "persona.quiet": ("warning", {"content/a.md": P(), "brand/personas.yml": "personas:\n  fan: {}\n"}),
    "personas.unknown-network": ("error", {"content/a.md": P(), "brand/personas.yml": "personas:\n  fan: {networks: [myspace]}\n"}),
    "post.evergreen": ("error", {"content/a.md": P(pillar="tips", evergreen="{every: 0d}")}),
    "post.evergreen-no-slot": ("warning", {"content/a.md": P(pillar="tips", evergreen="{every: 30d}")}),
    "post.first-comment-unsupported": ("warning", {"content/a.md": P(first_comment="Links below")}),
    "post.hashtag": ("error", {"content/a.md": P(hashtags="[tea-time]")}),
    "hashtags.unknown-set": ("error", {"content/a.md": P(hashtags="[+nope]")}),
    "hashtags.broken-set": ("error", {"content/a.md": P(hashtags="[+tips]"), "brand/hashtags.yml": "tips: [tea-time]\n"}),
    "hashtags.tag": ("error", {"content/a.md": P(), "brand/hashtags.yml": "tips: [tea-time]\n"}),
    "card.unknown": ("error", {"content/a.md": P(media="[{card: nope, text: hi}]")}),
    "card.broken": ("error", {"content/a.md": P(media="[{card: q, text: hi}]"), "brand/cards/q.yml": CARD.replace("]}", "], size: {min: 90, max: 30}}")}),
    "card.no-subtitle-box": ("error", {"content/a.md": P(media="[{card: q, text: hi, subtitle: more}]"), "brand/cards/q.yml": CARD}),
    "card.text-overflow": ("error", {"content/a.md": P(media="[{card: q, text: " + "很长的文字" * 200 + "}]"),
                                     "brand/cards/q.yml": "text: {box: [0.1, 0.1, 0.1, 0.05], size: {min: 40, max: 60}}\n"}),
    "card.glyph-missing": ("error", {"content/a.md": P(media='[{card: q, text: "tea \\U0001F375"}]'), "brand/cards/q.yml": CARD}),
    "card.name": ("error", {"content/a.md": P(), "brand/cards/Quote Card.yml": CARD}),
    "card.box": ("error", {"content/a.md": P(), "brand/cards/q.yml": "text: {box: [0.5, 0.5, 0.8, 0.8]}\n"}),
    "card.size-range": ("error", {"content/a.md": P(), "brand/cards/q.yml": CARD.replace("]}", "], size: {min: 90, max: 30}}")}),
    "card.file": ("error", {"content/a.md": P(), "brand/cards/q.yml": CARD + "logo: {file: brand/none.png, box: [0, 0, 0.1, 0.1]}\n"}),
    "calendar.unknown-pillar": ("error", {"content/a.md": P()}, PLATFORMS,
                                CALENDAR + "slots:\n  - {day: monday, time: '12:00', pillar: nope}\n"),
    "post.empty-body": ("error", {"content/a.md": P("<!-- nothing -->")}),
    "post.past-unpublished": ("warning", {"content/a.md": P(publish_at="2026-11-01T09:00")}),
    "media.missing": ("error", {"content/a.md": P(media="[{file: content/none.png, alt: x}]")}),
    "media.outside-repo": ("error", {"content/a.md": P(media="[{file: ../x.png, alt: x}]")}),
    "media.path": ("error", {"content/a.md": P(media='[{file: "content/a\\x01.png", alt: x}]')}),
    "media.invalid": ("error", {"content/a.md": P(media="[{file: content/x.png, alt: x}]"), "content/x.png": "not a picture"}),
    "record.orphan": ("error", {"content/a.md": P(), "data/published/gone.json": _record("gone", "feed", state="published", remote_id="x")}),
    "record.id-changed": ("error", {"content/a.md": P(id="renamed"), "data/published/a.json": _record("a", "feed", state="published", remote_id="x")}),
    "record.invalid": ("error", {"content/a.md": P(), "data/published/a.json": "{"}),
    "record.unknown-account": ("error", {"content/a.md": P(platforms="[mastodon]"),
                                         "data/published/a.json": _record("a", "oldname", state="published", remote_id="x")}),
    "record.exported": ("warning", {"content/a.md": P(), "data/published/a.json": _record("a", "feed", state="exported", remote_id="d")}),
    "record.unconfirmed": ("warning", {"content/a.md": P(), "data/published/a.json": _record("a", "feed", state="unconfirmed")}),
    "record.failed": ("warning", {"content/a.md": P(),
                                  "data/published/a.json": _record("a", "feed", state="failed", retryable=False, error="refused")}),
    "config.cannot-publish": ("warning", {"content/a.md": P()}, PLATFORMS + "  ig: {platform: instagram, handle: brand, token_env: T_IG}\n"),
    "config.timezone": ("error", {"content/a.md": P()}, PLATFORMS.replace("Asia/Shanghai", "Asia/Beijing")),
    "config.unknown-platform": ("error", {"content/a.md": P()}, PLATFORMS + "  ms: {platform: myspace}\n"),
    "config.formerly": ("error", {"content/a.md": P()},
                        PLATFORMS + "  m2: {platform: mastodon, instance: https://m.example, token_env: T, formerly: feed}\n"),
    "render.external-image": ("error", {"content/a.md": P("![x](https://example.com/a.png)", platforms="[wechat]"),
                                        "content/c.png": _png()}, WECHAT),
    "render.too-long": ("error", {"content/a.md": P("x" * 600, platforms="[mastodon]")}),
    "render.title-too-long": ("error", {"content/a.md": P(title="x" * 40, platforms="[douyin]", media="[{file: content/p.png}]"),
                                        "content/p.png": _png()}, DOUYIN),
    "render.unsplittable": ("error", {"content/a.md": P("#" + "a" * 600, platforms="[mastodon]", thread="auto")}),
    "render.mention": ("error", {"content/a.md": P("hi @{nobody}")}),
    "render.unsafe-link": ("error", {"content/a.md": P("[x](javascript:alert(1))")}),
    "render.unclosed-comment": ("error", {"content/a.md": P("hello <!-- oops")}),
    "render.safe-domain": ("error", {"content/a.md": P(platforms="[weibo]")}, WEIBO),
    "render.weibo-topic": ("error", {"content/a.md": P("#话题# https://example.com", platforms="[weibo]")}, WEIBO),
    "render.too-many-links": ("error", {"content/a.md": P(" ".join(f"https://e{i}.com" for i in range(6)), platforms="[th]")}, META),
    "render.too-many-hashtags": ("error", {"content/a.md": P(platforms="[ig]", hashtags="[a1, b1, c1, d1, e1, f1]",
                                                             media="[{file: content/p.jpg, alt: x}]"),
                                           "content/p.jpg": _png(fmt="JPEG")}, META),
    "render.too-many-mentions": ("error", {"content/a.md": P(" ".join(f"@u{i}" for i in range(21)), platforms="[ig]",
                                                             media="[{file: content/p.jpg, alt: x}]"),
                                           "content/p.jpg": _png(fmt="JPEG")}, META),
    "template.syntax": ("error", {"content/a.md": P(), "brand/templates/mastodon.j2": "{{ text "}),
    "template.render": ("error", {"content/a.md": P(), "brand/templates/mastodon.j2": "{{ nope }}"}),
    "template.too-large": ("error", {"content/a.md": P(),
                                     "brand/templates/mastodon.j2": "{% for i in range(99999) %}{{ 'x' * 20 }}{% endfor %}"}),
    "template.too-slow": ("error", {"content/a.md": P(), "brand/templates/mastodon.j2":
                                    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}{{ text }}"}),
    "template.recursion": ("error", {"content/a.md": P(),
                                     "brand/templates/mastodon.j2": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"}),
    "media.count": ("error", {"content/a.md": P(platforms="[mastodon]", media="[" + ", ".join(["{file: content/p.png, alt: x}"] * 5) + "]"),
                              "content/p.png": _png()}),
    "media.type": ("error", {"content/a.md": P(platforms="[th]", media="[{file: content/p.gif, alt: x}]"),
                             "content/p.gif": _png(fmt="GIF")}, META),
    "media.size": ("error", {"content/a.md": P(platforms="[bluesky]", media="[{file: content/p.png, alt: x}]"), "content/p.png": _noise}),
    "media.dimensions": ("error", {"content/a.md": P(platforms="[mastodon]", media="[{file: content/p.png, alt: x}]"),
                                   "content/p.png": lambda path: Image.new("1", (8000, 5000)).save(path, "PNG")}),
    "media.none": ("error", {"content/a.md": P(platforms="[ig]")}, META),
    "media.url": ("error", {"content/a.md": P(platforms="[ig]", media="[{file: content/p.jpg, alt: x}]"), "content/p.jpg": _png(fmt="JPEG")},
                  META.replace(", media_base_url: https://example.com", "")),
    "media.duration": ("error", {"content/a.md": P(platforms="[x]", media="[{file: content/v.mp4, alt: x}]"),
                                 "content/v.mp4": _video(seconds=0.2, width=320, height=320)}, X),
    "media.aspect": ("error", {"content/a.md": P(platforms="[x]", media="[{file: content/v.mp4, alt: x}]"),
                               "content/v.mp4": _video(width=640, height=160)}, X),
    "media.codec": ("error", {"content/a.md": P(platforms="[x]", media="[{file: content/v.webm, alt: x}]"),
                              "content/v.webm": _video(width=320, height=320)}, X),
    "media.video-count": ("error", {"content/a.md": P(platforms="[mastodon]", media="[{file: content/v.mp4, alt: x}, {file: content/p.png, alt: y}]"),
                                    "content/v.mp4": _video(width=320, height=320), "content/p.png": _png()}),
    "media.cover": ("error", {"content/a.md": P(platforms="[mastodon]", media="[{file: content/v.mp4, alt: x, cover: 99}]"),
                              "content/v.mp4": _video(width=320, height=320)}),
    "media.alt-missing": ("error", {"content/a.md": P(platforms="[mastodon]", media="[{file: content/p.png}]"), "content/p.png": _png()}),
    "media.alt-too-long": ("error", {"content/a.md": P(platforms="[mastodon]", media="[{file: content/p.png, alt: " + "x" * 1600 + "}]"),
                                     "content/p.png": _png()}),
    "calendar.gap": ("warning", {"content/a.md": P()}, PLATFORMS, CALENDAR + "slots:\n  - {day: friday, time: '12:00', pillar: tips}\n"),
    "replies.template": ("error", {"content/a.md": P(), "brand/replies.yml": "auto:\n  - {name: a, match: {intent: question}, template: '{{ x '}\n"}),
    "replies.duplicate-rule": ("error", {"content/a.md": P(), "brand/replies.yml": "auto:\n  - {name: a, match: {intent: question}, template: hi}\n"
                                                                                   "  - {name: a, match: {intent: praise}, template: hi}\n"}),
    "listening.account": ("error", {"content/a.md": P(), "brand/listening.yml": "keywords: [Acme]\ncompetitors:\n  Rival: {accounts: {myspace: r}}\n"}),
    "listening.name": ("error", {"content/a.md": P(), "brand/listening.yml": "keywords: [Acme]\ncompetitors:\n  brand: {keywords: [x]}\n"}),
    "listening.duplicate": ("error", {"content/a.md": P(), "brand/listening.yml": "keywords: [Acme]\ncompetitors:\n  Rival: {keywords: [Acme]}\n"}),
    "listening.empty": ("error", {"content/a.md": P(), "brand/listening.yml": "keywords: [Acme]\nexclude: [\"\\u200b\"]\n"}),
    "listening.excluded": ("warning", {"content/a.md": P(), "brand/listening.yml": "keywords: [Acme Tea]\nexclude: [acme]\n"}),
    "reply.unknown-item": ("error", {"content/a.md": REPLY}),
    "reply.account": ("error", {"content/a.md": REPLY.replace("[mastodon]", "[bluesky]"), "data/inbox/2026-11.jsonl": INBOX_ITEM + "\n"}),
    "inbox.invalid": ("error", {"content/a.md": REPLY, "data/inbox/2026-11.jsonl": "not json\n"}),
    "giveaway.entry": ("error", _giveaway(enter="dance")),
    "giveaway.winners": ("error", _giveaway(winners=0)),
    "giveaway.deadline": ("error", _giveaway(deadline="2026-12-24T20:00")),
    "giveaway.network": ("error", _giveaway(platforms="[feed]")),
    "calendar.daily-limit": ("error", {"content/a.md": P(platforms="[wechat]"), "content/b.md": P(platforms="[wechat]"),
                                       "content/c.png": _png()}, WECHAT),
    "goals.duplicate-id": ("error", {"content/a.md": P(), "brand/goals.yml": f"goals:\n  - {GOAL}\n  - {GOAL}\n"}),
    "goals.date": ("error", {"content/a.md": P(), "brand/goals.yml": f"goals:\n  - {GOAL.replace('2026-01-01', '2026-02-30')}\n"}),
    "goals.deadline": ("error", {"content/a.md": P(), "brand/goals.yml": f"goals:\n  - {GOAL.replace('2026-12-01', '2025-12-01')}\n"}),
    "goals.unknown-account": ("error", {"content/a.md": P(), "brand/goals.yml": f"goals:\n  - {GOAL.replace('{id: g,', '{id: g, account: nope,')}\n"}),
    "voice.hashtags": ("warning", _voiced(P(hashtags="[a1, b1]"))),
    "voice.emoji": ("warning", _voiced(P("🍵🍵🍵🍵 tea"))),
    "voice.exclamation": ("warning", _voiced(P("Tea! Now! Yes!"))),
    "voice.all-caps": ("warning", _voiced(P("BREWING is fun"))),
    "voice.disclosure": ("error", _voiced(P(sponsored="true"))),
    "voice.link-domain": ("error", _voiced(P("see https://bit.ly/x"))),
    "voice.promo-share": ("warning", _voiced(P(pillar="product"), **{f"content/{day}.md": P(pillar="product", publish_at=f"2026-12-0{day}T12:00")
                                                                     for day in (2, 3)})),
    "voice.rule-invalid": ("error", {"content/a.md": P(), "brand/voice/Bad.yml": "extends: existence\nmessage: x\ntokens: ['(']\n"}),
    "voice.rule-unsupported": ("warning", {"content/a.md": P(), "brand/voice/Spell.yml": "extends: spelling\nmessage: x\n"}),
    "voice.rule-spec": ("error", {"content/a.md": P(), "brand/voice/Syn.yml": RULE + "specs:\n  - {text: no match here, matches: true}\n"}),
    "voice.rule-name": ("error", {"content/a.md": P(), "brand/voice/bad name.yml": RULE}),
    "voice.rule-file": ("warning", {"content/a.md": P(), "brand/voice/Syn.yaml": RULE}),
    "voice.unknown-rule": ("warning", {"content/a.md": P(voice="{disable: [Nope]}"), "brand/voice/Syn.yml": RULE}),
    "voice.directive": ("warning", {"content/a.md": P("hi <!-- smm-disable --><!-- smm-enable --> there"), "brand/voice/Syn.yml": RULE}),
}
# The rules of the Diagnostics table that are not found by `smm check` on a repository alone.
ELSEWHERE = {"card.font-missing", "import.column", "import.table", "import.exists", "import.duplicate-row"}


def _repository(root: Path, files: dict, platforms: str = PLATFORMS, calendar: str = CALENDAR) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "brand").mkdir()
    (root / "platforms.yml").write_text(platforms, encoding="utf-8")
    (root / "brand" / "calendar.yml").write_text(calendar, encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(data):
            data(path)
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def _check(root: Path, monkeypatch) -> tuple[int, list[dict]]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check", "--now", NOW, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_every_rule_of_the_diagnostics_table_has_a_repository_that_breaks_it():
    assert _table_rules() - set(RECIPES) - ELSEWHERE == set()
    assert set(RECIPES) <= DOCUMENTED


@pytest.mark.parametrize("rule", sorted(RECIPES))
def test_every_documented_rule_is_found_with_its_severity(rule, tmp_path, monkeypatch):
    severity, files, *settings = RECIPES[rule]
    code, found = _check(_repository(tmp_path / "repo", files, *settings), monkeypatch)
    assert (rule, severity) in {(d["rule"], d["severity"]) for d in found}, found
    errors = {d["file"] for d in found if d["severity"] == "error"}
    assert code == (2 if "platforms.yml" in errors else 1 if errors else 0)  # "2 for ... an unusable platforms.yml"
    assert {d["rule"] for d in found} <= DOCUMENTED


def test_a_missing_font_is_card_font_missing(tmp_path, monkeypatch):
    from smm.cards import fonts

    root = _repository(tmp_path / "repo", {"content/a.md": P(media="[{card: q, text: 没有字体}]"), "brand/cards/q.yml": CARD})
    monkeypatch.setattr(fonts, "FOLDERS", ())
    monkeypatch.setenv("SMM_FONTS_DIR", str(tmp_path / "no-fonts"))
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    fonts.font.cache_clear()
    try:
        code, found = _check(root, monkeypatch)
    finally:
        fonts.font.cache_clear()
    assert code == 1 and ("card.font-missing", "error") in {(d["rule"], d["severity"]) for d in found}


IMPORTS = [  # (rule, severity, the spreadsheet, a post already there)
    ("import.column", "error", "title,platforms,text\nA,feed,x\n", None),
    ("import.column", "warning", "title,time,platforms,text,hashtag\nA,2030-01-07 12:00,feed,x,tea\n", None),
    ("import.table", "error", "title,time,platforms,text\n", None),
    ("import.exists", "error", "title,time,platforms,text\nHi,2030-01-07 12:00,feed,x\n", "content/2030/01/2030-01-07-hi.md"),
    ("import.duplicate-row", "error", "title,time,platforms,text\nHi,2030-01-07 12:00,feed,x\nHi,2030-01-07 12:00,feed,x\n", None),
]


@pytest.mark.parametrize("rule,severity,table,existing", IMPORTS)
def test_every_import_rule_is_found_with_its_severity(rule, severity, table, existing, tmp_path, monkeypatch):
    files = {"plan.csv": table} | ({existing: P()} if existing else {})
    monkeypatch.chdir(_repository(tmp_path / "repo", files))
    result = CliRunner().invoke(cli, ["import", "plan.csv", "--now", NOW], catch_exceptions=False)
    assert f"{severity}[{rule}]" in result.stderr and result.exit_code == (0 if severity == "warning" else 1)


def test_doctor_annotations_use_the_documented_rules(tmp_path, monkeypatch):
    platforms = PLATFORMS + '  li: {platform: linkedin, token_env: T_LI, author: "urn:li:organization:1", api_base: "http://127.0.0.1:9"}\n'
    monkeypatch.chdir(_repository(tmp_path / "repo", {"content/a.md": P()}, platforms))
    result = CliRunner().invoke(cli, ["doctor", "--format", "github", "--now", NOW],
                                env={"T_LI": "a-long-linkedin-token-0123456789"}, catch_exceptions=False)
    titles = set(re.findall(r"^::(error|warning) .*title=([a-z.-]+)::", result.stdout, re.M))
    assert titles == {("error", "doctor.not-ready"), ("warning", "doctor.warning")} and result.exit_code == 1
    assert {rule for _, rule in titles} <= DOCUMENTED


# -- a schema's alternatives, said as the documented rules ---------------------------------------------------

ALTERNATIVES = [  # (platforms.yml accounts or a voice rule, rule, words of the message)
    ("  s: {platform: slack}\n", "schema.required", "`accounts.s` needs `webhook_env`, or `token_env` and `channel`"),
    ("  s: {platform: slack, token_env: T}\n", "schema.required", "needs `webhook_env`, or `token_env` and `channel`"),
    ("  x: {platform: x, handle: b, refresh_token_env: R}\n", "schema.required",
     "missing required field `client_id` in `accounts.x` (needed with `refresh_token_env`)"),
    ("  x: {platform: x, api_key_env: A, api_secret_env: B}\n", "schema.required",
     "missing required field `access_token_env` in `accounts.x` (needed with `api_key_env`, `api_secret_env`)"),
    ("  m: {platform: mastodon, instance: https://m.example, token_env: T, formerly: 5}\n", "schema.type",
     "`accounts.m.formerly` must be text or a list, not a whole number"),
    ("  m: {platform: mastodon, instance: https://m.example, token_env: T, formerly: [ok, Bad Name]}\n", "schema.pattern",
     "`accounts.m.formerly[1]` must be lowercase letters"),
    ("brand/voice/Syn.yml", "schema.type", "`scope` must be text or a number or true or false or a list, not a mapping"),
]


@pytest.mark.parametrize("setting,rule,words", ALTERNATIVES)
def test_a_schema_alternative_none_fits_is_a_documented_rule_in_plain_words(setting, rule, words, tmp_path, monkeypatch):
    if setting.startswith("brand/"):
        files, platforms = {"content/a.md": P(), setting: RULE + "scope: {a: 1}\n"}, PLATFORMS
    else:
        files, platforms = {"content/a.md": P()}, PLATFORMS + setting
    code, found = _check(_repository(tmp_path / "repo", files, platforms), monkeypatch)
    assert [(d["rule"], words in d["message"]) for d in found if d["file"] != "brand/calendar.yml"][:1] == [(rule, True)], found
    assert all(d["rule"] in DOCUMENTED and "{'" not in d["message"] and "given schemas" not in d["message"]
               and "is a dependency of" not in d["message"] for d in found)
    assert code == (2 if not setting.startswith("brand/") else 1)


# -- each command's JSON: the keys its README row names ------------------------------------------------------

def _row(command: str) -> str:
    return next(line for line in README.splitlines() if line.startswith(f"| `smm {command}"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A repository with a post due on every account, one published on the feed, and an inbox item."""
    root = _repository(tmp_path_factory.mktemp("small") / "repo", {
        "content/due.md": P("Due now 现在", publish_at="2026-11-26T08:00", platforms="[feed, mastodon, bluesky]"),
        "content/later.md": P("Later https://example.com", publish_at="2026-11-30T12:00", platforms="[feed, bluesky]"),
        "data/inbox/2026-11.jsonl": INBOX_ITEM + "\n",
        "brand/listening.yml": "keywords: [Acme]\n",
        "brand/brand.yml": "name: Acme\nsponsored: {reviewers: [legal-lin]}\n",
    })
    git = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@e.example", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=root, check=True, env={**os.environ, **git})
    return root


def _json(root: Path, monkeypatch, *args: str, stdin: str | None = None):
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()] if args[0] == "sentiment" else json.loads(result.stdout)


def _keys(value) -> set[str]:
    return set(value)


JSON_COMMANDS = [  # (command line, README row, what to take apart, the keys it must have, keys it may add)
    (["check", "--now", NOW, "--format", "json", "content/due.md", "content/later.md"], None,
     lambda out: [d for d in out], {"file", "line", "column", "severity", "rule", "message", "hint"}, {"end_column"}),
    (["preview", "--format", "json"], "preview", lambda out: out, {"post", "title", "publish_at", "accounts"}, set()),
    (["preview", "--format", "json"], "preview", lambda out: [a for p in out for a in p["accounts"]],
     {"account", "platform", "parts", "media", "link"}, set()),
    (["preview", "--format", "json"], "preview", lambda out: [part for p in out for a in p["accounts"] for part in a["parts"]],
     {"text", "length", "limit"}, {"facets"}),
    (["count", "--platform", "x", "--json"], "count", lambda out: [out], {"platform", "length", "limit", "ok"}, set()),
    (["sentiment"], "sentiment", lambda out: out, {"text", "language", "sentiment", "intent"}, set()),
    (["publish", "--now", NOW, "--dry-run", "--format", "json"], "publish", lambda out: [out], {"jobs"}, {"git_error"}),
    (["publish", "--now", NOW, "--dry-run", "--format", "json"], "publish", lambda out: out["jobs"],
     {"post", "account", "state", "url", "error"}, set()),
    (["inbox", "--now", NOW, "--format", "json"], "inbox", lambda out: [out], {"items"}, set()),
    (["inbox", "--now", NOW, "--format", "json"], "inbox", lambda out: out["items"],
     {"id", "account", "platform", "kind", "author", "text", "url", "created_at", "due_by", "priority", "sentiment",
      "intent", "state", "post"}, set()),
    (["listen", "--now", NOW, "--format", "json"], "listen", lambda out: [out], {"mentions"}, set()),
    (["doctor", "--now", NOW, "--format", "json"], "doctor", lambda out: [out], {"accounts", "ready"}, set()),
    (["doctor", "--now", NOW, "--format", "json"], "doctor", lambda out: out["accounts"],
     {"account", "platform", "state", "identity", "scopes", "missing_scopes", "expires_at", "expiry_source", "problems",
      "warnings", "notes"}, set()),
    (["report", "--now", NOW, "--format", "json"], "report", lambda out: [out],
     {"period", "accounts", "posts", "goals", "best_times", "responsiveness", "personas", "mentions", "share_of_voice",
      "competitors", "alerts"}, set()),
    (["report", "--now", NOW, "--format", "json", "--alerts"], "report", lambda out: [out], {"alerts"}, set()),
    (["calendar", "--now", NOW, "--format", "json"], "calendar", lambda out: [e for e in out if e["type"] == "post"],
     {"type", "date", "time", "at", "reshare_of"}, {"post", "title", "accounts", "pillar", "campaign", "draft", "file"}),
    (["approvals", "--since", "HEAD", "--format", "json"], "approvals", lambda out: [out],
     {"ok", "sponsored", "reviewers", "approved_by", "stale"}, set()),
    (["metrics", "--now", NOW, "--format", "json"], "metrics", lambda out: [out], {"competitors"},
     {"collected_at", "since", "accounts", "rows", "files"}),
]


@pytest.mark.parametrize("args,command,items,keys,optional", JSON_COMMANDS)
def test_each_commands_json_has_the_keys_its_readme_row_names(args, command, items, keys, optional, small, monkeypatch):
    stdin = "Hello 你好\n谢谢！\n" if args[0] in ("count", "sentiment") else None
    _, out = _json(small, monkeypatch, *args, stdin=stdin)
    got = items(out)
    assert got and all(keys <= _keys(item) <= keys | optional for item in got), got
    where = DIAGNOSTICS if command is None else _row(command)
    assert [key for key in sorted(keys) if f'"{key}"' not in where and f"`{key}`" not in where] == []


def test_site_build_json_has_the_keys_its_row_names(small, tmp_path, monkeypatch):
    code, out = _json(small, monkeypatch, "site", "build", "--out", str(tmp_path / "site"), "--now", NOW, "--format", "json")
    assert code == 0 and set(out) == {"out", "pages", "written", "removed", "not_shown"}
    assert all(f'"{key}"' in _row("site build") for key in out)


# -- exit codes: bad usage is 2 for every command ------------------------------------------------------------

USAGE = [["check", "--now", "yesterday"], ["new", "A", "--now", "yesterday"], ["preview", "--format", "nope"],
         ["count"], ["publish", "--now", "yesterday"], ["resolve", "due", "--account", "feed"],
         ["init", "x", "--timezone", "Asia/Beijing"], ["metrics", "--since", "forever"], ["inbox", "--since", "forever"],
         ["listen", "--since", "forever"], ["reply"], ["giveaway", "draw"], ["giveaway", "verify"], ["doctor", "--format", "nope"],
         ["report", "--from", "2026-13-01"], ["site", "build", "--base-url"], ["calendar", "--to", "someday"],
         ["cards", "--out"], ["import", "plan.txt"], ["approvals"],
         ["approvals", "--since", "HEAD", "--pull-request", "nine"]]


@pytest.mark.parametrize("args", USAGE, ids=lambda args: " ".join(args))
def test_bad_usage_exits_2_for_every_command(args, small, monkeypatch):
    monkeypatch.chdir(small)
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("brand,env,why", [
    ("name: Acme\n", {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/content"}, "names no `sponsored"),
    ("name: Acme\nsponsored: {reviewers: [legal-lin]}\n", {"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": ""}, "needs GITHUB_TOKEN"),
])
def test_approvals_config_errors_exit_as_the_readme_says(brand, env, why, small, tmp_path, monkeypatch):
    root = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(small), str(root)], check=True)
    (root / "brand" / "brand.yml").write_text(brand, encoding="utf-8")
    (root / "content" / "later.md").write_text(P("Paid", sponsored="true"), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["approvals", "--since", "HEAD", "--pull-request", "3"], env=env, catch_exceptions=False)
    assert result.exit_code == 2 and why in result.stderr
    assert "2 for usage or config errors" in _row("approvals") and "token is missing" in _row("approvals").split("2 for")[1]


# -- behaviours the README states, where the code disagreed ----------------------------------------------------

@pytest.mark.parametrize("option,sent", [({}, "public"), ({"visibility": "unlisted"}, "unlisted"),
                                          ({"visibility": "private"}, "private")])
def test_a_mastodon_status_is_public_unless_the_account_says_otherwise(option, sent, tmp_path):
    from smm.platforms import Outgoing
    from smm.platforms.mastodon import Mastodon
    from smm.workspace.repo import load_repo

    account = "  m: {platform: mastodon, instance: https://m.example, token_env: T" + "".join(
        f", {k}: {v}" for k, v in option.items()) + "}\n"
    root = _repository(tmp_path / "repo", {}, "timezone: UTC\naccounts:\n" + account)
    calls = []
    api = SimpleNamespace(status_post=lambda text, **kwargs: calls.append(kwargs) or {"id": 1, "url": "https://m.example/@b/1"})
    adapter = Mastodon(load_repo(root).config.accounts["m"], {"T": "token"}, root, client_factory=lambda **keywords: api)
    adapter.publish(Outgoing("a", "m", "A", "Hello"), idempotency_key="k")
    assert [c["visibility"] for c in calls] == [sent]
    assert "`public` (default)" in next(line for line in README.splitlines() if line.startswith("| `accounts.*.visibility`"))


COUNTS = [  # (platform, text, why the network refuses it)
    ("x", "", "X refuses an empty post"),
    ("x", "a" * 281, "over the limit"),
    ("x", "a\ufffe", "U+FFFE"),
    ("bluesky", "ä" + "\u0301" * 1600, "3202 UTF-8 bytes is over Bluesky's 3000"),
    ("mastodon", "茶" * 501, "over the limit"),
]


@pytest.mark.parametrize("platform,text,why", COUNTS)
def test_count_json_says_why_the_network_refuses_the_text(platform, text, why):
    result = CliRunner().invoke(cli, ["count", "--platform", platform, "--json"], input=text.encode())
    assert result.exit_code == 1 and json.loads(result.stdout)["ok"] is False
    assert why in result.stderr and set(json.loads(result.stdout)) == {"platform", "length", "limit", "ok"}


@pytest.mark.parametrize("text,said", [
    ("ä" + "\u0301" * 1600, ["bluesky: 3202 UTF-8 bytes is over Bluesky's 3000"]),  # 1 grapheme, 3,202 bytes
    ("ä" * 301, ["bluesky: text is 301 grapheme clusters, over the limit of 300 by 1"]),
])
def test_a_bluesky_text_is_reported_over_the_limit_it_is_over(text, said, tmp_path, monkeypatch):
    code, found = _check(_repository(tmp_path / "repo", {"content/a.md": P(text, platforms="[bluesky]")}), monkeypatch)
    assert [d["message"].split(";")[0] for d in found if d["rule"] == "render.too-long"] == said and code == 1
    counted = CliRunner().invoke(cli, ["count", "--platform", "bluesky"], input=text.encode()).stdout
    assert ("over the limit" in counted) == ("grapheme" in said[0])


def test_every_rule_id_in_smms_source_is_documented():
    families = {rule.split(".")[0] for rule in set(RECIPES) | ELSEWHERE} | {"doctor"}
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "smm").rglob("*.py"))
    found = set(re.findall(rf"""["']((?:{'|'.join(families)})\.[a-z][a-z0-9-]*)["']""", source))
    assert found and found - DOCUMENTED - {"brand.yml", "post.json", "inbox.json"} == set()
