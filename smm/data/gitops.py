"""The only module that talks to git: commit what smm wrote under data/, push with retries."""

from __future__ import annotations

import logging
import os
import tempfile
from itertools import takewhile
from pathlib import Path
from typing import Callable

from smm.errors import SmmError, StateError
from smm.workspace.files import TEMP_GLOB


def _lines(said: str) -> list[str]:
    """git's lines (as GitPython quotes them after `stderr:`), without hints and blank lines."""
    lines = [line.strip().removeprefix("stderr:").strip().strip("'") for line in said.splitlines()]
    return [line for line in lines if line and not line.startswith("hint:")]


try:
    import git
except ImportError as exc:  # GitPython runs `git version` as it is imported: git is missing, or cannot start
    if isinstance(exc, ModuleNotFoundError):
        raise
    said = _lines(str(getattr(exc.__cause__, "stderr", None) or ""))
    raise StateError(f"git cannot run: {said[-1] if said else 'is it installed, and on PATH (or named by GIT_PYTHON_GIT_EXECUTABLE)?'}") from None


log = logging.getLogger(__name__)

DATA_DIR = "data"
DATA_PATHS = (DATA_DIR, f":(exclude,glob){DATA_DIR}/**/{TEMP_GLOB}",  # data/, without a killed writer's temp files
              f":(exclude,glob){DATA_DIR}/**/{TEMP_GLOB}/**")  # or folders (an export bundle cut short)
PUSH_ATTEMPTS = 5
BOT_NAME = "smm-bot"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


def _repo(root: Path, needs: str = "--commit and --push need") -> git.Repo:
    """The repository at root; outside one, a StateError saying what `needs` it."""
    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise StateError(f"{root} is not a git repository: {needs} one") from None


SEED_NEEDS = "a giveaway's seed (the first commit on the default branch after its deadline) needs"


def origin_url(root: Path) -> str | None:
    """The URL of the `origin` remote, if the repository has one (None outside git)."""
    try:
        return git.Repo(root, search_parent_directories=True).remotes.origin.url
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, AttributeError, ValueError, git.GitCommandError):
        return None


# git's lines that follow the reason whatever it was (`--push` without a remote ended "and the repository exists.")
GENERIC = ("failed to push some refs", "Could not read from remote repository",
           "Please make sure you have the correct access rights", "and the repository exists")


def _git_error(what: str, exc: git.GitCommandError, then: str = "") -> StateError:
    """The reason git gave, and `then`."""
    return StateError(f"git {what} failed: {_reason(exc.stderr or exc.stdout or '') or exc.status}{then}")


def _reason(said: str) -> str | None:
    """git's first `fatal:` or `error:` line with the files it lists below it (not the advice that
    follows: "remove the file manually to continue."), else its last line (a hook's or the server's);
    never git's generic last words."""
    said_lines = [(line, raw.startswith("\t")) for raw in said.splitlines() for line in _lines(raw)]
    telling = [(line, listed) for line, listed in said_lines if not any(words in line for words in GENERIC)] or said_lines
    for n, (line, _) in enumerate(telling):
        if line.startswith(("fatal:", "error:")):
            files = [name for name, _ in takewhile(lambda item: item[1], telling[n + 1:])]
            return " ".join([line, ", ".join(files)]) if files else line
    return telling[-1][0] if telling else None


def _step(exc: git.GitCommandError) -> str:
    """Which git command failed: `rebase`, `diff`..."""
    command = exc.command if isinstance(exc.command, (list, tuple)) else str(exc.command).split()
    return str(command[1]) if len(command) > 1 else "command"


def _paths(root: Path, also: tuple[str, ...]) -> tuple[str, ...]:
    """The pathspecs of data/ and the folders `also` names, those that exist."""
    return (*(DATA_PATHS if (root / DATA_DIR).exists() else ()), *(folder for folder in also if (root / folder).exists()))


