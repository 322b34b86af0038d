"""`smm publish`: run the due jobs through their adapters, exactly once each.

The protocol, per (post, account) job:

    new/pending ──► in_flight(attempt) ──► call ──► published
                        │                     ├──► failed (refused: certainly not done)
                        │                     └──► outcome unknown ──► find() ──► published
                        ▼                                  nothing yet: wait `settle`, or leave in_flight
    a run that finds in_flight reconciles it with find() before any call;
    unconfirmed is never retried automatically: a human looks, then runs `smm resolve`

Before a call the record is in_flight with the attempt (`sent`): when, until when, and the
text and media as sent; each result is on disk before the next call. With `--push` the
attempts of all due jobs are committed and pushed as one compare-and-swap before the first
call (a claim that holds for LEASE): a run that loses the race reads again and never calls
for a job another live run holds. find() only matches what one of the job's attempts sent,
in the attempts' time window, and never a post another record owns; nothing found while a
call may still take effect (the network's `settle` time) proves nothing.
Threads publish part by part and resume from the first missing part.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Callable, Mapping

from smm.data.records import RecordStore
from smm.errors import (
    AuthError,
    NotSupported,
    RateLimited,
    Rejected,
    SmmError,
    TransientError,
)
from smm.platforms import Lookup, Outgoing, Platform, PublishResult, platform_class
from smm.publish.schedule import Job, due_jobs
from smm.workspace.files import CannotWrite, inside, open_regular
from smm.workspace.repo import Repo, load_repo

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # calls per job across runs before a transient failure counts as permanent
TRIES_PER_RUN = 3  # calls per part within one run (transient errors, rate limits)
MAX_WAIT = 60.0  # seconds one run may wait (rate limits, a call settling) before leaving it to the next run
LEASE = timedelta(minutes=10)  # how long a pushed claim holds its jobs; the run calls no network after it
SKEW = timedelta(minutes=2)  # how far the clocks of runners and networks may disagree
CLAIM_TRIES = 5  # claims pushed per run before giving up (each loss means another push came first)

DONE = "published"


@dataclass
class JobResult:
    post: str
    account: str
    state: str  # published, failed, unconfirmed, in_flight, late, skipped, would_publish
    url: str | None = None
    error: str | None = None
    fails_run: bool = True  # False for a job skipped because its platform cannot publish from smm at all

    def as_json(self) -> dict:
        return {"post": self.post, "account": self.account, "state": self.state, "url": self.url, "error": self.error}


@dataclass
class Report:
    jobs: list[JobResult] = field(default_factory=list)
    not_configured: dict[str, list[str]] = field(default_factory=dict)  # account → missing variables
    git_error: str | None = None  # why the records could not be committed or pushed

    @property
    def exit_code(self) -> int:
        return 1 if self.git_error or any(j.state in ("failed", "unconfirmed") or (j.state == "skipped" and j.fails_run)
                                          for j in self.jobs) else 0

    def as_json(self) -> dict:
        return {"jobs": [j.as_json() for j in self.jobs]} | ({"git_error": self.git_error} if self.git_error else {})


def _content(rendered, root) -> str:
    """What the account receives, as one string: the parts, and the media files with their digests
    (so a fixed or replaced picture makes a new key)."""
    media = []
    for m in rendered.media:
        media.append([m.file, m.alt, _digest(root, m.file)])
    return json.dumps([[p.text for p in rendered.parts], media], ensure_ascii=False)


def _digest(root, file: str) -> str:
    """A media file's BLAKE2 digest; "missing" when it is not a readable regular file in the repository."""
    path, outside = inside(root, file)
    if outside:
        return "missing"
    try:
        with open_regular(path) as handle:
            return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
    except OSError:
        return "missing"


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def idempotency_key(post_id: str, account: str, content: str) -> str:
    return hashlib.sha256(f"{post_id}\n{account}\n{content}".encode()).hexdigest()[:32]


def resolve_hint(post_id: str, account: str) -> str:
    """What a human does about a job whose outcome nobody could tell."""
    resolve = f"smm resolve {post_id} --account {account}"
    return f"check the account: if the post is there, run `{resolve} --published URL`, if not `{resolve} --not-published`"


def _settle_failed(post_id: str, account: str) -> str:
    """What a human does about a job that failed for good."""
    return f"change the post, or run `smm resolve {post_id} --account {account} --published URL | --not-published`"


