"""URLs as twitter-text finds them, which X and Mastodon both count (each with its own path,
query and domain rules): the characters around a URL, the TLD list (smm/resources/tlds.txt),
punycode lengths and one scanner per network's patterns.

twitter-text writes a domain's TLD as one alternation of ~1,600 TLDs; compiling it costs
tens of milliseconds in every process. Here a domain's labels are matched by small patterns
and its TLD is looked up in a set; `UrlScanner.finditer` gives what a `re.finditer` of
twitter-text's pattern gives (tests/test_urlscan.py holds that pattern and compares).
"""

from __future__ import annotations

import re
import stringprep
from encodings import idna
from functools import cache, cached_property, lru_cache
from typing import Iterator, NamedTuple

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

# --- TLDs (matched case-insensitively, as re.IGNORECASE does) --------------------

TLDS = frozenset(w.strip().lower() for w in (RESOURCES / "tlds.txt").read_text(encoding="utf-8").splitlines()
                 if w.strip() and not w.startswith("#"))
_TLD_PREFIXES = frozenset(t[:n] for t in TLDS for n in range(1, len(t) + 1))
_TLD_LONGEST = max(map(len, TLDS))
_TLD_CHARS = sorted(set("".join(TLDS)))
_TLD_CHAR_SET = frozenset(_TLD_CHARS)
_TLD_CHAR = f"[{''.join(map(re.escape, _TLD_CHARS))}]"  # with re.IGNORECASE: any character of a TLD
_TLD_RUN = re.compile(f"{_TLD_CHAR}{{1,{_TLD_LONGEST}}}", re.IGNORECASE)
_AFTER_TLD = re.compile(r"(?=[^0-9a-zA-Z@+-]|$)", re.IGNORECASE)


@cache
def _tld_char_matching() -> re.Pattern:
    """One group per TLD character: which of them a character matches, ignoring case."""
    return re.compile("|".join(f"({re.escape(c)})" for c in _TLD_CHARS), re.IGNORECASE)


@cache
def _fold(char: str) -> str:
    """The TLD character that `char` matches ignoring case (as re.IGNORECASE matches: "Ö", "ſ",
    "K" too), else `char`."""
    if char in _TLD_CHAR_SET:  # no two TLD characters match each other (tests/test_urlscan.py)
        return char
    found = _tld_char_matching().fullmatch(char)
    return _TLD_CHARS[found.lastindex - 1] if found else char


def tld_end(text: str, start: int) -> int | None:
    """End of the longest TLD at `start` that no letter, digit, '@', '+' or '-' follows."""
    if (run := _TLD_RUN.match(text, start)) is None:
        return None
    folded = run.group()
    if not _TLD_CHAR_SET.issuperset(folded):  # upper case, or a character matching a TLD's ignoring case
        folded = folded.lower() if folded.isascii() else "".join(map(_fold, folded))
    n = 1
    while n <= len(folded) and folded[:n] in _TLD_PREFIXES:
        n += 1
    for n in range(n - 1, 0, -1):  # the longest first
        if folded[:n] in TLDS and _AFTER_TLD.match(text, start + n):
            return start + n
    return None


