"""`smm doctor`: each account's readiness, credentials (one cheap call, replayed from each network's
documented answers through the httpx transport seam), scopes and expiry; exit codes, the three
formats, and no secret in any of them. The X and Mastodon calls over real HTTP are at the end
(peer tests against the X double and mastodon-mock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from peers import require
from smm.platforms import platform_class
from smm.platforms.doctor import diagnose, exit_code, format_doctor
from smm.workspace.repo import load_repo

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
TOKEN = "123456:AAE-s3cr3t-bot-token-0123456789"
HOOK = "https://discord.com/api/webhooks/111/s3cr3t-webhook-token-0123456789"
SLACK = "xoxb-s3cr3t-slack-bot-token-0123456789"
ENV = {"T_TG": TOKEN, "T_HOOK": HOOK, "T_SLACK": SLACK, "T_SLACK_HOOK": "https://hooks.slack.com/services/T/B/s3cr3tpath"}
ACCOUNTS = {
    "telegram": "{platform: telegram, token_env: T_TG, chat_id: '@brand'}",
    "discord": "{platform: discord, webhook_env: T_HOOK}",
    "slack": "{platform: slack, token_env: T_SLACK, channel: C1}",
    "slackhook": "{platform: slack, webhook_env: T_SLACK_HOOK}",
}


def _ok(request: httpx.Request) -> httpx.Response:
    """Each network's documented answer to its cheap call."""
    path = request.url.path
    if path.endswith("/getMe"):
        return httpx.Response(200, json={"ok": True, "result": {"id": 1, "is_bot": True, "username": "brandbot"}})
    if path.endswith("/getChat"):
        return httpx.Response(200, json={"ok": True, "result": {"id": -100, "type": "channel", "username": "brand"}})
    if path.startswith("/api/webhooks/"):
        return httpx.Response(200, json={"type": 1, "id": "111", "name": "smm", "channel_id": "222", "guild_id": "333"})
    if path == "/api/auth.test":
        return httpx.Response(200, json={"ok": True, "user": "smm", "team": "Cloudleaf"},
                              headers={"x-oauth-scopes": "chat:write,channels:read"})
    raise AssertionError(f"unexpected call {request.url}")


def _echoing(status: int):
    """An error that quotes the request back: the token in the URL or the header."""
    def answer(request: httpx.Request) -> httpx.Response:
        quoted = f"{request.url} {request.headers.get('authorization', '')}"
        if request.url.path == "/api/auth.test":
            return httpx.Response(200, json={"ok": False, "error": "invalid_auth", "detail": quoted})
        return httpx.Response(status, json={"ok": False, "error_code": status, "description": f"Unauthorized {quoted}",
                                            "message": f"Unknown Webhook {quoted}", "code": 10015})
    return answer


def _run(make_repo, accounts: dict, answer, env=ENV, now=NOW):
    lines = "".join(f"  {name}: {line}\n" for name, line in accounts.items())
    root = make_repo({}, platforms=f"timezone: UTC\naccounts:\n{lines}", calendar=None)
    healths = diagnose(load_repo(root), env, now, transport=httpx.MockTransport(answer))
    return {h.account: h for h in healths}, healths


CASES = [  # account, answer, state, what the account's answer says
    ("telegram", _ok, "ready", "@brandbot in @brand"),
    ("discord", _ok, "ready", "webhook smm in channel 222"),
    ("slack", _ok, "ready", "smm in Cloudleaf"),
    ("slackhook", _ok, "ready", "credentials not checked: a Slack incoming webhook can only be checked by posting"),
    ("telegram", _echoing(401), "not_ready", "credentials refused"),
    ("discord", _echoing(404), "not_ready", "credentials refused"),
    ("slack", _echoing(200), "not_ready", "credentials refused: Slack auth.test: invalid_auth"),
    ("telegram", lambda r: httpx.Response(503, text="down"), "warning", "credentials not checked now"),
    ("discord", lambda r: httpx.Response(429, json={"retry_after": 3}, headers={"Retry-After": "3"}), "warning",
     "credentials not checked now"),
]


