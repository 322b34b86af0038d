"""Property tests: any front matter, however broken, gives diagnostics and never an exception.

Three kinds of input: YAML-ish text built from YAML's special characters, mappings of the
schema's own field names to values of random types (dumped with yaml.safe_dump), and raw
bytes. Each goes through `smm.content.post.parse_post` and through a full `smm check` of a
temp repository. Properties: nothing escapes; every diagnostic points at a real line
(>= 1, within the file) and column (>= 1, within its line) and has a rule id; invalid
input always yields at least one error. For the mappings, whose validity an independent
oracle decides (the JSON Schema with ECMA-262 patterns, plus the rules for publish_at,
the body, accounts, pillars and media), valid input yields none of those errors either.
Bounded: 200 derandomized examples per property. Inputs the properties once caught are
pinned in KNOWN_FIELDS / KNOWN_YAML and run every time.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from smm.check.diagnostics import ERROR, WARNING
from smm.check.run import run_check
from smm.content.post import parse_post

BASE = Path(__file__).parent / "fixtures" / "invalid" / "base"
SCHEMA = json.loads((Path(__file__).parents[1] / "smm" / "schemas" / "post.schema.json").read_text("utf-8"))


def _ecma_pattern(validator, pattern, instance, schema):
    """JSON Schema patterns are ECMA-262 regexes: `$` is the end of the text, not of a line."""
    whole = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    if validator.is_type(instance, "string") and not re.search(whole, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


VALIDATOR = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})(SCHEMA)
FIELDS = sorted(SCHEMA["properties"])
ACCOUNTS = ["feed", "mastodon", "bluesky"]
PILLARS = ["tips", "product", "behind-the-scenes"]
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
RULE = re.compile(r"^[a-z]+(\.[a-z0-9]+(-[a-z0-9]+)*)+$")
FILE = "content/fuzz.md"

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- strategies ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**20), st.floats(allow_nan=False),
    st.text(max_size=20), st.sampled_from(["", " ", "yes", "no", "~", "null", "12:00", "#tag", "- x", "a: b"]),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
when = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.sampled_from([timezone.utc, TZ])).map(lambda d: d.isoformat()),
    st.sampled_from(["2026-11-27T12:00", "2026-11-27", "2026-02-30T12:00", "2026-13-01T12:00",
                     "2026-11-27T25:00", "2026-11-27 12:00", "2026-11-27T12:00Z", "tomorrow", ""]),
    st.text(max_size=20),
)
account = st.one_of(st.sampled_from(ACCOUNTS), st.sampled_from(["twitter", "Feed", "mastodon\u200b", ""]), st.text(max_size=6))
media_item = st.fixed_dictionaries(
    {"file": st.one_of(st.sampled_from(["content/media/photo.png", "content/media/nope.png", "../photo.png",
                                        "/etc/passwd", "content/media/../media/photo.png", "content/media",
                                        "content/./media/photo.png", ""]), st.text(max_size=12))},
    optional={"alt": st.text(max_size=10), "atl": st.text(max_size=5)},
)
override = st.fixed_dictionaries(
    {}, optional={"text": st.text(max_size=10), "hashtags": st.lists(st.text(max_size=6), max_size=2),
                  "media": st.lists(media_item, max_size=2), "link": st.sampled_from(["https://x.example", "ftp://x"])},
)
plausible = {
    "id": st.one_of(st.sampled_from(["winter-blend", "a.b_c-1", "Winter", "winter blend", "-x", "../x", "winter\n"]),
                  st.text(max_size=8)),
    "title": st.one_of(st.text(min_size=1, max_size=30), st.just("x" * 301)),
    "publish_at": when,
    "platforms": st.lists(account, max_size=4),
    "draft": st.booleans(),
    "campaign": st.sampled_from(["winter-2026", "Winter_2026.b", "winter 2026", "-x"]),
    "pillar": st.one_of(st.sampled_from(PILLARS), st.sampled_from(["recipes", "Tips", ""])),
    "tags": st.lists(st.text(max_size=6), max_size=3),
    "hashtags": st.lists(st.sampled_from(["tea", "#tea", "茶", "two words", "#", "a#b", "", "tea\n"]), max_size=3),
    "link": st.sampled_from(["https://cloudleaf.example/a", "http://x.example", "ftp://x", "javascript:alert(1)",
                             "https://has space.example", "example.com", "https://x.example/\n"]),
    "media": st.lists(media_item, max_size=3),
    "thread": st.sampled_from(["auto", True, False, "yes", 1, 0, None]),
    "sponsored": st.booleans(),
    "overrides": st.dictionaries(account, override, max_size=3),
}
field_value = {name: st.one_of(plausible[name], anything) if name in plausible else anything for name in FIELDS}
field_value |= {"publsh_at": when, "titl\u0435": st.text(max_size=5), "extra": anything}

# Mostly-valid posts with a few fields changed, so that a single mistake must be caught alone.
VALID_POST = {"title": "Winter blend", "publish_at": "2026-11-27T12:00", "platforms": ["feed", "mastodon"]}
DELETE = object()
change = st.sampled_from(sorted(field_value)).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(field_value[name], st.just(DELETE))))


def _changed(changes) -> dict:
    meta = dict(VALID_POST)
    for name, value in changes:
        if value is DELETE:
            meta.pop(name, None)
        else:
            meta[name] = value
    return meta


front_matter = st.lists(change, max_size=3).map(_changed)
bodies = st.one_of(st.just("Our winter blend is here.\n"), st.sampled_from(["", "\n", "  \n\n"]), st.text(max_size=40))

YAML_TOKENS = [
    "title", "platforms", "publish_at", "draft", "media", "file", "overrides", "mastodon", "feed", "true", "~",
    ":", ": ", " ", "  ", "\n", "\n  ", "- ", "-", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!set ",
    "!x ", "!python/object:os.system ", "<<: ", "'", '"', "# ", "|", ">", "? ", "---", "...", "\t", "%YAML 1.1",
    "@", "`", "2026-11-27T12:00", "12:00", "0x1F", "1e3", ".inf", "\\", "é", "云叶", "\ufeff", "\r", "\r\n",
    "\x07", "\x00", "\u2028", "\x85", "\U0001F375",
]
yamlish = st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=4)), max_size=40).map("".join)


# --- oracle ---------------------------------------------------------------------------------

def _is_datetime(text: str) -> bool:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False  # a date alone is not a moment
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    return 1970 <= moment.year <= 2999  # the range smm takes (README: `publish_at`)


def _media_ok(root: Path, file: str) -> bool:
    if PurePosixPath(file).is_absolute() or file.startswith("\\") or ".." in PurePosixPath(file).parts:
        return False
    if ":" in file.split("/")[0]:
        return False
    path = root / file
    return path.is_file() and path.resolve().is_relative_to(root.resolve())


def problems(meta: dict, body: str, root: Path | None = None) -> list[str]:
    """Why this post is invalid (empty: valid), decided without smm."""
    found = [f"schema: {e.message}" for e in VALIDATOR.iter_errors(meta)]
    if found:
        return found
    draft = meta.get("draft") is True
    if "publish_at" not in meta and not draft:
        found.append("publish_at missing")
    if "publish_at" in meta and not _is_datetime(meta["publish_at"]):
        found.append("publish_at not a date and time")
    if "id" not in meta and not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,127}", PurePosixPath(FILE).stem):
        found.append("file name is not an id")
    overrides = meta.get("overrides") or {}
    accounts = meta["platforms"]
    if not body.strip() and not draft and not all(overrides.get(a, {}).get("text") for a in accounts):
        found.append("empty body")
    if root is not None:  # what only the whole repository can tell
        found += [f"unknown account {a!r}" for a in [*accounts, *overrides] if a not in ACCOUNTS]
        if "pillar" in meta and meta["pillar"] not in PILLARS:
            found.append("unknown pillar")
        files = [m["file"] for m in meta.get("media", [])]
        files += [m["file"] for o in overrides.values() for m in o.get("media", [])]
        found += [f"bad media {f!r}" for f in files if not _media_ok(root, f)]
    return found


# --- checks -----------------------------------------------------------------------------------

def assert_well_formed(diagnostics, texts: dict[str, str]) -> None:
    """Sane diagnostics; for files whose text is given, the line and column exist in it.

    Lines are counted as git, editors and GitHub count them: at `\n` only (lone CRs
    are reported by smm and excluded here).
    """
    for d in diagnostics:
        assert isinstance(d.line, int) and d.line >= 1, d
        assert isinstance(d.column, int) and d.column >= 1, d
        assert d.end_column is None or d.end_column >= d.column, d
        assert isinstance(d.rule, str) and RULE.match(d.rule), d
        assert d.severity in (ERROR, WARNING), d
        assert d.message and isinstance(d.message, str), d
        text = texts.get(d.file)
        if text is None or "\r" in text:
            continue
        lines = text.removeprefix("\ufeff").split("\n")
        assert d.line <= len(lines) + 1, f"{d} is past the last line ({len(lines)})"  # or just past it
        if d.line <= len(lines):
            assert d.column <= len(lines[d.line - 1]) + 1, f"{d} is past the end of line {lines[d.line - 1]!r}"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    shutil.copytree(BASE, root)
    return root


def full_check(root: Path, data: bytes):
    (root / FILE).write_bytes(data)
    repo = run_check(root, NOW)
    assert not repo.config_broken
    return [d for d in repo.diagnostics if d.file == FILE]


def errors(diagnostics) -> list:
    return [d for d in diagnostics if d.is_error]


def dump(meta: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


def fields_through_parse_post(meta: dict, body: str) -> None:
    text = dump(meta, body)
    post, found = parse_post(FILE, text, TZ)
    assert_well_formed(found, {FILE: text})
    why = problems(meta, body)
    if why:
        assert errors(found), f"invalid ({why}) but no error for:\n{text}"
        assert post is None or not post.valid  # never rendered, scheduled or published
    else:
        assert not errors(found), f"valid but got {errors(found)} for:\n{text}"
        assert post is not None and post.valid


def modeled_rule(rule: str) -> bool:
    """Rules the oracle in problems() decides; others depend on each network's rendering."""
    return rule.split(".")[0] in {"schema", "yaml", "frontmatter", "file", "post", "record"} \
        or rule in {"media.missing", "media.outside-repo"}


