"""Every exception smm raises on purpose.

    SmmError                     root; carries a message and keyword context
    ├── InputError               a request the library cannot do as asked: a title, a period, a
    │   │                        requirement, a time zone (exit 2)
    │   └── UsageError           bad command-line input, raised by smm.cli only
    ├── ConfigError              platforms.yml missing or invalid (exit 2); `.diagnostics` say where
    ├── StateError               the checkout or a record does not allow it now (a run holds the lock,
    │                            a rebase is under way, a job needs no resolving)
    ├── DataError                a file under data/ smm cannot read or write (a metrics CSV, a record)
    └── PlatformError            a network refused or failed a call
        ├── AuthError            credentials missing, wrong or expired
        ├── RateLimited          slow down; retry_after in seconds
        ├── TransientError       timeout, 5xx; outcome_unknown when the call may have worked
        ├── Rejected             the network said no for good (e.g. too long)
        └── NotSupported         the adapter cannot do this (disabled SDK, feature)
    OutputFailed                 standard output cannot be written (a full disk, a closed terminal):
                                 an OSError, so that click's handling of a closed pipe still applies
"""

from __future__ import annotations

import math


class SmmError(Exception):
    """Root of smm's errors: a message for people, and context as keyword arguments (kept in
    `.context` for code and logs, never shown: it may name things a message should not)."""

    exit_code = 1

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class InputError(SmmError):
    """What a caller asked for cannot be done as asked (the library's side of a usage error)."""

    exit_code = 2


class UsageError(InputError):
    """Bad command-line input: raised by smm.cli only."""


class ConfigError(SmmError):
    """`diagnostics`: the problems found in the file (with file, line and column), when there are any;
    `root`: the repository they are relative to."""

    exit_code = 2

    def __init__(self, message: str, *, diagnostics: list | tuple = (), **context: object) -> None:
        super().__init__(message, **context)
        self.diagnostics = list(diagnostics)


class StateError(SmmError):
    pass


class DataError(SmmError):
    """A file under data/ that smm cannot read as what it should be."""


class PlatformError(SmmError):
    pass


class AuthError(PlatformError):
    pass


class RateLimited(PlatformError):
    def __init__(self, message: str, *, retry_after: float | None = None, **context: object) -> None:
        retry_after = _wait(retry_after)
        super().__init__(message, retry_after=retry_after, **context)
        self.retry_after = retry_after


def finite_number(value: object) -> float | None:
    """A finite number a network says in a header or a field (`12`, `"1.5"`), None when it says none or
    something else (`soon`, `NaN`, infinite, an object, a bool); smm.platforms.answers calls it `number`."""
    if isinstance(value, bool):
        return None
    try:
        found = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return found if math.isfinite(found) else None


def _wait(seconds: object) -> float | None:
    """A wait a network said as one smm can sleep and schedule by: finite seconds, a negative one none at
    all; None (smm backs off on its own) for what is no wait."""
    found = finite_number(seconds)
    return None if found is None else max(0.0, found)


class TransientError(PlatformError):
    """`under_way`: with an unknown outcome, what the network calls the operation it may still be carrying
    out (WeChat's publish_id), kept with the attempt for find() to ask about (Lookup.under_way)."""

    def __init__(self, message: str, *, outcome_unknown: bool = False, under_way: dict | None = None,
                 **context: object) -> None:
        super().__init__(message, outcome_unknown=outcome_unknown, **context)
        self.outcome_unknown, self.under_way = outcome_unknown, under_way


class UnderWay(TransientError):
    """find(): the network says an earlier call is still being carried out (an article being published):
    neither there nor failed, so nothing is sent again; asked again on a later run."""


class Rejected(PlatformError):
    pass


class NotSupported(PlatformError):
    pass


class OutputFailed(OSError):
    """Standard output could not be written (its errno and strerror are the system's)."""
