"""Review 17, outside in: `smm publish` and `smm resolve` against the local API doubles (tests/peers/apis.sh)
under faults on each step of a multi-step publish: each post exactly once at the network, nothing lost, a
message for people (never "internal error"). Skipped locally when the doubles are down; failed in CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest

from conftest import post_text
from peers import require
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer

NETWORK = {"x": "x", "linkedin": "linkedin", "threads": "meta", "facebook": "meta", "instagram": "meta"}
THREAD = ("Every Saturday at dawn the roastery wakes up and the leaves go into the drum in small batches. " * 3
          + "\n\n" + "Each leaf is turned by hand so that it warms evenly, and nothing burns at all. " * 3)


def _jpeg(color: str) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


MEDIA = {"content/media/cup.jpg": _jpeg("green"), "content/media/pot.jpg": _jpeg("red")}
POSTS = {  # what the post carries: front matter besides its time and account
    "plain": {},
    "thread": {"thread": "auto"},
    "one picture": {"media": "[{file: content/media/cup.jpg, alt: A green cup}]"},
    "two pictures": {"media": "[{file: content/media/cup.jpg, alt: A green cup}, {file: content/media/pot.jpg, alt: A red pot}]"},
    "first comment": {"first_comment": "'More at https://brand.example.com/tea'"},
}


@pytest.fixture
def doubles():
    found = {name: require(name) for name in set(NETWORK.values())}
    for double in found.values():
        double.reset()
    yield found
    for double in found.values():
        double.reset()


def _platforms(d) -> str:
    x, li, meta = d["x"], d["linkedin"], d["meta"]
    return ("timezone: UTC\naccounts:\n"
            f"  x: {{platform: x, api_base: '{x.url}', handle: smm_brand, api_key_env: XK, api_secret_env: XS, "
            "access_token_env: XT, access_secret_env: XTS}\n"
            f"  linkedin: {{platform: linkedin, token_env: LI, author: '{li['AUTHOR']}', api_base: '{li.url}'}}\n"
            f"  threads: {{platform: threads, token_env: T_THREADS, user_id: '{meta['THREADS_USER_ID']}', "
            f"api_base: '{meta.url}', media_base_url: '{meta['FILES_URL']}'}}\n"
            f"  facebook: {{platform: facebook, token_env: T_FB, page_id: '{meta['PAGE_ID']}', api_base: '{meta.url}'}}\n"
            f"  instagram: {{platform: instagram, token_env: T_FB, user_id: '{meta['IG_USER_ID']}', "
            f"api_base: '{meta.url}', media_base_url: '{meta['FILES_URL']}'}}\n")


def _env(d) -> dict:
    x, meta = d["x"], d["meta"]
    return {"XK": x["OAUTH1_CONSUMER_KEY"], "XS": x["OAUTH1_CONSUMER_SECRET"], "XT": x["OAUTH1_TOKEN"],
            "XTS": x["OAUTH1_TOKEN_SECRET"], "LI": d["linkedin"]["TOKEN"], "T_THREADS": meta["THREADS_TOKEN"],
            "T_FB": meta["USER_TOKEN"]}


def _repo(make_repo, d, account: str, kind: str):
    at = (datetime.now(timezone.utc) - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    body = THREAD if kind == "thread" else "Winter blend is here: https://brand.example.com/winter"
    root = make_repo({"p.md": post_text(body, title="Winter Blend", publish_at=at, platforms=f"[{account}]", **POSTS[kind])},
                     platforms=_platforms(d), calendar=None, files=MEDIA)
    import http.client

    split = urllib.parse.urlsplit(d["meta"].url)
    for file, data in MEDIA.items():  # served where media_base_url says, as GitHub Pages would
        conn = http.client.HTTPConnection(split.hostname, split.port)
        conn.request("POST", f"/_mock/files/{file}", body=data, headers={"Content-Type": "image/jpeg"})
        assert conn.getresponse().status == 200
        conn.close()
    return root


def _publish(root, d):
    return Publisher(load_repo(root), datetime.now(timezone.utc), _env(d), sleep=lambda s: None).run()


def _held(d, account: str) -> tuple[list, list]:
    """The account's posts at the network, and its own comments."""
    state = d[NETWORK[account]].state()
    if NETWORK[account] == "meta":
        posts = [m for m in state["published"] if m["network"] == account and "bytes" not in m.get("fields", {})]
        return posts, [c for c in state["comments"] if c.get("own")]
    return state["published"], state.get("comments", [])


