"""`smm doctor`: can each account publish from here, and for how long?

For every account in platforms.yml: is it ready (its secrets set and usable, its SDK installed),
does the network accept the credentials (the adapter's `check_credentials`, one cheap call),
do they carry the scopes smm needs, and when do they expire: as the network says, else
`token_issued` plus the network's token lifetime. An account is `not_ready` when publishing
would fail (a missing secret or SDK, refused credentials, a missing scope, an expired token),
`warning` when it works but will not for long (expiry within WARN_BEFORE) or could not be
checked now, `skipped` when smm cannot publish to its network at all. No secret is ever shown:
every message is scrubbed of the account's secret values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

import httpx

from smm.check.diagnostics import ERROR, WARNING, Diagnostic, format_github
from smm.errors import AuthError, NotSupported, PlatformError, RateLimited, TransientError
from smm.platforms import Credentials, Platform, answers, platform_class, rotation
from smm.platforms.http import hide, secret_forms
from smm import output

WARN_BEFORE = timedelta(days=7)
PLATFORMS_FILE = "platforms.yml"


@dataclass
class Health:
    """One account's answer (the JSON format's object, key for key)."""

    account: str
    platform: str
    state: str = "ready"  # ready | warning | not_ready | skipped
    identity: str | None = None  # who the credentials belong to, as the network says
    scopes: list[str] | None = None  # None: the network does not say
    missing_scopes: list[str] = field(default_factory=list)
    expires_at: str | None = None  # ISO 8601, UTC
    expiry_source: str | None = None  # network | token_issued | never | renewed | None (unknown)
    problems: list[str] = field(default_factory=list)  # why it is not ready
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def secret_values(cls: type[Platform], options: Mapping, env: Mapping[str, str]) -> set[str]:
    """Every form of every secret the account's options name (rotated ones too), to hide."""
    found: set[str] = set()
    for key in cls.secrets:
        name = options.get(key)
        for value in (env.get(name), rotation.current(env, name)) if name else ():
            if value and value.strip():
                found |= secret_forms(value, is_url=value.strip().startswith("http"))
    return found


def diagnose(repo, env: Mapping[str, str], now: datetime, *, transport: httpx.BaseTransport | None = None,
             client_factory=None) -> list[Health]:
    """Every account's Health, by account name."""
    return [account_health(account, env, now, repo.root, transport, client_factory)
            for _name, account in sorted(repo.config.accounts.items())]


def account_health(account, env: Mapping[str, str], now: datetime, root, transport=None,
                   client_factory=None) -> Health:
    cls = platform_class(account.platform)
    health = Health(account.name, account.platform)
    ready = cls.readiness(account.options, env)
    if ready.unsupported:
        health.state = "skipped"
        health.notes.append(ready.unsupported)
        return health
    if ready.reason:
        health.problems.append(ready.reason)
    elif any(account.options.get(key) for key in cls.secrets):  # no secret (the feed): nothing to check
        credentials = _ask(cls(account, env, root, transport=transport, client_factory=client_factory), health)
        if credentials is not None:
            _scopes(cls, credentials, health)
    _expiry(cls, account.options, health, now)
    secrets = secret_values(cls, account.options, env)
    for attribute in ("identity", "problems", "warnings", "notes"):
        value = getattr(health, attribute)
        shown = [hide(text, secrets) for text in value] if isinstance(value, list) else value and hide(value, secrets)
        setattr(health, attribute, shown)
    health.state = "not_ready" if health.problems else "warning" if health.warnings else "ready"
    return health


def _ask(adapter: Platform, health: Health) -> Credentials | None:
    """The adapter's one cheap call; what it answered, or what went wrong in `health`."""
    try:
        credentials = answers.checked(adapter.check_credentials())
    except ValueError as exc:  # what it says of the credentials: no time, no text
        health.warnings.append(f"credentials not checked now: {adapter.label} answered {exc}")
        return None
    except AuthError as exc:
        health.problems.append(f"credentials refused: {exc.message}")
        return None
    except NotSupported as exc:
        health.notes.append(f"credentials not checked: {exc.message}")
        return None
    except (RateLimited, TransientError) as exc:
        health.warnings.append(f"credentials not checked now: {exc.message}")
        return None
    except PlatformError as exc:
        health.problems.append(f"the network refused the check: {exc.message}")
        return None
    finally:
        adapter.close()
    health.identity = credentials.identity
    if credentials.advice:
        health.warnings.append(credentials.advice)
    if credentials.renewed:
        health.expiry_source = "renewed"
    elif credentials.never_expires:
        health.expiry_source = "never"
    if credentials.expires_at is not None:
        health.expires_at = credentials.expires_at.astimezone(timezone.utc).isoformat(timespec="seconds")
        health.expiry_source = "network"
    return credentials


