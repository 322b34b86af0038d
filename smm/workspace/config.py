"""platforms.yml → Config, and the one way a YAML settings file is read, parsed and schema-checked (load_yaml_file)."""

from __future__ import annotations

import functools
import os
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from smm.check.diagnostics import ERROR, Diagnostic
from smm.errors import ConfigError
from smm.platforms import registry
from smm.workspace.files import as_named, read_text
from smm.workspace.schema import Schema, did_you_mean, schema
from smm.workspace.timezones import timezone_hint
from smm.workspace.positions import Positions

PLATFORMS_FILE = "platforms.yml"


@dataclass(frozen=True)
class Account:
    name: str
    platform: str
    options: dict = field(default_factory=dict, compare=False)

    @property
    def max_lateness(self) -> timedelta | None:
        """How late a post may still go out (the network's default unless set); None means no limit."""
        return parse_duration(self.options.get("max_lateness") or registry()[self.platform].max_lateness)


@dataclass(frozen=True)
class Config:
    root: Path
    timezone: zoneinfo.ZoneInfo
    accounts: dict[str, Account]
    positions: Positions = field(default_factory=Positions, compare=False)
    utm: dict = field(default_factory=dict, compare=False)
    # The account names platforms.yml declares; None while it has errors: then no other file
    # is told an account is unknown (platforms.yml's error is the cause, reported once).
    account_names: tuple[str, ...] | None = field(default=None, compare=False)
    renames: dict[str, str] = field(default_factory=dict, compare=False)  # old account name → its name now (`formerly`)


@dataclass
class YamlFile:
    data: dict
    positions: Positions
    diagnostics: list[Diagnostic]
    exists: bool = True


# A duration: at most 99,999 of a unit (273 years of days), so any time plus it is a time. The
# schemas' duration patterns are this one (a test holds them to it).
DURATION = "[0-9]{1,5}[smhd]"
_DURATION = re.compile(DURATION)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `6h`, `2d` → timedelta; `none` → None (no limit)."""
    if text == "none":
        return None
    if not _DURATION.fullmatch(text):
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[text[-1]]: int(text[:-1])})


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above start (default: the current folder) that holds platforms.yml,
    as git finds .git."""
    try:
        start = as_named(Path.cwd() if start is None else start)  # a post that links elsewhere is looked for from its own folder
    except FileNotFoundError:  # the current folder was removed
        raise ConfigError(f"the current folder was removed: no {PLATFORMS_FILE} can be looked for from it; "
                          "cd into the repository again") from None
    for folder in [start, *start.parents] if start.is_dir() else list(start.parents):
        candidate = folder / PLATFORMS_FILE
        if os.path.lexists(candidate) and not candidate.is_dir():  # a pipe too: reading it reports it
            return folder
    raise ConfigError(f"no {PLATFORMS_FILE} in {start} or any folder above it", path=str(start))


def refuse_broken(root: Path, diagnostics: list[Diagnostic]) -> None:
    """Raise ConfigError with platforms.yml's errors (each explained by a look-alike character it
    hides, if any) when it has errors: nothing can be published or collected from it."""
    from smm.workspace.files import SourceLines
    from smm.workspace.lookalikes import explain

    errors = [d for d in diagnostics if d.is_error and d.file == PLATFORMS_FILE]
    if errors:
        broken = explain([d for d in diagnostics if d.file == PLATFORMS_FILE], SourceLines(root).line)
        raise ConfigError(f"{PLATFORMS_FILE} has errors", diagnostics=broken, root=root)


def load_yaml_file(root: Path, file: str, schema_name: str) -> YamlFile:
    """Read, parse and schema-check one YAML settings file; a missing file is empty (a link
    that leads nowhere, or loops, is not missing: reading it reports it)."""
    if not os.path.lexists(root / file):
        return YamlFile({}, Positions(), [], exists=False)
    text, found = read_text(root, file)
    if text is None:
        return YamlFile({}, Positions(), found)
    from smm.workspace.yamlsource import load  # the YAML parser, imported where a file is parsed (settings kept between runs are not)

    parsed = load(text, file=file)
    found += parsed.diagnostics
    if parsed.data is None and parsed.diagnostics:
        return YamlFile({}, parsed.positions, found)  # unparseable: nothing more to say
    data = {} if parsed.data is None else parsed.data
    if not isinstance(data, dict):
        found.append(Diagnostic(file, 1, 1, ERROR, "yaml.not-mapping", f"{file} must be a mapping of keys to values"))
        return YamlFile({}, parsed.positions, found)
    found += schema(schema_name).validate(data, parsed.positions, file)
    return YamlFile(data, parsed.positions, found)


