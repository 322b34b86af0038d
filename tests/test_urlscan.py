"""The URL scanners find exactly what twitter-text's URL pattern finds (issue 19): that pattern,
with its TLD list as one alternation, is kept here only, as the oracle."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import counting, urlscan
from smm.render.urlscan import DIRECTIONAL, INVALID, LATIN, SPACES, TLDS


def trie_regex(words: list[str]) -> str:
    """An alternation of ``words`` as a trie; a longer word is tried first."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "" if not alts else f"(?:{body})?" if "" in node else body

    return build(trie)


TLD = trie_regex(sorted(TLDS)) + r"(?=[^0-9a-zA-Z@+-]|$)"
PRECEDING = rf"[^A-Za-z0-9@＠$#＃{INVALID}]|[{DIRECTIONAL}]"


def url_regex(protocol: str, c: str, punycode: str, path: str, query: str) -> str:
    """twitter-text's: groups 1 preceding char, 2 URL, 3 protocol, 4 domain, 5 port, 6 path, 7 query."""
    domain = (rf"(?:(?:{c}(?:[_-]|{c})*)?{c}\.)*"
              rf"(?:(?:{c}(?:-|{c})*)?{c}\.)(?:{TLD}|{punycode})")
    return rf"((?:{PRECEDING}|^))(({protocol})?({domain})(?::([0-9]+))?(/{path}*)?({query})?)"


c = counting
ORACLES = {
    "x": (c._X_URLS, re.compile(url_regex("https?://", f"[^{c._X_PUNCT}{SPACES}{INVALID}{DIRECTIONAL}]",
                                          r"(?:xn--[\-0-9a-z]+)", c._X_PATH, c._X_QUERY), re.IGNORECASE)),
    "mastodon": (c._M_URLS, re.compile(url_regex(
        "(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://",
        rf"[^{DIRECTIONAL}{c._RUBY_PUNCT}\x00-\x20\x7f{INVALID}{SPACES}]", r"(?:xn--[0-9a-z]+)", c._M_PATH,
        c._M_QUERY), re.IGNORECASE | re.MULTILINE)),
}
X_ASCII_DOMAIN = re.compile(rf"(?:[\-a-z0-9{LATIN}]+\.)+(?:{TLD}|xn--[\-0-9a-z]+)", re.IGNORECASE)


def found(scanner, text: str) -> list[tuple]:
    return [tuple(u) for u in scanner.finditer(text)]


def expected(oracle: re.Pattern, text: str) -> list[tuple]:
    return [(m.group(1), m.group(2), m.group(3), m.group(4), m.group(6), *m.span(2)) for m in oracle.finditer(text)]


def assert_as_the_pattern(text: str) -> None:
    for scanner, oracle in ORACLES.values():
        assert found(scanner, text) == expected(oracle, text), text
    for domain in {u[3] for scanner, _ in ORACLES.values() for u in scanner.finditer(text)} | {text}:
        assert list(counting._X_ASCII_DOMAIN.finditer(domain)) == [m.span() for m in X_ASCII_DOMAIN.finditer(domain)]


@pytest.mark.parametrize("text", [
    "", "no dot at all", "sentences. Many of them. None a URL. 中文。网址", "example.test and a.b.c.d.e",
    "ends with a TLD.com", "UPPER.COM and Mixed.Org and wEiRd.CoM.", "punycode xn--p1ai.xn--p1ai and .xn--",
    "a" * 300 + ".com", "x." * 100 + "io", "https://cloudleaf.example/a.b then example.com",
    "例子.网址 and 中文example.com了解更多", "dots... then https://x.co/a?b=c.d", "\u212a.com \u212aOM (Kelvin sign)",
    "mail@example.com/path.html and user@mail.example.org", "example.community example.comm example.com-x",
    "example.com@x example.com+1 example.com1 example.co.uk. example.co.", "http://例え.テスト and http://例え.jp",
    "https://example.com:8080/a/b?c=d#e, https://example.com:/x", "(https://en.wikipedia.org/wiki/Foo_(bar)) end",
    "a_b.com https://x.com 中a_b.com/https://x.com !-example.com/https://x.com", "see: t.co/abc and https://t.co/abcdef?x=1",
    "ВЕРХ.РФ верх.рф and пример.РФ/путь", "ΕΛ.ελ test.ϵλ and test.ΕΛ.", "straße.de STRASSE.DE ſtraße.ſhop",
    "shop.İnfo info.ınfo KIWI.kIWi", "gemini://example.org/x dat://a.b ipfs://x.com/y", "line one\nexample.com\nx.org",
    "\u200eexample.com \u202aexample.com \ufeffexample.com", "example.中国 example.中國人 example.香港。", "x.संगठन y.भारतम्",
    "https://" + "a" * 70 + ".com/ and https://a.b-.com and https://-a.com and https://a--b.com", "xn--p1ai.com xn--.com",
    "UPPER.XN--P1AI and https://EXAMPLE.XN--P1AI/path", "1.2.3.4 and 192.168.0.1:80/x and v1.2.com",
])
def test_scanners_find_what_the_pattern_finds(text):
    assert_as_the_pattern(text)


