"""Secrets a network rotates, and where the new value goes.

X answers an OAuth 2.0 refresh with a new refresh token and invalidates the old one; Threads
gives a new long-lived token before the old one expires. The new value must outlive the run
that received it. smm writes it to the folder named by the
environment variable SMM_ROTATED_SECRETS, one file per environment variable (the file
`SMM_X_REFRESH_TOKEN` holds the new value of `SMM_X_REFRESH_TOKEN`, mode 0600), and reads it
back from there before the environment, so the next command of the same job uses it. The
folder must be outside the repository (the bot commits `data/`; a secret is never written
there). The publish workflow copies each file back into the environment's secrets at the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from smm.errors import AuthError

FOLDER = "SMM_ROTATED_SECRETS"


def folder_problem(env: Mapping[str, str], root: Path | None = None) -> str | None:
    """Why rotated secrets cannot be kept with this environment, or None."""
    value = (env.get(FOLDER) or "").strip()
    if not value:
        return f"set {FOLDER} to a folder outside the repository where smm keeps the rotated refresh token"
    if root is not None and Path(value).resolve().is_relative_to(Path(root).resolve()):
        return f"{FOLDER} must name a folder outside the repository (a secret is never written into it)"
    return None


def kept(env: Mapping[str, str], name: str) -> str | None:
    """The value of `name` a network rotated and an earlier command kept, if any."""
    folder = (env.get(FOLDER) or "").strip()
    path = Path(folder) / name if folder else None
    if path is not None and path.is_file():
        return path.read_text(encoding="utf-8").strip() or None
    return None


def current(env: Mapping[str, str], name: str) -> str | None:
    """The newest value of the secret in environment variable `name`: the rotated one when kept."""
    value = kept(env, name) or env.get(name)
    return value.strip() if value else None


def keep(env: Mapping[str, str], name: str, value: str, root: Path | None = None) -> None:
    """Write the new value of `name` where the next command (and the workflow) finds it."""
    problem = folder_problem(env, root)
    if problem:
        raise AuthError(f"the new value of {name} cannot be kept: {problem}")
    folder = Path(env[FOLDER].strip())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fresh = path.with_name(f".{name}.tmp")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    os.replace(fresh, path)
