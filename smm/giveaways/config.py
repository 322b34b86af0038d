"""A post's `giveaway:` front matter: read into a Giveaway, and checked by `smm check` (`giveaway.*`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smm.check.diagnostics import ERROR, Diagnostic
from smm.platforms.messages import ENTRY_KINDS
from smm.workspace.schema import did_you_mean


@dataclass(frozen=True)
class Giveaway:
    enter: tuple[str, ...]
    deadline: datetime  # aware
    winners: int
    one_per_person: bool = True
    exclude: tuple[str, ...] = ()
    min_account_age_days: int | None = None
    must_follow: bool = False

    @property
    def rules(self) -> dict:
        """The rules as applied (defaults filled in), as the record keeps them."""
        return {"one_per_person": self.one_per_person, "exclude": list(self.exclude),
                "min_account_age_days": self.min_account_age_days, "must_follow": self.must_follow}


def parse_deadline(raw: object) -> datetime:
    """The deadline as an aware datetime; ValueError says why it is not one. An offset is required:
    everyone who checks the draw must read the same instant."""
    if not isinstance(raw, str):
        raise ValueError("must be a date and time such as `2026-12-24T20:00:00+08:00`")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("is not an ISO 8601 date and time such as `2026-12-24T20:00:00+08:00`") from None
    if moment.tzinfo is None:
        raise ValueError("has no UTC offset: write it, e.g. `2026-12-24T20:00:00+08:00`, so that everyone "
                         "checking the draw reads the same instant")
    return moment


def giveaway_of(post) -> Giveaway | None:
    """The post's giveaway (None without one); ValueError for one `smm check` would refuse."""
    data = post.meta.get("giveaway")
    if not isinstance(data, dict):
        return None
    rules = data.get("rules") or {}
    return Giveaway(tuple(data["enter"]), parse_deadline(data.get("deadline")), int(data["winners"]),
                    rules.get("one_per_person", True), tuple(rules.get("exclude") or ()),
                    rules.get("min_account_age_days"), bool(rules.get("must_follow", False)))


def check_giveaway(post, accounts: dict, classes: dict) -> list[Diagnostic]:
    """`giveaway.*` problems of one post: an unknown entry kind, fewer than one winner, a deadline that
    is unreadable or not after `publish_at`, an account whose network cannot list an entry kind.
    `accounts`: platforms.yml's accounts by name; `classes`: platform classes by name."""
    data = post.meta.get("giveaway")
    if not isinstance(data, dict):
        return []
    found = []

    def say(path, rule, message, hint=None):
        found.append(Diagnostic.at(post.file, post.at(("giveaway",) + path), ERROR, rule, message, hint))

    enter = [k for k in data.get("enter") or [] if isinstance(k, str)] if isinstance(data.get("enter"), list) else []
    for index, kind in enumerate(enter):
        if kind not in ENTRY_KINDS:
            say(("enter", index), "giveaway.entry", f"unknown entry kind `{kind}`: people enter by "
                f"{', '.join(ENTRY_KINDS)}", did_you_mean(kind, ENTRY_KINDS))
    winners = data.get("winners")
    if isinstance(winners, int) and not isinstance(winners, bool) and winners < 1:
        say(("winners",), "giveaway.winners", f"`winners` is {winners}: a giveaway draws at least 1 winner")
    if "deadline" in data:
        try:
            deadline = parse_deadline(data["deadline"])
        except ValueError as exc:
            say(("deadline",), "giveaway.deadline", f"`deadline` {data['deadline']!r} {exc}")
        else:
            if post.publish_at is not None and deadline <= post.publish_at:
                say(("deadline",), "giveaway.deadline", f"the deadline {deadline.isoformat()} is not after the post's "
                    f"`publish_at` {post.publish_at.isoformat()}: nobody could enter", "move the deadline later")
    for name in post.accounts if isinstance(post.accounts, list) else []:
        account = accounts.get(name) if isinstance(name, str) else None
        cls = classes.get(account.platform) if account is not None else None
        missing = [k for k in enter if k in ENTRY_KINDS and cls is not None and k not in cls.entrant_kinds]
        if missing:
            found.append(Diagnostic.at(post.file, post.at(("platforms", post.accounts.index(name))), ERROR,
                                       "giveaway.network", f"`{name}` ({cls.label}): smm cannot list who entered by "
                                       f"{', '.join(missing)} there, so its entrants could not be drawn",
                                       "leave the account out of the giveaway post, or those entry kinds"))
    return found
