"""Load a whole content repository: settings, brand files, posts and publish records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smm.brand import Brand, load_brand
from smm.calendar import Calendar, load_calendar
from smm.config import PLATFORMS_FILE, Config, load_config
from smm.content import Post, post_files, read_post
from smm.diagnostics import Diagnostic
from smm.records import Record, load_records


@dataclass
class Repo:
    root: Path
    config: Config
    calendar: Calendar
    brand: Brand
    posts: list[Post]
    records: dict[str, Record]
    diagnostics: list[Diagnostic]  # every problem met while loading

    @property
    def config_broken(self) -> bool:
        return any(d.is_error and d.file == PLATFORMS_FILE for d in self.diagnostics)


def load_repo(root: Path) -> Repo:
    config, found = load_config(root)
    calendar, calendar_found = load_calendar(root)
    brand, brand_found = load_brand(root)
    found += calendar_found + brand_found
    posts = []
    for file in post_files(root):
        post, post_found = read_post(root, file, config.timezone)
        found += post_found
        if post is not None:
            posts.append(post)
    records, record_found = load_records(root)
    found += record_found
    return Repo(root, config, calendar, brand, posts, records, found)
