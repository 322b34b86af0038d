"""A rate limit's wait, as a network says it (a header, Telegram's `parameters.retry_after`, Discord's body), is
what smm sleeps and schedules by. One that is no wait (negative, NaN, infinite, beyond any float) must not
reach `time.sleep` (ValueError: a publish run crashed mid-job) nor a date (OverflowError): it is none said,
and smm backs off on its own; a negative one is no wait at all."""

from __future__ import annotations

import math

import httpx
import pytest
from test_adapter_faults import NETS, OUTGOING, _raising, adapter

from smm.errors import RateLimited

SAYS_ITS_WAIT = ["telegram", "discord", "slack", "mastodon", "bluesky"]  # the wait given is the wait said
# name: (the wait as JSON says it, as a header does, what smm keeps of it)
WAITS = {"negative": ("-5", "-5", 0.0), "NaN": ("NaN", "nan", None), "infinite": ("Infinity", "inf", None),
         "beyond a float": ("1e309", "1e309", None)}
IN_THE_BODY = {  # Telegram's parameters.retry_after and Discord's retry_after, in JSON Python reads (NaN and all)
    "telegram": lambda said: f'{{"ok": false, "error_code": 429, "parameters": {{"retry_after": {said}}}}}',
    "discord": lambda said: f'{{"retry_after": {said}}}'}


def answer(name: str, in_json: str, in_header: str) -> httpx.Response:
    if name in IN_THE_BODY:  # (Discord says it in a header too)
        headers = {"content-type": "application/json", **({"X-RateLimit-Reset-After": in_header} if name == "discord" else {})}
        return httpx.Response(429, content=IN_THE_BODY[name](in_json), headers=headers)
    return NETS[name].rate_limited(in_header)


@pytest.mark.parametrize("wait", WAITS)
@pytest.mark.parametrize("name", SAYS_ITS_WAIT)
def test_a_wait_that_is_no_wait_is_none_said(make_repo, name, wait):
    net = NETS[name]
    in_json, in_header, expected = WAITS[wait]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    with pytest.raises(RateLimited) as caught:
        adapter(root, net, _raising(answer(name, in_json, in_header))).publish(OUTGOING, idempotency_key="k")
    retry_after = caught.value.retry_after
    assert retry_after is None or (math.isfinite(retry_after) and retry_after >= 0), retry_after
    if expected is not None:
        assert retry_after == expected


@pytest.mark.parametrize("said", [-1.0, math.nan, math.inf, -math.inf, 1e300])
def test_the_error_itself_keeps_only_a_wait_smm_can_sleep(said):
    retry_after = RateLimited("slow down", retry_after=said).retry_after
    assert retry_after is None or (math.isfinite(retry_after) and 0 <= retry_after), retry_after
