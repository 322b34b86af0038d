"""`smm check` of personas (brand/personas.yml): a post's `audience` names known personas, and
every persona got a post lately."""

from __future__ import annotations

from datetime import datetime, timedelta

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.content.post import Post
from smm.workspace.personas import PERSONAS_FILE
from smm.workspace.schema import did_you_mean
from smm.workspace.timezones import exact


def check_audience(repo, post: Post) -> list[Diagnostic]:
    """Each `audience` entry is a persona of brand/personas.yml (not judged while that file has errors)."""
    audience = post.meta.get("audience")
    if not isinstance(audience, list) or repo.settings.found.get("personas"):
        return []
    known = list(repo.personas.personas)
    return [Diagnostic.at(post.file, post.at(("audience", index)), ERROR, "post.unknown-persona",
                          f"no persona `{name}` in {PERSONAS_FILE}",
                          did_you_mean(name, known) or (f"personas are: {', '.join(known)}" if known
                                                        else f"declare it under `personas:` in {PERSONAS_FILE}"))
            for index, name in enumerate(audience) if isinstance(name, str) and name not in known]


def check_quiet_personas(repo, now: datetime) -> list[Diagnostic]:
    """A warning for each persona no non-draft post was for in the last `quiet_days` up to now."""
    days = repo.personas.quiet_days
    now = exact(now.astimezone(repo.config.timezone))  # the zone object of the posts' times: fast to compare
    since = now - timedelta(days=days)
    served = {name for post in repo.posts if post.publish_at and since <= post.publish_at <= now and not post.draft
              for name in post.meta.get("audience") or [] if isinstance(name, str)}
    return [Diagnostic(PERSONAS_FILE, persona.line, persona.column, WARNING, "persona.quiet",
                       f"no post was for persona `{persona.id}` ({persona.name}) in the last {days} days",
                       f"write one with `audience: [{persona.id}]`, or change `quiet_days`")
            for persona in repo.personas.personas.values() if persona.id not in served]
