"""One planned job, sent part by part: the attempts other runs left, the calls, reconciling a
call whose answer was lost, and the record written before and after each call.

`JobSender` is the publishing half of smm.publish.pipeline.Publisher: it uses the run's
`repo`, `store`, `run_id`, `until` (the end of a pushed claim), `clock`, `wall`, `sleep`,
`checkpoint` and `adapter()`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from smm.content import video
from smm.data.jobs import JobState
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, SmmError, TransientError, UnderWay
from smm.platforms import Lookup, Outgoing, Platform, PublishResult, answers
from smm.publish.attempts import content_of, exact, latest, part_hash, read_time, utc
from smm.publish.results import JobResult, resolve_hint, settle_hint
from smm.publish.schedule import Job
from smm.workspace.files import CannotWrite

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # calls per job across runs before a transient failure counts as permanent
TRIES_PER_RUN = 3  # calls per part within one run (transient errors, rate limits)
MAX_WAIT = 60.0  # seconds one run may wait (rate limits, a call settling) before leaving it to the next run
SKEW = timedelta(minutes=2)  # how far the clocks of runners and networks may disagree


@dataclass
class Plan:
    """A due job that needs the network, as decided before any call."""

    job: Job
    state: JobState
    platform: type[Platform]
    rendered: object
    key: str
    record: dict



@dataclass
class _Sending:
    """A job's parts as they go out: what is sent, how much of it is recorded, the record now,
    and the earlier attempts still to reconcile."""

    plan: Plan
    done: list[PublishResult]
    recorded: int
    earlier: list[dict]
    record: dict | None = None


class JobSender:
    # -- attempts: what was sent, when, and whether another run may still be sending --------

    def _attempt(self, rendered, now: datetime, until: datetime | None = None) -> dict:
        """This run's attempt at a job: what it sends (so a later run can recognize it) and when."""
        return {"run": self.run_id, "at": exact(now), "until": exact(until) if until else None,
                "content_hash": hashlib.sha256(content_of(rendered, self.repo.root).encode()).hexdigest(),
                "texts": [p.text for p in rendered.parts],
                "media": [{"file": m.file, "alt": m.alt} for m in rendered.media]}

    def _earlier(self, plan: Plan) -> list[dict]:
        """Attempts of other runs whose outcome nobody knows yet (none after a human said so)."""
        record = plan.record
        if plan.state != JobState.IN_FLIGHT:  # new, failed (refused), or unconfirmed and a human said it did not go out
            return []
        attempts = [a for a in record.get("sent") or [] if a["run"] != self.run_id]
        if "sent" not in record:  # written before attempts were kept
            since = record.get("first_attempt") or record.get("last_attempt") or utc(plan.job.post.publish_at or self.wall())
            attempts = [{**self._attempt(plan.rendered, read_time(since)), "run": "earlier", "last_call": exact(self.wall())}]
        return attempts

    def _held(self, record: dict, platform: type[Platform]) -> str | None:
        """Why another live run holds this job (its pushed claim has not run out), or None."""
        settle = timedelta(seconds=platform.settle)
        for attempt in record.get("sent") or []:
            if attempt.get("until") and attempt["run"] != self.run_id and self.wall() < read_time(attempt["until"]) + settle:
                return (f"claimed by another run until {utc(read_time(attempt['until']) + settle)}: "
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
            if (post_id != outgoing.post_id and other.get("state") == JobState.IN_FLIGHT and self._held(other, platform)
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
        last = until or latest(attempts)
        under_way = tuple(u for a in attempts for u in a.get("under_way") or [] if u["part"] == index)
        return Lookup(sent, min(read_time(a["at"]) for a in attempts) - SKEW,
                      last + timedelta(seconds=platform.settle) + SKEW, self.store.owned(job.account, job.post.id),
                      under_way)

    # -- one job ---------------------------------------------------------------------

    def publish(self, plan: Plan) -> JobResult:
        """Send the parts of one planned job not sent yet, each recorded before the next."""
        job, rendered, record = plan.job, plan.rendered, plan.record
        parts = record.get("parts") or []
        changed = [i for i, p in enumerate(parts)
                   if i >= len(rendered.parts) or p.get("hash", part_hash(rendered.parts[i].text)) != part_hash(rendered.parts[i].text)]
        if changed:
            return self._failed(job, record, Rejected(
                f"{len(parts)} part(s) of this thread went out, and part {changed[0] + 1} has changed since: "
                "finish or remove the thread by hand, then mark the record"), retryable=False)
        sending = _Sending(plan, [PublishResult(p["remote_id"], p.get("url"), p.get("extra") or {}) for p in parts],
                           len(parts), self._earlier(plan))
        sending.record = {**record, "key": plan.key,
                          "content_hash": hashlib.sha256(content_of(rendered, self.repo.root).encode()).hexdigest(),
                          "retryable": None, "error": None,
                          "first_attempt": record.get("first_attempt") or utc(self.clock()),
                          "sent": sending.earlier + [a for a in record.get("sent") or [] if a["run"] == self.run_id]}
        try:
            self._send_parts(sending)
        except _Pending as exc:
            self._save(job, {**self._done_calling(sending.record), "state": JobState.IN_FLIGHT, "error": str(exc)})
            return JobResult(job.post.id, job.account, JobState.IN_FLIGHT, None, str(exc))
        except _Unconfirmed as exc:
            error = f"{exc}; {resolve_hint(job.post.id, job.account)}"
            self._save(job, {**self._done_calling(sending.record), "state": JobState.UNCONFIRMED, "error": error})
            return JobResult(job.post.id, job.account, JobState.UNCONFIRMED, None, error)
        except CannotWrite as exc:  # the record (or the feed): nothing more is sent for this job
            unrecorded = [r.url or r.remote_id for r in sending.done[sending.recorded:]]
            return JobResult(job.post.id, job.account, JobState.FAILED, None, exc.message + (
                f"; sent but not recorded: {', '.join(unrecorded)} (the record on disk says in flight: the next "
                "run looks it up before sending again)" if unrecorded else "; nothing was sent"))
        except (Rejected, NotSupported) as exc:
            return self._failed(job, sending.record, exc, retryable=False)
        except (AuthError, TransientError, RateLimited) as exc:
            return self._failed(job, sending.record, exc, retryable=True)
        return self._published(job, sending)

    def _send_parts(self, sending: _Sending) -> None:
        """Each missing part: found where an earlier attempt sent it, else called; then recorded."""
        plan = sending.plan
        job, rendered = plan.job, plan.rendered
        adapter = self.adapter(job.account, plan.platform)
        for index in range(len(sending.done), len(rendered.parts)):
            outgoing = self._outgoing(job, rendered, sending.record, index, sending.done)
            part_key = plan.key if index == 0 else f"{plan.key}-{index}"
            found, edited = None, False
            if sending.earlier:
                lookup = self._lookup(job, sending.earlier, outgoing, plan.platform)
                wait = max(0.0, (latest(sending.earlier) + timedelta(seconds=plan.platform.settle)
                                 - self.wall()).total_seconds())
                found = self.reconcile(adapter, outgoing, part_key, lookup, wait)
                edited = found is not None and outgoing.text not in {s.text for s in lookup.sent}
                if found is None:  # none of the earlier attempts got this far: they are over
                    sending.earlier = []
                    sending.record = {**sending.record, "sent": [a for a in sending.record["sent"] if a["run"] == self.run_id]}
            if found is None:
                sending.record = self._calling(job, sending.record, rendered)
                self.checkpoint("after_in_flight")

                def keep(under_way: dict) -> None:  # recorded at once: a later run asks about it first
                    sending.record = self._under_way(job, sending.record, under_way)
                found = self.call(adapter, outgoing, part_key, plan.platform, keep)
                self.checkpoint("after_call")
            sending.done.append(answers.checked(found))
            sending.record = {**sending.record, "parts": [
                {"remote_id": r.remote_id, "url": r.url, "hash": part_hash(rendered.parts[i].text)}
                | ({"extra": r.extra} if r.extra else {}) for i, r in enumerate(sending.done)]}
            self.checkpoint("before_record")
            self._save(job, sending.record)
            sending.recorded = len(sending.done)
            if edited and index + 1 < len(rendered.parts):
                raise Rejected(f"part {index + 1} went out as it read before an edit: finish or remove "
                               "the thread by hand, then mark the record")

    def _published(self, job: Job, sending: _Sending) -> JobResult:
        """Every part went out: the record says so (or `exported`, for a bundle a human uploads)."""
        first, exports = sending.done[0], sending.plan.platform.exports
        state = JobState.EXPORTED if exports else JobState.PUBLISHED
        record = {**sending.record, "state": state, "remote_id": first.remote_id, "url": first.url,
                  "published_at": utc(self.clock()) if not exports else None,
                  "exported_at": utc(self.clock()) if exports else None, "sent": None}
        try:
            self._save(job, record)
        except CannotWrite as exc:
            return JobResult(job.post.id, job.account, JobState.FAILED, None, f"{exc.message}; it went out "
                             f"({first.url or first.remote_id}) and the record on disk has it: the next run records "
                             "it published, sending nothing")
        if exports:
            log.info("%s → %s: exported to %s; upload it by hand, then run `smm resolve %s --account %s --published URL`",
                     job.post.id, job.account, first.remote_id, job.post.id, job.account)
            return JobResult(job.post.id, job.account, JobState.EXPORTED, first.remote_id)
        return JobResult(job.post.id, job.account, JobState.PUBLISHED, first.url)

    def _outgoing(self, job: Job, rendered, record: dict, index: int, done: list[PublishResult]) -> Outgoing:
        part = rendered.parts[index]
        answered, root = self._answered(job)
        return Outgoing(
            post_id=job.post.id, account=job.account, title=rendered.title, text=part.text, index=index,
            total=len(rendered.parts), facets=part.facets,
            media=tuple((self.repo.root / m.file, m.alt) for m in rendered.media) if index == 0 else (),
            covers=tuple((self.repo.root / m.file, video.cover_source(self.repo.root, m.cover))
                         for m in rendered.media if m.cover is not None) if index == 0 else (),
            link=rendered.link, published_at=utc(job.post.publish_at or read_time(record["first_attempt"])),
            created_at=record["first_attempt"], languages=rendered.languages, content_warning=rendered.content_warning,
            reply_to=done[-1] if done else answered, thread_root=root or (done[0] if done else None))

    def _answered(self, job: Job) -> tuple[PublishResult | None, PublishResult | None]:
        """What the job replies under, and its thread's root: an inbox item (both), a first
        comment's post (its last part, and its first), or nothing."""
        if job.parent:
            record = self.store.job(job.parent, job.account)
            parts = [PublishResult(str(p["remote_id"]), p.get("url"), p.get("extra") or {}) for p in record.get("parts") or []]
            parts = parts or ([PublishResult(str(record["remote_id"]), record.get("url"))] if record.get("remote_id") else [])
            if not parts:
                raise Rejected(f"post {job.parent} has no remote id recorded on {job.account} to comment under")
            return parts[-1], parts[0]
        answered = PublishResult(job.post.reply_to.split(":", 1)[1]) if job.post.reply_to else None  # an inbox item
        return answered, answered

    def _calling(self, job: Job, record: dict, rendered) -> dict:
        """The record just before a call: in_flight, with this run's attempt and the call's time."""
        now = self.wall()
        sent = [a for a in record.get("sent") or [] if a["run"] != self.run_id]
        ours = next((a for a in record.get("sent") or [] if a["run"] == self.run_id), None) or self._attempt(rendered, now)
        record = {**record, "state": JobState.IN_FLIGHT, "attempts": record.get("attempts", 0) + 1,
                  "last_attempt": utc(self.clock()), "sent": sent + [{**ours, "last_call": exact(now)}]}
        self._save(job, record)
        return record

    def _under_way(self, job: Job, record: dict, under_way: dict) -> dict:
        """The record with an operation the network may still be carrying out kept in this run's attempt."""
        sent = [{**a, "under_way": [*(a.get("under_way") or []), under_way]} if a["run"] == self.run_id else a
                for a in record.get("sent") or []]
        record = {**record, "sent": sent}
        self._save(job, record)
        return record

    def _done_calling(self, record: dict) -> dict:
        """This run's attempt once it calls no more: gone if it made no call, else ending now (so a
        later run waits only the settle time, not the rest of the claim)."""
        now = exact(self.wall())
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
        except UnderWay as exc:  # the network is still at it: sending again could make two
            raise _Pending(f"{exc.message}: looked at again on the next run") from None
        except NotSupported as exc:
            raise _Unconfirmed(f"a call was under way and {adapter.label} cannot tell whether it worked ({exc.message})") from None
        except (TransientError, RateLimited, AuthError) as exc:
            raise _Unconfirmed(f"could not reconcile an earlier call: {exc.message}") from None
        if found is not None and found.remote_id in lookup.owned:  # an adapter's bug must not lose a post
            raise _Unconfirmed(f"{adapter.label} matched {found.remote_id}, which another record owns")
        return found

    def call(self, adapter: Platform, outgoing: Outgoing, key: str, platform: type[Platform],
             keep: Callable[[dict], None]) -> PublishResult:
        """One part, retried within the run while the network certainly did not act (bounded); `keep`
        records an operation the network named and may still be carrying out."""
        waited = 0.0
        unknown_since: datetime | None = None  # the first of this run's calls whose answer was lost
        under_way: list[dict] = []
        for attempt in range(1, TRIES_PER_RUN + 1):
            if self.until is not None and not platform.in_repository and self.wall() >= self.until:
                raise _Pending("this run's claim ran out before the call: left to the next run")
            if unknown_since is not None:  # a lost call may have landed later than `settle`: look once more
                found = self.reconcile(adapter, outgoing, key, self._own_calls(outgoing, unknown_since, platform, under_way), 0)
                if found is not None:
                    return found
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
                    unknown_since = unknown_since or sent_at
                    if exc.under_way:
                        under_way.append({**exc.under_way, "part": outgoing.index})
                        keep(under_way[-1])
                    found = self.reconcile(adapter, outgoing, key, self._own_calls(outgoing, sent_at, platform, under_way),
                                           platform.settle, MAX_WAIT - waited)
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

    def _own_calls(self, outgoing: Outgoing, sent_at: datetime, platform: type[Platform],
                   under_way: list[dict]) -> Lookup:
        """What find() may match for this run's own calls of the part, sent from `sent_at` on."""
        return Lookup((outgoing,), sent_at - SKEW, self.wall() + timedelta(seconds=platform.settle) + SKEW,
                      self.store.owned(outgoing.account, outgoing.post_id), tuple(under_way))

    def _failed(self, job: Job, record: dict, exc: SmmError, retryable: bool) -> JobResult:
        # Rate limits and credentials are not the post's fault: they never use up its retries.
        retryable = retryable and (record.get("attempts", 0) < MAX_ATTEMPTS or isinstance(exc, (RateLimited, AuthError)))
        unknown = [a for a in record.get("sent") or [] if a["run"] != self.run_id]  # this run's calls were refused
        self._save(job, {**record, "state": JobState.FAILED, "retryable": retryable, "error": exc.message, "sent": unknown or None})
        return JobResult(job.post.id, job.account, JobState.FAILED, None,
                         exc.message + ("" if retryable else f" (not retried: {settle_hint(job.post.id, job.account)})"))


class _Unconfirmed(Exception):
    pass


class _Pending(Exception):
    """A call may still take effect: the job stays in_flight for a later run to reconcile."""

