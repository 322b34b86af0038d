"""One `smm listen`: every account whose network can search, every term of brand/listening.yml,
the new mentions appended to data/mentions/.

    for each network in platforms.yml    one "cannot search" note when it has no `search`
        for each of its accounts, ready  adapter.search(term, since, authors=competitors' handles there)
            a post is a mention when its text names a term (smm.listening.matching) and holds no
            exclusion, was said in the window, is none of the brand's accounts' own (their handles, the
            posts smm published), and is not
            already in data/mentions/ (by network and id, any month)
    ── sentiment (smm.inbox.sentiment), engagement = likes + reposts + replies
    ── appended to data/mentions/<YYYY-MM>.csv

An error on one account (refused credentials, a rate limit, no answer) stops that account's
queries, keeps what it found so far, and the others are still asked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable, Mapping, NamedTuple

from smm.errors import NotSupported, PlatformError
from smm.inbox.collect import own_handles, own_posts
from smm.listening.config import Listening, Term
from smm.listening.matching import matched
from smm.listening.mentions import Mention, append_mentions, one_line, read_mentions
from smm.listening.results import ListenRun, Searched
from smm.platforms import Found, Platform, answers, platform_class

log = logging.getLogger(__name__)


class Own(NamedTuple):
    """What makes a post the brand's own: its accounts' handles (lower case, no `@`), and the
    (network, id) of every post smm published (another brand account on the same network)."""

    handles: set[str]
    posts: set[tuple[str, str]]


def listen(repo, listening: Listening, now: datetime, env: Mapping[str, str], since: timedelta, *,
           adapter_for: Callable[[str], Platform] | None = None) -> ListenRun:
    adapter_for = adapter_for or (lambda name: platform_class(repo.config.accounts[name].platform)(
        repo.config.accounts[name], env, repo.root))
    run = ListenRun(now, now - since)
    known = {m.key for m in read_mentions(repo.root)}
    own = Own(own_handles(repo), {(repo.config.accounts[name].platform, remote_id)
                                  for name, remote_id in own_posts(repo) if name in repo.config.accounts})
    by_network: dict[str, list[str]] = {}
    for name, account in sorted(repo.config.accounts.items()):
        by_network.setdefault(account.platform, []).append(name)
    for network, names in sorted(by_network.items()):
        cls = platform_class(network)
        if not cls.has_search:
            run.searched.append(Searched(network, None, "skipped", reason=f"{cls.label} cannot search"))
            continue
        for name in names:
            searched, found = _search(name, repo.config.accounts[name], env, adapter_for, listening, run.since)
            run.searched.append(searched)
            for post, term in found:
                mention = _mention(network, post, term, listening, run, own)
                if mention is not None and mention.key not in known:
                    known.add(mention.key)
                    run.mentions.append(mention)
                    searched.new += 1
    run.mentions.sort(key=lambda m: (m.created_at, m.network, m.id))
    if run.mentions:
        run.files = append_mentions(repo.root, run.mentions)
    return run


def _search(name: str, account, env, adapter_for, listening: Listening,
            since: datetime) -> tuple[Searched, list[tuple[Found, Term]]]:
    """Every term through one account: what it found, each post with the term it was found by."""
    cls = platform_class(account.platform)
    searched = Searched(account.platform, name, "listened")
    ready = cls.readiness(account.options, env)
    if ready.not_configured or ready.not_installed:
        searched.state = "not_configured" if ready.not_configured else "skipped"
        searched.reason = ready.not_configured or ready.not_installed
        return searched, []
    authors = tuple(c.accounts[account.platform] for c in listening.competitors if account.platform in c.accounts)
    found: list[tuple[Found, Term]] = []
    adapter = adapter_for(name)
    try:
        for term in listening.terms:
            posts, problems = answers.kept(adapter.search(term.query, since, authors=authors))
            found += [(post, term) for post in posts]
            searched.queries += 1
            if problems and searched.reason is None:  # the others are kept; the account is `partial`
                searched.state, searched.reason = "partial", answers.left_out(cls.label, problems, "post")
    except NotSupported as exc:  # the network can search, this token may not (Weibo's advanced API)
        searched.state, searched.reason = "skipped", str(exc)
    except PlatformError as exc:
        searched.state, searched.reason = ("partial" if searched.queries else "failed"), str(exc)
        log.info("listen %s: %s", name, exc)
    finally:
        adapter.close()
    return searched, found


def _mention(network: str, post: Found, searched_for: Term, listening: Listening, run: ListenRun,
             own: Own) -> Mention | None:
    """The mention a post is, or None: not in the window, the brand's own, or naming no term."""
    if (not run.since <= post.created_at <= run.now or post.author.lstrip("@").casefold() in own.handles
            or (network, post.id) in own.posts):
        return None
    text = one_line(post.text)
    term = matched(text, listening, searched_for)
    if term is None:
        return None
    from smm.inbox.sentiment import sentiment  # the model loads only when there is something to classify

    return Mention(post.id, network, post.author, post.author_followers, post.created_at, text, post.url or "",
                   term.query, term.subject, sentiment(text), post.likes + post.reposts + post.replies)
