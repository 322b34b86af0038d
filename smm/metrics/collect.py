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

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta
from typing import Callable, Mapping

from smm.data.tables import COMPETITORS, COUNTS, FOLLOWERS, METRICS, append_rows, timestamp
from smm.errors import NotSupported, PlatformError
from smm.metrics.calls import GaveUp, Gate
from smm.metrics.competitors import collect_competitors
from smm.metrics.progress import Progress, Silent
from smm.metrics.results import AccountResult, MetricsReport
from smm.metrics.targets import Target, published_targets, recent_collections
from smm.platforms import Platform, answers, platform_class

log = logging.getLogger(__name__)

DEFAULT_SINCE = timedelta(days=30)
DEFAULT_INTERVAL = timedelta(hours=1)
DEFAULT_CONCURRENCY = 4  # calls in flight at once, over all accounts
BATCH = 25  # remote ids per metrics() call (Bluesky's getPosts takes 25)


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
        self.progress = progress or Silent()
        self.adapter_for = adapter_for or self._adapter
        self.gates: dict[str, Gate] = {}

    def _adapter(self, account: str) -> Platform:
        options = self.repo.config.accounts[account]
        return platform_class(options.platform)(options, self.env, self.repo.root)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> MetricsReport:
        report = MetricsReport(self.now, self.now - self.since)
        targets = published_targets(self.repo, self.now, self.since)
        fresh_posts, fresh_accounts = recent_collections(self.repo.root, self.now, self.interval, self.repo.config.renames)
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
            self.gates[account] = Gate(self.clock, self.sleep)
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
        try:
            rows, follower_rows = self._call_all(tasks, adapters, results)
        finally:
            for adapter in adapters.values():
                adapter.close()  # their connections (a run in a long-lived process leaked them)
        self._finish_states(results, targets)
        report.accounts = [results[a] for a in sorted(results)]
        report.metric_rows, report.follower_rows = len(rows), len(follower_rows)
        if rows:
            report.files.append(append_rows(self.repo.root, METRICS.month_file(self.now), METRICS.columns, rows))
        if follower_rows:
            report.files.append(append_rows(self.repo.root, FOLLOWERS.month_file(self.now), FOLLOWERS.columns,
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
                except (NotSupported, GaveUp, PlatformError) as exc:
                    self._note_failure(result, kind, batch, exc)
                    self.progress.advance(f"{account}: {kind} not collected")
                    continue
                label = platform_class(result.platform).label
                if kind == "followers":
                    try:
                        value = answers.count(value, "followers")
                    except ValueError as exc:  # never written: the next report would refuse the file
                        self._note_failure(result, kind, batch, PlatformError(f"{label}: {exc}"))
                    else:
                        if value is None:
                            result.followers_state = "unsupported"
                        else:
                            result.followers, result.followers_state = value, "collected"
                            follower_rows[account] = [collected, account, result.platform, value]
                    self.progress.advance(f"{account}: followers")
                    continue
                value, problems = answers.kept(value)
                if problems:  # the rest of the batch is written; the account is `partial`
                    self._note_failure(result, kind, batch, PlatformError(answers.left_out(label, problems, "post")))
                by_id = {m.remote_id: m for m in value}
                for target in batch:
                    m = by_id.get(target.remote_id)
                    if m is None:
                        if target.remote_id not in problems:  # not left out: the network no longer has it
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
        return self.gates[account].call(function)


def collect(repo, now: datetime, env: Mapping[str, str], since: timedelta = DEFAULT_SINCE,
            interval: timedelta = DEFAULT_INTERVAL, *, concurrency: int = DEFAULT_CONCURRENCY,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
            progress: Progress | None = None, adapter_for: Callable[[str], Platform] | None = None) -> MetricsReport:
    """Collect metrics and follower counts for posts published in [now - since, now], and the competitors'
    public figures (smm.metrics.competitors); append the rows."""
    collector = Collector(repo, now, env, since=since, interval=interval, concurrency=concurrency, sleep=sleep,
                          clock=clock, progress=progress, adapter_for=adapter_for)
    report = collector.run()
    report.competitors = collect_competitors(repo, now, env, collector.adapter_for, interval,
                                             lambda: Gate(clock, sleep))
    rows = [c.row(now) for c in report.competitors if c.state == "collected"]
    if rows:
        report.files.append(append_rows(repo.root, COMPETITORS.month_file(now), COMPETITORS.columns, rows))
    return report
