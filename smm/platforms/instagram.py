"""Instagram: captions of 2200 characters and at most 5 hashtags; JPEG only.

Instagram cut the hashtags a post or reel may carry from 30 to 5 (announced by
@creators on 2025-12-19, rolled out gradually); an account may set its own
`hashtag_limit` in platforms.yml.

Publishing (professional accounts, Instagram API with Facebook Login; developers.facebook.com/docs/
instagram-platform/content-publishing): a container per image (`image_url`), a reel (`media_type
REELS`, `video_url`) or a CAROUSEL of 2–10 item containers, read until its `status_code` is FINISHED,
then `media_publish`. Instagram fetches every file from a public URL: `<media_base_url>/<path in the
repository>`. `find()` reads the account's media created in the attempt's window and matches the
caption sent, never a post another record owns. A first comment is `POST /{media_id}/comments` with
`message` (it needs no media), found again among the post's comments.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from smm.errors import Rejected
from smm.platforms import http
from smm.platforms.base import (HANDLE_OPTION, TOKEN_OPTION, Display, Lookup, MediaRules, Metrics, Outgoing,
                                PublishResult, VideoRules, api_base_option)
from smm.platforms.graph import GRAPH_HOST, MEDIA_BASE_OPTION, MetaPlatform, hosting_problem, \
    match, media_url
from smm.workspace.files import files_under

READY_WITHIN = 600.0  # seconds a container may take to be FINISHED (a reel is processed for minutes)
METRICS = ("likes", "comments", "shares", "views")


class Instagram(MetaPlatform):
    name = "instagram"
    label = "Instagram"
    posts_edge, comments_edge, comment_kind = "media", "comments", "comment"
    comments = True
    text_limit = 2200
    max_hashtags = 5
    # "Maximum 2200 characters, 30 hashtags, and 20 @ tags" (the `caption` of POST /{ig-user-id}/media,
    # developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media)
    max_mentions = 20
    media = MediaRules(min_count=1, max_count=10, types=frozenset({"image/jpeg"}), max_bytes=8 * 1024 * 1024, alt_limit=1000,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_count=10, with_images=True,
                                        max_bytes=300 * 1024 * 1024, min_seconds=3, max_seconds=15 * 60,
                                        codecs=frozenset({"h264", "hevc"}), max_frame_rate=60))
    secrets = ("token_env",)
    options = {**HANDLE_OPTION, **TOKEN_OPTION,
               "user_id": {"description": "The Instagram professional account's id (the `instagram_business_account` "
                                          "of its Facebook Page).", "type": "string", "pattern": r"^\d+$"},
               **MEDIA_BASE_OPTION, "api_base": api_base_option(GRAPH_HOST)}
    publish_options = ("token_env", "user_id", "media_base_url")
    needed_scopes = frozenset({"instagram_basic", "instagram_content_publish", "instagram_manage_insights"})
    display = Display("#e1306c", "#00376b")

    @classmethod
    def media_problem(cls, options, file: str) -> str | None:
        return hosting_problem(cls.label, options, file)

    @property
    def user(self) -> str:
        return str(self.options["user_id"])

    def _item(self, path, alt: str | None, **extra) -> dict:
        url = media_url(self.options["media_base_url"], self.root, path)
        if (mimetypes.guess_type(str(path))[0] or "").startswith("video/"):
            return {"media_type": "REELS", "video_url": url, **extra}
        return {"image_url": url, **extra} | ({"alt_text": alt} if alt else {})

    def container_fields(self, outgoing: Outgoing) -> dict:
        if not outgoing.media:
            raise Rejected("Instagram takes no post without an image or a video")
        caption = {"caption": outgoing.text} if outgoing.text else {}
        if len(outgoing.media) == 1:
            return {**self._item(*outgoing.media[0]), **caption}
        children = [self.graph.container(f"{self.user}/media", self._item(path, alt, is_carousel_item="true"))
                    for path, alt in outgoing.media]
        return {"media_type": "CAROUSEL", "children": ",".join(children), **caption}

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        if outgoing.reply_to:  # a first comment
            return self.comment(outgoing)
        container = self.graph.container(f"{self.user}/media", self.container_fields(outgoing))
        self.graph.wait_finished(container, "status_code,status", self.sleep, READY_WITHIN)
        post = self.graph.published(f"{self.user}/media_publish", container)
        return PublishResult(post, self.graph.permalink(post))

    def hosting_advice(self) -> str | None:
        """Instagram fetches each file from `media_base_url`: one of the repository's pictures must be
        served there, byte for byte (a 404, or another file, and publishing fails)."""
        import httpx

        base = self.options.get("media_base_url")
        sample = next((p for p in files_under(Path(self.root or ".") / "content")
                       if p.suffix.lower() in (".jpg", ".jpeg")), None) if base else None
        if sample is None:
            return None if base else "no `media_base_url`: Instagram cannot fetch the media of a post"
        url = media_url(base, self.root, sample)
        try:
            with http.client(transport=self.transport) as session:
                answer = session.get(url, follow_redirects=True)
        except httpx.HTTPError as exc:
            return f"{url} cannot be fetched ({type(exc).__name__}): Instagram could not fetch it either"
        if answer.status_code != 200 or answer.content != sample.read_bytes():
            what = f"HTTP {answer.status_code}" if answer.status_code != 200 else "other bytes than the repository's"
            return f"{url} answers {what}: Instagram would not get the post's media"
        return None

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        if outgoing.reply_to:
            return self.find_comment(lookup)
        return match(self.graph.recent(f"{self.user}/media", "id,caption,timestamp,permalink", lookup), lookup,
                     "caption")

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        return [Metrics(post, likes=values.get("likes"), replies=values.get("comments"), reposts=values.get("shares"),
                        views=values.get("views"))
                for post, values in self.graph.insights(remote_ids, METRICS)]

    def followers(self) -> int | None:
        return self.graph.call("GET", self.user, "followers", params={"fields": "followers_count"}).get("followers_count")
