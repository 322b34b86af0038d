"""Built-in social rules, configured in brand/voice.yml: hashtags per platform, emoji,
exclamation marks, ALL-CAPS words, the disclosure of sponsored posts, banned link domains,
and the share of promotional posts in any rolling window of days (a calendar rule).

A rule runs when its key is in brand/voice.yml (and `enabled` is not false).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from bisect import bisect_left, bisect_right
from datetime import timedelta
from itertools import accumulate

import regex

from smm.content.links import split_url
from smm.content.post import calendar_order, written
from smm.content.tokens import hashtag
from smm.platforms import platform_class
from smm.voice.base import Hit
from smm.voice.segments import disabled_at
from smm.voice.text import MARKDOWN_TARGET, edges_ok, find_hashtags, find_urls

_EMOJI = regex.compile(
    r"(?:\p{Regional_Indicator}{2})"
    r"|(?:[0-9#*]\uFE0F?\u20E3)"
    r"|(?:(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)\p{Emoji_Modifier}?"
    r"(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*)"
)
# Every match of _EMOJI holds, among its first three code points, U+20E3, U+FE0F, or an Emoji_Presentation or
# Regional_Indicator code point, each one of these (checked in the tests): found first, at C speed.
_MAYBE_EMOJI = re.compile("[\u20e3\ufe0f\u2300-\u2bff\U0001f000-\U0001ffff]")
_EXCLAMATION_MARKS = "!！‼"
_EXCLAMATION = re.compile(f"[{_EXCLAMATION_MARKS}]")  # few enough counted with str.count first
_LATIN_LETTER = r"A-Za-z0-9\u00C0-\u024F"


@dataclass
class Builtin:
    """A built-in rule: its id, config key, level and settings."""

    id: str
    key: str
    level: str
    settings: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    # attributes the engine reads from every rule
    description = None
    link = None
    limit = None
    kind = "builtin"

    def hint(self, extra: str | None = None) -> str | None:
        return extra


BUILTINS = {  # config key → (rule id, default level)
    "hashtags": ("voice.hashtags", "warning"),
    "emoji": ("voice.emoji", "warning"),
    "exclamation": ("voice.exclamation", "warning"),
    "all_caps": ("voice.all-caps", "warning"),
    "disclosure": ("voice.disclosure", "error"),
    "link_domains": ("voice.link-domain", "error"),
    "promo_share": ("voice.promo-share", "warning"),
}
BUILTIN_IDS = {rid for rid, _ in BUILTINS.values()}
# Rules that judge a post as a whole: front matter `voice.disable` turns them off, a comment cannot.
WHOLE_POST_IDS = {"voice.hashtags", "voice.disclosure", "voice.promo-share"}


def load_builtins(config: dict) -> dict[str, Builtin]:
    found = {}
    for key, (rid, level) in BUILTINS.items():
        settings = config.get(key)
        if isinstance(settings, dict) and settings.get("enabled", True) is not False:
            found[key] = Builtin(rid, key, settings.get("level", level), settings)
    return found


def count_hits(rule: Builtin, segment, spans: list[tuple[int, int]], maximum: int, what: str) -> list[Hit]:
    """A hit at the first mark past the maximum in one text (what: the plural noun; `spans`: of the marks
    in segment.prepared); marks inside a region where the rule is disabled (`<!-- smm-disable ... -->`)
    do not count."""
    if len(spans) <= maximum:
        return []  # few enough even before disabled regions are left out
    if segment.directives:
        spans = [s for s in spans if not disabled_at(segment.directives, rule.id, s[0])]
    if len(spans) <= maximum:
        return []
    start, end = spans[maximum]
    return [Hit(rule, segment, start, end,
                f"{len(spans)} {what} in this text; the brand allows at most {maximum}",
                extra_hint=f"this is number {maximum + 1}; remove some")]


def emoji_hits(rule: Builtin, segments) -> list[Hit]:
    maximum = int(rule.settings.get("max", 3))
    return [h for s in segments if s.scope == "body" for h in count_hits(rule, s, emoji_spans(s.prepared), maximum, "emoji")]


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """The spans of `_EMOJI.finditer(text)`: a match is tried only at each code point of _MAYBE_EMOJI and the
    two before it (every match starts there), from the end of the last one found on, in order."""
    spans: list[tuple[int, int]] = []
    end = 0
    for hint in _MAYBE_EMOJI.finditer(text):
        for start in range(max(end, hint.start() - 2), hint.start() + 1):
            if (match := _EMOJI.match(text, start)) is not None:
                spans.append(match.span())
                end = match.end()
                break
    return spans


def exclamation_hits(rule: Builtin, segments) -> list[Hit]:
    maximum = int(rule.settings.get("max", 2))
    hits = []
    for segment in segments:
        if segment.scope == "body" and sum(map(segment.prepared.count, _EXCLAMATION_MARKS)) > maximum:
            hits += count_hits(rule, segment, [m.span() for m in _EXCLAMATION.finditer(segment.prepared)], maximum,
                               "exclamation marks")
    return hits


def all_caps_hits(rule: Builtin, segments) -> list[Hit]:
    minimum = int(rule.settings.get("min_length", 4))
    allow = {str(a) for a in rule.settings.get("allow") or []}
    pattern = re.compile(rf"(?<![{_LATIN_LETTER}])[A-Z\u00C0-\u00D6\u00D8-\u00DE]{{{minimum},}}(?![{_LATIN_LETTER}])")
    hits = []
    for segment in segments:
        if segment.scope not in ("title", "body", "alt"):
            continue
        view = segment.view(True)
        for match in pattern.finditer(view.text):
            if match.group() in allow:
                continue
            s, e = view.orig(match.start()), view.orig_end(match.end())
            hits.append(Hit(rule, segment, s, e, f"“{segment.text[s:e]}” is in ALL CAPS",
                            extra_hint="write it in normal case (ALL CAPS reads as shouting), "
                                       "or add it to `all_caps.allow` in brand/voice.yml if it is an acronym"))
    return hits


def _tokens_pattern(tokens: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)), re.IGNORECASE)


def disclosure_tokens(rule: Builtin) -> list[str]:
    return [str(t) for t in rule.settings.get("tokens") or ["#ad", "#sponsored", "#广告"]]


def sponsored(post) -> bool:
    return post.meta.get("sponsored") is True


def disclosure_hits(rule: Builtin, post, texts: dict[str, str]) -> list[Hit]:
    """texts: account → the text it receives. Every account's text must carry a disclosure."""
    if not sponsored(post):
        return []
    tokens = disclosure_tokens(rule)
    pattern = _tokens_pattern(tokens)
    within = rule.settings.get("within")
    missing, late = [], []
    for account, text in texts.items():
        first = next((m for m in pattern.finditer(text) if edges_ok(text, m.start(), m.end())), None)
        if first is None:
            missing.append(account)
        elif within and first.start() >= int(within):
            late.append(account)
    shown = ", ".join(f"`{t}`" for t in tokens)
    hits = []
    if missing:
        hits.append(Hit(rule, None, 0, 0, f"sponsored post without a disclosure ({shown}) for {', '.join(missing)}",
                        extra_hint=f"start the text with {tokens[0]} (or another of {shown}); "
                                   "an override text needs its own", path=("sponsored",)))
    if late:
        hits.append(Hit(rule, None, 0, 0, f"the disclosure comes after the first {within} characters for "
                                          f"{', '.join(late)}; readers may not see it",
                        extra_hint="put it at the start of the text", path=("sponsored",)))
    return hits


