"""Xiaohongshu 小红书: an export bundle per note (its open API needs an approval most brands lack).

Limits: the creator platform's publish form (creator.xiaohongshu.com: a title of 20, a Chinese
character counting 1 and a Latin letter or digit ½; a body of 1,000 characters; 10 topics; 18
pictures, or one video of up to 60 minutes and 20 GB, never both; covers 3:4).
"""

import re

from smm.render import counting
from smm.metrics.imports import ImportColumns
from smm.platforms.base import Display, MediaRules, VideoRules
from smm.platforms.bundle import Bundle


class Xiaohongshu(Bundle):
    name = "xiaohongshu"
    label = "Xiaohongshu 小红书"
    text_limit = 1000
    title_limit = 20
    max_hashtags = 10
    counting_rule = "characters (grapheme clusters); the title in 汉字 (half-width ½, outside the BMP 2), 20"
    media = MediaRules(min_count=1, max_count=18, types=frozenset({"image/jpeg", "image/png", "image/webp"}),
                       max_bytes=20 * 1024 * 1024, alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}),
                                        max_bytes=20 * 1024 ** 3, max_seconds=60 * 60, cover=True))
    display = Display("#ff2442", "#c8102e")
    app = ("小红书创作服务平台", "Xiaohongshu's creator platform", "https://creator.xiaohongshu.com/publish/publish")
    cover_size = (1080, 1440)
    post_url = re.compile(r"^https?://(?:www\.)?xiaohongshu\.com/(?:explore|discovery/item)/(?P<id>[0-9a-f]{24})"
                          r"(?:[/?#]\S*)?$")
    example_url = "https://www.xiaohongshu.com/explore/64a1b2c3d4e5f60718293a4b"
    short_hosts = ("xhslink.com",)
    import_columns = ImportColumns(
        ids=("笔记ID", "笔记id", "note_id"), links=("笔记链接",),
        counts={"views": ("观看量", "观看", "阅读量", "浏览量"), "likes": ("点赞", "点赞数"),
                "replies": ("评论", "评论数"), "reposts": ("分享", "分享数")})

    title_length = staticmethod(counting.weibo_length)