# Moved from test_counting_fast.py and test_counting.py, where they compared with the scanner's own pattern.
@pytest.mark.parametrize("text", [
    "no dot at all", "sentences. Many of them. None a URL. 中文。网址", "example.test and a.b.c.d.e",
    "ends with a TLD.com", "UPPER.COM and Mixed.Org", "punycode xn--p1ai.xn--p1ai and .xn--", "a" * 500 + ".com",
    "x." * 200 + "io", "https://cloudleaf.example/a.b then example.com", "例子.网址 and 中文example.com",
    "dots... then https://x.co/a?b=c.d", "\u212a.com (Kelvin sign)", "mail@example.com/path.html",
])
def test_url_scanners_skip_text_without_a_tld_as_a_plain_scan(text):
    """A text (or its rest) with no '.' before a TLD or punycode holds no URL: the scan stops there."""
    assert_as_the_pattern(text)


URLISH = list("ab-_.:/ 中é!") + ["https://", "com", "org", "co", "jp", "中_", "a-", "-a", "_b", "b_", "a.",
                                  ".a", "-.", "_.", "._", ".-", "网址", "xn--p1ai", "gemini://", "\n", "(x)"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(URLISH), max_size=30).map("".join))
def test_url_scanner_finds_what_a_plain_scan_finds(text):
    """The scanner skips attempts; it must never skip a match."""
    assert_as_the_pattern(text)


PIECES = (list("ab-_.:/ 中é!@#$()?=&\n\t，。") + ["https://", "http://", "gemini://", "com", "COM", "Com", "org", "co",
          "jp", "uk", "io", "xn--p1ai", "XN--", "中国", "网址", "рф", "РФ", "ελ", "ΕΛ", "ϵ", "\u212a", "\u017f", "\u0131",
          "\u0130", "ö", "Ö", "example", "EXAMPLE", "t.co/", "www.", "a.", ".a", "-.", "_.", "._", ".-", ":8080",
          "/path", "/(x)", "?q=1", "#frag", "user@", "mail.", "....", "\u200e", "\u3000", "ｃｏｍ", "．"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_scanners_find_what_the_pattern_finds_in_generated_text(text):
    assert_as_the_pattern(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40), st.sampled_from(sorted(TLDS)))
def test_scanners_on_any_characters_around_a_tld(noise, tld):
    for text in (f"{noise}.{tld}", f"a.{tld}{noise}", f"{noise[:5]}x.{tld.upper()}/{noise}"):
        assert_as_the_pattern(text)


def test_tld_characters_are_folded_as_re_ignorecase_matches_them():
    """A code point matches a TLD's character ignoring case exactly when urlscan folds it to that
    character, and the run of TLD characters takes exactly those code points."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    matching = {char: {m.start() for m in re.finditer(re.escape(char), every, re.IGNORECASE)}
                for char in urlscan._TLD_CHARS}
    for char, found in matching.items():
        assert {urlscan._fold(chr(i)) for i in found} == {char}, char
    run = re.compile(urlscan._TLD_RUN.pattern.rpartition("{")[0], re.IGNORECASE)  # one character
    assert {m.start() for m in run.finditer(every)} == set().union(*matching.values())
    assert all(urlscan._fold(chr(i)) == chr(i).lower() for i in range(128) if run.match(chr(i)))
    assert urlscan._fold("\u0600") == "\u0600"  # no TLD's: left as it is
