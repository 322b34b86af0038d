"""Review 13, data/ read from outside: the files the bot writes (metrics, followers, competitors, mentions,
publish records, the inbox) hand-edited, merged badly or hostile. Each bad value is refused with its file,
line and field (exit 1, no traceback), never shown as a figure: a negative count (`followers -5` made the
report's growth -100.31% and a goal's progress negative), a fraction (DuckDB rounded `1.5` likes to 2), a
count no double holds exactly (2**63-1 likes), an inbox field of the wrong type (a NaN text printed as
`NaN` in `--format json`; a number as `created_at` crashed the report), JSON Python reads and JSON does
not (a key twice, NaN, a number of 5,000 digits crashed every command), a record the report could not
read (its post left out of the figures in silence), a competitors row cut or merged (skipped in silence)."""

from __future__ import annotations

import json
import os

import pytest
from conftest import copy_example

NOW = "2026-11-26T12:00:00Z"
REPORT = ("report", "--from", "2026-10-27", "--to", "2026-11-25", "--now", NOW, "--format", "json")
POST = "2026-10-28-longjing-water-temperature"  # published on bluesky and mastodon in the report's period
RECORD = f"data/published/{POST}.json"
INBOX = "data/inbox/2026-11.jsonl"
NO_COUNT = "is not a count (a whole number from 0 to 9,007,199,254,740,991)"


def metrics(likes="5", views=""):
    return f"2026-11-25T15:00:00Z,{POST},bluesky,bluesky,at://x/1,{likes},1,1,1,{views},\n"


def followers(value):
    return f"2026-11-25T15:00:00Z,bluesky,bluesky,{value}\n"


def competitor(followers="100", posts="3", median="2.5", at="2026-11-20T16:05:00Z"):
    return f"{at},Jadeleaf,bluesky,jadeleaf.bsky.social,{followers},{posts},{median}\n"


def mention(followers="10", engagement="3", sentiment="negative"):
    return (f"9,mastodon,a@x.example,{followers},2026-11-20T08:00:00Z,Cloudleaf is bad,https://x.example/9,"
            f"Cloudleaf,brand,{sentiment},{engagement}\n")


def appended(root, file, text):
    """Append `text` to the file; the number of its first line."""
    path = root / file
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


