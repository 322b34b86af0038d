"""Bilibili B站: an export bundle per video (its open API needs an approval most brands lack).

Limits: the open platform's archive API (https://openhome.bilibili.com/doc, 视频稿件投递: files up
to 4 GB, under 5 hours, up to 120 frames a second; covers jpeg or png up to 5 MB, at least
960×600, 1146×717 advised); the web upload form (member.bilibili.com: a title of 80 characters,
a description of 2,000, 10 tags of up to 20 characters each).
"""

import re

from smm.metrics.imports import ImportColumns
from smm.platforms.base import Display, MediaRules, VideoRules
from smm.platforms.bundle import Bundle


class Bilibili(Bundle):
    name = "bilibili"
    label = "Bilibili B站"
    text_limit = 2000
    title_limit = 80
    max_hashtags = 10
    tag_limit = 20
    counting_rule = "characters (grapheme clusters); the title 80, the description 2,000, each tag 20"
    media = MediaRules(min_count=1, max_count=1, types=frozenset(), alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"}),
                                        max_bytes=4 * 1024 ** 3, max_seconds=5 * 3600, max_frame_rate=120, cover=True))
    display = Display("#fb7299", "#c2185b")
    app = ("B站创作中心", "Bilibili's creator centre", "https://member.bilibili.com/platform/upload/video/frame")
    cover_size = (1146, 717)
    post_url = re.compile(r"^https?://(?:www\.|m\.)?bilibili\.com/video/(?P<id>BV[0-9A-Za-z]{10})(?:[/?#]\S*)?$")
    example_url = "https://www.bilibili.com/video/BV1xx411c7mD"
    short_hosts = ("b23.tv",)
    import_columns = ImportColumns(
        ids=("BV号", "稿件BV号", "bvid"), links=("稿件链接", "视频链接"),
        counts={"views": ("播放", "播放量"), "likes": ("点赞", "点赞数"), "replies": ("评论", "评论数"),
                "reposts": ("分享", "分享数")})

    @classmethod
    def topics(cls, tags: list[str]) -> list[str]:
        return []  # Bilibili's tags are the tags; a topic (话题) is chosen in the form
