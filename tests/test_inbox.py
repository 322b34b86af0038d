"""`smm inbox`: triage (priority, due time), the data/inbox/ files, and collection from the real
Mastodon and Bluesky servers (tests/peers) — each item once, the brand post it answers named."""

from __future__ import annotations

import json
import time as time_module
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import post_text
from peers import http_json, require

from smm.inbox.collect import collect
from smm.inbox.items import Item, append_items, load_items
from smm.inbox.triage import DEFAULT_SLA, Replies, due_by, priority_of
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NY = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = Replies(keywords=("退款", "refund", "投诉"), followers=10_000)

PRIORITY_CASES = [
    # (text, kind, sentiment, intent, followers, expected)
    ("我要退款，茶叶是坏的", "reply", "negative", "complaint", 3, "urgent"),  # keyword
    ("Please REFUND me", "dm", "neutral", "question", None, "urgent"),          # keyword, any case
    ("The lid arrived cracked", "mention", "negative", "complaint", 12, "urgent"),  # complaint said negatively
    ("Not impressed by the new blend", "mention", "negative", "other", 50_000, "urgent"),  # large account, negative
    ("Not impressed by the new blend", "mention", "negative", "other", 50, "high"),
    ("Where is my order?", "dm", "neutral", "question", 5, "high"),           # a question sent privately
    ("Where can I buy it?", "mention", "neutral", "question", 5, "normal"),
    ("Love this tea!", "reply", "positive", "praise", 5, "low"),
    ("Love it! Is it organic?", "reply", "positive", "praise", 5, "normal"),  # praise that asks something
    ("好喝！哪里能买到？", "reply", "positive", "praise", 5, "normal"),
    ("Buy followers cheap", "mention", "neutral", "spam", 5, "low"),
]


@pytest.mark.parametrize("text,kind,sentiment,intent,followers,expected", PRIORITY_CASES)
def test_priority(text, kind, sentiment, intent, followers, expected):
    assert priority_of(text, kind, sentiment, intent, followers, RULES) == expected


@pytest.mark.parametrize("sentiment,verified,expected", [
    ("negative", True, "urgent"),    # a verified author's negative word is urgent, whatever their followers
    ("negative", False, "high"),
    ("neutral", True, "normal"),     # verified alone is no reason
])
def test_a_verified_author_makes_a_negative_item_urgent(sentiment, verified, expected):
    assert priority_of("Not impressed", "mention", sentiment, "other", 5, RULES, verified) == expected


QUIET = Replies(quiet=(time(22), time(8)))
DUE_CASES = [
    # (replies, tz, created (local wall clock), priority, due (local wall clock))
    (Replies(), SHANGHAI, "2026-12-05T21:00", "normal", "2026-12-06T21:00"),
    (QUIET, SHANGHAI, "2026-12-05T21:00", "urgent", "2026-12-06T09:00"),  # 1 h before quiet hours, 1 h after
    (QUIET, SHANGHAI, "2026-12-05T23:30", "urgent", "2026-12-06T10:00"),  # said in quiet hours: the clock starts at 08:00
    (QUIET, SHANGHAI, "2026-12-06T03:00", "high", "2026-12-06T16:00"),
    (QUIET, SHANGHAI, "2026-12-05T21:00", "normal", "2026-12-07T17:00"),  # 1 h + 14 h + 9 h
    # New York: the clocks go back at 02:00 on 2026-11-01 and forward at 02:00 on 2026-03-08
    (Replies(), NY, "2026-10-31T12:00", "normal", "2026-11-01T11:00"),  # 24 real hours, the day had 25
    (Replies(), NY, "2026-03-07T12:00", "normal", "2026-03-08T13:00"),  # the day had 23
    # 30 min, then quiet hours from 01:00 to 05:00 on the wall (5 real hours in November, 3 in March), then 1 h 30
    (Replies(quiet=(time(1), time(5))), NY, "2026-11-01T00:30", "urgent", "2026-11-01T06:30"),
    (Replies(quiet=(time(1), time(5))), NY, "2026-03-08T00:30", "urgent", "2026-03-08T06:30"),
    (Replies(quiet=(time(1), time(5))), NY, "2026-11-01T00:30", "normal", "2026-11-02T08:30"),  # 30 min + 20 h + 3 h 30
]


