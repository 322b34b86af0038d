"""`smm metrics`: collect each published post's counts, and each account's followers, into data/.

    collect(repo, now, env, since=30 d, interval=1 h)
      published jobs in the window (records in data/published/)  ──► per account:
        followers()                          ─┐  bounded worker pool; per account one
        metrics(remote_ids) in batches of 25 ─┘  rate-limit gate (Retry-After honoured)
      ──► rows appended to data/metrics/<YYYY-MM>.csv and data/accounts/<YYYY-MM>.csv

Rows are appended once, at the end of the run, to the file of the run's UTC month. A
(post, account) pair or an account that already has a row collected less than `interval`
ago is not asked again, so two runs within the interval add no duplicate rows. Accounts
whose adapter has no metrics (the feed), that lack their SDK or their secrets are skipped
with the reason. Tests inject the clock, `sleep` and the adapters; nothing here sleeps on
its own.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol

from smm.errors import (
    AuthError,
    NotSupported,
    PlatformError,
    RateLimited,
    Rejected,
    SmmError,
    TransientError,
)
from smm.platforms import Platform, platform_class
from smm.workspace.files import open_regular

log = logging.getLogger(__name__)

METRICS_DIR = "data/metrics"
ACCOUNTS_DIR = "data/accounts"
MAX_CSV_BYTES = 100 * 1024 * 1024  # one month's file; GitHub refuses files over 100 MB anyway
METRIC_COLUMNS = ("collected_at", "post_id", "account", "platform", "remote_id",
                  "likes", "reposts", "replies", "quotes", "views", "clicks")
FOLLOWER_COLUMNS = ("collected_at", "account", "platform", "followers")
COUNTS = ("likes", "reposts", "replies", "quotes", "views", "clicks")
DEFAULT_SINCE = timedelta(days=30)
DEFAULT_INTERVAL = timedelta(hours=1)
DEFAULT_CONCURRENCY = 4  # calls in flight at once, over all accounts
BATCH = 25  # remote ids per metrics() call (Bluesky's getPosts takes 25)
TRIES = 3  # calls per batch within one run (rate limits, transient errors)
MAX_WAIT = 60.0  # seconds an account may wait for rate limits in one run; the rest is left to the next run


def timestamp(moment: datetime) -> str:
    """`2026-11-26T04:00:00Z`: the form of `collected_at`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_file(folder: str, moment: datetime) -> str:
    return f"{folder}/{moment.astimezone(timezone.utc):%Y-%m}.csv"


# -- the report of a run ------------------------------------------------------------------


@dataclass
class AccountResult:
    account: str
    platform: str
    state: str  # collected, partial, fresh, skipped, not_configured, failed, idle
    posts: int = 0  # metric rows written
    fresh: int = 0  # posts not asked again: collected less than `interval` ago
    missing: list[str] = field(default_factory=list)  # post ids the network did not return
    followers: int | None = None
    followers_state: str = "none"  # collected, fresh, unsupported, failed, none
    reason: str | None = None

    def as_json(self) -> dict:
        return {"account": self.account, "platform": self.platform, "state": self.state, "posts": self.posts,
                "fresh": self.fresh, "missing": self.missing, "followers": self.followers,
                "followers_state": self.followers_state, "reason": self.reason}


@dataclass
class MetricsReport:
    collected_at: datetime
    since: datetime
    accounts: list[AccountResult] = field(default_factory=list)
    metric_rows: int = 0
    follower_rows: int = 0
    files: list[str] = field(default_factory=list)
    git_error: str | None = None  # why the rows could not be committed or pushed

    @property
    def exit_code(self) -> int:
        """1 when an account failed (even partly) or lacks its secrets, or git failed; skipped adapters are fine."""
        return 1 if self.git_error or any(a.state in ("failed", "partial", "not_configured") or a.followers_state == "failed"
                        for a in self.accounts) else 0

    def as_json(self) -> dict:
        return {"collected_at": timestamp(self.collected_at), "since": timestamp(self.since),
                "accounts": [a.as_json() for a in self.accounts],
                "rows": {"metrics": self.metric_rows, "followers": self.follower_rows}, "files": self.files} | (
                    {"git_error": self.git_error} if self.git_error else {})


# -- progress ------------------------------------------------------------------------------


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def finish(self) -> None: ...


