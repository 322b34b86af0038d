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

import logging
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Callable, Mapping

from smm.content.derived import base_id
from smm.data.jobs import JobState
from smm.data.records import RecordStore
from smm.errors import SmmError, StateError
from smm.platforms import Platform, Readiness, platform_class
from smm.publish import evergreen
from smm.publish.attempts import content_of, idempotency_key, utc
from smm.publish.job import JobSender, Plan
from smm.publish.results import JobResult, PublishRun, humanize, resolve_hint, settle_hint
from smm.publish.schedule import Job, due_jobs
from smm.workspace.files import remove_stale_temps
from smm.workspace.repo import Repo, load_repo

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # how long a pushed claim holds its jobs; the run calls no network after it
ROUNDS = 2  # the posts, then the first comments of those that went out
CLAIM_TRIES = 5  # claims pushed per run before giving up (each loss means another push came first)

Checkpoint = Callable[[str], None]  # called by name at each step a crash test may stop the run at
Claim = Callable[[str, Callable[[], None]], bool]  # (commit message, write the claim) → taken, or another push came first


def no_checkpoint(name: str) -> None:
    """The checkpoints of a real run: nothing happens there."""


def publish(repo: Repo, now: datetime, env: Mapping[str, str], *, dry_run: bool = False, include_late: bool = False,
            retry_unconfirmed: tuple[str, ...] = (), push: bool = False,
            checkpoint: Checkpoint = no_checkpoint) -> PublishRun:
    """Publish what is due; with `push`, the attempts are claimed in the remote before the first
    call (committing the results is the caller's: smm.data.lock.recorded)."""
    if not dry_run:
        remove_stale_temps(repo.root, "data")  # a killed run's, never committed either way
    return Publisher(repo, now, env, dry_run=dry_run, include_late=include_late, retry_unconfirmed=retry_unconfirmed,
                     claim=pushed_claim(repo.root) if push else None, checkpoint=checkpoint).run()


def pushed_claim(root: Path, also: tuple[str, ...] = ()) -> Claim:
    """A Publisher's `claim` under --push: before the first call, every due job's attempt in the
    remote, or none (another push came first); `also`: folders committed with data/."""
    def claim(message: str, write: Callable[[], None]) -> bool:
        from smm.data import gitops  # gitpython is slow to import, and git may be missing: only when pushing

        return gitops.claim(root, message, write, also=also)
    return claim


