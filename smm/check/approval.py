"""Sponsored posts need a named reviewer's approval before a pull request may merge.

    sponsored_changes ── the post files a pull request adds or changes that are sponsored
                         (`sponsored: true` now or at the merge base: un-marking one needs approval too),
                         and the files a sponsored post shows (its media and covers) it changes
    latest_reviews    ── each reviewer's latest review of the pull request (GitHub REST API, paged)
    Verdict / decide  ── approved when a named reviewer's latest review approves a commit after which
                         no sponsored file changed
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from smm.content.post import MARKDOWN_SUFFIXES, content_files, split_front_matter
from smm.data.gitops import changed_since, git, within  # (git as gitops imports it: a StateError when it cannot run)
from smm.errors import ConfigError, StateError
from smm.output import render
from smm.platforms.http import client, send
from smm.workspace.files import read_bytes
from smm.workspace.yamlsource import load

REVIEWS = "{api}/repos/{repository}/pulls/{number}/reviews?per_page=100"


def _sponsored(text: str | None, file: str) -> dict | None:
    """A sponsored post's front matter (None: not sponsored, or not a post smm can read)."""
    if text is None:
        return None
    front, _, _, problems = split_front_matter(text, file)
    if problems or front is None:
        return None
    meta = load(front, file=file).data  # smm's own reading: a number too long, nesting too deep are problems, not errors
    return meta if isinstance(meta, dict) and meta.get("sponsored") is True else None  # (a broken file: smm check fails on it)


def _shown(meta: dict) -> set[str]:
    """The repository files a post's front matter names as its media and covers, and the card
    templates its cards are drawn from."""
    items = [item for item in meta.get("media") or [] if isinstance(item, dict)] if isinstance(meta.get("media"), list) else []
    return ({value for item in items for value in (item.get("file"), item.get("cover")) if isinstance(value, str)}
            | {f"brand/cards/{item['card']}.yml" for item in items if isinstance(item.get("card"), str)})


def _text(root: Path, path: str) -> str | None:
    """A post file's text as the working tree has it: only a regular file in the repository (not a
    folder, a pipe or a link out), of any encoding (smm check names a wrong one)."""
    data = read_bytes(root, path)[0]
    return None if data is None else data.decode("utf-8", errors="replace")


def _at(repo: git.Repo, commit: str, path: str) -> str | None:
    try:
        return repo.git.show(f"{commit}:{path}")
    except git.GitCommandError:
        return None  # the file is not in that commit


def _git(root: Path) -> tuple[git.Repo, str]:
    repo, inside = within(root)
    return repo, "" if inside == "." else inside + "/"


def sponsored_changes(root: Path, base: str) -> list[str]:
    """Files (relative to root) changed since the merge base of `base`: posts sponsored in the working
    tree or at the merge base, and the files a sponsored post of the working tree shows (a new picture
    in an approved post is a change to approve)."""
    changes = changed_since(root, base)
    repo, prefix = _git(root)
    merge_base = repo.git.merge_base(base, "HEAD")
    found, others = [], set()
    for status, path in changes:
        if not (path.startswith("content/") and path.lower().endswith(MARKDOWN_SUFFIXES)):
            others.add(path)
            continue
        now = _text(root, path) if status != "D" else None
        if _sponsored(now, path) is not None or _sponsored(_at(repo, merge_base, prefix + path), path) is not None:
            found.append(path)
    if others:  # which of them a sponsored post shows: every post is read
        shown = set().union(*(_shown(meta) for post in content_files(root)[0]
                              if (meta := _sponsored(_text(root, post), post)) is not None))
        found += others & shown
    return sorted(found)


def unchanged_since(root: Path, commit: str, files: list[str]) -> bool:
    """True when none of `files` differs between `commit` and the working tree."""
    repo, prefix = _git(root)
    try:
        return not repo.git.diff("--name-only", commit, "--", *(prefix + f for f in files)).strip()
    except git.GitCommandError:
        return False  # a commit this clone does not have: the approval cannot be tied to these files


@dataclass(frozen=True)
class Review:
    login: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    commit: str


def latest_reviews(env, number: int, transport: httpx.BaseTransport | None = None) -> dict[str, Review]:
    """Each reviewer's latest deciding review (a comment does not replace an approval), by lower-case login."""
    token, repository = env.get("GITHUB_TOKEN"), env.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise ConfigError("reading the pull request's reviews needs GITHUB_TOKEN and GITHUB_REPOSITORY "
                          "(the workflow passes them; the job needs `pull-requests: read`)")
    url = REVIEWS.format(api=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
                         repository=repository, number=number)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    latest: dict[str, Review] = {}
    with client(transport=transport) as http:
        while url:
            response = send(http, "GET", url, f"GitHub reviews of pull request #{number}", headers=headers)
            for raw in response.json():
                user, state = (raw.get("user") or {}).get("login"), raw.get("state")
                if user and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                    latest[user.lower()] = Review(user, state, raw.get("commit_id") or "")
            url = _next_page(response.headers.get("link", ""))
    return latest


def _next_page(link: str) -> str | None:
    match = re.search(r'<([^>]+)>;\s*rel="next"', link)
    return match.group(1) if match else None


@dataclass
class Verdict:
    files: list[str]
    reviewers: list[str]
    approved_by: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # approvals of an earlier version of the files

    @property
    def ok(self) -> bool:
        return not self.files or bool(self.approved_by)

    def as_json(self) -> dict:
        return {"ok": self.ok, "sponsored": self.files, "reviewers": self.reviewers,
                "approved_by": self.approved_by, "stale": self.stale}


def decide(root: Path, files: list[str], reviewers: list[str], reviews: dict[str, Review]) -> Verdict:
    verdict = Verdict(files, reviewers)
    for name in reviewers:
        review = reviews.get(name.lower())
        if review is None or review.state != "APPROVED":
            continue
        if unchanged_since(root, review.commit, files):
            verdict.approved_by.append(review.login)
        else:
            verdict.stale.append(review.login)
    return verdict


def pull_request_number(env) -> int | None:
    """The pull request of the workflow run that called us (GITHUB_EVENT_PATH's payload)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read the workflow's event ({path}): {exc}") from None
    pull_request = event.get("pull_request") if isinstance(event, dict) else None  # (another event's: none)
    number = pull_request.get("number") if isinstance(pull_request, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None


def write(verdict: Verdict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(verdict.as_json(), ensure_ascii=False, indent=2)
    if not verdict.files:
        return "no sponsored post changed: no approval needed"
    lines = [f"sponsored posts changed: {', '.join(verdict.files)}"]
    if verdict.ok:
        lines.append(f"approved by {', '.join(verdict.approved_by)}")
        return "\n".join(lines)
    lines.append(f"error: waiting for an approval from one of {', '.join(verdict.reviewers)} (brand/brand.yml sponsored.reviewers)")
    if verdict.stale:
        lines.append(f"  {', '.join(verdict.stale)} approved an earlier version: the sponsored files changed since; approve again")
    return "\n".join(lines)


render.register(Verdict, write)
