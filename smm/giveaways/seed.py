"""The draw's seed: the first commit on the default branch whose commit time is after the deadline.

Nobody can know that commit's hash before the deadline, and once it is pushed nobody can change it.
The default branch is what `origin/HEAD` names (the remote's, as last fetched), else the local
`main`, else `master`; its history is read along first parents, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smm.errors import StateError


@dataclass(frozen=True)
class Seed:
    commit: str  # its full hash: the seed
    committed_at: datetime  # its commit (committer) time, UTC
    branch: str  # the default branch it was read from (`origin/main`, `main`)

    def as_json(self) -> dict:
        return {"commit": self.commit, "committed_at": self.committed_at.isoformat(), "branch": self.branch}


def seed_after(root: Path, deadline: datetime) -> Seed:
    """The first commit on the default branch (first parents, oldest first) committed after `deadline`;
    StateError when there is none yet."""
    from smm.data.gitops import default_branch, first_parent_history

    ref = default_branch(root)
    branch = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    for commit, seconds in first_parent_history(root, ref):
        if seconds > deadline.timestamp():
            return Seed(commit, datetime.fromtimestamp(seconds, timezone.utc), branch)
    raise StateError(f"no commit on {branch} after the deadline {deadline.isoformat()} yet: the draw's seed is the "
                     "first one; draw again once one is there (any commit after the deadline, pushed)")
