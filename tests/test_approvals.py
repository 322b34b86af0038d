"""`smm approvals`: a pull request that adds or changes a sponsored post fails until a reviewer named
in brand/brand.yml approved its current version. GitHub's review list is replayed through respx."""

from __future__ import annotations

import json

import git
import httpx
import pytest
import respx

from tests.conftest import post_text

API = "https://api.github.test"
REVIEWS = f"{API}/repos/acme/content/pulls/7/reviews"
BRAND = "name: Acme\nsponsored:\n  reviewers: [Legal-Lin, mkt-wang]\n"


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add(A=True)
    repo.index.commit(message)
    return repo.head.commit.hexsha


@pytest.fixture
def pull_request(make_repo):
    """A content repository with `main`, and a branch `pr` checked out (commits made by the test)."""
    root = make_repo({"plain.md": post_text(), "old-ad.md": post_text("Ad #ad", sponsored="true")},
                     files={"brand/brand.yml": BRAND})
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "t").set_value("user", "email", "t@example.com")
    _commit(repo, "base")
    repo.git.checkout("-b", "pr")
    return root, repo


def _env(**extra) -> dict:
    return {"GITHUB_TOKEN": "ghs_secret", "GITHUB_REPOSITORY": "acme/content", "GITHUB_API_URL": API, **extra}


def _review(login: str, state: str, commit: str) -> dict:
    return {"user": {"login": login}, "state": state, "commit_id": commit}


def _edit(root, name: str, text: str) -> None:
    (root / "content" / name).write_text(text, encoding="utf-8")


