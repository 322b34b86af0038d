"""The media a post sends one account, checked: each file usable and taken by the network (type,
size, pixels, a video's length, shape and codecs, its cover), their number and mix, and where the
network fetches them from. Problems go to the rendering job (smm.render.rendered)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from smm.cards import templates as cards
from smm.check.diagnostics import ERROR, Diagnostic
from smm.content import media, video
from smm.content.derived import is_comment
from smm.workspace.files import inside, not_regular, unusable_path


@dataclass(frozen=True)
class MediaRef:
    file: str
    alt: str | None
    cover: object = None  # a video's cover: a time (`00:00:03`, seconds) or a picture's path


def check_file(job, file: str, rules, at: Callable[[], tuple], what: str) -> None:
    """A repository file the network will be sent, checked against its rules; `at()` is where a problem is
    reported (asked only then: a position may mean reading the post's file again)."""
    path, rule, why = _usable(job, file)
    found = [(rule, why)] if rule else media.problems(media.inspect(path), None, rules, False)
    for rule, message in found:
        job.problem((), rule, f"{what}`{file}` {message}", at=at())


def check_media(job) -> list[MediaRef]:
    items, base = job.view.media, job.view.media_path or ("media",)
    rules = job.platform.media
    if len(items) < rules.min_count and not is_comment(job.post.id):  # a comment needs none
        where = job.view.media_path or ("platforms", job.account_index())
        job.problem(where, "media.none", f"{job.platform.label} posts need at least {rules.min_count} image or "
                     "video; this one has none", f"add `media:`, or take `{job.account}` off `platforms`")
    if len(items) > rules.max_count:
        job.problem(base, "media.count", f"{len(items)} media files; {job.platform.label} takes at most {rules.max_count}")
    refs, infos = [], []
    for index, item in enumerate(items):
        if "card" in item:
            item = made_card(job, item, base + (index,))
            if item is None:
                continue
        refs.append(MediaRef(item["file"], item.get("alt"), item.get("cover")))
        path, rule, what = _usable(job, item["file"])
        if rule:  # the same for every account: one diagnostic after dedupe
            hint = "paths are relative to the repository root, e.g. `content/media/photo.jpg`"
            job.found.append(Diagnostic.at(job.post.file, job.post.at(base + (index, "file")), ERROR, rule,
                                            f"media file `{item['file']}` {what}",
                                            hint if rule == "media.missing" else None))
            continue
        info = media.inspect(path)
        infos.append(info)
        if hosting := job.platform.media_problem(job.options, item["file"]):
            job.problem(base + (index, "file"), "media.url", f"`{item['file']}`: {hosting}")
        for rule, message in media.problems(info, item.get("alt"), rules, job.r.brand.alt_required):
            about = "alt" if rule in ("media.alt-missing", "media.alt-too-long") else "file"  # no `alt`: its item
            job.problem(base + (index, about), rule, f"`{item['file']}` {message}")
        if item.get("cover") is not None:
            check_cover(job, item, info, base + (index, "cover"))
    for rule, message in media.mix_problems(infos, rules):
        job.problem(base, rule, f"{message} ({job.platform.label})")
    return refs

def made_card(job, item: dict, where: tuple) -> dict | None:
    """A `card:` entry as the picture this account gets (smm.cards.templates), or None when it
    cannot be made (each reason reported once, or once for each size)."""
    made = cards.make(job.r.root, job.r.brand.cards or cards.Cards(), item, job.account, job.platform.name)
    for path, rule, message, hint in made.problems:
        job.found.append(Diagnostic.at(job.post.file, job.post.at(where + path), ERROR, rule, message, hint))
    return None if made.file is None else {"file": made.file, "alt": made.alt}


def check_cover(job, item: dict, info: media.MediaInfo, where: tuple) -> None:
    """A video's `cover`: a time within it, or a picture in the repository."""
    cover = item["cover"]
    if info.video is None:
        job.problem(where, "media.cover", f"`{item['file']}` is no video: `cover` chooses a video's cover")
        return
    at = video.parse_time(cover)
    if at is not None:
        if at > info.video.duration:
            job.problem(where, "media.cover", f"cover at {at:g} s is after the end of `{item['file']}` "
                         f"({info.video.duration:.1f} s)")
        return
    if not isinstance(cover, str):
        job.problem(where, "media.cover", f"cover `{cover}` is neither a time (00:00:03) nor a picture's path")
        return
    path, rule, what = _usable(job, cover)
    found = media.inspect(path) if rule is None else None
    if found and found.is_video:
        rule, what = "media.cover", "is a video, not a picture"
    elif found and not found.opens:
        rule, what = "media.cover", f"is {found.mime}, a picture smm cannot open to make the cover from (give a JPEG, PNG or WebP)"
    if rule:
        job.found.append(Diagnostic.at(job.post.file, job.post.at(where), ERROR, "media.cover",
                                        f"cover `{cover}` {what}", "a time such as 00:00:03, or a picture's path"))


def _usable(job, file: str) -> tuple[Path | None, str | None, str | None]:
    """_usable_media, asked once per file for every post and account a renderer renders (each file
    noted in `media_asked`: smm check keys a post's kept result by the files its check judged)."""
    job.r.media_asked.add(file)
    known = job.r.media_verdicts
    if file not in known:
        known[file] = _usable_media(job.r.root, file)
    return known[file]


def _usable_media(root: Path, file: str) -> tuple[Path | None, str | None, str | None]:
    """(resolved path, None, None) for a media file a network could be given; else (None, rule, why):
    a path no file can have, one out of the repository, no such file, not a regular file, or
    content that is not a picture smm recognises (or a damaged one)."""
    if reason := unusable_path(file):
        return None, "media.path", reason
    path, reason = inside(root, file)
    if reason:
        return None, "media.outside-repo", reason
    try:
        kind = not_regular(path.stat().st_mode)
    except OSError:
        return None, "media.missing", "does not exist"
    if kind:
        return None, "file.not-regular", f"is {kind}, not a regular file; smm reads only regular files"
    problem = media.inspect(path).problem
    return (None, "media.invalid", problem) if problem else (path, None, None)
