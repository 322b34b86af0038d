"""Links in posts as Bluesky shows them, and malformed URLs anywhere smm reads a post's links.

Overlapping links (a URL glued to the text before it holding a bare domain, as smm's extension of
detectFacets finds them) are shown and linked once: the first, as @atproto/api's RichText.segments()
shows overlapping facets; a hashtag glued to a URL ends before it. Text no URL parser reads (`https://[abc/x`, a port over 65535) is
no crash: Bluesky links it as detectFacets does and shows it as written (the app's toShortUrl falls
back to the text when `new URL` throws), and UTM tagging leaves it as written.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, post_text
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smm.errors import Rejected
from smm.platforms import platform_class
from smm.platforms.bluesky import Bluesky
from smm.workspace.repo import load_repo

BLUESKY = "timezone: UTC\nutm: {enabled: false}\naccounts:\n  bluesky: {platform: bluesky, handle: a.bsky.social, password_env: P}\n"


def facets_of(part: dict) -> list[tuple[str, str, str]]:
    """(the text a facet covers, its kind, its URI or handle or tag) of a preview part."""
    data = part["text"].encode("utf-8")
    return [(data[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode("utf-8"),
             f["features"][0]["$type"].rsplit("#", 1)[1],
             next(v for k, v in f["features"][0].items() if k != "$type")) for f in part.get("facets", [])]


def bluesky_preview(make_repo, smm, body: str, platforms: str = BLUESKY) -> dict:
    make_repo({"p.md": post_text(body, platforms="[bluesky]")}, platforms=platforms)
    code, shown, err = smm.json("preview")
    assert code == 0, err
    (account,) = shown[0]["accounts"]
    return account


def marked(part: dict) -> str:
    """A preview part's text with what each facet covers in ⟦ ⟧."""
    data, out, position = part["text"].encode("utf-8"), [], 0
    for facet in part.get("facets", []):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        out += [data[position:start].decode("utf-8"), "⟦", data[start:end].decode("utf-8"), "⟧"]
        position = end
    return "".join(out) + data[position:].decode("utf-8")


@pytest.mark.parametrize("body, shown, targets", [
    # the reported case: the glued URL holds the bare domain after its "("
    ("见https://a.com/(abcdefgh.com", "见⟦a.com/(abcdefgh.com⟧", ["https://a.com/(abcdefgh.com"]),
    ("详见https://example.com/x(www.example.org/y) 谢谢", "详见⟦example.com/x(www.exampl...⟧ 谢谢",
     ["https://example.com/x(www.example.org/y)"]),
    ("见https://a.com/(b.com/(c.org", "见⟦a.com/(b.com/(c.org⟧", ["https://a.com/(b.com/(c.org"]),
    ("“https://a.com/(b.com”她说", "“⟦a.com/(b.com⟧”她说", ["https://a.com/(b.com"]),
    # apart, both are linked, each once
    ("茶https://a.com/(b.com。谢谢 c.com", "茶⟦a.com/(b.com⟧。谢谢 ⟦c.com⟧", ["https://a.com/(b.com", "https://c.com"]),
    ("见https://a.com/x (b.com", "见⟦a.com/x⟧ (⟦b.com⟧", ["https://a.com/x", "https://b.com"]),
    # the shown link is linked where it is, not where the same text is first seen
    ('Visit "a.com": https://a.com', 'Visit "a.com": ⟦a.com⟧', ["https://a.com"]),
    ("见'b.com/x' https://b.com/x", "见'b.com/x' ⟦b.com/x⟧", ["https://b.com/x"]),
    # a mention inside a link or a hashtag is no second facet over it
    ("see https://a.com/(@bob.com) ok", "see ⟦a.com/(@bob.com)⟧ ok", ["https://a.com/(@bob.com)"]),
    ("见https://a.com/x #茶 @bob.com", "见⟦a.com/x⟧ ⟦#茶⟧ ⟦@bob.com⟧", ["https://a.com/x", "茶", "bob.com"]),
    # a hashtag glued to a URL ends before it, and the link keeps its facet
    ("新茶 #茶https://a.com/x 好", "新茶 ⟦#茶⟧⟦a.com/x⟧ 好", ["茶", "https://a.com/x"]),
    ("#tag(@bob.com) #春茶“https://a.com”", "⟦#tag(@bob.com⟧) ⟦#春茶⟧“⟦a.com⟧”", ["tag(@bob.com", "春茶", "https://a.com"]),
])
def test_overlapping_links_are_shown_and_linked_once(make_repo, smm, body, shown, targets):
    (part,) = bluesky_preview(make_repo, smm, body)["parts"]
    assert marked(part) == shown
    assert [value for *_, value in facets_of(part)] == targets


# --- property: expanding each link back gives the text as written ------------------------------

PIECES = ["见", "详见", "茶", " ", "(", ")", "/", "/x", "?q=1", "https://", "http://", "a.com", "b.org",
          "www.c.net", "d.com/long/path/here", "。", "，", "“", "”", "「", "」", "（", "）", ".", ":", "x", "@e.com",
          " #茶", "[", "]", ":99999"]
DOMAINS = ["a.com", "b.org", "c.net", "d.com"]


