"""Replies as code: a post with `reply_to: <item id>` answers an inbox item as a threaded reply.

    check_replies   ── `smm check`: the item exists in data/inbox/ (or is one of the brand's published
                       posts, as a giveaway's announcement answers), the reply goes out from its account
    answered_items  ── `smm inbox`: items a published reply answered become `answered`
    reply_file      ── `smm reply ITEM_ID`: a new reply post, the original quoted in a comment
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from smm.check.diagnostics import ERROR, Diagnostic
from smm.data.jobs import JobRecord, jobs_of
from smm.errors import DataError
from smm.data.records import RECORDS_DIR
from smm.inbox.items import INBOX_DIR, Item, load_items
from smm.workspace.files import write_atomic

REPLIES_DIR = "content/replies"


def check_replies(repo) -> list[Diagnostic]:
    """Each reply post names a known item and goes out only from the item's account (what
    data/inbox/ and the publish records say: `smm check data/inbox` reports it too)."""
    replies = [p for p in repo.posts if p.reply_to]
    if not replies:
        return []
    try:
        items = load_items(repo.root)
    except DataError as exc:
        return [Diagnostic(exc.context["file"], exc.context["line"], 1, ERROR, "inbox.invalid", exc.message)]
    found = []
    own = {item_id: job.account for item_id, job in own_posts(repo.records).items()}
    depends = (INBOX_DIR, RECORDS_DIR)
    for post in replies:
        where = post.at(("reply_to",))
        item = items.get(post.reply_to)
        account = item.account if item is not None else own.get(post.reply_to)
        account = repo.config.renames.get(account, account)  # an item of an account renamed since (`formerly`)
        if account is None:
            found.append(Diagnostic.at(post.file, where, ERROR, "reply.unknown-item",
                                       f"`reply_to` {post.reply_to!r} is no item in data/inbox/",
                                       "copy the id from `smm inbox`, or run `smm reply ITEM_ID`").involving(depends))
        elif post.accounts != [account] and "platforms" in post.meta:  # (else the id's account: renamed, unknown)
            found.append(Diagnostic.at(post.file, post.at(("platforms",)), ERROR, "reply.account",
                                       f"a reply to {post.reply_to} goes out from `{account}` only, not "
                                       f"{', '.join(post.accounts)}", "remove `platforms`: the item's account is used",
                                       ).involving(depends))
    return found


def own_posts(records: dict) -> dict[str, JobRecord]:
    """The brand's published posts by the id a reply names them with (`<account>:<network id>`):
    a reply may answer one (a giveaway's announcement, a thread's follow-up)."""
    return {f"{job.account}:{job.remote_id}": job for job in jobs_of(records) if job.remote_id}


def answered_items(repo, items: dict[str, Item], now: datetime) -> list[Item]:
    """Items still waiting that a reply post has now been published to: their `answered` lines."""
    changed = []
    for post in repo.posts:
        item = items.get(post.reply_to) if post.reply_to else None
        if item is None or not item.is_open:
            continue
        record = repo.records.get(post.id)
        account = repo.config.renames.get(item.account, item.account)  # the item came before a rename
        job = (record.accounts.get(account) if record else None) or {}
        if job.get("state") == "published":
            changed.append(replace(item, state="answered", updated_at=now.isoformat()))
    return changed


def reply_file(repo, item_id: str, now: datetime) -> Path:
    """Write content/replies/<date>-<item id>.md, a draft answering the item; never a second post
    answering it (another day's draft, an auto-reply), never over a file."""
    item = load_items(repo.root).get(item_id)
    if item is None:
        raise DataError(f"no inbox item {item_id!r} in data/inbox/ (`smm inbox` lists them)")
    answering = next((p for p in repo.posts + repo.broken if p.reply_to == item_id), None)
    if answering is not None:
        raise DataError(f"{answering.file} answers {item_id} already: edit it")
    path = _free_name(repo.root / REPLIES_DIR, f"{now:%Y-%m-%d}-" + re.sub(r"[^a-z0-9]+", "-", item_id.lower()).strip("-")[-60:])
    author = " ".join(item.author.split())
    quoted = "\n".join(f"  {line}" for line in commented(item.text).splitlines())
    greeting = f"@{author} " if item.platform in {"mastodon", "x", "threads"} else ""
    renamed = repo.config.renames.get(item.account)  # the id names the account as it was named (`formerly`)
    said = commented(f"{item.kind} from {author}, {item.created_at} ({item.url or 'no link'})")
    write_atomic(path, f'---\ntitle: {yaml_text(f"Reply to {author}")}\nreply_to: {yaml_text(item.id)}\n'
                       + (f"platforms: [{renamed}]\n" if renamed else "") + "draft: true\n---\n"
                       f"<!-- {said}:\n{quoted}\n-->\n{greeting}\n", repo.root)
    return path


def _free_name(folder: Path, stem: str) -> Path:
    """folder/stem.md, else stem-2.md, stem-3.md…: two items whose ids differ only in case or
    punctuation (`x:AbC`, `x:abc`) make one stem, and the second's draft is not the first's to edit."""
    names = {p.name.lower() for p in folder.iterdir()} if folder.is_dir() else set()
    number = next(n for n in range(1, len(names) + 2) if f"{stem}{f'-{n}' if n > 1 else ''}.md" not in names)
    return folder / f"{stem}{f'-{number}' if number > 1 else ''}.md"


def yaml_text(text: str) -> str:
    """`text` as a YAML double-quoted scalar, whatever it holds (quotes, backslashes, line breaks):
    JSON's escapes, and \\u escapes for what YAML would read as a line break or refuse (NEL, U+2028,
    U+2029, DEL and C1 controls, non-characters)."""
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


_NOT_YAML = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def commented(text: str) -> str:
    """Text that stays inside an HTML comment: no `--` (`-->` would end it, `--->` too once the first
    dash is spaced), no control characters (a NUL makes the file binary)."""
    return _CONTROLS.sub("", re.sub("-(?=-)", "- ", text))


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
