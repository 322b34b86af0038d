"""`smm giveaway draw` and `smm giveaway verify` for one post, from the repository loaded."""

from __future__ import annotations

from datetime import datetime

from smm.errors import DataError, StateError
from smm.giveaways import draw
from smm.giveaways.announce import write_announcements
from smm.giveaways.config import check_giveaway, giveaway_of
from smm.giveaways.entries import collect, judge, published_on
from smm.giveaways.seed import seed_after
from smm.inbox.collect import own_handles
from smm.platforms import registry


def giveaway_post(repo, post_id: str):
    """The post and its Giveaway; DataError when there is no such valid post or it runs none."""
    post = next((p for p in repo.posts if p.id == post_id), None)
    if post is None:
        broken = any(p.id == post_id for p in repo.broken)
        raise DataError(f"post {post_id!r} has errors: fix what `smm check` says first" if broken
                        else f"no post {post_id!r} under content/")
    if not isinstance(post.meta.get("giveaway"), dict):
        raise DataError(f"{post.file}: the post runs no giveaway (no `giveaway:` in its front matter)")
    problems = check_giveaway(post, repo.config.accounts, registry())
    if problems:
        first = problems[0]
        raise DataError(f"{first.file}:{first.line}:{first.column}: {first.message} [{first.rule}]")
    return post, giveaway_of(post)


def draw_giveaway(repo, post_id: str, now: datetime, env, adapter_for=None) -> dict:
    """Draw the winners once: refuse before the deadline, a second time, without a seed commit yet or a
    copy of the post on any network; write the record and the announcements; return the record."""
    post, giveaway = giveaway_post(repo, post_id)
    if now <= giveaway.deadline:
        raise StateError(f"the giveaway of {post_id} is open until {giveaway.deadline.isoformat()}: draw after it")
    draw.refuse_if_drawn(repo.root, post_id)
    seed = seed_after(repo.root, giveaway.deadline)
    accounts = published_on(repo, post)
    if not accounts:
        raise StateError(f"{post_id} is published on no account (data/published/): nobody could enter")
    judged = judge(collect(repo, accounts, giveaway, env, adapter_for), giveaway, handles=repo.brand.handles,
                   staff=repo.brand.staff, own_handles=own_handles(repo), labels=_labels())
    record = draw.make_record(post, giveaway, judged, accounts, seed, now)
    record["announcements"] = write_announcements(repo.root, post, record, now.astimezone(repo.config.timezone))
    draw.write_record(repo.root, record)
    return record


def verify_giveaway(repo, post_id: str) -> tuple[dict, list[str]]:
    """The record and what differs when its draw is redone (nothing: it matches)."""
    record = draw.existing(repo.root, post_id)
    if record is None:
        raise DataError(f"no draw recorded for {post_id} ({draw.record_path(post_id)})")
    post = next((p for p in repo.posts if p.id == post_id), None)
    try:
        giveaway = giveaway_of(post) if post is not None else None
    except (ValueError, KeyError, TypeError):  # the post's giveaway is broken now: the record is judged alone
        giveaway = None
    return record, draw.verify(repo.root, record, post_id, giveaway.deadline if giveaway else None)


def _labels() -> dict[str, str]:
    return {name: cls.label for name, cls in registry().items()}
