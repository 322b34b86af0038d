"""`smm preview`: what each account will receive, as text, Markdown (for pull requests), HTML or JSON."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from smm import output, pages
from smm.content.derived import comment_path, comment_post
from smm.content.post import Post
from smm.data.jobs import JobRecord
from smm.errors import SmmError
from smm.platforms import platform_class
from smm.render import cards
from smm.render.rendered import Rendered
from smm.site.catalogue import html_language, text_language, text_mark
from smm.workspace.brand import first_language

Preview = list[tuple[Post, list[Rendered]]]



def entries(config, renderer, post: Post, accounts: list[str]) -> Preview:
    """The post for these accounts, then its first comment (`<id>+comment`) for those of them that
    can publish one, rendered as a reply there."""
    found = [(post, [renderer.render(post, name) for name in accounts])]
    commenting = [name for name in accounts if comment_path(post, name)
                  and platform_class(config.accounts[name].platform).comments_for(config.accounts[name].options)]
    if commenting:
        comment = comment_post(post)
        found.append((comment, [renderer.render(comment, name) for name in commenting]))
    return found


def _when(post: Post) -> str:
    return post.publish_at.strftime("%Y-%m-%d %H:%M %z") if post.publish_at else "unscheduled"


def _count(part) -> str:
    return f"{part.length}/{part.limit}" if part.limit else f"{part.length}"


_fits = cards.fits


def as_json(preview: Preview) -> str:
    return json.dumps([{"post": post.id, "title": post.title, "publish_at": post.publish_at.isoformat() if post.publish_at else None,
                        "accounts": [r.as_json() for r in renderings]}
                       for post, renderings in preview], ensure_ascii=False, indent=2)


def _original(post: Post, originals: dict) -> str | None:
    """What a reply post answers, as one line: `in reply to fan (mention): "the text"`, or
    `in reply to our post ID on ACCOUNT` (a JobRecord of the brand's own published post)."""
    item = originals.get(post.reply_to) if post.reply_to else None
    if item is None:
        return f"in reply to {post.reply_to} (not in data/inbox/)" if post.reply_to else None
    if isinstance(item, JobRecord):
        return f"in reply to our post {item.post_id} on {item.account}"
    return f"in reply to {item.author} ({item.kind}): \"{' '.join(item.text.split())}\""


def as_text(preview: Preview, originals: dict | None = None) -> str:
    """`originals`: inbox items (and the brand's own published posts) by id, to show what a reply answers."""
    out = []
    for post, renderings in preview:
        out.append(f"== {post.id}: {post.title} ({_when(post)}){'  [draft]' if post.draft else ''}")
        if original := _original(post, originals or {}):
            out.append(f"   {original}")
        for r in renderings:
            label = platform_class(r.platform).label
            for index, part in enumerate(r.parts):
                which = f" part {index + 1}/{len(r.parts)}" if len(r.parts) > 1 else ""
                out.append(f"-- {r.account} ({label}){which}: {_count(part)} {platform_class(r.platform).unit}"
                           f"{'' if _fits(r) else '  PROBLEM'}")
                out.append(part.text)
            out += [f"   media: {m.file}" + (f"  alt: {m.alt}" if m.alt else "  (no alt text)")
                    + (f"  cover: {m.cover}" if m.cover is not None else "") for m in r.media]
            out += [f"   ! {d.message}" for d in r.diagnostics]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def as_article(preview: Preview) -> str:
    """The one article HTML (markup `article`: WeChat) the selection holds, exactly as it is sent
    (its images' `src` are repository paths until the adapter uploads them)."""
    articles = [r for _post, renderings in preview for r in renderings if platform_class(r.platform).markup == "article"]
    if len(articles) != 1:
        found = ", ".join(f"{r.post} → {r.account}" for r in articles) or "none"
        raise SmmError(f"--format article prints one article: name one post and one WeChat account "
                       f"(`smm preview PATH --account NAME --format article`); this selection has {len(articles)} "
                       f"({found})")
    return articles[0].text + "\n"


def as_markdown(preview: Preview, originals: dict | None = None) -> str:
    """Compact, for a pull request comment or job summary: one collapsible section per post (a
    reply shows what it answers, from `originals`, so the reviewer sees the conversation)."""
    total = sum(len(r) for _, r in preview)
    out = [f"### smm preview: {len(preview)} post{'s' * (len(preview) != 1)}, {total} renderings", ""]
    for post, renderings in preview:
        badges = " · ".join(f"{r.account} {'✅' if _fits(r) else '❌'} {_count(r.parts[0])}" for r in renderings)
        out.append(f"<details><summary><b>{html.escape(post.id)}</b> · {html.escape(post.title)} · "
                   f"{_when(post)}{' · draft' if post.draft else ''} · {badges}</summary>")
        out.append("")
        if original := _original(post, originals or {}):
            out += [f"> {html.escape(original)}", ""]
        for r in renderings:
            out.append(f"**{r.account}** ({platform_class(r.platform).label})")
            for index, part in enumerate(r.parts):
                fence = output.fence(part.text)
                which = f"part {index + 1}/{len(r.parts)}, " if len(r.parts) > 1 else ""
                out += ["", f"{which}{_count(part)} {platform_class(r.platform).unit}", "", f"{fence}text", part.text, fence]
            out += [f"- media `{m.file}`: {html.escape(m.alt) if m.alt else '**no alt text**'}" for m in r.media]
            out += [f"- ❌ {html.escape(d.message)}" for d in r.diagnostics if d.is_error]
            out.append("")
        out += ["</details>", ""]
    return "\n".join(out)


def as_html(preview: Preview, root: Path, title: str, lang: str = "en") -> str:
    """One standalone page (smm/templates/pages/preview.html.j2): a card per account that looks
    roughly like the network (smm.render.cards). No script, no external file."""
    images = cards.Images(root)
    text = text_language(lang)  # the page is in English: the repository's text says its language
    sections = [{"post": post, "index": index + 1, "lang": first_language(post) or text, "when": _when(post),
                 "fits": all(_fits(r) for r in renderings),
                 "cards": [Markup(cards.card(r, images, title, first_language(post) or lang, lang)) for r in renderings]}
                for index, (post, renderings) in enumerate(preview)]
    return pages.page("preview", lang=html_language(lang), tl=text_mark(lang), title=f"{title}: preview", brand=title,
                      sections=sections,
                      renderings=sum(len(r) for _, r in preview), failing=[s for s in sections if not s["fits"]],
                      network_style=Markup(cards.network_style()), image_rules=Markup(images.rules_css()))


@dataclass(frozen=True)
class PreviewView:
    """`smm preview`'s result: the posts and their renderings, the inbox items reply posts answer,
    and what the HTML page needs (the repository, for images; the brand's name; the page language)."""

    preview: Preview
    originals: dict
    root: Path
    title: str = ""
    lang: str = "en"


def _write_preview(view: PreviewView, fmt: str) -> str:
    if fmt == "json":
        return as_json(view.preview) + "\n"
    if fmt == "markdown":
        return as_markdown(view.preview, view.originals) + "\n"
    if fmt == "html":
        return as_html(view.preview, view.root, view.title, view.lang) + "\n"
    if fmt == "article":
        return as_article(view.preview)
    from smm.check.diagnostics import visible

    return visible(as_text(view.preview, view.originals), keep="\n\t")


output.render.register(PreviewView, _write_preview)
