"""The local API doubles (tests/peers/*_api.py, started by tests/peers/apis.sh) behave as their networks
document: validation errors with the network's own codes and bodies, token expiry on the server's clock,
asynchronous states, rate limits with the network's headers, and the shared fault injection.

Needs the servers running (`bash tests/peers/apis.sh start`; `.ci/run` starts them): skipped locally
when they are not, failed in CI (CI=true).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from peers import ApiDouble, require

pytestmark = pytest.mark.peer

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\r\n--not-a-boundary\r\n" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


class Answer:
    def __init__(self, status: int, headers: dict[str, str], raw: bytes):
        self.status, self.headers, self.raw = status, headers, raw

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


def call(base: str, method: str, path: str, *, body: Any = None, form: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None, timeout: float = 10) -> Answer:
    """One HTTP request. ``body``: JSON; ``form``: multipart when a value is (filename, bytes, type),
    urlencoded otherwise. Raises OSError when the server closes the connection without answering."""
    hdrs = dict(headers or {})
    data = b""
    if body is not None:
        data, hdrs["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif form is not None and any(isinstance(v, tuple) for v in form.values()):
        boundary = secrets.token_hex(12)
        for name, value in form.items():
            if isinstance(value, tuple):
                filename, content, ctype = value
                data += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n").encode() + content + b"\r\n"
            else:
                data += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        data += f"--{boundary}--\r\n".encode()
        hdrs["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif form is not None:
        data, hdrs["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    split = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout)
    try:
        conn.request(method, path, body=data or None, headers=hdrs)
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def fresh(name: str) -> ApiDouble:
    peer = require(name)
    peer.reset()
    return peer


# ============================================================================ WeChat


@pytest.fixture
def wechat():
    peer = fresh("wechat")
    token = call(peer.url, "POST", "/cgi-bin/stable_token", body={
        "grant_type": "client_credential", "appid": peer["APP_ID"], "secret": peer["SECRET"]}).json["access_token"]
    return peer, token


def wx(peer: ApiDouble, token: str, path: str, **kw: Any) -> Any:
    sep = "&" if "?" in path else "?"
    return call(peer.url, "POST", f"{path}{sep}access_token={token}", **kw).json


def cover(peer: ApiDouble, token: str) -> str:
    return wx(peer, token, "/cgi-bin/material/add_material?type=image",
              form={"media": ("cover.jpg", JPEG, "image/jpeg")})["media_id"]


@pytest.mark.parametrize("change, errcode", [
    ({"grant_type": "password"}, 40002),
    ({"appid": "wx-someone-else"}, 40013),
    ({"appid": ""}, 41002),
    ({"secret": "wrong"}, 40125),
    ({"secret": ""}, 41004),
])
def test_wechat_stable_token_rejects_bad_credentials_with_their_codes(change, errcode):
    peer = fresh("wechat")
    body = {"grant_type": "client_credential", "appid": peer["APP_ID"], "secret": peer["SECRET"], **change}
    answer = call(peer.url, "POST", "/cgi-bin/stable_token", body=body)
    assert answer.status == 200  # WeChat answers errors with HTTP 200
    assert answer.json["errcode"] == errcode and "rid:" in answer.json["errmsg"]


def test_wechat_token_is_stable_until_forced_or_expired(wechat):
    peer, token = wechat
    creds = {"grant_type": "client_credential", "appid": peer["APP_ID"], "secret": peer["SECRET"]}
    again = call(peer.url, "POST", "/cgi-bin/stable_token", body=creds).json
    assert again["access_token"] == token and 7000 < again["expires_in"] <= 7200
    forced = call(peer.url, "POST", "/cgi-bin/stable_token", body={**creds, "force_refresh": True}).json
    assert forced["access_token"] != token
    assert wx(peer, token, "/cgi-bin/freepublish/batchget", body={"offset": 0, "count": 1})["errcode"] == 40001
    assert wx(peer, forced["access_token"], "/cgi-bin/freepublish/batchget", body={"offset": 0, "count": 1})[
        "total_count"] == 0
    peer.advance_clock(7200)
    assert wx(peer, forced["access_token"], "/cgi-bin/freepublish/batchget",
              body={"offset": 0, "count": 1})["errcode"] == 42001
    assert call(peer.url, "POST", "/cgi-bin/freepublish/batchget", body={}).json["errcode"] == 41001


@pytest.mark.parametrize("media, errcode", [
    (("a.gif", GIF, "image/gif"), 40005),  # uploadimg takes jpg/png only
    (("a.jpg", JPEG + b"\x00" * (1024 * 1024), "image/jpeg"), 40009),  # < 1 MB
    (None, 41005),
])
def test_wechat_uploadimg_rejects_what_the_docs_exclude(wechat, media, errcode):
    peer, token = wechat
    form = {"media": media} if media else {"other": "x"}
    assert wx(peer, token, "/cgi-bin/media/uploadimg", form=form)["errcode"] == errcode


def test_wechat_uploadimg_returns_an_mmbiz_url_kept_in_bodies(wechat):
    peer, token = wechat
    url = wx(peer, token, "/cgi-bin/media/uploadimg", form={"media": ("b.png", PNG, "image/png")})["url"]
    assert url.startswith("http://mmbiz.qpic.cn/mmbiz_png/")
    html = f'<p>a</p><img src="{url}"><img src="https://elsewhere.example/x.png"><script>alert(1)</script>'
    media_id = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [
        {"title": "T", "content": html, "thumb_media_id": cover(peer, token)}]})["media_id"]
    kept = peer.state()["drafts"][media_id][0]["content"]
    assert url in kept and "elsewhere.example" not in kept and "<script" not in kept


@pytest.mark.parametrize("change, errcode", [
    ({"title": "标" * 33}, 45003),
    ({"author": "a" * 17}, 45110),
    ({"digest": "d" * 129}, 45004),
    ({"content": "x" * 20_000}, 45002),
    ({"content_source_url": "https://example.com/" + "a" * 1010}, 45005),
    ({"title": ""}, 47003),
    ({"content": "  "}, 47003),
    ({"thumb_media_id": ""}, 47003),
    ({"thumb_media_id": "not-a-material"}, 40007),
    ({"need_open_comment": 2}, 47003),
])
def test_wechat_draft_add_validates_each_article_field(wechat, change, errcode):
    peer, token = wechat
    article = {"title": "标" * 32, "author": "a" * 16, "digest": "d" * 128, "content": "<p>正文</p>",
               "thumb_media_id": cover(peer, token), **change}
    answer = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [article]})
    assert answer.get("errcode") == errcode, answer


@pytest.mark.parametrize("body, errcode", [({"articles": []}, 44003), ({}, 44003), ("[1]", 47001)])
def test_wechat_draft_add_rejects_empty_or_malformed_bodies(wechat, body, errcode):
    peer, token = wechat
    raw = call(peer.url, "POST", f"/cgi-bin/draft/add?access_token={token}", body=body).json
    assert raw["errcode"] == errcode


def test_wechat_publish_is_asynchronous_and_recorded_once(wechat):
    peer, token = wechat
    media_id = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [
        {"title": "T", "content": "<p>x</p>", "thumb_media_id": cover(peer, token)}]})["media_id"]
    submitted = wx(peer, token, "/cgi-bin/freepublish/submit", body={"media_id": media_id})
    assert submitted["errcode"] == 0 and submitted["publish_id"] and submitted["msg_data_id"]
    assert wx(peer, token, "/cgi-bin/freepublish/submit", body={"media_id": media_id})["errcode"] == 40007
    statuses = [wx(peer, token, "/cgi-bin/freepublish/get", body={"publish_id": submitted["publish_id"]})
                for _ in range(4)]
    assert [s["publish_status"] for s in statuses] == [1, 1, 0, 0]
    done = statuses[-1]
    assert done["article_detail"]["count"] == 1
    url = done["article_detail"]["item"][0]["article_url"]
    listed = wx(peer, token, "/cgi-bin/freepublish/batchget", body={"offset": 0, "count": 20, "no_content": 1})
    assert listed["total_count"] == 1 and listed["item"][0]["article_id"] == done["article_id"]
    assert listed["item"][0]["content"]["news_item"][0]["url"] == url
    assert "content" not in listed["item"][0]["content"]["news_item"][0]
    assert len(peer.state()["published"]) == 1


def test_wechat_published_articles_can_be_read_and_deleted(wechat):
    peer, token = wechat
    thumb = cover(peer, token)
    media_id = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [
        {"title": "一", "content": "<p>1</p>", "thumb_media_id": thumb},
        {"title": "二", "content": "<p>2</p>", "thumb_media_id": thumb}]})["media_id"]
    publish_id = wx(peer, token, "/cgi-bin/freepublish/submit", body={"media_id": media_id})["publish_id"]
    assert wx(peer, token, "/cgi-bin/freepublish/get", body={"publish_id": "404"})["errcode"] == 40002
    article_id = [wx(peer, token, "/cgi-bin/freepublish/get", body={"publish_id": publish_id})
                  for _ in range(3)][-1]["article_id"]
    items = wx(peer, token, "/cgi-bin/freepublish/getarticle", body={"article_id": article_id})["news_item"]
    assert [i["title"] for i in items] == ["一", "二"] and items[0]["thumb_url"].startswith("http://mmbiz.qpic.cn/")
    assert wx(peer, token, "/cgi-bin/freepublish/getarticle", body={"article_id": "nope"})["errcode"] == 53600
    assert wx(peer, token, "/cgi-bin/freepublish/delete", body={"article_id": article_id, "index": 2})["errcode"] == 0
    listed = wx(peer, token, "/cgi-bin/freepublish/batchget", body={"offset": 0, "count": 1})["item"][0]
    assert [i["is_deleted"] for i in listed["content"]["news_item"]] == [False, True]


@pytest.mark.parametrize("outcome, fail_idx", [(2, [1]), (3, []), (4, [1]), (6, [])])
def test_wechat_publish_failures_end_in_their_documented_status(wechat, outcome, fail_idx):
    peer, token = wechat
    peer.control("POST", "publish_outcome", {"publish_status": outcome, "fail_idx": [1]})
    media_id = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [
        {"title": "T", "content": "<p>x</p>", "thumb_media_id": cover(peer, token)}]})["media_id"]
    publish_id = wx(peer, token, "/cgi-bin/freepublish/submit", body={"media_id": media_id})["publish_id"]
    peer.advance_clock(60)  # past the publishing delay: the next poll sees the outcome
    final = wx(peer, token, "/cgi-bin/freepublish/get", body={"publish_id": publish_id})
    assert final["publish_status"] == outcome and final["fail_idx"] == fail_idx and "article_id" not in final
    assert peer.state()["published"] == []


@pytest.mark.parametrize("errcode", [40164, 45009, -1])
def test_wechat_injected_errors_are_http_200_with_the_errcode(wechat, errcode):
    peer, token = wechat
    peer.add_fault({"path": "/cgi-bin/draft/add"}, {"type": "status", "errcode": errcode}, count=1)
    answer = call(peer.url, "POST", f"/cgi-bin/draft/add?access_token={token}", body={"articles": []})
    assert answer.status == 200 and answer.json["errcode"] == errcode and "rid:" in answer.json["errmsg"]


BEIJING = timezone(timedelta(hours=8))


def beijing_clock(peer: ApiDouble, hour: int) -> datetime:
    """Set the server's clock to today ``hour``:00 Beijing time; returns that instant."""
    instant = datetime.now(BEIJING).replace(hour=hour, minute=0, second=0, microsecond=0)
    peer.control("POST", "clock", {"set": instant.timestamp()})
    return instant


