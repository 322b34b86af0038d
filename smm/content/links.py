"""Links in posts: which may leave the repository, and tagging them with UTM parameters (URLs are found by smm.content.tokens)."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from smm.content.tokens import URL

_LEAVES = re.compile(r"https?://[^\s/?#]|mailto:\S", re.IGNORECASE)
_EDGES = "".join(map(chr, range(0x21)))  # what a browser trims off a link's ends
_QUERY_SAFE = ":/@!$'()*+,;"  # kept as they are in a tagged URL's query
_AS_IS = re.compile(rf"[A-Za-z0-9_.~\-{re.escape(_QUERY_SAFE)}]*")  # what urlencode(..., safe=_QUERY_SAFE) leaves as it is


def leaves_safely(target: str) -> bool:
    """Whether a link target may leave the repository: an absolute http(s) URL or a mailto:, both
    as written and as a browser reads it (entities decoded, tabs and newlines dropped, edges
    trimmed), so `JaVa&#x53;cript:`, `\x01javascript:`, `data:`, `file:` and relative paths are not."""
    seen = target
    for _ in range(3):  # `&amp;#x6A;` decodes twice; text that decodes as itself stays so
        decoded = html.unescape(seen)
        if decoded == seen:
            break
        seen = decoded
    if "\t" in seen or "\n" in seen or "\r" in seen:
        seen = re.sub(r"[\t\n\r]", "", seen)
    return bool(_LEAVES.match(target.strip())) and bool(_LEAVES.match(seen.strip(_EDGES)))


def split_url(url: str) -> SplitResult | None:
    """`urlsplit` of text from a post, or None where no browser would read it as a URL and
    `urlsplit` raises: an unbalanced or non-address `[…]` host (`https://[abc/x`, `http://[]`),
    a host that NFKC turns into `?`, `#`, `/`, `:` or `@` (`https://a.com？x`), a port that is
    no number from 0 to 65535 (`https://a.com:99999/`). Such text stays as written."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is no number or out of range
    except ValueError:
        return None
    return parts


def utm_tag(url: str, *, source: str, medium: str, campaign: str | None, domains: list[str] | None = None) -> str:
    """The URL with utm_source/medium/campaign added; existing query (and utm_*) kept; a URL
    `split_url` cannot read as written."""
    read = _read(url)
    if read is None:
        return url
    parts, host, query = read
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        return url
    present = {k for k, _ in query}
    wanted = [("utm_source", source), ("utm_medium", medium)] + ([("utm_campaign", campaign)] if campaign else [])
    return urlunsplit(parts._replace(query=_encoded([*query, *((k, v) for k, v in wanted if k not in present)])))


@lru_cache(maxsize=256)
def _read(url: str) -> tuple[SplitResult, str, tuple[tuple[str, str], ...]] | None:
    """A URL's parts, its host in lower case and its query's pairs (None: split_url cannot read it), read
    once for the accounts a post's link is tagged for (each with its own utm_source)."""
    parts = split_url(url)
    if parts is None:
        return None
    return parts, (parts.hostname or "").lower(), tuple(parse_qsl(parts.query, keep_blank_values=True))


def _encoded(query: list[tuple[str, str]]) -> str:
    """`urlencode(query, safe=_QUERY_SAFE)`; written directly where it would leave every name and value as it is."""
    if all(type(k) is str and type(v) is str for k, v in query) and _AS_IS.fullmatch("".join(k + v for k, v in query)):
        return "&".join(f"{k}={v}" for k, v in query)
    return urlencode(query, safe=_QUERY_SAFE)


def tag_all(text: str, **utm) -> str:
    """Every http(s) URL in text, UTM-tagged."""
    return URL.sub(lambda m: utm_tag(m.group(), **utm), text)
