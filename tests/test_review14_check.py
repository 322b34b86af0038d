"""The fifteenth session's outside-in review of `smm check` (issue 14): hostile settings and a cache that
must not outlive what a result depends on. Each row: a small repository with one bad input; `smm check`
names the file, line and field and exits 1 (2 for platforms.yml), never an internal error."""

from __future__ import annotations

import json

import pytest
from conftest import PLATFORMS, post_text

NOW = "2026-11-25T08:00:00+08:00"
LONG = "9" * 4400  # more digits than Python converts to an int (sys.get_int_max_str_digits)
POST = "content/p.md"


def _check(smm, *args: str) -> tuple[int, list[dict], str]:
    code, out, err = smm("check", "--format", "json", "--now", NOW, *args)
    assert "internal error" not in err and "Traceback" not in err, err[-2000:]
    return code, json.loads(out), err


# a file → its text holding a number too long to convert, and the line it is on
LONG_NUMBERS = {
    "platforms.yml": (PLATFORMS.replace("timezone:", f"x: {LONG}\ntimezone:"), 1),
    "brand/calendar.yml": (f"pillars:\n  news: {{description: {LONG}}}\n", 2),
    "brand/brand.yml": (f"name: A\nthread_numbering: {LONG}\n", 2),
    "brand/personas.yml": (f"quiet_days: {LONG}\n", 1),
    "brand/voice.yml": (f"hashtags: {{max: {LONG}}}\n", 1),
    "brand/voice/Big.yml": (f"extends: occurrence\nmessage: m\nscope: sentence\nmax: {LONG}\ntoken: a\n", 4),
    "brand/cards/big.yml": (f"sizes: {{default: [{LONG}, 675]}}\n", 1),
    "brand/goals.yml": (f"goals:\n  - id: g\n    target: {LONG}\n", 3),
    POST: (post_text(extra=LONG), 5),
}


@pytest.mark.parametrize("file", list(LONG_NUMBERS))
def test_a_number_too_long_to_convert_is_reported_where_it_is(make_repo, smm, file):
    """A YAML integer of more than 4,300 digits: Python refuses to convert it, and `smm check` stopped with
    an internal error; now `yaml.too-complex` at the number."""
    text, line = LONG_NUMBERS[file]
    posts = {} if file == POST else {"p.md": post_text()}
    make_repo(posts, platforms=text if file == "platforms.yml" else PLATFORMS,
              files={} if file == "platforms.yml" else {file: text})
    exit_code, found, _ = _check(smm)
    hits = [d for d in found if d["rule"] == "yaml.too-complex"]
    assert [(d["file"], d["line"]) for d in hits] == [(file, line)]
    assert "4,300 digits" in hits[0]["message"]
    assert exit_code == (2 if file == "platforms.yml" else 1)


# an account option of the wrong type → the text it is written as
WRONG_OPTIONS = {
    "char_limit as text": ("bluesky", "char_limit", '"500"'),
    "char_limit as a fraction": ("mastodon", "char_limit", "1e3"),
    "hashtag_limit as text": ("bluesky", "hashtag_limit", '"2"'),
    "hashtag_limit as a list": ("mastodon", "hashtag_limit", "[3]"),
    "daily_limit as a fraction": ("mastodon", "daily_limit", "1.5"),
    "daily_limit not a number": ("bluesky", "daily_limit", ".nan"),
    "token_env as a list": ("mastodon", "token_env", "[A, B]"),
    "token_env as a number": ("mastodon", "token_env", "5"),
    "password_env as a mapping": ("bluesky", "password_env", "{a: B}"),
    "char_limit as a list": ("bluesky", "char_limit", "[300]"),
}


@pytest.mark.parametrize("case", list(WRONG_OPTIONS))
def test_an_account_option_of_the_wrong_type_is_reported_not_used(make_repo, smm, case):
    """platforms.yml's schema errors were reported, but the account's options were used anyway: a
    `char_limit` of text compared with a count, a `token_env` list hashed, and `smm check` stopped with an
    internal error. An account whose options break the schema is left out: its errors alone are reported."""
    account, option, value = WRONG_OPTIONS[case]
    platforms = PLATFORMS.replace(f"  {account}: {{", f"  {account}: {{{option}: {value}, ", 1)
    assert platforms != PLATFORMS
    make_repo({"p.md": post_text("#a #b #c #d " + "word " * 120, platforms="[feed, mastodon, bluesky]")},
              platforms=platforms)
    exit_code, found, _ = _check(smm)
    assert exit_code == 2
    line = 4 + (account == "bluesky")
    assert [d["rule"] for d in found if d["file"] == "platforms.yml" and d["line"] == line
            and f"accounts.{account}.{option}" in d["message"]] == ["schema.type"], found