def commit_data(root: Path, message: str, also: tuple[str, ...] = ()) -> str | None:
    """Commit every change under data/ (and the folders `also` names: the bot's own posts) as the
    bot; the new commit's sha, or None if nothing changed."""
    repo = _repo(root)
    paths = _paths(root, also)
    if not paths:  # nothing was ever written (git refuses a pathspec that matches no file)
        return None
    try:
        repo.git.add("--all", "--", *paths)
    except git.GitCommandError as exc:
        raise _git_error("add", exc) from None
    if not repo.git.status("--porcelain", "--", *paths):
        return None
    committer = _committer()
    identity = {"GIT_AUTHOR_NAME": committer["GIT_COMMITTER_NAME"], "GIT_AUTHOR_EMAIL": committer["GIT_COMMITTER_EMAIL"],
                **committer}
    try:  # the message on standard input: one line per job can pass the 128 KiB an argument may hold
        with repo.git.custom_environment(**identity), tempfile.TemporaryFile() as text:
            text.write(message.encode("utf-8"))
            text.seek(0)
            repo.git.commit("--no-verify", "--file=-", "--", *paths, istream=text)  # only data/, whatever else is staged
    except git.GitCommandError as exc:
        raise _git_error("commit", exc) from None
    sha = repo.head.commit.hexsha
    log.info("committed %s: %s", sha[:8], message.splitlines()[0])
    return sha