COUNTS = [  # (file, row, the message after `file:line: `)
    ("data/metrics/2026-11.csv", metrics(likes="-1"), f"likes `-1` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(views="-7"), f"views `-7` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(likes="1.5"), f"likes `1.5` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(likes=str(2 ** 63 - 1)), f"likes `{2 ** 63 - 1}` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(likes=str(2 ** 53)), f"likes `{2 ** 53}` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(likes="lots"), f"likes `lots` {NO_COUNT}"),
    ("data/metrics/2026-11.csv", metrics(likes="NaN"), f"likes `NaN` {NO_COUNT}"),
    ("data/accounts/2026-11.csv", followers("-5"), f"followers `-5` {NO_COUNT}"),
    ("data/accounts/2026-11.csv", followers("5.5"), f"followers `5.5` {NO_COUNT}"),
    ("data/accounts/2026-11.csv", followers("Infinity"), f"followers `Infinity` {NO_COUNT}"),
    ("data/competitors/2026-11.csv", competitor(followers="-5"), f"followers `-5` {NO_COUNT}"),
    ("data/competitors/2026-11.csv", competitor(followers="10.5"), f"followers `10.5` {NO_COUNT}"),
    ("data/competitors/2026-11.csv", competitor(followers=str(2 ** 70)), f"followers `{2 ** 70}` {NO_COUNT}"),
    ("data/competitors/2026-11.csv", competitor(posts="1e300"), f"posts `1e300` {NO_COUNT}"),
    ("data/mentions/2026-11.csv", mention(followers="-5"), f"author_followers `-5` {NO_COUNT}"),
    ("data/mentions/2026-11.csv", mention(engagement="-3"), f"engagement `-3` {NO_COUNT}"),
    ("data/mentions/2026-11.csv", mention(engagement="2.5"), f"engagement `2.5` {NO_COUNT}"),
    ("data/mentions/2026-11.csv", mention(engagement=str(10 ** 30)), f"engagement `{10 ** 30}` {NO_COUNT}"),
    ("data/mentions/2026-11.csv", mention(sentiment="angry"), "unknown sentiment `angry` (one of positive, neutral, negative)"),
    ("data/competitors/2026-11.csv", competitor(at="2026-11-31T16:05:00Z"), "not a row of collected_at, competitor"),
    ("data/competitors/2026-11.csv", "2026-11-20T16:05:00Z,Jadeleaf\n", "not a row of collected_at, competitor"),
    ("data/competitors/2026-11.csv", "<<<<<<< HEAD\n" + competitor() + "=======\n", "not a row of collected_at"),
]


@pytest.mark.parametrize("file,row,said", COUNTS)
def test_a_value_that_is_no_count_is_named_with_its_file_line_and_column(tmp_path, smm, monkeypatch, file, row, said):
    root = copy_example(tmp_path)
    line = appended(root, file, row)
    monkeypatch.chdir(root)
    code, out, err = smm(*REPORT)
    assert (code, out) == (1, ""), err
    assert f"error: {file}:{line}: {said}" in err, err
    assert "Traceback" not in err and str(tmp_path) not in err


@pytest.mark.parametrize("file,row,said", [
    ("data/metrics/2026-11.csv", metrics(likes="-1"), f"likes `-1` {NO_COUNT}"),
    ("data/accounts/2026-11.csv", followers("-5"), f"followers `-5` {NO_COUNT}"),
])
def test_the_site_refuses_a_count_as_the_report_does(tmp_path, smm, monkeypatch, file, row, said):
    root = copy_example(tmp_path)
    line = appended(root, file, row)
    monkeypatch.chdir(root)
    code, _, err = smm("site", "build", "--out", str(tmp_path / "site"), "--now", NOW)
    assert code == 1 and f"{file}:{line}: {said}" in err, err


@pytest.mark.parametrize("row", [metrics(likes="3.0"), metrics(likes="1e3"), metrics(likes="0"), metrics(views="")])
def test_a_whole_number_written_otherwise_is_still_a_count(tmp_path, smm, monkeypatch, row):
    root = copy_example(tmp_path)
    appended(root, "data/metrics/2026-11.csv", row)
    monkeypatch.chdir(root)
    code, out, err = smm(*REPORT)
    assert code == 0, err
    top = {(p["post"], p["account"]): p for p in json.loads(out)["posts"]["items"]}[(POST, "bluesky")]
    assert top["likes"] == int(float(row.split(",")[5]))


ITEM = {"id": "mastodon:1", "account": "mastodon", "platform": "mastodon", "kind": "reply", "author": "@a@x.example",
        "text": "Do you ship to Canada?", "url": "https://x.example/@a/1", "created_at": "2026-11-25T08:00:00+00:00",
        "due_by": "2026-11-25T12:00:00+00:00", "priority": "normal", "sentiment": "neutral", "intent": "question",
        "state": "open", "post": None, "updated_at": "2026-11-25T08:00:00+00:00"}


def item(**changes) -> str:
    return json.dumps({**ITEM, **changes}, ensure_ascii=False) + "\n"


INBOX_LINES = [  # (a line of data/inbox/2026-11.jsonl, what is said after `not an inbox item: `)
    (item(text=5), "text is 5, not a text"),
    (item(author=None), "author is null, not a text"),
    (item(url=["x"]), 'url is ["x"], not a text or null'),
    (item(post=5), "post is 5, not a text or null"),
    (item(created_at=5), "created_at is 5, not a text"),
    (item(created_at="2026-11-25T08:00:00"), "created_at `2026-11-25T08:00:00` is not a time with its UTC offset"),
    (item(created_at="2026-11-31T08:00:00+00:00"), "created_at `2026-11-31T08:00:00+00:00` is not a time"),
    (item(due_by="soon"), "due_by `soon` is not a time with its UTC offset"),
    (item(updated_at="x"), "updated_at `x` is not a time with its UTC offset"),
    (item(sentiment="angry"), "unknown sentiment `angry` (one of positive, neutral, negative)"),
    (item(intent="chat"), "unknown intent `chat` (one of question, complaint, praise, spam, other)"),
    (item().replace('"Do you ship to Canada?"', "NaN"), "NaN is not a JSON number"),
    (item().replace('{"id": "mastodon:1"', '{"id": "mastodon:1", "id": "mastodon:2"'), 'the key "id" is there twice'),
    (item().replace('"mastodon:1"', "1" + "0" * 5000), "a number of more than 4,300 digits"),
]


@pytest.mark.parametrize("line,said", INBOX_LINES)
def test_an_inbox_line_of_the_wrong_types_is_named_not_shown_or_a_crash(tmp_path, smm, monkeypatch, line, said):
    root = copy_example(tmp_path)
    appended(root, INBOX, item(id="mastodon:0") + line)
    monkeypatch.chdir(root)
    for args in (REPORT, ("reply", "mastodon:0", "--now", NOW)):
        code, out, err = smm(*args)
        assert code == 1 and f"{INBOX}:2: not an inbox item: " in err and said in err, (args, err)
        assert "Traceback" not in err and "NaN" not in out


RECORDS = [  # (what is done to a publish record's text, what is said)
    (lambda t: t.replace('"accounts": {', '"accounts": {"mastodon": {"state": "failed"}, ', 1),
     'the key "mastodon" is there twice'),
    (lambda t: t.replace('"attempts": 1', '"attempts": NaN', 1), "NaN is not a JSON number"),
    (lambda t: t.replace('"attempts": 1', '"attempts": -Infinity', 1), "-Infinity is not a JSON number"),
    (lambda t: t.replace('"attempts": 1', '"attempts": 1' + "0" * 5000, 1), "a number of more than 4,300 digits"),
]


@pytest.mark.parametrize("change,said", RECORDS)
def test_a_record_python_reads_and_json_does_not_is_refused_by_every_command(tmp_path, smm, monkeypatch, change, said):
    root = copy_example(tmp_path)
    path = root / RECORD
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(root)
    for args in (REPORT, ("check", "--now", NOW), ("publish", "--dry-run", "--now", NOW),
                 ("site", "build", "--out", str(tmp_path / "site"), "--now", NOW)):
        code, out, err = smm(*args)
        assert code == 1 and "Traceback" not in out + err, (args, err)
        assert f"{RECORD}:" in out + err and said in out + err, (args, out, err)


@pytest.mark.parametrize("change", [lambda t: t[: len(t) // 2], lambda t: "", lambda t: "<<<<<<< HEAD\n" + t])
def test_the_report_names_a_record_it_cannot_read_instead_of_leaving_its_post_out(tmp_path, smm, monkeypatch, change):
    root = copy_example(tmp_path)
    path = root / RECORD
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(root)
    code, out, err = smm(*REPORT)
    assert (code, out) == (1, "") and f"{RECORD}:" in err and "record.invalid" in err, err
    assert err.rstrip().endswith("error: fix these before the report")


FOLDERS = [  # (a folder smm keeps files in, made something else; the commands that read it)
    ("data/published", "file", [("publish", "--dry-run", "--now", NOW), ("publish", "--now", NOW), ("check", "--now", NOW),
                                REPORT]),
    ("data/published", "broken link", [("publish", "--dry-run", "--now", NOW), REPORT]),
    ("data/inbox", "file", [REPORT, ("reply", "mastodon:1", "--now", NOW)]),
    ("data/mentions", "file", [REPORT, ("listen", "--now", NOW)]),
    ("data/metrics", "file", [REPORT, ("site", "build", "--out", "_site", "--now", NOW)]),
    ("data/accounts", "file", [REPORT]),
    ("data/competitors", "file", [REPORT]),
]


@pytest.mark.parametrize("folder,made,commands", FOLDERS)
def test_a_data_folder_that_is_no_folder_is_named_not_read_as_empty(tmp_path, smm, monkeypatch, folder, made, commands):
    """Read as empty, data/published made every post due again (107 would_publish in the example)."""
    import shutil

    root = copy_example(tmp_path)
    if (root / folder).is_dir():
        shutil.rmtree(root / folder)
    if made == "file":
        (root / folder).write_text("{}\n", encoding="utf-8")
    else:
        os.symlink("nowhere", root / folder)
    monkeypatch.chdir(root)
    for args in commands:
        code, out, err = smm(*args)
        assert code == 1 and f"{folder} is not a folder" in out + err, (args, out, err)
        assert "would_publish" not in out and "Traceback" not in out + err
    assert not (root / "data/feed").exists()  # nothing went out (the feed account's post is due)


def test_a_mention_two_runs_wrote_counts_once(tmp_path, smm, monkeypatch):
    """Two `smm listen` runs that found the same mention and merged (`merge=union`) counted it twice."""
    root = copy_example(tmp_path)
    monkeypatch.chdir(root)
    before = json.loads(smm(*REPORT)[1])["mentions"]["total"]
    appended(root, "data/mentions/2026-11.csv", mention() * 2)
    appended(root, "data/mentions/2026-10.csv", mention().replace("2026-11-20", "2026-10-30"))  # a month apart
    code, out, err = smm(*REPORT)
    assert code == 0 and json.loads(out)["mentions"]["total"] == before + 1, err


def test_valid_data_reads_as_before(tmp_path, smm, monkeypatch):
    """The example's figures: the new checks let every value smm writes through."""
    root = copy_example(tmp_path)
    monkeypatch.chdir(root)
    code, out, err = smm(*REPORT)
    assert code == 0, err
    accounts = {a["account"]: a["followers"] for a in json.loads(out)["accounts"]}
    assert (accounts["bluesky"]["start"], accounts["bluesky"]["end"]) == (1615, 1735)
    assert os.path.exists(root / "data/competitors") and json.loads(out)["competitors"]