class Publisher(JobSender):
    def __init__(self, repo: Repo, now: datetime, env: Mapping[str, str], *, dry_run: bool = False,
                 include_late: bool = False, retry_unconfirmed: tuple[str, ...] = (),
                 sleep: Callable[[float], None] = time.sleep, claim: Claim | None = None,
                 clock: Callable[[], datetime] | None = None, wall: Callable[[], datetime] | None = None,
                 platform_for: Callable[[str], type[Platform]] | None = None,
                 checkpoint: Checkpoint = no_checkpoint, only: frozenset[str] | None = None) -> None:
        """`clock` times the records (default: `now`); `wall` is the real time, for attempts and
        claims that other runs and the networks' own timestamps are compared with. `claim`
        (with --push: `pushed_claim`) commits what the run wrote so far, writes the attempts (its second
        argument), commits and pushes them; False when another push came first.
        `platform_for(account)` is the account's adapter class, whose instances make the calls
        (default: its platform's); `checkpoint` is called at each step a crash test stops at.
        `only`: publish the due jobs of these posts alone (auto-replies)."""
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
        self.platform_for = platform_for or (lambda account: platform_class(self.repo.config.accounts[account].platform))
        self.checkpoint = checkpoint
        self.only = only
        self.run_id = uuid.uuid4().hex[:12]
        self.until: datetime | None = None  # the end of this run's pushed claim
        self.store = RecordStore(repo.root, repo.records, repo.config.renames)
        self.adapters: dict[str, Platform] = {}
        self.readiness: dict[str, Readiness] = {}  # account → whether it can publish from here

    @cached_property
    def renderer(self):
        from smm.render.rendered import (
            Renderer,  # Markdown and Jinja2: only when something is due
        )

        return Renderer(self.repo.root, self.repo.config, self.repo.brand)

    # -- the run, top to bottom -------------------------------------------------------

    def run(self) -> PublishRun:
        report = PublishRun()
        for name, account in self.repo.config.accounts.items():  # every secret is usable before any call
            ready = self.readiness[name] = self.platform_for(name).readiness(account.options, self.env)
            if ready.not_configured:
                report.not_configured[name] = list(ready.secrets)
        try:
            done: set[tuple[str, str]] = set()
            for _ in range(ROUNDS):  # the first comments of the posts a round published are due in the next
                planned = self.plan(report, done)
                for job, outcome in planned:
                    if isinstance(outcome, Plan):
                        outcome = self._guarded(job, lambda: self.publish(outcome))
                    if outcome is not None:
                        report.jobs.append(outcome)
                        log.info("%s → %s: %s%s", job.post.id, job.account, outcome.state,
                                 f" ({outcome.error})" if outcome.error else "")
                done |= {(job.post.id, job.account) for job, _ in planned}
                if self.dry_run or not planned:
                    break
        finally:
            for adapter in self.adapters.values():
                adapter.close()
        return report

    def plan(self, report: PublishRun, done: set[tuple[str, str]]) -> list[tuple[Job, JobResult | Plan | None]]:
        """What each due job not `done` in this run needs; with --push, the jobs that need the
        network are claimed first."""
        for _ in range(CLAIM_TRIES):
            planned = [(job, self._guarded(job, lambda: self.prepare(job, report)))
                       for job in due_jobs(self.repo.posts + self._reshares(), self.store, self.repo.config, self.now,
                                           self._comments)
                       if (self.only is None or base_id(job.post.id) in self.only) and (job.post.id, job.account) not in done]
            plans = [p for _, p in planned if isinstance(p, Plan) and not p.platform.in_repository]
            if self.claim is None or not plans or self._claim(plans):
                return planned
            log.info("another run pushed first: reading the repository again")
            self.repo = load_repo(self.repo.root)
            self.store = RecordStore(self.repo.root, self.repo.records, self.repo.config.renames)
            self.__dict__.pop("renderer", None)
        raise StateError(f"could not claim the due jobs: another push came first {CLAIM_TRIES} times; nothing was sent")

    def _reshares(self) -> list:
        """The evergreen posts' re-shares that are due now or under way (smm.publish.evergreen)."""
        return evergreen.reshares(self.repo.posts, self.store.records, self.repo.calendar, self.repo.config.timezone,
                                  self.now, self.now + timedelta(seconds=1))

    def _comments(self, account: str) -> bool:
        """Whether the account can publish a post's first comment (a reply under it)."""
        return self.platform_for(account).comments_for(self.repo.config.accounts[account].options)

    def _guarded(self, job: Job, step: Callable[[], JobResult | Plan | None]) -> JobResult | Plan | None:
        try:
            return step()
        except SmmError as exc:  # e.g. a record or feed it cannot write (CannotWrite): said as such
            log.debug("%s → %s failed", job.post.id, job.account, exc_info=True)
            return JobResult(job.post.id, job.account, JobState.FAILED, None, exc.message)
        except Exception as exc:  # a bug, or an SDK's surprise: this job only, the run goes on
            log.debug("%s → %s failed", job.post.id, job.account, exc_info=True)
            return JobResult(job.post.id, job.account, JobState.FAILED, None,
                             f"internal error: {type(exc).__name__}: {exc} (please report it)")

    def _claim(self, plans: list[Plan]) -> bool:
        """Every planned job in_flight with this run's attempt, committed and pushed as one."""
        now = self.wall()
        self.until = now + LEASE

        def write() -> None:
            for plan in plans:  # with what decides the call: the key, and the first attempt's time (Bluesky's record key)
                plan.record = {**plan.record, "state": JobState.IN_FLIGHT, "key": plan.key,
                               "first_attempt": plan.record.get("first_attempt") or utc(self.clock()),
                               "sent": self._earlier(plan) + [self._attempt(plan.rendered, now, self.until)]}
                self._save(plan.job, plan.record)
        claimed = self.claim(f"smm publish: claim {len(plans)} job(s) until {utc(self.until)}", write)
        self.checkpoint("after_claim")
        return claimed

    def prepare(self, job: Job, report: PublishRun) -> JobResult | Plan | None:
        """Decide what the job needs: nothing, a report, a late mark, or the network (a Plan)."""
        record = self.store.job(job.post.id, job.account)
        state = record.get("state", JobState.NEW)  # as it is now, not when the run began

        def result(state: str, error: str | None = None) -> JobResult:
            return JobResult(job.post.id, job.account, state, None, error)
        if state == JobState.LATE:
            if job.late(self.repo.config) and not self.include_late:
                return None  # reported when it became late
            state = JobState.NEW  # rescheduled since, or --include-late: due now
        if state == JobState.UNCONFIRMED and job.post.id not in self.retry_unconfirmed:
            return result(JobState.UNCONFIRMED, record.get("error") or f"outcome unknown; {resolve_hint(job.post.id, job.account)}")
        if state == JobState.FAILED and not self._may_retry(record, job):  # permanent: a changed post is tried again
            return result(JobState.FAILED, f"failed earlier and not retried: {record.get('error') or 'no reason recorded'}; "
                                    + settle_hint(job.post.id, job.account))
        platform = self.platform_for(job.account)
        held = self._held(record, platform)
        if state == JobState.IN_FLIGHT and held:
            return result(JobState.IN_FLIGHT, held)
        if job.late(self.repo.config) and not self.include_late and state in (JobState.NEW, JobState.PENDING, JobState.FAILED):
            message = f"due {humanize(job.lateness)} ago, over this account's max_lateness (use --include-late)"
            if not self.dry_run:
                self._save(job, {**record, "state": JobState.LATE, "error": message})
            return result(JobState.LATE, message)
        ready = self.readiness.get(job.account) or platform.readiness(self.repo.config.accounts[job.account].options, self.env)
        reason = ready.reason
        if reason:
            if state == JobState.NEW and not self.dry_run:  # due, and waiting for the account to be set up
                self._save(job, {"state": JobState.PENDING, "error": reason})
            return JobResult(job.post.id, job.account, JobState.SKIPPED, None, reason, fails_run=platform.can_publish)
        rendered = self.renderer.render(job.post, job.account)
        problems = [d for d in rendered.diagnostics if d.is_error]
        key = idempotency_key(job.post.id, job.account, content_of(rendered, self.repo.root))
        if problems and state != JobState.IN_FLIGHT:  # an in_flight job is reconciled first: it may have gone out
            first = problems[0]  # a brand file's (a template, brand/handles.yml) is named with its file
            why = f"does not pass smm check: {'' if first.file == job.post.file else f'{first.file}:{first.line}: '}{first.message}"
            if not self.dry_run:
                self._save(job, {**record, "state": JobState.FAILED, "retryable": False, "key": key, "error": why})
            return result(JobState.FAILED, why)
        if self.dry_run:
            return result(JobState.WOULD_PUBLISH)
        if state in (JobState.IN_FLIGHT, JobState.UNCONFIRMED) and record.get("key"):
            key = record["key"]  # the content may have changed since: keep the key of the call made
        return Plan(job, state, platform, rendered, key, record)

    def _may_retry(self, record: dict, job: Job) -> bool:
        if record.get("retryable"):
            return True
        rendered = self.renderer.render(job.post, job.account)  # changed since it failed: try again
        return record.get("key") != idempotency_key(job.post.id, job.account, content_of(rendered, self.repo.root))

    # -- helpers -----------------------------------------------------------------------

    def adapter(self, account: str, platform: type[Platform]) -> Platform:
        if account not in self.adapters:
            self.adapters[account] = platform(self.repo.config.accounts[account], self.env, self.repo.root)
        return self.adapters[account]

    def _save(self, job: Job, record: dict) -> None:
        self.store.save(job.post.id, job.post.file, job.account, record)
