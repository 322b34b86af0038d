"""`smm new`: write a new, valid post file for an editor to fill in."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import frontmatter
from anyascii import anyascii
from pypinyin import lazy_pinyin

from smm.content.post import CONTENT_DIR
from smm.errors import InputError
from smm.platforms import platform_class
from smm.workspace.calendar import gaps
from smm.workspace.files import CannotWrite, files_under, write_atomic
from smm.workspace.repo import Repo

SLUG_LIMIT = 60
TITLE_LIMIT = 300  # as post.schema.json allows
PLACEHOLDER = ("<!-- Write the post here, in Markdown. This comment is never published: left alone, "
               "the post has no text and `smm check` says so. Remove `draft: true` when it is ready. -->")


def _ascii(char: str) -> str:
    """One character in ASCII letters: accents dropped (`é` → `e`), other scripts transliterated
    (`겨` → `gyeo`, `Ж` → `zh`, `θ` → `th`); symbols and emoji give nothing."""
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if plain or not unicodedata.category(char).startswith(("L", "M")):
        return plain
    return anyascii(char)


def _words(piece: str) -> list[str]:
    """ASCII words of a piece of title: accents dropped (`Café` → `cafe`), other scripts transliterated
    (`Зима` → `zima`), emoji named when nothing else is left (`🍵` → `teacup…`)."""
    ascii_text = "".join(map(_ascii, piece))
    if not ascii_text.strip():
        ascii_text = " ".join(unicodedata.name(ch, "") for ch in piece if unicodedata.category(ch) == "So")
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


def slugify(title: str) -> str:
    """Lowercase ASCII words of the title joined by `-`, Chinese in pinyin (`冬日特卖` → `dong-ri-te-mai`),
    at most SLUG_LIMIT characters, cut between words; empty when nothing readable is left."""
    words = [w for piece in lazy_pinyin(title) for w in _words(piece)]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_LIMIT:
            return slug or word[:SLUG_LIMIT]
        slug = candidate
    return slug


def next_open_slot(repo: Repo, now: datetime):
    """The first calendar slot in the next four weeks that no post fills, if any."""
    open_slots = gaps(repo.calendar, repo.posts, repo.config.timezone, now, now + timedelta(days=28), drafts_fill=True)
    return open_slots[0] if open_slots else None


def text_accounts(repo: Repo) -> list[str]:
    """The accounts a post of text alone can go to (not Instagram's: it needs an image or a video)."""
    found = [name for name, account in repo.config.accounts.items() if platform_class(account.platform).media.min_count == 0]
    if repo.config.accounts and not found:
        raise InputError(f"every account ({', '.join(repo.config.accounts)}) needs media; name the ones this post "
                         "goes to with --platforms, then add `media:` to the post")
    return found


def create_post(repo: Repo, title: str, at: datetime | None, accounts: list[str] | None, now: datetime) -> Path:
    """Write content/<yyyy>/<mm>/<id>.md and return its path."""
    if not title.strip():
        raise InputError("the title must not be empty")
    if not title.strip().isprintable():  # a line break, escape or invisible mark; a byte that is not UTF-8 (exit 3)
        raise InputError(f"the title must be one line of printable text: {title!r} is not")
    if len(title.strip()) > TITLE_LIMIT:
        raise InputError(f"the title is {len(title.strip())} characters; at most {TITLE_LIMIT}")
    unknown = [a for a in accounts or [] if a not in repo.config.accounts]
    if unknown:
        raise InputError(f"unknown account(s): {', '.join(unknown)}; accounts are: {', '.join(repo.config.accounts)}")
    meta: dict = {"title": title.strip()}
    pillar = None
    if at is None:
        slot = next_open_slot(repo, now)
        if slot is not None:
            at, pillar = slot.at, slot.slot.pillar
    local = (at or now).astimezone(repo.config.timezone)
    base = post_id_for(title, local)
    taken = taken_ids(repo)
    post_id, n = base, 2
    names = {path.name for path in files_under(repo.root / CONTENT_DIR)}
    while post_id in taken or f"{post_id}.md" in names:
        post_id, n = f"{base}-{n}", n + 1
    if at is not None:
        meta["publish_at"] = local.isoformat(timespec="minutes")
    meta["draft"] = True  # until an editor says otherwise
    meta["platforms"] = accounts or text_accounts(repo)
    if pillar:
        meta["pillar"] = pillar
    path = post_path(repo.root, post_id, local)
    try:
        write_new_post(repo.root, path, post_file_text(meta, PLACEHOLDER))
    except FileExistsError as exc:  # made by someone else since the id was chosen
        raise CannotWrite(path.relative_to(repo.root).as_posix(), exc) from None
    return path


def post_id_for(title: str, local: datetime) -> str:
    """`<local date>-<slug of the title>`: a new post's id before it is made unique."""
    return f"{local:%Y-%m-%d}-{slugify(title) or 'post'}"


def taken_ids(repo: Repo) -> set[str]:
    """The ids of every post and record: a new post takes none of them."""
    return {p.id for p in repo.posts + repo.broken} | set(repo.records)


def post_path(root: Path, post_id: str, local: datetime) -> Path:
    """content/<yyyy>/<mm>/<id>.md"""
    return root / CONTENT_DIR / f"{local:%Y}" / f"{local:%m}" / f"{post_id}.md"


def post_file_text(meta: dict, body: str) -> str:
    """A post file: the fields in the order given as YAML front matter, then the body."""
    return frontmatter.dumps(frontmatter.Post(body, **meta), sort_keys=False).rstrip("\n") + "\n"


def write_new_post(root: Path, path: Path, text: str) -> None:
    """Write a post file that must not exist yet (FileExistsError when it does), whole or not at all."""
    write_atomic(path, text, root, new=True)