def day(instant: datetime, offset: int) -> str:
    return (instant.date() + timedelta(days=offset)).isoformat()


def fresh_token(peer: ApiDouble) -> str:
    return call(peer.url, "POST", "/cgi-bin/stable_token", body={
        "grant_type": "client_credential", "appid": peer["APP_ID"], "secret": peer["SECRET"]}).json["access_token"]


@pytest.mark.parametrize("endpoint, begin, end, errcode", [
    ("getusercumulate", -1, -1, None),
    ("getusercumulate", 0, 0, 61501),  # today: not available (one-day lag)
    ("getusercumulate", -7, -1, None),
    ("getusersummary", -8, -1, 61501),  # more than 7 days
    ("getarticletotal", -1, -1, None),
    ("getarticletotal", -2, -1, 61501),  # one day at a time
    ("getusersummary", -1, -2, 61501),  # end before begin
])
def test_wechat_datacube_lags_a_day_and_bounds_the_span(wechat, endpoint, begin, end, errcode):
    peer, _ = wechat
    now = beijing_clock(peer, 10)
    answer = wx(peer, fresh_token(peer), f"/datacube/{endpoint}", body={"begin_date": day(now, begin),
                                                                         "end_date": day(now, end)})
    assert answer.get("errcode") == errcode, answer
    if errcode is None and endpoint != "getarticletotal":
        assert [row["ref_date"] for row in answer["list"]] == [day(now, d) for d in range(begin, end + 1)]


@pytest.mark.parametrize("hour, rows", [(7, 0), (9, 1)])
def test_wechat_datacube_has_yesterday_only_after_8_beijing_time(wechat, hour, rows):
    peer, _ = wechat
    now = beijing_clock(peer, hour)
    answer = wx(peer, fresh_token(peer), "/datacube/getusercumulate",
                body={"begin_date": day(now, -1), "end_date": day(now, -1)})
    assert len(answer["list"]) == rows


def test_wechat_datacube_reports_yesterdays_article_reads(wechat):
    peer, _ = wechat
    now = beijing_clock(peer, 10)
    peer.advance_clock(-86400)
    token = fresh_token(peer)
    media_id = wx(peer, token, "/cgi-bin/draft/add", body={"articles": [
        {"title": "昨天", "content": "<p>x</p>", "thumb_media_id": cover(peer, token)}]})["media_id"]
    publish_id = wx(peer, token, "/cgi-bin/freepublish/submit", body={"media_id": media_id})["publish_id"]
    article_id = [wx(peer, token, "/cgi-bin/freepublish/get", body={"publish_id": publish_id}) for _ in range(3)][-1][
        "article_id"]
    peer.advance_clock(86400)
    peer.control("POST", "stats", {"article_id": article_id, "int_page_read_user": 7, "share_count": 2})
    rows = wx(peer, fresh_token(peer), "/datacube/getarticletotal",
              body={"begin_date": day(now, -1), "end_date": day(now, -1)})
    assert [r["title"] for r in rows["list"]] == ["昨天"]
    assert rows["list"][0]["details"][0]["int_page_read_user"] == 7
    assert rows["list"][0]["details"][0]["share_count"] == 2


# ============================================================================ Weibo


def weibo_share(peer: ApiDouble, status: str, token: str | None = None, **extra: Any) -> Answer:
    form = {"access_token": token or peer["TOKEN"], "status": status, "rip": "203.0.113.7", **extra}
    return call(peer.url, "POST", "/2/statuses/share.json", form=form)