@pytest.mark.parametrize("replies,tz,created,priority,due", DUE_CASES)
def test_due_by_counts_real_time_outside_quiet_hours(replies, tz, created, priority, due):
    start = datetime.fromisoformat(created).replace(tzinfo=tz)
    assert due_by(start, priority, replies, tz).astimezone(tz).replace(tzinfo=None) == datetime.fromisoformat(due)


def test_default_response_times():
    assert DEFAULT_SLA == {"urgent": timedelta(hours=2), "high": timedelta(hours=8), "normal": timedelta(hours=24),
                           "low": timedelta(hours=72)}


def _item(item_id: str, state: str = "open", updated: str = "2026-12-05T10:00:00+00:00", **fields) -> Item:
    base = dict(id=item_id, account="mastodon", platform="mastodon", kind="mention", author="fan", text="hi",
                url=None, created_at="2026-12-05T09:00:00+00:00", due_by="2026-12-06T09:00:00+00:00",
                priority="normal", sentiment="neutral", intent="other", state=state, post=None, updated_at=updated)
    return Item(**{**base, **fields})


def test_items_file_keeps_the_latest_line_of_each_item(tmp_path):
    append_items(tmp_path, [_item("mastodon:1"), _item("mastodon:2")])
    append_items(tmp_path, [_item("mastodon:1", "answered", "2026-12-05T11:00:00+00:00")])
    append_items(tmp_path, [_item("mastodon:2", "open", "2026-12-05T09:30:00+00:00")])  # older: ignored
    items = load_items(tmp_path)
    assert {i: (items[i].state, items[i].updated_at[11:16]) for i in items} == {
        "mastodon:1": ("answered", "11:00"), "mastodon:2": ("open", "10:00")}
    assert (tmp_path / "data/inbox/2026-12.jsonl").read_text().count("\n") == 4


BROKEN_LINES = [
    ("{not json", "not an inbox item"),
    ('{"id": "a"}', "expected an object with the keys"),
    ('[1, 2]', "expected an object"),
    (json.dumps({**_item("m:1").__dict__, "kind": "shout"}), "unknown kind"),
    ("\xff\xfe", "not an inbox item"),
]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["", "a byte order mark"])
def test_an_inbox_file_an_editor_saved_with_a_byte_order_mark_is_read(make_repo, smm, bom):
    root = make_repo()
    (root / "data/inbox").mkdir(parents=True)
    (root / "data/inbox/2026-12.jsonl").write_bytes(bom + json.dumps(_item("m:1").__dict__).encode() + b"\n")
    code, out, err = smm("inbox", "--now", "2026-12-05T12:00:00+00:00", "--format", "json")
    assert [i["id"] for i in json.loads(out)["items"]] == ["m:1"], err


@pytest.mark.parametrize("line,message", BROKEN_LINES)
def test_a_broken_inbox_line_is_named_with_its_file_and_line(make_repo, smm, line, message):
    root = make_repo()
    good = json.dumps(_item("m:1").__dict__, ensure_ascii=False)
    (root / "data/inbox").mkdir(parents=True)
    (root / "data/inbox/2026-12.jsonl").write_bytes((good + "\n" + line + "\n").encode("utf-8", "surrogateescape")
                                                     if line != "\xff\xfe" else (good + "\n").encode() + b"\xff\xfe\n")
    code, out, err = smm("inbox", "--now", "2026-12-05T12:00:00+00:00")
    assert code == 1
    assert "data/inbox/2026-12.jsonl:2" in err and message in err
    assert "Traceback" not in err


