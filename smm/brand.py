"""brand/brand.yml (rendering settings) and brand/handles.yml (who `@{name}` is on each network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from smm.config import load_yaml_file
from smm.diagnostics import Diagnostic

BRAND_FILE = "brand/brand.yml"
HANDLES_FILE = "brand/handles.yml"


@dataclass(frozen=True)
class Brand:
    name: str = ""
    hashtag_placement: str = "end"
    thread_numbering: bool = False
    alt_required: bool = True
    handles: dict = field(default_factory=dict)
    handles_broken: bool = False  # brand/handles.yml has errors: a missing handle is its fault, reported there

    def handle(self, who: str, account: str, platform: str) -> str | None:
        """`@{who}` as written for this account: by account name, platform name, then `default`."""
        entry = self.handles.get(who) or {}
        return entry.get(account) or entry.get(platform) or entry.get("default")


def load_brand(root: Path) -> tuple[Brand, list[Diagnostic]]:
    settings = load_yaml_file(root, BRAND_FILE, "brand")
    handles = load_yaml_file(root, HANDLES_FILE, "handles")
    data = settings.data if not settings.diagnostics else {}
    brand = Brand(
        name=data.get("name", root.name),
        hashtag_placement=data.get("hashtag_placement", "end"),
        thread_numbering=data.get("thread_numbering", False),
        alt_required=data.get("alt_text", "required") == "required",
        handles=handles.data if not handles.diagnostics else {},
        handles_broken=any(d.is_error for d in handles.diagnostics),
    )
    return brand, settings.diagnostics + handles.diagnostics