class Domain:
    """`sub_label* last_label (TLD | punycode)` as a regular expression would match it (the
    most labels first): `sub_label` and `last_label` each end in the label's '.'. The same
    pattern with any TLD character for the TLD finds, at C speed, where one may start."""

    def __init__(self, sub_label: str, last_label: str, punycode: str, flags: int) -> None:
        self.patterns = (sub_label, last_label, punycode, flags)  # compiled on first use

    def compiled(self, pattern: str) -> re.Pattern:
        return re.compile(pattern, self.patterns[3])

    @cached_property
    def sub_label(self) -> re.Pattern:
        return self.compiled(self.patterns[0])

    @cached_property
    def last_label(self) -> re.Pattern:
        return self.compiled(self.patterns[1])

    @cached_property
    def punycode(self) -> re.Pattern:
        return self.compiled(self.patterns[2])

    def maybe(self, before: str = "") -> str:
        """A pattern matching wherever `before` and a domain match, and more (any TLD character)."""
        sub, last, punycode, _ = self.patterns
        return f"{before}(?:{sub})*{last}(?:{_TLD_CHAR}|{punycode})"

    @cached_property
    def may_start(self) -> re.Pattern:
        return self.compiled(self.maybe())

    def end(self, text: str, start: int) -> int | None:
        """Where the domain starting at `start` ends, or None."""
        starts = [start]
        while (label := self.sub_label.match(text, starts[-1])) is not None:
            starts.append(label.end())
        for label_start in reversed(starts):
            if (last := self.last_label.match(text, label_start)) is not None:
                tld = last.end()
                if (end := tld_end(text, tld)) is not None:
                    return end
                if (puny := self.punycode.match(text, tld)) is not None:
                    return puny.end()
        return None

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each domain in `text`, as `re.finditer` finds them."""
        start = 0
        while (maybe := self.may_start.search(text, start)) is not None:
            start = maybe.start()
            if (end := self.end(text, start)) is not None:
                yield start, end
                start = end
            else:
                start += 1


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


def idna2003_length(domain: str) -> int | None:
    """Length of `domain` after IDNA 2003 ToASCII as libidn computes it, None where it fails.

    Mastodon's twitter-text gem asks idn-ruby (libidn's `idna_to_ascii_8z`, no flags) for a
    URL's domain: split at the four IDN dots, each label nameprepped (RFC 3491: Unicode 3.2's
    NFKC and case folding, U+00AD and the joiners dropped; prohibited code points, a label
    mixing directions and code points unassigned in Unicode 3.2 such as "🍵" refused) and
    punycode-encoded, 1 to 63 characters.  A failure makes the URL plain text there."""
    labels = _IDN_DOTS.split(domain)
    total = len(labels) - 1
    for label in labels:
        length = (len(label) if 0 < len(label) < 64 else None) if label.isascii() else _idna2003_label(label)
        if length is None:
            return None
        total += length
    return total


@lru_cache(maxsize=4096)
def _idna2003_label(label: str) -> int | None:
    try:  # (Python's IDNA 2003 codec allows what is unassigned; libidn without flags does not)
        if any(map(stringprep.in_table_a1, idna.nameprep(label))):
            return None
        return len(idna.ToASCII(label))
    except UnicodeError:
        return None


class Url(NamedTuple):
    """A URL found: `before` the character before it ("" at a line's start), `protocol` and
    `path` None when it has none; `start` and `end` its offsets."""

    before: str
    url: str
    protocol: str | None
    domain: str
    path: str | None
    start: int
    end: int


class UrlScanner:
    """twitter-text's URLs: `(preceding char | ^)((protocol)?(domain)(:port)?(/path)?(?query)?)`,
    found where a `re.finditer` of that pattern finds them, without the attempts that cannot match.

    A plain scan is O(n^2) on a long run of domain characters (Chinese text):
    each start re-reads the run.  Here a URL is tried only near a '.': its
    domain lies in a run of domain characters holding one, and the URL starts
    just before that run (or, after "://", at most ``margin`` characters
    before it).  Once a domain starting in a label fails, the starts that
    cannot fare better are skipped.
    """

    def __init__(self, protocol: str, domain_char: str, punycode: str, path: str, query: str, *,
                 non_run: str, margin: int, flags: int) -> None:
        c = domain_char
        self.domain = Domain(rf"(?:{c}(?:[_-]|{c})*)?{c}\.", rf"(?:{c}(?:-|{c})*)?{c}\.", punycode, flags)
        self.patterns = (protocol, rf"(?::[0-9]+)?(/{path}*)?(?:{query})?", non_run, flags,  # compiled on first use
                         self.domain.maybe(rf"(?:{_PRECEDING_CHAR}|^)(?:{protocol})?"))
        self.margin = margin
        self.multiline = bool(flags & re.MULTILINE)

    @cached_property
    def protocol(self) -> re.Pattern:
        return re.compile(self.patterns[0], self.patterns[3])

    @cached_property
    def rest(self) -> re.Pattern:
        """What follows the domain: port, path (its group 1), query."""
        return re.compile(self.patterns[1], self.patterns[3])

    @cached_property
    def may_match(self) -> re.Pattern:
        """Matches wherever the URL pattern does, and more: most attempts fail here, at C speed."""
        return re.compile(self.patterns[4], self.patterns[3])

    @cached_property
    def tld_dot(self) -> re.Pattern:
        """A '.' that a TLD or "xn--" may follow (see _tld_dot)."""
        return re.compile(rf"\.(?:{_TLD_CHAR}|xn--)", self.patterns[3])

    @cached_property
    def punycode_start(self) -> re.Pattern:
        return re.compile("xn--", self.patterns[3])

    @cached_property
    def preceding(self) -> re.Pattern:
        return re.compile(_PRECEDING_CHAR, self.patterns[3])

    @cached_property
    def non_run(self) -> re.Pattern:
        return re.compile(f"[{self.patterns[2]}]")

    @cached_property
    def non_run_back(self) -> regex.Pattern:
        return regex.compile(f"(?r)[{self.patterns[2]}]")

    @cached_property
    def label_start(self) -> re.Pattern:
        return re.compile("[^_-]")

    def match(self, text: str, p: int) -> Url | None:
        """The URL the pattern matches at `p` (its preceding character there), or None."""
        starts = [p + 1] if self.preceding.match(text, p) else []
        if p == 0 or self.multiline and text[p - 1] == "\n":  # '^'
            starts.append(p)
        for start in starts:
            protocol = self.protocol.match(text, start)
            for domain_start in (protocol.end(), start) if protocol else (start,):
                if (domain_end := self.domain.end(text, domain_start)) is not None:
                    rest = self.rest.match(text, domain_end)
                    return Url(text[p:start], text[start:rest.end()], text[start:domain_start] or None,
                               text[domain_start:domain_end], rest.group(1), start, rest.end())
        return None

    def _tld_dot(self, text: str, start: int) -> int:
        """The first '.' from `start` on before a TLD or "xn--" (every domain ends in one), or -1."""
        while (maybe := self.tld_dot.search(text, start)) is not None:
            dot = maybe.start()
            if tld_end(text, dot + 1) is not None or self.punycode_start.match(text, dot + 1):
                return dot
            start = dot + 1
        return -1

    def finditer(self, text: str) -> Iterator[Url]:
        p, k, run_start, tld_dot = 0, -1, 0, -1
        while True:
            if k <= p:  # the next '.' after p, and where its run starts
                if (k := text.find(".", p + 1)) < 0:
                    return
                if tld_dot < k:  # none from k on: no URL starts at p or later (most text has none)
                    if (tld_dot := self._tld_dot(text, k)) < 0:
                        return
                back = self.non_run_back.search(text, p, k)
                run_start = back.end() if back else p
                protocol = run_start >= 3 and text.startswith("://", run_start - 3)
                p = max(p, run_start - (self.margin if protocol else 1))
            if self.may_match.match(text, p) and (m := self.match(text, p)) is not None:
                yield m
                p = m.end
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