def test_the_queue_lists_open_items_most_urgent_then_most_overdue(make_repo, smm):
    root = make_repo()
    append_items(root, [
        _item("mastodon:low", priority="low", due_by="2026-12-05T10:00:00+00:00"),
        _item("mastodon:late", due_by="2026-12-05T11:00:00+00:00"),
        _item("mastodon:later", due_by="2026-12-06T11:00:00+00:00"),
        _item("mastodon:urgent", priority="urgent", due_by="2026-12-05T14:00:00+00:00"),
        _item("mastodon:done", state="answered", priority="urgent"),
    ])
    code, out, err = smm("inbox", "--format", "json", "--now", "2026-12-05T12:00:00+00:00",
                         env={"T_MASTODON": "", "T_BLUESKY": ""})
    items = json.loads(out)["items"]
    assert [i["id"] for i in items] == ["mastodon:urgent", "mastodon:late", "mastodon:later", "mastodon:low"]
    assert set(items[0]) == {"id", "account", "platform", "kind", "author", "text", "url", "created_at", "due_by",
                             "priority", "sentiment", "intent", "state", "post"}
    code, out, err = smm("inbox", "--now", "2026-12-05T12:00:00+00:00")
    assert "4 open (1 urgent, 2 normal, 1 low), 2 overdue" in out
    assert "overdue 1h00m" in out and "2h00m left" in out


# --- against the real servers --------------------------------------------------------------------


def fake_classify(text: str) -> tuple[str, str, str]:
    """A stand-in for the model: these tests are about collection, not about the model."""
    negative = any(w in text for w in ("broken", "退款"))
    return "en", "negative" if negative else "neutral", "complaint" if negative else "other"


def _masto(masto, token, method, path, body=None):
    status, answer = http_json(method, f"{masto.url}{path}", body, headers={"Authorization": f"Bearer {token}"})
    assert status == 200, answer
    return answer


@pytest.mark.peer
def test_mastodon_inbox_sees_each_reply_mention_and_message_once(make_repo):
    masto = require("mastodon")
    brand, fan = masto.create_account(), masto.create_account()
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 f"token_env: T_MASTODON}}\n")
    at = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    root = make_repo({"launch.md": post_text(f"Winter blend {uuid.uuid4().hex[:6]}", publish_at=at,
                                             platforms="[mastodon]")}, calendar=None, platforms=platforms)
    env = {"T_MASTODON": brand.token}
    report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
    assert [j.state for j in report.jobs] == ["published"]
    remote = json.loads((root / "data/published/launch.json").read_text())["accounts"]["mastodon"]["remote_id"]
    mention = f"@{brand.username}"
    reply = _masto(masto, fan.token, "POST", "/api/v1/statuses",
                   {"status": f"{mention} my kettle arrived broken", "in_reply_to_id": remote})
    said = _masto(masto, fan.token, "POST", "/api/v1/statuses", {"status": f"Tea time with {mention}"})
    dm = _masto(masto, fan.token, "POST", "/api/v1/statuses",
                {"status": f"{mention} where is my order?", "visibility": "direct"})
    _masto(masto, brand.token, "POST", "/api/v1/statuses", {"status": f"{mention} talking to myself"})

    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    run = collect(load_repo(root), now, env, timedelta(hours=1), classify=fake_classify)
    got = {i.id: (i.kind, i.author, i.post, i.priority) for i in run.items.values()}
    assert got == {f"mastodon:{reply['id']}": ("reply", fan.username, "launch", "urgent"),
                   f"mastodon:{said['id']}": ("mention", fan.username, None, "normal"),
                   f"mastodon:{dm['id']}": ("dm", fan.username, None, "normal")}
    assert [a.new for a in run.accounts] == [3]
    again = collect(load_repo(root), now + timedelta(minutes=5), env, timedelta(hours=1), classify=fake_classify)
    assert [a.new for a in again.accounts] == [0] and set(again.items) == set(run.items)
    assert len(load_items(root)) == 3
    assert (root / f"data/inbox/{now:%Y-%m}.jsonl").read_text().count("\n") == 3


def _login(client, account) -> None:
    """Log in once the AppView knows the new account's profile (the SDK reads it on login)."""
    from atproto_client.exceptions import BadRequestError

    deadline = time_module.monotonic() + 20
    while True:
        try:
            client.login(account.handle, account.password)
            return
        except BadRequestError:
            if time_module.monotonic() > deadline:
                raise
            time_module.sleep(0.2)


