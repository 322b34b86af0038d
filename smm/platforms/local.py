"""A local test double for smm's own tests (it publishes nothing): Mastodon's limits and
lookups, state in a folder, faults on demand.

Like a Mastodon server behind a proxy that strips `Idempotency-Key`: every call makes a new
post, and `find()` is Mastodon's (the own posts of the lookup's window, by what was sent).
State lives in the account's `path` folder: `posts.json` (what was published), `others.json`
(other accounts, by handle: `{"followers": N, "posts": [{"id", "created_at", "likes", "reposts",
"replies"}]}`, what `profile` and `recent_posts` read) and `faults.json`, a list of faults the next
calls meet in order:

    ok               no fault this time
    timeout          the call fails before anything is created (outcome unknown to the caller)
    lost_response    the post is created, then the response is lost (outcome unknown)
    rate_limit:N     429 with Retry-After N seconds
    server_error     503: nothing created (but the caller cannot know that)
    acted_then_503   the post is created, then 503 comes back
    reject           a permanent refusal
    crash            the post is created, then the publishing process is killed
"""

from __future__ import annotations

import html
import json
import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from smm.errors import RateLimited, Rejected, TransientError
from smm.platforms.base import Display, Found, Metrics, Outgoing, Profile, PublishResult
from smm.platforms.mastodon import _REMOTE_MENTION, Mastodon, _created
from smm.workspace.files import write_atomic


class Local(Mastodon):
    name = "local"
    label = "Local test double (for tests; publishes nothing)"
    secrets = ()
    options = {"path": {"description": "The folder of its state. Default `.smm-local/<account>`.", "type": "string",
                        "minLength": 1}}
    options_rule = {}
    display = Display()
    for_tests = True
    can_publish = True
    requires = ()
    settle = 0.0  # the call runs in this process: once it returned or the process died, it is over

    @property
    def folder(self) -> Path:
        return Path(self.root) / self.options.get("path", f".smm-local/{self.account.name}")

    def _read(self, name: str) -> list:
        path = self.folder / name
        return json.loads(path.read_text("utf-8")) if path.exists() else []

    def _write(self, name: str, data: list) -> None:
        write_atomic(self.folder / name, json.dumps(data, ensure_ascii=False, indent=2) + "\n", Path(self.root))

    def _next_fault(self) -> str | None:
        faults = self._read("faults.json")
        if not faults:
            return None
        self._write("faults.json", faults[1:])
        return faults[0]

    def statuses_since(self, since: datetime) -> Iterator[dict]:
        """The posts as Mastodon would list them, newest first."""
        for post in reversed(self._read("posts.json")):
            yield {"id": post["id"], "url": post["url"], "created_at": post.get("created_at") or "1970-01-01T00:00:00+00:00",
                   "content": "<p>" + html.escape(_REMOTE_MENTION.sub(r"@\1", post["text"])) + "</p>",
                   "spoiler_text": post.get("spoiler_text"), "in_reply_to_id": post["reply_to"],
                   "media_attachments": [{"description": a} for a in post.get("media", [])]}

    def confirm(self, reference: str) -> PublishResult:
        post = next((p for p in self._read("posts.json") if reference.strip() in (p["id"], p["url"])), None)
        if post is None:
            raise Rejected(f"no post {reference} in {self.folder.name}")
        return PublishResult(post["id"], post["url"])

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        fault = self._next_fault()
        if fault == "timeout":
            raise TransientError("timed out", outcome_unknown=True)
        if fault and fault.startswith("rate_limit"):
            raise RateLimited("429 Too Many Requests", retry_after=float(fault.partition(":")[2] or 1))
        if fault == "server_error":
            raise TransientError("503 Service Unavailable", outcome_unknown=True)
        if fault == "reject":
            raise Rejected("422 Unprocessable Entity: text too long")
        posts = self._read("posts.json")
        number = str(len(posts) + 1)
        posts.append({"id": number, "key": idempotency_key, "url": f"local://{self.account.name}/{number}",
                      "post": outgoing.post_id, "text": outgoing.text,
                      "reply_to": outgoing.reply_to.remote_id if outgoing.reply_to else None,
                      "media": [alt or "" for _path, alt in outgoing.media], "spoiler_text": outgoing.content_warning,
                      "created_at": datetime.now(timezone.utc).isoformat(), "likes": 0, "reposts": 0, "replies": 0})
        self._write("posts.json", posts)
        if fault == "lost_response":
            raise TransientError("connection reset after the request was sent", outcome_unknown=True)
        if fault == "acted_then_503":
            raise TransientError("503 Service Unavailable", outcome_unknown=True)
        if fault == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        return PublishResult(number, posts[-1]["url"])

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        by_id = {p["id"]: p for p in self._read("posts.json")}
        return [Metrics(i, by_id[i]["likes"], by_id[i]["reposts"], by_id[i]["replies"]) for i in remote_ids if i in by_id]

    def followers(self) -> int | None:
        path = self.folder / "followers.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    def _other(self, handle: str) -> dict:
        path = self.folder / "others.json"
        others = json.loads(path.read_text("utf-8")) if path.exists() else {}
        if handle not in others:
            raise Rejected(f"no account {handle}")
        return others[handle]

    def profile(self, handle: str) -> Profile:
        other = self._other(handle)
        return Profile(handle, other.get("followers"), len(other.get("posts", [])), handle)

    def recent_posts(self, handle: str, since: datetime) -> list[Found]:
        other = self._other(handle)
        return [Found(str(p["id"]), handle, other.get("followers"), _created(p), p.get("text", ""), None,
                      p.get("likes", 0), p.get("reposts", 0), p.get("replies", 0))
                for p in other.get("posts", []) if _created(p) >= since]