@pytest.mark.parametrize("text, extra, status, code", [
    ("新品上市 https://{safe}/p/1", {}, 200, None),
    ("新品上市 https://news.{safe}/p/1", {}, 200, None),  # a subdomain of the safe domain
    ("新品上市，没有链接", {}, 400, 10017),
    ("新品上市 https://elsewhere.example/p/1", {}, 400, 10017),
    ("#话题# 新品 https://{safe}/p/1", {}, 400, 10017),
    ("字" * 125 + " https://{safe}/p/1", {}, 200, None),  # 125 + 30 half-width / 2 = 140 汉字
    ("字" * 126 + " https://{safe}/p/1", {}, 400, 20012),  # 141
    ("https://{safe}/p/1", {"pic": ("a.gif", GIF, "image/gif")}, 200, None),
    ("https://{safe}/p/1", {"pic": ("a.txt", b"hello", "text/plain")}, 400, 20005),
    ("https://{safe}/p/1", {"pic": ("a.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg")}, 400, 20006),
    ("https://{safe}/p/1", {"rip": ""}, 400, 10016),
    ("", {}, 400, 10016),
])
def test_weibo_share_enforces_the_documented_rules(text, extra, status, code):
    peer = fresh("weibo")
    answer = weibo_share(peer, text.replace("{safe}", peer["SAFE_DOMAIN"]), **extra)
    assert answer.status == status, answer.json
    if code:
        assert answer.json["error_code"] == code and answer.json["request"] == "/2/statuses/share.json"
        assert answer.json["error"]
        assert peer.state()["published"] == []
    else:
        assert answer.json["idstr"] and answer.json["user"]["idstr"] == peer["UID"]
        assert ("original_pic" in answer.json) == ("pic" in extra)


@pytest.mark.parametrize("path", ["/2/statuses/update.json", "/2/statuses/upload.json"])
def test_weibo_closed_endpoints_refuse_third_party_apps(path):
    peer = fresh("weibo")
    answer = call(peer.url, "POST", path, form={"access_token": peer["TOKEN"], "status": "hi"})
    assert answer.status == 403 and answer.json["error_code"] == 10014 and answer.json["request"] == path


def test_weibo_text_without_the_safe_domain_says_so():
    peer = fresh("weibo")
    answer = weibo_share(peer, "https://elsewhere.example/")
    assert answer.json == {"error": "text not find domain!", "error_code": 10017, "request": "/2/statuses/share.json"}


def test_weibo_hourly_budgets_30_posts_and_150_calls():
    peer = fresh("weibo")
    for n in range(30):
        assert weibo_share(peer, f"第{n}条 https://{peer['SAFE_DOMAIN']}/{n}").status == 200
    over = weibo_share(peer, f"第31条 https://{peer['SAFE_DOMAIN']}/31")
    assert over.status == 403 and over.json["error_code"] == 10024
    status = call(peer.url, "GET", f"/2/account/rate_limit_status.json?access_token={peer['TOKEN']}").json
    assert status["api_rate_limits"][0]["remaining_hits"] == 0 and status["remaining_user_hits"] == 150 - 31
    assert 0 < status["reset_time_in_seconds"] <= 3600
    assert len(peer.state()["published"]) == 30
    peer.advance_clock(3601)
    assert weibo_share(peer, f"下一小时 https://{peer['SAFE_DOMAIN']}/h").status == 200
    peer.control("POST", "rate_limits", {"all": 1})
    show = f"/2/users/show.json?uid={peer['UID']}&access_token={peer['TOKEN']}"
    assert call(peer.url, "GET", show).status == 200
    limited = call(peer.url, "GET", show)
    assert limited.status == 403 and limited.json["error_code"] == 10023


def test_weibo_rejects_a_repeat_of_the_previous_post():
    peer = fresh("weibo")
    text = f"同一条 https://{peer['SAFE_DOMAIN']}/a"
    assert weibo_share(peer, text).status == 200
    repeat = weibo_share(peer, text)
    assert repeat.status == 400 and repeat.json["error_code"] == 20019
    assert weibo_share(peer, text + "?2").status == 200
    assert len(peer.state()["published"]) == 2


@pytest.mark.parametrize("setup, code, status", [
    ("expired", 21327, 401),
    ("unknown", 21332, 401),
    ("missing", 10006, 400),
])
def test_weibo_token_errors(setup, code, status):
    peer = fresh("weibo")
    token = peer["TOKEN"]
    if setup == "expired":
        token = peer.control("POST", "tokens", {"expires_in": 60})["token"]
        peer.advance_clock(61)
    answer = call(peer.url, "GET", "/2/users/show.json?" + urllib.parse.urlencode(
        {"uid": peer["UID"], **({"access_token": token} if setup != "missing" else {}),
         **({"access_token": "nope"} if setup == "unknown" else {})}))
    assert answer.status == status and answer.json["error_code"] == code


def test_weibo_counts_users_and_token_info():
    peer = fresh("weibo")
    posted = weibo_share(peer, f"数一数 https://{peer['SAFE_DOMAIN']}/c").json
    peer.control("POST", "engage", {"id": posted["idstr"], "comments": 3, "reposts": 1, "attitudes": 9,
                                    "followers": 4321})
    auth = {"Authorization": f"OAuth2 {peer['TOKEN']}"}
    counts = call(peer.url, "GET", f"/2/statuses/count.json?ids={posted['idstr']},123", headers=auth).json
    assert counts == [{"id": posted["id"], "comments": 3, "reposts": 1, "attitudes": 9}]
    user = call(peer.url, "GET", f"/2/users/show.json?uid={peer['UID']}", headers=auth).json
    assert user["followers_count"] == 4321
    info = call(peer.url, "POST", "/oauth2/get_token_info", form={"access_token": peer["TOKEN"]}).json
    assert info["uid"] == int(peer["UID"]) and info["expire_in"] > 0


# ============================================================================ X


def x_post(peer: ApiDouble, body: Any, token: str | None = None) -> Answer:
    return call(peer.url, "POST", "/2/tweets", body=body,
                headers={"Authorization": f"Bearer {token or peer['TOKEN']}"})


@pytest.mark.parametrize("body, status, detail", [
    ({"text": "a" * 280}, 201, None),
    ({"text": "a" * 281}, 403, "Your Tweet text is too long"),
    ({"text": "字" * 140}, 201, None),  # CJK weighs 2
    ({"text": "字" * 141}, 403, "Your Tweet text is too long"),
    ({"text": "a" * 256 + " https://example.com/" + "x" * 100}, 201, None),  # a URL weighs 23
    ({"text": ""}, 400, "One or more parameters"),
    ({"text": "hi", "reply": {"in_reply_to_tweet_id": "1"}}, 403, "You attempted to reply"),
    ({"text": "hi", "media": {"media_ids": ["999"]}}, 400, "One or more parameters"),
    ("[]", 400, "One or more parameters"),
])
def test_x_create_post_validates_like_the_api(body, status, detail):
    peer = fresh("x")
    answer = x_post(peer, body)
    assert answer.status == status, answer.json
    if detail:
        assert detail in answer.json["detail"] and answer.json["status"] == status and answer.json["title"]
    else:
        assert answer.json["data"]["edit_history_tweet_ids"] == [answer.json["data"]["id"]]


def test_x_refuses_duplicate_content():
    peer = fresh("x")
    assert x_post(peer, {"text": "once"}).status == 201
    again = x_post(peer, {"text": "once"})
    assert again.status == 403
    assert again.json["detail"] == "You are not allowed to create a Tweet with duplicate content."
    assert len(peer.state()["published"]) == 1


