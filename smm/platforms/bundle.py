"""Export bundles, for networks whose open APIs need an approval most brands lack.

`smm publish` writes, per post, `data/exports/<account>/<post-id>/`: the video (`video.mp4`,
as checked: smm never re-encodes it), the pictures (`01.jpg`, ... scaled down to the network's
size), `cover.jpg` (the `cover:` frame or picture, else the first frame or picture, cut to the
network's cover shape), `post.json` (title, description, tags, topics, cover, planned time; each
within the network's limits, which `smm check` enforces) and `README.md`, a checklist in Chinese
and English. The bundle is written in a hidden folder beside it and renamed into place, so it is
there whole or not at all; `find()` sees a whole one, so a run killed after writing it records
it instead of writing it again. The job is recorded `exported`; a human uploads it in the
creator app and runs `smm resolve POST_ID --account NAME --published URL`, which checks the
URL's form, keeps the network's post id and records the job `published`. Metrics come from the
creator centre's export dropped under `data/imports/<account>/` (smm.metrics.imports).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from smm.content import video
from smm.output import fence
from smm.errors import Rejected
from smm.workspace.files import CannotWrite, refuse_outside, write_atomic
from smm.metrics.imports import ImportColumns, read_metrics
from smm.platforms.base import Lookup, Metrics, Outgoing, Platform, PublishResult
from smm.content.tokens import hashtags

EXPORTS_DIR = "data/exports"
CHINA = ZoneInfo("Asia/Shanghai")


class Bundle(Platform):
    """A network smm exports bundles for; subclasses declare its limits, sizes and links."""

    exports = True
    can_publish = True
    reconciles = True
    in_repository = True  # the bundle is committed with the records: a lost run loses both
    max_lateness = "none"  # a bundle waits for a human anyway
    markup = "plain"
    has_metrics = True
    app: ClassVar[tuple[str, str, str]]  # (name in Chinese, in English, upload page)
    cover_size: ClassVar[tuple[int, int] | None] = None  # cut to this size; None: the video's own shape
    cover_long_side: ClassVar[int] = 1920
    image_long_side: ClassVar[int] = 2048
    tag_limit: ClassVar[int | None] = None  # characters of one tag
    post_url: ClassVar[re.Pattern]  # a post's public URL; its group `id` is the network's post id
    example_url: ClassVar[str]
    short_hosts: ClassVar[tuple[str, ...]] = ()  # share links that hide the id
    import_columns: ClassVar[ImportColumns]

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        if cls.tag_limit is None:
            return []
        return [f"the tag #{tag} is {len(tag)} characters; {cls.label} takes at most {cls.tag_limit}"
                for tag in dict.fromkeys(t.lstrip("#") for t in hashtags(text)) if len(tag) > cls.tag_limit]

    @classmethod
    def topics(cls, tags: list[str]) -> list[str]:
        """The tags as the description writes them, where the network makes them topics (话题)."""
        return [f"#{tag}" for tag in tags]

    # -- where -----------------------------------------------------------------------

    def folder(self, post_id: str) -> Path:
        return Path(self.root) / EXPORTS_DIR / self.account.name / post_id

    def remote_id(self, post_id: str) -> str:
        return f"{EXPORTS_DIR}/{self.account.name}/{post_id}"

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """The post's bundle when it is there whole (it is renamed into place once written)."""
        if (self.folder(outgoing.post_id) / 'post.json').is_file():
            return PublishResult(self.remote_id(outgoing.post_id))
        return None

    def confirm(self, reference: str) -> PublishResult:
        """A post's public URL on this network: its id is kept (metrics imports are matched by it)."""
        reference = reference.strip()
        found = self.post_url.match(reference)
        if found:
            return PublishResult(found.group("id"), reference)
        if any(host in reference for host in self.short_hosts):
            raise Rejected(f"{reference} is a share link that hides the post's id: open it in a browser and give the "
                           "address it leads to")
        raise Rejected(f"{reference} is not a {self.label} post's URL (for example {self.example_url})")

    # -- the export --------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        final = self.folder(outgoing.post_id)
        refuse_outside(Path(self.root), final)  # nothing is made, replaced or removed out there
        temp = final.with_name(f".{final.name}.tmp{os.getpid()}")  # files.TEMP_GLOB: never committed
        try:
            for stale in final.parent.glob(f".{outgoing.post_id}.tmp*") if final.parent.is_dir() else ():
                shutil.rmtree(stale, ignore_errors=True)  # a bundle a killed run left half written
            temp.mkdir(parents=True)
        except OSError as exc:  # a file where its folder goes: the repository's to mend, then the next run exports
            raise CannotWrite(self.remote_id(outgoing.post_id), exc) from None
        try:
            files = self.write_media(outgoing, temp)
            manifest = self.manifest(outgoing, files)
            write_atomic(temp / "README.md", checklist(self, outgoing, manifest), Path(self.root))
            write_atomic(temp / 'post.json', json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", Path(self.root))
            if final.exists():  # exported before, then resolved as not published: this one replaces it
                shutil.rmtree(final)
            os.replace(temp, final)
        except (OSError, video.NotVideo) as exc:  # Pillow and PyAV raise OSError for a file they cannot read
            raise Rejected(f"cannot write the bundle {self.remote_id(outgoing.post_id)}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from None
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        return PublishResult(self.remote_id(outgoing.post_id))

    def write_media(self, outgoing: Outgoing, temp: Path) -> dict:
        """The video (copied as it is), the pictures (JPEG, scaled down, turned as shown) and the cover, into `temp`."""
        from smm.content.media import inspect

        covers = dict(outgoing.covers)
        files: dict = {"video": None, "images": [], "cover": "cover.jpg"}
        cover = None
        for path, _alt in outgoing.media:
            info = inspect(Path(path))
            if info.video is not None and files["video"] is None:
                files["video"] = f"video.{video.VIDEO_TYPES[info.mime]}"
                shutil.copyfile(path, temp / files["video"])
                cover = video.cover_image(Path(path), covers.get(Path(path)))
            elif info.video is None:
                name = f"{len(files['images']) + 1:02d}.jpg"
                image = video.picture(Path(path))
                (temp / name).write_bytes(video.jpeg(image, self.image_long_side))
                cover = cover or image
                files["images"].append(name)
        if cover is None:
            files["cover"] = None
        else:
            (temp / "cover.jpg").write_bytes(video.jpeg(self.cut_cover(cover), self.cover_long_side))
        return files

    def cut_cover(self, image):
        """The cover in the network's shape (centre kept), or as it is."""
        from PIL import ImageOps

        return ImageOps.fit(image, self.cover_size) if self.cover_size else image

    def manifest(self, outgoing: Outgoing, files: dict) -> dict:
        tags = list(dict.fromkeys(t.lstrip("#") for t in hashtags(outgoing.text)))
        planned = datetime.fromisoformat(outgoing.published_at) if outgoing.published_at else None
        return {
            "platform": self.name, "account": self.account.name, "post": outgoing.post_id,
            "title": outgoing.title, "description": outgoing.text, "tags": tags, "topics": self.topics(tags),
            "video": files["video"], "images": files["images"], "cover": files["cover"],
            "planned_time": planned.astimezone(CHINA).isoformat() if planned else None,
            "link": outgoing.link,
            "limits": {"title": self.title_limit, "description": self.text_limit, "tags": self.max_hashtags},
        }

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """The counts of these posts in the creator centre's exports (those it has)."""
        found = read_metrics(Path(self.root), self.account.name, self.import_columns, self.id_of_link)
        return [found[r] for r in remote_ids if r in found]

    def id_of_link(self, link: str) -> str | None:
        match = self.post_url.match(link.strip())
        return match.group("id") if match else None


def checklist(platform: Bundle, outgoing: Outgoing, manifest: dict) -> str:
    """README.md of a bundle: what a human does with it, in Chinese and in English."""
    zh, en, page = platform.app
    media_zh = f"视频 `{manifest['video']}`" if manifest["video"] else "图片 " + "、".join(f"`{i}`" for i in manifest["images"])
    media_en = f"the video `{manifest['video']}`" if manifest["video"] else \
        "the pictures " + ", ".join(f"`{i}`" for i in manifest["images"]) + " in this order"
    cover = manifest["cover"] or "-"
    resolve = f"smm resolve {outgoing.post_id} --account {outgoing.account} --published URL"
    return f"""# {" ".join(outgoing.title.split())}

{platform.label} · `{outgoing.account}` · {manifest['planned_time'] or '-'}

## 发布清单（中文）

1. 打开{zh}（{page}），登录账号 `{outgoing.account}`。
2. 上传{media_zh}。
3. 封面选择 `{cover}`。
4. 标题填写 `post.json` 中的 `title`；描述（正文）填写 `description`；话题 / 标签：{'、'.join(manifest['tags']) or '无'}。
5. 计划发布时间：{manifest['planned_time'] or '尽快'}（北京时间）。
6. 发布后复制作品链接，在仓库中运行 `{resolve}`，并提交记录。

## Upload checklist (English)

1. Open {en} ({page}) and sign in as `{outgoing.account}`.
2. Upload {media_en}.
3. Choose `{cover}` as the cover.
4. Title: `title` in `post.json`; description: `description`; topics / tags: {', '.join(manifest['tags']) or 'none'}.
5. Planned time: {manifest['planned_time'] or 'as soon as possible'} (Beijing time).
6. Once it is up, copy the post's link and run `{resolve}` in the repository; commit the record.

## 标题 / Title

{fenced(manifest['title'])}

## 描述 / Description

{fenced(manifest['description'])}
"""


def fenced(text: str) -> str:
    """`text` as a Markdown code block shown as written."""
    return f"{fence(text)}\n{text}\n{fence(text)}"
