"""HTTP for adapters: one client, and network answers mapped to smm's typed errors.

Rate limits arrive in several dialects; each becomes RateLimited(retry_after=seconds):
`Retry-After` (seconds or an HTTP date), `RateLimit-Reset` (Bluesky: epoch seconds; the
IETF draft: seconds from now), `X-RateLimit-Reset` (Mastodon: ISO 8601; X: epoch
seconds), `X-RateLimit-Reset-After` (Discord: seconds) and Telegram's JSON
`parameters.retry_after`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from smm.errors import AuthError, RateLimited, Rejected, TransientError

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = "smm (social media management as code)"
_EPOCH_FLOOR = 1_000_000_000  # a reset value above this is a Unix time, below it a delay


def client(timeout: float | httpx.Timeout = TIMEOUT, **kwargs) -> httpx.Client:
    return httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=False, **kwargs)


def _seconds_until(value: str, now: datetime) -> float | None:
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return max(0.0, number - now.timestamp()) if number > _EPOCH_FLOOR else max(0.0, number)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            moment = parse(value)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, (moment - now).total_seconds())
    return None


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait before trying again, from whichever header or body the network uses."""
    now = now or datetime.now(timezone.utc)
    for header in ("Retry-After", "X-RateLimit-Reset-After", "RateLimit-Reset", "X-RateLimit-Reset"):
        if header in response.headers:
            seconds = _seconds_until(response.headers[header], now)
            if seconds is not None:
                return seconds
    try:
        return float(response.json()["parameters"]["retry_after"])  # Telegram
    except Exception:
        return None


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(data, dict):
        for key in ("error_description", "error", "message", "description", "detail"):
            if isinstance(data.get(key), str):
                return data[key][:200]
    return str(data)[:200]


def check(response: httpx.Response, label: str) -> httpx.Response:
    """The response, or the typed error it means."""
    if response.is_success:
        return response
    detail = f"{label}: HTTP {response.status_code} {_detail(response)}".strip()
    if response.status_code == 429:
        raise RateLimited(detail, retry_after=retry_after(response))
    if response.status_code in (401, 403):
        raise AuthError(detail)
    if response.status_code >= 500 or response.status_code in (408, 425):
        raise TransientError(detail)
    raise Rejected(detail)


def send(http: httpx.Client, method: str, url: str, label: str, **kwargs) -> httpx.Response:
    """One request; a timeout or broken connection after sending is an unknown outcome."""
    try:
        return check(http.request(method, url, **kwargs), label)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise TransientError(f"{label}: cannot connect ({type(exc).__name__})") from None
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise TransientError(f"{label}: no answer ({type(exc).__name__}); the request may have been received",
                             outcome_unknown=True) from None
