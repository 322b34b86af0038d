"""The settings kept between runs: parsing platforms.yml and every file under brand/ (hundreds of
voice rules, templates, schemas) takes a while, so they are kept in the cache folder (outside the
checkout, smm.workspace.cache) under a digest of everything they are made of."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable

import smm
from smm.workspace.cache import MISS, blake2b, recall, remember
from smm.workspace.config import PLATFORMS_FILE
from smm.workspace.files import file_state, links_outside, open_regular, walk
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
    (voice rules, templates, handles, calendar, goals), through links to folders in the repository
    too (brand/voice may lead to a folder elsewhere in it). Each file counts with its name, where a
    link leads it and the length of its bytes (one file's bytes never pass for another's); a file
    that leads out of the repository, which smm does not read, only as such."""
    digest = blake2b(f"{smm.__version__} {sys.version}".encode(), digest_size=16)
    digest.update("\0".join(installed_packages()).encode())
    digest.update(repository_key(root))
    digest.update(_source_key())
    return digest.digest()


@functools.cache
def _source_key() -> bytes:
    """A digest of smm's own source files, made once per process (a long-lived process, the tests'
    in-process runs, asks for the settings' key again and again; what it imported does not change)."""
    digest = blake2b(digest_size=16)
    package = os.path.dirname(smm.__file__)
    _add_files(digest, [(package, name, "") for name in _files_under(package, "") if not name.endswith(".pyc")])
    return digest.digest()


def repository_key(root: Path) -> bytes:
    """A digest of the repository's settings files as settings_digest counts them: platforms.yml and
    every file under brand/ (the site's key is made of it too)."""
    digest = blake2b(digest_size=16)
    _add_files(digest, [(os.fspath(root), PLATFORMS_FILE, _place(root, PLATFORMS_FILE))] + _brand_files(root))
    return digest.digest()


def _add_files(digest, files: list[tuple[str, str, str]]) -> None:
    """Each (folder, name from it, _place) with its bytes (named from their folder: the key is the same
    however the root is spelled)."""
    for base, name, place in files:
        data = b"" if place == _OUTSIDE else _content(os.path.join(base, name))
        digest.update(f"\0{name}\0{place}\0{len(data)}\0".encode("utf-8", "surrogateescape"))  # a name git allows need not be UTF-8
        digest.update(data)


_OUTSIDE = "\0outside"


def _place(root: Path, name: str) -> str:
    """Where a repository file leads, from the repository's root, when a link leads it elsewhere
    ("" where it is; _OUTSIDE out of the repository or into .git)."""
    if links_outside(root, name):
        return _OUTSIDE
    real = os.path.relpath(os.path.realpath(os.path.join(root, name)), os.path.realpath(root)).replace(os.sep, "/")
    return "" if real == name else real


def _content(path: str) -> bytes:
    """A regular file's bytes, or why it cannot be read."""
    try:
        with open_regular(path) as handle:  # never a named pipe: it would block
            return handle.read()
    except (OSError, ValueError) as exc:  # NotRegularFile too
        return f"unreadable {exc!r}".encode()


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


def _brand_files(root: Path) -> list[tuple[str, str, str]]:
    """(root, name, _place) of each file under brand/, through links to folders in the repository too
    (each folder listed once: a loop of links ends), folders in name order."""
    base, found, seen = os.fspath(root), [], set()
    if links_outside(root, "brand"):  # not read (settings say so): nothing out there is walked, `brand -> /` included
        return [(base, "brand", _OUTSIDE)]
    real_root, reals = os.path.realpath(base), {}  # each folder's real path, from its parent's (realpath
    # of each folder would look up every folder above it again: minutes for a tree 1,000 folders deep)
    for where, dirs, files in walk(os.path.join(base, "brand"), lambda path: not links_outside(root, os.path.relpath(path, base))):
        parent, name = os.path.split(where)
        real = reals[parent] + os.sep + name if parent in reals and not os.path.islink(where) else os.path.realpath(where)
        reals[where] = real
        if real in seen:  # a loop of links, or two links to one folder
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        prefix = os.path.relpath(where, base).replace(os.sep, "/")
        there = os.path.relpath(real, real_root).replace(os.sep, "/")
        for name in sorted(files):
            place = _place(root, f"{prefix}/{name}") if os.path.islink(os.path.join(where, name)) else \
                "" if there == prefix else f"{there}/{name}"
            found.append((base, f"{prefix}/{name}", place))
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
