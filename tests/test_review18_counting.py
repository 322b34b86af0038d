"""Review 18: each network's count checked from outside against what the network's own code or
documentation does (Telegram, Weibo, Threads, and the networks reviewed least)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_render import _jpeg, render

from smm.cli import cli


def count(platform: str, text: str) -> int:
    """`smm count --platform NAME --json` on `text`, as a user runs it."""
    result = CliRunner().invoke(cli, ["count", "--platform", platform, "--json"], input=text.encode("utf-8"))
    return json.loads(result.stdout)["length"]


# -- Telegram ----------------------------------------------------------------------------------------
# TDLib, which the Bot API server runs, refuses a bot's message of more *code points* than 4096 (a caption:
# 1024): td/telegram/MessageContent.cpp `utf8_length(input_message_text.text.text) > message_text_length_max`,
# utf8_length counting the first bytes of UTF-8 characters; measured: 4096 × U+1F600 (8192 UTF-16 units) sent,
# 4097 refused (github.com/FerroxLabs/wayland/issues/934). The text counted is the one TDLib keeps: parse_html
# (decode_html_entity), then fix_formatted_text (clean_input_string, and the trims).

@pytest.mark.parametrize("text, length", [
    ("😀" * 3, 3),  # an emoji outside the BMP is one code point (old: 6, its UTF-16 units)
    ("𠀀中", 2),  # CJK Extension B
    ("👩‍👩‍👧", 5),  # a ZWJ sequence: its code points
    ("🇯🇵 1️⃣ 👍🏽", 9),
    ("a\r\nb", 3),  # "\r" is removed
    ("a\u2028b\u2029c\u202ed", 4),  # U+2028-U+202E are removed
    ("A\u030a e\u0333 o\u033f", 5),  # so are the combining marks U+030A, U+0333, U+033F
    ("e\u0301", 2),  # any other combining mark stays
    ("a\tb\x0bc", 5),  # a control character becomes a space
    ("  \n text \n \n", 4),  # spaces and line breaks are trimmed at both ends
    ("text\x0b\t", 4),  # ... once control characters are spaces
    ("<b> a </b> ", 2),  # not at the start of an entity; at the end, yes
    ("&amp &lt;x&gt", 5),  # an entity's ";" may be left out
    ("&#x41; &#X41; &#65", 10),  # hexadecimal after a small x only
    ("&#0; &#1114111; &#1114110;", 17),  # 0 and U+10FFFF are text; U+10FFFE is decoded
    ("&#0000000065;", 13),  # 10 characters or more before ";": text
    ("&#13;x&#9;", 1),  # decoded, then cleaned: "\r" removed, a trailing tab trimmed
    ("&ampx; &quot;", 8),  # a named entity is exactly lt, gt, amp or quot
])
def test_telegram_counts_the_code_points_it_keeps(text, length):
    assert count("telegram", text) == length


@pytest.mark.parametrize("emoji, media, too_long", [
    (4096, False, False),  # at the limit: 8192 UTF-16 units, sent
    (4097, False, True),
    (1024, True, False),  # a caption
    (1025, True, True),
])
def test_telegram_limit_in_code_points(make_repo, emoji, media, too_long):
    platforms = "timezone: UTC\naccounts:\n  telegram: {platform: telegram, token_env: T, chat_id: '@c'}\n"
    fields = {"media": "[{file: content/media/a.jpg, alt: a cup}]"} if media else {}
    r = render(make_repo, "😀" * emoji, account="telegram", platforms=platforms,
               files={"content/media/a.jpg": _jpeg()}, **fields)
    assert [d.rule for d in r.diagnostics if d.rule == "render.too-long"] == (["render.too-long"] if too_long else [])


# -- Weibo ------------------------------------------------------------------------------------------
# Weibo's web composer counts in JavaScript (STK `core.str.bLength`: `str.length` plus one for each UTF-16 unit
# outside \x00-\xff, halved and rounded up by `kit.extra.count`): a character outside the BMP is two units, so
# 2 汉字; measured so too ("Characters from Unicode range ≥ U+010000 have a count of 2",
# schappo.blogspot.com/2012/10/weibo-character-count.html).

@pytest.mark.parametrize("text, length", [
    ("😀", 2),  # old: 1
    ("𠀀", 2),  # CJK Extension B
    ("😀a", 3),  # 2.5
    ("👩‍👩‍👧", 8),  # three emoji (2 each) and two joiners (1 each)
    ("中文，😀", 5),
    ("😀" * 70, 140),  # at the limit
    ("😀" * 70 + "a", 141),  # one half over
    ("中" * 139 + "😀", 141),
])
def test_weibo_counts_a_character_outside_the_bmp_as_2(text, length):
    assert count("weibo", text) == length


@pytest.mark.parametrize("title, too_long", [
    ("😀" * 10, False),  # 20: at the limit
    ("😀" * 10 + "a", True),  # 20.5
    ("茶" * 19 + "😀", True),  # 21 (old: 20)
    ("茶" * 19 + "ab", False),
])
def test_xiaohongshu_title_counts_as_weibo(make_repo, title, too_long):
    platforms = "timezone: UTC\naccounts:\n  xhs: {platform: xiaohongshu}\n"
    r = render(make_repo, "正文", account="xhs", platforms=platforms, title=f"'{title}'",
               files={"content/media/a.jpg": _jpeg()}, media="[{file: content/media/a.jpg, alt: a cup}]")
    assert [d.rule for d in r.diagnostics if d.rule == "render.title-too-long"] == (
        ["render.title-too-long"] if too_long else [])


# -- Threads: links ------------------------------------------------------------------------------------
# "The number of links is restricted to 5 or fewer ... posts containing more than 5 links will fail to post
# during the media creation step (POST /{threads-user-id}/threads) ... All unique URLs found in the text field
# are counted as links" (developers.facebook.com/documentation/threads/create-posts/text-attachments): per
# container, and a thread's every part is a container of its own.

THREADS = "timezone: UTC\naccounts:\n  th: {platform: threads, token_env: T, user_id: '1', utm: false}\n"
FILLER = "Our winter oolong is roasted slowly over charcoal for a deep, sweet finish. " * 4


def _links(first: int, count: int) -> str:
    return " ".join(f"https://e{i}.example/" for i in range(first, first + count))


@pytest.mark.parametrize("body, thread, problems", [
    (_links(0, 5), None, []),  # at the limit
    (_links(0, 6), None, ["th: 6 links; Threads allows 5"]),
    (_links(0, 3) + " " + _links(0, 3), None, []),  # 3 unique URLs written twice (old: 6 links)
    ("[tea](https://e0.example/) and https://e0.example/ " + _links(1, 4), None, []),  # a link's text and its URL: 1
    (f"{FILLER}{_links(0, 4)}\n\n{FILLER}{_links(4, 4)}", "auto", []),  # 8 links, 4 in each part (old: 8 links)
    (f"{FILLER}{_links(0, 2)}\n\n{FILLER}{_links(2, 6)}", "auto", ["th: part 2/2 6 links; Threads allows 5"]),
])
def test_threads_counts_the_unique_links_of_each_part(make_repo, body, thread, problems):
    fields = {"thread": thread} if thread else {}
    r = render(make_repo, body, account="th", platforms=THREADS, **fields)
    assert [d.message for d in r.diagnostics if d.rule == "render.too-many-links"] == problems
    assert thread is None or len(r.parts) == 2


# -- Telegram: thread parts ----------------------------------------------------------------------------
# Each part is a message of its own, parsed as HTML: a part that opens <b> and leaves it open, closes a tag
# it never opened, or ends inside a tag or an entity is refused ("Can't parse entities: can't find end tag
# corresponding to start tag", TDLib's parse_html). Its text as Telegram keeps it must fit 4096.

SENTENCES = "Our winter oolong is roasted slowly over charcoal for a deep finish. " * 80
WORDS = "oolong roasted slowly over charcoal " * 140  # no sentence end: cut between words


def _well_formed(part: str) -> bool:
    """Tags nest and close, and no tag or entity is cut (nothing but whole ones hold `<`, `>` or `&`)."""
    import re

    open_tags = []
    for closing, name in re.findall(r"<(/?)([a-z-]+)[^<>]*>", part):
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    rest = re.sub(r"&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);", "", re.sub(r"<[^<>]*>", "", part))
    return not open_tags and not re.search("[<>&]", rest)


@pytest.mark.parametrize("body", [
    f"**{SENTENCES}tea** and more.",  # bold across the cut (old: <b> left open, </b> with none)
    f"*{WORDS}tea* and more.",  # italic, cut between words
    f"~~{SENTENCES}~~ **_{SENTENCES}_**",  # several tags open at once
    f"{WORDS[:4080]} [a link to our tea shop page](https://shop.example/tea) {WORDS}",  # a link's label at the cut
    "Tea &amp; cakes <tea> " * 300,  # entities near every cut
    f"    {WORDS}\n\n    {WORDS}",  # a code block across a paragraph break
])
@pytest.mark.parametrize("numbered", [False, True])
def test_telegram_thread_parts_are_well_formed_html(make_repo, body, numbered):
    from smm.platforms.telegram import kept_text

    platforms = "timezone: UTC\naccounts:\n  telegram: {platform: telegram, token_env: T, chat_id: '@c', utm: false}\n"
    r = render(make_repo, body, account="telegram", platforms=platforms, thread="auto",
               files={"brand/brand.yml": f"name: A\nthread_numbering: {str(numbered).lower()}\n"})
    assert len(r.parts) > 1 and not [d for d in r.diagnostics if d.is_error]
    assert [part.text for part in r.parts if not _well_formed(part.text)] == []
    assert all(len(kept_text(part.text)) == part.length <= 4096 for part in r.parts)
