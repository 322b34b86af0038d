"""A repository whose every field the site shows carries hostile content: raw HTML that would fetch
from outside or run a script, text that would break out of HTML, JSON or JS, and text that would
make a page wider than a phone (long words and URLs, CJK without spaces, emoji sequences, RTL,
stacked combining marks, huge numbers, titles of 300 characters (the schema's most) and of nothing to
see, hundreds of hashtags, 1,000-character account and pillar names). Every post passes the schema:
one that does not is not shown (an empty title, one of 2,000 characters, a lone surrogate).

`write(root)` writes it; tests/test_browser_hostile.py builds its site and opens every page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1]
EVIL = "https://evil.example"

# One line of markup that must never become markup, a script, a request or a broken page.
BREAKOUT = ('</script><script>alert(1)</script>"><img src=x onerror=alert(1)>\'><svg onload=alert(1)>'
            "{{ 7*7 }}{% raw %}${7*7}<style>@import url(" + EVIL + "/s.css)</style>")
LONG_WORD = "Supercalifragilistic" * 260  # 5,200 letters, no break
LONG_URL = "https://evil.example/" + "a" * 5000
CJK = "云叶茶冬季拼配上市烘焙乌龙干姜橙皮" * 300  # 5,100 characters, no space
EMOJI = "👩\u200d👩\u200d👧\u200d👦" * 400  # one long run of ZWJ families
RTL = "مرحبا بكم في متجر الشاي שלום עולם " * 3 + "Cloudleaf \u202eevil\u202c \u200f"
ZALGO = "Z" + "\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308" * 40 + "algo"
CONTROL = "nul\u0000 soh\u0001 bell\u0007 tab\t vt\u000b ff\u000c esc\u001b del\u007f nbsp\u00a0 ls\u2028 ps\u2029 bom\ufeff zwsp\u200b end"
ONE_WORD = "</script><img/src=x/onerror=alert(1)><script>alert(1)</script>"
PILLAR = "p" + "x" * 1000  # a pillar is a slug of brand/calendar.yml
LONG_ACCOUNT = "a" + "b" * 900  # an account's name is a slug of platforms.yml
FIELD = " ".join([BREAKOUT, LONG_WORD[:3000], CJK[:3000], LONG_URL[:3000], EMOJI[:600], RTL, ZALGO])

RAW_HTML = f"""\
<img src="{EVIL}/img.png" alt="remote"> <img src=x onerror="alert(1)" alt="x">

<img srcset="{EVIL}/a.png 1x, {EVIL}/b.png 2x" alt="srcset">

<picture><source srcset="{EVIL}/p.webp"><img src="{EVIL}/p.png" alt="p"></picture>

<iframe src="{EVIL}/frame"></iframe> <iframe srcdoc="<script>alert(1)</script>"></iframe>

<script src="{EVIL}/x.js"></script><script>alert(1)</script>

<style>@import url({EVIL}/s.css); body {{ background: url({EVIL}/bg.png); width: 5000px }}</style>

<link rel="stylesheet" href="//evil.example/l.css"><link rel="preload" as="image" href="{EVIL}/pre.png">

<link rel="prefetch" href="{EVIL}/prefetch"><link rel="dns-prefetch" href="//evil.example">

<object data="{EVIL}/o.swf"></object><embed src="{EVIL}/e.swf">

<video poster="{EVIL}/poster.png" src="{EVIL}/v.mp4"><track src="{EVIL}/t.vtt"></video>

<audio src="{EVIL}/a.mp3" autoplay></audio>

<svg width="9000" height="10"><image href="{EVIL}/svg.png"/><use href="{EVIL}/u.svg#a"/><script>alert(1)</script></svg>

<math><mi xlink:href="javascript:alert(1)">m</mi></math>

<base href="{EVIL}/"><meta http-equiv="refresh" content="0;url={EVIL}/">

<div style="background:url({EVIL}/inline.png);width:9000px">inline style</div>

<p style="background-image:url('//evil.example/p.png')">styled</p>

<div style="overflow:scroll;height:2em;width:120vw">scrolls<br>a<br>b<br>c</div>

<section style="position:fixed;inset:0;z-index:9;background:#fff;color:#fefefe;font-size:90px">covers the page</section>

<form action="{EVIL}/post"><input name="q" value="x"><button formaction="{EVIL}/b">go</button></form>

<a href="javascript:alert(1)">js</a> <a href="JaVaScRiPt:alert(1)">js2</a> <a href="vbscript:msgbox(1)">vb</a>

<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data</a> <a href=" javascript:alert(1)">sp</a>

<a href="java&#x09;script:alert(1)">tab</a> <a href="//evil.example/x">proto</a>

<table><tr><td background="{EVIL}/td.png">td</td></tr></table>

