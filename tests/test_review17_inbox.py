"""Outside-in review of the inbox, replies and listening: hostile settings, data files and times."""

from __future__ import annotations

import pytest

# --- brand/listening.yml: phrases as matching reads them --------------------------------------------

# (brand/listening.yml, the error rule smm check reports, its line)
LISTENING_CASES = [
    # a phrase of invisible characters only: matching drops them (a crash, exit 3; a hashtag matched every `#`)
    ('keywords: ["\\u200b"]\n', "listening.empty", 1),
    ('keywords: [Acme]\nexclude: ["\\u200b"]\n', "listening.empty", 2),
    ('hashtags: ["\\u00ad"]\n', "listening.empty", 1),
    ('competitors:\n  "\\u2060": {}\n', "listening.empty", 2),  # its name is its keyword
    ('competitors:\n  Globex:\n    keywords: ["\\u200b\\u200d"]\n', "listening.empty", 3),
    # one phrase for two subjects, as matching compares them: width, white space, invisible characters
    ('keywords: [Acme]\ncompetitors:\n  Globex:\n    keywords: ["ＡＣＭＥ"]\n', "listening.duplicate", 4),
    ('keywords: ["acme tea"]\ncompetitors:\n  Globex:\n    keywords: ["Acme  Tea"]\n', "listening.duplicate", 4),
    ('keywords: [Acme]\ncompetitors:\n  Globex:\n    keywords: ["Ac\\u00adme"]\n', "listening.duplicate", 4),
    ('keywords: [Acme]\ncompetitors:\n  ＡＣＭＥ: {}\n', "listening.duplicate", 3),
    ('keywords: [Straße]\ncompetitors:\n  Globex:\n    keywords: [STRASSE]\n', "listening.duplicate", 4),  # (guard)
    ('keywords: ["Ac\\u200bme", 阿克米]\ncompetitors:\n  Globex: {}\n', None, None),  # (guard: visible letters)
]


@pytest.mark.parametrize("text,rule,line", LISTENING_CASES)
def test_listening_phrases_are_checked_as_matching_reads_them(make_repo, smm, text, rule, line):
    make_repo(calendar=None, files={"brand/listening.yml": text})
    code, found, _ = smm.json("check")
    errors = [(d["rule"], d["line"]) for d in found if d["severity"] == "error"]
    assert errors == ([(rule, line)] if rule else []), found
    assert code == (1 if rule else 0)
    code, out, err = smm("report", "--now", "2026-12-05T12:00:00+00:00")  # never exit 3
    assert code == (1 if rule else 0), err


# --- smm reply: a draft that holds a stranger's words ----------------------------------------------

NOW = "2026-12-05T12:00:00+00:00"


