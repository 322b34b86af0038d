"""Campaign: after random edits of a content repository, what smm keeps between runs must give
exactly what a run from nothing gives; run by hand, not by pytest.

    .venv/bin/python tests/bench/campaign.py check [--repo DIR] [--seed 1] [--steps 50] [--time | --since]
    .venv/bin/python tests/bench/campaign.py site  [--repo DIR] [--seed 1] [--steps 50] [--time]

Copies the repository (default: this one's example brand) to a temporary folder, runs the command
once, then for each step makes one random edit — a post's text (appended, a line removed or
doubled, one character changed with its size kept and, half the time, its modification time set
back), a field copied from another post (ids, dates, accounts, pillars, audience…), a voice rule,
a brand file, platforms.yml, a data file, a picture replaced, a post added, removed, renamed or
touched — or, with `--time`, moves the clock on by an hour to a month. Then it runs the command with
the kept cache (and, for `site`, into the kept folder) and from nothing, and compares:
`smm check --format json` findings (and `smm check FILE` for an edited post), or every file of the
two sites (the build time each page shows left out: a kept page keeps its own). An edit that breaks
the settings (exit 2) is undone. With `--since` the repository is a git repository with a commit
before each edit, and `smm check --since HEAD` must give the same kept and from nothing, no finding the
full check lacks and every one the edit brought (`SINCE_ELSEWHERE` aside); `smm check FILE` every
finding of the full check at FILE. The edits of the twelfth review (`MORE_EDITS`) set, remove or take
ids, move posts between folders and rename them by case or to another Unicode normal form, and rename
an account in platforms.yml. Prints each step; a difference stops the campaign and leaves the
folders for a look. The site's and the check's table tests were found this way (tests/test_site.py,
tests/test_check_cache.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "smm", "tests", "_site", "*.egg-info", "__pycache__", ".github", ".ci")
TEXTS = [b"\nOne more kettel of \xe9\x93\x81\xe8\xa7\x82\xe5\x9b\xa0 for the the team!!!\n", b"\nClick here to BUY NOW.\n",
         b"\n#tea #oolong\n"]
BUILD_TIME = re.compile(rb'<footer class="site">.*?</footer>|(generated|\xe7\x94\x9f\xe6\x88\x90\xe4\xba\x8e) \d{4}-\d\d-\d\d \d\d:\d\d',
                        re.S)


class Campaign:
    def __init__(self, repo: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.folder = Path(tempfile.mkdtemp(prefix="smm-campaign-"))
        self.work = self.folder / "repo"
        shutil.copytree(repo, self.work, ignore=SKIP)
        self.cache = self.folder / "cache"
        self.now = datetime.fromisoformat("2026-11-25T08:00:00+08:00")
        self.edited: Path | None = None  # the post an edit changed, for `smm check FILE`
        self.since = False  # compare `smm check --since HEAD` too (the repository in git, a commit each step)
        self.previous: tuple[int, list[str]] | None = None  # the full check's findings before the edit

    def run(self, cache: Path, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache), "SMM_NOW": self.now.isoformat()}
        return subprocess.run([sys.executable, "-m", "smm", *args], cwd=self.work, env=env, capture_output=True)

    # -- edits ----------------------------------------------------------------------------------

    def files(self, pattern: str) -> list[Path]:
        return sorted(p for p in self.work.glob(pattern) if p.is_file())

    def edit_text(self, path: Path, how: str) -> str:
        data, before = path.read_bytes(), path.stat()
        lines = data.split(b"\n")
        if how == "append":
            data += self.rng.choice(TEXTS)
        elif how == "delete a line":
            del lines[self.rng.randrange(len(lines))]
            data = b"\n".join(lines)
        elif how == "double a line":
            k = self.rng.randrange(len(lines))
            data = b"\n".join(lines[:k + 1] + lines[k:])
        elif how == "same size":
            i = self.rng.randrange(len(data))
            c = data[i:i + 1]
            if c.isascii() and c.isalpha():
                data = data[:i] + c.swapcase() + data[i + 1:]
        path.write_bytes(data)
        if how == "same size" and self.rng.random() < 0.5:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return f"{how}: {path.relative_to(self.work)}"

    def copy_field(self, posts: list[Path]) -> str:
        source, target = self.rng.sample(posts, 2)
        fields = re.findall(r"^([a-z_]+):.*$", source.read_text(encoding="utf-8").split("\n---", 1)[0], re.M)
        if not fields:
            return "no field"
        key = self.rng.choice(fields)
        line = re.search(rf"^{key}:.*$", source.read_text(encoding="utf-8"), re.M).group(0)
        text = target.read_text(encoding="utf-8")
        if re.search(rf"^{key}:.*$", text, re.M):
            text = re.sub(rf"^{key}:.*$", lambda _: line, text, count=1, flags=re.M)
        else:
            text = text.replace("---\n", f"---\n{line}\n", 1)
        target.write_text(text, encoding="utf-8")
        self.edited = target
        return f"field {key}: {source.name} -> {target.name}"

    def edit(self) -> str:
        self.edited = None
        posts = self.files("content/**/*.md")
        kind = self.rng.choice(["post"] * 3 + ["field"] * 3 + ["rule", "brand", "platforms", "data", "picture", "add",
                                                                "remove", "rename", "touch"] + MORE_EDITS)
        if kind in MORE_EDITS:
            return self.edit_more(kind, posts)
        hows = ["append", "same size", "delete a line", "double a line"]
        if kind == "post":
            self.edited = self.rng.choice(posts)
            return self.edit_text(self.edited, self.rng.choice(hows))
        if kind == "field":
            return self.copy_field(posts)
        if kind in ("rule", "brand", "platforms", "data"):
            choices = {"rule": self.files("brand/voice/**/*.yml"), "platforms": [self.work / "platforms.yml"],
                       "brand": [f for f in self.files("brand/**/*") if f.suffix in (".yml", ".j2", ".html")
                                 and "voice" not in f.parts],
                       "data": [f for f in self.files("data/**/*") if f.suffix in (".csv", ".json", ".jsonl")]}[kind]
            return self.edit_text(self.rng.choice(choices), self.rng.choice(hows[1:])) if choices else f"no {kind}"
        if kind == "picture":
            pictures = self.files("content/media/*.png") + self.files("brand/**/*.png")
            a, b = self.rng.sample(pictures, 2)
            shutil.copyfile(a, b)
            return f"picture {a.name} -> {b.name}"
        post = self.rng.choice(posts)
        if kind == "add":
            copy = post.with_name(f"new-{self.rng.randrange(10**6)}.md")
            shutil.copyfile(post, copy)
            return f"add {copy.relative_to(self.work)}"
        if kind == "remove":
            post.unlink()
            return f"remove {post.relative_to(self.work)}"
        if kind == "rename":
            post.rename(post.with_name(f"renamed-{post.name}"))
            return f"rename {post.relative_to(self.work)}"
        post.touch()
        return f"touch {post.relative_to(self.work)}"

    def edit_more(self, kind: str, posts: list[Path]) -> str:
        """The edits of the twelfth review: ids set, kept or taken, posts moved between folders, renamed
        by case or to a name of another Unicode normal form, an account renamed in platforms.yml."""
        post = self.rng.choice(posts)
        text = post.read_text(encoding="utf-8")
        if kind == "account":
            path = self.work / "platforms.yml"
            names = re.findall(r"^  ([a-z_]+):$", path.read_text(encoding="utf-8"), re.M)
            name = self.rng.choice(names)
            path.write_text(re.sub(rf"^  {name}:$", f"  {name}2:", path.read_text(encoding="utf-8"), count=1, flags=re.M),
                            encoding="utf-8")
            return f"account {name} renamed {name}2"
        if kind == "id":  # a new id, or another post's (a duplicate), set or changed
            other = self.rng.choice(posts)
            new_id = self.rng.choice([f"id-{self.rng.randrange(10**6)}", other.stem])
            post.write_text(_with_id(text, new_id), encoding="utf-8")
            self.edited = post
            return f"id {new_id}: {post.relative_to(self.work)}"
        if kind == "no id":
            post.write_text(re.sub(r"^id:.*\n", "", text, count=1, flags=re.M), encoding="utf-8")
            self.edited = post
            return f"no id: {post.relative_to(self.work)}"
        if not re.search(r"^id:", text, re.M) and self.rng.random() < 0.7:  # a rename keeping the id
            post.write_text(_with_id(text, post.stem), encoding="utf-8")
        if kind == "move":
            folder = self.rng.choice([p.parent for p in posts] + [self.work / "content" / "2027" / "01"])
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / post.name
        elif kind == "case":
            target = post.with_name(re.sub("[a-z]", lambda m: m.group().upper(), post.stem, count=1) + post.suffix)
        else:  # "normal form": café in the name, composed or decomposed
            form = self.rng.choice(["NFC", "NFD"])
            target = post.with_name(unicodedata.normalize(form, "café-") + post.name)
        if target == post or target.exists():
            return f"{kind}: no move"
        post.rename(target)
        self.edited = target
        return f"{kind} {post.relative_to(self.work)} -> {target.relative_to(self.work)}"

    # -- comparing ------------------------------------------------------------------------------

    def findings(self, cache: Path, *paths: str) -> tuple[int, list[str]]:
        done = self.run(cache, "check", "--format", "json", *paths)
        if done.returncode not in (0, 1, 2):
            return done.returncode, [done.stderr.decode(errors="replace")[-2000:]]
        return done.returncode, sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in json.loads(done.stdout))

    def check_step(self) -> tuple[bool, list[str]]:
        """(the settings are broken, the differences)."""
        fresh = self.folder / "fresh-cache"
        differences, full = [], None
        for paths in [()] + ([(str(self.edited.relative_to(self.work)),)] if self.edited and self.edited.exists() else []):
            shutil.rmtree(fresh, ignore_errors=True)
            kept, anew = self.findings(self.cache, *paths), self.findings(fresh, *paths)
            full = full if paths else anew
            if paths and anew[0] != 2:  # `smm check FILE`: none but the full check's findings, and all of those at FILE
                differences += [f"smm check {paths[0]}: not in the full check: {d[:300]}" for d in set(anew[1]) - set(full[1])]
                differences += [f"smm check {paths[0]}: left out: {d[:300]}" for d in set(full[1]) - set(anew[1])
                                if json.loads(d)["file"] == paths[0]]
            if kept != anew:
                differences += [f"smm check {' '.join(paths)}: exit {kept[0]} vs {anew[0]}"]
                differences += [("kept only: " if d in kept[1] else "fresh only: ") + d[:300]
                                for d in sorted(set(kept[1]) ^ set(anew[1]))[:8]]
        if self.since and anew[0] != 2:
            differences += self.since_step(full)
        return anew[0] == 2, differences

    def since_step(self, full: tuple[int, list[str]]) -> list[str]:
        """`smm check --since HEAD` (each edit is made on a commit of the step before): the same kept and
        from nothing, none but the full check's findings, each finding the edit brought (new in the full
        check; the rules of `SINCE_ELSEWHERE` aside), and an error exit when the edit brought an error."""
        fresh = self.folder / "fresh-cache"
        shutil.rmtree(fresh, ignore_errors=True)
        kept, anew = self.findings(self.cache, "--since", "HEAD"), self.findings(fresh, "--since", "HEAD")
        differences = [f"smm check --since HEAD: kept {d}" for d in sorted(set(kept[1]) ^ set(anew[1]))[:8]]
        differences += [f"smm check --since HEAD: not in the full check: {d[:300]}" for d in set(anew[1]) - set(full[1])]
        if self.previous is not None:
            differences += [f"smm check --since HEAD: left out: {d[:300]}" for d in sorted(set(full[1]) - set(self.previous[1]))
                            if d not in anew[1] and json.loads(d)["rule"] not in SINCE_ELSEWHERE]
        brought = self.previous is not None and any(json.loads(d)["severity"] == "error"
                                                    for d in set(full[1]) - set(self.previous[1]))
        if kept[0] != anew[0] or brought and anew[0] == 0:
            differences.append(f"smm check --since HEAD: exit {kept[0]} kept, {anew[0]} from nothing, {full[0]} in full")
        self.previous = full
        return differences

    def commit(self) -> None:
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "step", "--allow-empty"]):
            if args[0] != "init" or not (self.work / ".git").exists():
                subprocess.run(["git", "-c", "user.name=c", "-c", "user.email=c@example.com", "-c", "commit.gpgsign=false",
                                *args], cwd=self.work, check=True, capture_output=True)

    def build(self, cache: Path, out: Path) -> subprocess.CompletedProcess:
        return self.run(cache, "site", "build", "--out", str(out), "--now", self.now.isoformat())

    def site_step(self) -> tuple[bool, list[str]]:
        """(the site cannot be built, the differences)."""
        kept_out, fresh_out, fresh_cache = self.folder / "site", self.folder / "fresh-site", self.folder / "fresh-cache"
        for folder in (fresh_out, fresh_cache):
            shutil.rmtree(folder, ignore_errors=True)
        kept, anew = self.build(self.cache, kept_out), self.build(fresh_cache, fresh_out)
        if kept.returncode != anew.returncode or kept.returncode not in (0, 1, 2):
            return True, [f"exit {kept.returncode} vs {anew.returncode}: {kept.stderr[-500:]!r}"]
        if kept.returncode:
            return True, []
        one, other = _site(kept_out), _site(fresh_out)
        return False, [f"differs: {name}" for name in sorted(set(one) | set(other)) if one.get(name) != other.get(name)]


# findings `--since` may leave out: at the other files claiming an id the edit duplicated (the changed one says so)
SINCE_ELSEWHERE: set[str] = {"post.duplicate-id"}
MORE_EDITS = ["id", "no id", "move", "case", "normal form", "account"]


def _with_id(text: str, post_id: str) -> str:
    if re.search(r"^id:", text, re.M):
        return re.sub(r"^id:.*$", f"id: {post_id}", text, count=1, flags=re.M)
    return text.replace("---\n", f"---\nid: {post_id}\n", 1)


def _site(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): BUILD_TIME.sub(b"", p.read_bytes()) for p in out.rglob("*") if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check", "site"])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--time", action="store_true", help="move the clock on in some steps")
    parser.add_argument("--since", action="store_true", help="check: compare `smm check --since HEAD` too (not with --time)")
    args = parser.parse_args()
    campaign = Campaign(args.repo, args.seed)
    campaign.since = args.since and args.command == "check" and not args.time
    step_of = campaign.check_step if args.command == "check" else campaign.site_step
    if campaign.since:
        campaign.commit()
    step_of()
    for step in range(args.steps):
        backup = campaign.folder / "before"
        shutil.rmtree(backup, ignore_errors=True)
        if campaign.since:
            campaign.commit()
        shutil.copytree(campaign.work, backup, symlinks=True)
        if args.time and campaign.rng.random() < 0.4:
            campaign.now += timedelta(hours=campaign.rng.choice([1, 5, 13, 24, 49, 24 * 8, 24 * 31]))
            what = f"the clock at {campaign.now.isoformat()}"
        else:
            what = campaign.edit()
        broken, differences = step_of()
        print(f"step {step}: {what}: {'DIFFERENT' if differences else 'same'}", flush=True)
        if differences:
            print("\n".join(f"  {d}" for d in differences) + f"\nleft in {campaign.folder} (the repository before the edit: before/)")
            raise SystemExit(1)
        if broken:  # undo an edit that breaks the settings
            shutil.rmtree(campaign.work)
            shutil.copytree(backup, campaign.work, symlinks=True)
    shutil.rmtree(campaign.folder, ignore_errors=True)
    print(f"{args.steps} steps, no difference")


if __name__ == "__main__":
    main()
