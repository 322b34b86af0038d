"""Who may win: the rules of a giveaway applied to the entrants the networks listed.

Each entry is judged alone first (the first reason found is kept): the brand's own accounts
(`brand`), brand/brand.yml's `staff` (`staff`), the rules' `exclude` (`excluded`), an entry made
after the deadline (`late`), an account younger than `min_account_age_days` at the deadline
(`account_too_new`, or `account_age_unknown` where the network does not say), one that does not
follow the brand's account under `must_follow` (`not_following`). Then, with `one_per_person`,
a person's further entries (other kinds, other accounts, other networks where brand/handles.yml
names them) are `duplicate`; without it each account, person and kind is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from smm.errors import NotSupported, PlatformError, StateError
from smm.platforms import answers, platform_class
from smm.platforms.messages import ENTRY_KINDS, Entrant

NOT_PLAIN_HANDLES = frozenset({"default"})  # handles.yml keys that hold text, not a handle


@dataclass(frozen=True)
class Entry:
    """One entrant as collected from one of the brand's accounts."""

    account: str
    network: str  # the account's platform
    entrant: Entrant


@dataclass
class Judged:
    eligible: list[dict] = field(default_factory=list)  # {"key", "account", "network", "handle"}, sorted by key
    rejected: list[dict] = field(default_factory=list)  # {"account", "network", "handle", "kind", "reason"}
    notes: list[str] = field(default_factory=list)  # what could not be checked, network by network


def plain(handle: str) -> str:
    """A handle as compared: no leading `@`, case folded (`@Fan@Mastodon.example` → `fan@mastodon.example`)."""
    return handle.strip().lstrip("@").casefold()


def people(handles: dict) -> dict[str, str]:
    """brand/handles.yml as plain handle → the name that links one person's accounts."""
    return {plain(handle): name for name, entry in handles.items() if isinstance(entry, dict)
            for key, handle in entry.items() if key not in NOT_PLAIN_HANDLES and isinstance(handle, str)}


def judge(entries: list[Entry], giveaway, *, handles: dict, staff, own_handles, labels: dict[str, str]) -> Judged:
    """The eligible entrants and every rejection with its reason. `labels`: network → its label."""
    who = people(handles)
    staff_set, excluded = {plain(s) for s in staff}, {plain(s) for s in giveaway.exclude}
    own = {plain(h) for h in own_handles}
    judged, kept = Judged(), {}
    order = sorted(entries, key=lambda e: (e.account, ENTRY_KINDS.index(e.entrant.kind), plain(e.entrant.author)))
    for entry in order:
        handle, person = plain(entry.entrant.author), who.get(plain(entry.entrant.author))
        names = {handle} | ({person.casefold()} if person else set())
        reason = ("brand" if entry.entrant.own or handle in own else "staff" if names & staff_set
                  else "excluded" if names & excluded else _reason(entry.entrant, giveaway))
        key = (f"person:{person}" if person else f"{entry.network}:{entry.entrant.author_id}")
        if not giveaway.one_per_person:
            key = f"{entry.account}:{entry.entrant.author_id}:{entry.entrant.kind}"
        if reason is None and key in kept:
            reason = "duplicate"
        if reason is None:
            kept[key] = {"key": key, "account": entry.account, "network": entry.network, "handle": entry.entrant.author}
        else:
            judged.rejected.append({"account": entry.account, "network": entry.network, "handle": entry.entrant.author,
                                    "kind": entry.entrant.kind, "reason": reason})
    judged.eligible = sorted(kept.values(), key=lambda e: e["key"])
    judged.notes = _notes(entries, giveaway, labels)
    return judged


def _reason(entrant: Entrant, giveaway) -> str | None:
    """Why this entry cannot win by the time and account rules, if it cannot."""
    if entrant.entered_at is not None and entrant.entered_at > giveaway.deadline:
        return "late"
    if giveaway.min_account_age_days:
        if entrant.account_created_at is None:
            return "account_age_unknown"
        if giveaway.deadline - entrant.account_created_at < timedelta(days=giveaway.min_account_age_days):
            return "account_too_new"
    if giveaway.must_follow and entrant.follows is False:
        return "not_following"
    return None


def _notes(entries: list[Entry], giveaway, labels: dict[str, str]) -> list[str]:
    """What the record must say was not checked: per network, entries without a time (counted as
    made before the deadline) and, under `must_follow`, accounts whose following could not be told."""
    notes = set()
    for entry in entries:
        label = labels.get(entry.network, entry.network)
        if entry.entrant.entered_at is None:
            notes.add(f"{label} does not say when a {entry.entrant.kind} was made: counted as before the deadline")
        if giveaway.must_follow and entry.entrant.follows is None:
            notes.add(f"{label} does not let the brand check who follows it: must_follow not checked there")
    return sorted(notes)


def published_on(repo, post) -> dict[str, str]:
    """Account → the post's remote id there, for each account the post was published to."""
    record = repo.records.get(post.id)
    jobs = record.accounts if record is not None else {}
    return {account: str(job["remote_id"]) for account, job in sorted(jobs.items())
            if isinstance(job, dict) and job.get("state") == "published" and job.get("remote_id")}


def collect(repo, accounts: dict[str, str], giveaway, env, adapter_for=None) -> list[Entry]:
    """Every entry on each account's copy of the post (`accounts`: account → remote id)."""
    adapter_for = adapter_for or (lambda name: platform_class(repo.config.accounts[name].platform)(
        repo.config.accounts[name], env, repo.root))
    found = []
    for name, remote_id in accounts.items():
        if name not in repo.config.accounts:
            raise StateError(f"the post was published on `{name}`, which platforms.yml no longer declares: "
                             "its entrants cannot be read")
        network = repo.config.accounts[name].platform
        adapter = adapter_for(name)
        try:
            entrants, problems = answers.kept(adapter.entrants(remote_id, giveaway.enter))
        except NotSupported as exc:
            raise StateError(f"{name}: {exc.message}; the draw needs every account's entrants") from None
        except PlatformError as exc:  # said with the account it was read through
            exc.message = f"{name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        finally:
            adapter.close()
        if problems:  # an entrant left out could have won: no draw
            raise PlatformError(f"{name}: " + answers.left_out(adapter.label, problems, "entrant", "no draw"))
        found += [Entry(name, network, e) for e in entrants]
    return found
