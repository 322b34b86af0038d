"""The WeChat adapter over real HTTP against the local double of the 公众号 API (tests/peers/wechat_api.py):
articles published through `smm publish` with their images uploaded, draft mode, the token's
refresh, the documented error codes as smm's states, find() through batchget, metrics a day late.
Skipped locally when the double is not running (`bash tests/peers/apis.sh start`); failed in CI.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import post_text
from peers import require
from smm.errors import AuthError, PlatformError, RateLimited, Rejected, TransientError
from smm.platforms import Lookup, Outgoing, platform_class
from smm.platforms import wechat as wechat_module
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer
ENV = {"WX_SECRET": "smm-wechat-test-secret"}
BODY = """Our **Winter Blend** is here. [Read the story](https://cloudleaf.example/story).

![The teapot](content/media/pot.png)

```
brew 95°C
  3 minutes
```
"""


def _png(color="green", size=(40, 30)) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


OPENED = []  # adapters made by a test, closed after it


@pytest.fixture
def double(monkeypatch):
    peer = require("wechat")
    peer.reset()
    monkeypatch.setattr(wechat_module, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(wechat_module, "_TOKENS", {})
    yield peer
    while OPENED:
        OPENED.pop().close()


def _repo(make_repo, peer, mode="publish", body=BODY, when=None, **fields):
    at = (when or datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    platforms = (f"timezone: Asia/Shanghai\naccounts:\n  wx: {{platform: wechat, app_id: {peer['APP_ID']}, "
                 f"secret_env: WX_SECRET, api_base: '{peer.url}', mode: {mode}, author: Cloudleaf, comments: true}}\n")
    post = post_text(body, title="Winter Blend 冬季拼配", publish_at=at, platforms="[wx]",
                     link="https://cloudleaf.example/winter", media="[{file: content/media/cover.png}]", **fields)
    return make_repo({"winter.md": post}, platforms=platforms, calendar=None,
                     files={"content/media/cover.png": _png("red"), "content/media/pot.png": _png("blue")})


def _adapter(root):
    account = load_repo(root).config.accounts["wx"]
    OPENED.append(platform_class("wechat")(account, ENV, root))
    return OPENED[-1]


def _outgoing(root):
    from smm.render.rendered import Renderer

    repo = load_repo(root)
    rendered = Renderer(root, repo.config, repo.brand).render(repo.posts[0], "wx")
    assert not rendered.diagnostics, rendered.diagnostics
    return Outgoing(repo.posts[0].id, "wx", rendered.title, rendered.text,
                    media=tuple((root / m.file, m.alt) for m in rendered.media), link=rendered.link)


def _publish(root):
    return Publisher(load_repo(root), datetime.now(timezone.utc), ENV, sleep=lambda s: None).run()


def test_smm_publish_sends_the_article_with_its_images_uploaded_once(make_repo, double):
    root = _repo(make_repo, double)
    _publish(root)
    record = json.loads((root / "data/published/winter.json").read_text())["accounts"]["wx"]
    assert record["state"] == "published", record.get("error")
    assert record["url"].startswith("https://mp.weixin.qq.com/s/")
    (published,) = double.state()["published"]
    (article,) = published["articles"]
    assert record["remote_id"] == published["article_id"]
    assert (article["title"], article["author"], article["content_source_url"], article["need_open_comment"]) == (
        "Winter Blend 冬季拼配", "Cloudleaf", "https://cloudleaf.example/winter?utm_source=wechat&utm_medium=social", 1)
    assert article["digest"].startswith("Our Winter Blend is here.")
    content = article["content"]
    assert "content/media/pot.png" not in content and double.state()["images"][0] in content  # uploaded, rewritten
    assert "<style" not in content and "class=" not in content and "<a " not in content
    assert "Read the story<sup" in content and "[1] Read the story: https://cloudleaf.example/story?utm_source=wechat" in content
    assert "brew&nbsp;95°C<br>&nbsp;&nbsp;3&nbsp;minutes" in content.replace("\xa0", "&nbsp;")
    _publish(root)
    assert len(double.state()["published"]) == 1  # never twice


def test_draft_mode_leaves_the_article_in_the_draft_box(make_repo, double):
    root = _repo(make_repo, double, mode="draft")
    result = _adapter(root).publish(_outgoing(root), idempotency_key="k")
    assert result.remote_id.startswith("draft:") and result.url is None
    assert double.state()["published"] == [] and len(double.state()["drafts"]) == 1


@pytest.mark.parametrize("stale", ["expired", "replaced", "refused yet handed out again"])
def test_a_stale_token_is_replaced_and_the_call_made_once_more(make_repo, double, stale):
    root = _repo(make_repo, double)
    adapter = _adapter(root)
    first = adapter.token()
    if stale == "refused yet handed out again":  # stable_token's normal mode gives it again: forced then
        double.add_fault({"path": "/cgi-bin/draft/add"}, {"type": "status", "errcode": 40001}, count=1)
    elif stale == "expired":
        double.advance_clock(7201)  # 42001 on the server's clock; smm's cache still thinks it valid
    else:  # another client forced a new token: 40001 for the old one
        from peers import http_json
        http_json("POST", f"{double.url}/cgi-bin/stable_token", {"grant_type": "client_credential",
                  "appid": double["APP_ID"], "secret": ENV["WX_SECRET"], "force_refresh": True})
    result = adapter.publish(_outgoing(root), idempotency_key="k")
    assert result.url and adapter.token() != first
    assert len(double.state()["published"]) == 1


# errcode on draft/add → the typed error, retryable or not, and what its message must say
CODES = {
    -1: (TransientError, "system error"),
    45009: (RateLimited, "45009"),
    45011: (RateLimited, "45011"),
    40164: (AuthError, "IP 127.0.0.1"),
    48001: (AuthError, "接口权限"),
    45002: (Rejected, "45002"),
    53503: (Rejected, "53503"),
}


@pytest.mark.parametrize("code", list(CODES))
def test_documented_error_codes_become_smm_states(make_repo, double, code):
    root = _repo(make_repo, double)
    double.add_fault({"path": "/cgi-bin/draft/add"}, {"type": "status", "errcode": code}, count=1)
    error, says = CODES[code]
    with pytest.raises(PlatformError) as caught:
        _adapter(root).publish(_outgoing(root), idempotency_key="k")
    assert type(caught.value) is error and says in caught.value.message
    assert not getattr(caught.value, "outcome_unknown", False)
    if error is RateLimited:
        assert 0 < caught.value.retry_after <= 86_400
    assert ENV["WX_SECRET"] not in caught.value.message


@pytest.mark.parametrize("status, says", [(2, "原创"), (3, "publishing failed"), (4, "审核")])
def test_a_refused_publication_is_rejected_with_its_reason(make_repo, double, status, says):
    root = _repo(make_repo, double)
    double.control("POST", "publish_outcome", {"publish_status": status})
    with pytest.raises(Rejected, match=says):
        _adapter(root).publish(_outgoing(root), idempotency_key="k")


def test_a_lost_submit_is_found_by_batchget_and_never_sent_again(make_repo, double):
    root = _repo(make_repo, double)
    double.add_fault({"path": "/cgi-bin/freepublish/submit"}, {"type": "drop"}, count=1)
    adapter, outgoing = _adapter(root), _outgoing(root)
    since = datetime.now(timezone.utc) - timedelta(seconds=5)
    with pytest.raises(TransientError) as caught:
        adapter.publish(outgoing, idempotency_key="k")
    assert caught.value.outcome_unknown
    double.advance_clock(10)
    job = double.state()["jobs"][0]
    from peers import http_json
    http_json("POST", f"{double.url}/cgi-bin/freepublish/get?access_token={adapter.token()}",
              {"publish_id": job["publish_id"]})  # the publication finishes on WeChat's side
    lookup = Lookup((outgoing,), since, datetime.now(timezone.utc) + timedelta(minutes=5))
    found = adapter.find(outgoing, idempotency_key="k", lookup=lookup)
    assert found and found.remote_id == double.state()["published"][0]["article_id"]
    owned = Lookup((outgoing,), lookup.since, lookup.until, frozenset({found.remote_id}))
    assert adapter.find(outgoing, idempotency_key="k", lookup=owned) is None


def test_metrics_come_a_day_late_from_datacube(make_repo, double):
    noon = datetime(2026, 12, 1, 12, tzinfo=wechat_module.BEIJING)
    double.control("POST", "clock", {"set": noon.timestamp()})
    root = _repo(make_repo, double)
    adapter = _adapter(root)
    result = adapter.publish(_outgoing(root), idempotency_key="k")
    double.control("POST", "stats", {"article_id": result.remote_id, "int_page_read_count": 321, "share_count": 7,
                                     "ori_page_read_count": 12, "followers": 1500})
    adapter.clock = lambda: noon
    assert adapter.metrics([result.remote_id]) == []  # published today: no figures until tomorrow
    double.control("POST", "clock", {"set": (noon + timedelta(days=1)).timestamp()})
    adapter.clock = lambda: noon + timedelta(days=1)
    (metrics,) = adapter.metrics([result.remote_id])
    assert (metrics.views, metrics.reposts, metrics.clicks) == (321, 7, 12)
    assert adapter.followers() == 1500
    assert adapter.confirm(result.url).remote_id == result.remote_id
    with pytest.raises(Rejected):
        adapter.confirm("https://mp.weixin.qq.com/s/not-ours")


def test_the_inbox_reads_comments_on_the_accounts_articles(make_repo, double):
    from smm.inbox.collect import collect

    root = _repo(make_repo, double)
    _publish(root)
    record = json.loads((root / "data/published/winter.json").read_text())["accounts"]["wx"]
    msg_data_id = record["parts"][0]["extra"]["msg_data_id"]  # kept from freepublish/submit
    double.control("POST", "comment", {"msg_data_id": msg_data_id, "content": "茶叶什么时候发货？"})
    run = collect(load_repo(root), datetime.now(timezone.utc) + timedelta(seconds=1), ENV, timedelta(hours=1),
                  classify=lambda text: ("zh", "neutral", "question"))
    got = [(i.kind, i.text, i.post, i.platform) for i in run.items.values()]
    assert got == [("comment", "茶叶什么时候发货？", "winter", "wechat")]
    again = collect(load_repo(root), datetime.now(timezone.utc) + timedelta(minutes=1), ENV, timedelta(hours=1),
                    classify=lambda text: ("zh", "neutral", "question"))
    assert [a.new for a in again.accounts] == [0]


@pytest.mark.parametrize("seconds, runs", [(600, 2), (3600, 4)])
def test_an_article_wechat_takes_long_to_publish_is_waited_for_never_submitted_again(make_repo, double, monkeypatch,
                                                                                     seconds, runs):
    """Past smm's polling (POLL_LIMIT) and the settle time, WeChat may still be publishing (a review may take
    minutes): the publish_id is kept with the attempt, and later runs ask about it instead of submitting the
    article again (which published it twice once both came through). Time passes alike for smm (its waits)
    and WeChat (the double's clock); each run is 20 minutes after the last."""
    monkeypatch.setattr(wechat_module, "POLL_LIMIT", 0.2)
    root = _repo(make_repo, double)
    double.control("POST", "publish_outcome", {"publish_status": 0, "seconds": seconds})
    passed = [timedelta()]

    def sleep(wait: float) -> None:
        passed[0] += timedelta(seconds=wait)
        double.advance_clock(wait)

    def wall() -> datetime:
        return datetime.now(timezone.utc) + passed[0]
    states = []
    for _ in range(runs):
        Publisher(load_repo(root), wall(), ENV, sleep=sleep, wall=wall).run()
        states.append(json.loads((root / "data/published/winter.json").read_text())["accounts"]["wx"]["state"])
        sleep(1200)
    assert len(double.state()["jobs"]) == 1 and len(double.state()["published"]) == 1  # submitted once
    assert states == ["in_flight"] * (runs - 1) + ["published"]
    record = json.loads((root / "data/published/winter.json").read_text())["accounts"]["wx"]
    assert record["remote_id"] == double.state()["published"][0]["article_id"]