def within(root: Path) -> tuple[git.Repo, str]:
    """The git repository holding root, and root's path in it ("." at its top: a content
    repository may be a folder of a git repository)."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise StateError(f"{root} is not in a git repository: --since needs one") from None
    return repo, Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()


def changed_since(root: Path, ref: str) -> list[tuple[str, str]]:
    """(status letter, path) of each file that differs between the merge base of `ref` and HEAD
    and the working tree (committed, staged or not; a rename is a deletion and an addition),
    and each untracked file; paths relative to the repository root."""
    repo, inside = within(root)
    try:
        base = repo.git.merge_base(ref, "HEAD")
        listed = repo.git.diff("--name-status", "--no-renames", "-z", base, "--", inside).split("\0")
        untracked = repo.git.ls_files("--others", "--exclude-standard", "-z", "--", inside).split("\0")
    except git.GitCommandError as exc:
        raise _git_error(_step(exc), exc, f" (is `{ref}` a commit of this repository?)") from None

    def relative(path: str) -> str:  # the content repository may be a folder of the git repository
        return path if inside == "." else path.removeprefix(inside + "/")

    changes = [(status, relative(path)) for status, path in zip(listed[0::2], listed[1::2], strict=False) if path]
    return changes + [("A", relative(path)) for path in untracked if path]


def at_merge_base(root: Path, ref: str, paths: list[str]) -> dict[str, bytes]:
    """The bytes each of `paths` (relative to root) had at the merge base of `ref` and HEAD, for
    those that were a file there (not a link, a folder or absent)."""
    repo, inside = within(root)
    try:
        tree = repo.commit(repo.git.merge_base(ref, "HEAD")).tree
    except git.GitCommandError as exc:
        raise _git_error(_step(exc), exc, f" (is `{ref}` a commit of this repository?)") from None
    found = {}
    for path in paths:
        try:
            item = tree / (path if inside == "." else f"{inside}/{path}")
        except KeyError:  # not in that commit
            continue
        if item.type == "blob" and item.mode != item.link_mode:
            found[path] = item.data_stream.read()
    return found


def before_first_commit(root: Path) -> bool:
    """Whether root is in a git repository that has no commit yet (its first is being made)."""
    try:
        return not git.Repo(root, search_parent_directories=True).head.is_valid()
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False


def shallow_without_base(root: Path, ref: str) -> bool:
    """Whether root is in a shallow clone (`git clone --depth`, actions/checkout's default) in which
    `ref` names a commit: their merge base may lie beyond the history it holds."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
        return repo.git.rev_parse("--is-shallow-repository") == "true" and bool(
            repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}"))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError):
        return False


def identity(root: Path) -> str | None:
    """`Name <email>` of whoever works in this checkout (git config user.name and user.email), if set."""
    try:
        repo = _repo(root)
    except SmmError:
        return None

    def get(key: str) -> str:
        try:
            return repo.git.config("--get", key).strip()
        except git.GitCommandError:  # not set
            return ""

    name, email = get("user.name"), get("user.email")
    return (f"{name} <{email}>" if email else name) if name else None


def record(root: Path, message: str, push_too: bool, also: tuple[str, ...] = ()) -> str | None:
    """Commit data/ and `also` (and push it); None, or why git failed, for the run to report with its results."""
    try:
        commit_data(root, message, also)
        if push_too:
            push(root)
    except SmmError as exc:
        return exc.message
    except git.GitCommandError as exc:  # a step the functions above do not name (status, diff, rebase --abort)
        return _git_error(_step(exc), exc).message
    except OSError as exc:  # git could not be started (gone from PATH, arguments too long)
        return f"git cannot run: {exc.strerror or exc}"
    return None


def push(root: Path, remote: str = "origin") -> None:
    """Push the current branch; when rejected, fetch, rebase and try again (5 times at most).

    One record file per post means concurrent runs rarely touch the same file; when they do
    (two runs published the same post, a feed, a month's metrics), the files are merged
    (smm.data.merge) and the rebase goes on. A conflict smm cannot merge aborts the rebase and
    leaves the local commits as they were: nothing is lost.
    """
    repo = _repo(root)
    _on_a_branch(repo)
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
        _rebase(repo, f"{remote}/{branch}")


def _rebase(repo: git.Repo, upstream: str) -> None:
    """Rebase onto upstream, merging the data/ files both sides changed; abort on a real conflict."""
    with repo.git.custom_environment(**_committer(), GIT_EDITOR="true"):
        try:
            repo.git.rebase("--autostash", upstream)
            return
        except git.GitCommandError as exc:
            failure = exc
        for _ in range(100):  # one stop per replayed commit
            if not _rebasing(repo):  # it failed without stopping at a conflict
                raise _git_error(f"rebase onto {upstream}", failure)
            conflicted = [p for p in repo.git.diff("--name-only", "-z", "--diff-filter=U").split("\0") if p]
            if conflicted:
                if not _resolve(repo, conflicted):
                    break
                step = "--continue"
            else:
                step = "--skip"  # the merged files are what upstream has: nothing left to replay here
            try:
                repo.git.rebase(step)
                return
            except git.GitCommandError as exc:  # stopped at the next commit's conflict
                failure = exc
        if _rebasing(repo):
            repo.git.rebase("--abort")
    raise StateError(f"cannot rebase onto {upstream}: a real conflict; local commits are kept, "
                   "resolve it by hand and push")


def _resolve(repo: git.Repo, paths: list[str]) -> bool:
    """Merge the conflicted files smm wrote (during a rebase, stage 2 is upstream, 3 ours)."""
    from smm.data.merge import merge_files

    def stage(number: int, path: str) -> str | None:
        try:
            return repo.git.show(f":{number}:{path}", strip_newline_in_stdout=False)
        except git.GitCommandError:
            return None

    def read(path: str) -> str | None:
        try:
            return (Path(repo.working_tree_dir) / path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    if not all(p == DATA_DIR or p.startswith(DATA_DIR + "/") for p in paths):
        return False
    merged = merge_files({p: (stage(2, p), stage(3, p)) for p in paths}, read)
    if merged is None:
        return False
    for path, text in merged.items():
        (Path(repo.working_tree_dir) / path).write_text(text, encoding="utf-8", newline="\n")
    repo.git.add("--", *merged)
    log.info("merged %s", ", ".join(merged))
    return True


def _on_a_branch(repo: git.Repo) -> None:
    """Refuse to push from a checkout that is not on a branch, saying how to get back onto one."""
    if _rebasing(repo):
        raise StateError("a rebase is under way in this checkout (a run killed during one leaves it): "
                       "run `git rebase --abort`, then publish again")
    if repo.head.is_detached:
        raise StateError("cannot push from a detached HEAD: check out the branch to publish from")


def _rebasing(repo: git.Repo) -> bool:
    return (Path(repo.git_dir) / "rebase-merge").exists() or (Path(repo.git_dir) / "rebase-apply").exists()


def _committer() -> dict[str, str]:
    """The bot as committer of what it commits and rebases (a CI checkout has no git identity)."""
    name = os.environ.get("SMM_GIT_NAME") or BOT_NAME
    email = os.environ.get("SMM_GIT_EMAIL") or BOT_EMAIL
    return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


NOTHING_SENT = "; nothing was sent"
BEFORE_CLAIM = "smm: records written before a claim"


def claim(root: Path, message: str, write: Callable[[], None] = lambda: None, remote: str = "origin",
          also: tuple[str, ...] = ()) -> bool:
    """Commit what the run wrote so far under data/ (and `also`), then `write()` the claim, commit it
    and push it only as a fast-forward of the remote (a compare-and-swap).

    True when the remote took it. False when another push came first: the claim alone is undone
    (the records on disk are as before it; what the run wrote before it stays committed) and the
    checkout is moved onto the remote's newest commit, so the caller reads again. A claim git
    cannot commit or push is undone too, and said: nothing was sent.
    """
    try:
        return _claim(root, message, write, remote, also)
    except git.GitCommandError as exc:
        raise _git_error(_step(exc), exc, NOTHING_SENT) from None


def _claim(root: Path, message: str, write: Callable[[], None], remote: str, also: tuple[str, ...]) -> bool:
    repo = _repo(root)
    _on_a_branch(repo)
    branch = repo.active_branch.name
    try:  # undoing the claim (a reset to the commit before it) must not undo what the run wrote earlier
        commit_data(root, BEFORE_CLAIM, also)
    except StateError as exc:
        raise StateError(exc.message + NOTHING_SENT) from None
    write()
    try:
        if commit_data(root, message, also) is None:
            return True
    except StateError as exc:  # a hook, a filter: what is uncommitted now is the claim alone
        _discard_uncommitted(repo, also)
        raise StateError(exc.message + NOTHING_SENT) from None
    try:
        repo.git.push(remote, f"HEAD:refs/heads/{branch}")
        return True
    except git.GitCommandError as exc:
        refused = exc
    try:
        repo.git.reset("--keep", "HEAD~1")  # the claim undone, on disk too
        repo.git.fetch(remote, branch)
        raced = not repo.is_ancestor(f"{remote}/{branch}", "HEAD")  # the remote has commits this checkout lacks
    except git.GitCommandError as exc:
        raise _git_error(f"catching up with {remote}/{branch} after a lost claim", exc, NOTHING_SENT) from None
    if not raced:  # the push was a fast-forward: a hook, permissions, a protected branch refused it
        raise _git_error(f"push of the claim to {remote}", refused, NOTHING_SENT)
    log.info("the claim was not taken: another push came first")
    _rebase(repo, f"{remote}/{branch}")
    return False


def _discard_uncommitted(repo: git.Repo, also: tuple[str, ...]) -> None:
    """Put data/ (and `also`) back as the last commit has them: a claim written but not committed."""
    paths = _paths(Path(repo.working_tree_dir), also)
    for command, *args in (("reset", "-q", "HEAD"), ("clean", "-fq"), ("checkout", "HEAD")):  # unstage, new files, changed
        try:
            getattr(repo.git, command)(*args, "--", *paths)
        except git.GitCommandError:  # no data/ in HEAD yet; or git cannot even do this: the error said why already
            log.debug("git %s while undoing a claim failed", command, exc_info=True)


LOCAL_DEFAULT_BRANCHES = ("refs/heads/main", "refs/heads/master")


def default_branch(root: Path) -> str:
    """The default branch's ref: what `origin/HEAD` names (the remote's, as last fetched), else the
    local `main`, else `master`."""
    run = _repo(root, SEED_NEEDS).git
    candidates = []
    try:
        candidates.append(run.symbolic_ref("--quiet", "refs/remotes/origin/HEAD").strip())
    except git.GitCommandError:
        pass  # no remote, or its HEAD is unknown
    for ref in candidates + list(LOCAL_DEFAULT_BRANCHES):
        try:
            run.rev_parse("--verify", "--quiet", ref + "^{commit}")
            return ref
        except git.GitCommandError:
            continue
    raise StateError("no default branch: neither origin/HEAD, `main` nor `master` names a commit")


def first_parent_history(root: Path, ref: str) -> list[tuple[str, int]]:
    """(commit hash, commit time in Unix seconds) along the first parents of `ref`, oldest first."""
    lines = _repo(root, SEED_NEEDS).git.log("--first-parent", "--reverse", "--format=%H %ct", ref).splitlines()
    return [(commit, int(seconds)) for commit, _, seconds in (line.partition(" ") for line in lines)]
