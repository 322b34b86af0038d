"""`smm init`: scaffold a new brand's content repository that passes `smm check` at once."""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path

from smm.errors import SmmError, UsageError
from smm.timezones import timezone_hint

WORKFLOWS = ("validate.yml", "pr-comment.yml", "publish.yml")


def _networks(requirement: str) -> str:
    """The same requirement with the `networks` extra: `.` → `.[networks]`, `smm==1.0` → `smm[networks]==1.0`."""
    match = re.match(r"^([A-Za-z0-9_.-]+|\.)(.*)$", requirement)
    if not match:
        raise UsageError(f"cannot add the networks extra to {requirement!r}")
    return f"{match.group(1)}[networks]{match.group(2)}"


def workflow(name: str, requirement: str) -> str:
    """One of the content repository's workflows, installing smm as `requirement` says."""
    text = resources.files("smm.scaffold").joinpath("workflows", name).read_text("utf-8")
    return text.replace("__SMM_NETWORKS__", _networks(requirement)).replace("__SMM__", requirement)


def files(brand: str, timezone: str, requirement: str, now: datetime) -> dict[str, str]:
    """Every file of a new repository by path."""
    scaffold = resources.files("smm.scaffold")
    monday = (now + timedelta(days=7 - now.weekday())).date()
    values = {"__BRAND__": brand, "__TIMEZONE__": timezone, "__WHEN__": datetime.combine(monday, time(12)).isoformat(timespec="minutes"),
              # quoted for YAML: `Tea: Co`, `yes` or `#1` stay text
              "__BRAND_YAML__": json.dumps(brand, ensure_ascii=False),
              "__TITLE_YAML__": json.dumps(f"Hello from {brand}", ensure_ascii=False),
              "__TODAY__": now.date().isoformat(), "__DEADLINE__": (now.date() + timedelta(days=180)).isoformat()}

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


def init(target: Path, brand: str, timezone: str, requirement: str, now: datetime, force: bool = False) -> list[str]:
    """Write the repository; refuse to overwrite anything unless `force`. The paths written."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {timezone!r}; {timezone_hint(timezone)}") from None
    if "\n" in brand or not brand.strip():
        raise UsageError("the brand name must be one line of text")
    tree = files(brand, timezone, requirement, now.astimezone(zoneinfo.ZoneInfo(timezone)))
    existing = sorted(p for p in tree if (target / p).exists())
    if existing and not force:
        raise SmmError(f"{target} already has {', '.join(existing[:5])}{' …' if len(existing) > 5 else ''}; "
                       "use --force to overwrite")
    for path, text in tree.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(text, encoding="utf-8", newline="\n")
    return sorted(tree)