@pytest.mark.parametrize("case, status, title", [
    ("none", 401, "Unauthorized"),
    ("unknown", 401, "Unauthorized"),
    ("expired", 401, "Unauthorized"),
    ("app-only", 403, "Unsupported Authentication"),
    ("no tweet.write", 403, "Forbidden"),
])
def test_x_auth_errors_are_problem_json(case, status, title):
    peer = fresh("x")
    headers = {"Authorization": f"Bearer {peer['TOKEN']}"}
    if case == "none":
        headers = {}
    elif case == "unknown":
        headers = {"Authorization": "Bearer nope"}
    elif case == "expired":
        peer.advance_clock(7201)
    elif case == "app-only":
        headers = {"Authorization": f"Bearer {peer['APP_TOKEN']}"}
    else:
        token = peer.control("POST", "tokens", {"scopes": ["tweet.read", "users.read"]})["token"]
        headers = {"Authorization": f"Bearer {token}"}
    answer = call(peer.url, "POST", "/2/tweets", body={"text": "x"}, headers=headers)
    assert answer.status == status and answer.json["title"] == title and answer.json["type"]


def test_x_rate_limit_headers_count_down_then_429():
    peer = fresh("x")
    peer.control("POST", "rate_limits", {"POST /2/tweets": [2, 900]})
    first, second, third = (x_post(peer, {"text": f"n{i}"}) for i in range(3))
    assert first.headers["x-rate-limit-limit"] == "2"
    assert [first.headers["x-rate-limit-remaining"], second.headers["x-rate-limit-remaining"]] == ["1", "0"]
    assert third.status == 429 and third.json == {"title": "Too Many Requests", "type": "about:blank",
                                                  "status": 429, "detail": "Too Many Requests"}
    assert int(third.headers["x-rate-limit-reset"]) > time.time()
    assert len(peer.state()["published"]) == 2


def test_x_app_24_hour_limit_has_its_own_headers():
    peer = fresh("x")
    peer.control("POST", "rate_limits", {"app_24h": {"POST /2/tweets": 1}})
    first = x_post(peer, {"text": "today"})
    assert first.status == 201 and first.headers["x-app-limit-24hour-limit"] == "1"
    assert first.headers["x-app-limit-24hour-remaining"] == "0"
    other = peer.control("POST", "tokens", {"scopes": ["tweet.read", "tweet.write", "users.read"]})["token"]
    second = x_post(peer, {"text": "another user, same app"}, other)
    assert second.status == 429 and second.headers["x-rate-limit-remaining"] == "99"  # the user still has room
    assert int(second.headers["x-app-limit-24hour-reset"]) - time.time() > 86000


@pytest.mark.parametrize("style", ["command", "paths"])
def test_x_chunked_video_must_finish_processing_before_it_is_posted(style):
    peer = fresh("x")
    auth = {"Authorization": f"Bearer {peer['TOKEN']}"}
    video = b"\x00\x00\x00\x18ftypmp42" + b"v" * 3000
    chunks = [video[:1500], video[1500:]]
    if style == "command":
        init = call(peer.url, "POST", "/2/media/upload", headers=auth, form={
            "command": "INIT", "media_type": "video/mp4", "total_bytes": len(video), "media_category": "tweet_video"})
        media_id = init.json["data"]["id"]
        for i, chunk in enumerate(chunks):
            assert call(peer.url, "POST", "/2/media/upload", headers=auth, form={
                "command": "APPEND", "media_id": media_id, "segment_index": i,
                "media": ("blob", chunk, "application/octet-stream")}).status == 200
        final = call(peer.url, "POST", "/2/media/upload", headers=auth, form={"command": "FINALIZE",
                                                                               "media_id": media_id})
    else:
        init = call(peer.url, "POST", "/2/media/upload/initialize", headers=auth, body={
            "media_type": "video/mp4", "total_bytes": len(video), "media_category": "tweet_video"})
        media_id = init.json["data"]["id"]
        for i, chunk in enumerate(chunks):
            call(peer.url, "POST", f"/2/media/upload/{media_id}/append", headers=auth,
                 form={"segment_index": i, "media": ("blob", chunk, "application/octet-stream")})
        final = call(peer.url, "POST", f"/2/media/upload/{media_id}/finalize", headers=auth)
    assert init.json["data"]["media_key"].endswith(media_id)
    assert final.json["data"]["processing_info"]["state"] == "pending"
    assert x_post(peer, {"text": "early", "media": {"media_ids": [media_id]}}).status == 400
    states = [call(peer.url, "GET", f"/2/media/upload?command=STATUS&media_id={media_id}", headers=auth)
              .json["data"]["processing_info"]["state"] for _ in range(3)]
    assert states == ["in_progress", "succeeded", "succeeded"]
    assert x_post(peer, {"text": "now", "media": {"media_ids": [media_id]}}).status == 201


def test_x_failed_processing_and_size_mismatch():
    peer = fresh("x")
    auth = {"Authorization": f"Bearer {peer['TOKEN']}"}
    peer.control("POST", "media_outcome", {"state": "failed"})
    init = call(peer.url, "POST", "/2/media/upload/initialize", headers=auth,
                body={"media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_video"}).json["data"]
    call(peer.url, "POST", f"/2/media/upload/{init['id']}/append", headers=auth,
         form={"segment_index": 0, "media": ("b", b"123", "application/octet-stream")})
    short = call(peer.url, "POST", f"/2/media/upload/{init['id']}/finalize", headers=auth)
    assert short.status == 400 and short.json["title"] == "Invalid Request"
    call(peer.url, "POST", f"/2/media/upload/{init['id']}/append", headers=auth,
         form={"segment_index": 1, "media": ("b", b"4567890", "application/octet-stream")})
    assert call(peer.url, "POST", f"/2/media/upload/{init['id']}/finalize", headers=auth).status == 200
    states = [call(peer.url, "GET", f"/2/media/upload?command=STATUS&media_id={init['id']}", headers=auth)
              .json["data"]["processing_info"] for _ in range(2)]
    assert states[-1]["state"] == "failed" and states[-1]["error"]["message"]


def test_x_media_ids_expire_after_a_day():
    peer = fresh("x")
    auth = {"Authorization": f"Bearer {peer['TOKEN']}"}
    media_id = call(peer.url, "POST", "/2/media/upload", headers=auth, form={
        "media": ("p.png", PNG, "image/png"), "media_category": "tweet_image"}).json["data"]["id"]
    peer.advance_clock(86401)
    token = peer.control("POST", "tokens", {"scopes": ["tweet.read", "tweet.write", "users.read"]})["token"]
    assert x_post(peer, {"text": "late", "media": {"media_ids": [media_id]}}, token).status == 400


@pytest.mark.parametrize("alt, status", [("a" * 1000, 200), ("a" * 1001, 400), ("", 400)])
def test_x_alt_text_is_at_most_1000_characters(alt, status):
    peer = fresh("x")
    auth = {"Authorization": f"Bearer {peer['TOKEN']}"}
    media_id = call(peer.url, "POST", "/2/media/upload", headers=auth, form={
        "media": ("p.png", PNG, "image/png"), "media_category": "tweet_image"}).json["data"]["id"]
    answer = call(peer.url, "POST", "/2/media/metadata", headers=auth,
                  body={"id": media_id, "metadata": {"alt_text": {"text": alt}}})
    assert answer.status == status