def fields_through_check(root: Path, meta: dict, body: str) -> None:
    text = dump(meta, body)
    found = full_check(root, text.encode("utf-8"))
    assert_well_formed(found, {FILE: text})
    why = problems(meta, body, root) + [f"{c!r} in the file" for c in "\x00\r" if c in text]
    if why:
        assert errors(found), f"invalid ({why}) but no error for:\n{text}"
    else:  # rendering rules (length limits, alt text, ...) are beyond this oracle
        modeled = [d for d in errors(found) if modeled_rule(d.rule)]
        assert not modeled, f"valid but got {modeled} for:\n{text}"


def _yaml_verdict(front: str) -> bool | None:
    """True: certainly invalid front matter; None: can't tell without smm."""
    if any(line.rstrip() in ("---", "...") for line in front.split("\n")):
        return None  # the front matter would end early
    if "\x00" in front:
        return True  # not text (and not allowed in YAML)
    try:
        data = yaml.load(front, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return True
    except Exception:  # e.g. a timestamp that is not a date: smm keeps it as text
        return None
    if not isinstance(data, dict) or "title" not in data or "platforms" not in data:
        return True
    return None


def yamlish_through_both(root: Path, front: str, body: str) -> None:
    text = "---\n" + front + "\n---\n" + body
    post, found = parse_post(FILE, text, TZ)
    assert_well_formed(found, {FILE: text})
    verdict = _yaml_verdict(front)
    if verdict and "\r" not in front:  # parse_post gets text whose line endings are already LF
        assert errors(found), f"invalid YAML but no error for:\n{text!r}"
    checked = full_check(root, text.encode("utf-8"))
    assert_well_formed(checked, {FILE: text})
    if verdict or "\r" in text:
        assert errors(checked), f"invalid YAML but no error for:\n{text!r}"


# --- the properties ---------------------------------------------------------------------------

@FUZZ
@given(meta=front_matter, body=bodies)
def test_random_fields_parse_post(meta, body):
    fields_through_parse_post(meta, body)


@FUZZ
@given(meta=front_matter, body=bodies)
def test_random_fields_full_check(repo, meta, body):
    fields_through_check(repo, meta, body)


@FUZZ
@given(front=yamlish, body=bodies)
def test_yamlish_text(repo, front, body):
    yamlish_through_both(repo, front, body)


@FUZZ
@given(data=st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=120).map(lambda b: b"---\n" + b + b"\n---\nbody\n"),
    st.binary(max_size=60).map(lambda b: b"---\ntitle: " + b + b"\nplatforms: [feed]\npublish_at: 2026-11-27T12:00\n---\nbody\n"),
))
def test_random_bytes(repo, data):
    found = full_check(repo, data)
    assert_well_formed(found, {FILE: data.decode("utf-8", "replace")})
    try:
        data.decode("utf-8")
        undecodable = b"\x00" in data
    except UnicodeDecodeError:
        undecodable = True
    if undecodable or not data.strip() or b"\r" in data or data.startswith(b"\xef\xbb\xbf"):
        assert errors(found), f"no error for {data!r}"


