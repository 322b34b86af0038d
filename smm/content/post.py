"""Posts: Markdown files with YAML front matter under content/."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone, tzinfo
from functools import cached_property
from pathlib import Path

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.content.comments import strip_comments
from smm.workspace.cache import MISS, FileCache
from smm.workspace.files import MAX_TEXT_BYTES, decode, is_utf8, read_text, walk
from smm.workspace.patterns import LazyPattern
from smm.workspace.schema import schema
from smm.workspace.timezones import YEARS, YEARS_TEXT, exact
from smm.workspace.positions import Positions

CONTENT_DIR = "content"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
_FENCE = "---"
SUMMARY_FIELDS = ("id", "draft", "pillar", "tags", "voice", "publish_at", "platforms", "campaign", "reply_to",
                  "evergreen", "audience")
_SUMMARY_PATHS = [()] + [(name,) for name in SUMMARY_FIELDS]  # one tuple each, shared by every summary


@dataclass(frozen=True)
class AccountView:
    """One post as one account gets it: each field from the account's override where that sets it,
    else the post's own; each `*_path` is where the field is written (for diagnostics), None when nowhere."""

    account: str
    text: str
    text_path: tuple  # ("overrides", account, "text"), or () for the body
    hashtags: list
    hashtags_path: tuple | None
    media: list  # an override's `media: []` means none for this account
    media_path: tuple | None
    link: str | None
    link_path: tuple | None


def _shared(value: object) -> object:
    """A summary's field value with its strings (and a list's) interned: the same account, pillar or
    tag is one object in every summary, kept once in the check's index and unpickled once."""
    if type(value) is str:
        return sys.intern(value)
    if type(value) is list and all(type(item) is str for item in value):
        return [sys.intern(item) for item in value]
    return value


def published(value: object) -> object:
    """A front matter value as networks and the preview get it: every string in it without its
    HTML comments (they are for the repository); the front matter itself keeps them, for positions."""
    if isinstance(value, str):
        return strip_comments(value)[0] if "<!--" in value else value
    if isinstance(value, list):
        return [published(item) for item in value]
    if isinstance(value, dict):
        return {key: published(item) for key, item in value.items()}
    return value


def overrides(meta: dict) -> dict[str, dict]:
    """The post's `overrides` by account; entries that are not mappings (schema errors) are left out."""
    found = meta.get("overrides")
    return {name: o for name, o in found.items() if isinstance(o, dict)} if isinstance(found, dict) else {}


def written(meta: dict, name: str) -> list[tuple[tuple, str | None, object]]:
    """(path, account or None, value) of a field as the post sets it, then as each override does."""
    return [((name,), None, meta.get(name))] + [(("overrides", account, name), account, override.get(name))
                                                for account, override in overrides(meta).items()]


def for_account(meta: dict, body: str, account: str) -> AccountView:
    """The per-account view of a post's fields (see AccountView); wrong types are not judged here."""
    override = overrides(meta).get(account) or {}

    def pick(name: str, present=lambda fields, name: bool(fields.get(name))) -> tuple[object, tuple | None]:
        if present(override, name):
            return override[name], ("overrides", account, name)
        return meta.get(name), ((name,) if present(meta, name) else None)

    own_text = bool(override.get("text"))
    hashtags, hashtags_path = pick("hashtags")
    media, media_path = pick("media", lambda fields, name: name in fields)  # an override's `media: []`: none
    link, link_path = pick("link")
    tags = [tag for tag in published(hashtags) or [] if tag] if isinstance(hashtags, list) else hashtags or []
    return AccountView(account, override["text"] if own_text else body, ("overrides", account, "text") if own_text else (),
                       tags, hashtags_path, published(media) or [], media_path, published(link) or None, link_path)