def _fault(double, methods: tuple, path: str, effect: dict, nth: int) -> None:
    """`effect` on the nth request matching (the ones before it served as usual)."""
    if nth > 1:
        double.add_fault({"methods": list(methods), "path": path}, {"type": "latency", "delay_ms": 1}, count=nth - 1)
    double.add_fault({"methods": list(methods), "path": path}, effect, count=1)


UNREADABLE = {"type": "malformed"}  # 200, a body cut off: nothing done
NO_ID = {"type": "status", "status": 200}  # 200 with the network's error body: no id where one was due

# an answer of one step of a publish that smm cannot read → (account, post, method, path, nth request)
UNREADABLE_STEPS = {
    "linkedin image upload asked, unreadable": ("linkedin", "one picture", ("POST",), "/rest/images", 1, UNREADABLE),
    "linkedin image upload asked, no value": ("linkedin", "one picture", ("POST",), "/rest/images", 1, NO_ID),
    "linkedin image status, unreadable": ("linkedin", "one picture", ("GET",), "/rest/images/*", 1, UNREADABLE),
    "facebook photo, no id": ("facebook", "two pictures", ("POST",), "*/photos", 1, NO_ID),
    "facebook post, no id": ("facebook", "plain", ("POST",), "*/feed", 1, NO_ID),
    "facebook first comment, no id": ("facebook", "first comment", ("POST",), "*/comments", 1, NO_ID),
    "threads container, no id": ("threads", "plain", ("POST",), "*/threads", 1, NO_ID),
    "threads second part published, no id": ("threads", "thread", ("POST",), "*/threads_publish", 2, NO_ID),
    "instagram publish, no id": ("instagram", "one picture", ("POST",), "*/media_publish", 1, NO_ID),
}


@pytest.mark.parametrize("case", list(UNREADABLE_STEPS))
def test_an_answer_a_publish_step_cannot_read_is_looked_up_and_the_post_made_once(make_repo, doubles, case):
    """An unreadable answer may follow a post made: an unknown outcome, looked up before anything is sent
    again, in the same run (never `internal error ... please report it`, never sent twice)."""
    account, kind, methods, path, nth, effect = UNREADABLE_STEPS[case]
    root = _repo(make_repo, doubles, account, kind)
    _fault(doubles[NETWORK[account]], methods, path, effect, nth)
    report = _publish(root, doubles)
    assert [(j.state, j.error) for j in report.jobs] == [("published", None)] * len(report.jobs), report.jobs
    assert _publish(root, doubles).jobs == []  # nothing left to send
    records = {f.stem: json.loads(f.read_text())["accounts"][account] for f in (root / "data/published").glob("*.json")}
    posts, comments = _held(doubles, account)
    parts = [p["remote_id"] for p in records["p"]["parts"]]
    assert sorted(str(p["id"]) for p in posts) == sorted(parts)  # each part once, each recorded
    assert [c["id"] for c in comments] == [records["p+comment"]["remote_id"]] if "p+comment" in records else not comments


def _git_identity(root) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Editor"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "editor@example.com"], cwd=root, check=True)


# a thread whose second part the network refused (part 1 out), settled by a human who gives part 1 again
REFUSED_SECOND_PART = {
    "x": ("/2/tweets", {"type": "status", "status": 400}),
    "threads": ("*/threads", {"type": "status", "status": 400, "code": 100}),
}


