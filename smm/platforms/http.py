"""HTTP for adapters: one client, and network answers mapped to smm's typed errors.

Rate limits arrive in several dialects; each becomes RateLimited(retry_after=seconds):
`Retry-After` (seconds or an HTTP date), `RateLimit-Reset` (Bluesky: epoch seconds; the
IETF draft: seconds from now), `X-RateLimit-Reset` (Mastodon: ISO 8601; X: epoch
seconds), `X-RateLimit-Reset-After` (Discord: seconds) and Telegram's JSON
`parameters.retry_after`. When several come at once the shortest wait is honoured.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from contextlib import ExitStack
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from smm.errors import AuthError, PlatformError, RateLimited, Rejected, TransientError

if TYPE_CHECKING:  # imported where a call is made: loading the platforms (to check posts) needs no HTTP client
    import ssl

    import httpx

TIMEOUT = (30.0, 10.0)  # seconds for an answer, and to connect
USER_AGENT = "smm (social media management as code)"
_EPOCH_FLOOR = 1_000_000_000  # a reset value above this is a Unix time, below it a delay
HIDDEN = "[secret]"
MAX_ANSWER = 32 * 2**20  # bytes of one answer: no API answer smm reads comes near (a page of posts is kilobytes)


def client(timeout: float | httpx.Timeout | None = None, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """smm's HTTP client; `transport` None is the network (a test passes httpx.MockTransport)."""
    import httpx

    return httpx.Client(timeout=default_timeout() if timeout is None else timeout, headers={"User-Agent": USER_AGENT},
                        follow_redirects=False, transport=transport, verify=tls_context())


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for the process, as httpx makes it (certifi's roots, or `SSL_CERT_FILE`): making one
    reads the whole CA bundle (about 25 ms), which every client made (an account, an instance's limit) paid."""
    import httpx

    return httpx.create_ssl_context()


def default_timeout() -> httpx.Timeout:
    """How long smm waits for an answer (and to connect): TIMEOUT."""
    import httpx

    return httpx.Timeout(TIMEOUT[0], connect=TIMEOUT[1])


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


RATE_LIMIT_HEADERS = ("Retry-After", "X-RateLimit-Reset-After", "RateLimit-Reset", "X-RateLimit-Reset")


def wait_from_headers(headers, now: datetime | None = None) -> float | None:
    """The shortest wait the rate-limit headers ask for, in seconds, or None without any.

    A network may send two signals at once: Mastodon's `X-RateLimit-Reset` is the end of
    the whole window (up to 5 minutes, or a day for some limits) while `Retry-After`, from
    the server or a proxy in front of it, says when this request may be tried again. The
    shorter one is honoured: the other only says when the budget is full again.
    """
    now = now or datetime.now(timezone.utc)
    waits = [_seconds_until(headers[h], now) for h in RATE_LIMIT_HEADERS if h in headers]
    waits = [w for w in waits if w is not None]
    return min(waits) if waits else None


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait before trying again, from whichever header or body the network uses."""
    wait = wait_from_headers(response.headers, now)
    if wait is not None:
        return wait
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
    if response.status_code >= 500:  # any 5xx, 503 too: the request may have been carried out before it failed
        raise TransientError(detail, outcome_unknown=True)
    if response.status_code in (408, 425):  # refused before it was read
        raise TransientError(detail)
    raise Rejected(detail)


def send(http: httpx.Client, method: str, url: str, label: str, *, check=check, **kwargs) -> httpx.Response:
    """One request, its answer checked: `check` turns it into the response or a typed error (a
    network's own dialect may be passed)."""
    return check(request(http, method, url, label, **kwargs), label)


def request(http: httpx.Client, method: str, url: str, label: str, **kwargs) -> httpx.Response:
    """One request and its answer whatever the status (for networks whose errors are in the body);
    a timeout or broken connection after sending is an unknown outcome, and so is an answer longer
    than MAX_ANSWER (a stream that never ends is not read into memory until it does)."""
    import httpx

    try:
        auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
        response = http.send(http.build_request(method, url, **kwargs), auth=auth, stream=True)
        try:
            response.stream = _bounded()(response.stream, label)
            response.read()
        finally:
            response.close()
        return response
    except httpx.LocalProtocolError:  # refused before sending; its text may quote the header, the secret
        raise AuthError(f"{label}: the request was not sent: a header is malformed (check the account's secret)") from None
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise TransientError(f"{label}: cannot connect ({type(exc).__name__})") from None
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise TransientError(f"{label}: no answer ({type(exc).__name__}); the request may have been received",
                             outcome_unknown=True) from None


@functools.cache
def _bounded() -> type:
    """httpx's sync stream of an answer's bytes, refused past MAX_ANSWER (made on first use: httpx is
    imported where a call is made)."""
    import httpx

    class Bounded(httpx.SyncByteStream):
        def __init__(self, stream, label: str) -> None:
            self.stream, self.label = stream, label

        def __iter__(self):
            size = 0
            for chunk in self.stream:
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise TransientError(f"{self.label}: an answer longer than {MAX_ANSWER // 2**20} MiB; not read",
                                         outcome_unknown=True)
                yield chunk

        def close(self) -> None:
            self.stream.close()
    return Bounded


def bounded_transport(label: str) -> httpx.BaseTransport:
    """An httpx transport for an SDK's own client (atproto's), whose answers are refused past MAX_ANSWER
    as `request` refuses them: the SDK reads each answer whole into memory."""
    return _bounded_transport()(label)


@functools.cache
def _bounded_transport() -> type:
    import httpx

    class BoundedTransport(httpx.HTTPTransport):
        def __init__(self, label: str) -> None:
            super().__init__(verify=tls_context())
            self.label = label

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            response.stream = _bounded()(response.stream, self.label)
            return response
    return BoundedTransport


def bound_answers(session, label: str) -> None:
    """A requests session (an SDK's: Mastodon.py's) whose answers are refused past MAX_ANSWER, counted
    as they are decoded: a response hook runs before the body is read."""
    session.hooks["response"].append(lambda response, *args, **kwargs: setattr(
        response, "raw", _BoundedRaw(response.raw, label)))


class _BoundedRaw:
    """urllib3's answer as requests reads it (`stream`), refused past MAX_ANSWER bytes."""

    def __init__(self, raw, label: str) -> None:
        self.raw, self.label = raw, label

    def stream(self, amount: int = 2**16, decode_content: bool | None = None):
        size = 0
        chunks = (self.raw.stream(amount, decode_content=decode_content) if hasattr(self.raw, "stream")
                  else iter(lambda: self.raw.read(amount), b""))  # a file-like answer (a test's replay)
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_ANSWER:
                self.raw.close()
                raise TransientError(f"{self.label}: an answer longer than {MAX_ANSWER // 2**20} MiB; not read",
                                     outcome_unknown=True)
            yield chunk

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


# -- secrets in URLs (bot tokens, webhook URLs) ----------------------------------------------


class _HideSecrets(logging.Filter):
    """Replaces registered secrets in httpx's request log (`HTTP Request: POST <url> ...`)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        hidden = hide(message, self.secrets)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_FILTER = _HideSecrets()
logging.getLogger("httpx").addFilter(_FILTER)  # httpx logs each request's full URL at INFO


def hide(text: str, secrets) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # a URL before its path
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def secret_forms(value: str, is_url: bool) -> set[str]:
    """The secret and, for a URL, the forms it takes (httpx normalizes; the path holds the token)."""
    forms = {value.strip()}
    if is_url:
        import httpx

        try:
            url = httpx.URL(value.strip())
        except Exception:
            url = None
        if url is not None and url.host and len(url.path) > 1:  # the path is the secret part
            derived = {str(url), url.raw_path.decode("ascii", "replace").split("?")[0], url.path}
            forms |= {f for f in derived if len(f) >= 8}  # never blank out short, common strings
    return {f for f in forms if f}


class SecretCalls:
    """HTTP calls to a URL with a secret in it, through `send`.

    Registers the secret with the log filter, and scrubs it from the typed errors (their
    text may quote a response body) and from anything httpx raises that send() does not map.
    """

    def __init__(self, secret: str, *, is_url: bool, transport: httpx.BaseTransport | None = None) -> None:
        self.secrets = secret_forms(secret, is_url)
        _FILTER.secrets |= self.secrets
        self.client = client(transport=transport)

    def hide(self, secret: str) -> None:
        """Keep another secret (a token obtained with the first) out of logs and errors too."""
        self.secrets.add(secret)
        _FILTER.secrets.add(secret)

    def send(self, method: str, url: str, label: str, **kwargs) -> httpx.Response:
        """`send` with the secret hidden from what it raises (keywords as send's, `check` too)."""
        import httpx

        try:
            return send(self.client, method, url, label, **kwargs)
        except PlatformError as exc:
            exc.message = hide(exc.message, self.secrets)
            exc.args = (exc.message,)
            raise
        except httpx.InvalidURL:
            raise AuthError(f"{label}: the secret does not make a valid URL") from None
        except httpx.HTTPError as exc:  # not mapped by send(): the request may have gone out
            raise TransientError(f"{label}: {type(exc).__name__}; the request may have been received",
                                 outcome_unknown=True) from None


def webhook_url(adapter, key: str = "webhook_env") -> str:
    """The webhook URL from the account's environment variable, checked without showing it."""
    import httpx

    value = adapter.secret(key).strip()
    name = adapter.options.get(key)
    try:
        url = httpx.URL(value)
    except Exception:
        url = None
    if url is None or url.scheme != "https" or not url.host or len(url.path) <= 1:
        raise AuthError(f"environment variable {name} does not hold an https:// webhook URL",
                        account=adapter.account.name)
    return value


def open_media(stack: ExitStack, media, field) -> dict:
    """Multipart files {field name: (file name, open file, MIME type)} for ((path, alt), ...)."""
    files = {}
    for index, (path, _alt) in enumerate(media):
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            files[field(index)] = (path.name, stack.enter_context(path.open("rb")), mime)
        except OSError as exc:  # nothing was sent
            raise Rejected(f"cannot read the media file {path.name}: {exc.strerror}") from None
    return files
