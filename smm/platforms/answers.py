"""What smm keeps of a network's answers: the records an adapter returns (smm.platforms.messages, Found),
each value checked by the type its record declares before anything is written under data/ or compared.

    int       a count: a whole number from 0 to smm.data.tables.MAX_COUNT (an int, or its digits as
              text; never a bool)
    datetime  an aware time in YEARS (one without a zone is read as UTC)
    str       text: an id sent as a number becomes its digits; NUL and the other control characters but
              tab and line breaks are dropped, and a lone surrogate (`"\\ud800"` in JSON) becomes U+FFFD;
              a `text` is cut to MAX_TEXT characters, any other text (an id, a handle) longer than
              MAX_FIELD is refused; a `url` that is no URL (`123`, `javascript:…`) is dropped
    bool      True or False

Null where a value is required is the field's default (no likes) or an empty text. Anything else (`-5`
or `1e300` likes, `lots`, a time in the year 9999, an id missing) makes the record one smm cannot keep:
`checked` raises ValueError naming the field and the value, and `kept` leaves the record out and says why
(a record repeated in an answer, such as a page a repeating cursor sent twice, is kept once).

An id an adapter records or sends back (a post's, an uploaded file's) goes through `ident`: null is no id.
What an adapter reads for itself goes through `number` (a rate-limit reset, a usage percentage), `code`
(a status or error code, `"4"` as 4) and `epoch` (a time in seconds): what is none is none said, never
an error raised in the middle of a call that may have published a post.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields, replace
from datetime import datetime, timezone

from smm.errors import finite_number as number  # (a header's or a field's figure: none said, never an error)
from smm.workspace.timezones import YEARS, YEARS_TEXT

MAX_TEXT = 10_000  # characters of what a person said (a longer text is cut): an inbox line stays under its limit
MAX_FIELD = 2_000  # characters of an id, a handle or a URL
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def count(value, name: str = "count") -> int | None:
    """A count as an int (None: not said); ValueError when it is no whole number from 0 to MAX_COUNT."""
    from smm.data.tables import MAX_COUNT  # (the platforms load without the data layer: `smm check`)

    if value is None:
        return None
    whole = None
    if isinstance(value, int) and not isinstance(value, bool):
        whole = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        whole = int(value)
    elif isinstance(value, float) and value.is_integer():
        whole = int(value)
    if whole is None or not 0 <= whole <= MAX_COUNT:
        raise ValueError(f"{name} {_shown(value)} is not a count (a whole number from 0 to {MAX_COUNT:,})")
    return whole


def code(value) -> int | None:
    """A status or error code a network answers (`4`, or `"4"`: a code sent as text is the code it spells),
    as an int; None for anything else."""
    found = number(value)
    return int(found) if found is not None and found.is_integer() else None


def epoch(value, per_second: int = 1) -> datetime | None:
    """A time a network says in seconds since 1970 (`per_second` 1000: in milliseconds), its digits as
    text too; None when that is no time in YEARS (`1e300`, `soon`, `true`)."""
    seconds = number(value)
    try:
        return moment(datetime.fromtimestamp(seconds / per_second, timezone.utc)) if seconds is not None else None
    except (ValueError, OverflowError, OSError):
        return None


def moment(value, name: str = "time") -> datetime | None:
    """An aware datetime in YEARS (UTC when it names no zone); ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=timezone.utc)
        try:
            if value.astimezone(timezone.utc).year in YEARS:
                return value
        except OverflowError:  # year 1 at +14:00 is no time in UTC
            pass
    raise ValueError(f"{name} {_shown(value)} is not a time in {YEARS_TEXT}")


def text(value, name: str = "text") -> str | None:
    """Text as smm writes it (see the module); ValueError for what is no text, or an id too long."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} {_shown(value)} is not a text")
    value = _SURROGATE.sub("\ufffd", _DROPPED.sub("", value))
    if name == "text":
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT - 1] + "…"
    if len(value) > MAX_FIELD:
        raise ValueError(f"{name} of {len(value):,} characters is longer than {MAX_FIELD:,}")
    return value


def ident(value, name: str = "id") -> str:
    """The id a network gave what it made or holds (a number, or its text) as text, to record or send back;
    ValueError for none (null, empty, true, an object): an answer without one is an answer smm cannot read,
    never a post recorded as `None`."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise ValueError(f"{name} {_shown(value)} is no id")
    return str(value)


def _url(value, name: str = "url") -> str | None:
    """A URL is where the network shows a post, never needed: one that is no URL (a number, an object,
    `javascript:…`, white space in it) is dropped, not refused."""
    try:
        value = text(value, name)
    except ValueError:
        return None
    return value if value and _URL.fullmatch(value) else None


def _flag(value, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{name} {_shown(value)} is not true or false")


_CHECKS = {"int": count, "datetime": moment, "str": text, "bool": _flag}


def checked(record):
    """The record with each value as smm keeps it (by the type its field declares); ValueError naming
    the first value that cannot be kept."""
    changes = {}
    for field in fields(record):
        declared = str(field.type).replace(" ", "")
        kind, optional = declared.split("|")[0], "|None" in declared or declared.startswith("None|")
        check = _url if field.name == "url" else _CHECKS.get(kind)
        if check is None:  # an adapter's own (a dict of extras, a set of scopes)
            continue
        value = getattr(record, field.name)
        kept = check(value, field.name)
        if kept is None and not optional:  # null said: the field's default (no likes, no text), else no record
            if field.default is MISSING and field.name != "text":
                raise ValueError(f"{field.name} is missing")
            kept = "" if field.name == "text" else field.default
        if kept is not value:
            changes[field.name] = kept
    return replace(record, **changes) if changes else record


def identity(record) -> tuple:
    """What makes two records one: an entrant's kind and person, else the record's first field (its id)."""
    if {"kind", "author_id"} <= {f.name for f in fields(record)}:
        return record.kind, record.author_id
    return (getattr(record, fields(record)[0].name),)


def kept(records) -> tuple[list, dict[str, str]]:
    """The records smm can keep, checked, each once (the first of those with the same identity); and
    why each other one was left out, by its id (`{"123": "123: likes `-5` is not a count ..."}`)."""
    found, problems, seen = [], {}, set()
    for record in records:
        try:
            record = checked(record)
        except ValueError as exc:
            key = str(identity(record)[-1])
            problems[key] = f"{said(key)}: {exc}"
            continue
        key = identity(record)
        if key not in seen:
            seen.add(key)
            found.append(record)
    return found, problems


def left_out(label: str, problems: dict[str, str], noun: str, outcome: str = "left out") -> str:
    """What a command says of the records `kept` left out: how many, what became of them, why the first was."""
    many = f"{len(problems)} {noun}s" if len(problems) != 1 else f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    return f"{label} answered {many} smm cannot keep, {outcome}: {next(iter(problems.values()))}"


def said(value: str, limit: int = 40) -> str:
    """Text as a message quotes it: on one line, without control characters, at most `limit` characters."""
    value = _SURROGATE.sub("\ufffd", _DROPPED.sub("", value)).replace("\n", " ").replace("\r", " ")
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _shown(value) -> str:
    return f"`{said(value if isinstance(value, str) else value.isoformat() if isinstance(value, datetime) else repr(value))}`"
