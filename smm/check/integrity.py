"""What must hold before anything is published: one post per id, and every publish record
readable and matched to its post. `smm check` reports these; `smm publish` refuses to run
while any of them fails, because each could make a post go out twice."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.content.derived import base_id
from smm.content.post import Post
from smm.data.jobs import LIVE_STATES
from smm.workspace.config import PLATFORMS_FILE
from smm.workspace.repo import Repo

BLOCKING_RULES = {"post.duplicate-id", "record.invalid", "record.orphan", "record.id-changed", "record.unknown-account"}


def _post_diagnostic(post: Post, path, rule: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic.at(post.file, post.at(path), ERROR, rule, message, hint)


def check_duplicate_ids(posts: list[Post]) -> list[Diagnostic]:
    """One error on every file that claims an id another file claims too, so checking only
    the changed file (`smm check CHANGED.md`) shows it."""
    by_id: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_id[post.id].append(post)
    found = []
    for post_id, same in by_id.items():
        if len(same) < 2:
            continue
        for post in same:
            others = ", ".join(p.file for p in same if p is not post)
            explicit = "id" in post.meta
            found.append(_post_diagnostic(
                post, ("id",) if explicit else (), "post.duplicate-id",
                f"post id `{post_id}` is also used by {others}",
                "set a different `id:`" if explicit else "rename the file or set `id:` in the front matter",
            ))
    return found


def check_path_collisions(posts: list[Post]) -> list[Diagnostic]:
    """A warning on every post file whose path another's equals but for case or Unicode
    normalisation (`News/A.md`, `news/a.md`; `é` as one character or two): Windows and macOS
    hold only one of them, so a clone there loses a post. Case is compared a letter at a time, as
    those file systems do (`ß` is not `SS`)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for post in posts:
        by_name[unicodedata.normalize("NFC", post.file).lower()].append(post.file)
    return [Diagnostic(file, 1, 1, WARNING, "post.path-collision",
                       f"`{file}` and {', '.join(f'`{other}`' for other in same if other != file)} differ only "
                       "in case or in how a letter is encoded: Windows and macOS keep one of them",
                       hint="rename one of them")
            for same in by_name.values() if len(same) > 1 for file in same]


def check_records(repo: Repo) -> list[Diagnostic]:
    """A published post must keep its id, or it would be published again under a new one; and the
    accounts it went out on theirs (check_renamed_accounts)."""
    ids = {p.id for p in repo.posts + repo.broken}  # a post with errors keeps its id
    by_file = {p.file: p for p in repo.posts + repo.broken}
    found = check_renamed_accounts(repo)
    for record in repo.records.values():
        if base_id(record.post) in ids or not _live(record.accounts):  # a first comment's or re-share's: its post's
            continue
        moved = by_file.get(record.source or "")
        if moved is not None:
            found.append(_post_diagnostic(
                moved, ("id",) if "id" in moved.meta else (), "record.id-changed",
                f"this post was published as `{record.post}` ({record.file}) but its id is now `{moved.id}`",
                f"set `id: {record.post}` so it is not published a second time",
            ).involving((record.file,)))
        else:
            found.append(Diagnostic(
                record.file, 1, 1, ERROR, "record.orphan",
                f"post `{record.post}` was published, but no post has that id now"
                + (f" ({record.source} was removed or renamed)" if record.source else ""),
                f"restore the post, or set `id: {record.post}` in its renamed file",
            ).involving((record.source,) if record.source else ()))  # `smm check POST.md` of the post it was made from shows it
    return found


def check_renamed_accounts(repo: Repo) -> list[Diagnostic]:
    """An error on a post that went out on an account platforms.yml no longer has and now goes to
    an account with no record of it: a renamed account (unless its `formerly` names the old name)
    would publish the post a second time. Not judged while platforms.yml has errors."""
    known = repo.config.account_names
    if known is None:
        return []
    by_id = {p.id: p for p in repo.posts + repo.broken}
    found = []
    for record in repo.records.values():
        post = by_id.get(record.post)
        gone = [name for name, job in record.accounts.items() if name not in known and _live({name: job})]
        if post is None or not gone or not isinstance(post.accounts, list):
            continue
        new = [(index, name) for index, name in enumerate(post.accounts)
               if isinstance(name, str) and name in known and name not in record.accounts]
        if not new:
            continue
        index, name = new[0]
        was = " or ".join(f"`{old}`" for old in gone)
        found.append(_post_diagnostic(
            post, ("platforms", index), "record.unknown-account",
            f"this post went out on {was} ({record.file}), which {PLATFORMS_FILE} no longer has, and now goes to "
            f"`{name}`, which has no record of it: if `{name}` is {was} renamed, it would be published a second time",
            f"if it is, add `formerly: {gone[0]}` to account `{name}` in {PLATFORMS_FILE}; "
            f"if it is another account, keep {was} in {PLATFORMS_FILE}",
        ).involving((record.file, PLATFORMS_FILE)))
    return found


def _live(jobs: dict) -> bool:
    """Whether any of these jobs (by account) may be on the network."""
    return any(isinstance(job, dict) and job.get("state") in LIVE_STATES for job in jobs.values())


def blocking(repo: Repo) -> list[Diagnostic]:
    """The problems that stop `smm publish` before it calls any network."""
    return ([d for d in repo.diagnostics if d.rule in BLOCKING_RULES]
            + check_duplicate_ids(repo.posts + repo.broken) + check_records(repo))