def test_x_reads_threads_metrics_timeline_and_deletes():
    peer = fresh("x")
    auth = {"Authorization": f"Bearer {peer['TOKEN']}"}
    root = x_post(peer, {"text": "root"}).json["data"]["id"]
    reply = x_post(peer, {"text": "part 2", "reply": {"in_reply_to_tweet_id": root}}).json["data"]["id"]
    peer.control("POST", "engage", {"id": root, "like_count": 5})
    lookup = call(peer.url, "GET", f"/2/tweets?ids={root},{reply},42&tweet.fields=public_metrics,conversation_id",
                  headers=auth)
    assert lookup.headers["x-rate-limit-limit"] == "5000"  # each endpoint has its own window
    assert call(peer.url, "GET", f"/2/tweets/{root}", headers=auth).headers["x-rate-limit-limit"] == "900"
    found = lookup.json
    assert [t["id"] for t in found["data"]] == [root, reply]
    assert found["data"][0]["public_metrics"]["like_count"] == 5
    assert found["data"][0]["public_metrics"]["reply_count"] == 1
    assert found["data"][1]["conversation_id"] == root
    assert found["errors"][0]["resource_id"] == "42"
    me = call(peer.url, "GET", "/2/users/me?user.fields=public_metrics", headers=auth).json["data"]
    timeline = call(peer.url, "GET", f"/2/users/{me['id']}/tweets?max_results=5", headers=auth).json
    assert [t["id"] for t in timeline["data"]] == [reply, root] and timeline["meta"]["newest_id"] == reply
    assert call(peer.url, "GET", f"/2/users/{me['id']}/tweets?max_results=4", headers=auth).status == 400
    assert call(peer.url, "DELETE", f"/2/tweets/{reply}", headers=auth).json == {"data": {"deleted": True}}
    assert [t["id"] for t in peer.state()["published"]] == [root]


def oauth1_header(peer: ApiDouble, method: str, path: str, secret: str) -> str:
    quote = lambda s: urllib.parse.quote(str(s), safe="~")  # noqa: E731
    params = {"oauth_consumer_key": peer["OAUTH1_CONSUMER_KEY"], "oauth_nonce": secrets.token_hex(8),
              "oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": str(int(time.time())),
              "oauth_token": peer["OAUTH1_TOKEN"], "oauth_version": "1.0"}
    normalized = "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(params.items()))
    host = urllib.parse.urlsplit(peer.url).netloc
    base = "&".join([method, quote(f"http://{host}{path}"), quote(normalized)])
    key = f"{quote(peer['OAUTH1_CONSUMER_SECRET'])}&{quote(secret)}"
    params["oauth_signature"] = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    return "OAuth " + ", ".join(f'{k}="{quote(v)}"' for k, v in params.items())


@pytest.mark.parametrize("secret_ok, status", [(True, 201), (False, 401)])
def test_x_checks_oauth1_signatures(secret_ok, status):
    peer = fresh("x")
    secret = peer["OAUTH1_TOKEN_SECRET"] if secret_ok else "wrong"
    answer = call(peer.url, "POST", "/2/tweets", body={"text": "signed"},
                  headers={"Authorization": oauth1_header(peer, "POST", "/2/tweets", secret)})
    assert answer.status == status


def test_x_refresh_tokens_rotate():
    peer = fresh("x")
    form = {"grant_type": "refresh_token", "refresh_token": peer["REFRESH_TOKEN"], "client_id": peer["CLIENT_ID"]}
    first = call(peer.url, "POST", "/2/oauth2/token", form=form)
    assert first.status == 200 and first.json["refresh_token"] != peer["REFRESH_TOKEN"]
    assert call(peer.url, "POST", "/2/oauth2/token", form=form).status == 400  # the old one is spent
    assert x_post(peer, {"text": "with the new token"}, first.json["access_token"]).status == 201


# ============================================================================ LinkedIn


def li_headers(peer: ApiDouble, version: str | None = "current", token: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token or peer['TOKEN']}", "X-Restli-Protocol-Version": "2.0.0"}
    if version == "current":
        version = datetime.now(timezone.utc).strftime("%Y%m")
    if version:
        headers["LinkedIn-Version"] = version
    return headers


def li_post(peer: ApiDouble, commentary: str = "Hello", **fields: Any) -> dict[str, Any]:
    return {"author": peer["AUTHOR"], "commentary": commentary, "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False, **fields}


@pytest.mark.parametrize("version, status, code", [
    (None, 400, "VERSION_MISSING"),
    ("202001", 426, "NONEXISTENT_VERSION"),
    ("current", 201, None),
])
def test_linkedin_requires_an_active_version(version, status, code):
    peer = fresh("linkedin")
    answer = call(peer.url, "POST", "/rest/posts", body=li_post(peer), headers=li_headers(peer, version))
    assert answer.status == status
    if code:
        assert answer.json["code"] == code and answer.json["status"] == status
    else:
        assert answer.headers["x-restli-id"].startswith("urn:li:share:") and answer.raw == b""


@pytest.mark.parametrize("change, fragment", [
    ({"author": None}, "/author :: field is required"),
    ({"visibility": "EVERYONE"}, "/visibility ::"),
    ({"lifecycleState": "LIVE"}, "/lifecycleState ::"),
    ({"commentary": "x" * 3001}, "/commentary ::"),
    ({"surprise": 1}, "/surprise :: unrecognized field"),
    ({"content": {"media": {"id": "urn:li:image:unknown"}}}, "/content/media ::"),
    ({"content": {"article": {"title": "no source"}}}, "/content/article ::"),
    ({"distribution": {}}, "/distribution/feedDistribution ::"),
])
def test_linkedin_post_validation_is_422_with_the_field(change, fragment):
    peer = fresh("linkedin")
    body = {k: v for k, v in {**li_post(peer), **change}.items() if v is not None}
    answer = call(peer.url, "POST", "/rest/posts", body=body, headers=li_headers(peer))
    assert answer.status == 422 and fragment in answer.json["message"], answer.json
    assert peer.state()["published"] == []


@pytest.mark.parametrize("commentary, shown", [
    ("Plain text.", "Plain text."),
    ("Hello (world)", "Hello "),
    (r"Hello \(world\)", "Hello (world)"),
    ("Costs 5 * 3", "Costs 5 "),
    ("snake_case", "snake"),
    ("Thanks @[Acme](urn:li:organization:123)!", "Thanks Acme!"),
    ("#launch day", "#launch day"),
    ("See https://example.com/a_(b)", "See https://example.com/a_(b)"),
])
def test_linkedin_cuts_unescaped_little_text(commentary, shown):
    peer = fresh("linkedin")
    assert call(peer.url, "POST", "/rest/posts", body=li_post(peer, commentary), headers=li_headers(peer)).status == 201
    assert peer.state()["published"][0]["shown"] == shown


def test_linkedin_duplicate_finder_image_flow_and_statistics():
    peer = fresh("linkedin")
    headers = li_headers(peer)
    init = call(peer.url, "POST", "/rest/images?action=initializeUpload", headers=headers,
                body={"initializeUploadRequest": {"owner": peer["AUTHOR"]}}).json["value"]
    image = init["image"]
    assert call(peer.url, "POST", "/rest/posts", headers=headers,
                body=li_post(peer, "img", content={"media": {"id": image}})).status == 422  # not uploaded yet
    upload_path = urllib.parse.urlsplit(init["uploadUrl"]).path
    put = call(peer.url, "PUT", upload_path, headers={"Authorization": headers["Authorization"],
                                                       "Content-Type": "application/octet-stream"}, body=None)
    assert put.status == 400  # empty
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(peer.url).hostname, urllib.parse.urlsplit(peer.url).port)
    conn.request("PUT", upload_path, body=JPEG, headers={"Authorization": headers["Authorization"]})
    assert conn.getresponse().status == 201
    conn.close()
    status = call(peer.url, "GET", f"/rest/images/{urllib.parse.quote(image, safe='')}", headers=headers).json
    assert status["status"] == "AVAILABLE"
    created = call(peer.url, "POST", "/rest/posts", headers=headers, body=li_post(peer, "img", content={"media": {"id": image}}))
    urn = created.headers["x-restli-id"]
    duplicate = call(peer.url, "POST", "/rest/posts", headers=headers, body=li_post(peer, "img"))
    assert duplicate.status == 422 and urn in duplicate.json["message"]
    found = call(peer.url, "GET", "/rest/posts?" + urllib.parse.urlencode({"author": peer["AUTHOR"], "q": "author"}),
                 headers=headers).json
    assert [p["id"] for p in found["elements"]] == [urn]
    peer.control("POST", "engage", {"share": urn, "impressionCount": 40, "likeCount": 3, "followers": 777})
    stats = call(peer.url, "GET", "/rest/organizationalEntityShareStatistics?" + urllib.parse.urlencode(
        {"q": "organizationalEntity", "organizationalEntity": peer["AUTHOR"], "shares": f"List({urn})"}),
        headers=headers).json["elements"]
    assert stats[0]["share"] == urn and stats[0]["totalShareStatistics"]["impressionCount"] == 40
    size = call(peer.url, "GET", f"/rest/networkSizes/{urllib.parse.quote(peer['AUTHOR'], safe='')}"
                "?edgeType=COMPANY_FOLLOWED_BY_MEMBER", headers=headers).json
    assert size == {"firstDegreeSize": 777}


