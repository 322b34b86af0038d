"""Platforms by name, from the `smm.platforms` entry-point group (built-ins register there too)."""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from smm.errors import ConfigError

if TYPE_CHECKING:  # httpx is imported where calls are made: checking needs no network
    import httpx

    from smm.platforms.base import Platform

# The contract's types, from smm.platforms.base when first asked for (PEP 562): a run that needs no
# platform (a warm `smm check`) does not load the base class and the counting it brings.
_FROM_BASE = ("Credentials", "Display", "Found", "Incoming", "Lookup", "MediaRules", "Metrics", "Outgoing", "Platform",
              "PublishResult", "Readiness", "VideoRules")
__all__ = [*_FROM_BASE, "registry", "platform_class", "registered", "reported_limits", "kept_reported_limits"]


def __getattr__(name: str) -> object:
    if name in _FROM_BASE:
        from smm.platforms import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def registry() -> dict[str, type[Platform]]:
    """Every installed platform class by its `platform:` name."""
    from importlib.metadata import entry_points

    return registered((entry.value, entry.load()) for entry in entry_points(group="smm.platforms"))


def registered(classes) -> dict[str, type[Platform]]:
    """{name: class} of (where, class) pairs; a ConfigError names a clash or a broken declaration."""
    from smm.platforms.base import FLAVORS, Platform  # not from smm.render.markup: no Markdown to list platforms

    found: dict[str, type[Platform]] = {}
    where: dict[str, str] = {}
    for origin, cls in classes:
        name = getattr(cls, "name", None)
        if name in found and found[name] is not cls:
            raise ConfigError(f"two platforms are named `{name}`: {where[name]} and {origin}; uninstall one of them")
        problems = [f"markup `{cls.markup}` is not one of {', '.join(FLAVORS)}"] if cls.markup not in FLAVORS else []
        problems += [f"{flag} is set but `{method}` is not implemented"
                     for flag, method in (("has_metrics", "metrics"), ("has_followers", "followers"), ("has_inbox", "inbox"), ("has_search", "search"))
                     if getattr(cls, flag) and getattr(cls, method) is getattr(Platform, method)]
        if not isinstance(name, str) or problems:
            raise ConfigError(f"platform {origin}: " + ("; ".join(problems) or "it declares no `name`"))
        found[name], where[name] = cls, origin
    return found


@cache
def platform_class(name: str) -> type[Platform]:
    """The class of the platform `name` (KeyError: none). With smm's own platforms alone installed
    (no plugin whose class could clash), only its module is imported; else through registry()."""
    own = _own_entries() if not registry.cache_info().currsize else None
    found = (own or {}).get(name, [])
    if len(found) == 1:
        cls = found[0].load()
        if getattr(cls, "name", None) == name:
            return registered([(found[0].value, cls)])[name]
    return registry()[name]


@cache
def _own_entries() -> dict[str, list] | None:
    """The group's entry points by name (listed once: a listing reads every installed package's
    metadata), or None when one is not smm's own (a plugin)."""
    from importlib.metadata import entry_points

    entries = list(entry_points(group="smm.platforms"))
    if not all(entry.value.startswith("smm.platforms.") for entry in entries):
        return None
    by_name: dict[str, list] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    return by_name


LIMITS_KEPT = 24 * 3600  # seconds a text limit a network reported is used before it is asked again


def kept_reported_limits(root: Path, accounts: Mapping) -> dict[str, int]:
    """reported_limits, the answers kept LIMITS_KEPT in the repository's cache for the same accounts
    (asking on every run would cost each check and site build a request of up to 3 s); no platform
    is imported when no account could report one (`SMM_OFFLINE=1`, or every `char_limit` set)."""
    if os.environ.get("SMM_OFFLINE") == "1" or all(a.options.get("char_limit") for a in accounts.values()):
        return {}
    from smm.workspace.cache import recall, remember

    asked = repr(sorted((name, account.platform, repr(sorted(account.options.items())))
                        for name, account in accounts.items()))
    kept = recall(root, "reported-limits", asked)
    if isinstance(kept, tuple) and 0 <= time.time() - kept[0] < LIMITS_KEPT:
        return kept[1]
    limits = reported_limits(accounts)
    remember(root, "reported-limits", asked, (time.time(), limits))
    return limits


def reported_limits(accounts: Mapping, transport: httpx.BaseTransport | None = None) -> dict[str, int]:
    """The text limit each account ({name: config.Account}) has as its network reports it (a
    Mastodon instance's), asked once per source; none when SMM_OFFLINE=1 and no `transport` is given."""
    if os.environ.get("SMM_OFFLINE") == "1" and transport is None:
        return {}
    answers: dict[str, int | None] = {}
    found = {}
    for name, account in accounts.items():
        platform = platform_class(account.platform)
        source = None if account.options.get("char_limit") else platform.limit_source(account.options)
        if source is not None and source not in answers:
            answers[source] = platform.reported_limit(source, transport)
        if source is not None and answers[source]:
            found[name] = answers[source]
    return found
