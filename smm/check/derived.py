"""`smm check` of what a post makes besides itself: its first comment on each account (rendered
and counted like a reply there; a network that cannot comment is named) and its evergreen
re-shares' variants. Their problems are reported at the field that holds their text."""

from __future__ import annotations

from dataclasses import replace

from smm.check.diagnostics import WARNING, Diagnostic
from smm.content.derived import comment_path, comment_post, has_comment
from smm.content.post import Post
from smm.platforms import platform_class


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