class PlainProgress:
    """One line per finished call: readable in CI logs."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total = self.done = 0

    def start(self, total: int) -> None:
        self.total = total
        print(f"smm metrics: {total} call{'s' if total != 1 else ''} to make", file=self.stream, flush=True)

    def advance(self, description: str) -> None:
        self.done += 1
        print(f"smm metrics: [{self.done}/{self.total}] {description}", file=self.stream, flush=True)

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    def __init__(self, stream=None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self.bar = Bar(TextColumn("smm metrics"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                       TimeElapsedColumn(), console=Console(file=stream or sys.stderr), transient=True)
        self.task = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=description)

    def finish(self) -> None:
        self.bar.stop()


def progress_for(stream=None, env: Mapping[str, str] | None = None) -> Progress:
    """A rich progress bar on a terminal; plain lines elsewhere (CI, pipes, files)."""
    stream = stream or sys.stderr
    env = os.environ if env is None else env
    interactive = hasattr(stream, "isatty") and stream.isatty() and not env.get("CI") and env.get("TERM") != "dumb"
    return RichProgress(stream) if interactive else PlainProgress(stream)


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, description: str) -> None:
        pass

    def finish(self) -> None:
        pass


# -- what to collect -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    post_id: str
    account: str
    platform: str
    remote_id: str


def published_targets(repo, now: datetime, since: timedelta) -> dict[str, list[Target]]:
    """Per account: every post published there in [now - since, now], oldest first."""
    earliest = now - since
    by_post = {p.id: p for p in repo.posts}
    found: dict[str, list[tuple[datetime, Target]]] = {}
    for post_id, record in repo.records.items():
        for account, job in sorted(record.accounts.items()):
            if not isinstance(job, dict) or job.get("state") != "published" or not job.get("remote_id"):
                continue
            when = _published_at(job, by_post.get(post_id))
            if when is None or not earliest <= when <= now:
                continue
            options = repo.config.accounts.get(account)
            platform = options.platform if options else ""
            found.setdefault(account, []).append((when, Target(post_id, account, platform, job["remote_id"])))
    return {a: [t for _, t in sorted(items, key=lambda i: (i[0], i[1].post_id))] for a, items in found.items()}


def _published_at(job: dict, post) -> datetime | None:
    raw = job.get("published_at")
    if raw:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return post.publish_at if post is not None else None


def recent_collections(root: Path, now: datetime, interval: timedelta) -> tuple[dict, dict]:
    """Latest `collected_at` per (post, account) and per account, from rows newer than now - interval."""
    cutoff = now - interval
    months = sorted({month_file("", cutoff), month_file("", now)})
    posts: dict[tuple[str, str], datetime] = {}
    accounts: dict[str, datetime] = {}
    for folder, seen, key in ((METRICS_DIR, posts, lambda r: (r["post_id"], r["account"])),
                              (ACCOUNTS_DIR, accounts, lambda r: r["account"])):
        for month in months:
            path = root / f"{folder}{month}"
            if not path.exists():
                continue
            for row in _rows(path, root):
                try:
                    moment = datetime.fromisoformat(row["collected_at"].replace("Z", "+00:00"))
                    k = key(row)
                except (ValueError, AttributeError, TypeError, KeyError):
                    continue  # a partial or malformed line: not a collection
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=timezone.utc)
                if moment > cutoff and (k not in seen or seen[k] < moment):
                    seen[k] = moment
    return posts, accounts


def _rows(path: Path, root: Path) -> list[dict]:
    """A bot-written CSV file's rows; a file smm cannot read is an error naming it."""
    file = path.relative_to(root).as_posix()
    try:
        with open_csv(path, root) as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "collected_at" not in reader.fieldnames:
                raise SmmError(f"{file}: the first line must be the CSV header (it starts with `collected_at`)")
            return list(reader)
    except UnicodeDecodeError:
        raise SmmError(f"{file}: not UTF-8 text; restore it from git (`git checkout -- {file}`)") from None


def open_csv(path: Path, root: Path) -> io.TextIOWrapper:
    """A CSV file under data/ opened as UTF-8 text; one that is not a regular file of at most
    MAX_CSV_BYTES is an error naming it."""
    file = path.relative_to(root).as_posix()
    try:
        raw = open_regular(path)
    except OSError as exc:
        raise SmmError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    size = os.fstat(raw.fileno()).st_size
    if size > MAX_CSV_BYTES:
        raw.close()
        raise SmmError(f"{file}: {size:,} bytes is over the limit of {MAX_CSV_BYTES:,} for one month's file")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


# -- calling the networks --------------------------------------------------------------------


class _GaveUp(Exception):
    pass


