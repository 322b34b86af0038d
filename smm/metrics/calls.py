"""One account's calls during a metrics run: retried within bounds, and rate limits shared by
the account's workers (Retry-After honoured). Nothing here sleeps on its own: `sleep` and
`clock` are given."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError

log = logging.getLogger(__name__)

TRIES = 3  # calls per batch within one run (rate limits, transient errors)
MAX_WAIT = 60.0  # seconds an account may wait for rate limits in one run; the rest is left to the next run


class GaveUp(Exception):
    """The account waited its share of the run for rate limits: the rest waits for the next run."""


class Gate:
    """One account's calls: rate limits shared by its workers; its first call made alone
    (an SDK logs in on first use), then calls in parallel."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.first = threading.Lock()
        self.warm = False
        self.started = clock()
        self.not_before = self.started
        self.gave_up: str | None = None

    def call(self, function: Callable):
        if not self.warm:
            with self.first:
                if not self.warm:
                    value = self._with_retries(function)
                    self.warm = True
                    return value
        return self._with_retries(function)

    def _with_retries(self, function: Callable):
        for attempt in range(1, TRIES + 1):
            with self.lock:
                if self.gave_up:
                    raise GaveUp(self.gave_up)
                wait = self.not_before - self.clock()
            if wait > 0:
                self.sleep(wait)
            try:
                return function()
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else 2.0 ** attempt
                with self.lock:
                    self.not_before = max(self.not_before, self.clock() + wait)
                    if attempt == TRIES or self.not_before - self.started > MAX_WAIT:
                        self.gave_up = (f"rate limited ({exc.message}; asked to wait {wait:.0f} s): "
                                        "the rest is collected on the next run")
                        raise GaveUp(self.gave_up) from None
                log.info("rate limited: waiting %.0f s", wait)
            except TransientError:
                if attempt == TRIES:
                    raise
                with self.lock:
                    self.not_before = max(self.not_before, self.clock() + 2.0 ** attempt)
            except (AuthError, Rejected, NotSupported):
                raise
        raise AssertionError("unreachable")
