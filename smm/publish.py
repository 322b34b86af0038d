"""`smm publish`: run the due jobs through their adapters, exactly once each.

The protocol, per (post, account) job:

    new/pending ──► in_flight(key) ──► call ──► published
                        │                 ├──► failed (retryable, or permanent)
                        │                 └──► outcome unknown ──► find() ──► published / retry
                        ▼                                                └─► unconfirmed
    a run that finds in_flight reconciles it with find() before any retry;
    unconfirmed is never retried automatically (`--retry-unconfirmed POST` after a human looked)

The in_flight record, with an idempotency key derived from the post id, the account and
the content, is on disk before the platform is called; each result is on disk before the
next call. Threads publish part by part and resume from the first missing part.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from typing import Callable, Mapping

from smm.files import inside, open_regular
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, SmmError, TransientError
from smm.platforms import Outgoing, Platform, PublishResult, platform_class
from smm.records import RecordStore
from smm.repo import Repo
from smm.schedule import Job, due_jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # calls per job across runs before a transient failure counts as permanent
TRIES_PER_RUN = 3  # calls per part within one run (transient errors, rate limits)
MAX_WAIT = 60.0  # seconds one run may wait for a rate limit before leaving it to the next run

DONE = "published"


@dataclass
class JobResult:
    post: str
    account: str
    state: str  # published, failed, unconfirmed, late, skipped, would_publish
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


class Publisher:
    def __init__(self, repo: Repo, now: datetime, env: Mapping[str, str], *, dry_run: bool = False,
                 include_late: bool = False, retry_unconfirmed: tuple[str, ...] = (),
                 sleep: Callable[[float], None] = time.sleep, before_call: Callable[[Job, type[Platform]], None] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.repo = repo
        self.now = now
        self.env = env
        self.dry_run = dry_run
        self.include_late = include_late
        self.retry_unconfirmed = set(retry_unconfirmed)
        self.sleep = sleep
        self.before_call = before_call
        self.clock = clock or (lambda: now)
        self.store = RecordStore(repo.root, repo.records)
        self.adapters: dict[str, Platform] = {}
        self.not_ready: dict[str, str] = {}  # account → why its secrets cannot be used

    @cached_property
    def renderer(self):
        from smm.render import Renderer  # Markdown and Jinja2: only when something is due

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
            for job in due_jobs(self.repo.posts, self.store, self.repo.config, self.now):
                try:
                    result = self.run_job(job, report)
                except Exception as exc:  # a bug, or an SDK's surprise: this job only, the run goes on
                    log.debug("%s → %s failed", job.post.id, job.account, exc_info=True)
                    result = JobResult(job.post.id, job.account, "failed", None,
                                       f"internal error: {type(exc).__name__}: {exc} (please report it)")
                if result is not None:
                    report.jobs.append(result)
                    log.info("%s → %s: %s%s", job.post.id, job.account, result.state,
                             f" ({result.error})" if result.error else "")
        finally:
            for adapter in self.adapters.values():
                adapter.close()
        return report

    def run_job(self, job: Job, report: Report) -> JobResult | None:
        """Decide what the job needs (nothing, a report, a late mark, or publishing) and do it."""
        record = self.store.job(job.post.id, job.account)
        state = record.get("state", "new")  # as it is now, not when the run began

        def result(state: str, error: str | None = None) -> JobResult:
            return JobResult(job.post.id, job.account, state, None, error)
        if state == "late":
            if job.late(self.repo.config) and not self.include_late:
                return None  # reported when it became late
            state = "new"  # rescheduled since, or --include-late: due now
        if state == "unconfirmed" and job.post.id not in self.retry_unconfirmed:
            return result("unconfirmed", record.get("error") or "outcome unknown: check the account, then --retry-unconfirmed")
        if state == "failed" and not self._may_retry(record, job):  # permanent: a changed post is tried again
            return result("failed", f"failed earlier and not retried: {record.get('error') or 'no reason recorded'}; "
                                    f"change the post, or run `smm resolve {job.post.id} --account {job.account} "
                                    "--published URL | --not-published`")
        if job.late(self.repo.config) and not self.include_late and state in ("new", "pending", "failed"):
            message = f"due {_humanize(job.lateness)} ago, over this account's max_lateness (use --include-late)"
            if not self.dry_run:
                self._save(job, {**record, "state": "late", "error": message})
            return result("late", message)
        platform = platform_class(self.repo.config.accounts[job.account].platform)
        reason = platform.unavailable() or self.not_ready.get(job.account)
        if reason:
            if state == "new" and not self.dry_run:  # due, and waiting for the account to be set up
                self._save(job, {"state": "pending", "error": reason})
            return JobResult(job.post.id, job.account, "skipped", None, reason, fails_run=platform.can_publish)
        rendered = self.renderer.render(job.post, job.account)
        problems = [d for d in rendered.diagnostics if d.is_error]
        key = idempotency_key(job.post.id, job.account, _content(rendered, self.repo.root))
        if problems:
            if not self.dry_run:
                self._save(job, {**record, "state": "failed", "retryable": False, "key": key,
                                 "error": f"does not pass smm check: {problems[0].message}"})
            return result("failed", f"does not pass smm check: {problems[0].message}")
        if self.dry_run:
            return result("would_publish")
        if state in ("in_flight", "unconfirmed") and record.get("key"):
            key = record["key"]  # the content may have changed since: keep the key of the call made
        return self.publish(job, state, platform, rendered, key, record)

    def _may_retry(self, record: dict, job: Job) -> bool:
        if record.get("retryable"):
            return True
        rendered = self.renderer.render(job.post, job.account)  # changed since it failed: try again
        return record.get("key") != idempotency_key(job.post.id, job.account, _content(rendered, self.repo.root))

    # -- one job ---------------------------------------------------------------------

    def publish(self, job: Job, state: str, platform: type[Platform], rendered, key: str, record: dict) -> JobResult:
        adapter = self.adapter(job.account, platform)
        parts = record.get("parts") or []
        changed = [i for i, p in enumerate(parts)
                   if i >= len(rendered.parts) or p.get("hash", _hash(rendered.parts[i].text)) != _hash(rendered.parts[i].text)]
        if changed:
            return self._failed(job, record, Rejected(
                f"{len(parts)} part(s) of this thread went out, and part {changed[0] + 1} has changed since: "
                "finish or remove the thread by hand, then mark the record"), retryable=False)
        done = [PublishResult(p["remote_id"], p.get("url"), p.get("extra") or {}) for p in parts]
        record = {**record, "key": key, "content_hash": hashlib.sha256(_content(rendered, self.repo.root).encode()).hexdigest(),
                  "retryable": None, "error": None,
                  "first_attempt": record.get("first_attempt") or _utc(self.clock())}
        reconciling = state == "in_flight" or (state == "unconfirmed" and job.post.id not in self.retry_unconfirmed)
        media = tuple((self.repo.root / m.file, m.alt) for m in rendered.media)
        for index in range(len(done), len(rendered.parts)):
            part = rendered.parts[index]
            outgoing = Outgoing(
                post_id=job.post.id, account=job.account, title=rendered.title, text=part.text, index=index,
                total=len(rendered.parts), facets=part.facets, media=media if index == 0 else (), link=rendered.link,
                published_at=_utc(job.post.publish_at), created_at=record["first_attempt"],
                languages=rendered.languages, content_warning=rendered.content_warning,
                reply_to=done[-1] if done else None, thread_root=done[0] if done else None)
            part_key = key if index == 0 else f"{key}-{index}"
            try:
                found = self.find(adapter, outgoing, part_key) if reconciling else None
                reconciling = False
                if found is None:
                    record = {**record, "state": "in_flight", "attempts": record.get("attempts", 0) + 1,
                              "last_attempt": _utc(self.clock())}
                    self._save(job, record)
                    checkpoint("after_in_flight")
                    if self.before_call is not None:
                        self.before_call(job, platform)
                    found = self.call(adapter, outgoing, part_key)
                    checkpoint("after_call")
            except _Unconfirmed as exc:
                self._save(job, {**record, "state": "unconfirmed", "error": str(exc)})
                return JobResult(job.post.id, job.account, "unconfirmed", None, str(exc))
            except (Rejected, NotSupported) as exc:
                return self._failed(job, record, exc, retryable=False)
            except (AuthError, TransientError, RateLimited) as exc:
                return self._failed(job, record, exc, retryable=True)
            done.append(found)
            record = {**record, "parts": [
                {"remote_id": r.remote_id, "url": r.url, "hash": _hash(rendered.parts[i].text)}
                | ({"extra": r.extra} if r.extra else {}) for i, r in enumerate(done)]}
            checkpoint("before_record")
            self._save(job, record)
        first = done[0]
        record = {**record, "state": DONE, "remote_id": first.remote_id, "url": first.url,
                  "published_at": _utc(self.clock())}
        self._save(job, record)
        return JobResult(job.post.id, job.account, DONE, first.url)

    def find(self, adapter: Platform, outgoing: Outgoing, key: str) -> PublishResult | None:
        """Reconcile a call whose outcome is unknown; raise _Unconfirmed when nobody can tell."""
        try:
            return adapter.find(outgoing, idempotency_key=key)
        except NotSupported as exc:
            raise _Unconfirmed(f"a call was under way and {adapter.label} cannot tell whether it worked ({exc.message}); "
                               "check the account, then run `smm publish --retry-unconfirmed " f"{outgoing.post_id}`") from None
        except (TransientError, RateLimited, AuthError) as exc:
            raise _Unconfirmed(f"could not reconcile an earlier call: {exc.message}") from None

    def call(self, adapter: Platform, outgoing: Outgoing, key: str) -> PublishResult:
        """One part, retried within the run for transient errors and rate limits (bounded)."""
        waited = 0.0
        for attempt in range(1, TRIES_PER_RUN + 1):
            try:
                return adapter.publish(outgoing, idempotency_key=key)
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else 2.0 ** attempt
                if attempt == TRIES_PER_RUN or waited + wait > MAX_WAIT:
                    raise
            except TransientError as exc:
                if exc.outcome_unknown:
                    found = self.find(adapter, outgoing, key)
                    if found is not None:
                        return found
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
        self._save(job, {**record, "state": "failed", "retryable": retryable, "error": exc.message})
        return JobResult(job.post.id, job.account, "failed", None,
                         exc.message + ("" if retryable else " (not retried)"))

    def _save(self, job: Job, record: dict) -> None:
        self.store.save(job.post.id, job.post.file, job.account, record)


class _Unconfirmed(Exception):
    pass

