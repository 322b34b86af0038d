"""Review 17, planning: giveaway verification, goal dates, the sponsored-post gate's reading of
post files, and the calendar's iCalendar feed (time zones past 2037, one UID per event)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.test_giveaways import DEADLINE, commit, drawn, giveaway_repo  # noqa: F401  (a fixture)


# -- giveaway verify: the winners as announced, in the record of this post ------------------------

def _winner(field, value):
    return lambda record: record["winners"][0].update({field: value})


@pytest.mark.parametrize("tamper, named", [
    pytest.param(_winner("handle", "friend@mastodon.example"), "winners: the record says @friend@mastodon.example",
                 id="a winner's handle replaced (the announcement names it)"),
    pytest.param(_winner("account", "bluesky"), "winners:", id="a winner's account replaced"),
    pytest.param(_winner("rank", "0" * 64), "winners:", id="a winner's rank replaced"),
    pytest.param(_winner("prize", "the big one"), "winners:", id="a field added to a winner"),
    pytest.param(lambda record: record.update(post="another-post"), "post: the record says 'another-post'",
                 id="the record of another post"),
])
def test_verify_compares_the_winners_whole_and_the_post(giveaway_repo, smm, tamper, named):  # noqa: F811
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    record = drawn(giveaway_repo)
    tamper(record)
    (giveaway_repo / "data/giveaways/g.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, err = smm("giveaway", "verify", "g")
    assert (code, out) == (1, "")
    assert err.startswith("mismatch: g") and named in err