class _Instance:
    """A Mastodon instance's `/api/v2/instance` on localhost, answering `limit` (None: no answer, a 404)."""

    def __init__(self) -> None:
        import http.server
        import threading

        instance = self
        self.limit: int | None = 5000
        self.asked = 0

        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                instance.asked += 1
                body = json.dumps({"configuration": {"statuses": {"max_characters": instance.limit}}}).encode()
                self.send_response(200 if instance.limit else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _online(smm, cache, offline: bool = False) -> tuple[int, list[str]]:
    code, out, err = smm("check", "--format", "json", "--now", NOW,
                         env={"SMM_OFFLINE": "1" if offline else "0", "SMM_CACHE_DIR": str(cache)})
    assert "internal error" not in err, err
    return code, sorted(d["rule"] for d in json.loads(out))


# what changes between a warm run and the next: the instance's answer, or whether it is asked
LIMIT_CHANGES = {
    "the instance lowers its limit": (lambda instance: setattr(instance, "limit", 500), False),
    "the instance raises its limit": (lambda instance: setattr(instance, "limit", 5000), False),
    "the instance stops answering": (lambda instance: setattr(instance, "limit", None), False),
    "the next run is offline (SMM_OFFLINE=1)": (lambda instance: None, True),
}


def _mastodon_repo(make_repo, instance: _Instance) -> None:
    make_repo({"p.md": post_text("word " * 200, platforms="[mastodon]")},
              platforms=f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: \"{instance.url}\", "
                        "token_env: T}\n")


@pytest.fixture
def instance():
    instance = _Instance()
    yield instance
    instance.server.shutdown()
    instance.server.server_close()


def _a_day_later(monkeypatch) -> None:
    """The clock of smm.platforms.kept_reported_limits, LIMITS_KEPT and a second on: a kept reported
    limit is asked again."""
    import time
    from types import SimpleNamespace

    import smm.platforms

    later = time.time() + smm.platforms.LIMITS_KEPT + 1
    monkeypatch.setattr(smm.platforms, "time", SimpleNamespace(time=lambda: later))


@pytest.mark.parametrize("change", list(LIMIT_CHANGES))
def test_a_post_is_checked_again_when_the_limit_its_instance_reports_changes(make_repo, smm, tmp_path, monkeypatch,
                                                                              instance, change):
    """A Mastodon account without `char_limit` is held to the limit its instance reports; the post's kept
    result did not depend on that limit, so a warm run reported what the first run's limit made of the
    post (a 999-character post passing at 5,000 still passed at 500). Once the kept answer is a day old
    (or the run is offline), the warm run reports what a run with an empty cache reports."""
    alter, offline = LIMIT_CHANGES[change]
    if "raises" in change:
        instance.limit = 500
    _mastodon_repo(make_repo, instance)
    first = _online(smm, tmp_path / "warm")
    alter(instance)
    cold = _online(smm, tmp_path / "cold", offline)
    assert cold != first  # the change matters (else the row tests nothing)
    _a_day_later(monkeypatch)
    assert _online(smm, tmp_path / "warm", offline) == cold


def test_the_limit_an_instance_reported_is_asked_once_a_day(make_repo, smm, tmp_path, monkeypatch, instance):
    """Each warm check asking the instance would cost it a request (up to 3 s): the answer is kept a day."""
    _mastodon_repo(make_repo, instance)
    first = _online(smm, tmp_path / "cache")
    assert instance.asked == 1
    instance.limit = 500
    assert _online(smm, tmp_path / "cache") == first  # the kept answer, not asked
    assert instance.asked == 1
    _a_day_later(monkeypatch)
    assert _online(smm, tmp_path / "cache") != first
    assert instance.asked == 2
