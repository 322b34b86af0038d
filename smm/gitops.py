"""The only module that talks to git: commit what smm wrote under data/, push with retries."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import git

from smm.errors import SmmError

log = logging.getLogger(__name__)

DATA_DIR = "data"
PUSH_ATTEMPTS = 5
BOT_NAME = "smm-bot"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


def _repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SmmError(f"{root} is not a git repository: --commit and --push need one") from None


def _git_error(what: str, exc: git.GitCommandError) -> SmmError:
    detail = (exc.stderr or exc.stdout or "").strip().splitlines()
    return SmmError(f"git {what} failed: {detail[-1] if detail else exc.status}")


def commit_data(root: Path, message: str) -> str | None:
    """Commit every change under data/ as the bot; the new commit's sha, or None if nothing changed."""
    repo = _repo(root)
    try:
        repo.git.add("--all", "--", DATA_DIR)
    except git.GitCommandError as exc:
        raise _git_error("add", exc) from None
    if not repo.git.status("--porcelain", "--", DATA_DIR):
        return None
    name = os.environ.get("SMM_GIT_NAME") or BOT_NAME
    email = os.environ.get("SMM_GIT_EMAIL") or BOT_EMAIL
    identity = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    try:
        with repo.git.custom_environment(**identity):  # only data/ is committed, whatever else is staged
            repo.git.commit("--no-verify", "-m", message, "--", DATA_DIR)
    except git.GitCommandError as exc:
        raise _git_error("commit", exc) from None
    sha = repo.head.commit.hexsha
    log.info("committed %s: %s", sha[:8], message.splitlines()[0])
    return sha


def push(root: Path, remote: str = "origin") -> None:
    """Push the current branch; when rejected, fetch, rebase and try again (5 times at most).

    One record file per post means concurrent runs touch different files; a real conflict
    aborts the rebase and leaves the local commits as they were: nothing is lost.
    """
    repo = _repo(root)
    if repo.head.is_detached:
        raise SmmError("cannot push from a detached HEAD: check out the branch to publish from")
    branch = repo.active_branch.name
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            repo.git.push(remote, f"HEAD:refs/heads/{branch}")
            return
        except git.GitCommandError as exc:
            if attempt == PUSH_ATTEMPTS:
                raise _git_error(f"push to {remote} ({PUSH_ATTEMPTS} tries)", exc) from None
            log.info("push rejected (attempt %d), rebasing on %s/%s", attempt, remote, branch)
        try:
            repo.git.fetch(remote, branch)
        except git.GitCommandError as exc:
            raise _git_error(f"fetch from {remote}", exc) from None
        try:
            repo.git.rebase("--autostash", f"{remote}/{branch}")
        except git.GitCommandError:
            if (Path(repo.git_dir) / "rebase-merge").exists() or (Path(repo.git_dir) / "rebase-apply").exists():
                repo.git.rebase("--abort")
            raise SmmError(f"cannot rebase onto {remote}/{branch}: a real conflict; local commits are kept, "
                           "resolve it by hand and push") from None


def claim(root: Path, message: str, remote: str = "origin") -> bool:
    """Commit data/ and push it only as a fast-forward of the remote (a compare-and-swap).

    True when the remote took it. False when another push came first: the commit is undone
    (the records on disk are as before it) and the checkout is moved onto the remote's newest
    commit, so the caller reads again.
    """
    repo = _repo(root)
    if repo.head.is_detached:
        raise SmmError("cannot push from a detached HEAD: check out the branch to publish from")
    branch = repo.active_branch.name
    if commit_data(root, message) is None:
        return True
    try:
        repo.git.push(remote, f"HEAD:refs/heads/{branch}")
        return True
    except git.GitCommandError:
        log.info("the claim was not taken: another push came first")
    try:
        repo.git.reset("--keep", "HEAD~1")
        repo.git.fetch(remote, branch)
        repo.git.rebase("--autostash", f"{remote}/{branch}")
    except git.GitCommandError as exc:
        if (Path(repo.git_dir) / "rebase-merge").exists() or (Path(repo.git_dir) / "rebase-apply").exists():
            repo.git.rebase("--abort")
        raise _git_error(f"catching up with {remote}/{branch} after a lost claim", exc) from None
    return False
