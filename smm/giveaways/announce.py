"""The winners' announcement: a draft reply under the giveaway post on each account, for the editor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from smm.inbox.replies import REPLIES_DIR, yaml_text
from smm.workspace.files import write_atomic


def announcement(post, record: dict, account: str) -> str:
    """The reply post's file text: a draft answering the giveaway post on `account`, naming the winners."""
    names = ", ".join(f"@{w['handle']}" for w in record["winners"])
    title = yaml_text(f"Giveaway winners: {post.title}"[:300])
    return (f"---\ntitle: {title}\nreply_to: \"{account}:{record['accounts'][account]}\"\ndraft: true\n---\n"
            f"<!-- drawn {record['drawn_at']} from {record['entrant_count']} entrants with commit "
            f"{record['seed']['commit']} as the seed; check: smm giveaway verify {post.id} -->\n"
            f"Congratulations to the winners of our giveaway: {names}! We will message you about your prize.\n\n"
            f"The draw can be checked by anyone: {record['entrant_count']} entrants, seed commit "
            f"{record['seed']['commit'][:12]}.\n")


def write_announcements(root: Path, post, record: dict, now: datetime) -> list[str]:
    """One draft per account the post went to (none without winners); an existing file is left alone."""
    if not record["winners"]:
        return []
    written = []
    for account in record["accounts"]:
        file = f"{REPLIES_DIR}/{now:%Y-%m-%d}-giveaway-{post.id}-{account}.md"
        path = root / file
        if not path.exists():
            write_atomic(path, announcement(post, record, account), root)
            written.append(file)
    return written
