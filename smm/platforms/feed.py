"""The feed: an Atom feed (RFC 4287) and a JSON Feed 1.1, written into the repository.

The embedded default channel: it needs no account or secret. The JSON Feed is the
source of truth (entries by post id, newest first, `max_entries` kept); the Atom feed
is written from it each time, so both always agree.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

from smm.errors import Rejected
from smm.platforms.base import (
    Display,
    Lookup,
    MediaRules,
    Outgoing,
    Platform,
    PublishResult,
)
from smm.workspace.files import parse_json, read_text, write_atomic

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
DEFAULT_MAX_ENTRIES = 50
MAX_FEED_BYTES = 50 * 1024 * 1024
_ENTRY_TEXT = ("id", "title", "content_html", "date_published", "date_modified")  # what each entry needs


def entry_id(post_id: str) -> str:
    """Stable for a post forever: a name-based UUID of its id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'smm:post:' + post_id)}"


class Feed(Platform):
    name = "feed"
    label = "Feed (Atom + JSON Feed)"
    text_limit = None
    markup = "html"
    counting_rule = "no limit"
    media = MediaRules(max_count=100, max_bytes=100 * 1024 * 1024)
    options = {
        "path": {"description": "Where to write the Atom feed, relative to the repository root (a JSON Feed is "
                            "written beside it, named like it with `.json`).", "type": "string", "minLength": 1},
        "site": {"description": "The website the feed belongs to.", "$ref": "#/$defs/url"},
        "title": {"description": "The feed's title. Default: the account name.", "type": "string"},
        "max_entries": {"description": "Newest entries kept. Default 50.", "type": "integer", "minimum": 1},
    }
    options_rule = {"required": ["path"], "properties": {"path": {"pattern": "^data/[^\\s]+\\.(xml|atom)$"}}}
    display = Display("#f26522", "#b8470b", shows_title=True)
    max_lateness = "none"  # a feed entry is never too late
    can_publish = True
    reconciles = True
    in_repository = True  # an entry per post id: never twice; a lost run loses its entry with its records

    @property
    def atom_path(self) -> Path:
        return Path(self.root) / self.options["path"]

    @property
    def json_path(self) -> Path:
        return self.atom_path.with_suffix(".json")

    def items(self) -> list[dict]:
        """The JSON Feed's entries; one smm cannot read (a pipe, too large, not JSON, nested
        too deep) fails the job with where it is wrong."""
        if not self.json_path.exists():
            return []
        file = Path(os.path.relpath(self.json_path, self.root)).as_posix()
        restore = f"restore it from git (`git checkout -- {file}`)"
        text, problems = read_text(Path(self.root), file, MAX_FEED_BYTES)
        if text is None:
            raise Rejected(f"{file}: {problems[0].message}; {restore}")
        feed, problem = parse_json(text)
        if problem or not isinstance(feed, dict):
            line, column, what = problem or (1, 1, "not a JSON object")
            raise Rejected(f"{file}:{line}:{column}: {what}; {restore}")
        items = feed.get("items", [])
        if not isinstance(items, list):
            raise Rejected(f"{file}: `items` is not a list; {restore}")
        for index, item in enumerate(items):
            missing = [key for key in _ENTRY_TEXT if not isinstance(item, dict) or not isinstance(item.get(key), str)]
            if missing or not isinstance(item.get("url", ""), (str, type(None))):
                what = f"has no text `{missing[0]}`" if isinstance(item, dict) and missing else "is not an entry smm wrote"
                raise Rejected(f"{file}: `items[{index}]` {what}; {restore}")
        return items

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """The post's entry, when both feeds have it (a run killed between the two writes did not finish)."""
        item = next((i for i in self.items() if i["id"] == entry_id(outgoing.post_id)), None)
        if item is None or not self.atom_path.exists() or item["id"] not in self.atom_path.read_text("utf-8"):
            return None
        return PublishResult(item["id"], item.get("url"))

    def confirm(self, reference: str) -> PublishResult:
        """An entry of this feed, by its id or URL."""
        item = next((i for i in self.items() if reference.strip() in (i["id"], i.get("url"))), None)
        if item is None:
            raise Rejected(f"no entry {reference} in {self.json_path.name}")
        return PublishResult(item["id"], item.get("url"))

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        site = self.options.get("site")
        item = {
            "id": entry_id(outgoing.post_id),
            "url": outgoing.link or site,
            "title": outgoing.title,
            "content_html": outgoing.text,
            "date_published": outgoing.published_at,
            "date_modified": outgoing.published_at,
            "_smm": {"post": outgoing.post_id},
        }
        items = [i for i in self.items() if i["id"] != item["id"]] + [item]
        items.sort(key=lambda i: (i["date_published"] or "", i["id"]), reverse=True)
        items = items[: self.options.get("max_entries", DEFAULT_MAX_ENTRIES)]
        title = self.options.get("title") or self.account.name
        feed = {"version": JSON_FEED_VERSION, "title": title, "home_page_url": site, "items": items}
        # Atom first: the JSON Feed (the source of truth, what find() reads) has the entry only once both are written
        write_atomic(self.atom_path, atom(title, site, items), Path(self.root))
        write_atomic(self.json_path, json.dumps({k: v for k, v in feed.items() if v is not None},
                                                ensure_ascii=False, indent=2) + "\n", Path(self.root))
        return PublishResult(item["id"], item["url"])


def atom(title: str, site: str | None, items: list[dict]) -> str:
    """An RFC 4287 feed of the items (already newest first)."""
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", entry_id("feed:" + (site or title)))
    sub(feed, "title", title)
    sub(feed, "updated", max((i["date_modified"] for i in items), default="1970-01-01T00:00:00+00:00"))
    if site:
        sub(feed, "link", href=site, rel="alternate")
    sub(sub(feed, "author"), "name", title)
    sub(feed, "generator", "smm")
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", item["id"])
        sub(entry, "title", item["title"])
        sub(entry, "published", item["date_published"])
        sub(entry, "updated", item["date_modified"])
        if item.get("url"):
            sub(entry, "link", href=item["url"], rel="alternate")
        sub(entry, "content", item["content_html"], type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
