"""`smm check` of what a post makes besides itself: its first comment on each account (rendered
and counted like a reply there; a network that cannot comment is named) and its evergreen
re-shares' variants. Their problems are reported at the field that holds their text."""

from __future__ import annotations

from dataclasses import replace

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.content.derived import comment_path, comment_post, has_comment, reshare_post
from smm.content.post import Post
from smm.platforms import platform_class
from smm.publish import evergreen


def check_comments(repo, renderer, post: Post) -> list[Diagnostic]:
    """Each account's first comment as that network would receive it, or why it cannot."""
    if not has_comment(post):
        return []
    comment, found = comment_post(post), []
    for account in comment.accounts:
        options = repo.config.accounts.get(account)
        if options is None:
            continue  # post.unknown-account says so
        where = post.at(comment_path(post, account))
        platform = platform_class(options.platform)
        if not platform.comments_for(options.options):
            found.append(Diagnostic.at(
                post.file, where, WARNING, "post.first-comment-unsupported",
                f"{account}: {platform.label} cannot publish a comment under the post from smm, so the first comment "
                "is not published there", "write it as `overrides.<account>.first_comment` for the accounts that can"))
            continue
        found += relocated(renderer.render(comment, account).diagnostics, post.file, where, "first comment")
    return found


def relocated(diagnostics, file: str, where: tuple, what: str) -> list[Diagnostic]:
    """The problems of a text written in one front matter field, at that field (the renderer
    places a text by the post's body)."""
    line, column, end = where
    return [replace(d, line=line, column=column, end_column=end, message=f"{what}: {d.message}") if d.file == file else d
            for d in diagnostics]


def check_variants(repo, renderer, post: Post) -> list[Diagnostic]:
    """Each of `evergreen.variants` as each account would receive it in a re-share."""
    raw = post.meta.get("evergreen")
    variants = raw.get("variants") if isinstance(raw, dict) else None
    found = []
    for index, variant in enumerate(variants if isinstance(variants, list) else []):
        if not isinstance(variant, str):
            continue
        reshare = reshare_post(post, index + 1, post.publish_at)
        where = post.at(("evergreen", "variants", index))
        for account in post.accounts:
            if account in repo.config.accounts:
                found += relocated(renderer.render(reshare, account).diagnostics, post.file, where, f"variant {index + 1}")
    return found


def check_evergreen(repo) -> list[Diagnostic]:
    """An evergreen post that could never be re-shared: a zero interval, or no slot of its pillar."""
    found = []
    slotted = {slot.pillar for slot in repo.calendar.slots}
    for post in repo.posts:
        raw = post.meta.get("evergreen")
        if not isinstance(raw, dict) or not isinstance(raw.get("every"), str):
            continue
        if evergreen.settings(post) is None:
            found.append(Diagnostic.at(post.file, post.at(("evergreen", "every")), ERROR, "post.evergreen",
                                       f"`every: {raw['every']}` is no interval a post can be re-shared at",
                                       "give a positive duration such as `90d`"))
        elif post.pillar not in slotted:
            what = f"pillar `{post.pillar}`" if post.pillar else "posts without a pillar"
            found.append(Diagnostic.at(post.file, post.at(("evergreen",), key=True), WARNING, "post.evergreen-no-slot",
                                       f"brand/calendar.yml has no slot for {what}, so this post is never re-shared",
                                       "add a slot of its pillar to brand/calendar.yml, or set its `pillar`"))
    return found
