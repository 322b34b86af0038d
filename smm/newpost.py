"""`smm new`: write a new, valid post file for an editor to fill in."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import frontmatter

from smm.calendar import gaps
from smm.content import CONTENT_DIR
from smm.errors import SmmError, UsageError
from smm.repo import Repo


def slugify(title: str) -> str:
    """ASCII words of the title, lowercase, joined by `-` (CJK titles give an empty slug)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:60].strip("-")


def next_open_slot(repo: Repo, now: datetime):
    """The first calendar slot in the next four weeks that no post fills, if any."""
    open_slots = gaps(repo.calendar, repo.posts, repo.config.timezone, now, now + timedelta(days=28))
    return open_slots[0] if open_slots else None


def create_post(repo: Repo, title: str, at: datetime | None, accounts: list[str] | None, now: datetime) -> Path:
    """Write content/<yyyy>/<mm>/<id>.md and return its path."""
    if not title.strip():
        raise UsageError("the title must not be empty")
    unknown = [a for a in accounts or [] if a not in repo.config.accounts]
    if unknown:
        raise UsageError(f"unknown account(s): {', '.join(unknown)}; accounts are: {', '.join(repo.config.accounts)}")
    meta: dict = {"title": title.strip()}
    pillar = None
    if at is None:
        slot = next_open_slot(repo, now)
        if slot is not None:
            at, pillar = slot.at, slot.slot.pillar
    local = (at or now).astimezone(repo.config.timezone)
    base = f"{local:%Y-%m-%d}-{slugify(title) or 'post'}"
    taken = {p.id for p in repo.posts + repo.broken} | set(repo.records)
    post_id, n = base, 2
    while post_id in taken or any((repo.root / CONTENT_DIR).rglob(f"{post_id}.md")):
        post_id, n = f"{base}-{n}", n + 1
    if at is not None:
        meta["publish_at"] = local.isoformat(timespec="minutes")
    else:
        meta["draft"] = True
    meta["platforms"] = accounts or list(repo.config.accounts)
    if pillar:
        meta["pillar"] = pillar
    path = repo.root / CONTENT_DIR / f"{local:%Y}" / f"{local:%m}" / f"{post_id}.md"
    text = frontmatter.dumps(frontmatter.Post(f"{title.strip()}\n", **meta), sort_keys=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text + "\n")
    except OSError as exc:  # a read-only checkout, a full disk
        raise SmmError(f"cannot write {path.relative_to(repo.root).as_posix()}: {exc.strerror}") from None
    return path
