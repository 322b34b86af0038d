"""How quickly the brand answers, for `smm report`: of the items said in the report's period,
how many were answered, the median time to the first answer, the share answered within their
response time, and how many are overdue — overall, per account and per priority."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from statistics import median

from smm.inbox.items import PRIORITIES, Item, load_history

DEFINITION = ("items said to the brand in the period (data/inbox/); answered: a reply published or an auto-reply "
              "sent; first response: from when it was said to the first answer; within SLA: answered by its due "
              "time (brand/replies.yml), of the items answered or already due at the period's end; overdue: "
              "still waiting past its due time at the period's end")


def responsiveness(root: Path, start: datetime, end: datetime, renames: dict[str, str]) -> dict:
    """`renames` (an account's former name → its name now): an item that came to the old name is the account's."""
    every, answers = load_history(root)
    items = [i for i in every.values() if start <= datetime.fromisoformat(i.created_at) < end]
    account = {i.id: renames.get(i.account, i.account) for i in items}
    return {**_figures(items, answers, end),
            "by_account": [{"account": a, **_figures([i for i in items if account[i.id] == a], answers, end)}
                           for a in sorted(set(account.values()))],
            "by_priority": [{"priority": p, **_figures([i for i in items if i.priority == p], answers, end)}
                            for p in PRIORITIES if any(i.priority == p for i in items)]}


def _figures(items: list[Item], answers: dict[str, str], end: datetime) -> dict:
    answered = {i.id: datetime.fromisoformat(answers[i.id]) for i in items
                if i.id in answers and datetime.fromisoformat(answers[i.id]) < end}
    waits = [(answered[i.id] - datetime.fromisoformat(i.created_at)).total_seconds() / 60 for i in items
             if i.id in answered]
    judged = [i for i in items if i.id in answered or datetime.fromisoformat(i.due_by) <= end]
    within = [i for i in judged if i.id in answered and answered[i.id] <= datetime.fromisoformat(i.due_by)]
    waiting = [i for i in items if i.id not in answered and i.state not in ("dismissed",)]
    return {"items": len(items), "answered": len(answered),
            "median_first_response_minutes": round(median(waits)) if waits else None,
            "within_sla_pct": round(100 * len(within) / len(judged), 2) if judged else None,
            "overdue": sum(1 for i in waiting if datetime.fromisoformat(i.due_by) <= end)}