@pytest.mark.parametrize("account, answer, state, said", CASES)
def test_each_account_is_checked_with_one_cheap_call(make_repo, account, answer, state, said):
    found, healths = _run(make_repo, {account: ACCOUNTS[account]}, answer)
    health = found[account]
    assert health.state == state
    assert said in " ".join([health.identity or "", *health.problems, *health.warnings, *health.notes])
    assert exit_code(healths) == (1 if state == "not_ready" else 0)
    for fmt in ("text", "json", "github"):
        shown = format_doctor(healths, fmt)
        assert not any(secret in shown for secret in (TOKEN, SLACK, "s3cr3t")), shown


@pytest.mark.parametrize("env, said", [
    ({}, "not configured: set T_TG"),
    ({"T_TG": "12:ab cd"}, "not configured: T_TG holds white space or a control character inside its value: paste "
                           "the secret again"),
])
def test_a_missing_or_broken_secret_is_not_ready_without_a_call(make_repo, env, said):
    def no_call(request):
        raise AssertionError("no call without a usable secret")
    found, healths = _run(make_repo, {"telegram": ACCOUNTS["telegram"]}, no_call, env=env)
    assert found["telegram"].problems == [said] and exit_code(healths) == 1
    assert "ab cd" not in format_doctor(healths, "text")


@pytest.mark.parametrize("scopes, missing", [("chat:write,channels:read", []), ("channels:read", ["chat:write"]),
                                              ("", [])])
def test_scopes_are_held_against_what_smm_needs(make_repo, scopes, missing):
    def answer(request):
        return httpx.Response(200, json={"ok": True, "user": "smm", "team": "T"},
                              headers={"x-oauth-scopes": scopes} if scopes else {})
    found, _ = _run(make_repo, {"slack": ACCOUNTS["slack"]}, answer)
    assert found["slack"].missing_scopes == missing
    assert found["slack"].scopes == (sorted(scopes.split(",")) if scopes else None)  # "" : Slack did not say
    assert found["slack"].state == ("not_ready" if missing else "ready")


@pytest.mark.parametrize("issued, state, said", [
    ("2026-11-25", "ready", None),  # expires 2027-01-24
    ("2026-10-06", "warning", "the token expires in 3 days, on 2026-12-05 00:00 UTC"),
    ("2026-10-02", "not_ready", "the token expired on 2026-12-01 00:00 UTC"),
    ("2026-02-30", "not_ready", "token_issued `2026-02-30` is not a date"),
    (None, "warning", "tokens last 60 days: set `token_issued`"),
])
def test_expiry_counts_from_token_issued_where_the_network_cannot_say(make_repo, monkeypatch, issued, state, said):
    """A network whose tokens last 60 days (a Slack webhook account, given that lifetime here) and says nothing."""
    monkeypatch.setattr(platform_class("slack"), "lifetime", timedelta(days=60))
    line = ACCOUNTS["slackhook"][:-1] + (f", token_issued: '{issued}'}}" if issued else "}")
    found, healths = _run(make_repo, {"hook": line}, _ok)
    health = found["hook"]
    assert health.state == state
    assert said is None or said in " ".join(health.problems + health.warnings)
    if state == "ready":
        assert (health.expires_at, health.expiry_source) == ("2027-01-24T00:00:00+00:00", "token_issued")


