"""The lines of one inbox item are ordered by the instant each was written, not by their text: two lines
whose times carry different UTC offsets (a hand edit, another tool) kept the wrong one as the item's state
and the wrong first answer (`10:00+08:00` is 02:00 UTC, before `03:00+00:00`, but sorts after it)."""

from __future__ import annotations

import pytest
from test_inbox import _item

from smm.inbox.items import append_items, load_history

# (the item's lines in the order written to the file, its state then, when it was first answered)
CASES = [
    ([("answered", "2026-12-05T10:00:00+08:00"), ("dismissed", "2026-12-05T03:00:00+00:00")],
     "dismissed", "2026-12-05T10:00:00+08:00"),
    ([("dismissed", "2026-12-05T03:00:00+00:00"), ("answered", "2026-12-05T10:00:00+08:00")],
     "dismissed", "2026-12-05T10:00:00+08:00"),
    ([("answered", "2026-12-05T01:30:00-01:00"), ("answered", "2026-12-05T10:00:00+08:00")],
     "answered", "2026-12-05T10:00:00+08:00"),  # 02:30 and 02:00 UTC: the second came first
    ([("escalated", "2026-12-05T03:00:00+00:00"), ("answered", "2026-12-05T11:00:00+08:00")],
     "answered", "2026-12-05T11:00:00+08:00"),  # the same instant: the further state (smm.inbox.items.STATES)
    ([("answered", "2026-12-05T11:00:00+08:00"), ("escalated", "2026-12-05T03:00:00+00:00")],
     "answered", "2026-12-05T11:00:00+08:00"),
    ([("open", "2026-12-05T10:00:00+00:00"), ("answered", "2026-12-05T11:00:00+00:00")],
     "answered", "2026-12-05T11:00:00+00:00"),  # one offset (guard)
]


@pytest.mark.parametrize(("written", "state", "first_answer"), CASES)
def test_an_items_lines_are_ordered_by_instant(tmp_path, written, state, first_answer):
    for line_state, updated in written:
        append_items(tmp_path, [_item("mastodon:1", line_state, updated)])
    items, answered = load_history(tmp_path)
    assert (items["mastodon:1"].state, answered.get("mastodon:1")) == (state, first_answer)
