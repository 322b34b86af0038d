"""Threads (Meta): 500 characters where an emoji counts its UTF-8 bytes; at most 5 links.

Publishing (developers.facebook.com/docs/threads/posts): a container (TEXT, IMAGE, VIDEO, or a
CAROUSEL of 2–20 item containers), read until FINISHED, then `threads_publish`; a thread's later parts
are containers with `reply_to_id` the previous part. Threads fetches images from a public URL, so an
account whose posts carry media sets `media_base_url`. `find()` reads the account's own threads (or
replies) created in the attempt's window and matches one no other record owns, with the text sent
and, for a reply, the same parent.

Long-lived tokens last 60 days. When `SMM_ROTATED_SECRETS` names a folder outside the repository and
the token expires within REFRESH_WITHIN, smm refreshes it (`th_refresh_token`), publishes with the new
one and keeps it there (smm.platforms.rotation): later commands of the job read it first, and the
publish workflow stores it back as the secret. Without that folder nothing is refreshed and
`smm doctor` warns before expiry.
"""

from __future__ import annotations

import logging
import mimetypes
from datetime import datetime, timedelta, timezone

import regex

from smm.render import counting
from smm.render.bounds import _MAYBE_EMOJI  # every match of _EMOJI holds one, or U+FE0F
from smm.errors import PlatformError, Rejected
from smm.platforms import rotation
from smm.platforms.base import (HANDLE_OPTION, TOKEN_OPTION, Display, Lookup, MediaRules, Metrics, Outgoing,
                                PublishResult, VideoRules, api_base_option)
from smm.platforms.graph import MEDIA_BASE_OPTION, THREADS_HOST, THREADS_VERSION, Graph, MetaPlatform, \
    hosting_problem, insight_values, match, media_url

log = logging.getLogger(__name__)

