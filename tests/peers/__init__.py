"""Connection info for the real local servers that smm's integration tests talk to.

The servers are started by shell scripts beside this file (``bash .ci/run`` runs them all):

    bash tests/peers/bluesky.sh install && bash tests/peers/bluesky.sh start    # PLC + PDS + AppView (+ Ozone)
    bash tests/peers/mastodon.sh install && bash tests/peers/mastodon.sh start  # mastodon-mock
    bash tests/peers/apis.sh install && bash tests/peers/apis.sh start          # wechat weibo x linkedin meta
    bash tests/peers/browser.sh install && bash tests/peers/browser.sh start    # chromium + axe-core (no server)
    bash tests/peers/bluesky.sh stop; bash tests/peers/mastodon.sh stop; bash tests/peers/apis.sh stop

Each ``start`` writes ``tests/.peers/<name>.env`` (``KEY=VALUE`` lines); environment variables of the same
names override the file, so a test run can also point at servers started some other way.

In a test::

    from peers import require

    def test_something():
        bsky = require("bluesky")            # skips locally / fails in CI (CI=true) when the server is down
        alice = bsky.create_account("alice")  # a fresh account: handle, did, password, access_jwt
        masto = require("mastodon")
        masto.url, masto.token, masto.token2  # two seeded accounts: brand and fan
        carol = masto.create_account("carol") # more accounts: POST /api/v1/_mock/dev_user
        wechat = require("wechat")            # a local double written from the docs (tests/peers/wechat_api.py)
        wechat.url, wechat["APP_ID"]          # the env file's keys without the SMM_WECHAT_ prefix
        wechat.add_fault({"path": "/cgi-bin/draft/add"}, {"type": "status", "errcode": 45009})
        tools = require("browser")            # chromium's path, axe.min.js; playwright importable

Only the standard library is used here, so the module imports anywhere.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

__all__ = [
    "PEERS_DIR", "PeerUnavailable", "Bluesky", "BlueskyAccount", "Mastodon", "MastodonAccount", "ApiDouble",
    "API_DOUBLES", "Browser", "bluesky", "mastodon", "api_double", "browser", "require", "unavailable", "in_ci", "http_json",
]

PEERS_DIR = Path(os.environ.get("SMM_PEERS_DIR") or Path(__file__).resolve().parent.parent / ".peers")
PROBE_TIMEOUT = 3.0  # seconds for a liveness probe
HTTP_TIMEOUT = 15.0  # seconds for a helper request (account creation)


class PeerUnavailable(RuntimeError):
    """The peer is not configured or does not answer."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


STARTING_WAIT = 900.0  # seconds at most that a test waits for a peer still starting


def _wait_while_starting(script: str) -> None:
    """`.ci/run` starts the tests while the peers still install and start: it marks each peer script's start
    with ``tests/.peers/<script>.starting`` (holding its own pid), removed when that start ends, up or not.
    Wait for that end (then the env file is there, or the peer is missing and its tests fail under CI);
    a mark whose .ci/run is gone is stale."""
    mark = PEERS_DIR / (script.removesuffix(".sh") + ".starting")
    deadline = time.monotonic() + STARTING_WAIT
    while time.monotonic() < deadline:
        try:
            os.kill(int(mark.read_text(encoding="utf-8").strip()), 0)
        except PermissionError:  # another user's .ci/run, still there
            pass
        except (OSError, ValueError):  # no mark, or its .ci/run is gone
            return
        time.sleep(0.2)


def _settings(name: str, required: tuple[str, ...], script: str = "") -> dict[str, str]:
    """``tests/.peers/<name>.env`` overlaid with ``SMM_<NAME>_*`` environment variables."""
    _wait_while_starting(script or name + ".sh")
    prefix = f"SMM_{name.upper()}_"
    path = PEERS_DIR / f"{name}.env"
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    values.update({k: v for k, v in os.environ.items() if k.startswith(prefix)})
    missing = [k for k in required if not values.get(k)]
    if missing:
        raise PeerUnavailable(
            f"{name}: no {', '.join(missing)} (neither in {path} nor in the environment); "
            f"start it with `bash tests/peers/{script or name + '.sh'} install && "
            f"bash tests/peers/{script or name + '.sh'} start`"
        )
    return values