def test_linkedin_reads_and_deletes_a_post_and_sums_lifetime_statistics():
    peer = fresh("linkedin")
    headers = li_headers(peer)
    urns = [call(peer.url, "POST", "/rest/posts", body=li_post(peer, f"n{i}"), headers=headers).headers["x-restli-id"]
            for i in range(2)]
    for urn, likes in zip(urns, (2, 5)):
        peer.control("POST", "engage", {"share": urn, "likeCount": likes})
    path = f"/rest/posts/{urllib.parse.quote(urns[0], safe='')}"
    assert call(peer.url, "GET", path, headers=headers).json["commentary"] == "n0"
    lifetime = call(peer.url, "GET", "/rest/organizationalEntityShareStatistics?" + urllib.parse.urlencode(
        {"q": "organizationalEntity", "organizationalEntity": peer["AUTHOR"]}), headers=headers).json
    assert lifetime["elements"][0]["totalShareStatistics"]["likeCount"] == 7
    assert call(peer.url, "DELETE", path, headers=headers).status == 204
    gone = call(peer.url, "GET", path, headers=headers)
    assert gone.status == 404 and gone.json["status"] == 404
    assert [p["id"] for p in peer.state()["published"]] == [urns[1]]


def test_linkedin_upload_url_expires():
    peer = fresh("linkedin")
    headers = li_headers(peer)
    init = call(peer.url, "POST", "/rest/images?action=initializeUpload", headers=headers,
                body={"initializeUploadRequest": {"owner": peer["AUTHOR"]}}).json["value"]
    peer.advance_clock(init["uploadUrlExpiresAt"] / 1000 - time.time() + 1)
    split = urllib.parse.urlsplit(init["uploadUrl"])
    conn = http.client.HTTPConnection(split.hostname, split.port)
    conn.request("PUT", split.path, body=JPEG, headers={"Authorization": headers["Authorization"]})
    assert conn.getresponse().status == 400
    conn.close()


@pytest.mark.parametrize("case, status, code", [
    ("expired", 401, "EXPIRED_ACCESS_TOKEN"),
    ("unknown", 401, "INVALID_ACCESS_TOKEN"),
    ("revoked", 401, "REVOKED_ACCESS_TOKEN"),
    ("missing", 401, None),
    ("member scope only", 403, "ACCESS_DENIED"),
    ("not an admin", 403, "ACCESS_DENIED"),
])
def test_linkedin_token_errors(case, status, code):
    peer = fresh("linkedin")
    token = peer["TOKEN"]
    if case == "expired":
        peer.advance_clock(60 * 24 * 3600 + 1)
    elif case == "unknown":
        token = "nope"
    elif case == "revoked":
        token = peer.control("POST", "tokens", {"scopes": ["w_organization_social"], "user": peer["PERSON"],
                                                "extra": {"revoked": True, "admin_of": [peer["AUTHOR"]]}})["token"]
    elif case == "missing":
        token = ""
    elif case == "member scope only":
        token = peer.control("POST", "tokens", {"scopes": ["w_member_social"], "user": peer["PERSON"]})["token"]
    else:
        token = peer.control("POST", "tokens", {"scopes": ["w_organization_social"], "user": "urn:li:person:x"})["token"]
    headers = li_headers(peer, token=token)
    if case == "missing":
        del headers["Authorization"]
    answer = call(peer.url, "POST", "/rest/posts", body=li_post(peer), headers=headers)
    assert answer.status == status and answer.json.get("code") == code and answer.json["serviceErrorCode"]


def test_linkedin_introspection_reports_expiry_and_the_daily_post_limit():
    peer = fresh("linkedin")
    form = {"client_id": peer["CLIENT_ID"], "client_secret": peer["CLIENT_SECRET"], "token": peer["TOKEN"]}
    live = call(peer.url, "POST", "/oauth/v2/introspectToken", form=form).json
    assert live["active"] is True and live["expires_at"] - time.time() > 59 * 86400
    for n in range(150):
        assert call(peer.url, "POST", "/rest/posts", body=li_post(peer, f"post {n}"), headers=li_headers(peer)).status == 201
    over = call(peer.url, "POST", "/rest/posts", body=li_post(peer, "one more"), headers=li_headers(peer))
    assert over.status == 429 and over.json["code"] == "TOO_MANY_REQUESTS"
    peer.advance_clock(61 * 86400)
    assert call(peer.url, "POST", "/oauth/v2/introspectToken", form=form).json["status"] == "expired"


# ============================================================================ Meta: Threads, Instagram, Pages


def graph(peer: ApiDouble, method: str, path: str, token: str, **params: Any) -> Answer:
    query = urllib.parse.urlencode({"access_token": token, **(params if method != "POST" else {})})
    form = {k: v for k, v in params.items()} if method == "POST" else None
    return call(peer.url, method, f"/v21.0{path}?{query}", form=form)


def until_status(peer: ApiDouble, container: str, token: str, field: str = "status") -> list[str]:
    return [graph(peer, "GET", f"/{container}", token, fields=field).json[field] for _ in range(2)]


def test_threads_container_flow_and_publish_before_finished():
    peer = fresh("meta")
    user, token = peer["THREADS_USER_ID"], peer["THREADS_TOKEN"]
    container = graph(peer, "POST", f"/{user}/threads", token, media_type="TEXT", text="hello").json["id"]
    early = graph(peer, "POST", f"/{user}/threads_publish", token, creation_id=container)
    assert early.status == 400 and early.json["error"]["code"] == 9007
    assert until_status(peer, container, token) == ["IN_PROGRESS", "FINISHED"]
    media = graph(peer, "POST", f"/{user}/threads_publish", token, creation_id=container).json["id"]
    assert graph(peer, "GET", f"/{container}", token, fields="status").json["status"] == "PUBLISHED"
    again = graph(peer, "POST", f"/{user}/threads_publish", token, creation_id=container)
    assert again.status == 400
    reply = graph(peer, "POST", f"/{user}/threads", token, media_type="TEXT", text="part 2", reply_to_id=media)
    assert reply.status == 200
    insights = graph(peer, "GET", f"/{media}/insights", token, metric="views,likes").json["data"]
    assert [m["name"] for m in insights] == ["views", "likes"]
    assert len(peer.state()["published"]) == 1


