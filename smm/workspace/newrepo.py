"""`smm init`: scaffold a new brand's content repository that passes `smm check` at once."""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from smm import DISTRIBUTION
from smm.errors import InputError, StateError
from smm.workspace.files import CannotWrite
from smm.workspace.timezones import timezone_hint

WORKFLOWS = ("validate.yml", "check.yml", "pr-comment.yml", "publish.yml", "pages.yml")


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^file:")
_PATH_EXTRAS = re.compile(r"^(?P<path>.*?)(?:\[(?P<extras>[^\[\]]*)\])?$")


def with_extra(requirement: str, extra: str = "networks") -> str:
    """The pip requirement with `extra` added once, in a form pip accepts:
    `smm-git>=0.2` → `smm-git[networks]>=0.2`; `git+https://…@v1` → `smm-git[networks] @ git+https://…@v1`;
    `./vendor/smm` → `./vendor/smm[networks]`; extras already there are kept, never doubled."""
    spec = requirement.strip()
    if _URL.match(spec):
        spec = f"{DISTRIBUTION} @ {spec}"
    try:
        parsed = Requirement(spec)
    except InvalidRequirement as exc:
        if spec.startswith((".", "/", "~")) or "/" in spec:  # a folder or a file, as pip reads it
            match = _PATH_EXTRAS.match(spec)
            extras = {e.strip() for e in (match["extras"] or "").split(",") if e.strip()} | {extra}
            return f"{match['path']}[{','.join(sorted(extras))}]"
        raise InputError(f"--smm-requirement {requirement!r} is not a pip requirement ({str(exc).splitlines()[0]}); "
                         f"use e.g. {DISTRIBUTION}==0.1.0, git+https://github.com/OWNER/smm@v0.1.0 "
                         "or ./vendor/smm") from None
    if parsed.name.lower() == "smm" and not parsed.url:
        raise InputError(f"--smm-requirement {requirement!r}: `smm` on the Python package index is another project; "
                         f"this smm is published as `{DISTRIBUTION}` (e.g. {DISTRIBUTION}==0.1.0)")
    parsed.extras = parsed.extras | {extra}
    return str(parsed)


def _checked(requirement: str) -> str:
    """The requirement as given, once it is known to be one `with_extra` can extend."""
    if any(c in requirement for c in "'\n\r"):
        raise InputError(f"--smm-requirement {requirement!r}: one line without quotes, please")
    with_extra(requirement)
    return requirement.strip()


def workflow(name: str, requirement: str) -> str:
    """One of the content repository's workflows, installing smm as `requirement` says."""
    text = resources.files("smm.scaffold").joinpath("workflows", name).read_text("utf-8")
    requirement = _checked(requirement)
    return text.replace("__SMM_NETWORKS__", with_extra(requirement)).replace("__SMM__", requirement)


def files(brand: str, timezone: str, requirement: str, now: datetime) -> dict[str, str]:
    """Every file of a new repository by path."""
    scaffold = resources.files("smm.scaffold")
    monday = (now + timedelta(days=7 - now.weekday())).date()
    values = {"__BRAND__": brand, "__TIMEZONE__": timezone, "__WHEN__": datetime.combine(monday, time(12)).isoformat(timespec="minutes"),
              # quoted for YAML: `Tea: Co`, `yes` or `#1` stay text
              "__BRAND_YAML__": json.dumps(brand, ensure_ascii=False),
              "__TITLE_YAML__": json.dumps(f"Hello from {brand}", ensure_ascii=False),
              "__TODAY__": now.date().isoformat(), "__DEADLINE__": (now.date() + timedelta(days=180)).isoformat(),
              "__SMM_NETWORKS__": with_extra(_checked(requirement))}

    def read(*parts: str) -> str:
        text = scaffold.joinpath(*parts).read_text("utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    tree = {
        "platforms.yml": read("platforms.yml"),
        "README.md": read("README.md"),
        ".gitignore": read("gitignore"),
        ".gitattributes": read("gitattributes"),
        f"content/{monday:%Y}/{monday:%m}/{monday:%Y-%m-%d}-hello.md": read("welcome.md"),
        "data/.gitkeep": "",
        "brand/templates/README.md": read("brand", "templates", "README.md"),
    }
    for entry in scaffold.joinpath("brand").iterdir():
        if entry.name.endswith(".yml"):
            tree[f"brand/{entry.name}"] = read("brand", entry.name)
    for entry in scaffold.joinpath("brand", "voice").iterdir():  # starter voice rules
        if entry.name.endswith(".yml"):
            tree[f"brand/voice/{entry.name}"] = read("brand", "voice", entry.name)
    for name in WORKFLOWS:
        tree[f".github/workflows/{name}"] = workflow(name, requirement)
    return tree


MAX_BRAND = 200  # "Hello from BRAND", the first post's title, stays under the 300 a title may have


def init(target: Path, brand: str | None, timezone: str, requirement: str, now: datetime, force: bool = False) -> list[str]:
    """Write the repository (the brand named `brand`, None: the folder's name); refuse to overwrite anything
    unless `force`. The paths written."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {timezone!r}; {timezone_hint(timezone)}") from None
    what = "the brand name"
    if brand is None:  # the user typed no name: say where this one came from and how to give another
        brand, what = target.resolve().name, "the brand name (the folder's name; give one with --brand)"
    if not brand.strip():
        raise InputError(f"{what} must not be empty")
    if not brand.isprintable():  # a line break, tab, escape or invisible mark; a byte that is not UTF-8
        raise InputError(f"{what} must be one line of printable text: {brand!r} is not")
    if len(brand) > MAX_BRAND:
        raise InputError(f"{what} is {len(brand)} characters; at most {MAX_BRAND} (it titles the first post)")
    tree = files(brand, timezone, requirement, now.astimezone(zoneinfo.ZoneInfo(timezone)))
    existing = sorted(p for p in tree if (target / p).exists())
    if existing and not force:
        raise StateError(f"{target} already has {', '.join(existing[:5])}{' …' if len(existing) > 5 else ''}; "
                       "use --force to overwrite")
    for path, text in tree.items():
        try:
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:  # a folder nobody may write to, a file where a folder goes, a full disk
            raise CannotWrite(str(target / path), exc) from None
    return sorted(tree)