<body onload="alert(1)"><div onmouseover="alert(1)">hover</div>

<input type="image" src="{EVIL}/input.png" alt="i"><isindex action="{EVIL}/i">

<noscript><img src="{EVIL}/noscript.png" alt="n"></noscript><template><img src="{EVIL}/tpl.png"></template>

<textarea></textarea><img src="{EVIL}/after-textarea.png"></textarea>

<!-- <img src="{EVIL}/comment.png"> --> <![CDATA[<img src="{EVIL}/cdata.png">]]>
"""  # each line a block of its own: Markdown passes HTML blocks through

MARKDOWN = f"""\
![remote]({EVIL}/md.png) ![protocol relative](//evil.example/md2.png) ![alt]( {EVIL}/sp.png "t")
[js](javascript:alert(1)) [vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[proto](//evil.example/x) <{LONG_URL[:200]}> [ref][r] ![ref image][i]

[r]: javascript:alert(1)
[i]: {EVIL}/ref.png
"""

BODY = "\n\n".join([BREAKOUT, "<!-- " + BREAKOUT, RAW_HTML, MARKDOWN, LONG_WORD, LONG_URL, CJK, EMOJI, RTL, ZALGO, CONTROL,
                    "`" + LONG_WORD[:2000] + "`", "```\n" + LONG_WORD[:2000] + "\n```", "| a | b |\n|---|---|\n| "
                    + LONG_WORD[:1000] + " | " + CJK[:500] + " |", "> " + LONG_URL[:1500], "# " + LONG_WORD[:800]])

def _yaml(value) -> str:
    """`value` as YAML: JSON, every string quoted, and the characters YAML forbids even quoted escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in text)


ACCOUNTS = {  # every network, its account's labels hostile where platforms.yml has them
    "feed": f"{{platform: feed, path: data/feed/feed.xml, site: https://cloudleaf.example, title: {_yaml(FIELD)}}}",
    "mastodon": "{platform: mastodon, instance: https://mastodon.example, token_env: SMM_HOSTILE_UNSET}",
    "bluesky": "{platform: bluesky, handle: cloudleaf.bsky.social, password_env: SMM_HOSTILE_UNSET}",
    "wechat": (f"{{platform: wechat, app_id: wx0c1eaf7ea0example, secret_env: SMM_HOSTILE_UNSET, "
               f"author: {_yaml('</script><b>x')}, description: {_yaml(FIELD)}}}"),
    "weibo": "{platform: weibo, token_env: SMM_HOSTILE_UNSET, safe_domain: cloudleaf.example}",
    "linkedin": "{platform: linkedin, token_env: SMM_HOSTILE_UNSET, author: 'urn:li:organization:1'}",
    "x": "{platform: x, token_env: SMM_HOSTILE_UNSET}",
    "threads": "{platform: threads, token_env: SMM_HOSTILE_UNSET, user_id: '2000'}",
    "facebook": "{platform: facebook, token_env: SMM_HOSTILE_UNSET, page_id: '1000'}",
    "instagram": "{platform: instagram, token_env: SMM_HOSTILE_UNSET, user_id: '1784', media_base_url: 'https://cloudleaf.example/m'}",
    "telegram": "{platform: telegram, token_env: SMM_HOSTILE_UNSET, chat_id: '@brand'}",
    "discord": "{platform: discord, webhook_env: SMM_HOSTILE_UNSET}",
    "slack": "{platform: slack, webhook_env: SMM_HOSTILE_UNSET}",
    "douyin": "{platform: douyin}",
    "bilibili": "{platform: bilibili}",
    "xiaohongshu": "{platform: xiaohongshu}",
    "local": "{platform: local}",
    LONG_ACCOUNT: "{platform: local}",
}


def _post(fields: dict, body: str) -> str:
    body = body.replace("\u0000", "")  # a NUL byte makes the file binary, not a post (in the front matter it is escaped)
    return "---\n" + "".join(f"{k}: {_yaml(v)}\n" for k, v in fields.items()) + "---\n" + body + "\n"


def posts() -> dict[str, str]:
    """Posts that pass the schema (a post that does not is not shown), each field as hostile as it allows:
    a title is 1 to 300 characters, a hashtag one word, a link http(s) without spaces."""
    every = list(ACCOUNTS)
    picture = {"file": "content/media/winter-blend.png", "alt": FIELD}
    return {
        "content/2026/12/2026-12-01-everything.md": _post({
            "title": BREAKOUT[:200] + LONG_WORD[:100], "publish_at": "2026-12-01T12:00", "platforms": every,
            "pillar": PILLAR, "campaign": "c" + LONG_WORD, "tags": [BREAKOUT, LONG_WORD[:300]],
            "hashtags": [LONG_WORD[:2000], CJK[:2000]] + [f"tag{i}{'长' * (i % 7)}" for i in range(499)], "link": LONG_URL + ONE_WORD,
            "media": [picture], "first_comment": FIELD, "content_warning": BREAKOUT,
            "overrides": {"mastodon": {"text": FIELD}, "bluesky": {"hashtags": [LONG_WORD[:400]]},
                          "x": {"text": BREAKOUT}, "telegram": {"first_comment": BREAKOUT}},
        }, BODY),
        "content/2026/12/2026-12-02-raw-html.md": _post(
            {"title": "<img src=https://evil.example/t.png>", "publish_at": "2026-12-02T09:00",
             "platforms": ["mastodon", "feed", "local", "wechat"], "pillar": "tips"}, RAW_HTML),
        "content/2026/12/2026-12-03-long-word.md": _post(
            {"title": LONG_WORD[:300], "publish_at": "2026-12-03T09:00", "platforms": ["bluesky", "x", "wechat"],
             "pillar": PILLAR, "campaign": "c" + "c" * 5000}, CJK),
        "content/2026/12/2026-12-03-cjk.md": _post(
            {"title": CJK[:300], "publish_at": "2026-12-03T10:00", "platforms": ["weibo", "xiaohongshu", "douyin"],
             "pillar": "tips"}, CJK + "\n\n" + LONG_URL),
        "content/2026/12/2026-12-04-rtl.md": _post(
            {"title": (RTL + ZALGO + EMOJI)[:300], "publish_at": "2026-12-04T09:00", "platforms": ["wechat", "weibo"],
             "media": [{"file": "content/media/winter-blend.png", "alt": RTL}]}, RTL + "\n\n" + MARKDOWN + EMOJI),
        "content/2026/12/2026-12-05-control.md": _post(
            {"title": CONTROL, "platforms": ["linkedin", "threads", "facebook", "instagram", "bilibili"], "draft": True,
             "media": [{"file": "content/media/winter-blend.png", "alt": CONTROL}]}, CONTROL + "\n\n" + RAW_HTML),
        "content/2026/12/2026-12-07-blank.md": _post(
            {"title": " ", "publish_at": "2026-12-05T09:00", "platforms": ["mastodon", "wechat", "feed"], "pillar": "tips",
             "media": [{"file": "content/media/winter-blend.png", "alt": " "}]}, " \u200b"),
        "content/2026/12/2026-12-07-invisible.md": _post(
            {"title": "\u3000\u200b\u2060\u00ad\ufeff", "draft": True, "platforms": ["bluesky"], "campaign": "x"},
            "\u200b\u00ad"),
        "content/<b onmouseover=alert(1)>\"'&{{x}}" + "d" * 200 + "/2026-12-08-path.md": _post(  # shown as the post's file
            {"title": "A hostile folder", "publish_at": "2026-12-08T09:00", "platforms": ["local"]}, "Its folder."),
        "content/2026/12/2026-12-06-published.md": _post(
            {"title": "Published " + BREAKOUT[:250], "publish_at": "2026-12-01T08:00",
             "platforms": ["mastodon", "local", LONG_ACCOUNT],
             "pillar": "tips"}, "A published post. " + LONG_URL),
    }


def record() -> dict:
    job = {"state": "published", "url": "javascript:alert(1)", "remote_id": BREAKOUT,
           "published_at": "2026-12-01T08:01:00+00:00", "attempts": 1, "error": None}
    return {"post": "2026-12-06-published", "file": "content/2026/12/2026-12-06-published.md",
            "accounts": {"mastodon": {**job, "url": LONG_URL}, "local": job, LONG_ACCOUNT: job}}


def _csv(*cells) -> str:
    return ",".join('"' + str(c).replace('"', '""') + '"' for c in cells) + "\n"


def data() -> dict[str, str]:
    huge = str(2 ** 53 - 1)  # the largest count smm reads (smm.data.tables.MAX_COUNT)
    inbox = [{"id": f"mastodon:{i}", "account": "mastodon", "platform": "mastodon", "kind": "mention",
              "author": author, "text": text, "url": url, "created_at": "2026-11-30T09:00:00+00:00",
              "due_by": "2026-12-01T09:00:00+00:00", "priority": "high", "sentiment": "negative", "intent": "question",
              "state": "open", "post": None, "updated_at": "2026-11-30T10:00:00+00:00"}
             for i, (author, text, url) in enumerate([
                 (BREAKOUT, FIELD, "javascript:alert(1)"), (LONG_WORD[:500], RAW_HTML, LONG_URL),
                 (RTL, CONTROL, f"{EVIL}/\"><img src=x onerror=alert(1)>")])]
    inbox.append({**inbox[0], "id": f"{LONG_ACCOUNT}:1", "account": LONG_ACCOUNT, "platform": "local"})
    return {
        "data/published/2026-12-06-published.json": json.dumps(record(), ensure_ascii=False),
        "data/published/2026-12-07-blank.json": json.dumps(
            {"post": "2026-12-07-blank", "file": "content/2026/12/2026-12-07-blank.md", "accounts": {"mastodon": {
                "state": "published", "url": "https://mastodon.example/@cloudleaf/1", "remote_id": "1",
                "published_at": "2026-11-30T08:01:00+00:00", "attempts": 1, "error": None}}}),
        "data/metrics/2026-12.csv": "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"
        + _csv("2026-12-01T09:00:00Z", "2026-12-06-published", "mastodon", "mastodon", BREAKOUT, huge, huge, huge, huge, huge, huge)
        + _csv("2026-12-01T09:00:00Z", "2026-12-06-published", "local", "local", "1", 10**15, 1, 0, 0, "", "")
        + _csv("2026-12-01T09:00:00Z", "2026-12-07-blank", "mastodon", "mastodon", "1", 5, 1, 0, 0, 100, "")
        + _csv("2026-12-01T09:00:00Z", "2026-12-06-published", LONG_ACCOUNT, "local", "1", 5, 1, 0, 0, 100, ""),
        "data/accounts/2026-12.csv": "collected_at,account,platform,followers\n"
        + _csv("2026-12-01T09:00:00Z", "mastodon", "mastodon", huge) + _csv("2026-12-01T09:00:00Z", LONG_ACCOUNT, "local", 5),
        "data/mentions/2026-12.csv": "id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement\n"
        + "".join(_csv(i, "mastodon", author, huge, "2026-11-30T00:54:00Z", text, url, "Cloudleaf", subject, "negative", huge)
                  for i, (author, text, url, subject) in enumerate([
                      (BREAKOUT, FIELD, "javascript:alert(1)", "brand"), (LONG_WORD[:600], RAW_HTML, LONG_URL, "brand"),
                      (RTL, CJK[:2000], "//evil.example/x", "Jadeleaf"), ("ivy", CONTROL, f"{EVIL}/ok", BREAKOUT)])),
        "data/competitors/2026-12.csv": "collected_at,competitor,network,handle,followers,posts,median_engagement\n"
        + _csv("2026-12-01T04:05:00Z", "Jadeleaf", "mastodon", BREAKOUT + LONG_WORD[:400], huge, huge, "1e300")
        + _csv("2026-12-01T04:05:00Z", BREAKOUT, "bluesky", CJK[:600], 5, 1, 0.5),
        "data/inbox/2026-12.jsonl": "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in inbox),
    }


def brand() -> dict[str, str]:
    return {
        "brand/brand.yml": f"name: {_yaml(BREAKOUT + ' ' + LONG_WORD[:300])}\nalt_text: required\n"
                           "site: {include_inbox: true}\n",
        "brand/calendar.yml": f"pillars:\n  tips: {{description: {_yaml(FIELD)}}}\n  {PILLAR}: "
                              f"{{description: {_yaml(BREAKOUT)}}}\n"
                              f"slots:\n  - {{day: monday, time: '12:00', pillar: tips, label: {_yaml(FIELD)}}}\n",
        "brand/handles.yml": f"cloudleaf:\n  mastodon: {_yaml('@cloudleaf@mastodon.example')}\n  default: {_yaml(BREAKOUT)}\n",
        "brand/goals.yml": f"goals:\n  - {{id: mastodon-followers, description: {_yaml(FIELD)}, metric: followers, "
                           "account: mastodon, baseline: 1, start: 2026-11-01, target: 1000000000000, "  # the largest allowed
                           "deadline: 2026-12-31}\n",
        "brand/theme.yml": "colors: {accent: '#07c160'}\nreferences: " + _yaml('</script><img src=x onerror=alert(1)>') + "\n",
        "brand/listening.yml": f"keywords: [Cloudleaf, {_yaml(BREAKOUT)}]\ncompetitors:\n  Jadeleaf:\n"
                               f"    keywords: [Jadeleaf]\n    accounts: {{mastodon: {_yaml(ONE_WORD)}}}\n"
                               f"  {_yaml(BREAKOUT)}:\n    keywords: [{_yaml(LONG_WORD[:200])}]\n",
    }


def write(root: Path) -> Path:
    """The hostile repository in `root` (a new folder)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "content" / "media").mkdir(parents=True)
    shutil.copyfile(EXAMPLE / "content" / "media" / "winter-blend.png", root / "content" / "media" / "winter-blend.png")
    files = {"platforms.yml": "timezone: Asia/Shanghai\naccounts:\n"
                              + "".join(f"  {name}: {value}\n" for name, value in ACCOUNTS.items()),
             **posts(), **data(), **brand()}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root
