"""Never twice, never lost: `smm publish --push` runs killed at random moments, then counted.

    .venv/bin/python tests/campaign/never_twice.py --runs 1000 [--seed 7] [--networks mastodon,bluesky]

Needs the local peers (`bash tests/peers/mastodon.sh start`, `bash tests/peers/bluesky.sh start`).
It starts its own tests/peers/proxy.py in front of each network: the proxy strips
`Idempotency-Key` (smm must not lean on it) and answers 5xx, drops the connection, or
forwards late, after the server acted. Each lane is a bare remote, an editor's clone and two
runner checkouts; every run starts from a fresh checkout of the remote, as a CI runner
does, so a killed runner's local commits are lost. Round after round the editor pushes
new posts (identical texts among them, and threads), edits posts a killed run left in
flight, a fault may be armed, and one runner or two at once (overlapping) publish; a
runner is SIGKILLed at a random moment in about half the runs. The runs are forked from
this process with smm already imported, so a run costs what smm does, not Python's start.

At the end the faults are disarmed, the claims run out, clean runs finish what is due,
and every network account and the feed are compared with the records: a post on the
network that no record owns is a post twice, a due job without its post is a post lost.
Prints the tally (`--json` for a machine); exit 0 only with 0 twice, 0 lost and every
unknown outcome reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from peers import http_json  # noqa: E402
from peers.proxy import start as start_proxy  # noqa: E402
from peers.proxy import stop as stop_proxy

# Fast settings for the forked runs (set in this process before forking): the protocol is the
# same, its clocks shorter. The proxy's late forwards (LATE_MS) stay inside SETTLE, as the
# protocol assumes of a network.
LEASE = timedelta(seconds=4)
TIMEOUT = 1.0  # Mastodon.py's answer timeout
SETTLE = 1.0  # seconds a call may still take effect after it was sent
LATE_MS = 500
KILL_WITHIN = 1.2  # seconds: a killed run dies at a uniformly random moment in this span
BACKLOG = 8  # the editor adds posts while fewer than this many of the lane's are not yet published
POOL = ["Happy Friday! ☕", "Good morning from the roastery.", "早安！新茶到了。", "Happy Friday! ☕"]
LONG = ("Every Saturday at dawn the roastery wakes up and the leaves go into the drum in small batches. " * 4
        + "\n\n" + "Tea is a slow craft and so is a good thread about it, one part after another. " * 4)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


class Network:
    """One network account behind a proxy: how smm reaches it, and what is on it."""

    def __init__(self, name: str, proxy_url: str, upstream: str, peer) -> None:
        self.name, self.proxy_url, self.upstream, self.peer = name, proxy_url, upstream, peer

    def account(self, lane: int) -> tuple[str, dict, str]:
        """A fresh account: its platforms.yml entry, its environment, and its token or DID."""
        if self.name == "mastodon":
            account = self.peer.create_account(f"lane{lane}x{random.randrange(10**6)}")
            return (f"{{platform: mastodon, instance: '{self.proxy_url}', token_env: T_TOKEN, char_limit: 500}}",
                    {"T_TOKEN": account.token}, account.token)
        account = self.peer.create_account(f"lane{lane}")
        return (f"{{platform: bluesky, service: '{self.proxy_url}', handle: {account.handle}, password_env: T_PASSWORD}}",
                {"T_PASSWORD": account.password}, account.did)

    def posts(self, who: str) -> dict[str, dict]:
        """Every post of the account (its token or DID) on the network: id → {"text", "reply_to"}."""
        found = {}
        if self.name == "mastodon":
            auth = {"Authorization": f"Bearer {who}"}
            me = http_json("GET", f"{self.upstream}/api/v1/accounts/verify_credentials", headers=auth)[1]
            page = "?limit=40"
            while True:
                status, statuses = http_json("GET", f"{self.upstream}/api/v1/accounts/{me['id']}/statuses{page}", headers=auth)
                assert status == 200, statuses
                for s in statuses:
                    found[str(s["id"])] = {"text": s["content"], "reply_to": str(s.get("in_reply_to_id") or "") or None}
                if not statuses:
                    return found
                page = f"?limit=40&max_id={statuses[-1]['id']}"
        cursor = ""
        while True:
            url = (f"{self.upstream}/xrpc/com.atproto.repo.listRecords?repo={who}&collection=app.bsky.feed.post"
                   f"&limit=100{cursor}")
            status, body = http_json("GET", url)
            assert status == 200, body
            for r in body["records"]:
                reply = r["value"].get("reply")
                found[r["uri"]] = {"text": r["value"]["text"], "reply_to": reply["parent"]["uri"] if reply else None}
            if not body.get("cursor") or not body["records"]:
                return found
            cursor = f"&cursor={body['cursor']}"

    def arm(self, rng: random.Random) -> str | None:
        """Maybe one fault for the next publishing call, after the server acted (or, 429, before)."""
        path = "/api/v1/statuses" if self.name == "mastodon" else "/xrpc/com.atproto.repo.putRecord"
        effect = rng.choice([None, None, "status", "status", "drop", "late", "ratelimit"])
        if effect is None:
            return None
        if effect == "ratelimit":
            if self.name != "mastodon":
                return None
            http_json("POST", f"{self.upstream}/api/v1/_mock/faults", {
                "match": {"methods": ["POST"], "path": path}, "count": 1,
                "effect": {"type": "ratelimit", "headers": {"Retry-After": "1", "X-RateLimit-Reset":
                                                            (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()}}})
            return "429 before acting"
        fault = {"method": "POST", "path": path, "effect": effect, "count": 1, "delay_ms": LATE_MS,
                 "status": rng.choice([500, 502, 503, 504])}
        http_json("POST", f"{self.proxy_url}/_proxy/faults", fault)
        return effect

    def disarm(self) -> dict:
        if self.name == "mastodon":
            for rule in http_json("GET", f"{self.upstream}/api/v1/_mock/faults")[1] or []:
                http_json("DELETE", f"{self.upstream}/api/v1/_mock/faults/{rule['id']}")
        return http_json("DELETE", f"{self.proxy_url}/_proxy/faults")[1]


class Lane:
    """A bare remote, an editor and two runner checkouts publishing to one account and a feed."""

    def __init__(self, index: int, network: Network, base: Path, rng: random.Random) -> None:
        self.index, self.network, self.rng = index, network, rng
        self.dir = base / f"lane{index}"
        self.origin, self.editor = self.dir / "origin.git", self.dir / "editor"
        self.runners = [self.dir / "r0", self.dir / "r1"]
        entry, self.env, self.who = network.account(index)
        self.account = network.name
        self.texts: dict[str, list[str]] = {}  # post id → every body it had
        self.count = 0
        self.children: list[tuple[int, float | None, Path]] = []
        self.began: dict[int, float] = {}
        self.stats = Counter()
        self.editor.mkdir(parents=True)
        (self.editor / "content").mkdir()
        (self.editor / "platforms.yml").write_text(
            f"timezone: UTC\naccounts:\n  {self.account}: {entry}\n"
            "  feed: {platform: feed, path: data/feed/feed.xml, site: 'https://example.com', max_entries: 100000}\n")
        (self.editor / ".gitignore").write_text(".smm-cache/\n")
        git(self.editor, "init", "-q", "-b", "main")
        git(self.editor, "config", "user.name", "editor")
        git(self.editor, "config", "user.email", "editor@example.com")
        git(self.editor, "add", "-A")
        git(self.editor, "commit", "-qm", "init")
        subprocess.run(["git", "clone", "-q", "--bare", str(self.editor), str(self.origin)], check=True)
        git(self.editor, "remote", "add", "origin", str(self.origin))
        git(self.editor, "fetch", "-q", "origin")
        git(self.editor, "branch", "-q", "--set-upstream-to=origin/main")
        for runner in self.runners:
            subprocess.run(["git", "clone", "-q", str(self.origin), str(runner)], check=True)

    # -- the editor ---------------------------------------------------------------------

    def write(self, post: str, body: str, thread: bool = False) -> None:
        at = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        extra = "thread: auto\n" if thread else ""
        (self.editor / f"content/{post}.md").write_text(
            f"---\ntitle: {post}\npublish_at: {at}\nplatforms: [{self.account}, feed]\n{extra}---\n{body}\n")
        self.texts.setdefault(post, []).append(body)

    def edit(self) -> None:
        """New posts, and after a kill a typo fixed in a post that may be in flight."""
        git(self.editor, "pull", "-q", "--rebase")
        waiting = sum(self._state(p) != "published" for p in self.texts)
        for _ in range(self.rng.choice([1, 1, 2]) if waiting < BACKLOG else 0):
            self.count += 1
            post = f"l{self.index}p{self.count}"
            if self.rng.random() < 0.12:
                self.write(post, f"{post} " + LONG, thread=True)
                self.stats["threads"] += 1
            elif self.rng.random() < 0.5:
                self.write(post, self.rng.choice(POOL))
                self.stats["identical texts"] += 1
            else:
                self.write(post, f"Post {post}: a new tea arrives, {self.rng.randrange(10**6)}.")
        if self.stats["edit pending"]:
            self.stats["edit pending"] = 0
            in_flight = [p for p in self.texts if self._state(p) == "in_flight" and "thread" not in (self.editor / f"content/{p}.md").read_text()]
            if in_flight:
                post = self.rng.choice(in_flight)
                self.write(post, self.texts[post][-1] + " (typo fixed)")
                self.stats["edits after a kill"] += 1
        git(self.editor, "add", "-A")
        if not git(self.editor, "status", "--porcelain"):
            return
        git(self.editor, "commit", "-qm", "posts")
        for _ in range(10):
            if subprocess.run(["git", "push", "-q", "origin", "main"], cwd=self.editor, capture_output=True).returncode == 0:
                return
            git(self.editor, "pull", "-q", "--rebase")
        raise SystemExit("the editor could not push")

    def _state(self, post: str) -> str | None:
        path = self.editor / f"data/published/{post}.json"
        return json.loads(path.read_text())["accounts"].get(self.account, {}).get("state") if path.exists() else None

    # -- the runners ----------------------------------------------------------------------

    def start(self, runner: Path, kill: bool) -> None:
        """A fresh checkout of the remote (a new CI runner), then `smm publish --push` forked."""
        git(runner, "fetch", "-q", "origin")
        if (runner / ".git/rebase-merge").exists() or (runner / ".git/rebase-apply").exists():
            git(runner, "rebase", "--abort")  # a run killed while rebasing: a CI runner starts afresh
        git(runner, "checkout", "-q", "-f", "-B", "main", "origin/main")
        git(runner, "reset", "-q", "--hard", "origin/main")
        git(runner, "clean", "-qfdx")
        out = runner / ".smm-cache/report.json"
        out.parent.mkdir(exist_ok=True)
        pid = os.fork()
        if pid == 0:
            _child(runner, out, self.env)
        self.children.append((pid, time.monotonic() + self.rng.uniform(0, KILL_WITHIN) if kill else None, out))
        self.began[pid] = time.monotonic()
        self.stats["runs"] += 1

    def poll(self) -> bool:
        """Reap or kill the runners; True while any is alive."""
        alive = []
        for pid, kill_at, out in self.children:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0 and kill_at is not None and time.monotonic() >= kill_at:
                os.kill(pid, signal.SIGKILL)
                done, status = os.waitpid(pid, 0)
            if done == 0:
                alive.append((pid, kill_at, out))
            elif os.WIFSIGNALED(status):
                self.stats["killed"] += 1
                self.stats["edit pending"] = 1
            else:
                self.stats["seconds in finished runs"] += time.monotonic() - self.began[pid]
                self.read(out, os.WEXITSTATUS(status))
        self.children = alive
        return bool(alive)

    def read(self, out: Path, code: int) -> None:
        text = out.read_text() if out.exists() else ""
        try:
            report = json.loads(text[text.index("{"):]) if "{" in text else {"jobs": []}
        except ValueError:
            report = {"jobs": []}
        if code not in (0, 1):
            self.stats["runs that crashed (exit 3)"] += 1
            print(text[-2000:], file=sys.stderr)
        for job in report["jobs"]:
            self.stats[f"reported {job['state']}"] += 1
            if job["state"] == "in_flight":
                reason = "held by another run's claim" if "claimed by another run" in job["error"] else \
                    "unknown outcome, left to a later run" if "may still take effect" in job["error"] else "claim ran out"
                self.stats[f"reported in_flight: {reason}"] += 1
            if job["state"] in ("failed", "unconfirmed"):
                print(f"{job['state']}: {job['post']} → {job['account']}: {job['error']}", file=sys.stderr)
                self.stats["internal errors (bugs)"] += job["error"].startswith("internal error")

    def round(self) -> None:
        began = time.monotonic()
        self.edit()
        self.stats["seconds editing"] += time.monotonic() - began
        fault = self.network.arm(self.rng)
        if fault:
            self.stats[f"armed {fault}"] += 1
        overlap = self.rng.random() < 0.25
        self.stats["overlapping pairs"] += overlap
        for runner in self.runners[: 2 if overlap else 1]:
            self.start(runner, kill=self.rng.random() < 0.5)

    # -- the end: finish, then count -------------------------------------------------------

    def settled(self) -> bool:
        git(self.editor, "pull", "-q", "--rebase")
        return all(self._state(p) in ("published", "unconfirmed") for p in self.texts)

    def verify(self) -> dict:
        git(self.editor, "pull", "-q", "--rebase")
        on_network = self.network.posts(self.who)
        owned: dict[str, str] = {}  # remote id → post
        owners: dict[str, list[str]] = {}  # post → remote ids
        tally = Counter()
        for post, bodies in self.texts.items():
            record = json.loads((self.editor / f"data/published/{post}.json").read_text())["accounts"] \
                if (self.editor / f"data/published/{post}.json").exists() else {}
            for account in (self.account, "feed"):
                job = record.get(account, {})
                tally["jobs"] += 1
                if job.get("state") == "unconfirmed":
                    tally["unconfirmed (reported, a human decides)"] += 1
                    continue
                if job.get("state") != "published":
                    tally["lost"] += 1
                    print(f"lost: {post} → {account}: {job}", file=sys.stderr)
                    continue
                if account == "feed":
                    continue
                ids = [p["remote_id"] for p in job.get("parts") or []] or [job["remote_id"]]
                for number, remote_id in enumerate(ids):
                    if remote_id in owned:
                        tally["claimed by two records"] += 1
                        print(f"claimed by two records: {remote_id} by {owned[remote_id]} and {post}", file=sys.stderr)
                    owned[remote_id] = post
                    owners.setdefault(post, []).append(remote_id)
                    shown = on_network.get(remote_id)
                    if shown is None:
                        tally["lost"] += 1
                        print(f"lost: {post} part {number + 1}: {remote_id} is not on {self.account}", file=sys.stderr)
                    elif number == 0 and len(ids) == 1 and not any(_same(shown["text"], b) for b in bodies):
                        tally["wrong text"] += 1
                        print(f"wrong text: {post}: {shown['text']!r} is none of {bodies}", file=sys.stderr)
                    elif number and shown["reply_to"] != ids[number - 1]:
                        tally["broken thread"] += 1
        twice = [i for i in on_network if i not in owned]
        for remote_id in twice:
            shown = on_network[remote_id]["text"]
            whose = {post: owners.get(post) for post, bodies in self.texts.items() if any(_same(shown, b) for b in bodies)}
            print(f"twice: {remote_id} {shown[:60]!r} is owned by no record; posts that had this text, and the "
                  f"status each record owns: {whose}", file=sys.stderr)
        tally["posts twice"] = len(twice)
        tally["network posts"] = len(on_network)
        feed = json.loads((self.editor / "data/feed/feed.json").read_text())["items"] \
            if (self.editor / "data/feed/feed.json").exists() else []
        ids = [i["_smm"]["post"] for i in feed]
        atom = (self.editor / "data/feed/feed.xml").read_text() if feed else ""
        tally["posts twice"] += len(ids) - len(set(ids))
        tally["lost"] += len(set(self.texts) - set(ids)) + sum(1 for i in feed if i["id"] not in atom)
        return tally


def _same(content: str, body: str) -> bool:
    from smm.platforms.mastodon import shown, visible_text

    return visible_text(content) == shown(body) or content == body


def _child(runner: Path, out: Path, env: dict) -> None:
    """The forked run: `smm publish --push --format json` in the runner's checkout."""
    code = 3
    try:
        os.chdir(runner)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.environ.update(env)
        random.seed()
        from smm.cli import cli

        try:
            result = cli.main(["publish", "--push", "--format", "json"], prog_name="smm", standalone_mode=False)
            code = result if isinstance(result, int) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def prepare_runs(base: Path) -> None:
    """Import smm here (forked runs inherit it) with the campaign's short clocks."""
    os.environ["SMM_OFFLINE"] = "1"
    os.environ.setdefault("SMM_CACHE_DIR", str(base / "cache"))
    import smm.cli  # noqa: F401
    import smm.data.gitops  # noqa: F401
    import smm.platforms.bluesky  # noqa: F401
    import smm.platforms.mastodon as mastodon
    import smm.publish.pipeline as publish
    import smm.publish.results  # noqa: F401
    import smm.render.rendered  # noqa: F401

    publish.LEASE = LEASE
    mastodon.TIMEOUT = TIMEOUT
    mastodon.Mastodon.settle = SETTLE
    try:
        import atproto  # noqa: F401
        import mastodon as sdk  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"the SDKs are needed: {exc}") from None