def timezone_named(name: object, positions: Positions, file: str) -> tuple[zoneinfo.ZoneInfo, list[Diagnostic]]:
    if isinstance(name, str):
        try:
            return zoneinfo.ZoneInfo(name), []
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC"), [Diagnostic.at(
                file, positions.at(("timezone",)), ERROR, "config.timezone", f"unknown time zone `{name}`",
                timezone_hint(name),
            )]
    return zoneinfo.ZoneInfo("UTC"), []


def config_from(root: Path, loaded: YamlFile) -> tuple[Config, list[Diagnostic]]:
    """platforms.yml → Config, with every problem found (an unusable file still yields a Config)."""
    found = list(loaded.diagnostics)
    tz, tz_found = timezone_named(loaded.data.get("timezone"), loaded.positions, PLATFORMS_FILE)
    found += tz_found
    accounts = {}
    raw_accounts = loaded.data.get("accounts")
    known = registry()
    invalid = any(d.is_error for d in loaded.diagnostics)  # (then some account's options may be the cause)
    if isinstance(raw_accounts, dict):
        for name, options in raw_accounts.items():
            if not (isinstance(options, dict) and isinstance(options.get("platform"), str)):
                continue
            if invalid and _invalid_account(options):
                continue  # its errors are reported; none of its options is used (`char_limit: "500"` compared with a count)
            if options["platform"] not in known:
                found.append(Diagnostic.at(
                    PLATFORMS_FILE, loaded.positions.at(("accounts", name, "platform")), ERROR, "config.unknown-platform",
                    f"unknown platform `{options['platform']}` for account `{name}`",
                    did_you_mean(options["platform"], known) or f"platforms are: {', '.join(sorted(known))}",
                ))
                continue
            accounts[name] = Account(name, options["platform"], options)
    renames, renames_found = _renames(raw_accounts if isinstance(raw_accounts, dict) else {}, loaded.positions)
    found += renames_found
    utm = loaded.data.get("utm") if isinstance(loaded.data.get("utm"), dict) else {}
    usable = isinstance(raw_accounts, dict) and raw_accounts and not any(d.is_error for d in found)
    names = tuple(raw_accounts) if usable else None
    return Config(root, tz, accounts, loaded.positions, utm, names, renames), found


def _invalid_account(options: dict) -> bool:
    """Whether one of an account's options is not of the form platforms.yml's schema gives it (its
    errors name it; a missing or unknown option does not count: the account is still checked)."""
    return bool(_options_schema().messages(options))


@functools.cache
def _options_schema() -> Schema:
    document = schema("platforms").document
    return Schema({"$defs": document["$defs"], "type": "object", "properties": document["$defs"]["account"]["properties"]})


def _renames(raw_accounts: dict, positions: Positions) -> tuple[dict[str, str], list[Diagnostic]]:
    """Each account's former names (`formerly`) → its name now; a former name that is another
    account's name now, or that two accounts claim, is an error (whose records would they be?)."""
    renames: dict[str, str] = {}
    found = []
    for name, options in raw_accounts.items():
        formerly = options.get("formerly") if isinstance(options, dict) else None
        olds = [formerly] if isinstance(formerly, str) else formerly if isinstance(formerly, list) else []
        for index, old in enumerate(olds):
            if not isinstance(old, str):
                continue  # the schema's error
            at = positions.at(("accounts", name, "formerly") + ((index,) if isinstance(formerly, list) else ()))
            if old in raw_accounts:
                found.append(Diagnostic.at(
                    PLATFORMS_FILE, at, ERROR, "config.formerly",
                    f"account `{name}` was formerly `{old}`, but `{old}` is an account in {PLATFORMS_FILE} now",
                    f"remove `{old}` from `formerly` (its publish records are its own), or remove or rename account `{old}`"))
            elif renames.setdefault(old, name) != name:
                found.append(Diagnostic.at(
                    PLATFORMS_FILE, at, ERROR, "config.formerly",
                    f"accounts `{renames[old]}` and `{name}` were both formerly `{old}`",
                    f"keep `{old}` in the `formerly` of the one it was renamed to"))
    return renames, found
