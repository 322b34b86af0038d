"""A local double of the WeChat Official Account server API (api.weixin.qq.com), from its documentation.

Endpoints (all answer HTTP 200; an error is ``{"errcode": N, "errmsg": "... rid: ..."}``):
  POST /cgi-bin/stable_token               {grant_type: client_credential, appid, secret, force_refresh}
                                           -> {access_token, expires_in}; the same token while valid (a new one
                                           in its last 5 minutes), force_refresh invalidates the previous one
  POST /cgi-bin/media/uploadimg            multipart ``media`` (jpg/png, < 1 MB) -> {url}   (images in bodies)
  POST /cgi-bin/material/add_material      ?type=image (≤ 10 MB bmp/png/jpeg/gif) | thumb (≤ 64 KB jpg),
                                           multipart ``media`` -> {media_id, url}
  POST /cgi-bin/draft/add                  {articles: [...]} -> {media_id}: title ≤ 32, author ≤ 16, digest ≤ 128
                                           characters, content < 20,000 characters and < 1 MB (scripts removed,
                                           images not from uploadimg filtered out), content_source_url ≤ 1 KB,
                                           thumb_media_id a permanent material
  POST /cgi-bin/comment/list               {msg_data_id, index, begin, count ≤ 50, type 0|1|2} -> {total,
                                           comment: [{user_comment_id, openid, create_time, content,
                                           comment_type}]} (developers.weixin.qq.com/doc/offiaccount/
                                           Comments_management/Image_Comments_Management_Interface.html;
                                           45009-style limits not modelled); test control: POST /_mock/comment
                                           {msg_data_id, content, openid?}
  POST /cgi-bin/freepublish/submit         {media_id} -> {errcode 0, publish_id, msg_data_id}; the draft leaves
                                           the draft box; publishing is asynchronous
  POST /cgi-bin/freepublish/get            {publish_id} -> publish_status 1 (publishing) until PUBLISH_POLLS polls
                                           or PUBLISH_SECONDS on the server clock, then the outcome (0 by
                                           default; set the next one with POST /_mock/publish_outcome
                                           {"publish_status": 2..4, "fail_idx": [1]}); 0 carries article_id and
                                           article_detail {count, item: [{idx, article_url}]}. With "seconds": N
                                           the publication takes N s of the server clock, polled or not (WeChat
                                           publishes what was submitted whether anyone asks; a review may take
                                           minutes): polls answer 1 until then, and batchget lists it after
  POST /cgi-bin/freepublish/batchget       {offset, count 1..20, no_content} -> {total_count, item_count, item}
  POST /cgi-bin/freepublish/getarticle     {article_id} -> {news_item}; 53600 for an unknown article_id
  POST /cgi-bin/freepublish/delete         {article_id, index} (0: all) -> errcode 0; batchget then marks
                                           those articles is_deleted
  POST /datacube/getarticletotal           {begin_date, end_date} (span 1 day)  -> {list}
  POST /datacube/getusersummary            (span ≤ 7 days) -> {list: [{ref_date, user_source, new_user, cancel_user}]}
  POST /datacube/getusercumulate           (span ≤ 7 days) -> {list: [{ref_date, cumulate_user}]}
  Data is available up to yesterday (Beijing time): end_date today or later -> 61501; before 08:00 yesterday's
  rows are not there yet (an empty list for that day).
Tokens: ``access_token`` query parameter; missing 41001, unknown or replaced 40001, expired (7200 s on the
server clock) 42001. Test control beyond mockapi's: POST /_mock/publish_outcome, POST /_mock/stats
{"article_id", counters...} (reads for datacube), faults ``{"type": "status", "errcode": 40164}`` for the
IP whitelist, 45009 (daily quota) and -1 (system busy), answered with HTTP 200 as WeChat does unless the
fault gives a ``status`` (a gateway error) — ``ratelimit`` answers 45009.

Documentation used (the subscription-account API pages, read as of their 2025-12-19 revision):
  https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html (both modes,
    force refresh, "5 minutes early"; errors -1, 40002, 40013, 40125, 40164, 41002, 41004, 43002, 45009, 45011)
  https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html (jpg/png,
    < 1 MB; 40005, 40009) and .../material/permanent/api_addmaterial.html (types, sizes; 40007)
  https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html (the article
    fields and their limits; scripts removed, external images filtered)
  https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html (publish_id,
    msg_data_id, errcode 0 only means "submitted"; 48001, 53503, 53504, 53505)
  https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html (publish_status 0..6,
    fail_idx for 2 and 4; errors 40001, 40002 invalid argument, 48001), .../api_freepublish_batchget.html,
    .../api_freepublishgetarticle.html (53600), .../api_freepublishdelete.html
  https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html and
  https://developers.weixin.qq.com/doc/service/en/api/wedata/user/api_getusercumulate (7-day spans for the
    user APIs; query the previous day's data after 08:00)
  https://developers.weixin.qq.com/doc/channels/API/basics/commErrCode.html (-1, 40001, 41001, 42001, 44002,
    47001 texts)
Uncertain (the pages do not say; chosen as noted): the codes for an over-long field (45003 title, 45004
digest, 45002 content, 45005 content_source_url, 45110 author: the general code table's texts) and for a
missing required field (47003 "argument invalid!"); the article-analysis page was not available here: its
1-day span follows the older docs, as do 61500 (date format) / 61501 (range).
Not modelled: the subscription account's one mass message a day applies to 群发 (mass send), not to
freepublish (发布), which these endpoints use.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from mockapi import Abort, Network, Reply, Request, Upload, image_kind, route

APP_ID = "wx5mm0c0ffee0test"
APP_SECRET = "smm-wechat-test-secret"
TOKEN_TTL = 7200
EARLY_REFRESH = 300  # normal mode hands out a new token in the old one's last 5 minutes
PUBLISH_POLLS = 2  # freepublish/get answers "publishing" this many times ...
PUBLISH_SECONDS = 5.0  # ... or until this long after submit (server clock), whichever comes first
BEIJING = timezone(timedelta(hours=8))
DATA_READY_HOUR = 8  # "query the previous day's data after 08:00": before that, yesterday has no rows yet
LIMITS = {"title": (32, 45003), "author": (16, 45110), "digest": (128, 45004), "content_source_url": (1024, 45005)}
CONTENT_CHARS, CONTENT_BYTES = 20_000, 1_000_000
MMBIZ = "http://mmbiz.qpic.cn/"
IMG = re.compile(r"""<img\b[^>]*?\bsrc=(["']?)(?P<src>[^"'\s>]*)\1[^>]*>""", re.I)
STAT_FIELDS = ("int_page_read_user", "int_page_read_count", "ori_page_read_user", "ori_page_read_count",
               "share_user", "share_count", "add_to_fav_user", "add_to_fav_count")

ERRMSG = {
    -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type", 40004: "invalid media type", 40005: "invalid file type",
    40007: "invalid media_id", 40009: "invalid image size", 40013: "invalid appid", 40125: "invalid appsecret",
    40164: "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist", 41001: "access_token missing",
    41002: "appid missing", 41004: "appsecret missing", 41005: "media data missing", 42001: "access_token expired",
    43002: "require POST method", 44002: "empty post data", 44003: "empty news data",
    45002: "content size out of limit", 45003: "title size out of limit", 45004: "description size out of limit",
    45005: "url size out of limit", 45009: "reach max api daily quota limit", 45011: "api minute-quota reach limit",
    45110: "author size out of limit", 47001: "data format error", 47003: "argument invalid!",
    53503: "该草稿未通过发布检查", 53504: "需前往公众平台官网使用草稿", 53505: "请手动保存成功后再发表",
    61500: "date format error", 61501: "date range error", 40066: "invalid url",
}


class WeChat(Network):
    name = "wechat"

    def seed(self) -> None:
        self.current: str | None = None  # the app's current stable token
        self.materials: dict[str, dict[str, Any]] = {}
        self.images: list[str] = []  # URLs handed out by uploadimg
        self.drafts: dict[str, list[dict[str, Any]]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []  # on published articles, by readers (/_mock/comment)
        self.next_outcome: dict[str, Any] | None = None
        self.stats: dict[str, dict[str, int]] = {}
        self.followers = 1000

    def settings(self) -> dict[str, str]:
        return {"APP_ID": APP_ID, "SECRET": APP_SECRET}

    def snapshot(self) -> dict[str, Any]:
        return {"published": self.published, "drafts": self.drafts, "jobs": list(self.jobs.values()),
                "materials": list(self.materials.values()), "images": self.images}

    # ---------------------------------------------------------------- errors
    def fail(self, code: int, detail: str = "", message: str = "") -> Abort:
        message = (message or ERRMSG.get(code, "error")) + (f" {detail}" if detail else "")
        return Abort(Reply(200, {"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"}))

    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        reply = self.fail(int(effect.get("errcode", -1)), effect.get("detail", "")).reply
        reply.status = 200 if "errcode" in effect and "status" not in effect else status  # WeChat's errors are 200s
        return reply

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        return self.fail(45009).reply

    def not_found(self, req: Request) -> Reply:
        return self.fail(43002 if self.path_known(req.path) else 40066).reply

    def authorize(self, req: Request) -> None:
        state, _ = self.token_state(req.query.get("access_token", ""))
        if state != "ok":
            raise self.fail({"missing": 41001, "invalid": 40001, "expired": 42001}[state])

    def body(self, req: Request) -> dict[str, Any]:
        if not req.body.strip():
            raise self.fail(44002)
        try:
            data = req.json()
        except ValueError:
            raise self.fail(47001) from None
        if not isinstance(data, dict):
            raise self.fail(47001)
        return data

    # ---------------------------------------------------------------- token
    @route("POST", "/cgi-bin/stable_token")
    def stable_token(self, req: Request) -> Reply:
        data = self.body(req)
        if data.get("grant_type") != "client_credential":
            raise self.fail(40002)
        if not data.get("appid"):
            raise self.fail(41002)
        if data["appid"] != APP_ID:
            raise self.fail(40013)
        if not data.get("secret"):
            raise self.fail(41004)
        if data["secret"] != APP_SECRET:
            raise self.fail(40125)
        state, tok = self.token_state(self.current or "")
        fresh = state == "ok" and tok is not None and tok.expires_at - self.now() > EARLY_REFRESH
        if data.get("force_refresh") is True or not fresh:
            if data.get("force_refresh") is True and self.current:
                self.tokens.pop(self.current, None)  # the previous token stops working
            tok = self.add_token(user=APP_ID, expires_in=TOKEN_TTL)
            self.current = tok.token
        return Reply(200, {"access_token": tok.token, "expires_in": int(tok.expires_at - self.now())})

    def default_user(self) -> str:
        return APP_ID

    # ---------------------------------------------------------------- media
    def image_file(self, req: Request, kinds: tuple[str, ...], max_bytes: int) -> Upload:
        try:
            fields = req.form()
        except ValueError:
            raise self.fail(41005) from None
        media = fields.get("media")
        if not isinstance(media, Upload) or not media.data:
            raise self.fail(41005)
        if image_kind(media.data) not in kinds:
            raise self.fail(40005)
        if len(media.data) > max_bytes:
            raise self.fail(40009)
        return media

    @route("POST", "/cgi-bin/media/uploadimg")
    def uploadimg(self, req: Request) -> Reply:
        self.authorize(req)
        media = self.image_file(req, ("jpeg", "png"), 1024 * 1024 - 1)
        kind = "png" if image_kind(media.data) == "png" else "jpg"
        url = f"{MMBIZ}mmbiz_{kind}/{secrets.token_urlsafe(16)}/0"
        self.images.append(url)
        return Reply(200, {"url": url, "errcode": 0, "errmsg": "ok"})

    @route("POST", "/cgi-bin/material/add_material")
    def add_material(self, req: Request) -> Reply:
        self.authorize(req)
        kind = req.query.get("type", "")
        if kind == "image":
            media = self.image_file(req, ("jpeg", "png", "gif", "bmp"), 10 * 1024 * 1024)
        elif kind == "thumb":
            media = self.image_file(req, ("jpeg",), 64 * 1024)
        else:
            raise self.fail(40004)
        media_id = secrets.token_urlsafe(32)
        url = f"{MMBIZ}mmbiz_jpg/{secrets.token_urlsafe(16)}/0?wx_fmt=jpeg"
        self.materials[media_id] = {"media_id": media_id, "type": kind, "url": url, "name": media.filename,
                                    "size": len(media.data)}
        return Reply(200, {"media_id": media_id, "url": url})

    # ---------------------------------------------------------------- drafts and publishing
    def article(self, index: int, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(47001)
        kind = raw.get("article_type", "news")
        for key in ("title", "content") + (("thumb_media_id",) if kind == "news" else ()):
            if not str(raw.get(key) or "").strip():
                raise self.fail(47003, f"articles[{index}].{key} is empty")
        for key, (limit, code) in LIMITS.items():
            if len(str(raw.get(key) or "")) > limit:
                raise self.fail(code, f"articles[{index}].{key} longer than {limit}")
        content = str(raw["content"])
        if len(content) >= CONTENT_CHARS or len(content.encode()) >= CONTENT_BYTES:
            raise self.fail(45002)
        if kind == "news" and raw["thumb_media_id"] not in self.materials:
            raise self.fail(40007, f"articles[{index}].thumb_media_id")
        for flag in ("need_open_comment", "only_fans_can_comment", "show_cover_pic"):
            if raw.get(flag, 0) not in (0, 1):
                raise self.fail(47003, f"articles[{index}].{flag} must be 0 or 1")
        article = {key: raw.get(key, "") for key in ("title", "author", "digest", "content_source_url",
                                                    "thumb_media_id")}
        kept = self.clean(content)
        article.update(article_type=kind, content=kept,
                       digest=raw.get("digest") or re.sub(r"<[^>]+>", "", kept)[:54],
                       need_open_comment=raw.get("need_open_comment", 0),
                       only_fans_can_comment=raw.get("only_fans_can_comment", 0))
        return article

    def clean(self, html: str) -> str:
        """What WeChat keeps of a body: scripts removed, images not from uploadimg filtered out."""
        html = re.sub(r"<script\b.*?</script\s*>", "", html, flags=re.S | re.I)
        return IMG.sub(lambda m: m.group() if m.group("src").startswith(MMBIZ) else "", html)

    @route("POST", "/cgi-bin/draft/add")
    def draft_add(self, req: Request) -> Reply:
        self.authorize(req)
        articles = self.body(req).get("articles")
        if not isinstance(articles, list) or not articles:
            raise self.fail(44003)
        if len(articles) > 8:
            raise self.fail(47003, "at most 8 articles")
        media_id = secrets.token_urlsafe(32)
        self.drafts[media_id] = [self.article(i, a) for i, a in enumerate(articles)]
        return Reply(200, {"media_id": media_id})

    @route("POST", "/cgi-bin/freepublish/submit")
    def submit(self, req: Request) -> Reply:
        self.authorize(req)
        media_id = self.body(req).get("media_id")
        if media_id not in self.drafts:
            raise self.fail(40007)
        publish_id, msg_data_id = self.new_id(10), self.new_id(10)
        outcome = self.next_outcome or {"publish_status": 0, "fail_idx": []}
        self.next_outcome = None
        self.jobs[publish_id] = {"publish_id": publish_id, "msg_data_id": msg_data_id, "submitted": self.now(),
                                 "polls": 0, "articles": self.drafts.pop(media_id), "outcome": outcome,
                                 "status": 1}
        return Reply(200, {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": msg_data_id})

    @route("POST", "/cgi-bin/freepublish/get")
    def get_status(self, req: Request) -> Reply:
        self.authorize(req)
        job = self.jobs.get(str(self.body(req).get("publish_id", "")))
        if job is None:
            raise self.fail(40002, "publish_id", message="invalid argument")
        job["polls"] += 1
        if job["status"] == 1 and "seconds" not in job["outcome"] and (
                job["polls"] > PUBLISH_POLLS or self.now() - job["submitted"] >= PUBLISH_SECONDS):
            self.finish(job)
        self.finish_due()
        answer = {"publish_id": job["publish_id"], "publish_status": job["status"], "fail_idx": job.get("fail_idx", [])}
        if job["status"] == 0:
            answer["article_id"] = job["article_id"]
            answer["article_detail"] = {"count": len(job["urls"]),
                                        "item": [{"idx": i + 1, "article_url": u} for i, u in enumerate(job["urls"])]}
        return Reply(200, answer)

    def finish_due(self) -> None:
        """Publications given a time of their own (`seconds` on the server clock) finish then, asked or not."""
        for job in self.jobs.values():
            seconds = job["outcome"].get("seconds")
            if job["status"] == 1 and seconds is not None and self.now() - job["submitted"] >= seconds:
                self.finish(job)

    def finish(self, job: dict[str, Any]) -> None:
        job["status"] = int(job["outcome"].get("publish_status", 0))
        job["fail_idx"] = list(job["outcome"].get("fail_idx", [])) if job["status"] in (2, 4) else []
        if job["status"] != 0:
            return
        job["article_id"] = secrets.token_urlsafe(30)
        job["urls"] = [f"https://mp.weixin.qq.com/s/{secrets.token_urlsafe(16)}" for _ in job["articles"]]
        day = datetime.fromtimestamp(self.now(), BEIJING).date().isoformat()
        for article in job["articles"]:
            article["thumb_url"] = self.materials.get(article["thumb_media_id"], {}).get("url", "")
        self.published.append({"article_id": job["article_id"], "publish_id": job["publish_id"],
                               "msg_data_id": job["msg_data_id"], "update_time": int(self.now()), "date": day,
                               "articles": [dict(a, url=u) for a, u in zip(job["articles"], job["urls"])]})

    @route("POST", "/cgi-bin/comment/list")
    def comment_list(self, req: Request) -> Reply:
        self.authorize(req)
        data = self.body(req)
        count, begin = data.get("count"), data.get("begin")
        if not isinstance(count, int) or not 1 <= count <= 50 or not isinstance(begin, int) or begin < 0:
            raise self.fail(47003, "begin >= 0 and count 1..50 are required")
        if not any(str(p["msg_data_id"]) == str(data.get("msg_data_id")) for p in self.published):
            raise self.fail(88000, message="without comment privilege")
        mine = [c for c in self.comments if str(c["msg_data_id"]) == str(data.get("msg_data_id"))]
        shown = [{k: v for k, v in c.items() if k != "msg_data_id"} for c in mine[begin:begin + count]]
        return Reply(200, {"errcode": 0, "errmsg": "ok", "total": len(mine), "comment": shown})

    @route("POST", "/cgi-bin/freepublish/batchget")
    def batchget(self, req: Request) -> Reply:
        self.authorize(req)
        self.finish_due()
        data = self.body(req)
        offset, count = data.get("offset"), data.get("count")
        if not isinstance(offset, int) or offset < 0 or not isinstance(count, int) or not 1 <= count <= 20:
            raise self.fail(47003, "offset >= 0 and count 1..20 are required")
        newest_first = list(reversed(self.published))[offset:offset + count]
        items = [{"article_id": p["article_id"], "update_time": p["update_time"],
                  "content": {"news_item": [self.news_item(a, bool(data.get("no_content"))) for a in p["articles"]]}}
                 for p in newest_first]
        return Reply(200, {"total_count": len(self.published), "item_count": len(items), "item": items})

    @staticmethod
    def news_item(article: dict[str, Any], no_content: bool) -> dict[str, Any]:
        item = {k: v for k, v in article.items() if k != "article_type"}
        item.setdefault("is_deleted", False)
        if no_content:
            item.pop("content")
        return item

    def published_article(self, req: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        data = self.body(req)
        post = next((p for p in self.published if p["article_id"] == data.get("article_id")), None)
        if post is None:
            raise self.fail(53600, message="Article ID 无效")
        return post, data

    @route("POST", "/cgi-bin/freepublish/getarticle")
    def getarticle(self, req: Request) -> Reply:
        self.authorize(req)
        post, _ = self.published_article(req)
        return Reply(200, {"news_item": [self.news_item(a, False) for a in post["articles"]]})

    @route("POST", "/cgi-bin/freepublish/delete")
    def delete(self, req: Request) -> Reply:
        self.authorize(req)
        post, data = self.published_article(req)
        index = data.get("index") or 0
        if not isinstance(index, int) or not 0 <= index <= len(post["articles"]):
            raise self.fail(47003, "index")
        for n, article in enumerate(post["articles"], 1):
            if index in (0, n):
                article["is_deleted"] = True
        return Reply(200, {"errcode": 0, "errmsg": "ok"})

    # ---------------------------------------------------------------- datacube
    def date_range(self, req: Request, max_days: int) -> list[str]:
        data = self.body(req)
        try:
            begin = datetime.strptime(str(data.get("begin_date")), "%Y-%m-%d").date()
            end = datetime.strptime(str(data.get("end_date")), "%Y-%m-%d").date()
        except ValueError:
            raise self.fail(61500) from None
        now = datetime.fromtimestamp(self.now(), BEIJING)
        yesterday = now.date() - timedelta(days=1)
        if end < begin or (end - begin).days + 1 > max_days or end > yesterday:
            raise self.fail(61501, f"span ≤ {max_days} days, up to {yesterday}")
        ready = yesterday if now.hour >= DATA_READY_HOUR else yesterday - timedelta(days=1)
        return [(begin + timedelta(days=n)).isoformat() for n in range((end - begin).days + 1)
                if begin + timedelta(days=n) <= ready]

    @route("POST", "/datacube/getarticletotal")
    def article_total(self, req: Request) -> Reply:
        self.authorize(req)
        days = self.date_range(req, 1)
        rows = []
        for post in (p for p in self.published if p["date"] in days):
            for idx, article in enumerate(post["articles"], 1):
                counts = self.stats.get(post["article_id"], {})
                day = post["date"]
                detail = {"stat_date": day, "target_user": self.followers, **{f: counts.get(f, 0) for f in STAT_FIELDS}}
                rows.append({"ref_date": day, "msgid": f"{post['msg_data_id']}_{idx}", "title": article["title"],
                             "details": [detail]})
        return Reply(200, {"list": rows})

    @route("POST", "/datacube/getusersummary")
    def user_summary(self, req: Request) -> Reply:
        self.authorize(req)
        days = self.date_range(req, 7)
        return Reply(200, {"list": [{"ref_date": d, "user_source": 0, "new_user": 0, "cancel_user": 0} for d in days]})

    @route("POST", "/datacube/getusercumulate")
    def user_cumulate(self, req: Request) -> Reply:
        self.authorize(req)
        days = self.date_range(req, 7)
        return Reply(200, {"list": [{"ref_date": d, "cumulate_user": self.followers} for d in days]})

    # ---------------------------------------------------------------- test control
    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        if method == "POST" and what == "comment":
            comment = {"msg_data_id": str(body.get("msg_data_id")), "user_comment_id": len(self.comments) + 1,
                       "openid": str(body.get("openid", "oFan0000000000000000000000")), "create_time": int(self.now()),
                       "content": str(body.get("content", "")), "comment_type": 0}
            self.comments.append(comment)
            return Reply(200, comment)
        if method == "POST" and what == "publish_outcome":
            self.next_outcome = {"publish_status": int(body.get("publish_status", 0)),
                                 "fail_idx": body.get("fail_idx", [1]),
                                 **({"seconds": float(body["seconds"])} if "seconds" in body else {})}
            return Reply(200, self.next_outcome)
        if method == "POST" and what == "stats":
            if "followers" in body:
                self.followers = int(body["followers"])
            if body.get("article_id"):
                self.stats.setdefault(body["article_id"], {}).update(
                    {k: int(v) for k, v in body.items() if k in STAT_FIELDS})
            return Reply(200, {"followers": self.followers, "stats": self.stats})
        return None