@dataclass(frozen=True)
class Post:
    file: str  # relative to the repository root
    id: str
    meta: dict = field(compare=False)
    body: str = field(compare=False)
    body_line: int = field(compare=False)  # line where the body starts
    publish_at: datetime | None = field(compare=False)
    root: str = field(default="", compare=False, repr=False)
    parsed_positions: Positions | None = field(default=None, compare=False, repr=False)
    valid: bool = field(default=True, compare=False)  # False: it has errors; only its id and accounts are used
    places: dict | None = field(default=None, compare=False, repr=False)  # a summary's: path → `at(path)`

    @cached_property
    def positions(self) -> Positions:
        """Where each field stands; dropped when posts cross processes, read again on demand."""
        if self.parsed_positions is not None:
            return self.parsed_positions
        from smm.workspace.yamlsource import load  # the YAML parser, imported where a post is parsed (a warm check parses none)

        text, _ = read_text(Path(self.root), self.file)
        front = split_front_matter(text or "", self.file)[0]
        return load(front or "", file=self.file, first_line=2).positions

    def without_positions(self) -> Post:
        """A lighter copy, cheap to send to another process."""
        return replace(self, parsed_positions=None)

    def summary(self) -> Post:
        """What the checks across posts (ids, records, calendar, promotional share, due dates) read of
        this post, small enough to keep for every post of a large repository: no body, the fields
        SUMMARY_FIELDS, and the places of those fields (any other place is read from the file)."""
        paths = [path for path in _SUMMARY_PATHS if not path or path[0] in self.meta]
        return replace(self, meta={k: _shared(self.meta[k]) for k in SUMMARY_FIELDS if k in self.meta}, body="",
                       parsed_positions=None, places={path: self.at(path) for path in paths})

    @property
    def title(self) -> str:
        """The title as published: without HTML comments."""
        return published(self.meta["title"])

    @property
    def accounts(self) -> list[str]:
        """The accounts it goes to: `platforms`, else the account of the inbox item it answers."""
        return self.meta.get("platforms") or ([self.reply_to.split(":", 1)[0]] if self.reply_to else [])

    @property
    def reply_to(self) -> str | None:
        """The inbox item (`<account>:<network id>`) this post answers, if it is a reply."""
        value = self.meta.get("reply_to")
        return value if isinstance(value, str) and ":" in value else None

    @property
    def draft(self) -> bool:
        return self.meta.get("draft", False)

    @property
    def pillar(self) -> str | None:
        return self.meta.get("pillar")

    @property
    def campaign(self) -> str | None:
        return self.meta.get("campaign")

    @property
    def overridden(self) -> list:
        """The account names under `overrides`."""
        found = self.meta.get("overrides")
        return list(found) if isinstance(found, dict) else []

    def for_account(self, account: str) -> AccountView:
        """What this account gets of the post: its override's text, hashtags, media and link, else the post's
        (made once per account: rendering, the media and the voice checks each ask)."""
        view = self._views.get(account)
        if view is None:
            view = self._views[account] = for_account(self.meta, self.body, account)
        return view

    @cached_property
    def _views(self) -> dict[str, AccountView]:
        return {}

    def at(self, path, key: bool = False) -> tuple[int, int, int | None]:
        """Line, column and end column of a front matter field (or its key)."""
        place = self.places.get(tuple(path)) if self.places and not key else None
        return place or self.positions.at(path, key)


def parse_when(text: str, tz: tzinfo) -> datetime:
    """ISO 8601 date and time → aware datetime; no offset means the repository's time zone."""
    if re.fullmatch(r"[^Tt ]*", text.strip()) and text.strip()[:1].isdigit():  # a date alone: 2026-11-25, 20261125, 2026-W48-3
        raise ValueError("needs a time of day too, for example `2026-11-27T12:00`")
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        detail = str(exc)
        if "timedelta" in detail:
            detail = "the UTC offset must be between -23:59 and +23:59"
        elif "Invalid isoformat" in detail:
            detail = "not an ISO 8601 date and time such as `2026-11-27T12:00` or `2026-11-27T12:00:00+08:00`"
        raise ValueError(detail) from None
    if when.year not in YEARS:
        raise ValueError(f"expected {YEARS_TEXT}")
    return when if when.tzinfo else when.replace(tzinfo=tz)


