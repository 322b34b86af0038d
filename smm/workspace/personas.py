"""brand/personas.yml: who the brand writes for.

    quiet_days: 14                   # smm check warns about a persona no post was for in this many days
    personas:
      tea-novice:
        name: Tea novice 新手
        description: Curious, buys tea bags, wants simple steps.
        networks: [instagram, bluesky]      # platform or account names
        active_hours: ["07:00-09:00", "20:00-23:00"]
        languages: [en, zh-Hans]

Posts name personas in `audience`; `smm report` groups results by them and gives each its
best times from its networks' posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace.config import YamlFile
from smm.workspace.schema import did_you_mean

PERSONAS_FILE = "brand/personas.yml"
DEFAULT_QUIET_DAYS = 14


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    description: str = ""
    networks: tuple[str, ...] = ()  # empty: every network
    active_hours: tuple[tuple[time, time], ...] = ()
    languages: tuple[str, ...] = ()
    line: int = 1  # where it is declared in brand/personas.yml
    column: int = 1

    def reaches(self, account: str, platform: str) -> bool:
        """Whether a post on this account (of this platform) reaches the persona's networks."""
        return not self.networks or account in self.networks or platform in self.networks

    def active_at(self, hour: int) -> bool | None:
        """Whether an hour (0–23) starts within the active hours; None when it has none."""
        if not self.active_hours:
            return None
        at = time(hour)
        return any(start <= at < end if start < end else at >= start or at < end for start, end in self.active_hours)


@dataclass(frozen=True)
class Personas:
    personas: dict[str, Persona] = field(default_factory=dict)
    quiet_days: int = DEFAULT_QUIET_DAYS


def personas_from(loaded: YamlFile, config) -> tuple[Personas, list[Diagnostic]]:
    """brand/personas.yml → Personas (none while the file has errors), with its problems: the
    schema's, and networks that are neither a platform nor an account of platforms.yml."""
    from smm.platforms import registry

    found = list(loaded.diagnostics)
    raw = loaded.data.get("personas") if not found else None
    known = sorted(set(registry()) | set(config.account_names or ()))
    personas = {}
    for key, spec in (raw or {}).items():
        spec = spec or {}
        for index, network in enumerate(spec.get("networks") or []):
            if network not in known:
                found.append(Diagnostic.at(PERSONAS_FILE, loaded.positions.at(("personas", key, "networks", index)), ERROR,
                                           "personas.unknown-network",
                                           f"`{network}` is neither a platform nor an account of platforms.yml",
                                           did_you_mean(network, known) or f"platforms and accounts are: {', '.join(known)}"))
        line, column = loaded.positions.at(("personas", key), key=True)[:2]
        personas[key] = Persona(key, spec.get("name") or key, spec.get("description") or "", tuple(spec.get("networks") or ()),
                                tuple(_hours(h) for h in spec.get("active_hours") or ()), tuple(spec.get("languages") or ()),
                                line, column)
    if found:
        return Personas(), found
    return Personas(personas, loaded.data.get("quiet_days") or DEFAULT_QUIET_DAYS), found


def _hours(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)