def finish(lanes: list[Lane]) -> None:
    """Clean runs (no kills, no faults), once the claims ran out, until nothing is left in flight."""
    for _ in range(12):
        left = [lane for lane in lanes if not lane.settled()]
        if not left:
            return
        time.sleep(LEASE.total_seconds() + SETTLE + 0.2)
        for lane in left:
            lane.start(lane.runners[0], kill=False)
            lane.stats["runs"] -= 1  # not counted: the campaign's runs are the ones before
        while any(lane.poll() for lane in left):
            time.sleep(0.02)


def campaign(runs: int, seed: int, networks: list[str], lanes_per_network: int) -> dict:
    from peers import bluesky, mastodon

    rng = random.Random(seed)
    base = Path(tempfile.mkdtemp(prefix="smm-campaign-"))
    prepare_runs(base)
    proxies, lanes = [], []
    started = time.monotonic()
    try:
        for name in networks:
            peer = mastodon() if name == "mastodon" else bluesky()
            upstream = peer.url if name == "mastodon" else peer.pds_url
            process, url = start_proxy(upstream)
            proxies.append(process)
            network = Network(name, url, upstream, peer)
            for _ in range(lanes_per_network):
                lanes.append(Lane(len(lanes), network, base, random.Random(rng.random())))
        while sum(lane.stats["runs"] for lane in lanes) < runs:
            for lane in lanes:
                if not lane.poll() and sum(x.stats["runs"] for x in lanes) < runs:
                    lane.round()
            time.sleep(0.01)
        while any(lane.poll() for lane in lanes):
            time.sleep(0.02)
        fired = Counter()
        for network in {lane.network for lane in lanes}:
            state = network.disarm()
            fired.update({f"fired {k}": v for k, v in state["fired"].items()})
            fired["Idempotency-Key headers stripped"] += state["stripped"]
            fired["slowest late forward (ms)"] = max(fired["slowest late forward (ms)"], state["slowest_late_ms"])
        finish(lanes)
        tally = Counter()
        for lane in lanes:
            tally.update(lane.stats)
            tally.update(lane.verify())
        tally.update(fired)
        del tally["edit pending"]
        tally["seconds"] = round(time.monotonic() - started)
        for key in [k for k in tally if k.startswith("seconds ")]:
            tally[key] = round(tally[key])
        return dict(sorted(tally.items()))
    finally:
        for process in proxies:
            stop_proxy(process)
        # thousands of small git objects: removed in the background, the tally does not wait for it
        subprocess.Popen(["rm", "-rf", str(base)], start_new_session=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Never twice, never lost: a SIGKILL campaign against the local peers.")
    parser.add_argument("--runs", type=int, default=200, help="smm publish runs (default 200)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--networks", default="mastodon,bluesky", help="comma-separated: mastodon, bluesky")
    parser.add_argument("--lanes", type=int, default=2, help="lanes per network, run side by side (default 2)")
    parser.add_argument("--json", action="store_true", help="print the tally as JSON")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the proxies are stopped too
    tally = campaign(args.runs, args.seed, args.networks.split(","), args.lanes)
    tally["seed"] = args.seed
    if args.json:
        print(json.dumps(tally))
    else:
        for key, value in tally.items():
            print(f"{key:>45}  {value}")
    bad = tally.get("posts twice", 0) + tally.get("lost", 0) + tally.get("claimed by two records", 0) + \
        tally.get("wrong text", 0) + tally.get("broken thread", 0) + tally.get("runs that crashed (exit 3)", 0) + \
        tally.get("internal errors (bugs)", 0)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
