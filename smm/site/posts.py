"""One page per post (every account's preview card, publish records, metrics) and the search index.

A post page's digest covers what it shows: the post's fields and body, the media files it
names (by size and modification time), its publish record and latest metrics; the settings
(platforms.yml, brand/, smm itself) are in the build's digest that every page key includes.
"""

from __future__ import annotations

import json
import mimetypes
import os
from pathlib import Path

from markupsafe import Markup

from smm.content.post import Post, media_names
from smm.pages import visible
from smm.platforms import platform_class
from smm.render import cards
from smm.site.catalogue import text_language
from smm.site.output import digest, picture_name, plain_digest, stamp
from smm.workspace.brand import first_language
from smm.workspace.files import inside, not_regular, open_regular

COUNTS = ("likes", "reposts", "replies", "quotes", "views", "clicks")


def page_path(post_id: str) -> str:
    return f"posts/{post_id}/index.html"


class SiteImages(cards.Images):
    """The cards' pictures as files of the site (media/<digest><suffix>), each copied once, not
    inlined: ten thousand pages share them."""

    def __init__(self, root: Path, folder, up: str, shown: list | None = None) -> None:
        super().__init__(root)
        self.folder = folder
        self.up = up
        self.pictures = [] if shown is None else shown  # (name in the site, file in the repository) of each picture

    def _data_uri(self, file: str) -> tuple[str, str]:
        path, reason = inside(self.root, file)
        if reason:
            return "", reason
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            return "", f"{mime or 'unknown type'}: not shown in this preview"
        try:
            stat = os.stat(path)
        except OSError as exc:
            return "", f"cannot be read: {exc.strerror or exc}"
        if kind := not_regular(stat.st_mode):  # a folder, a named pipe (its read would block the build)
            return "", f"cannot be read: it is {kind}, not a regular file"
        name = picture_name(file, stat, path.suffix)
        self.folder.page(name, file, lambda: _read(path))
        self.pictures.append((name, file))
        return f"{self.up}{name}", ""


def _read(path: Path) -> bytes:
    with open_regular(path) as handle:
        return handle.read()


def metrics_digest(snapshots: dict) -> str:
    """A digest of one post's latest metrics ({(post id, account): Snapshot})."""
    return digest(sorted((account or "", snap.collected_at.isoformat(), [getattr(snap, c) for c in COUNTS])
                         for (_, account), snap in snapshots.items()))  # (a row's empty account cell: None)


class PostKeys:
    """Each post page's key: the post by the digest of the bytes it was read from (`digests`: the
    repository's, from its post cache; else by its file's stat, as git's index does), its publish
    record by its file's stat, the media files it names by theirs (each looked at once per build:
    posts share pictures), its latest metrics and the build's settings. `root`: the repository's
    folder as a string (joined 10,000 times); `records`: the stamp of each file of data/published by
    its path (reports.data_files(), which stats them once for the build)."""

    def __init__(self, root: str, settings: str, records: dict, digests: dict | None = None) -> None:
        self.root, self.settings, self.records, self.digests = root, settings, records, digests or {}
        self._media: dict[str, tuple | None] = {}  # full path → its stamp, None when it cannot be read

    def key(self, post: Post, record, metrics: str) -> str:
        """`metrics`: metrics_digest() of the post's snapshots."""
        source = self.digests.get(post.file)
        if source is None:  # (a link, a post read without the cache)
            try:
                source = stamp(os.stat(f"{self.root}/{post.file}"))  # (os.path.join costs as much as the stat)
            except OSError:
                source = (post.meta, post.body)
        published = (self.records.get(record.file) or record.accounts) if record else None
        media = self.media_state(post) if "media" in post.meta or "overrides" in post.meta else []
        return plain_digest((self.settings, post.file, post.id, source, media, published, metrics))

    def media_state(self, post: Post) -> list:
        """(file, its stamp) of each media file the post names, for itself or an account (smm.content.post.media_names:
        a cover, an override's): a changed picture changes the page."""
        found = []
        for file in media_names(post):
            path = os.path.join(self.root, file)
            if path not in self._media:
                try:
                    self._media[path] = stamp(os.stat(path))
                except (OSError, ValueError):
                    self._media[path] = None
            known = self._media[path]
            found.append((file, *known) if known else (file, None))
        return found


def post_page(site, folder, renderer, post: Post, record, snapshots: dict, tz, shown: list | None = None) -> str:
    """The post's page: each account's card (smm.render.cards), its publish records and metrics;
    `shown` gets (name, file) of each picture written for it."""
    path = page_path(post.id)
    images = SiteImages(renderer.root, folder, "../../", shown)
    names = [a for a in post.accounts if a in renderer.config.accounts]
    renderings = [renderer.render(post, name) for name in names]
    jobs = [{"account": account, "state": job.get("state"), "url": job.get("url"),
             "published_at": _local(job.get("published_at"), tz)}
            for account, job in sorted((record.accounts if record else {}).items()) if isinstance(job, dict)]
    metrics = [{"account": account, "collected_at": snap.collected_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "counts": [getattr(snap, c) for c in COUNTS]}
               for (post_id, account), snap in sorted(snapshots.items(), key=lambda item: item[0][1] or "")
               if post_id == post.id]
    lang, text = first_language(post), text_language(site.lang)
    return site.page("post", path, visible(post.title, post.id), post=post, post_lang=lang or text,
                     when=post.publish_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if post.publish_at else None,
                     cards=[Markup(cards.card(r, images, site.brand, lang or site.lang, site.lang)) for r in renderings],
                     labels={r.account: platform_class(r.platform).label for r in renderings},
                     image_rules=Markup(images.rules_css()), jobs=jobs, metrics=metrics, counts=COUNTS)


def _local(value, tz) -> str | None:
    from smm.data.jobs import parse_time

    moment = parse_time(value)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def listing(posts: list[Post]) -> list[tuple]:
    """What the calendar and the search index show of each post: id, title, pillar, campaign, its
    time (a timestamp: as exact for what is shown, which is in the settings' time zone, and
    cheaper to digest than a datetime), draft or not, language."""
    return [(p.id, p.title, p.pillar, p.campaign, p.publish_at.timestamp() if p.publish_at else None, bool(p.draft),
             first_language(p)) for p in posts]


def search_index(posts: list[Post], tz, text_lang: str | None = None) -> str:
    """assets/search-index.js: a global array of [id, title, local time, pillar, campaign, lang], read
    by a <script> tag (fetch() of a JSON file fails from file://); `lang`: the post's first language, else
    `text_lang` (smm.site.catalogue.text_language()), else empty: the page's."""
    rows = [[p.id, visible(p.title, p.id), p.publish_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if p.publish_at else "",
             p.pillar or "", p.campaign or "", first_language(p) or text_lang or ""] for p in posts]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return "window.SMM_SEARCH_INDEX = " + text.replace("</", "<\\/") + ";\n"