class _Gate:
    """One account's calls: rate limits shared by its workers; its first call made alone
    (an SDK logs in on first use), then calls in parallel."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.lock = threading.Lock()
        self.first = threading.Lock()
        self.warm = False
        self.started = clock()
        self.not_before = self.started
        self.gave_up: str | None = None


class Collector:
    def __init__(self, repo, now: datetime, env: Mapping[str, str], *, since: timedelta = DEFAULT_SINCE,
                 interval: timedelta = DEFAULT_INTERVAL, concurrency: int = DEFAULT_CONCURRENCY,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 progress: Progress | None = None,
                 adapter_for: Callable[[str], Platform] | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.repo = repo
        self.now = now
        self.env = env
        self.since = since
        self.interval = interval
        self.concurrency = concurrency
        self.sleep = sleep
        self.clock = clock
        self.progress = progress or _Silent()
        self.adapter_for = adapter_for or self._adapter
        self.gates: dict[str, _Gate] = {}

    def _adapter(self, account: str) -> Platform:
        options = self.repo.config.accounts[account]
        return platform_class(options.platform)(options, self.env, self.repo.root)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> MetricsReport:
        report = MetricsReport(self.now, self.now - self.since)
        targets = published_targets(self.repo, self.now, self.since)
        fresh_posts, fresh_accounts = recent_collections(self.repo.root, self.now, self.interval)
        results: dict[str, AccountResult] = {}
        tasks: list[tuple[str, str, list[Target]]] = []  # (account, "followers" or "metrics", targets)
        adapters: dict[str, Platform] = {}
        for account in sorted(set(self.repo.config.accounts) | set(targets)):
            options = self.repo.config.accounts.get(account)
            if options is None:
                results[account] = AccountResult(account, "", "skipped", reason=f"no account `{account}` in platforms.yml")
                continue
            result = results[account] = AccountResult(account, options.platform, "idle")
            cls = platform_class(options.platform)
            has_metrics, has_followers = cls.has_metrics, cls.has_followers
            if not has_metrics and not has_followers:
                result.state, result.reason = "skipped", f"{cls.label} has no metrics to collect"
                continue
            ready = cls.readiness(options.options, self.env)
            if ready.not_configured or ready.not_installed:
                result.state = "not_configured" if ready.not_configured else "skipped"
                result.reason = ready.not_configured or ready.not_installed
                continue
            adapters[account] = self.adapter_for(account)
            self.gates[account] = _Gate(self.clock)
            if has_followers:
                if account in fresh_accounts:
                    result.followers_state = "fresh"
                else:
                    tasks.append((account, "followers", []))
            else:
                result.followers_state = "unsupported"
            due = [t for t in targets.get(account, []) if (t.post_id, account) not in fresh_posts]
            result.fresh = len(targets.get(account, [])) - len(due)
            if not has_metrics:
                result.reason = f"{cls.label} metrics are not implemented"
            else:
                tasks += [(account, "metrics", due[i:i + BATCH]) for i in range(0, len(due), BATCH)]
        rows, follower_rows = self._call_all(tasks, adapters, results)
        self._finish_states(results, targets)
        report.accounts = [results[a] for a in sorted(results)]
        report.metric_rows, report.follower_rows = len(rows), len(follower_rows)
        if rows:
            report.files.append(append_rows(self.repo.root, month_file(METRICS_DIR, self.now), METRIC_COLUMNS, rows))
        if follower_rows:
            report.files.append(append_rows(self.repo.root, month_file(ACCOUNTS_DIR, self.now), FOLLOWER_COLUMNS,
                                            follower_rows))
        return report

    def _call_all(self, tasks, adapters, results) -> tuple[list[list], list[list]]:
        """Run every task with at most `concurrency` calls in flight; rows in a stable order."""
        collected = timestamp(self.now)
        metric_rows: dict[tuple[str, str], list] = {}
        follower_rows: dict[str, list] = {}
        self.progress.start(len(tasks))
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="smm-metrics")
        try:
            futures = {pool.submit(self._task, adapters[account], account, kind, batch): (account, kind, batch)
                       for account, kind, batch in tasks}
            for future in as_completed(futures):
                account, kind, batch = futures[future]
                result = results[account]
                try:
                    value = future.result()
                except (NotSupported, _GaveUp, PlatformError) as exc:
                    self._note_failure(result, kind, batch, exc)
                    self.progress.advance(f"{account}: {kind} not collected")
                    continue
                if kind == "followers":
                    if value is None:
                        result.followers_state = "unsupported"
                    else:
                        result.followers, result.followers_state = int(value), "collected"
                        follower_rows[account] = [collected, account, result.platform, int(value)]
                    self.progress.advance(f"{account}: followers")
                    continue
                by_id = {m.remote_id: m for m in value}
                for target in batch:
                    m = by_id.get(target.remote_id)
                    if m is None:
                        result.missing.append(target.post_id)
                        continue
                    metric_rows[(target.post_id, account)] = [collected, target.post_id, account, target.platform,
                                                              target.remote_id, *(getattr(m, c) for c in COUNTS)]
                    result.posts += 1
                self.progress.advance(f"{account}: {len(batch)} post{'s' if len(batch) != 1 else ''}")
        except KeyboardInterrupt:  # Ctrl-C: no new calls; those in flight end within their timeout
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown()
            self.progress.finish()
        for result in results.values():
            result.missing.sort()
        return ([metric_rows[k] for k in sorted(metric_rows, key=lambda k: (k[1], k[0]))],
                [follower_rows[a] for a in sorted(follower_rows)])

    def _note_failure(self, result: AccountResult, kind: str, batch: list[Target], exc: Exception) -> None:
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, NotSupported):
            if kind == "followers":
                result.followers_state = "unsupported"
            elif result.reason is None:
                result.reason = message
            return
        if kind == "followers":
            result.followers_state = "failed"
        else:
            result.state = "failed"
        if result.reason is None:
            result.reason = message

    def _finish_states(self, results: dict[str, AccountResult], targets: dict[str, list[Target]]) -> None:
        for account, result in results.items():
            if result.state in ("skipped", "not_configured"):
                continue
            wanted = len(targets.get(account, [])) - result.fresh
            if result.state == "failed":
                result.state = "partial" if result.posts else "failed"
            elif result.reason and not result.posts and wanted:
                result.state = "skipped"  # the adapter has no metrics (NotSupported)
            elif result.posts:
                result.state = "collected"
            elif result.followers_state == "collected":
                result.state = "collected"
            elif result.followers_state == "failed":
                result.state = "failed"
            elif result.fresh or result.followers_state == "fresh":
                result.state = "fresh"
            else:
                result.state = "idle"  # nothing published in the window

    # -- one task -----------------------------------------------------------------------------

    def _task(self, adapter: Platform, account: str, kind: str, batch: list[Target]):
        if kind == "followers":
            return self._call(account, adapter.followers)
        return self._call(account, lambda: adapter.metrics([t.remote_id for t in batch]))

    def _call(self, account: str, function: Callable):
        gate = self.gates[account]
        if not gate.warm:
            with gate.first:
                if not gate.warm:
                    value = self._with_retries(gate, function)
                    gate.warm = True
                    return value
        return self._with_retries(gate, function)

    def _with_retries(self, gate: _Gate, function: Callable):
        for attempt in range(1, TRIES + 1):
            with gate.lock:
                if gate.gave_up:
                    raise _GaveUp(gate.gave_up)
                wait = gate.not_before - self.clock()
            if wait > 0:
                self.sleep(wait)
            try:
                return function()
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else 2.0 ** attempt
                with gate.lock:
                    gate.not_before = max(gate.not_before, self.clock() + wait)
                    if attempt == TRIES or gate.not_before - gate.started > MAX_WAIT:
                        gate.gave_up = (f"rate limited ({exc.message}; asked to wait {wait:.0f} s): "
                                        "the rest is collected on the next run")
                        raise _GaveUp(gate.gave_up) from None
                log.info("rate limited: waiting %.0f s", wait)
            except TransientError:
                if attempt == TRIES:
                    raise
                with gate.lock:
                    gate.not_before = max(gate.not_before, self.clock() + 2.0 ** attempt)
            except (AuthError, Rejected, NotSupported):
                raise
        raise AssertionError("unreachable")


def collect(repo, now: datetime, env: Mapping[str, str], since: timedelta = DEFAULT_SINCE,
            interval: timedelta = DEFAULT_INTERVAL, *, concurrency: int = DEFAULT_CONCURRENCY,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
            progress: Progress | None = None, adapter_for: Callable[[str], Platform] | None = None) -> MetricsReport:
    """Collect metrics and follower counts for posts published in [now - since, now]; append the rows."""
    return Collector(repo, now, env, since=since, interval=interval, concurrency=concurrency, sleep=sleep,
                     clock=clock, progress=progress, adapter_for=adapter_for).run()


def run(repo, now: datetime, env: Mapping[str, str], since: timedelta = DEFAULT_SINCE,
        interval: timedelta = DEFAULT_INTERVAL, *, concurrency: int = DEFAULT_CONCURRENCY, commit: bool = False,
        push: bool = False, progress: Progress | None = None, lock_timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep) -> MetricsReport:
    """`smm metrics`: one run per checkout at a time (lock), then commit and push like `smm publish`."""
    from smm.data.lock import exclusive

    with exclusive(repo.root, "metrics", lock_timeout):
        report = collect(repo, now, env, since=since, interval=interval, concurrency=concurrency, sleep=sleep,
                         progress=progress)
        if commit or push:
            from smm.data import gitops

            report.git_error = gitops.record(repo.root, commit_message(report), push)
    return report


# -- files ------------------------------------------------------------------------------------


def append_rows(root: Path, file: str, columns: Iterable[str], rows: list[list]) -> str:
    """Append rows (None as empty) to a CSV under data/, writing the header to a new file.

    A last line without its newline is ended when it is a whole row (edited by hand) and cut
    off when it is a partial one (left by a crash), so a file always holds whole rows.
    """
    path = root / file
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if path.exists() and not path.is_file():
        raise SmmError(f"{file}: it is not a regular file; smm writes only regular files")
    new = not path.exists() or path.stat().st_size == 0
    if new:
        writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    columns = list(columns)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            if not new:
                _mend_last_line(handle, len(columns))
            handle.write(buffer.getvalue().encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:  # a read-only checkout, a full disk
        raise SmmError(f"cannot write {file}: {exc.strerror}") from None
    return file


def _mend_last_line(handle, width: int) -> None:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size == 0:
        return
    handle.seek(size - 1)
    if handle.read(1) == b"\n":
        return
    handle.seek(max(0, size - 4096))
    last = handle.read().rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    if len(next(csv.reader([last]), [])) == width:
        handle.write(b"\n")  # a whole row that only lacked its newline
        return
    position = size
    while position > 0:  # back to the last newline
        step = min(4096, position)
        handle.seek(position - step)
        chunk = handle.read(step)
        index = chunk.rfind(b"\n")
        if index >= 0:
            handle.truncate(position - step + index + 1)
            return
        position -= step
    handle.truncate(0)


# -- output -------------------------------------------------------------------------------------

_STATE_WORDS = {"collected": "collected", "partial": "partly collected", "fresh": "fresh", "skipped": "skipped",
                "not_configured": "not configured", "failed": "failed", "idle": "nothing to collect"}


def format_text(report: MetricsReport) -> str:
    out = []
    for a in report.accounts:
        bits = []
        if a.posts or a.state in ("collected", "partial"):
            bits.append(f"{a.posts} post{'s' if a.posts != 1 else ''}")
        if a.fresh:
            bits.append(f"{a.fresh} collected less than the interval ago")
        if a.missing:
            bits.append(f"not found: {', '.join(a.missing)}")
        if a.followers_state == "collected":
            bits.append(f"followers {a.followers:,}")
        elif a.followers_state == "fresh":
            bits.append("followers fresh")
        if a.reason:
            bits.append(a.reason)
        out.append(f"{_STATE_WORDS.get(a.state, a.state):<18} {a.account}" + (f"  {'; '.join(bits)}" if bits else ""))
    files = " and ".join(report.files)
    out.append(f"{report.metric_rows} metric row{'s' if report.metric_rows != 1 else ''}, "
               f"{report.follower_rows} follower row{'s' if report.follower_rows != 1 else ''}"
               + (f" appended to {files}" if files else ""))
    if report.git_error:
        out.append(f"not recorded in git: {report.git_error}")
    return "\n".join(out)


def format_metrics(report: MetricsReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    return format_text(report)


def commit_message(report: MetricsReport) -> str:
    head = (f"smm metrics: {report.metric_rows} metric row{'s' if report.metric_rows != 1 else ''}, "
            f"{report.follower_rows} follower row{'s' if report.follower_rows != 1 else ''}")
    lines = [f"- {a.account}: {_STATE_WORDS.get(a.state, a.state)}"
             + (f", {a.posts} posts" if a.posts else "")
             + (f", {a.followers} followers" if a.followers_state == "collected" else "")
             + (f" ({a.reason})" if a.reason else "")
             for a in report.accounts]
    return "\n".join([head, "", *lines]) if lines else head
