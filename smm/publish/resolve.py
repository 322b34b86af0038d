"""`smm resolve`: a human settles a job smm could not settle itself (unconfirmed, or failed for good),
or says an exported bundle (Douyin, Bilibili, Xiaohongshu) was uploaded.

    --published URL   it went out: checked against the network where smm can ask (the post
                      exists and is this account's; a bundle's URL is checked for the
                      network's form and its post id kept for metrics), then recorded as published
    --not-published   it did not: the job is pending again and the next run publishes it

Either way the record keeps who said so (git user.name and user.email of the checkout),
when, and whether smm could check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smm.data.records import RecordStore
from smm.data.jobs import JobState
from smm.errors import NotSupported, PlatformError, Rejected, SmmError, StateError
from smm.platforms import PublishResult, answers, platform_class
from smm.publish.attempts import part_hash, utc
from smm.workspace.repo import Repo

RESOLVABLE = (JobState.UNCONFIRMED, JobState.FAILED, JobState.EXPORTED)


@dataclass
class Resolution:
    state: JobState  # the job's state now: published, pending, or failed (a thread with parts still to go)
    url: str | None
    checked: str  # how the URL was checked, or why it could not be


def resolve(repo: Repo, post_id: str, account: str, reference: str | None, now: datetime, env) -> Resolution:
    """Settle one job of a post and an account `repo` has; `reference` is the post's URL (or id),
    None for `--not-published`."""
    from smm.data import gitops

    post = next(p for p in repo.posts if p.id == post_id)
    store = RecordStore(repo.root, repo.records, repo.config.renames)
    job = store.job(post_id, account)
    if job.get("state") not in RESOLVABLE:
        raise StateError(f"`{post_id}` on {account} is {job.get('state') or 'not in the publish records'}: "
                         "only unconfirmed, failed or exported jobs are resolved")
    who = gitops.identity(repo.root)
    if not who:
        raise StateError("set `git config user.name` and `user.email`: the record keeps who resolved a job")
    said = {"by": who, "at": utc(now), "as": "published" if reference else "not_published", "was": job["state"]}
    if reference is None:
        job = {**job, "state": JobState.PENDING, "attempts": 0, "retryable": None,
               "error": f"resolved as not published by {who}: publishing on the next run", "resolved": said}
        store.save(post_id, post.file, account, job)
        return Resolution(JobState.PENDING, None, "")
    found, checked = _confirm(repo, account, reference, env)
    owner = store.owner(account, post_id, found.remote_id, found.url)
    if owner:  # the same text last week is another post: recording it here would lose this one
        raise StateError(f"--published {reference}: that post is already recorded for `{owner}`; give the URL of "
                       f"`{post_id}`'s own post, or --not-published")
    part = next((i for i, p in enumerate(job.get("parts") or []) if job["state"] != JobState.EXPORTED
                 and ((found.remote_id and p.get("remote_id") == found.remote_id) or (found.url and p.get("url") == found.url))), None)
    if part is not None:  # recorded as the next part too, the parts still to go would never be sent
        raise StateError(f"--published {reference}: that post is part {part + 1} of `{post_id}` on {account}, recorded "
                         f"already; give the URL of part {len(job['parts']) + 1}, or --not-published")
    platform = platform_class(repo.config.accounts[account].platform)
    if job["state"] == "exported":  # its part is the bundle: the post a human uploaded replaces it
        job = {**job, "parts": [], "remote_id": None, "url": None}
    first = not job.get("parts")
    job = _with_part(repo, post, account, job, found, now)
    if checked and first:  # what a human typed is no network id: metrics leave it alone
        job["remote_id"] = None
    store.save(post_id, post.file, account, {**job, "resolved": {**said, "checked": checked is None}})
    shown = f"a {platform.label} post's link; smm cannot look it up" if platform.exports else "found on the network"
    return Resolution(job["state"], found.url, checked or shown)


def _with_part(repo: Repo, post, account: str, job: dict, found: PublishResult, now: datetime) -> dict:
    """The job with the post a human found as its next part: published when no part is left."""
    from smm.render.rendered import Renderer

    rendered = Renderer(repo.root, repo.config, repo.brand).render(post, account)
    parts = list(job.get("parts") or [])
    if len(parts) < len(rendered.parts):
        parts.append({"remote_id": found.remote_id, "url": found.url, "hash": part_hash(rendered.parts[len(parts)].text)}
                     | ({"extra": found.extra} if found.extra else {}))
    if len(parts) < len(rendered.parts):  # a thread: the rest goes out on the next run
        return {**job, "state": JobState.FAILED, "retryable": True, "parts": parts,
                "error": f"resolved: {len(parts)} of {len(rendered.parts)} parts went out; the rest on the next run"}
    return {**job, "state": JobState.PUBLISHED, "parts": parts, "remote_id": parts[0]["remote_id"], "url": parts[0].get("url"),
            "published_at": job.get("published_at") or utc(now), "retryable": None, "error": None}


def _confirm(repo: Repo, account: str, reference: str, env) -> tuple[PublishResult, str | None]:
    """The post as the network knows it, and None; or as given, and why it could not be checked."""
    options = repo.config.accounts[account]
    platform = platform_class(options.platform)
    as_given = PublishResult(reference.strip(), reference.strip() if reference.strip().startswith("https://") else None)
    reason = platform.readiness(options.options, env).reason
    if reason:
        return as_given, f"not checked ({reason})"
    adapter = platform(options, env, repo.root)
    try:
        return answers.checked(adapter.confirm(reference)), None
    except ValueError as exc:  # an id its record cannot keep
        raise PlatformError(f"could not check {reference}: {adapter.label} answered {exc}") from None
    except NotSupported as exc:
        return as_given, f"not checked ({exc.message})"
    except Rejected as exc:
        raise PlatformError(f"--published {reference}: {exc.message}") from None
    except SmmError as exc:  # the network did not answer, or refused the credentials
        raise PlatformError(f"could not check {reference}: {exc.message}; try again") from None
    finally:
        adapter.close()