def http_json(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
          timeout: float = HTTP_TIMEOUT) -> tuple[int, Any]:
    """One JSON request; returns (status, decoded body or text). Never raises for an HTTP status."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def _probe(url: str, headers: dict[str, str] | None = None) -> None:
    try:
        status, body = http_json("GET", url, headers=headers, timeout=PROBE_TIMEOUT)
    except OSError as err:  # refused, timed out, unreachable
        raise PeerUnavailable(f"{url} does not answer: {err}") from None
    if status != 200:
        raise PeerUnavailable(f"{url} answered {status}: {str(body)[:200]}")


# ----------------------------------------------------------------------------- Bluesky


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    did: str
    password: str
    email: str
    access_jwt: str
    refresh_jwt: str


@dataclass(frozen=True)
class Bluesky:
    """A local atproto network: PDS (accounts, repos, blobs), AppView (likeCount, feeds,
    notifications; indexes the PDS ~0.5 s behind), PLC directory, Ozone."""

    pds_url: str
    appview_url: str
    plc_url: str
    ozone_url: str
    admin_password: str = "admin-pass"  # HTTP basic admin:<this> for com.atproto.admin.* on the PDS
    handle_domain: str = ".test"

    def probe(self) -> None:
        _probe(f"{self.pds_url}/xrpc/_health")
        _probe(f"{self.appview_url}/xrpc/_health")

    def create_account(self, name: str = "user", password: str | None = None) -> BlueskyAccount:
        """A new account on the PDS (invite codes are off): handle ``<name><random><domain>``."""
        handle = f"{name.lower()}{secrets.token_hex(3)}{self.handle_domain}"
        password = password or f"pw-{secrets.token_hex(8)}"
        email = f"{handle}@example.com"
        status, body = http_json("POST", f"{self.pds_url}/xrpc/com.atproto.server.createAccount",
                             {"handle": handle, "email": email, "password": password})
        if status != 200:
            raise RuntimeError(f"createAccount {handle} answered {status}: {body}")
        return BlueskyAccount(handle=body["handle"], did=body["did"], password=password, email=email,
                              access_jwt=body["accessJwt"], refresh_jwt=body["refreshJwt"])


def bluesky() -> Bluesky:
    """Connection info for the local Bluesky network (raises PeerUnavailable when not configured)."""
    s = _settings("bluesky", ("SMM_BLUESKY_PDS_URL", "SMM_BLUESKY_APPVIEW_URL"))
    return Bluesky(
        pds_url=s["SMM_BLUESKY_PDS_URL"].rstrip("/"),
        appview_url=s["SMM_BLUESKY_APPVIEW_URL"].rstrip("/"),
        plc_url=s.get("SMM_BLUESKY_PLC_URL", "").rstrip("/"),
        ozone_url=s.get("SMM_BLUESKY_OZONE_URL", "").rstrip("/"),
        admin_password=s.get("SMM_BLUESKY_ADMIN_PASSWORD", "admin-pass"),
        handle_domain=s.get("SMM_BLUESKY_HANDLE_DOMAIN", ".test"),
    )


# ----------------------------------------------------------------------------- Mastodon


@dataclass(frozen=True)
class MastodonAccount:
    id: str
    username: str
    token: str


@dataclass(frozen=True)
class Mastodon:
    """mastodon-mock: the Mastodon REST API over HTTP. Two seeded accounts with fixed bearer tokens:
    ``username``/``token`` (the brand) and ``username2``/``token2`` (a second account)."""

    url: str
    token: str
    username: str = "brand"
    token2: str = ""
    username2: str = "fan"

    def probe(self) -> None:
        _probe(f"{self.url}/api/v1/accounts/verify_credentials", {"Authorization": f"Bearer {self.token}"})

    def create_account(self, username: str | None = None) -> MastodonAccount:
        """A new local account with its own token (mock-only ``POST /api/v1/_mock/dev_user``)."""
        username = username or f"user{secrets.token_hex(3)}"
        status, body = http_json("POST", f"{self.url}/api/v1/_mock/dev_user", {"username": username})
        if status != 200:
            raise RuntimeError(f"_mock/dev_user {username} answered {status}: {body}")
        return MastodonAccount(id=body["id"], username=body["username"], token=body["access_token"])

    def reset(self) -> None:
        """Drop every status/account made since start (back to the two seeded accounts) and clear faults."""
        status, body = http_json("POST", f"{self.url}/api/v1/_mock/reset", {})
        if status != 200:
            raise RuntimeError(f"_mock/reset answered {status}: {body}")


def mastodon() -> Mastodon:
    """Connection info for the local mastodon-mock (raises PeerUnavailable when not configured)."""
    s = _settings("mastodon", ("SMM_MASTODON_URL", "SMM_MASTODON_TOKEN"))
    return Mastodon(
        url=s["SMM_MASTODON_URL"].rstrip("/"),
        token=s["SMM_MASTODON_TOKEN"],
        username=s.get("SMM_MASTODON_USERNAME", "brand"),
        token2=s.get("SMM_MASTODON_TOKEN2", ""),
        username2=s.get("SMM_MASTODON_USERNAME2", "fan"),
    )


# ----------------------------------------------------------------------------- API doubles (apis.sh)

API_DOUBLES = ("wechat", "weibo", "x", "linkedin", "meta")


@dataclass(frozen=True)
class ApiDouble:
    """A local double of a network's API, written from its documentation (tests/peers/<name>_api.py).
    ``keys``: the env file's values without the ``SMM_<NAME>_`` prefix (TOKEN, APP_ID, ...)."""

    name: str
    url: str
    keys: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.keys[key]

    def probe(self) -> None:
        _probe(f"{self.url}/_mock/state")

    def control(self, method: str, what: str, body: Any = None) -> Any:
        """Call the test-control API (``/_mock/<what>``); raises unless it answers 200."""
        status, answer = http_json(method, f"{self.url}/_mock/{what}", body if body is not None else {})
        if status != 200:
            raise RuntimeError(f"{self.name} /_mock/{what} answered {status}: {answer}")
        return answer

    def reset(self) -> None:
        self.control("POST", "reset")

    def add_fault(self, match: dict[str, Any], effect: dict[str, Any], count: int | None = None) -> Any:
        return self.control("POST", "faults", {"match": match, "effect": effect, "count": count})

    def advance_clock(self, seconds: float) -> float:
        return self.control("POST", "clock", {"advance": seconds})["now"]

    def state(self) -> dict[str, Any]:
        status, answer = http_json("GET", f"{self.url}/_mock/state")
        if status != 200:
            raise RuntimeError(f"{self.name} /_mock/state answered {status}: {answer}")
        return answer