def test_json_shape_and_exit_code_of_the_command(make_repo, smm):
    make_repo({}, platforms="timezone: UTC\naccounts:\n  feed: {platform: feed, path: data/feed.xml}\n"
                            "  wechat: {platform: wechat}\n  telegram: {platform: telegram, token_env: T_TG, "
                            "chat_id: '@brand'}\n", calendar=None)
    code, report, _ = smm.json("doctor", env={"T_TG": None})
    assert code == 1 and report["ready"] is False
    assert {a["account"]: a["state"] for a in report["accounts"]} == {
        "feed": "ready", "wechat": "not_ready", "telegram": "not_ready"}
    assert set(report["accounts"][0]) == {"account", "platform", "state", "identity", "scopes", "missing_scopes",
                                          "expires_at", "expiry_source", "problems", "warnings", "notes"}
    code, out, _ = smm("doctor", "--format", "github", env={"T_TG": None})
    assert code == 1 and "::error file=platforms.yml,line=5,col=3,title=doctor.not-ready::account `telegram`" in out


@pytest.mark.parametrize("options, env, said", [
    ({}, {}, "set `token_env`, or `refresh_token_env` and `client_id`, or the four OAuth 1.0a keys"),
    ({"token_env": "XB"}, {}, "set XB"),
    ({"refresh_token_env": "XR", "client_id": "c"}, {"XR": "r"}, "set SMM_ROTATED_SECRETS"),
    ({"api_key_env": "K", "api_secret_env": "S", "access_token_env": "T", "access_secret_env": "TS"},
     {"K": "k", "S": "s", "T": "t"}, "set TS"),
    ({"token_env": "XB"}, {"XB": "a b"}, "XB holds white space"),
])
def test_x_says_which_credentials_are_missing(options, env, said):
    assert said in platform_class("x").readiness(options, env).not_configured


@pytest.mark.parametrize("login, state, said", [
    (None, "ready", "@brand.example (did:plc:brand)"),
    (httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
     "not_ready", "credentials refused: Bluesky: not allowed (login)"),
])
def test_bluesky_credentials_are_the_session_of_its_app_password(make_repo, login, state, said):
    """The SDK's own client, its HTTP replayed: createSession, then getSession (as in the fault table)."""
    from atproto import Client
    from atproto_client.request import Request
    from test_adapter_faults import _bluesky_setup

    def replay(request):
        if login is not None and request.url.path.endswith("createSession"):
            return login
        return _bluesky_setup(request)

    root = make_repo({}, platforms="timezone: UTC\naccounts:\n  sky: {platform: bluesky, handle: brand.example, "
                                   "password_env: T_SKY}\n", calendar=None)
    [health] = diagnose(load_repo(root), {"T_SKY": "app-pass-s3cr3t"}, NOW, client_factory=lambda base_url: Client(
        base_url, Request(transport=httpx.MockTransport(replay))))
    assert health.state == state
    assert said in " ".join([health.identity or "", *health.problems])
    assert health.expiry_source == ("never" if state == "ready" else None)


# --- over real HTTP ------------------------------------------------------------------------------


@pytest.mark.peer
def test_x_and_mastodon_accounts_against_their_servers(make_repo, smm, tmp_path_factory):
    x, masto = require("x"), require("mastodon")
    x.reset()
    folder = tmp_path_factory.mktemp("rotated")  # outside the repository
    platforms = (f"timezone: UTC\naccounts:\n"
                 f"  oauth1: {{platform: x, api_base: '{x.url}', api_key_env: XK, api_secret_env: XS, "
                 "access_token_env: XT, access_secret_env: XTS}\n"
                 f"  refreshed: {{platform: x, api_base: '{x.url}', refresh_token_env: XR, client_id: {x['CLIENT_ID']}}}\n"
                 f"  bearer: {{platform: x, api_base: '{x.url}', token_env: XB}}\n"
                 f"  masto: {{platform: mastodon, instance: '{masto.url}', token_env: MT}}\n")
    make_repo({}, platforms=platforms, calendar=None)
    env = {"XK": x["OAUTH1_CONSUMER_KEY"], "XS": x["OAUTH1_CONSUMER_SECRET"], "XT": x["OAUTH1_TOKEN"],
           "XTS": x["OAUTH1_TOKEN_SECRET"], "XR": x["REFRESH_TOKEN"], "XB": x["TOKEN"], "MT": masto.token,
           "SMM_ROTATED_SECRETS": str(folder)}
    code, report, _ = smm.json("doctor", env=env)
    found = {a["account"]: a for a in report["accounts"]}
    assert code == 0, [a["problems"] for a in report["accounts"]]
    assert {name: (a["state"], a["identity"], a["expiry_source"]) for name, a in found.items()} == {
        "oauth1": ("ready", "@smm_brand", "never"), "refreshed": ("ready", "@smm_brand", "renewed"),
        "bearer": ("warning", "@smm_brand", None), "masto": ("ready", "@brand", "never")}
    assert set(found["refreshed"]["scopes"]) >= {"tweet.read", "tweet.write", "users.read", "media.write"}
    env["XR"] = (folder / "XR").read_text().strip()  # the rotated token: the next run refreshes with it
    env.update(XB="expired-or-revoked", MT="wrong")
    code, out, _ = smm("doctor", env=env)
    assert code == 1
    assert "bearer (x): not ready\n  error: credentials refused: X (who am I): HTTP 401 Unauthorized" in out
    assert "masto (mastodon): not ready" in out and "refreshed (x): ready" in out
    assert not any(value in out for value in env.values() if len(value) > 8 and value != str(folder))
    x.reset()


