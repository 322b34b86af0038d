"""`smm publish` operations against mastodon-mock (tests/peers): the shorter rate-limit signal,
and `smm resolve` checking a status URL against the instance."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from conftest import post_text
from peers import http_json, require

from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def masto_repo(make_repo, monkeypatch):
    masto = require("mastodon")
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 "token_env: T_MASTODON_TOKEN}\n")
    at = (_now() - timedelta(minutes=5)).isoformat()
    root = make_repo({"a.md": post_text(f"Rate limits and resolving {uuid.uuid4().hex[:8]}", publish_at=at,
                                        platforms="[mastodon]")}, platforms=platforms, calendar=None)
    monkeypatch.setenv("T_MASTODON_TOKEN", masto.token)
    yield root, masto
    for rule in http_json("GET", f"{masto.url}/api/v1/_mock/faults")[1] or []:
        http_json("DELETE", f"{masto.url}/api/v1/_mock/faults/{rule['id']}")


def _in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


RATE_LIMITS = [  # headers of the 429 (seconds from now), the wait smm takes at most
    (lambda: {"Retry-After": "1", "X-RateLimit-Reset": _in(3600)}, 1.0),  # a proxy's Retry-After, an hour's window
    (lambda: {"Retry-After": "600", "X-RateLimit-Reset": _in(2)}, 2.0),  # the window ends first
    (lambda: {"X-RateLimit-Reset": _in(2)}, 2.0),
]


@pytest.mark.parametrize("headers,most", RATE_LIMITS, ids=["proxy-retry-after", "window-ends-first", "reset-only"])
def test_mastodon_rate_limit_waits_for_the_shorter_signal(masto_repo, headers, most):
    root, masto = masto_repo
    rule = {"match": {"methods": ["POST"], "path": "/api/v1/statuses"},
            "effect": {"type": "ratelimit", "headers": headers()}, "count": 1}
    assert http_json("POST", f"{masto.url}/api/v1/_mock/faults", rule)[0] == 200
    sleeps = []
    report = Publisher(load_repo(root), _now(), {"T_MASTODON_TOKEN": masto.token}, sleep=sleeps.append).run()
    assert [j.state for j in report.jobs] == ["published"]
    assert len(sleeps) == 1 and most - 1.5 <= sleeps[0] <= most


def _status(masto, token: str, text: str) -> dict:
    status, made = http_json("POST", f"{masto.url}/api/v1/statuses", {"status": text},
                             headers={"Authorization": f"Bearer {token}"})
    assert status == 200, made
    return made


def _unconfirmed(root):
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    (root / "data/published/a.json").write_text(json.dumps({"post": "a", "file": "content/a.md", "accounts": {
        "mastodon": {"state": "unconfirmed", "attempts": 1, "key": "k", "error": "outcome unknown"}}}))


def _git_identity(root):
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Editor"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "editor@example.com"], cwd=root, check=True)


def test_resolve_checks_the_status_is_the_accounts(masto_repo, smm):
    root, masto = masto_repo
    _unconfirmed(root)
    _git_identity(root)
    own = _status(masto, masto.token, f"posted by hand {uuid.uuid4().hex[:6]}")
    other = _status(masto, masto.token2, f"someone else's {uuid.uuid4().hex[:6]}")
    refused = {
        other["url"]: f"status {other['id']} belongs to @{masto.username2}, not to this account",
        "https://elsewhere.example/@brand/1": f"https://elsewhere.example/@brand/1 is not a status URL of {masto.url}",
    }
    for url, message in refused.items():
        code, _, err = smm("resolve", "a", "--account", "mastodon", "--published", url)
        assert (code, err) == (1, f"error: --published {url}: {message}\n")
    code, _, err = smm("resolve", "a", "--account", "mastodon", "--published", f"{masto.url}/@brand/99999999")
    assert code == 1 and err.startswith(f"error: --published {masto.url}/@brand/99999999: Mastodon: refused (status)")
    code, out, err = smm("resolve", "a", "--account", "mastodon", "--published", own["url"])
    assert code == 0, err
    job = json.loads((root / "data/published/a.json").read_text())["accounts"]["mastodon"]
    assert (job["state"], job["remote_id"], job["resolved"]["checked"]) == ("published", own["id"], True)


def _count(masto) -> int:
    status, me = http_json("GET", f"{masto.url}/api/v1/accounts/verify_credentials",
                           headers={"Authorization": f"Bearer {masto.token}"})
    return me["statuses_count"]


@pytest.mark.parametrize("paste,state,sent", [
    ("{token}\n", "published", 1),  # a secret pasted with its newline: used without it
    ("  {token}\r\n", "published", 1),
    ("{token}\nsecond line", "skipped", 0),  # never sent, never unconfirmed
    ("{token} ", "published", 1),
])
def test_mastodon_token_as_pasted_into_ci(masto_repo, paste, state, sent):
    root, masto = masto_repo
    before = _count(masto)
    report = Publisher(load_repo(root), _now(), {"T_MASTODON_TOKEN": paste.format(token=masto.token)},
                       sleep=lambda s: None).run()
    assert [j.state for j in report.jobs] == [state]
    assert _count(masto) - before == sent
    job = json.loads((root / "data/published/a.json").read_text())["accounts"]["mastodon"]
    assert job["state"] == ("published" if sent else "pending")
    assert masto.token not in json.dumps(job) and masto.token not in (report.jobs[0].error or "")
