"""A push race's merge (smm.data.merge.merge_files) reads each side as smm reads its files (parse_json): a
record, a feed or a twin with a key twice (a bad merge's leftover: json would keep the last job and lose
the first, a published one too), NaN or Infinity is a real conflict, never merged into clean JSON that
the next read would trust."""

from __future__ import annotations

import json

import pytest

from smm.data.merge import merge_files

RECORD = "data/published/a.json"
GOOD = json.dumps({"post": "a", "file": "content/a.md", "accounts": {"local": {"state": "pending"}}})
PUBLISHED_TWICE = ('{"post": "a", "file": "content/a.md", "accounts": {"mastodon": {"state": "published", "remote_id": "1"},'
                   ' "mastodon": {"state": "failed", "attempts": 1, "retryable": true}}}')
FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []})

CASES = [
    (RECORD, PUBLISHED_TWICE, GOOD),
    (RECORD, GOOD, PUBLISHED_TWICE),
    (RECORD, GOOD.replace('"pending"}', '"pending", "attempts": NaN}'), GOOD),
    ("data/feed/feed.json", FEED.replace('"items": []', '"items": [], "items": []'), FEED),
]


@pytest.mark.parametrize(("path", "pushed", "ours"), CASES)
def test_a_side_smm_would_not_read_is_a_real_conflict(path, pushed, ours):
    assert merge_files({path: (pushed, ours)}, lambda _: None) is None


def test_two_good_records_still_merge():  # guard
    merged = merge_files({RECORD: (GOOD, GOOD)}, lambda _: None)
    assert json.loads(merged[RECORD])["accounts"] == {"local": {"state": "pending"}}