def _banned(host: str | None, banned: list[str]) -> str | None:
    host = (host or "").lower().rstrip(".")
    for domain in banned:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def _host(url: str) -> str | None:
    parts = split_url(url if "://" in url else "http://" + url)
    return parts.hostname if parts else None


def link_hits(rule: Builtin, post, segments, rendered_texts: list[str], rendered_segments) -> list[Hit]:
    """Links to a banned domain in the post's texts, its `link` fields and what each account
    receives (rendered_texts; rendered_segments() gives them as segments, in the same order)."""
    banned = [str(d).lower().strip(".") for d in rule.settings.get("banned") or []]
    if not banned:
        return []
    hint = rule.settings.get("hint") or "link to the destination itself, on a domain the brand allows"
    hits = []
    seen = set()

    def named(text: str) -> bool:  # a host is part of its URL: without a banned name, no banned host
        low = text.lower()
        return any(domain in low for domain in banned)

    def add(segment, start, end, url, path=None):
        domain = _banned(_host(url), banned) if named(url) else None
        if domain:
            hits.append(Hit(rule, segment, start, end, f"link to a banned domain `{domain}`: {url}", extra_hint=hint,
                            path=path))
            seen.add(url)

    for segment in segments:
        if segment.scope in ("body", "title", "alt") and named(segment.text):
            for start, end, url in find_urls(segment.text):
                add(segment, start, end, url)
            for match in MARKDOWN_TARGET.finditer(segment.text):
                if match.group(1) not in seen and "://" in match.group(1):
                    add(segment, match.start(1), match.end(1), match.group(1))
    for path, _, value in written(post.meta, "link"):
        if isinstance(value, str):
            add(None, 0, 0, value, path)
    # templates may add links the sources do not have; one look for a banned name in them all first
    # (each text's lowercase is in that of them all joined, which has a name where one of them has)
    for segment in rendered_segments() if named("\0".join(rendered_texts)) else ():
        for start, end, url in find_urls(segment.text) if named(segment.text) else ():
            if not any(url.startswith(s) or s.startswith(url.split("?")[0]) for s in seen):
                add(segment, start, end, url)
    return hits