def _inbox_line(root, **fields) -> None:
    import dataclasses
    import json

    from test_inbox import _item

    line = json.dumps(dataclasses.asdict(_item("mastodon:1099", **fields)))  # (a lone surrogate as `\ud800`)
    (root / "data/inbox").mkdir(parents=True, exist_ok=True)
    with open(root / "data/inbox/2026-12.jsonl", "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


# (the item's fields: what a stranger wrote, or a network or hand edit put there)
DRAFT_CASES = [
    {"text": "go here ---> https://spam.example now\nBUY"},  # `--->` spaced once is still `-->`
    {"url": "https://evil.example/-->BUY<!--"},              # the network's link for the item
    {"author": 'Jo "JJ" Smith'},                             # a Facebook name: the title's quotes
    {"author": "back\\slash"},
    {"author": "Jo \\ \"JJ\"\u2028Smith", "platform": "facebook"},  # (no greeting on Facebook)
    {"text": "nul\x00in it"},                                # a hand edit: a NUL made the draft binary
    {"text": "Is the winter blend --> organic?"},            # (guard)
]


@pytest.mark.parametrize("fields", DRAFT_CASES)
def test_a_reply_draft_keeps_the_original_in_its_comment_and_its_front_matter_valid(make_repo, smm, fields):
    import json

    root = make_repo(calendar=None)
    _inbox_line(root, **fields)
    code, out, err = smm("reply", "mastodon:1099", "--now", NOW)
    assert code == 0, err
    draft = root / "content/replies/2026-12-05-mastodon-1099.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("draft: true\n", "") + "Thanks!\n", encoding="utf-8")
    code, found, _ = smm.json("check", "--now", NOW)
    assert code == 0, found
    code, out, err = smm("preview", str(draft), "--format", "json")
    texts = [part["text"] for post in json.loads(out) for account in post["accounts"] for part in account["parts"]]
    greeting = "" if fields.get("platform") == "facebook" else "@" + " ".join(fields.get("author", "fan").split())
    assert texts == [f"{greeting}\nThanks!".strip()], texts


def test_an_inbox_text_with_a_lone_surrogate_is_named_not_a_crash(make_repo, smm):
    root = make_repo(calendar=None)
    _inbox_line(root, text="\ud800 half an emoji")
    for args in (("reply", "mastodon:1099"), ("inbox",)):
        code, out, err = smm(*args, "--now", NOW, env={"T_MASTODON": "", "T_BLUESKY": ""})
        assert code == 1 and "data/inbox/2026-12.jsonl:1" in err and "text" in err and "surrogate" in err, err
    assert not (root / "content/replies").exists()


@pytest.mark.parametrize("author", ["fan\\", 'Jo "JJ" \\user'])
def test_an_auto_reply_post_is_valid_whatever_the_authors_name(make_repo, smm, author):
    from datetime import datetime

    from test_inbox import AUTO, _open

    from smm.inbox.auto import plan
    from smm.inbox.items import append_items, load_items
    from smm.workspace.repo import load_repo

    root = make_repo(calendar=None, files={"brand/replies.yml": AUTO})
    append_items(root, [_open(1, author=author)])
    run = plan(load_repo(root), load_items(root), datetime.fromisoformat(NOW))
    assert sorted(run.written) == ["auto-mastodon-1"]
    code, found, _ = smm.json("check", "--now", NOW)
    assert code == 0, found


# (when the first draft was written, and where: the second `smm reply` names it, exit 1)
@pytest.mark.parametrize("first,later", [
    ("content/replies/2026-12-04-mastodon-1099.md", NOW),   # another day's draft
    ("content/replies/auto/auto-mastodon-1099.md", NOW),    # an auto-reply written for it
    ("content/replies/my-answer.md", NOW),                  # a reply written by hand
])
def test_an_item_gets_one_reply_draft(make_repo, smm, first, later):
    root = make_repo(calendar=None)
    _inbox_line(root)
    (root / first).parent.mkdir(parents=True, exist_ok=True)
    (root / first).write_text('---\ntitle: Reply\nreply_to: "mastodon:1099"\ndraft: true\n---\n@fan Hello\n')
    code, out, err = smm("reply", "mastodon:1099", "--now", later)
    assert code == 1 and f"{first} answers mastodon:1099 already" in err, err
    assert sorted(p.relative_to(root).as_posix() for p in (root / "content/replies").rglob("*.md")) == [first]


# --- an account renamed (`formerly:` in platforms.yml) --------------------------------------------

class _Inbox:
    """A network's inbox that answers the same items on every run."""

    def __init__(self, items) -> None:
        self.items = items

    def inbox(self, since, published=()):
        return list(self.items)

    def close(self) -> None:
        pass


RENAMED = ("timezone: UTC\naccounts:\n  mastodon: {platform: mastodon, instance: https://mastodon.example, "
           "token_env: T_MASTODON, formerly: masto}\n")


# (the account the items were collected under first, the platforms.yml of the run after)
@pytest.mark.parametrize("before,platforms", [
    ("masto", RENAMED),        # renamed since: the items are known, not new again
    ("mastodon", RENAMED),     # (guard: the same name)
])
def test_items_collected_before_a_rename_are_not_collected_again(make_repo, before, platforms):
    from datetime import datetime, timedelta, timezone

    from smm.inbox.collect import collect
    from smm.platforms import Incoming
    from smm.workspace.repo import load_repo

    said = [Incoming("1099", "mention", "fan", "hi there", None, datetime(2026, 12, 5, 9, tzinfo=timezone.utc)),
            Incoming("1100", "dm", "fan2", "where is my order?", None, datetime(2026, 12, 5, 10, tzinfo=timezone.utc))]
    root = make_repo(calendar=None, platforms=platforms.replace(", formerly: masto", "").replace("  mastodon:", f"  {before}:"))
    now = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)

    def run(at):
        return collect(load_repo(root), at, {"T_MASTODON": "x"}, timedelta(days=7),
                       classify=lambda text: ("en", "neutral", "other"), adapter_for=lambda name: _Inbox(said))

    run(now)
    (root / "platforms.yml").write_text(platforms)
    again = run(now + timedelta(hours=1))
    assert sorted(i.id for i in again.queue) == [f"{before}:1099", f"{before}:1100"]
    assert [a.new for a in again.accounts] == [0]
    assert (root / "data/inbox/2026-12.jsonl").read_text().count("\n") == 2


def test_an_author_auto_answered_before_a_rename_waits_24_hours_after_it(make_repo):
    from datetime import datetime

    from test_inbox import AUTO, _open

    from smm.inbox.auto import plan
    from smm.inbox.items import append_items, load_items
    from smm.workspace.repo import load_repo

    root = make_repo(calendar=None, platforms=RENAMED, files={"brand/replies.yml": AUTO})
    append_items(root, [_open(1, state="auto-answered", updated="2026-12-05T10:00:00+00:00", account="masto",
                              id="masto:1"),
                        _open(2, created="11:00")])
    run = plan(load_repo(root), load_items(root), datetime.fromisoformat(NOW))
    assert (sorted(run.written), [i for i, _ in run.held]) == ([], ["mastodon:2"])


# --- times: offsets, the far future ----------------------------------------------------------------