@pytest.mark.parametrize("text, ok", [
    ("a" * 500, True),
    ("a" * 501, False),
    ("😀" * 125, True),  # an emoji counts its 4 UTF-8 bytes
    ("😀" * 126, False),
    (" ".join(f"https://example.com/{i}" for i in range(5)), True),
    (" ".join(f"https://example.com/{i}" for i in range(6)), False),
])
def test_threads_text_limits(text, ok):
    peer = fresh("meta")
    answer = graph(peer, "POST", f"/{peer['THREADS_USER_ID']}/threads", peer["THREADS_TOKEN"], media_type="TEXT",
                   text=text)
    assert (answer.status == 200) is ok, answer.json
    if not ok:
        assert answer.json["error"]["code"] == 100 and answer.json["error"]["type"] == "OAuthException"


@pytest.mark.parametrize("hosted, code, subcode", [
    (("ok.jpg", JPEG, "image/jpeg"), None, None),
    (("p.png", PNG, "image/png"), 36001, 2207005),  # Instagram takes JPEG only
    (("t.txt", b"text", "text/plain"), 9004, 2207052),
    (("lie.jpg", PNG, "image/jpeg"), 36001, 2207005),  # the bytes decide, not the Content-Type
    (None, 9004, 2207052),  # nothing at that URL: the download fails
])
def test_instagram_fetches_the_image_url(hosted, code, subcode):
    peer = fresh("meta")
    url = host(peer, *hosted) if hosted else f"{peer['FILES_URL']}/missing.jpg"
    answer = graph(peer, "POST", f"/{peer['IG_USER_ID']}/media", peer["USER_TOKEN"], image_url=url, caption="hi")
    if code is None:
        assert answer.status == 200 and answer.json["id"]
    else:
        assert answer.status == 400
        assert (answer.json["error"]["code"], answer.json["error"]["error_subcode"]) == (code, subcode)


def host(peer: ApiDouble, name: str, data: bytes, ctype: str) -> str:
    split = urllib.parse.urlsplit(peer.url)
    conn = http.client.HTTPConnection(split.hostname, split.port)
    conn.request("POST", f"/_mock/files/{name}", body=data, headers={"Content-Type": ctype})
    url = json.loads(conn.getresponse().read())["url"]
    conn.close()
    return url


@pytest.mark.parametrize("caption, ok", [
    ("x" * 2200, True),
    ("x" * 2201, False),
    (" ".join(f"#t{i}" for i in range(30)), True),
    (" ".join(f"#t{i}" for i in range(31)), False),
    (" ".join(f"@u{i}" for i in range(21)), False),
])
def test_instagram_caption_limits(caption, ok):
    peer = fresh("meta")
    url = host(peer, "a.jpg", JPEG, "image/jpeg")
    answer = graph(peer, "POST", f"/{peer['IG_USER_ID']}/media", peer["USER_TOKEN"], image_url=url, caption=caption)
    assert (answer.status == 200) is ok


def test_instagram_reel_error_expiry_and_publishing_limit():
    peer = fresh("meta")
    ig, token = peer["IG_USER_ID"], peer["USER_TOKEN"]
    peer.control("POST", "container_outcome", {"status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"})
    reel = graph(peer, "POST", f"/{ig}/media", token, media_type="REELS", video_url="http://127.0.0.1:9/v.mp4").json["id"]
    assert until_status(peer, reel, token, "status_code") == ["IN_PROGRESS", "ERROR"]
    image = graph(peer, "POST", f"/{ig}/media", token, image_url=host(peer, "a.jpg", JPEG, "image/jpeg")).json["id"]
    peer.advance_clock(24 * 3600 + 1)
    assert graph(peer, "GET", f"/{image}", token, fields="status_code").json["status_code"] == "EXPIRED"
    expired = graph(peer, "POST", f"/{ig}/media_publish", token, creation_id=image)
    assert expired.json["error"]["error_subcode"] == 2207020
    fresh_image = graph(peer, "POST", f"/{ig}/media", token, image_url=host(peer, "b.jpg", JPEG, "image/jpeg")).json["id"]
    until_status(peer, fresh_image, token, "status_code")
    assert graph(peer, "POST", f"/{ig}/media_publish", token, creation_id=fresh_image).status == 200
    quota = graph(peer, "GET", f"/{ig}/content_publishing_limit", token, fields="quota_usage,config").json["data"][0]
    assert quota["quota_usage"] == 1 and quota["config"]["quota_total"] == 100


def test_facebook_page_posts_need_the_page_token_and_take_unpublished_photos():
    peer = fresh("meta")
    page = peer["PAGE_ID"]
    refused = graph(peer, "POST", f"/{page}/feed", peer["USER_TOKEN"], message="hi")
    assert refused.status == 403 and refused.json["error"]["code"] == 200
    token = peer["PAGE_TOKEN"]
    url = host(peer, "p.jpg", JPEG, "image/jpeg")
    photos = [graph(peer, "POST", f"/{page}/photos", token, url=url, published="false").json for _ in range(2)]
    assert all("post_id" not in p for p in photos)
    published = graph(peer, "POST", f"/{page}/photos", token, url=url).json
    assert published["post_id"].startswith(page)
    attach = {f"attached_media[{i}]": json.dumps({"media_fbid": p["id"]}) for i, p in enumerate(photos)}
    post = graph(peer, "POST", f"/{page}/feed", token, message="two photos", **attach)
    assert post.status == 200 and post.json["id"].startswith(f"{page}_")
    bad = graph(peer, "POST", f"/{page}/feed", token, message="x", **{"attached_media[0]": json.dumps(
        {"media_fbid": published["id"]})})
    assert bad.status == 400 and bad.json["error"]["code"] == 100
    assert graph(peer, "POST", f"/{page}/feed", token).json["error"]["code"] == 100  # nothing to post
    assert graph(peer, "GET", f"/{page}", token, fields="followers_count").json["followers_count"] == 900


@pytest.mark.parametrize("network, items, ok", [
    ("threads", 2, True), ("threads", 20, True), ("threads", 1, False), ("threads", 21, False),
    ("instagram", 10, True), ("instagram", 11, False),
])
def test_carousels_take_their_documented_number_of_carousel_items(network, items, ok):
    peer = fresh("meta")
    owner, token, edge = ((peer["THREADS_USER_ID"], peer["THREADS_TOKEN"], "threads") if network == "threads"
                          else (peer["IG_USER_ID"], peer["USER_TOKEN"], "media"))
    url = host(peer, "c.jpg", JPEG, "image/jpeg")
    kind = {"media_type": "IMAGE"} if network == "threads" else {}
    children = [graph(peer, "POST", f"/{owner}/{edge}", token, image_url=url, is_carousel_item="true", **kind)
                .json["id"] for _ in range(items)]
    carousel = graph(peer, "POST", f"/{owner}/{edge}", token, media_type="CAROUSEL", children=",".join(children),
                     **({"text": "album"} if network == "threads" else {"caption": "album"}))
    assert (carousel.status == 200) is ok, carousel.json


def test_a_carousel_child_must_be_made_as_one():
    peer = fresh("meta")
    owner, token = peer["THREADS_USER_ID"], peer["THREADS_TOKEN"]
    url = host(peer, "c.jpg", JPEG, "image/jpeg")
    child = graph(peer, "POST", f"/{owner}/threads", token, media_type="IMAGE", image_url=url, is_carousel_item="true")
    loose = graph(peer, "POST", f"/{owner}/threads", token, media_type="IMAGE", image_url=url)
    answer = graph(peer, "POST", f"/{owner}/threads", token, media_type="CAROUSEL",
                   children=f"{child.json['id']},{loose.json['id']}")
    assert answer.status == 400 and answer.json["error"]["code"] == 100


