"""Platforms by name, from the `smm.platforms` entry-point group (built-ins register there too)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from smm.platforms.base import Lookup, Metrics, MediaRules, Outgoing, Platform, PublishResult

__all__ = ["Lookup", "Metrics", "MediaRules", "Outgoing", "Platform", "PublishResult", "registry", "platform_class"]


@cache
def registry() -> dict[str, type[Platform]]:
    """Every installed platform class by its `platform:` name."""
    found = {}
    for entry in entry_points(group="smm.platforms"):
        cls = entry.load()
        found[cls.name] = cls
    return found


def platform_class(name: str) -> type[Platform]:
    return registry()[name]
