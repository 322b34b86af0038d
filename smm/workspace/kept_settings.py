"""The settings kept between runs: parsing platforms.yml and every file under brand/ (hundreds of
voice rules, templates, schemas) takes a while, so they are kept in the cache folder (outside the
checkout, smm.workspace.cache) under a digest of everything they are made of."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import smm
from smm.workspace.cache import MISS, blake2b, recall, remember
from smm.workspace.config import PLATFORMS_FILE
from smm.workspace.files import file_state, open_regular, walk
from smm.workspace.settings import Settings, load_settings


def kept_settings(root: Path, voice: bool = False, complete: Callable[[Settings], None] | None = None) -> tuple[Settings, bytes]:
    """(`load_settings(root, voice)`, their key), from the cache when nothing they depend on
    changed; `complete` adds what a command keeps with them (done before they are kept). The key is
    `settings_digest(root)` and the state of the files the settings name outside brand/ (a card's
    picture may be anywhere in the repository)."""
    digest = settings_digest(root)
    name = "settings" if voice else "settings-plain"
    kept = recall(root, name, digest.hex())
    if kept is not MISS and _states(root, kept[1]) == kept[2]:
        settings, read, states = kept
    else:
        settings = load_settings(root, voice=voice)
        if complete is not None:
            complete(settings)
        read = getattr(settings.brand.cards, "pictures", ())  # what the settings read besides brand/: cards' pictures
        states = _states(root, read)
        remember(root, name, digest.hex(), (settings, read, states))
    return settings, digest if not states else blake2b(digest + repr(states).encode(), digest_size=len(digest)).digest()


def _states(root: Path, names: tuple[str, ...]) -> tuple:
    return tuple(file_state(root, name) for name in names)


def settings_digest(root: Path) -> bytes:
    """A digest of everything the settings and a post's checks depend on besides the post and its
    media: smm (its version and source), Python, the installed packages and their versions (the
    Markdown converter, platforms from other packages), platforms.yml and every file under brand/
    (voice rules, templates, handles, calendar, goals)."""
    digest = blake2b(f"{smm.__version__} {sys.version}".encode(), digest_size=16)
    digest.update("\0".join(installed_packages()).encode())
    folder, package = os.fspath(root), os.path.dirname(smm.__file__)
    files = [(folder, PLATFORMS_FILE)] + [(folder, name) for name in _files_under(folder, "brand")] + [
        (package, name) for name in _files_under(package, "") if not name.endswith(".pyc")]
    for base, name in files:  # named from their folder: the key is the same however the root is spelled
        digest.update(f"\0{name}\0".encode("utf-8", "surrogateescape"))  # a name git allows need not be UTF-8
        try:
            with open_regular(os.path.join(base, name)) as handle:  # never a named pipe: it would block
                digest.update(handle.read())
        except OSError as exc:  # NotRegularFile too
            digest.update(f"unreadable {exc!r}".encode())
    return digest.digest()


def installed_packages() -> list[str]:
    """The name and version of every installed distribution (`markdown-3.7.dist-info`), from the
    folder names on sys.path: one listing per folder, no metadata read."""
    found = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:  # a zip file, a folder that is gone
            continue
        found += sorted(f"{folder}/{name}" for name in names if name.endswith((".dist-info", ".egg-info")))
    return found


def _files_under(base: str, folder: str) -> list[str]:
    """The files under base/folder, as paths from base ("/"-separated), folders in name order
    (plain strings: hundreds of them every run); compiled bytecode's folders left out."""
    found = []
    for where, dirs, files in walk(os.path.join(base, folder)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        prefix = os.path.relpath(where, base).replace(os.sep, "/")
        found += [name if prefix == "." else f"{prefix}/{name}" for name in sorted(files)]
    return found
