"""A goal's forecast reads a straight line fitted to its recent values at the deadline. Every goal metric is a
count or a share of counts, so a line falling fast must not forecast less than nothing: the forecast stops at
0 (status `at risk` all the same), whatever the metric."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smm.report.goals import Context, evaluate
from smm.report.kpis import MeasuredPost

UTC = timezone.utc
END = datetime(2026, 12, 1, tzinfo=UTC)


def falling_posts(days: int = 120) -> list[MeasuredPost]:
    """Posts on `a` up to END, three a day at first and one a day for the last month, each with fewer likes than the
    one before (from 1,000 followers): every 30-day figure falls."""
    found = []
    for day in range(days):
        at = END - timedelta(days=days - day)
        found += [MeasuredPost(f"p{day}-{n}", "t", "a", "local", at, likes=max(0, days - day - 10), collected=True,
                               followers=1000) for n in range(3 if day < days - 30 else 1)]
    return found


FALLING_FOLLOWERS = {"a": [(END - timedelta(days=d), 1000 + 40 * d) for d in range(90, -1, -1)]}  # -40 a day

# metric: (baseline, target): each would forecast below zero at a deadline 90 days on
CASES = {"followers": (1000, 5000), "posts": (10, 200), "interactions": (100, 9000), "engagement_rate": (1, 10)}


@pytest.mark.parametrize("metric", CASES)
def test_a_falling_trend_forecasts_no_less_than_nothing(metric):
    baseline, target = CASES[metric]
    goal = {"id": "g", "metric": metric, "account": "a", "baseline": baseline, "target": target,
            "deadline": (END + timedelta(days=90)).date().isoformat()}
    result = evaluate(goal, Context(FALLING_FOLLOWERS, falling_posts(), UTC), END)
    assert result["trend_per_day"] < 0 and result["status"] == "at risk", result
    assert result["forecast"] == 0, result