@pytest.mark.peer
def test_linkedin_weibo_and_meta_accounts_against_their_doubles(make_repo, smm):
    import json as json_module

    from test_adapters_meta import _host, _jpeg

    linkedin, weibo, meta = require("linkedin"), require("weibo"), require("meta")
    for double in (linkedin, weibo, meta):
        double.reset()
    accounts = {
        "li": {"platform": "linkedin", "token_env": "LI", "author": linkedin["AUTHOR"], "api_base": linkedin.url,
               "token_issued": "2026-11-30"},
        "wb": {"platform": "weibo", "token_env": "WB", "safe_domain": weibo["SAFE_DOMAIN"], "api_base": weibo.url},
        "th": {"platform": "threads", "token_env": "TH", "user_id": meta["THREADS_USER_ID"], "api_base": meta.url},
        "fb": {"platform": "facebook", "token_env": "FB", "page_id": meta["PAGE_ID"], "api_base": meta.url},
        "ig": {"platform": "instagram", "token_env": "FB", "user_id": meta["IG_USER_ID"], "api_base": meta.url,
               "media_base_url": meta["FILES_URL"]},
    }
    platforms = "timezone: UTC\naccounts:\n" + "".join(f"  {k}: {json_module.dumps(v)}\n" for k, v in accounts.items())
    root = make_repo({}, platforms=platforms, calendar=None, files={"content/media/cup.jpg": _jpeg()})
    env = {"LI": linkedin["TOKEN"], "WB": weibo["TOKEN"], "TH": meta["THREADS_TOKEN"], "FB": meta["USER_TOKEN"]}
    code, report, _ = smm.json("doctor", "--now", "2026-12-05T12:00:00+00:00", env=env)
    found = {a["account"]: a for a in report["accounts"]}
    assert {name: a["state"] for name, a in found.items()} == {
        "li": "ready", "wb": "ready", "th": "ready", "fb": "ready", "ig": "warning"}, found
    assert "urn:li:person:" in found["li"]["identity"] and found["li"]["expires_at"].startswith("2027-01-29")
    assert "uid" in found["wb"]["identity"] and found["wb"]["expires_at"]
    assert "answers HTTP 404" in found["ig"]["warnings"][0]  # the picture is not served at media_base_url yet
    _host(meta, root, "content/media/cup.jpg")
    code, report, _ = smm.json("doctor", "--now", "2026-12-05T12:00:00+00:00", env=env)
    assert code == 0 and {a["account"]: a["state"] for a in report["accounts"]}["ig"] == "ready"
    code, report, _ = smm.json("doctor", env={**env, "LI": "revoked", "TH": "revoked"})
    states = {a["account"]: a["state"] for a in report["accounts"]}
    assert code == 1 and states["li"] == states["th"] == "not_ready"
