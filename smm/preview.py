"""`smm preview`: what each account will receive, as text, Markdown (for pull requests), HTML or JSON."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

from smm.content import Post
from smm.media import inspect
from smm.files import inside
from smm.platforms import platform_class
from smm.render import Rendered

Preview = list[tuple[Post, list[Rendered]]]

_INLINE_IMAGE_BYTES = 512 * 1024


def _when(post: Post) -> str:
    return post.publish_at.strftime("%Y-%m-%d %H:%M %z") if post.publish_at else "unscheduled"


def _count(part) -> str:
    return f"{part.length}/{part.limit}" if part.limit else f"{part.length}"


def _fits(rendered: Rendered) -> bool:
    return not any(d.is_error for d in rendered.diagnostics)


def as_json(preview: Preview) -> str:
    return json.dumps([{"post": post.id, "title": post.title, "publish_at": post.publish_at.isoformat() if post.publish_at else None,
                        "accounts": [r.as_json() for r in renderings]}
                       for post, renderings in preview], ensure_ascii=False, indent=2)


def as_text(preview: Preview) -> str:
    out = []
    for post, renderings in preview:
        out.append(f"== {post.id}: {post.title} ({_when(post)}){'  [draft]' if post.draft else ''}")
        for r in renderings:
            label = platform_class(r.platform).label
            for index, part in enumerate(r.parts):
                which = f" part {index + 1}/{len(r.parts)}" if len(r.parts) > 1 else ""
                out.append(f"-- {r.account} ({label}){which}: {_count(part)} {platform_class(r.platform).unit}"
                           f"{'' if _fits(r) else '  PROBLEM'}")
                out.append(part.text)
            out += [f"   media: {m.file}" + (f"  alt: {m.alt}" if m.alt else "  (no alt text)") for m in r.media]
            out += [f"   ! {d.message}" for d in r.diagnostics]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def as_markdown(preview: Preview) -> str:
    """Compact, for a pull request comment or job summary: one collapsible section per post."""
    total = sum(len(r) for _, r in preview)
    out = [f"### smm preview: {len(preview)} post{'s' * (len(preview) != 1)}, {total} renderings", ""]
    for post, renderings in preview:
        badges = " · ".join(f"{r.account} {'✅' if _fits(r) else '❌'} {_count(r.parts[0])}" for r in renderings)
        out.append(f"<details><summary><b>{html.escape(post.id)}</b> · {html.escape(post.title)} · "
                   f"{_when(post)}{' · draft' if post.draft else ''} · {badges}</summary>")
        out.append("")
        for r in renderings:
            out.append(f"**{r.account}** ({platform_class(r.platform).label})")
            for index, part in enumerate(r.parts):
                fence = _fence(part.text)
                which = f"part {index + 1}/{len(r.parts)}, " if len(r.parts) > 1 else ""
                out += ["", f"{which}{_count(part)} {platform_class(r.platform).unit}", "", f"{fence}text", part.text, fence]
            out += [f"- media `{m.file}`: {html.escape(m.alt) if m.alt else '**no alt text**'}" for m in r.media]
            out += [f"- ❌ {html.escape(d.message)}" for d in r.diagnostics if d.is_error]
            out.append("")
        out += ["</details>", ""]
    return "\n".join(out)


_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f4f5f7;color:#1c1e21}
main{max-width:1100px;margin:auto;padding:24px}h1{font-size:22px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#65676b;font-size:13px}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:14px}
.card{background:#fff;border-radius:12px;border-top:5px solid var(--c);padding:12px 14px;box-shadow:0 1px 3px #0002}
.card header{display:flex;justify-content:space-between;font-weight:600;color:var(--c)}
.part{white-space:pre-wrap;word-wrap:break-word;margin:10px 0;padding-top:8px;border-top:1px dashed #ddd}
.part:first-of-type{border-top:0}.count{font-size:12px;color:#65676b}.over{color:#c00;font-weight:600}
.html-body{white-space:normal}.media img{max-width:100%;border-radius:8px}.alt{font-size:12px;color:#555}
.problem{color:#c00;font-size:13px}
"""
_COLORS = {"mastodon": "#6364ff", "bluesky": "#1185fe", "x": "#000", "threads": "#000", "linkedin": "#0a66c2",
           "facebook": "#1877f2", "instagram": "#e1306c", "telegram": "#229ed9", "discord": "#5865f2",
           "slack": "#4a154b", "weibo": "#e6162d", "wechat": "#07c160", "feed": "#f26522"}


def _image(root: Path, file: str) -> str:
    path, reason = inside(root, file)
    if reason or not path.is_file() or path.stat().st_size > _INLINE_IMAGE_BYTES:
        return ""
    info = inspect(path)
    if not info.mime.startswith("image/"):
        return ""
    return f"data:{info.mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def as_html(preview: Preview, root: Path, title: str) -> str:
    """One standalone page: a card per account that looks roughly like the network."""
    e = html.escape
    out = [f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{e(title)} preview</title>",
           f"<style>{_STYLE}</style><main><h1>{e(title)}: what each account will receive</h1>"]
    for post, renderings in preview:
        out.append(f"<h2>{e(post.title)}</h2><div class=meta>{e(post.id)} · {e(_when(post))} · {e(post.file)}"
                   f"{' · draft' if post.draft else ''}</div><div class=cards>")
        for r in renderings:
            platform = platform_class(r.platform)
            out.append(f"<article class=card style=\"--c:{_COLORS.get(r.platform, '#555')}\"><header>"
                       f"<span>{e(platform.label)}</span><span>{e(r.account)}</span></header>")
            for part in r.parts:
                over = part.limit is not None and part.length > part.limit
                body = part.text if platform.markup == "html" else e(part.text)
                klass = "part html-body" if platform.markup == "html" else "part"
                out.append(f"<div class=\"{klass}\">{body}</div><div class=\"count{' over' if over else ''}\">"
                           f"{_count(part)} {e(platform.unit)}</div>")
            for m in r.media:
                src = _image(root, m.file)
                img = f"<img src=\"{src}\" alt=\"{e(m.alt or '')}\">" if src else f"<code>{e(m.file)}</code>"
                out.append(f"<div class=media>{img}<div class=alt>alt: {e(m.alt) if m.alt else '<b>missing</b>'}</div></div>")
            out += [f"<div class=problem>{e(d.message)}</div>" for d in r.diagnostics]
            out.append("</article>")
        out.append("</div>")
    out.append("</main></html>")
    return "\n".join(out)