# --- inputs the properties once caught: run every time, whatever the random draw ---------------

KNOWN_FIELDS = {
    "platforms-number-empty-body": ({**VALID_POST, "platforms": 1}, ""),  # the empty-body rule iterated it
    "platforms-nested-list-empty-body": ({**VALID_POST, "platforms": [["feed"]]}, ""),
    "overrides-string-empty-body": ({**VALID_POST, "overrides": "hello"}, ""),
    "id-trailing-newline": ({**VALID_POST, "id": "winter\n"}, "Body.\n"),  # `$` matched before a final newline
    "hashtag-trailing-newline": ({**VALID_POST, "hashtags": ["tea\n"]}, "Body.\n"),
    "link-trailing-newline": ({**VALID_POST, "link": "https://cloudleaf.example/\n"}, "Body.\n"),
    "nel-in-value": ({**VALID_POST, "platforms": ["feed", "\x85"], "campaign": "winter 2026"}, "Body.\n"),
    "line-separator-in-value": ({**VALID_POST, "title": "Winter\u2028blend", "campaign": "winter 2026"}, "Body.\n"),
}
KNOWN_YAML = {
    "tag-on-a-list": 'title: x\npublish_at: 2026-11-27T12:00\nplatforms: !x [feed]',  # the tag was ignored
    "deep-nesting": "title: x\nplatforms: [feed]\ntags: " + "[" * 700 + "]" * 700,  # RecursionError
    "line-separator": 'title: "x\u2028y"\nplatforms: [feed]\npublish_at: 2026-11-27T12:00\ncampaign: a b',
}


@pytest.mark.parametrize("name", sorted(KNOWN_FIELDS))
def test_known_fields_parse_post(name):
    fields_through_parse_post(*KNOWN_FIELDS[name])


@pytest.mark.parametrize("name", sorted(KNOWN_FIELDS))
def test_known_fields_full_check(repo, name):
    fields_through_check(repo, *KNOWN_FIELDS[name])


@pytest.mark.parametrize("name", sorted(KNOWN_YAML))
def test_known_yaml(repo, name):
    yamlish_through_both(repo, KNOWN_YAML[name], "Body.\n")