def test_facebook_post_insights_and_delete():
    peer = fresh("meta")
    page, token = peer["PAGE_ID"], peer["PAGE_TOKEN"]
    post = graph(peer, "POST", f"/{page}/feed", token, message="hello", link="https://example.com/a").json["id"]
    peer.control("POST", "engage", {"id": post, "post_impressions": 12})
    data = graph(peer, "GET", f"/{post}/insights", token, metric="post_impressions").json["data"]
    assert data[0]["values"][0]["value"] == 12
    assert graph(peer, "GET", f"/{post}/insights", token, metric="page_fans").json["error"]["code"] == 100
    assert graph(peer, "GET", f"/{post}", token, fields="message").json["message"] == "hello"
    assert graph(peer, "DELETE", f"/{post}", token).json == {"success": True}
    assert graph(peer, "GET", f"/{post}", token).status == 400
    assert peer.state()["published"] == []


@pytest.mark.parametrize("case, code, subcode", [("expired", 190, 463), ("unknown", 190, None)])
def test_meta_token_errors(case, code, subcode):
    peer = fresh("meta")
    token = peer["THREADS_TOKEN"]
    if case == "expired":
        peer.advance_clock(61 * 86400)
    else:
        token = "nope"
    error = graph(peer, "GET", "/me", token, fields="id").json["error"]
    assert (error["code"], error.get("error_subcode")) == (code, subcode) and error["fbtrace_id"]


def test_meta_debug_token_and_threads_refresh():
    peer = fresh("meta")
    app = f"{peer['APP_ID']}|{peer['APP_SECRET']}"
    data = call(peer.url, "GET", "/v21.0/debug_token?" + urllib.parse.urlencode(
        {"input_token": peer["USER_TOKEN"], "access_token": app})).json["data"]
    assert data["is_valid"] is True and "instagram_content_publish" in data["scopes"]
    assert data["expires_at"] - time.time() > 59 * 86400
    refresh = "/refresh_access_token?" + urllib.parse.urlencode(
        {"grant_type": "th_refresh_token", "access_token": peer["THREADS_TOKEN"]})
    assert call(peer.url, "GET", refresh).json["error"]["code"] == 190  # younger than 24 hours
    peer.advance_clock(86400 + 1)
    renewed = call(peer.url, "GET", refresh).json
    assert renewed["expires_in"] == 60 * 86400 and renewed["access_token"] != peer["THREADS_TOKEN"]


def test_meta_usage_headers_and_rate_limits():
    peer = fresh("meta")
    peer.control("POST", "rate_limits", {"app": 4, "business": 2})
    page = peer["PAGE_ID"]
    first = graph(peer, "GET", f"/{page}", peer["PAGE_TOKEN"], fields="followers_count")
    usage = json.loads(first.headers["x-business-use-case-usage"])  # a Page token: the Page's BUC budget
    assert usage[page][0]["type"] == "pages" and usage[page][0]["call_count"] == 50
    assert "x-app-usage" not in first.headers
    graph(peer, "GET", f"/{page}", peer["PAGE_TOKEN"], fields="followers_count")
    page_limited = graph(peer, "GET", f"/{page}", peer["PAGE_TOKEN"], fields="followers_count")
    assert page_limited.json["error"]["code"] == 80001
    assert json.loads(page_limited.headers["x-business-use-case-usage"])[page][0]["estimated_time_to_regain_access"] > 0
    by_user = graph(peer, "GET", f"/{page}", peer["USER_TOKEN"], fields="followers_count")  # a user token: Platform
    assert by_user.status == 200 and json.loads(by_user.headers["x-app-usage"])["call_count"] == 25
    for _ in range(3):
        graph(peer, "GET", "/me", peer["USER_TOKEN"])
    user_limited = graph(peer, "GET", "/me", peer["USER_TOKEN"])
    assert user_limited.json["error"]["code"] == 17
    assert json.loads(user_limited.headers["x-app-usage"])["call_count"] == 100
    assert graph(peer, "GET", "/me", peer["THREADS_TOKEN"]).status == 200  # another user's budget


# ============================================================================ shared fault injection


def act(name: str, peer: ApiDouble) -> Answer:
    """The network's publishing call, ready to succeed."""
    if name == "wechat":
        token = call(peer.url, "POST", "/cgi-bin/stable_token", body={
            "grant_type": "client_credential", "appid": peer["APP_ID"], "secret": peer["SECRET"]}).json["access_token"]
        return call(peer.url, "POST", f"/cgi-bin/media/uploadimg?access_token={token}",
                    form={"media": ("a.jpg", JPEG, "image/jpeg")})
    if name == "weibo":
        return weibo_share(peer, f"fault https://{peer['SAFE_DOMAIN']}/f")
    if name == "x":
        return x_post(peer, {"text": "fault"})
    if name == "linkedin":
        return call(peer.url, "POST", "/rest/posts", body=li_post(peer, "fault"), headers=li_headers(peer))
    return graph(peer, "POST", f"/{peer['THREADS_USER_ID']}/threads", peer["THREADS_TOKEN"], media_type="TEXT",
                 text="fault")


ACT_PATH = {"wechat": "/cgi-bin/media/uploadimg", "weibo": "/2/statuses/share.json", "x": "/2/tweets",
            "linkedin": "/rest/posts", "meta": "/v21.0/*/threads"}
ERROR_SHAPE = {
    "wechat": lambda a: a.status == 200 and a.json["errcode"] == 45009,
    "weibo": lambda a: a.status == 403 and a.json["error_code"] == 10023 and a.json["request"],
    "x": lambda a: a.status == 429 and a.json["title"] == "Too Many Requests" and "x-rate-limit-reset" in a.headers,
    "linkedin": lambda a: a.status == 429 and a.json["code"] == "TOO_MANY_REQUESTS" and a.json["serviceErrorCode"],
    "meta": lambda a: a.json["error"]["code"] == 4 and a.json["error"]["type"] == "OAuthException"
    and "x-app-usage" in a.headers,
}
NETWORKS = list(ACT_PATH)


def recorded(name: str, peer: ApiDouble) -> int:
    state = peer.state()
    return len(state["images"]) if name == "wechat" else len(state.get("containers") or state["published"])


@pytest.mark.parametrize("name", NETWORKS)
def test_ratelimit_fault_answers_in_the_networks_shape(name):
    peer = fresh(name)
    peer.add_fault({"methods": ["POST"], "path": ACT_PATH[name]}, {"type": "ratelimit"}, count=1)
    assert ERROR_SHAPE[name](act(name, peer))
    assert recorded(name, peer) == 0
    assert act(name, peer).status in (200, 201)  # count=1: the next call goes through
    assert recorded(name, peer) == 1


@pytest.mark.parametrize("name", NETWORKS)
def test_drop_fault_acts_then_closes_without_an_answer(name):
    peer = fresh(name)
    peer.add_fault({"methods": ["POST"], "path": ACT_PATH[name]}, {"type": "drop"}, count=1)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        act(name, peer)
    assert recorded(name, peer) == 1  # the lost answer: it happened


@pytest.mark.parametrize("name", NETWORKS)
def test_status_malformed_and_latency_faults(name):
    peer = fresh(name)
    peer.add_fault({"path": ACT_PATH[name]}, {"type": "status", "status": 503}, count=1)
    failed = act(name, peer)
    assert failed.status == 503 and isinstance(failed.json, (dict, list))
    peer.add_fault({"path": ACT_PATH[name]}, {"type": "malformed"}, count=1)
    garbled = act(name, peer)
    with pytest.raises(ValueError):
        garbled.json  # noqa: B018 - decoding is the assertion
    peer.add_fault({"path": ACT_PATH[name]}, {"type": "latency", "delay_ms": 300}, count=1)
    started = time.monotonic()
    assert act(name, peer).status in (200, 201)
    assert time.monotonic() - started >= 0.3
    assert recorded(name, peer) == 1
    assert peer.control("GET", "faults")["faults"] == []