@pytest.mark.peer
def test_bluesky_inbox_sees_each_reply_mention_and_quote_once(make_repo):
    bsky = require("bluesky")
    from atproto import Client, models

    brand, fan = bsky.create_account("brand"), bsky.create_account("fan")
    platforms = (f"timezone: UTC\naccounts:\n  bluesky: {{platform: bluesky, service: '{bsky.pds_url}', "
                 f"handle: {brand.handle}, password_env: T_BSKY}}\n")
    at = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    root = make_repo({"launch.md": post_text("Winter blend is here", publish_at=at, platforms="[bluesky]")},
                     calendar=None, platforms=platforms)
    env = {"T_BSKY": brand.password}
    report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
    assert [j.state for j in report.jobs] == ["published"]
    remote = json.loads((root / "data/published/launch.json").read_text())["accounts"]["bluesky"]["remote_id"]
    client = Client(base_url=bsky.pds_url.rstrip("/") + "/xrpc")
    _login(client, fan)
    parent = models.create_strong_ref(client.get_post(remote.rsplit("/", 1)[1], brand.did))
    reply = client.send_post("My kettle arrived broken", reply_to=models.AppBskyFeedPost.ReplyRef(parent=parent, root=parent))
    quote = client.send_post("Look at this", embed=models.AppBskyEmbedRecord.Main(record=parent))
    text = f"Tea time with @{brand.handle}"
    start = text.encode().index(b"@")
    facet = models.AppBskyRichtextFacet.Main(
        features=[models.AppBskyRichtextFacet.Mention(did=brand.did)],
        index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=len(text.encode())))
    mention = client.send_post(text, facets=[facet])

    expected = {f"bluesky:{reply.uri}": ("reply", fan.handle, "launch"),
                f"bluesky:{quote.uri}": ("quote", fan.handle, "launch"),
                f"bluesky:{mention.uri}": ("mention", fan.handle, None)}
    deadline = datetime.now(timezone.utc) + timedelta(seconds=20)  # the AppView indexes within a moment
    while True:
        run = collect(load_repo(root), datetime.now(timezone.utc), env, timedelta(hours=1), classify=fake_classify)
        got = {i.id: (i.kind, i.author, i.post) for i in load_items(root).values()}
        if got == expected or datetime.now(timezone.utc) > deadline:
            break
    assert got == expected
    assert run.exit_code == 0
    lines = (root / f"data/inbox/{datetime.now(timezone.utc):%Y-%m}.jsonl").read_text().splitlines()
    assert len(lines) == 3


BROKEN_REPLIES = [
    ("sla:\n  urgent: soon\n", 2, "sla"),
    ("sla:\n  fast: 1h\n", 2, "fast"),
    ("urgent:\n  keywords: 退款\n", 2, "keywords"),
    ("urgent:\n  followers: -5\n", 2, "followers"),
    ("quiet_hours:\n  from: \"25:00\"\n  to: \"08:00\"\n", 2, "from"),
    ("quiet_hours:\n  from: \"22:00\"\n", 2, "to"),
]


@pytest.mark.parametrize("text,line,field", BROKEN_REPLIES)
def test_smm_check_names_a_broken_replies_file_with_line_and_field(make_repo, smm, text, line, field):
    make_repo(files={"brand/replies.yml": text})
    code, out, err = smm("check")
    assert code == 1
    assert f"brand/replies.yml:{line}" in out and field in out, out


def test_the_inbox_files_of_two_runs_merge_line_by_line():
    from smm.data.merge import merge_files

    base = json.dumps(_item("m:1").__dict__) + "\n"
    pushed, ours = base + json.dumps(_item("m:2").__dict__) + "\n", base + json.dumps(_item("m:3").__dict__) + "\n"
    merged = merge_files({"data/inbox/2026-12.jsonl": (pushed, ours)}, lambda path: None)
    assert [json.loads(line)["id"] for line in merged["data/inbox/2026-12.jsonl"].splitlines()] == ["m:1", "m:2", "m:3"]


# --- replies as code ---------------------------------------------------------------------------------

ITEM = _item("mastodon:1099", author="fan@example.social", text="Is the winter blend --> organic?", kind="reply",
             url="https://mastodon.example/@fan/1099")


def _reply_repo(make_repo, reply: str):
    root = make_repo({"replies/r.md": reply}, calendar=None)
    append_items(root, [ITEM])
    return root