# A cluster is an emoji when it holds a pictograph, a flag letter or a skin tone, or
# is a keycap: "1️⃣" is one, "1" and "1️" are not.
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|[#*0-9]\ufe0f\u20e3")
REFRESH_WITHIN = timedelta(days=14)  # refresh a token that expires sooner than this
REFRESH_AGE = timedelta(days=1)  # Threads refreshes only tokens at least a day old
READY_WITHIN = 300.0  # seconds a container may take to be FINISHED (Meta suggests about 30)
METRICS = ("views", "likes", "replies", "reposts", "quotes")


class Threads(MetaPlatform):
    name = "threads"
    label = "Threads"
    graph_host, graph_version = THREADS_HOST, THREADS_VERSION
    posts_edge, comments_edge, comment_kind = "threads", "replies", "reply"
    text_limit = 500
    threads = True
    max_links = 5
    media = MediaRules(max_count=20, types=frozenset({"image/jpeg", "image/png"}), max_bytes=8 * 1024 * 1024,
                       alt_limit=1000,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_count=20, with_images=True, max_bytes=1024 ** 3,
                                        max_seconds=300, codecs=frozenset({"h264", "hevc"}), max_frame_rate=60))
    unit = "characters"
    counting_rule = "grapheme clusters, but an emoji counts as its UTF-8 bytes (Threads API docs)"
    secrets = ("token_env",)
    options = {**HANDLE_OPTION, **TOKEN_OPTION,
               "user_id": {"description": "The Threads user id (the `id` of `GET /me` with the account's token).",
                           "type": "string", "pattern": r"^\d+$"},
               **MEDIA_BASE_OPTION, "api_base": api_base_option(THREADS_HOST)}
    publish_options = ("token_env", "user_id")
    needed_scopes = frozenset({"threads_basic", "threads_content_publish", "threads_manage_replies", "threads_read_replies",
                       "threads_manage_insights"})
    display = Display("#000", "#0b62d6", link_chars=30)

    @staticmethod
    def length(text: str) -> int:
        count = counting.graphemes(text)
        if text.isascii() or "\ufe0f" not in text and not _MAYBE_EMOJI.search(text):  # (far quicker than _EMOJI)
            return count
        return count + sum(len(g.encode("utf-8")) - 1 for g in counting.clusters_holding(text, _EMOJI))

    # -- the adapter -------------------------------------------------------------

    @classmethod
    def media_problem(cls, options, file: str) -> str | None:
        return hosting_problem(cls.label, options, file)

    @property
    def graph(self) -> Graph:
        if not hasattr(self, "_graph"):
            self._graph = self.new_graph(self.secret("token_env"))
            self.keep_token_fresh()
        return self._graph

    @property
    def user(self) -> str:
        return str(self.options["user_id"])

    def keep_token_fresh(self, now: datetime | None = None) -> str | None:
        """Refresh a token close to its expiry when there is a place for the new one; where it went, or None."""
        if rotation.folder_problem(self.env, self.root):
            return None
        now = now or datetime.now(timezone.utc)
        try:
            info = self._graph.token_info()
            if not info.valid or info.expires_at is None or info.expires_at - now > REFRESH_WITHIN or (
                    info.issued_at and now - info.issued_at < REFRESH_AGE):
                return None
            answer = self._graph.call("GET", "/refresh_access_token", "token refresh",
                                      params={"grant_type": "th_refresh_token"})
        except PlatformError as exc:  # the current token still works until it expires
            log.warning("%s: the access token could not be refreshed: %s", self.account.name, exc.message)
            return None
        token = str(answer.get("access_token") or "")
        if not token:
            return None
        rotation.keep(self.env, self.options["token_env"], token, self.root)
        self._graph.close()
        self._graph = self.new_graph(token)
        log.info("%s: access token refreshed; the new one is kept in %s", self.account.name, rotation.FOLDER)
        return self.options["token_env"]

    def _item(self, path, alt: str | None, **extra) -> dict:
        base = self.options.get("media_base_url")
        if not base:
            raise Rejected(f"{self.label} fetches media from a public URL: set the account's `media_base_url`")
        kind = "VIDEO" if (mimetypes.guess_type(str(path))[0] or "").startswith("video/") else "IMAGE"
        url = media_url(base, self.root, path)
        fields = {"media_type": kind, ("video_url" if kind == "VIDEO" else "image_url"): url, **extra}
        return fields | ({"alt_text": alt} if alt else {})

    def container_fields(self, outgoing: Outgoing) -> dict:
        """The fields of the part's container (its carousel items made first)."""
        fields = {"text": outgoing.text} if outgoing.text else {}
        if outgoing.reply_to:
            fields["reply_to_id"] = outgoing.reply_to.remote_id
        if len(outgoing.media) == 1:
            return {**fields, **self._item(*outgoing.media[0])}
        if outgoing.media:
            children = [self.graph.container(f"{self.user}/threads", self._item(path, alt, is_carousel_item="true"))
                        for path, alt in outgoing.media]
            return {**fields, "media_type": "CAROUSEL", "children": ",".join(children)}
        return {**fields, "media_type": "TEXT"}

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        fields = self.container_fields(outgoing)
        container = self.graph.container(f"{self.user}/threads", fields)
        self.graph.wait_finished(container, "status,error_message", self.sleep, READY_WITHIN)
        post = self.graph.published(f"{self.user}/threads_publish", container)
        return PublishResult(post, self.graph.permalink(post))

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        edge = "replies" if outgoing.reply_to else "threads"
        items = self.graph.recent(f"{self.user}/{edge}", "id,text,timestamp,permalink,replied_to", lookup)

        def same_parent(item: dict, sent: Outgoing) -> bool:
            parent = (item.get("replied_to") or {}).get("id")
            return str(parent or "") == (sent.reply_to.remote_id if sent.reply_to else "")
        return match(items, lookup, "text", same_parent)

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        return [Metrics(post, likes=values.get("likes"), reposts=values.get("reposts"), replies=values.get("replies"),
                        quotes=values.get("quotes"), views=values.get("views"))
                for post, values in self.graph.insights(remote_ids, METRICS)]

    def followers(self) -> int | None:
        answer = self.graph.call("GET", f"{self.user}/threads_insights", "followers",
                                 params={"metric": "followers_count"})
        return insight_values(answer).get("followers_count")