def _run(smm, reviews_for, *, pages=None):
    """`smm approvals --since main --pull-request 7`, the API answering `reviews_for(head)`."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        route = router.get(REVIEWS)
        if pages:
            route.side_effect = pages
        else:
            route.mock(return_value=httpx.Response(200, json=reviews_for))
        code, out, err = smm("approvals", "--since", "main", "--pull-request", "7", "--format", "json", env=_env())
        return code, (json.loads(out) if out.strip() else None), err, route.call_count


# (what the pull request does to the posts, reviews given the commits (base-of-change, head), expected ok)
CASES = {
    "no sponsored post changed": (lambda root: _edit(root, "plain.md", post_text("Edited")), lambda c: [], True),
    "new sponsored post, no review": (
        lambda root: _edit(root, "new-ad.md", post_text("New #ad", sponsored="true")), lambda c: [], False),
    "approved by a named reviewer (other case)": (
        lambda root: _edit(root, "new-ad.md", post_text("New #ad", sponsored="true")),
        lambda c: [_review("legal-lin", "APPROVED", c["head"])], True),
    "approved by someone not named": (
        lambda root: _edit(root, "new-ad.md", post_text("New #ad", sponsored="true")),
        lambda c: [_review("intern", "APPROVED", c["head"])], False),
    "approval then changes requested": (
        lambda root: _edit(root, "old-ad.md", post_text("Changed #ad", sponsored="true")),
        lambda c: [_review("mkt-wang", "APPROVED", c["head"]), _review("mkt-wang", "CHANGES_REQUESTED", c["head"])],
        False),
    "approval then a comment": (
        lambda root: _edit(root, "old-ad.md", post_text("Changed #ad", sponsored="true")),
        lambda c: [_review("mkt-wang", "APPROVED", c["head"]), _review("mkt-wang", "COMMENTED", c["head"])], True),
    "approval dismissed": (
        lambda root: _edit(root, "old-ad.md", post_text("Changed #ad", sponsored="true")),
        lambda c: [_review("mkt-wang", "APPROVED", c["head"]), _review("mkt-wang", "DISMISSED", c["head"])], False),
    "sponsored mark removed still needs approval": (
        lambda root: _edit(root, "old-ad.md", post_text("Ad, now unmarked")), lambda c: [], False),
    "approval of a commit this clone does not have": (
        lambda root: _edit(root, "old-ad.md", post_text("Changed #ad", sponsored="true")),
        lambda c: [_review("mkt-wang", "APPROVED", "0" * 40)], False),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_sponsored_posts_need_a_named_reviewers_approval(pull_request, smm, case):
    change, reviews, ok = CASES[case]
    root, repo = pull_request
    change(root)
    head = _commit(repo, "change")
    code, verdict, err, calls = _run(smm, reviews({"head": head}))
    assert (code, verdict["ok"]) == ((0, True) if ok else (1, False)), (out_err := (verdict, err))
    assert calls == (0 if case == "no sponsored post changed" else 1), out_err
    assert "ghs_secret" not in json.dumps(verdict) + err


def test_an_approval_goes_stale_when_the_sponsored_post_changes_after_it(pull_request, smm):
    root, repo = pull_request
    _edit(root, "new-ad.md", post_text("First #ad", sponsored="true"))
    approved = _commit(repo, "first version")
    _edit(root, "plain.md", post_text("Unrelated change"))
    _commit(repo, "unrelated")
    code, verdict, _, _ = _run(smm, [_review("Legal-Lin", "APPROVED", approved)])
    assert code == 0 and verdict["approved_by"] == ["Legal-Lin"]  # what was approved is what merges
    _edit(root, "new-ad.md", post_text("Second #ad, after the approval", sponsored="true"))
    _commit(repo, "second version")
    code, verdict, _, _ = _run(smm, [_review("Legal-Lin", "APPROVED", approved)])
    assert code == 1 and verdict["stale"] == ["Legal-Lin"] and verdict["sponsored"] == ["content/new-ad.md"]


def test_every_page_of_reviews_is_read(pull_request, smm):
    root, repo = pull_request
    _edit(root, "new-ad.md", post_text("New #ad", sponsored="true"))
    head = _commit(repo, "change")
    first = httpx.Response(200, json=[_review(f"user{i}", "APPROVED", head) for i in range(100)],
                           headers={"Link": f'<{REVIEWS}?per_page=100&page=2>; rel="next"'})
    second = httpx.Response(200, json=[_review("mkt-wang", "APPROVED", head)])
    code, verdict, _, calls = _run(smm, None, pages=[first, second])
    assert code == 0 and verdict["approved_by"] == ["mkt-wang"] and calls == 2


@pytest.mark.parametrize("brand, env, message", [
    ("name: Acme\n", _env(), "names no `sponsored"),
    (BRAND, {"GITHUB_REPOSITORY": "acme/content"}, "needs GITHUB_TOKEN"),
])
def test_missing_reviewers_or_token_is_a_clear_error(pull_request, smm, brand, env, message):
    root, repo = pull_request
    (root / "brand" / "brand.yml").write_text(brand, encoding="utf-8")
    _edit(root, "new-ad.md", post_text("New #ad", sponsored="true"))
    _commit(repo, "change")
    code, out, err = smm("approvals", "--since", "main", "--pull-request", "7", env=env)
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_the_pull_request_number_comes_from_the_workflow_event(pull_request, smm, tmp_path):
    root, repo = pull_request
    _edit(root, "new-ad.md", post_text("New #ad", sponsored="true"))
    head = _commit(repo, "change")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    with respx.mock(assert_all_mocked=True) as router:
        router.get(REVIEWS).mock(return_value=httpx.Response(200, json=[_review("mkt-wang", "APPROVED", head)]))
        code, out, err = smm("approvals", "--since", "main", env=_env(GITHUB_EVENT_PATH=str(event)))
    assert code == 0 and "approved by mkt-wang" in out


# a post's front matter YAML's own loader cannot read as data: the post is not judged sponsored by
# `smm approvals` (`smm check` reports it), and never an internal error
HOSTILE_FRONT = {
    "a number of 4,400 digits": "title: A\nsponsored: true\nviews: " + "9" * 4400 + "\n",
    "nested 5,000 deep": "title: A\nsponsored: true\nx: " + "[" * 5000 + "]" * 5000 + "\n",
    "an unknown tag": "title: A\nsponsored: !!python/object:os.system true\n",
}


@pytest.mark.parametrize("case", HOSTILE_FRONT)
def test_a_front_matter_yaml_cannot_read_is_no_internal_error(pull_request, smm, case):
    root, repo = pull_request
    _edit(root, "odd.md", f"---\n{HOSTILE_FRONT[case]}---\nBody\n")
    _commit(repo, "change")
    code, verdict, err, _ = _run(smm, [])
    assert "internal error" not in err and "Traceback" not in err, err[-1000:]
    assert code in (0, 1) and verdict is not None, err[-1000:]


# A file a post shows, changed by the pull request (the post itself unchanged) → whether approval is needed.
SHOWN = {
    "a sponsored post's picture": ("content/media/ad.png", True),
    "a sponsored video's cover picture": ("content/media/ad-cover.png", True),
    "the template a sponsored post's card is drawn from": ("brand/cards/quote.yml", True),
    "a plain post's picture": ("content/media/plain.png", False),
    "a picture no post shows": ("content/media/spare.png", False),
}


@pytest.mark.parametrize("case", SHOWN, ids=list(SHOWN))
def test_a_picture_a_sponsored_post_shows_is_part_of_what_is_approved(make_repo, smm, case):
    """Replacing an approved ad's picture changes the ad: it needs approval (and makes an approval stale)."""
    changed, needs = SHOWN[case]
    pictures = {f"content/media/{n}.png": n.encode() for n in ("ad", "ad-cover", "plain", "spare")}
    ad = post_text("Ad #ad", sponsored="true", media="[{file: content/media/ad.png}, "
                   "{file: content/media/clip.mp4, cover: content/media/ad-cover.png}, {card: quote, text: Hi}]")
    root = make_repo({"ad.md": ad, "plain.md": post_text(media="[{file: content/media/plain.png}]")},
                     files={"brand/brand.yml": BRAND, "brand/cards/quote.yml": "size: [1200, 675]\n", **pictures})
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "t").set_value("user", "email", "t@example.com")
    approved = _commit(repo, "base")
    repo.git.checkout("-b", "pr")
    (root / changed).write_bytes(b"another picture")
    _commit(repo, "a new picture")
    code, verdict, _, _ = _run(smm, [_review("Legal-Lin", "APPROVED", approved)])  # approved before the change
    assert (code, verdict["sponsored"], verdict["stale"]) == ((1, [changed], ["Legal-Lin"]) if needs else (0, [], []))
