"""X's two ways to act as a user: OAuth 1.0a (signed requests) and OAuth 2.0 user tokens.

OAuth 1.0a (`api_key_env`, `api_secret_env`, `access_token_env`, `access_secret_env`): each
request carries an HMAC-SHA1 signature over its method, URL, query and form parameters
(RFC 5849); the keys last until revoked. OAuth 2.0: a user access token (`token_env`, sent as
a Bearer token) lasts 2 hours; with `refresh_token_env` and `client_id` smm asks
`POST /2/oauth2/token` for a fresh one at the start of each run, and X rotates the refresh
token: the new one goes where smm.platforms.rotation says.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.parse
from typing import Iterator

import httpx

from smm.errors import AuthError, Rejected
from smm.platforms import http, rotation

def _quote(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def oauth1_header(request: httpx.Request, keys: tuple[str, str, str, str], nonce: str, timestamp: int) -> str:
    """The `Authorization: OAuth ...` header of RFC 5849 (HMAC-SHA1) for this request."""
    consumer_key, consumer_secret, token, token_secret = keys
    oauth = {"oauth_consumer_key": consumer_key, "oauth_nonce": nonce, "oauth_signature_method": "HMAC-SHA1",
             "oauth_timestamp": str(timestamp), "oauth_token": token, "oauth_version": "1.0"}
    params = list(request.url.params.multi_items()) + list(oauth.items())
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params += urllib.parse.parse_qsl(request.content.decode(), keep_blank_values=True)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_quote(k), _quote(v)) for k, v in params))
    url = str(request.url.copy_with(query=None, fragment=None))
    base = "&".join([request.method.upper(), _quote(url), _quote(normalized)])
    key = f"{_quote(consumer_secret)}&{_quote(token_secret)}"
    oauth["oauth_signature"] = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    return "OAuth " + ", ".join(f'{_quote(k)}="{_quote(v)}"' for k, v in sorted(oauth.items()))


class OAuth1(httpx.Auth):
    """Signs every request with the account's four OAuth 1.0a keys."""

    requires_request_body = True  # form parameters are signed

    def __init__(self, keys: tuple[str, str, str, str]) -> None:
        self.keys = keys

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = oauth1_header(request, self.keys, secrets.token_hex(16), int(time.time()))
        yield request


class Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class Grant:
    """An OAuth 2.0 access token from a refresh, with the scopes X says it carries."""

    def __init__(self, token: str, scopes: frozenset[str] | None) -> None:
        self.token, self.scopes = token, scopes


def refresh(adapter, session: httpx.Client, api_base: str) -> Grant:
    """A fresh access token for the account's refresh token; the rotated refresh token is kept first."""
    name = adapter.options["refresh_token_env"]
    problem = rotation.folder_problem(adapter.env, adapter.root)
    if problem:
        raise AuthError(f"X: {problem}", account=adapter.account.name)
    token = rotation.current(adapter.env, name) or adapter.secret("refresh_token_env")
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": adapter.options["client_id"]}
    auth = (adapter.options["client_id"], adapter.secret("client_secret_env")) \
        if adapter.options.get("client_secret_env") else None
    calls = http.SecretCalls(token, is_url=False, transport=adapter.transport)
    try:
        answer = calls.send("POST", f"{api_base}/2/oauth2/token", "X (token refresh)", data=form, auth=auth)
    except Rejected as exc:  # 400 invalid_request: the refresh token was used already or revoked
        raise AuthError(f"{exc.message}: the refresh token in {name} was refused (used already, or revoked); "
                        "authorize smm again") from None
    finally:
        calls.client.close()
    try:
        data = answer.json()
        access, rotated = data["access_token"], data.get("refresh_token")
    except (ValueError, KeyError, TypeError):
        raise AuthError("X (token refresh): the answer holds no access token") from None
    if rotated:
        rotation.keep(adapter.env, name, rotated, adapter.root)
    return Grant(access, frozenset(str(data["scope"]).split()) if data.get("scope") else None)