REPLY_CASES = [
    # (front matter lines, expected rule or None)
    ('reply_to: "mastodon:1099"', None),  # no platforms, no publish_at: the item's account, due once merged
    ('reply_to: "mastodon:1099"\nplatforms: [mastodon]\npublish_at: 2026-12-06T10:00', None),
    ('reply_to: "mastodon:404"', "reply.unknown-item"),
    ('reply_to: "bluesky:1099"', "reply.unknown-item"),
    ('reply_to: "mastodon:1099"\nplatforms: [mastodon, feed]', "reply.account"),
    ('reply_to: "mastodon:1099"\nplatforms: [feed]', "reply.account"),
    ('reply_to: "no colon"', "schema.pattern"),
    ("platforms: [mastodon]", "post.publish-at-missing"),  # not a reply: publish_at is still required
    ("publish_at: 2026-12-06T10:00", "schema.required"),  # not a reply: platforms is still required
]


@pytest.mark.parametrize("front,rule", REPLY_CASES)
def test_check_holds_a_reply_to_its_item(make_repo, smm, front, rule):
    _reply_repo(make_repo, f"---\ntitle: Reply\n{front}\n---\n@fan Yes, it is organic.\n")
    code, found, _ = smm.json("check", "--now", "2026-12-05T12:00:00+00:00")
    rules = [d["rule"] for d in found if d["severity"] == "error"]
    assert rules == ([rule] if rule else []), found
    assert code == (1 if rule else 0)
    if rule and rule.startswith("reply."):
        line = 3 if rule == "reply.unknown-item" else 4
        assert [d["line"] for d in found if d["rule"] == rule] == [line]


def test_smm_reply_writes_a_draft_that_quotes_the_original(make_repo, smm):
    root = make_repo(calendar=None)
    append_items(root, [ITEM])
    code, out, err = smm("reply", "mastodon:1099", "--now", "2026-12-05T12:00:00+00:00")
    assert code == 0, err
    path = root / "content/replies/2026-12-05-mastodon-1099.md"
    text = path.read_text()
    assert 'reply_to: "mastodon:1099"' in text and "draft: true" in text and "@fan@example.social" in text
    assert "Is the winter blend - -> organic?" in text  # the original cannot close the comment early
    assert smm("check", "--now", "2026-12-05T12:00:00+00:00")[0] == 0
    code, out, err = smm("preview", str(path))
    assert 'in reply to fan@example.social (reply): "Is the winter blend --> organic?"' in out
    assert smm("reply", "mastodon:1099", "--now", "2026-12-05T12:00:00+00:00")[0] == 1  # never overwritten
    code, out, err = smm("reply", "mastodon:404")
    assert code == 1 and "no inbox item 'mastodon:404'" in err


@pytest.mark.peer
def test_a_reply_file_goes_out_once_as_a_threaded_reply_and_answers_the_item(make_repo, smm):
    masto = require("mastodon")
    brand, fan = masto.create_account(), masto.create_account()
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 f"token_env: T_MASTODON}}\n")
    root = make_repo(calendar=None, platforms=platforms)
    env = {"T_MASTODON": brand.token}
    asked = _masto(masto, fan.token, "POST", "/api/v1/statuses", {"status": f"@{brand.username} is it organic?"})
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    collect(load_repo(root), now, env, timedelta(hours=1), classify=fake_classify)
    item_id = f"mastodon:{asked['id']}"
    assert smm("reply", item_id)[0] == 0
    reply = next((root / "content/replies").iterdir())
    reply.write_text(reply.read_text().replace("draft: true\n", "") + f"Yes, certified organic {uuid.uuid4().hex[:6]}.\n")
    assert smm("check")[0] == 0
    for _ in range(2):
        report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
        assert [j.state for j in report.jobs] in (["published"], [])
    record = json.loads((root / f"data/published/{reply.stem}.json").read_text())["accounts"]["mastodon"]
    status = _masto(masto, brand.token, "GET", f"/api/v1/statuses/{record['remote_id']}")
    assert status["in_reply_to_id"] == asked["id"] and "certified organic" in status["content"]
    mine = _masto(masto, brand.token, "GET", f"/api/v1/accounts/{brand.id}/statuses?limit=40")
    assert sum("certified organic" in s["content"] for s in mine) == 1
    run = collect(load_repo(root), now + timedelta(minutes=1), env, timedelta(hours=1), classify=fake_classify)
    assert run.items[item_id].state == "answered" and run.queue == []


