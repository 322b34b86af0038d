"""The benchmark repository of tests/bench/corpus.py is what its figures claim: a valid
repository with errors only where they are planted, many voice hits, the same every time."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from corpus import NOW, generate  # noqa: E402

from smm.check.run import run_check  # noqa: E402

POSTS = 240
# Errors a post of the corpus carries on purpose (besides voice rules of level error).
PLANTED = {"render.too-long", "render.mention", "media.alt-missing", "post.unknown-account", "render.too-many-links"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("corpus")
    generate(root, posts=POSTS)
    repo = run_check(root, datetime.fromisoformat(NOW))
    assert len(repo.posts) + len(repo.broken) == POSTS
    assert len(repo.voice.rules) == 41 + 201
    return root, repo.diagnostics


def test_errors_are_only_the_planted_ones_and_voice_rules(corpus):
    _, found = corpus
    unexpected = Counter(d.rule for d in found if d.is_error and d.rule not in PLANTED and not d.rule.startswith("voice."))
    assert not unexpected, unexpected


def test_nothing_wrong_with_settings_or_rules(corpus):
    _, found = corpus
    assert not [d for d in found if d.file.startswith("brand/") or d.file == "platforms.yml"
                if d.rule not in ("config.cannot-publish", "calendar.gap", "persona.quiet")]  # about content: no generated post names a persona


@pytest.mark.parametrize("rule", [
    "voice.Bench.",          # the generated substitution rules, English and Chinese
    "voice.Terms", "voice.ZhTerms", "voice.Hype", "voice.ZhSuperlatives",  # the example's rules, from their specs
    "voice.hashtags", "voice.exclamation",  # built-in social rules
    "render.too-long", "render.mention", "media.alt-missing", "post.unknown-account",  # planted
])
def test_the_corpus_hits_the_rules_it_is_meant_to(corpus, rule):
    _, found = corpus
    assert any(d.rule.startswith(rule) for d in found), rule


def test_a_typical_post_has_several_voice_hits(corpus):
    _, found = corpus
    per_post = Counter(d.file for d in found if d.rule.startswith("voice.") and d.file.startswith("content/"))
    assert len(per_post) > POSTS * 0.9
    assert sorted(per_post.values())[len(per_post) // 2] >= 5


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    generate(tmp_path / "a", posts=30)
    generate(tmp_path / "b", posts=30)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) > 30 + 201
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    generate(tmp_path / "c", posts=30, seed=15)
    posts = {p.read_text(encoding="utf-8") for p in (tmp_path / "c" / "content").rglob("*.md")}
    assert len(posts) == 30 and not posts & {p.read_text(encoding="utf-8") for p in (tmp_path / "a" / "content").rglob("*.md")}
