"""Facebook Pages: 63,206 characters.

Publishing (developers.facebook.com/docs/pages-api/posts) with a Page access token: `token_env` holds
the Page's token, or a user token of one of its admins, for which smm asks the Page's own token
(`GET /{page_id}?fields=access_token`). A post is `POST /{page_id}/feed` with `message` and `link`;
its photos are uploaded first unpublished (`POST /{page_id}/photos`, `published=false`: no post yet)
and attached to that one post (`attached_media`). `find()` reads the Page's published posts in the
attempt's window and matches the message sent, never a post another record owns. A first comment
is `POST /{post_id}/comments` with `message`, found again among the post's comments.
"""

from __future__ import annotations

import json
from contextlib import ExitStack

from smm.platforms import answers, http
from smm.platforms.base import (TOKEN_OPTION, Display, Lookup, MediaRules, Metrics, Outgoing, PublishResult,
                                VideoRules, api_base_option)
from smm.platforms.graph import GRAPH_HOST, Graph, MetaPlatform, match

METRICS = ("post_impressions", "post_clicks", "post_reactions_by_type_total")


class Facebook(MetaPlatform):
    name = "facebook"
    label = "Facebook"
    posts_edge, comments_edge, comment_kind = "published_posts", "comments", "comment"
    comments = True
    text_limit = 63_206
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_bytes=10 * 1024 ** 3, max_seconds=240 * 60))
    secrets = ("token_env",)
    options = {**TOKEN_OPTION,
               "page_id": {"description": "The Facebook Page's id (its About section, or `GET /me/accounts`).",
                           "type": "string", "pattern": r"^\d+$"},
               "api_base": api_base_option(GRAPH_HOST)}
    publish_options = ("token_env", "page_id")
    needed_scopes = frozenset({"pages_manage_posts", "pages_read_engagement", "read_insights"})
    display = Display("#1877f2", "#0b62d6")

    @property
    def page(self) -> str:
        return str(self.options["page_id"])

    @property
    def graph(self) -> Graph:
        """Calls with the Page's token (asked once, when `token_env` holds a user token)."""
        if not hasattr(self, "_graph"):
            given = self.new_graph(self.secret("token_env"))
            try:
                token = given.call("GET", self.page, "page token", params={"fields": "access_token"}).get("access_token")
            finally:
                given.close()
            self._graph = self.new_graph(token or given.token)
        return self._graph

    def upload(self, stack: ExitStack, media) -> list[str]:
        """Each photo uploaded unpublished (a photo, not a post): their ids."""
        files = http.open_media(stack, media, lambda index: index)
        return [self.graph.stage(f"{self.page}/photos", "photo", data={"published": "false"}, files={"source": files[index]})
                for index in range(len(media))]

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        if outgoing.reply_to:  # a first comment
            return self.comment(outgoing)
        fields = {"message": outgoing.text} if outgoing.text else {}
        with ExitStack() as stack:
            photos = self.upload(stack, outgoing.media)
        if photos:
            fields |= {f"attached_media[{i}]": json.dumps({"media_fbid": photo}) for i, photo in enumerate(photos)}
        elif outgoing.link:
            fields["link"] = outgoing.link
        post = answers.ident(self.graph.call("POST", f"{self.page}/feed", "post", data=fields).get("id"))
        return PublishResult(post, self.graph.permalink(post, "permalink_url") or f"https://www.facebook.com/{post}")

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        if outgoing.reply_to:
            return self.find_comment(lookup)
        items = self.graph.recent(f"{self.page}/published_posts", "id,message,created_time,permalink_url", lookup)
        return match(items, lookup, "message", time_key="created_time", url_key="permalink_url")

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        return [Metrics(post, likes=values.get("post_reactions_by_type_total"), views=values.get("post_impressions"),
                        clicks=values.get("post_clicks"))
                for post, values in self.graph.insights(remote_ids, METRICS)]

    def followers(self) -> int | None:
        return self.graph.call("GET", self.page, "followers", params={"fields": "followers_count"}).get("followers_count")