@pytest.mark.peer
def test_a_bluesky_reply_file_answers_in_the_thread_of_the_item(make_repo, smm):
    bsky = require("bluesky")
    from atproto import Client, models

    brand, fan = bsky.create_account("brand"), bsky.create_account("fan")
    platforms = (f"timezone: UTC\naccounts:\n  bluesky: {{platform: bluesky, service: '{bsky.pds_url}', "
                 f"handle: {brand.handle}, password_env: T_BSKY}}\n")
    client = Client(base_url=bsky.pds_url.rstrip("/") + "/xrpc")
    _login(client, brand)
    top = client.send_post("Winter blend is here")  # the brand's post, the thread's root
    _login(client, fan)
    ref = models.create_strong_ref(top)
    asked = client.send_post("Is it organic?", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref))
    root = make_repo(calendar=None, platforms=platforms)
    env = {"T_BSKY": brand.password}
    item_id = f"bluesky:{asked.uri}"
    deadline = datetime.now(timezone.utc) + timedelta(seconds=20)
    while item_id not in load_items(root) and datetime.now(timezone.utc) < deadline:
        collect(load_repo(root), datetime.now(timezone.utc), env, timedelta(hours=1), classify=fake_classify)
    assert smm("reply", item_id)[0] == 0
    reply = next((root / "content/replies").iterdir())
    reply.write_text(reply.read_text().replace("draft: true\n", "") + "Yes, certified organic.\n")
    for _ in range(2):
        report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
        assert [j.state for j in report.jobs] in (["published"], [])
    uri = json.loads((root / f"data/published/{reply.stem}.json").read_text())["accounts"]["bluesky"]["remote_id"]
    sent = client.com.atproto.repo.get_record({"repo": brand.did, "collection": "app.bsky.feed.post",
                                               "rkey": uri.rsplit("/", 1)[1]}).value
    assert (sent.reply.parent.uri, sent.reply.root.uri) == (asked.uri, top.uri)


def test_the_report_says_how_quickly_items_were_answered(make_repo, smm):
    root = make_repo(calendar=None)
    day = "2026-12-01T"
    append_items(root, [
        _item("mastodon:1", created_at=day + "09:00:00+00:00", due_by=day + "11:00:00+00:00", priority="urgent"),
        _item("mastodon:1", "answered", day + "10:00:00+00:00", created_at=day + "09:00:00+00:00",
              due_by=day + "11:00:00+00:00", priority="urgent"),                          # 60 min, in time
        _item("mastodon:2", created_at=day + "09:00:00+00:00", due_by=day + "10:00:00+00:00"),
        _item("mastodon:2", "answered", day + "12:00:00+00:00", created_at=day + "09:00:00+00:00",
              due_by=day + "10:00:00+00:00"),                                             # 180 min, late
        _item("bluesky:3", account="bluesky", platform="bluesky", created_at=day + "09:00:00+00:00",
              due_by=day + "15:00:00+00:00"),                                             # never answered: overdue
        _item("bluesky:4", account="bluesky", platform="bluesky", created_at="2026-11-01T09:00:00+00:00"),  # before
    ])
    code, data, _ = smm.json("report", "--from", "2026-12-01", "--to", "2026-12-01", "--now", "2026-12-05T00:00:00+00:00")
    r = data["responsiveness"]
    assert {k: r[k] for k in ("items", "answered", "median_first_response_minutes", "within_sla_pct", "overdue")} == \
        {"items": 3, "answered": 2, "median_first_response_minutes": 120, "within_sla_pct": 33.33, "overdue": 1}
    assert [(a["account"], a["items"], a["overdue"]) for a in r["by_account"]] == [("bluesky", 1, 1), ("mastodon", 2, 0)]
    assert [(p["priority"], p["within_sla_pct"]) for p in r["by_priority"]] == [("urgent", 100.0), ("normal", 0.0)]
    code, out, _ = smm("report", "--from", "2026-12-01", "--to", "2026-12-01", "--now", "2026-12-05T00:00:00+00:00")
    assert "Responsiveness" in out and "2h 00m" in out


# --- auto-replies ----------------------------------------------------------------------------------