@pytest.mark.parametrize("given", ["url", "remote_id"])
@pytest.mark.parametrize("account", list(REFUSED_SECOND_PART))
def test_resolve_refuses_a_thread_part_recorded_already_as_the_next(make_repo, doubles, smm, monkeypatch, account, given):
    """`--published` counts as the thread's next part: the first part again would record the parts still to
    go as out, and they would never be sent."""
    root = _repo(make_repo, doubles, account, "thread")
    _git_identity(root)
    path, effect = REFUSED_SECOND_PART[account]
    _fault(doubles[NETWORK[account]], ("POST",), path, effect, 2)
    assert [j.state for j in _publish(root, doubles).jobs] == ["failed"]
    record = root / "data/published/p.json"
    before = record.read_text()
    first = json.loads(before)["accounts"][account]["parts"][0]
    for name, value in _env(doubles).items():
        monkeypatch.setenv(name, value)
    code, out, err = smm("resolve", "p", "--account", account, "--published", first[given])
    assert (code, out) == (1, "")
    assert err == (f"error: --published {first[given]}: that post is part 1 of `p` on {account}, recorded already; "
                   "give the URL of part 2, or --not-published\n")
    assert record.read_text() == before
    code, _, err = smm("resolve", "p", "--account", account, "--not-published")
    assert code == 0, err
    assert [j.state for j in _publish(root, doubles).jobs] == ["published"]
    parts = json.loads(record.read_text())["accounts"][account]["parts"]
    posts, _ = _held(doubles, account)
    assert len(parts) >= 2 and sorted(str(p["id"]) for p in posts) == sorted(p["remote_id"] for p in parts)


# a time in the record of a thread killed after its second part went out, as a hand edit (or a bad merge) left it
EDITED_TIMES = {
    "an attempt's start that is no time": ("sent/0/at", "yesterday"),
    "an attempt's last call that is no time": ("sent/0/last_call", "x"),
    "an attempt's start without its offset": ("sent/0/at", "2026-12-01T12:00:00"),
    "a claim's end without its offset": ("sent/0/until", "2099-01-01T00:00:00"),
    "the first attempt that is no date": ("first_attempt", "2026-13-45T00:00:00+00:00"),
    "the first attempt without its offset": ("first_attempt", "2026-12-01T12:00:00"),
}


@pytest.mark.parametrize("case", list(EDITED_TIMES))
def test_a_record_time_that_is_no_time_stops_the_run_before_any_call(make_repo, doubles, smm, monkeypatch, case):
    """An attempt's times decide what a lookup may match and how long a claim holds: one that is no time
    with its offset is named (file, field) and nothing is sent, never an internal error."""
    root = _repo(make_repo, doubles, "x", "thread")
    env = _env(doubles)
    killed = subprocess.run([sys.executable, str(Path(__file__).parent / "crashing_smm.py"), "after_call:2", "publish"],
                            cwd=root, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    record = json.loads((root / "data/published/p.json").read_text())
    where, value = EDITED_TIMES[case]
    job = record["accounts"]["x"]
    *path, key = where.split("/")
    for step in path:
        job = job[int(step)] if step.isdigit() else job[step]
    job[key] = value
    (root / "data/published/p.json").write_text(json.dumps(record))
    sent = len(doubles["x"].state()["published"])
    for name, secret in env.items():
        monkeypatch.setenv(name, secret)
    code, out, err = smm("publish")
    assert code == 1 and "internal error" not in out + err
    assert (f"data/published/p.json:1:1: error[record.invalid]: malformed publish record: accounts/x/{where}: {value!r} "
            "is not a time with its UTC offset") in err
    assert err.endswith("error: refusing to publish until these are fixed (each could publish a post twice)\n")
    assert len(doubles["x"].state()["published"]) == sent