def api_double(name: str) -> ApiDouble:
    """Connection info for one of the API doubles (raises PeerUnavailable when not configured)."""
    prefix = f"SMM_{name.upper()}_"
    s = _settings(name, (f"{prefix}URL",), "apis.sh")
    keys = {k.removeprefix(prefix): v for k, v in s.items() if k.startswith(prefix) and k != f"{prefix}URL"}
    return ApiDouble(name, s[f"{prefix}URL"].rstrip("/"), keys)


# ----------------------------------------------------------------------------- the browser (browser.sh)


@dataclass(frozen=True)
class Browser:
    """What tests/test_browser.py drives: a chromium executable (launched by path through the playwright
    package, never a browser playwright downloads) and axe-core's axe.min.js."""

    chromium: str
    axe: str

    def probe(self) -> None:
        for what, path in (("chromium", self.chromium), ("axe-core", self.axe)):
            if not Path(path).is_file():
                raise PeerUnavailable(f"no {what} at {path}; run `bash tests/peers/browser.sh install && "
                                      "bash tests/peers/browser.sh start`")
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            raise PeerUnavailable("the playwright package is not installed: pip install -e '.[test]'") from None


def browser() -> Browser:
    """The browser tools (raises PeerUnavailable when not configured)."""
    s = _settings("browser", ("SMM_BROWSER_CHROMIUM", "SMM_BROWSER_AXE"))
    return Browser(chromium=s["SMM_BROWSER_CHROMIUM"], axe=s["SMM_BROWSER_AXE"])


# ----------------------------------------------------------------------------- pytest

_PEERS: dict[str, Any] = {"bluesky": bluesky, "mastodon": mastodon, "browser": browser,
                          **{name: (lambda n=name: api_double(n)) for name in API_DOUBLES}}


def unavailable(reason: str) -> NoReturn:
    """Fail (CI=true) or skip (locally) the current test because something it needs is missing."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason} (CI=true: integration tests must not be skipped)", pytrace=False)
    pytest.skip(reason)


@overload
def require(name: Literal["bluesky"]) -> Bluesky: ...
@overload
def require(name: Literal["mastodon"]) -> Mastodon: ...
@overload
def require(name: Literal["wechat", "weibo", "x", "linkedin", "meta"]) -> ApiDouble: ...
@overload
def require(name: Literal["browser"]) -> Browser: ...
def require(name: str) -> Any:
    """The named peer's connection info, checked to answer now.

    When it is missing or down: ``pytest.fail`` if the environment has CI=true (CI must run every
    integration test), else ``pytest.skip`` with the reason and the command that starts it.
    """
    if name not in _PEERS:
        raise ValueError(f"unknown peer {name!r}; known: {sorted(_PEERS)}")
    try:
        peer = _PEERS[name]()
        peer.probe()
    except PeerUnavailable as err:
        unavailable(f"peer {name} unavailable: {err}")
    return peer
