"""Douyin 抖音: an export bundle per post (its open API needs an approval most brands lack).

Limits: the open platform's video upload (https://open.douyin.com/platform/resource/docs/openapi/
video-management/douyin/create/upload/: mp4 or webm recommended, at most 4 GB in parts, 15
minutes); the creator centre's publish form (creator.douyin.com: a title of 30 characters,
a description of 1,000, 5 topics, up to 35 pictures for an image post).
"""

import re

from smm.metrics.imports import ImportColumns
from smm.platforms.base import Display, MediaRules, VideoRules
from smm.platforms.bundle import Bundle


class Douyin(Bundle):
    name = "douyin"
    label = "Douyin 抖音"
    text_limit = 1000
    title_limit = 30
    max_hashtags = 5
    counting_rule = "characters (grapheme clusters); the title 30, the description 1,000"
    media = MediaRules(min_count=1, max_count=35, types=frozenset({"image/jpeg", "image/png", "image/webp"}),
                       max_bytes=20 * 1024 * 1024, alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4", "video/webm", "video/quicktime"}),
                                        max_bytes=4 * 1024 ** 3, max_seconds=15 * 60, cover=True))
    display = Display("#161823", "#161823")
    app = ("抖音创作者中心", "the Douyin creator centre", "https://creator.douyin.com")
    post_url = re.compile(r"^https?://(?:www\.)?douyin\.com/(?:video|note)/(?P<id>\d{6,})(?:[/?#]\S*)?$")
    example_url = "https://www.douyin.com/video/7300000000000000000"
    short_hosts = ("v.douyin.com",)
    import_columns = ImportColumns(
        ids=("作品ID", "视频ID", "item_id"), links=("作品链接", "视频链接"),
        counts={"views": ("播放量", "播放"), "likes": ("点赞量", "点赞", "点赞数"),
                "replies": ("评论量", "评论", "评论数"), "reposts": ("分享量", "分享", "分享数")})