def checkpoint(name: str) -> None:
    """Fault injection for crash tests: SMM_TEST_CRASH_AT=<name> kills the process here."""
    if os.environ.get("SMM_TEST_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _humanize(delta) -> str:
    """`2 d 4 h`, `3 h 10 min`, `12 min`."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0 min"


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _exact(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _latest(attempts: list[dict]) -> datetime:
    """The latest moment any of these attempts may have called the network."""
    return max(_time(a.get("until") or a.get("last_call") or a["at"]) for a in attempts)


@dataclass
class Plan:
    """A due job that needs the network, as decided before any call."""

    job: Job
    state: str
    platform: type[Platform]
    rendered: object
    key: str
    record: dict


class Publisher:
    def __init__(self, repo: Repo, now: datetime, env: Mapping[str, str], *, dry_run: bool = False,
                 include_late: bool = False, retry_unconfirmed: tuple[str, ...] = (),
                 sleep: Callable[[float], None] = time.sleep, claim: Callable[[str], bool] | None = None,
                 clock: Callable[[], datetime] | None = None, wall: Callable[[], datetime] | None = None) -> None:
        """`clock` times the records (default: `now`); `wall` is the real time, for attempts and
        claims that other runs and the networks' own timestamps are compared with. `claim`
        (with --push) commits and pushes the attempts; False when another push came first."""
        self.repo = repo
        self.now = now
        self.env = env
        self.dry_run = dry_run
        self.include_late = include_late
        self.retry_unconfirmed = set(retry_unconfirmed)
        self.sleep = sleep
        self.claim = claim
        self.clock = clock or (lambda: now)
        self.wall = wall or (lambda: datetime.now(timezone.utc))
        self.run_id = uuid.uuid4().hex[:12]
        self.until: datetime | None = None  # the end of this run's pushed claim
        self.store = RecordStore(repo.root, repo.records)
        self.adapters: dict[str, Platform] = {}
        self.not_ready: dict[str, str] = {}  # account → why its secrets cannot be used

    @cached_property
    def renderer(self):
        from smm.render.rendered import (
            Renderer,  # Markdown and Jinja2: only when something is due
        )

        return Renderer(self.repo.root, self.repo.config, self.repo.brand)

    # -- the run, top to bottom -------------------------------------------------------

    def run(self) -> Report:
        report = Report()
        for name, account in self.repo.config.accounts.items():  # every secret is usable before any call
            platform = platform_class(account.platform)
            if reason := platform.not_configured(account.options, self.env):
                report.not_configured[name] = platform.missing_secrets(account.options, self.env)
                self.not_ready[name] = reason
        try:
            for job, outcome in self.plan(report):
                if isinstance(outcome, Plan):
                    outcome = self._guarded(job, lambda: self.publish(outcome))
                if outcome is not None:
                    report.jobs.append(outcome)
                    log.info("%s → %s: %s%s", job.post.id, job.account, outcome.state,
                             f" ({outcome.error})" if outcome.error else "")
        finally:
            for adapter in self.adapters.values():
                adapter.close()
        return report

    def plan(self, report: Report) -> list[tuple[Job, JobResult | Plan | None]]:
        """What each due job needs; with --push, the jobs that need the network are claimed first."""
        for _ in range(CLAIM_TRIES):
            planned = [(job, self._guarded(job, lambda: self.prepare(job, report)))
                       for job in due_jobs(self.repo.posts, self.store, self.repo.config, self.now)]
            plans = [p for _, p in planned if isinstance(p, Plan) and not p.platform.in_repository]
            if self.claim is None or not plans or self._claim(plans):
                return planned
            log.info("another run pushed first: reading the repository again")
            self.repo = load_repo(self.repo.root)
            self.store = RecordStore(self.repo.root, self.repo.records)
            self.__dict__.pop("renderer", None)
        raise SmmError(f"could not claim the due jobs: another push came first {CLAIM_TRIES} times; nothing was sent")

    def _guarded(self, job: Job, step: Callable[[], JobResult | Plan | None]) -> JobResult | Plan | None:
        try:
            return step()
        except SmmError as exc:  # e.g. a record or feed it cannot write (CannotWrite): said as such
            log.debug("%s → %s failed", job.post.id, job.account, exc_info=True)
            return JobResult(job.post.id, job.account, "failed", None, exc.message)
        except Exception as exc:  # a bug, or an SDK's surprise: this job only, the run goes on
            log.debug("%s → %s failed", job.post.id, job.account, exc_info=True)
            return JobResult(job.post.id, job.account, "failed", None,
                             f"internal error: {type(exc).__name__}: {exc} (please report it)")

    def _claim(self, plans: list[Plan]) -> bool:
        """Every planned job in_flight with this run's attempt, committed and pushed as one."""
        now = self.wall()
        self.until = now + LEASE
        for plan in plans:  # with what decides the call: the key, and the first attempt's time (Bluesky's record key)
            plan.record = {**plan.record, "state": "in_flight", "key": plan.key,
                           "first_attempt": plan.record.get("first_attempt") or _utc(self.clock()),
                           "sent": self._earlier(plan) + [self._attempt(plan.rendered, now, self.until)]}
            self._save(plan.job, plan.record)
        claimed = self.claim(f"smm publish: claim {len(plans)} job(s) until {_utc(self.until)}")
        checkpoint("after_claim")
        return claimed

    def prepare(self, job: Job, report: Report) -> JobResult | Plan | None:
        """Decide what the job needs: nothing, a report, a late mark, or the network (a Plan)."""
        record = self.store.job(job.post.id, job.account)
        state = record.get("state", "new")  # as it is now, not when the run began

        def result(state: str, error: str | None = None) -> JobResult:
            return JobResult(job.post.id, job.account, state, None, error)
        if state == "late":
            if job.late(self.repo.config) and not self.include_late:
                return None  # reported when it became late
            state = "new"  # rescheduled since, or --include-late: due now
        if state == "unconfirmed" and job.post.id not in self.retry_unconfirmed:
            return result("unconfirmed", record.get("error") or f"outcome unknown; {resolve_hint(job.post.id, job.account)}")
        if state == "failed" and not self._may_retry(record, job):  # permanent: a changed post is tried again
            return result("failed", f"failed earlier and not retried: {record.get('error') or 'no reason recorded'}; "
                                    + _settle_failed(job.post.id, job.account))
        platform = platform_class(self.repo.config.accounts[job.account].platform)
        held = self._held(record, platform)
        if state == "in_flight" and held:
            return result("in_flight", held)
        if job.late(self.repo.config) and not self.include_late and state in ("new", "pending", "failed"):
            message = f"due {_humanize(job.lateness)} ago, over this account's max_lateness (use --include-late)"
            if not self.dry_run:
                self._save(job, {**record, "state": "late", "error": message})
            return result("late", message)
        reason = platform.unavailable() or self.not_ready.get(job.account)
        if reason:
            if state == "new" and not self.dry_run:  # due, and waiting for the account to be set up
                self._save(job, {"state": "pending", "error": reason})
            return JobResult(job.post.id, job.account, "skipped", None, reason, fails_run=platform.can_publish)
        rendered = self.renderer.render(job.post, job.account)
        problems = [d for d in rendered.diagnostics if d.is_error]
        key = idempotency_key(job.post.id, job.account, _content(rendered, self.repo.root))
        if problems and state != "in_flight":  # an in_flight job is reconciled first: it may have gone out
            if not self.dry_run:
                self._save(job, {**record, "state": "failed", "retryable": False, "key": key,
                                 "error": f"does not pass smm check: {problems[0].message}"})
            return result("failed", f"does not pass smm check: {problems[0].message}")
        if self.dry_run:
            return result("would_publish")
        if state in ("in_flight", "unconfirmed") and record.get("key"):
            key = record["key"]  # the content may have changed since: keep the key of the call made
        return Plan(job, state, platform, rendered, key, record)

    def _may_retry(self, record: dict, job: Job) -> bool:
        if record.get("retryable"):
            return True
        rendered = self.renderer.render(job.post, job.account)  # changed since it failed: try again
        return record.get("key") != idempotency_key(job.post.id, job.account, _content(rendered, self.repo.root))

    # -- attempts: what was sent, when, and whether another run may still be sending --------

    def _attempt(self, rendered, now: datetime, until: datetime | None = None) -> dict:
        """This run's attempt at a job: what it sends (so a later run can recognize it) and when."""
        return {"run": self.run_id, "at": _exact(now), "until": _exact(until) if until else None,
                "content_hash": hashlib.sha256(_content(rendered, self.repo.root).encode()).hexdigest(),
                "texts": [p.text for p in rendered.parts],
                "media": [{"file": m.file, "alt": m.alt} for m in rendered.media]}

    def _earlier(self, plan: Plan) -> list[dict]:
        """Attempts of other runs whose outcome nobody knows yet (none after a human said so)."""
        record = plan.record
        if plan.state != "in_flight":  # new, failed (refused), or unconfirmed and a human said it did not go out
            return []
        attempts = [a for a in record.get("sent") or [] if a["run"] != self.run_id]
        if "sent" not in record:  # written before attempts were kept
            since = record.get("first_attempt") or record.get("last_attempt") or _utc(plan.job.post.publish_at)
            attempts = [{**self._attempt(plan.rendered, _time(since)), "run": "earlier", "last_call": _exact(self.wall())}]
        return attempts

    def _held(self, record: dict, platform: type[Platform]) -> str | None:
        """Why another live run holds this job (its pushed claim has not run out), or None."""
        settle = timedelta(seconds=platform.settle)
        for attempt in record.get("sent") or []:
            if attempt.get("until") and attempt["run"] != self.run_id and self.wall() < _time(attempt["until"]) + settle:
                return (f"claimed by another run until {_utc(_time(attempt['until']) + settle)}: "
                        "left to it (a later run reconciles it if that run was lost)")
        return None

    def _rival(self, outgoing: Outgoing, lookup: Lookup, platform: type[Platform]) -> str | None:
        """Another job of the account that a live run holds and that may have sent one of these
        texts first: what it made is on the network but in no record yet. Its post id, or None."""
        if outgoing.index:  # later parts reply to this job's own part: no other job's post can match
            return None
        texts = {sent.text for sent in lookup.sent}
        for post_id, record in self.store.records.items():
            other = record.accounts.get(outgoing.account) or {}
            if (post_id != outgoing.post_id and other.get("state") == "in_flight" and self._held(other, platform)
                    and any(a["texts"][:1] and a["texts"][0] in texts for a in other.get("sent") or [])):
                return post_id
        return None

    def _lookup(self, job: Job, attempts: list[dict], outgoing: Outgoing, platform: type[Platform],
                until: datetime | None = None) -> Lookup:
        """What find() may match for this part: the versions these attempts sent, in their window."""
        index = outgoing.index
        sent = tuple(replace(outgoing, text=a["texts"][index],
                             media=tuple((m["file"], m["alt"]) for m in a["media"]) if index == 0 else ())
                     for a in attempts if index < len(a["texts"]))
        latest = until or _latest(attempts)
        return Lookup(sent, min(_time(a["at"]) for a in attempts) - SKEW,
                      latest + timedelta(seconds=platform.settle) + SKEW, self.store.owned(job.account, job.post.id))

    # -- one job ---------------------------------------------------------------------

    def publish(self, plan: Plan) -> JobResult:
        job, rendered = plan.job, plan.rendered
        adapter = self.adapter(job.account, plan.platform)
        record = plan.record
        parts = record.get("parts") or []
        changed = [i for i, p in enumerate(parts)
                   if i >= len(rendered.parts) or p.get("hash", _hash(rendered.parts[i].text)) != _hash(rendered.parts[i].text)]
        if changed:
            return self._failed(job, record, Rejected(
                f"{len(parts)} part(s) of this thread went out, and part {changed[0] + 1} has changed since: "
                "finish or remove the thread by hand, then mark the record"), retryable=False)
        done = [PublishResult(p["remote_id"], p.get("url"), p.get("extra") or {}) for p in parts]
        recorded = len(done)
        earlier = self._earlier(plan)
        record = {**record, "key": plan.key, "content_hash": hashlib.sha256(_content(rendered, self.repo.root).encode()).hexdigest(),
                  "retryable": None, "error": None, "first_attempt": record.get("first_attempt") or _utc(self.clock()),
                  "sent": earlier + [a for a in record.get("sent") or [] if a["run"] == self.run_id]}
        try:
            for index in range(len(done), len(rendered.parts)):
                outgoing = self._outgoing(job, plan.platform, rendered, record, index, done)
                part_key = plan.key if index == 0 else f"{plan.key}-{index}"
                found, edited = None, False
                if earlier:
                    lookup = self._lookup(job, earlier, outgoing, plan.platform)
                    wait = max(0.0, (_latest(earlier) + timedelta(seconds=plan.platform.settle) - self.wall()).total_seconds())
                    found = self.reconcile(adapter, outgoing, part_key, lookup, wait)
                    edited = found is not None and outgoing.text not in {s.text for s in lookup.sent}
                    if found is None:  # none of the earlier attempts got this far: they are over
                        earlier = []
                        record = {**record, "sent": [a for a in record["sent"] if a["run"] == self.run_id]}
                if found is None:
                    record = self._calling(job, record, rendered)
                    checkpoint("after_in_flight")
                    found = self.call(adapter, outgoing, part_key, plan.platform)
                    checkpoint("after_call")
                done.append(found)
                record = {**record, "parts": [
                    {"remote_id": r.remote_id, "url": r.url, "hash": _hash(rendered.parts[i].text)}
                    | ({"extra": r.extra} if r.extra else {}) for i, r in enumerate(done)]}
                checkpoint("before_record")
                self._save(job, record)
                recorded = len(done)
                if edited and index + 1 < len(rendered.parts):
                    raise Rejected(f"part {index + 1} went out as it read before an edit: finish or remove "
                                   "the thread by hand, then mark the record")
        except _Pending as exc:
            self._save(job, {**self._done_calling(record), "state": "in_flight", "error": str(exc)})
            return JobResult(job.post.id, job.account, "in_flight", None, str(exc))
        except _Unconfirmed as exc:
            error = f"{exc}; {resolve_hint(job.post.id, job.account)}"
            self._save(job, {**self._done_calling(record), "state": "unconfirmed", "error": error})
            return JobResult(job.post.id, job.account, "unconfirmed", None, error)
        except CannotWrite as exc:  # the record (or the feed): nothing more is sent for this job
            unrecorded = [r.url or r.remote_id for r in done[recorded:]]
            return JobResult(job.post.id, job.account, "failed", None, exc.message + (
                f"; sent but not recorded: {', '.join(unrecorded)} (the record on disk says in flight: the next "
                "run looks it up before sending again)" if unrecorded else "; nothing was sent"))
        except (Rejected, NotSupported) as exc:
            return self._failed(job, record, exc, retryable=False)
        except (AuthError, TransientError, RateLimited) as exc:
            return self._failed(job, record, exc, retryable=True)
        first = done[0]
        record = {**record, "state": DONE, "remote_id": first.remote_id, "url": first.url,
                  "published_at": _utc(self.clock()), "sent": None}
        try:
            self._save(job, record)
        except CannotWrite as exc:
            return JobResult(job.post.id, job.account, "failed", None, f"{exc.message}; it went out ({first.url or first.remote_id}) "
                             "and the record on disk has it: the next run records it published, sending nothing")
        return JobResult(job.post.id, job.account, DONE, first.url)

    def _outgoing(self, job: Job, platform: type[Platform], rendered, record: dict, index: int,
                  done: list[PublishResult]) -> Outgoing:
        part = rendered.parts[index]
        return Outgoing(
            post_id=job.post.id, account=job.account, title=rendered.title, text=part.text, index=index,
            total=len(rendered.parts), facets=part.facets,
            media=tuple((self.repo.root / m.file, m.alt) for m in rendered.media) if index == 0 else (),
            link=rendered.link, published_at=_utc(job.post.publish_at), created_at=record["first_attempt"],
            languages=rendered.languages, content_warning=rendered.content_warning,
            reply_to=done[-1] if done else None, thread_root=done[0] if done else None)

    def _calling(self, job: Job, record: dict, rendered) -> dict:
        """The record just before a call: in_flight, with this run's attempt and the call's time."""
        now = self.wall()
        sent = [a for a in record.get("sent") or [] if a["run"] != self.run_id]
        ours = next((a for a in record.get("sent") or [] if a["run"] == self.run_id), None) or self._attempt(rendered, now)
        record = {**record, "state": "in_flight", "attempts": record.get("attempts", 0) + 1,
                  "last_attempt": _utc(self.clock()), "sent": sent + [{**ours, "last_call": _exact(now)}]}
        self._save(job, record)
        return record

    def _done_calling(self, record: dict) -> dict:
        """This run's attempt once it calls no more: gone if it made no call, else ending now (so a
        later run waits only the settle time, not the rest of the claim)."""
        now = _exact(self.wall())
        sent = [{**a, "until": now} if a["run"] == self.run_id and a.get("until") else a
                for a in record.get("sent") or [] if a["run"] != self.run_id or a.get("last_call")]
        return {**record, "sent": sent}  # [] (not absent): nothing of this job is in flight

    def reconcile(self, adapter: Platform, outgoing: Outgoing, key: str, lookup: Lookup, wait: float,
                  budget: float = MAX_WAIT) -> PublishResult | None:
        """find(); when nothing is there yet but a call may still take effect for `wait` seconds,
        look again after them (when the run may wait that long), else leave the job in_flight."""
        rival = self._rival(outgoing, lookup, type(adapter))
        if rival:  # its post, made but not recorded yet, would look like ours
            raise _Pending(f"post {rival} may have sent the same text in another run that is still under way: "
                           "looked at again once that run is over")
        found = self.find(adapter, outgoing, key, lookup)
        if found is not None or wait <= 0:
            return found
        until = None if adapter.in_repository else self.until
        if wait > budget or (until is not None and self.wall() + timedelta(seconds=wait) >= until):
            raise _Pending(f"the answer of a call to {adapter.label} was lost and its post is not there yet, but it "
                           f"may still take effect for {wait:.0f} s: looked at again on the next run")
        log.info("%s → %s: waiting %.0f s for an earlier call to settle", outgoing.post_id, outgoing.account, wait)
        self.sleep(wait)
        return self.find(adapter, outgoing, key, lookup)

    def find(self, adapter: Platform, outgoing: Outgoing, key: str, lookup: Lookup) -> PublishResult | None:
        """Reconcile a call whose outcome is unknown; raise _Unconfirmed when nobody can tell."""
        try:
            found = adapter.find(outgoing, idempotency_key=key, lookup=lookup)
        except NotSupported as exc:
            raise _Unconfirmed(f"a call was under way and {adapter.label} cannot tell whether it worked ({exc.message})") from None
        except (TransientError, RateLimited, AuthError) as exc:
            raise _Unconfirmed(f"could not reconcile an earlier call: {exc.message}") from None
        if found is not None and found.remote_id in lookup.owned:  # an adapter's bug must not lose a post
            raise _Unconfirmed(f"{adapter.label} matched {found.remote_id}, which another record owns")
        return found

    def call(self, adapter: Platform, outgoing: Outgoing, key: str, platform: type[Platform]) -> PublishResult:
        """One part, retried within the run while the network certainly did not act (bounded)."""
        waited = 0.0
        for attempt in range(1, TRIES_PER_RUN + 1):
            if self.until is not None and not platform.in_repository and self.wall() >= self.until:
                raise _Pending("this run's claim ran out before the call: left to the next run")
            sent_at = self.wall()
            try:
                return adapter.publish(outgoing, idempotency_key=key)
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else 2.0 ** attempt
                if attempt == TRIES_PER_RUN or waited + wait > MAX_WAIT:
                    raise
            except TransientError as exc:
                if exc.outcome_unknown:  # look before trying again; wait for it to settle if the run may
                    log.info("%s → %s: %s", outgoing.post_id, outgoing.account, exc.message)
                    lookup = Lookup((outgoing,), sent_at - SKEW, self.wall() + timedelta(seconds=platform.settle) + SKEW,
                                    self.store.owned(outgoing.account, outgoing.post_id))
                    found = self.reconcile(adapter, outgoing, key, lookup, platform.settle, MAX_WAIT - waited)
                    if found is not None:
                        return found
                    waited += platform.settle
                if attempt == TRIES_PER_RUN:
                    raise
                wait = 2.0 ** attempt
            log.info("%s → %s: retrying in %.0f s", outgoing.post_id, outgoing.account, wait)
            self.sleep(wait)
            waited += wait
        raise AssertionError("unreachable")

    # -- helpers -----------------------------------------------------------------------

    def adapter(self, account: str, platform: type[Platform]) -> Platform:
        if account not in self.adapters:
            self.adapters[account] = platform(self.repo.config.accounts[account], self.env, self.repo.root)
        return self.adapters[account]

    def _failed(self, job: Job, record: dict, exc: SmmError, retryable: bool) -> JobResult:
        # Rate limits and credentials are not the post's fault: they never use up its retries.
        retryable = retryable and (record.get("attempts", 0) < MAX_ATTEMPTS or isinstance(exc, (RateLimited, AuthError)))
        unknown = [a for a in record.get("sent") or [] if a["run"] != self.run_id]  # this run's calls were refused
        self._save(job, {**record, "state": "failed", "retryable": retryable, "error": exc.message, "sent": unknown or None})
        return JobResult(job.post.id, job.account, "failed", None,
                         exc.message + ("" if retryable else f" (not retried: {_settle_failed(job.post.id, job.account)})"))

    def _save(self, job: Job, record: dict) -> None:
        self.store.save(job.post.id, job.post.file, job.account, record)


class _Unconfirmed(Exception):
    pass


class _Pending(Exception):
    """A call may still take effect: the job stays in_flight for a later run to reconcile."""

