"""Posts made from a post rather than written as one: its first comment, and its evergreen re-shares.

Their ids are the post's with a `+` suffix (`winter+comment`, `winter+reshare-2`,
`winter+reshare-2+comment`). No post id can hold a `+` (ID_PATTERN), so their publish records
(data/published/<id>.json) and idempotency keys never collide with a post's.

    comment_post(post)         the post's `first_comment` as a post of its own (text only)
    reshare_post(post, n, at)  the n-th re-share of an evergreen post, with its rotated variant
    base_id(record_id)         the post a derived id was made from
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from smm.content.post import Post, overrides, published

COMMENT = "+comment"
RESHARE = "+reshare-"
# what a comment keeps of its post: the accounts, UTM campaign and languages (no media, link, hashtags, thread)
_COMMENT_FIELDS = ("title", "platforms", "campaign", "languages", "pillar", "tags", "voice", "draft")


def base_id(record_id: str) -> str:
    """`winter` for `winter`, `winter+comment` and `winter+reshare-2+comment`."""
    return record_id.split("+", 1)[0]


def is_comment(record_id: str) -> bool:
    return record_id.endswith(COMMENT)


def reshare_of(record_id: str) -> str | None:
    """The post a re-share (`winter+reshare-2`) recycles; None for anything else."""
    return base_id(record_id) if RESHARE in record_id and not is_comment(record_id) else None


def comment_id(post_id: str) -> str:
    return post_id + COMMENT


def reshare_id(post_id: str, number: int) -> str:
    return f"{post_id}{RESHARE}{number}"


def comment_path(post: Post, account: str) -> tuple | None:
    """Where the account's first comment is written: its override's `first_comment`, else the
    post's; None when it has none."""
    if isinstance((overrides(post.meta).get(account) or {}).get("first_comment"), str):
        return ("overrides", account, "first_comment")
    return ("first_comment",) if isinstance(post.meta.get("first_comment"), str) else None


def has_comment(post: Post) -> bool:
    return any(comment_path(post, account) for account in post.accounts)


def comment_post(post: Post) -> Post:
    """The first comment as a post: its text is the `first_comment` (per account where an
    override sets one); only the accounts that have one get it."""
    meta = {k: post.meta[k] for k in _COMMENT_FIELDS if k in post.meta}
    texts = {account: comment_path(post, account) for account in post.accounts}
    meta["platforms"] = [account for account, path in texts.items() if path]
    meta["overrides"] = {account: {"text": published(_value(post.meta, path))}
                         for account, path in texts.items() if path and path[0] == "overrides"}
    body = published(post.meta.get("first_comment")) if isinstance(post.meta.get("first_comment"), str) else ""
    line = post.at(("first_comment",))[0] if "first_comment" in post.meta else post.body_line
    return replace(post, id=comment_id(post.id), meta=meta, body=body, body_line=line, places=None)


def reshare_post(post: Post, number: int, at: datetime) -> Post:
    """The n-th re-share (from 1): the post again at `at`, its text the next of `evergreen.variants`
    in turn (the post's own text when there are none; a variant replaces every account's text)."""
    variants = [v for v in (post.meta.get("evergreen") or {}).get("variants") or [] if isinstance(v, str)]
    meta = {**post.meta, "id": reshare_id(post.id, number)}
    meta.pop("evergreen", None)
    body = post.body
    if variants:
        body = variants[(number - 1) % len(variants)]
        meta["overrides"] = {account: {k: v for k, v in o.items() if k != "text"} for account, o in overrides(post.meta).items()}
    return replace(post, id=reshare_id(post.id, number), meta=meta, body=body, publish_at=at, places=None)


def _value(meta: dict, path: tuple):
    for key in path:
        meta = meta.get(key) if isinstance(meta, dict) else None
    return meta