def split_front_matter(text: str, file: str) -> tuple[str | None, str, int, list[Diagnostic]]:
    """(front matter, body, body's first line, diagnostics) of a post's text."""
    lines = text.split("\n")
    if not text.strip():
        return None, "", 1, [Diagnostic(file, 1, 1, ERROR, "post.empty-file", "the file is empty",
                                        hint="a post starts with `---`, its front matter, then `---` and the text")]
    if lines[0].rstrip() != _FENCE:
        return None, text, 1, [Diagnostic(
            file, 1, 1, ERROR, "frontmatter.missing", "a post must start with a `---` line opening its front matter",
            hint="add `---`, then `title:`, `publish_at:` and `platforms:`, then a closing `---`",
        )]
    for number in range(1, len(lines)):
        if lines[number].rstrip() in (_FENCE, "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1:]), number + 2, []
    return None, "", 1, [Diagnostic(file, 1, 1, ERROR, "frontmatter.unclosed",
                                    "front matter opened with `---` is never closed",
                                    hint="add a line with `---` after the last front matter field")]


def parse_post(file: str, text: str, tz: tzinfo, root: str = "") -> tuple[Post | None, list[Diagnostic]]:
    """One post file's text → Post and every problem in it alone. None when there are no fields
    to read; a Post with `valid=False` when the fields have errors (its id still counts)."""
    front, body, body_line, found = split_front_matter(text, file)
    if front is None:
        return None, found
    from smm.workspace.yamlsource import load  # see Post.positions

    parsed = load(front, file=file, first_line=2)
    found += parsed.diagnostics
    if parsed.data is None and parsed.diagnostics:
        return None, found  # unparseable: further checks would only add noise
    meta = {} if parsed.data is None else parsed.data
    if not isinstance(meta, dict):
        line = parsed.positions.of_value(())[0]
        shape = "a list" if isinstance(meta, list) else "a single value"
        found.append(Diagnostic(file, line, 1, ERROR, "frontmatter.not-mapping",
                                f"front matter must be `key: value` fields, not {shape}"))
        return None, found
    # the fields as networks get them (comments are the repository's): a comment is no space in a hashtag
    schema_found = schema("post").validate(published(meta) if "<!--" in front else meta, parsed.positions, file)
    found += schema_found
    post_id = meta.get("id") if isinstance(meta.get("id"), str) else Path(file).stem
    if "id" not in meta and not ID_PATTERN.fullmatch(post_id):
        found.append(Diagnostic(
            file, 1, 1, ERROR, "post.id", f"the file name `{Path(file).name}` does not make a valid post id",
            hint="rename the file (lowercase letters, digits, `-`) or set `id:` in the front matter",
        ))
    unportable = path_problem(file)
    if unportable:
        found.append(Diagnostic(
            file, 1, 1, WARNING, "post.path-portable", f"Windows cannot create `{file}` ({unportable}): a clone there fails",
            hint="rename the file or its folder"))
    if path_problem(post_id) and not (unportable and "id" not in meta):  # else renaming the file mends both
        place = parsed.positions.at(("id",)) if "id" in meta else (1, 1, None)
        found.append(Diagnostic.at(
            file, place, WARNING, "post.id-portable",
            f"the post id `{post_id}` names files Windows cannot make (data/published/{post_id}.json, the site's "
            f"posts/{post_id}/): a clone there fails", hint="choose another id before the post is published"))
    found += _hashtag_problems(meta, parsed.positions, file)
    if "<!--" in front:
        found += _unclosed_comments(meta, (), parsed.positions, file)
    publish_at = _publish_at(meta, parsed.positions, file, tz, found)
    if _no_text(body) and not meta.get("draft") and not _all_overridden(meta):
        line = min(body_line, text.count("\n") + 1)
        found.append(Diagnostic(file, line, 1, ERROR, "post.empty-body", "the post has no text after its front matter",
                                "HTML comments are never published: write the text outside `<!-- … -->`"
                                if "<!--" in body else None))
    valid = not (schema_found or any(d.is_error for d in found))
    return Post(file, post_id, meta, body, body_line, publish_at, root, parsed.positions, valid), found


_WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
_WINDOWS_RESERVED = re.compile(r'[<>:"\\|?*\x00-\x1f]')


def path_problem(file: str) -> str | None:
    """Why Windows cannot create the file at this repository path, or the files named after a post id
    (its record, its site folder), if so: a name with a character it reserves (`<>:"\\|?*`, control
    characters), a device name (`con`, `nul`, `com1`, any case, any extension) or a name ending in
    `.` or a space (learn.microsoft.com, "Naming Files, Paths, and Namespaces")."""
    for name in file.split("/"):
        reserved = _WINDOWS_RESERVED.search(name)
        if reserved:
            return f"`{name}` holds {reserved.group()!r}"
        if _WINDOWS_DEVICES.fullmatch(name.lower()):
            return f"`{name}` is a device name there"
        if name.endswith((".", " ")):
            return f"`{name}` ends in {name[-1]!r}"
    return None


def _no_text(body: str) -> bool:
    """Nothing but comments and space: text first (before any `<!--`) is text without stripping the comments."""
    rest = body.lstrip()
    return not rest or rest.startswith("<!--") and not strip_comments(body)[0].strip()


_PLAIN_HASHTAG = LazyPattern(r"#?[A-Za-z0-9_\u4e00-\u9fff]*[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*")


def hashtag_problem(tag: str) -> str | None:
    """Why no network would link `tag` as one hashtag, if so. A hashtag is letters (any script),
    combining marks, decimal digits and `_`, with at least one letter; a `#` in front is
    optional. Whitespace and a `#` inside are the schema's to report."""
    if _PLAIN_HASHTAG.fullmatch(tag):  # the common case, without a look at each character
        return None
    word = tag[1:] if tag.startswith("#") else tag
    if not word or "#" in word or any(ch.isspace() for ch in word):
        return None
    if word[0] == "＃":
        return "starts with a full-width `＃` (U+FF03): networks see no hashtag; use `#` or leave it out"
    for ch in word:
        category = unicodedata.category(ch)
        if not (ch == "_" or category[0] in "LM" or category == "Nd"):
            name = unicodedata.name(ch, "unnamed character").lower()
            return f"has `{ch}` (U+{ord(ch):04X}, {name}): networks end a hashtag there"
    if not any(ch.isalpha() for ch in word):
        return "has no letter: a tag of digits and `_` alone is not linked (X, Mastodon)"
    return None


def _hashtag_problems(meta: dict, positions: Positions, file: str) -> list[Diagnostic]:
    found = []
    for path, _, tags in written(meta, "hashtags"):
        for index, tag in enumerate(tags if isinstance(tags, list) else ()):
            problem = hashtag_problem(published(tag)) if isinstance(tag, str) and not tag.startswith("+") else None  # `+set`: brand/hashtags.yml
            if problem:
                found.append(Diagnostic.at(file, positions.at(path + (index,)), ERROR, "post.hashtag",
                                           f"hashtag `{tag}` {problem}",
                                           "a hashtag is letters (any script), digits and `_`: `GreenTea`, `green_tea`, `绿茶`"))
    return found


def _unclosed_comments(value: object, path: tuple, positions: Positions, file: str) -> list[Diagnostic]:
    """`render.unclosed-comment` for each front matter string with a `<!--` never closed (an
    override's `text` is the renderer's to report, like the body)."""
    if isinstance(value, dict):
        return [d for key, item in value.items() if not (len(path) == 2 and path[0] == "overrides" and key == "text")
                for d in _unclosed_comments(item, path + (key,), positions, file)]
    if isinstance(value, list):
        return [d for index, item in enumerate(value) for d in _unclosed_comments(item, path + (index,), positions, file)]
    if isinstance(value, str) and strip_comments(value)[1] is not None:
        return [Diagnostic.at(file, positions.at(path), ERROR, "render.unclosed-comment",
                              f"`{'.'.join(map(str, path))}`: `<!--` is never closed, so it would be published as text",
                              "end the comment with `-->`, or write `&lt;!--` to show it")]
    return []


def _all_overridden(meta: dict) -> bool:
    """Every account has its own `text`, so an empty body is fine (wrong types: no)."""
    accounts = meta.get("platforms")
    if not (isinstance(accounts, list) and accounts):
        return False
    return all(isinstance(a, str) and for_account(meta, "", a).text_path for a in accounts)


def _publish_at(meta: dict, positions: Positions, file: str, tz: tzinfo, found: list[Diagnostic]) -> datetime | None:
    raw = meta.get("publish_at")
    if raw is None:
        if not meta.get("draft") and not meta.get("reply_to"):  # a reply is due once merged
            line = positions.of_value(())[0]
            found.append(Diagnostic(file, line, 1, ERROR, "post.publish-at-missing", "`publish_at` is missing",
                                    hint="add `publish_at: 2026-11-27T12:00`, or `draft: true` to keep it unscheduled"))
        return None
    if not isinstance(raw, str):
        return None  # the schema reports the type
    place = positions.at(("publish_at",))
    try:
        when = parse_when(raw, tz)
    except ValueError as exc:
        found.append(Diagnostic.at(file, place, ERROR, "post.publish-at", f"`publish_at` {raw!r}: {exc}"))
        return None
    problem = _daylight_saving_problem(raw, when)
    if problem:
        found.append(Diagnostic.at(file, place, WARNING, "post.publish-at-dst", f"`publish_at` {raw!r} {problem}",
                                   "give the time with its offset, e.g. `2026-03-29T03:30:00+02:00`"))
    return exact(when)


def _daylight_saving_problem(raw: str, when: datetime) -> str | None:
    """A local time that a clock change skips or repeats (only for times without an offset)."""
    if datetime.fromisoformat(raw.strip()).tzinfo is not None:
        return None
    if when.astimezone(timezone.utc).astimezone(when.tzinfo).replace(tzinfo=None) != when.replace(tzinfo=None):
        return f"does not exist in {when.tzinfo}: the clocks skip it; it is read as {when.isoformat()}"
    if when.replace(fold=1).utcoffset() != when.utcoffset():
        return f"happens twice in {when.tzinfo} (the clocks go back); the first one is used"
    return None


def calendar_order(post: Post) -> tuple[float, str]:
    """A sort key for posts with a publish time: the instant (as a number: comparing aware
    datetimes is slow over thousands of posts), then the file."""
    return post.publish_at.timestamp(), post.file


def media_names(post: Post) -> list[str]:
    """The media files a post names, for itself or any account (sorted, each once): its `media` as
    written and as published, and each of its accounts' override `media` (as for_account() picks them,
    without making the rest of each account's view: the site asks this of every post each build)."""
    chosen = overrides(post.meta)
    own = post.meta.get("media")
    lists = [own]
    for account in post.accounts:
        override = chosen.get(account) or {}
        lists.append(published(override["media"] if "media" in override else own))
    names = {item.get(field) for items in lists for item in items or [] if isinstance(item, dict) for field in ("file", "cover")}
    return sorted(n for n in names if isinstance(n, str))


def read_post(root: Path, file: str, tz: tzinfo, cache: FileCache | None = None,
              data: bytes | None = None) -> tuple[Post | None, list[Diagnostic]]:
    """The post in a file and its problems; `data`: the file's bytes, already read."""
    if cache is not None:  # symbolic links are never cached: read_text checks where they lead
        cached, data = cache.lookup(file, MAX_TEXT_BYTES)
        if cached is not MISS:
            return cached
    text, found = decode(data, file) if data is not None else read_text(root, file)
    post = None
    if text is not None:
        post, more = parse_post(file, text, tz, str(root))
        found += more
    if cache is not None and data is not None:
        cache.store(file, (post.without_positions() if post else None, found))
    return post, found


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn", ".mdx")


def post_files(root: Path) -> list[str]:
    """Every post file under content/ (see content_files)."""
    return content_files(root)[0]


def content_files(root: Path) -> tuple[list[str], list[str], list[str]]:
    """(posts, look-alikes, unnamed) under content/. Posts: `*.md`, except README.md and names starting `_`
    or `.`; a folder (or named pipe, socket, ...) with such a name is listed too: reading it reports
    it. Look-alikes: other Markdown files (`*.markdown`, `*.MD`, ...), which are not read. Unnamed:
    posts whose path is not UTF-8 (git allows any bytes), shown with `\\xNN` escapes, not read."""
    found, lookalikes, unnamed = [], [], []
    top = os.fspath(root / CONTENT_DIR)
    for folder, dirs, files in walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        prefix = CONTENT_DIR + folder[len(top):].replace(os.sep, "/")  # a folder's path from the root (no Path: hundreds of them)
        for name in files + dirs:
            if name.startswith(("_", ".")) or name[:6].lower() == "readme" and Path(name).stem.lower() == "readme":
                continue
            file = f"{prefix}/{name}"
            if name.endswith(".md") and not file.isascii() and not is_utf8(file):
                unnamed.append(shown_name(file))
            elif name.endswith(".md"):
                found.append(file)
            elif name.lower().endswith(MARKDOWN_SUFFIXES) and name in files:
                lookalikes.append(file)
    return sorted(found), sorted(lookalikes), sorted(unnamed)


def shown_name(file: str) -> str:
    """A path read from the file system as reports name it: one that is not UTF-8 with `\\xNN` escapes."""
    return file if file.isascii() or is_utf8(file) else file.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def unnamed_errors(files: list[str]) -> list[Diagnostic]:
    """`file.unreadable`: a post whose file name is not UTF-8 is not read (no report, page or record could name it)."""
    return [Diagnostic(file, 1, 1, ERROR, "file.unreadable", "the file's name is not UTF-8 text, so it is not read",
                       "rename it (e.g. `git mv`) to a name in UTF-8") for file in files]


def lookalike_warnings(files: list[str]) -> list[Diagnostic]:
    """`post.extension`: a Markdown file that is not read as a post, so its editor knows."""
    return [Diagnostic(file, 1, 1, WARNING, "post.extension",
                       f"`{Path(file).name}` is not read as a post: posts are `*.md` files (lowercase `.md`)",
                       f"rename it to `{Path(file).stem}.md` to publish it, or start its name with `_` to keep it as a note")
            for file in files]