def test_the_queue_is_ordered_by_instants_whatever_the_offsets(make_repo, smm):
    import json

    from test_inbox import _item

    from smm.inbox.items import append_items

    root = make_repo(calendar=None)
    append_items(root, [_item("mastodon:a", due_by="2026-12-05T14:00:00+00:00"),
                        _item("mastodon:b", due_by="2026-12-05T20:00:00+08:00"),   # 12:00 UTC: due first
                        _item("mastodon:c", due_by="2026-12-05T13:00:00+00:00")])
    code, out, err = smm("inbox", "--format", "json", "--now", NOW, env={"T_MASTODON": "", "T_BLUESKY": ""})
    assert [i["id"] for i in json.loads(out)["items"]] == ["mastodon:b", "mastodon:c", "mastodon:a"]
    from smm.site.inbox import queue
    assert [i.id for i in queue(root)] == ["mastodon:b", "mastodon:c", "mastodon:a"]


def test_auto_replies_go_to_the_oldest_items_first_whatever_the_offsets(make_repo):
    from dataclasses import replace
    from datetime import datetime

    from test_inbox import AUTO, _open

    from smm.inbox.auto import plan
    from smm.inbox.items import append_items, load_items
    from smm.workspace.repo import load_repo

    root = make_repo(calendar=None, files={"brand/replies.yml": AUTO})  # max_per_run: 2
    append_items(root, [_open(1, author="a", created="03:00"),
                        replace(_open(2, author="b"), created_at="2026-12-05T10:00:00+08:00"),  # 02:00 UTC (Weibo's)
                        _open(3, author="c", created="01:00")])
    run = plan(load_repo(root), load_items(root), datetime.fromisoformat(NOW))
    assert (sorted(run.written), [i for i, _ in run.held]) == (["auto-mastodon-2", "auto-mastodon-3"], ["mastodon:1"])


# (when the item was said, its priority, brand/replies.yml): its line must stay readable
@pytest.mark.parametrize("created,priority,replies", [
    ("2999-12-31T22:00:00+00:00", "urgent", ""),     # due 3000-01-01: a year no data/ file may hold
    ("2999-12-31T22:00:00+00:00", "low", ""),
    ("2800-01-01T00:00:00+00:00", "low", "sla: {low: 99999d}\n"),
    ("2999-12-31T22:00:00+00:00", "normal", 'quiet_hours: {from: "22:00", to: "08:00"}\n'),
    ("2026-12-05T09:00:00+00:00", "low", "sla: {low: 99999d}\n"),  # (guard: 2300)
])
def test_an_item_said_near_the_last_year_smm_reads_stays_readable(make_repo, smm, created, priority, replies):
    from datetime import datetime, timedelta

    from smm.inbox.collect import collect
    from smm.platforms import Incoming
    from smm.workspace.repo import load_repo

    root = make_repo(calendar=None, files={"brand/replies.yml": replies} if replies else None)
    text = {"urgent": "refund now!", "low": "Buy followers cheap", "normal": "hello"}[priority]
    intent = {"urgent": "complaint", "low": "spam", "normal": "other"}[priority]
    said = [Incoming("1", "mention", "fan", text, None, datetime.fromisoformat(created))]
    collect(load_repo(root), datetime.fromisoformat(NOW), {"T_MASTODON": "x"}, timedelta(days=7),
            classify=lambda t: ("en", "negative" if intent == "complaint" else "neutral", intent),
            adapter_for=lambda name: _Inbox(said if name == "mastodon" else []))
    code, out, err = smm("report", "--now", NOW)
    assert code == 0, err
    code, out, err = smm("inbox", "--format", "json", "--now", NOW, env={"T_MASTODON": "", "T_BLUESKY": ""})
    import json
    assert [(i["priority"], i["due_by"][:4] <= "2999") for i in json.loads(out)["items"]] == [(priority, True)], err


# --- data/mentions: a row cut short or run together ------------------------------------------------

MENTIONS_HEADER = "id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement\n"
MENTION = "1,mastodon,fan,150,2026-11-01T00:54:00Z,Acme rocks,https://m.example/1,Acme,brand,positive,3\n"


@pytest.mark.parametrize("row", [
    "2,mastodon,fan,150,2026-11-02T00:54:00Z,Acme again\n",                     # cut after the text
    "2,mastodon,fan,150,2026-11-02T00:54:00Z,Acme,https://m.example/2,Acme\n",  # cut before its subject
    "2,mastodon,fan,150,2026-11-02T00:54:00Z,Acme,u,Acme,brand,neutral,3,4,mastodon,fan\n",  # lines run together
])
def test_a_mention_row_cut_short_or_run_together_is_named(make_repo, smm, row):
    make_repo(calendar=None, files={"brand/listening.yml": "keywords: [Acme]\n",
                                    "data/mentions/2026-11.csv": MENTIONS_HEADER + MENTION + row})
    for args in (("report", "--from", "2026-11-01", "--to", "2026-11-05", "--now", "2026-11-06T12:00:00+00:00"),
                 ("site", "build")):
        code, out, err = smm(*args)
        assert code == 1 and "data/mentions/2026-11.csv:3: not a mention row" in err, (args, err)
