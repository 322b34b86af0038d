"""URLs as twitter-text finds them, which X and Mastodon both count (each with its own path,
query and domain rules): the characters around a URL, the TLD list (smm/resources/tlds.txt),
punycode lengths and one scanner per network's patterns."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Iterator

import regex

from smm.render.resources import RESOURCES

DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
INVALID = "\ufffe\ufeff\uffff"
SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
LATIN = ("\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
          "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_PRECEDING_CHAR = rf"[^A-Za-z0-9@＠$#＃{INVALID}]|[{DIRECTIONAL}]"
_IDN_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_NON_PRINTABLE = re.compile(r"[^\x20-\x7e]")
MAX_URL_LENGTH = 4096


def _trie_regex(words: list[str]) -> str:
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


_TLD_LINES = (RESOURCES / "tlds.txt").read_text(encoding="utf-8")
TLD = _trie_regex([w.strip().lower() for w in _TLD_LINES.splitlines()
                    if w.strip() and not w.startswith("#")]) + r"(?=[^0-9a-zA-Z@+-]|$)"


def url_regex(protocol: str, domain_char: str, punycode: str, path: str, query: str) -> str:
    """Groups: 1 preceding char, 2 URL, 3 protocol, 4 domain, 5 port, 6 path, 7 query."""
    c = domain_char
    domain = (rf"(?:(?:{c}(?:[_-]|{c})*)?{c}\.)*"  # subdomains
              rf"(?:(?:{c}(?:-|{c})*)?{c}\.)(?:{TLD}|{punycode})")
    return (rf"((?:{_PRECEDING_CHAR}|^))(({protocol})?({domain})(?::([0-9]+))?"
            rf"(/{path}*)?({query})?)")


def punycode_length(label: str) -> int:
    """Length of ``label`` after IDNA ToASCII, as punycode.js computes it."""
    if not _NON_PRINTABLE.search(label):
        return len(label)
    parts = _IDN_DOTS.split(label)
    return len(parts) - 1 + sum(
        4 + len(p.encode("punycode")) if _NON_PRINTABLE.search(p) else len(p) for p in parts)


def valid_labels(domain: str) -> bool:
    """Every DNS label is 1..63 characters once punycode-encoded."""
    # Encoding adds >= 4 to a non-ASCII label: no need to encode long ones
    # (Python's punycode codec is slow on them).
    return all(0 < len(label) <= 59 and punycode_length(label) <= 63
               or 59 < len(label) <= 63 and not _NON_PRINTABLE.search(label)
               for label in domain.split("."))


class UrlScanner:
    """``url_re.finditer(text)`` without the attempts that cannot match.

    A plain scan is O(n^2) on a long run of domain characters (Chinese text):
    each start re-reads the run.  Here a URL is tried only near a '.': its
    domain lies in a run of domain characters holding one, and the URL starts
    just before that run (or, after "://", at most ``margin`` characters
    before it).  Once a domain starting in a label fails, the starts that
    cannot fare better are skipped.
    """

    def __init__(self, url_re: str, non_run: str, margin: int, flags: int) -> None:
        self.patterns = (url_re, non_run, flags)  # compiled on first use: importing stays fast
        self.margin = margin

    @cached_property
    def url(self) -> re.Pattern:
        return re.compile(self.patterns[0], self.patterns[2])

    @cached_property
    def tld_dot(self) -> re.Pattern:
        """A '.' before a TLD or punycode: every domain both networks take ends in one."""
        return re.compile(rf"\.(?:{TLD}|xn--)", self.patterns[2])

    @cached_property
    def preceding(self) -> re.Pattern:
        return re.compile(_PRECEDING_CHAR, self.patterns[2])

    @cached_property
    def non_run(self) -> re.Pattern:
        return re.compile(f"[{self.patterns[1]}]")

    @cached_property
    def non_run_back(self) -> regex.Pattern:
        return regex.compile(f"(?r)[{self.patterns[1]}]")

    @cached_property
    def label_start(self) -> re.Pattern:
        return re.compile("[^_-]")

    def finditer(self, text: str) -> Iterator[re.Match]:
        p, k, run_start, tld_dot = 0, -1, 0, -1
        while True:
            if k <= p:  # the next '.' after p, and where its run starts
                if (k := text.find(".", p + 1)) < 0:
                    return
                if tld_dot < k:  # none from k on: no URL starts at p or later (most text has none)
                    if (found := self.tld_dot.search(text, k)) is None:
                        return
                    tld_dot = found.start()
                back = self.non_run_back.search(text, p, k)
                run_start = back.end() if back else p
                protocol = run_start >= 3 and text.startswith("://", run_start - 3)
                p = max(p, run_start - (self.margin if protocol else 1))
            if (m := self.url.match(text, p)) is not None:
                yield m
                p = m.end()
            elif not self.preceding.match(text, p):
                if (nxt := self.preceding.search(text, p + 1)) is None:
                    return
                p = nxt.start()
            elif not run_start <= p + 1 < k:
                p += 1
            elif text[p + 1] in "-_":  # no label starts with these
                p = self.label_start.search(text, p + 1, k + 1).start() - 1
            else:
                p, k = self._skip(text, p + 1, k)

    def _skip(self, text: str, d: int, k: int) -> tuple[int, int]:
        """Next start worth trying once the domain text[d:] failed (its first label
        ends at the '.' at ``k``).  A later start has a shorter first label, or
        drops whole valid labels: either way no better, unless the first label
        loses its last '_' (a domain's last label may have none)."""
        while (u := text.rfind("_", d, k)) < 0 and text[k - 1] != "-":
            nk = text.find(".", k + 1)
            if nk < 0 or text[k + 1] in "-_." or self.non_run.search(text, k + 1, nk):
                return k, k
            d, k = k + 1, nk
        return (k, k) if u < 0 else (u, k)