AUTO = """\
quiet_hours: {from: "23:00", to: "07:00"}
auto:
  - name: shipping
    match: {keywords: [order, 发货], kinds: [mention, dm]}
    template: "Hi @{{ author }}, orders ship within two working days. 订单两个工作日内发货。"
    max_per_run: 2
  - name: broken-template
    match: {keywords: [kaboom]}
    template: "{{ nothing_here }}"
"""


def _auto_repo(make_repo, items):
    root = make_repo(calendar=None, files={"brand/replies.yml": AUTO})
    append_items(root, items)
    return root


def _open(n, author="fan", text="where is my order?", sentiment="neutral", kind="dm", created="09:00", **kw):
    return _item(f"mastodon:{n}", author=author, text=text, sentiment=sentiment, kind=kind,
                 created_at=f"2026-12-05T{created}:00+00:00", **kw)


AUTO_CASES = [
    # (items, now (UTC hour), expected: written post ids, escalated ids, held ids)
    ([_open(1)], "12:00", ["auto-mastodon-1"], [], []),
    ([_open(1, sentiment="negative")], "12:00", [], ["mastodon:1"], []),       # never a machine to a complaint
    ([_open(1)], "16:00", [], [], ["mastodon:1"]),  # 00:00 in Shanghai (platforms.yml): quiet hours
    ([_open(1), _open(2, created="09:05")], "12:00", ["auto-mastodon-1"], [], ["mastodon:2"]),  # same author in 24 h
    ([_open(1, author="a"), _open(2, author="b"), _open(3, author="c")], "12:00",
     ["auto-mastodon-1", "auto-mastodon-2"], [], ["mastodon:3"]),              # max_per_run
    ([_open(1, kind="reply")], "12:00", [], [], []),                            # the rule does not take replies
    ([_open(1, text="我的订单什么时候发货")], "12:00", ["auto-mastodon-1"], [], []),  # Chinese keyword
    ([_open(1, text="kaboom")], "12:00", [], [], ["mastodon:1"]),               # a template that fails at run time
    ([_open(1, state="answered")], "12:00", [], [], []),
]


@pytest.mark.parametrize("items,hour,written,escalated,held", AUTO_CASES)
def test_auto_reply_guards(make_repo, items, hour, written, escalated, held):
    from smm.inbox.auto import plan

    root = _auto_repo(make_repo, items)
    run = plan(load_repo(root), load_items(root), datetime.fromisoformat(f"2026-12-05T{hour}:00+00:00"))
    assert (sorted(run.written), [i.id for i in run.escalated], [i for i, _ in run.held]) == (written, escalated, held)
    for post in written:
        text = (root / f"content/replies/auto/{post}.md").read_text()
        assert "orders ship within two working days" in text and "reply_to:" in text


def test_an_earlier_auto_reply_to_the_author_holds_the_next_for_24_hours(make_repo):
    from smm.inbox.auto import plan

    root = _auto_repo(make_repo, [_open(1, state="auto-answered", updated="2026-12-05T10:00:00+00:00"),
                                  _open(2, created="11:00")])
    held = plan(load_repo(root), load_items(root), datetime.fromisoformat("2026-12-05T12:00:00+00:00")).held
    assert [i for i, _ in held] == ["mastodon:2"]
    later = plan(load_repo(root), load_items(root), datetime.fromisoformat("2026-12-06T10:30:00+00:00"))
    assert sorted(later.written) == ["auto-mastodon-2"]


@pytest.mark.parametrize("text,rule,line", [
    ("auto:\n  - {name: a, match: {intent: question}, template: \"{% if %}\"}\n", "replies.template", 2),
    ("auto:\n  - {name: a, match: {intent: question}, template: x}\n  - {name: a, match: {intent: praise}, template: y}\n",
     "replies.duplicate-rule", 3),
    ("auto:\n  - {name: a, match: {}, template: x}\n", "schema.empty", 2),
])
def test_check_reports_a_broken_auto_rule(make_repo, smm, text, rule, line):
    make_repo(calendar=None, files={"brand/replies.yml": text})
    code, found, _ = smm.json("check")
    assert code == 1
    assert [(d["rule"], d["line"]) for d in found if d["severity"] == "error"] == [(rule, line)], found


