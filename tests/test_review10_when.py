"""The tenth session's review: a date without a time of day is refused wherever smm reads a time (`--now`,
`--at`, a post's `publish_at`), in every ISO 8601 form Python reads as a date (`2026-11-25`, the basic
`20261125`, the week dates `2026-W48` and `2026-W48-3`): before, only the first was refused, and the
others meant midnight (a site built "now" at Monday 00:00 of that week)."""

from __future__ import annotations

import pytest
from conftest import post_text

DATES = ["2026-11-25", "20261125", "2026-W48", "2026-W48-3", " 2026-W48-3 "]
TIMES = ["2026-11-25T08:00", "2026-11-25 08:00", "20261125T0800", "2026-W48-3T08:00", "2026-11-25T08:00:00+08:00"]


@pytest.mark.parametrize("when", DATES + TIMES)
@pytest.mark.parametrize("command", [["check", "--now"], ["site", "build", "--now"], ["new", "A post", "--at"]],
                         ids=lambda c: c[0])
def test_a_date_alone_is_refused_where_a_time_is_read(make_repo, smm, command, when):
    make_repo({"2026/11/a.md": post_text("Hello.", publish_at="2026-12-01T12:00")})
    code, out, err = smm(*command, when, env={"SMM_OFFLINE": "1"})
    if when in DATES:
        assert code == 2 and "needs a time of day" in err, (code, out, err)
    else:
        assert code == 0, (code, out, err)


@pytest.mark.parametrize("when", DATES)
def test_a_post_published_at_a_date_alone_is_an_error(make_repo, smm, when):
    make_repo({"2026/11/a.md": post_text("Hello.", publish_at=f'"{when}"')})
    code, found, _ = smm.json("check", "--now", "2026-11-20T00:00", env={"SMM_OFFLINE": "1"})
    errors = [d for d in found if d["severity"] == "error"]
    assert code == 1 and [d["rule"] for d in errors] == ["post.publish-at"] and "needs a time of day" in errors[0]["message"]