def hashtag_hits(rule: Builtin, post, rendered, disclosure: Builtin | None) -> list[Hit]:
    default = rule.settings.get("max", 5)
    limits = rule.settings.get("platforms") or {}
    ignored = {t.lower() for t in disclosure_tokens(disclosure)} if disclosure else set()
    counted = []  # (account, limit key, count, limit)
    if rendered:
        for result in rendered:
            text = "\n\n".join(p.text for p in result.parts)
            if platform_class(result.platform).markup in ("html", "article"):  # `#3f3f3f` in a style is no hashtag
                text = re.sub(r"<[^>]*>", " ", text)
            tags = [t for t in find_hashtags(text) if t.lower().rstrip("#") not in ignored]
            limit = limits.get(result.account, limits.get(result.platform, default))
            counted.append((result.account, result.platform, len(set(t.lower() for t in tags)), limit))
    else:
        for account in post.accounts:
            view = post.for_account(account)
            tags = {hashtag(str(t)).lower() for t in view.hashtags}
            tags |= {t.lower().rstrip("#") for t in find_hashtags(view.text)}
            tags -= ignored
            counted.append((account, account, len(tags), limits.get(account, default)))
    hits = []
    for account, platform, count, limit in counted:
        if limit is not None and count > int(limit):
            path = post.for_account(account).hashtags_path
            hits.append(Hit(rule, None, 0, 0, f"{account}: {count} hashtags, over the brand's limit of {limit} for {platform}",
                            extra_hint=f"keep the {limit} that matter most" + (
                                "" if path and path[0] == "overrides" else
                                f", or give `{account}` its own `hashtags` under `overrides`"),
                            path=path or ()))
    return hits


# -- the calendar rule ---------------------------------------------------------------------


def promotional(post, pillars: dict, tags: set[str]) -> bool:
    pillar = pillars.get(post.pillar) if post.pillar else None
    if isinstance(pillar, dict) and pillar.get("promotional") is True:
        return True
    return not tags.isdisjoint(post.meta.get("tags") or ())


def promo_windows(rule: Builtin, posts, pillars: dict):
    """Each set of posts that fits in a rolling window with too many promotional ones:
    yields (window posts, promotional posts)."""
    days = int(rule.settings.get("days", 7))
    share = float(rule.settings.get("max_percent", 30))
    minimum = int(rule.settings.get("min_posts", 3))
    tags = {str(t) for t in rule.settings.get("tags") or ["promo"]}
    timeline = sorted((p for p in posts if p.publish_at is not None and not p.draft), key=calendar_order)
    window = timedelta(days=days).total_seconds()
    times = [p.publish_at.timestamp() for p in timeline]  # floats: bisecting aware datetimes is slow
    flags = [promotional(p, pillars, tags) for p in timeline]
    promos_before = list(accumulate(flags, initial=0))  # promotional posts before each index
    n = len(timeline)
    for i in range(n):
        # windows holding exactly posts i..j: they start after post i-1 (so not at the same time)
        # and end after post j (not at the same time as post j+1), within `days` of post i, and
        # reach no further than post i-1 plus `days` (else a window from just after i-1 holds j+1)
        low = times[i - 1] if i > 0 else None
        if low is not None and low == times[i]:
            continue
        first = i + minimum - 1 if low is None else max(i + minimum - 1, bisect_right(times, low + window) - 1)
        for j in range(first, bisect_left(times, times[i] + window)):
            if j + 1 < n and times[j + 1] == times[j]:
                continue
            promo = promos_before[j + 1] - promos_before[i]
            if promo * 100 > share * (j + 1 - i):
                yield timeline[i:j + 1], [p for p, f in zip(timeline[i:j + 1], flags[i:j + 1], strict=True) if f]


def worst_per_stretch(windows, blamable) -> list[tuple[float, list, list, object]]:
    """One (share, window posts, promotional posts, blamed post) per stretch of overlapping
    windows over the limit (windows in order of their first post, as promo_windows gives them):
    the stretch's worst window, blamed on its last promotional post that `blamable` accepts."""
    stretches: list[list] = []  # [last post's time, share, window, promos, blamed]
    for window, promos in windows:
        blamed = next((p for p in reversed(promos) if blamable(p)), None)
        if blamed is None:
            continue
        share, start, end = len(promos) / len(window), window[0].publish_at, window[-1].publish_at
        if stretches and start <= stretches[-1][0]:  # shares a post with the stretch so far
            current = stretches[-1]
            current[0] = max(current[0], end)
            if share > current[1]:
                current[1:] = [share, window, promos, blamed]
        else:
            stretches.append([end, share, window, promos, blamed])
    return [tuple(s[1:]) for s in stretches]