@pytest.mark.peer
def test_an_auto_reply_goes_out_once_and_answers_its_item(make_repo):
    from smm.inbox.collect import answer_automatically

    masto = require("mastodon")
    brand, fan = masto.create_account(), masto.create_account()
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 f"token_env: T_MASTODON}}\n")
    root = make_repo(calendar=None, platforms=platforms, files={"brand/replies.yml": AUTO.split("\n", 1)[1]})
    env = {"T_MASTODON": brand.token}
    asked = _masto(masto, fan.token, "POST", "/api/v1/statuses",
                   {"status": f"@{brand.username} where is my order {uuid.uuid4().hex[:6]}?"})
    for minutes in (1, 5):  # the second run finds the item answered and sends nothing
        now = datetime.now(timezone.utc) + timedelta(minutes=minutes)
        repo = load_repo(root)
        run = collect(repo, now, env, timedelta(hours=1), classify=fake_classify)
        answer_automatically(repo, run, now, env)
        assert run.exit_code == 0, run.auto
    item = load_items(root)[f"mastodon:{asked['id']}"]
    assert (item.state, item.rule) == ("auto-answered", "shipping")
    mine = _masto(masto, brand.token, "GET", f"/api/v1/accounts/{brand.id}/statuses?limit=40")
    replies = [s for s in mine if s["in_reply_to_id"] == asked["id"]]
    assert len(replies) == 1 and "orders ship within two working days" in replies[0]["content"]


@pytest.mark.peer
def test_smm_inbox_triages_with_the_shipped_model(make_repo, smm):
    masto = require("mastodon")
    brand, fan = masto.create_account(), masto.create_account()
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 f"token_env: T_MASTODON}}\n")
    make_repo(calendar=None, platforms=platforms, files={"brand/replies.yml": "urgent: {keywords: [退款]}\n"})
    said = {
        "complaint": _masto(masto, fan.token, "POST", "/api/v1/statuses",
                            {"status": f"@{brand.username} 茶叶收到就是坏的，我要退款！"}),
        "praise": _masto(masto, fan.token, "POST", "/api/v1/statuses",
                         {"status": f"@{brand.username} Love the new winter blend, thank you!"}),
    }
    code, out, err = smm("inbox", "--format", "json", env={"T_MASTODON": brand.token})
    assert code == 0, err
    got = {i["id"]: (i["priority"], i["sentiment"], i["intent"]) for i in json.loads(out)["items"]}
    assert got[f"mastodon:{said['complaint']['id']}"] == ("urgent", "negative", "complaint")
    assert got[f"mastodon:{said['praise']['id']}"] == ("low", "positive", "praise")
    assert list(got)[0] == f"mastodon:{said['complaint']['id']}"  # the most urgent first


def test_check_names_the_broken_inbox_line_a_reply_depends_on(make_repo, smm):
    root = _reply_repo(make_repo, '---\ntitle: Reply\nreply_to: "mastodon:1099"\n---\nYes.\n')
    with open(root / "data/inbox/2026-12.jsonl", "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    code, found, _ = smm.json("check", "--now", "2026-12-05T12:00:00+00:00")
    assert code == 1
    assert [(d["file"], d["line"], d["rule"]) for d in found if d["severity"] == "error"] == [
        ("data/inbox/2026-12.jsonl", 2, "inbox.invalid")]


@pytest.mark.parametrize("reply_to, shown", [
    ("mastodon:1099", 'in reply to fan@example.social (reply): "Is the winter blend --> organic?"'),
    ("mastodon:110", "in reply to our post launch on mastodon"),  # the brand's own published post
    ("mastodon:404", "in reply to mastodon:404 (not in data/inbox/)"),
])
def test_a_reply_preview_says_what_it_answers(make_repo, smm, reply_to, shown):
    root = _reply_repo(make_repo, f'---\ntitle: Reply\nreply_to: "{reply_to}"\n---\n@fan Yes, it is organic.\n')
    records = root / "data/published"
    records.mkdir(parents=True, exist_ok=True)
    (records / "launch.json").write_text(json.dumps({"post": "launch", "accounts": {"mastodon": {
        "state": "published", "remote_id": "110", "url": "https://example.social/@brand/110",
        "published_at": "2026-12-01T10:00:00+00:00"}}}), encoding="utf-8")
    code, out, err = smm("preview", str(root / "content/replies/r.md"))
    assert code == 0, err
    assert shown in out