def expanded(shown: str, facets: list[dict], written: str) -> str:
    """``shown`` with each link facet's text replaced by the text it stands for in ``written``
    (its URI, or the URI without the "https://" detectFacets adds to a bare domain)."""
    data, out, position, at = shown.encode("utf-8"), [], 0, 0
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        feature = facet["features"][0]
        assert start >= position, "facets overlap"
        between = data[position:start].decode("utf-8")
        out.append(between)
        at += len(between)
        if feature["$type"].endswith("#link"):
            uri = feature["uri"]
            original = uri if written.startswith(uri, at) else uri.removeprefix("https://")
            assert written.startswith(original, at), (written, at, uri)
        else:
            original = data[start:end].decode("utf-8")
        out.append(original)
        at += len(original)
        position = end
    return "".join(out) + data[position:].decode("utf-8")


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join))
@example("https://见见d.com/long/path/here")
@example("https://(」「a.com")  # Punycode keeps "(": xn--(a-m23ad.com, as a browser's URL host is
def test_links_expanded_back_give_the_text_and_no_link_shows_twice(text):
    shown, links = Bluesky.shorten_links(text)
    facets = Bluesky.facets(shown, links)
    assert expanded(shown, facets, text) == text
    plain = re.sub(r"xn--[^./:?#\s]+", "", shown)  # a Punycode label is no domain shown: 见见d.com → xn--d-3m1da.com
    for domain in DOMAINS:
        assert plain.count(domain) <= text.count(domain), (text, shown)


# --- malformed URLs: no crash, left as written -----------------------------------------------

MALFORMED = ["https://[abc/x", "https://[::1", "http://[]", "https://[abc]/x", "https://a.com:99999/",
             "https://a.com:port/x", "https://[::1]:70000/", "https://exa℀mple.com/", "https://a\ufe56b.com/x"]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_urls_are_linked_and_shown_as_written_on_bluesky(make_repo, smm, url):
    platforms = BLUESKY.replace("utm: {enabled: false}", "utm: {medium: social}")
    (part,) = bluesky_preview(make_repo, smm, f"see {url} ok, 详见{url} ok", platforms)["parts"]
    assert part["text"] == f"see {url} ok, 详见{url} ok"
    assert facets_of(part) == [(url, "link", url)] * 2  # untagged: no query glued onto a broken URL


def test_a_well_formed_url_is_still_shortened_and_tagged(make_repo, smm):
    platforms = BLUESKY.replace("utm: {enabled: false}", "utm: {medium: social}")
    (part,) = bluesky_preview(make_repo, smm, "see https://a.com:8080/x ok", platforms)["parts"]
    assert facets_of(part) == [("a.com:8080/x?utm_source...", "link", "https://a.com:8080/x?utm_source=bluesky&utm_medium=social")]


EVERY_PLATFORM = (ROOT / "tests" / "fixtures" / "render" / "platforms.yml").read_text(encoding="utf-8")
TEXT_ACCOUNTS = "[mastodon, bluesky, x, threads, linkedin, facebook, telegram, discord, slack, weibo, wechat, feed]"


@pytest.mark.parametrize("url", [*MALFORMED, "https://a.com？x=1", "https://a.com/\x7fx"])
def test_malformed_urls_anywhere_in_a_post_are_no_internal_error(make_repo, smm, url):
    """In the text, a Markdown link, `link`, `first_comment`, on every network and in voice rules:
    the same findings as the same post with a well-formed URL, and the URL as written."""
    def findings(link: str) -> tuple[int, list, list]:
        post = post_text(f"详见{link} and {link}。 [x]({link}) (see {link})", platforms=TEXT_ACCOUNTS,
                         link=json.dumps(link), first_comment=json.dumps(f"见{link}"), id="p")
        make_repo({"p.md": post}, platforms=EVERY_PLATFORM)
        code, found, err = smm.json("check")
        assert "internal error" not in err
        preview_code, shown, err = smm.json("preview")
        assert preview_code == 0 and "internal error" not in err
        return code, sorted((f["rule"], f["line"]) for f in found), shown

    code, found, shown = findings(url)
    assert (code, found) == findings("https://b.example/x")[:2]
    texts = {a["account"]: a["parts"][0]["text"] for a in shown[0]["accounts"]}
    assert url in texts["mastodon"] and url in texts["x"]  # not tagged, not cut


def test_a_very_long_host_is_a_normal_diagnostic(make_repo, smm):
    url = "https://" + "a" * 300 + ".com/x"
    make_repo({"p.md": post_text(f"见{url} ok", platforms="[mastodon, bluesky, x]")}, platforms=EVERY_PLATFORM)
    code, found, err = smm.json("check")
    assert code == 1 and "internal error" not in err
    # Bluesky shows the host in full; X's twitter-text takes no label over 63 characters for a URL (it
    # counts the text); Mastodon counts any URL as 23
    assert sorted((f["rule"], f["message"].split(":")[0]) for f in found if f["severity"] == "error") == [
        ("render.too-long", "bluesky"), ("render.too-long", "x")]


@pytest.mark.parametrize("account", ["x", "mastodon", "weibo"])
@pytest.mark.parametrize("reference", ["https://[abc/x", "https://[::1", "http://[]/status/1", "https://a.com:99999/1"])
def test_resolve_refuses_a_malformed_published_url(make_repo, account, reference):
    """`smm resolve --published URL`: a URL no parser reads names no post of the account."""
    repo = load_repo(make_repo({"p.md": post_text()}, platforms=EVERY_PLATFORM))
    options = repo.config.accounts[account]
    adapter = platform_class(options.platform)(options, {"T_X": "t", "T_MASTODON": "t", "T_WEIBO": "t"}, repo.root)
    with pytest.raises(Rejected):
        adapter.confirm(reference)