def _scopes(cls: type[Platform], credentials: Credentials, health: Health) -> None:
    if credentials.scopes is None:
        return
    health.scopes = sorted(credentials.scopes)
    health.missing_scopes = sorted(cls.needed_scopes - credentials.scopes)
    if health.missing_scopes:
        health.problems.append(f"the token lacks the scopes smm needs: {', '.join(health.missing_scopes)}; "
                               "authorize it again with them")


def _expiry(cls: type[Platform], options: Mapping, health: Health, now: datetime) -> None:
    """The expiry from the network, else from `token_issued`; a problem once past, a warning before."""
    lifetime = cls.token_lifetime(options)
    issued = options.get("token_issued")
    if health.expires_at is None and health.expiry_source is None and issued and lifetime:
        try:
            day = date.fromisoformat(str(issued))
        except ValueError:
            health.problems.append(f"token_issued `{issued}` is not a date (YYYY-MM-DD)")
            return
        health.expires_at = (datetime.combine(day, time(), timezone.utc) + lifetime).isoformat(timespec="seconds")
        health.expiry_source = "token_issued"
    if health.expires_at is None:
        if lifetime and health.expiry_source is None and not health.problems:
            health.warnings.append(f"{cls.label} tokens last {_span(lifetime)}: set `token_issued` to the day it "
                                   "was issued, so smm can warn before it expires")
        return
    expires = datetime.fromisoformat(health.expires_at)
    if expires <= now:
        health.problems.append(f"the token expired on {expires:%Y-%m-%d %H:%M} UTC: issue a new one and update "
                               "its secret (and `token_issued`)")
    elif expires - now <= WARN_BEFORE:
        health.warnings.append(f"the token expires in {_span(expires - now)}, on {expires:%Y-%m-%d %H:%M} UTC: "
                               "renew it before then")


def _span(delta: timedelta) -> str:
    if delta >= timedelta(days=2):
        return f"{delta.days} days"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hours" if hours >= 2 else f"{int(delta.total_seconds() // 60)} minutes"


def exit_code(healths: list[Health]) -> int:
    return 1 if any(h.state == "not_ready" for h in healths) else 0


def format_doctor(healths: list[Health], fmt: str, positions=None) -> str:
    """text: a line per account and its reasons; json: {"accounts": [...], "ready": bool};
    github: annotations on the accounts' lines of platforms.yml, then the text."""
    if fmt == "json":
        return json.dumps({"accounts": [asdict(h) for h in healths], "ready": not exit_code(healths)},
                          ensure_ascii=False, indent=2)
    text = _text(healths)
    if fmt == "github":  # check's annotations, without its summary line (the text says it)
        annotations = format_github(_annotations(healths, positions)).split("\n")[:-1]
        return "\n".join([*annotations, text])
    return text


def _text(healths: list[Health]) -> str:
    lines = []
    for h in healths:
        said = h.identity or ""
        if h.expiry_source == "never":
            said += "; does not expire"
        elif h.expiry_source == "renewed":
            said += "; renewed on every run"
        elif h.expires_at:
            said += f"; expires {h.expires_at}"
        lines.append(f"{h.account} ({h.platform}): {h.state.replace('_', ' ')}" + (f": {said.lstrip('; ')}"
                                                                                  if said else ""))
        lines += [f"  error: {p}" for p in h.problems] + [f"  warning: {w}" for w in h.warnings]
        lines += [f"  note: {n}" for n in h.notes]
    counts = {state: sum(h.state == state for h in healths) for state in ("ready", "warning", "not_ready", "skipped")}
    lines.append(", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items() if n) or "no accounts")
    return "\n".join(lines)


def _annotations(healths: list[Health], positions) -> list[Diagnostic]:
    found = []
    for h in healths:
        line, column = positions.at(("accounts", h.account), key=True)[:2] if positions is not None else (1, 1)
        found += [Diagnostic(PLATFORMS_FILE, line, column, ERROR, "doctor.not-ready", f"account `{h.account}`: {p}")
                  for p in h.problems]
        found += [Diagnostic(PLATFORMS_FILE, line, column, WARNING, "doctor.warning", f"account `{h.account}`: {w}")
                  for w in h.warnings]
    return found


@dataclass
class Checkup:
    """`smm doctor`'s result: each account's health, and where platforms.yml names each account."""

    healths: list[Health]
    positions: object = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.healths)


output.render.register(Checkup, lambda checkup, fmt: format_doctor(checkup.healths, fmt, checkup.positions))
