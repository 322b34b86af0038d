"""`smm preview`: what each account will receive, as text, Markdown (for pull requests), HTML or JSON."""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from smm import output
from smm.content.media import inspect
from smm.content.post import Post
from smm.content.tokens import HASHTAG, MENTION, URL
from smm.errors import SmmError
from smm.platforms import platform_class, registry
from smm.render.rendered import Rendered
from smm.workspace.brand import first_language
from smm.workspace.files import inside, open_regular

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


def _original(post: Post, originals: dict) -> str | None:
    """What a reply post answers, as one line: `in reply to fan (mention): "the text"`."""
    item = originals.get(post.reply_to) if post.reply_to else None
    if item is None:
        return f"in reply to {post.reply_to} (not in data/inbox/)" if post.reply_to else None
    return f"in reply to {item.author} ({item.kind}): \"{' '.join(item.text.split())}\""


def as_text(preview: Preview, originals: dict | None = None) -> str:
    """`originals`: inbox items by id, to show what a reply answers."""
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


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


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
                fence = _fence(part.text)
                which = f"part {index + 1}/{len(r.parts)}, " if len(r.parts) > 1 else ""
                out += ["", f"{which}{_count(part)} {platform_class(r.platform).unit}", "", f"{fence}text", part.text, fence]
            out += [f"- media `{m.file}`: {html.escape(m.alt) if m.alt else '**no alt text**'}" for m in r.media]
            out += [f"- ❌ {html.escape(d.message)}" for d in r.diagnostics if d.is_error]
            out.append("")
        out += ["</details>", ""]
    return "\n".join(out)


_STYLE = """
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji",sans-serif;
margin:0;background:#eef0f3;color:#1c1e21}
main{max-width:1180px;margin:auto;padding:20px 16px 40px}
h1{font-size:22px;margin:0 0 4px;line-height:1.3;overflow-wrap:anywhere}
.summary{color:#4b4f56;margin:0 0 8px}.summary a{color:#b00020}
.bad-list{margin:4px 0 0;padding-left:20px;color:#b00020;font-size:14px}
.empty{background:#fff;border:1px dashed #bbb;border-radius:10px;padding:24px;text-align:center;color:#4b4f56}
section.post{margin-top:26px}
h2{font-size:18px;margin:0 0 2px;line-height:1.35;overflow-wrap:anywhere}
.meta{color:#4b4f56;font-size:13px;margin-bottom:10px;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;border-radius:4px;background:#e4e6eb;color:#333;
vertical-align:1px}.badge.draft{background:#fff0c2;color:#6b4e00}.badge.fail{background:#fde2e1;color:#b00020}
.badge.ok{background:#def2e3;color:#1d6b34}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(340px,100%),1fr));gap:14px;align-items:start}
.card{background:#fff;border-radius:12px;border-top:4px solid var(--c);box-shadow:0 1px 3px #0003;min-width:0;
overflow:hidden}
.card.bad{box-shadow:0 0 0 2px #d93025,0 1px 3px #0003}
.card>header{display:flex;align-items:center;gap:10px;padding:12px 14px 6px}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;background:var(--c);color:#fff;font-weight:700;font-size:18px;
display:flex;align-items:center;justify-content:center}
.who{min-width:0;flex:1;line-height:1.25}.who b{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.who small{color:#4b4f56;font-size:13px;overflow-wrap:anywhere}
.net{flex:none;font-size:12px;font-weight:600;color:var(--ink);border:1px solid var(--c);border-radius:999px;padding:1px 8px}
.cw{margin:6px 14px 0;padding:6px 10px;border-radius:6px;background:#f2f3f5;font-size:13px;color:#333}
.thread{list-style:none;margin:0;padding:0}
.part{position:relative;padding:8px 14px 10px}
.thread.many .part{padding-left:38px}
.thread.many .part:before{content:"";position:absolute;left:21px;top:30px;bottom:-8px;border-left:2px solid var(--c);
opacity:.35}
.thread.many .part:last-child:before{display:none}
.num{position:absolute;left:10px;top:9px;width:24px;height:20px;border-radius:10px;background:var(--c);color:#fff;
font-size:11px;font-weight:700;text-align:center;line-height:20px}
.text{white-space:pre-wrap;overflow-wrap:anywhere;line-break:normal}
.text a,.text .tag,.text .mention{color:var(--ink);text-decoration:none}.text a:hover{text-decoration:underline}
.html-body{white-space:normal}.html-body>:first-child{margin-top:0}.html-body>:last-child{margin-bottom:0}
.html-body p,.html-body ul,.html-body ol{margin:0 0 .7em}.html-body ul,.html-body ol{padding-left:1.4em}.html-body a{text-decoration:underline}
.html-body h1,.html-body h2,.html-body h3,.html-body h4{font-size:16px;margin:.6em 0 .4em}
.html-body pre{white-space:pre-wrap;background:#f4f5f7;padding:6px 8px;border-radius:6px}
.html-body blockquote{margin:0 0 .7em;padding-left:10px;border-left:3px solid #ccc;color:#444}
.phone{max-width:375px;margin:0 auto;border:8px solid #1c1e21;border-radius:24px;padding:14px 12px;background:#fff;
max-height:680px;overflow-y:auto}.html-body.article>section{margin:0}
.shot.inline{display:block;height:200px;margin:1em 0;background:#f2f3f5 center/contain no-repeat;border-radius:4px}
.entry-title{font-size:17px;font-weight:700;margin:0 0 8px;line-height:1.3;overflow-wrap:anywhere}
.entry-link{font-size:12px;color:#4b4f56;overflow-wrap:anywhere;padding-top:0}.entry-link a{color:var(--ink)}
.spoiler{background:#d5d8dc;border-radius:3px}
code.raw{font-size:12px;background:#fde2e1;color:#8c1d18;border-radius:3px;padding:0 3px;white-space:pre-wrap}
.imgph{font-size:13px;background:#f2f3f5;border-radius:4px;padding:0 4px}
.count{display:flex;align-items:center;gap:8px;margin-top:6px;font-size:12px;color:#4b4f56;font-variant-numeric:tabular-nums}
.meter{flex:0 0 72px;height:5px;border-radius:3px;background:#e4e6eb;overflow:hidden}
.meter i{display:block;height:100%;background:var(--c)}
.over{color:#b00020;font-weight:600}.over .meter i{background:#d93025}
.media{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:6px;padding:4px 14px 10px}
.media figure{margin:0;min-width:0}
.media .shot{height:220px;background:#f2f3f5 center/contain no-repeat;border-radius:8px}
.media .file{display:flex;align-items:center;justify-content:center;min-height:90px;padding:8px;background:#f2f3f5;
border-radius:8px;font:12px ui-monospace,monospace;color:#4b4f56;overflow-wrap:anywhere;text-align:center}
figcaption{font-size:12px;color:#4b4f56;margin-top:3px;overflow-wrap:anywhere}
figcaption b{font-size:10px;background:#1c1e21;color:#fff;border-radius:3px;padding:0 4px;margin-right:4px}
figcaption.missing{color:#b00020;font-weight:600}
.problems{margin:0;padding:8px 14px 10px 32px;background:#fdecea;border-top:1px solid #f5c2c0;font-size:13px;color:#8c1d18}
.problems li{overflow-wrap:anywhere}.problems li.warn{color:#6b4e00}.problems small{display:block;color:#5f2120}
@media (max-width:480px){main{padding:14px 10px 30px}.part{padding-left:12px;padding-right:12px}}
"""
_PLAIN_TOKENS = re.compile(rf"(?P<url>{URL.pattern})|(?P<tag>{HASHTAG.pattern})|(?P<mention>(?<![\w@/]){MENTION.pattern})")
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class _Images:
    """The page's inlined images, each embedded once in a `<style>` rule and shown by class
    wherever a card uses it (three accounts with one photo: its bytes once, not three times)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.shown: dict[str, tuple[str, str]] = {}  # file → (class, why not shown)
        self.rules: list[str] = []

    def use(self, file: str) -> tuple[str, str]:
        """(CSS class, "") for an image shown in this preview, else ("", why not)."""
        if file not in self.shown:
            uri, why = self._data_uri(file)
            name = f"img-{len(self.rules) + 1}" if uri else ""
            if uri:
                self.rules.append(f'.{name}{{background-image:url("{uri}")}}')
            self.shown[file] = (name, why)
        return self.shown[file]

    def style(self) -> str:
        return f"<style>{''.join(self.rules)}</style>" if self.rules else ""

    def _data_uri(self, file: str) -> tuple[str, str]:
        path, reason = inside(self.root, file)
        if reason:
            return "", reason
        info = inspect(path)
        if info.problem:
            return "", info.problem
        if info.size > _INLINE_IMAGE_BYTES:
            return "", f"over {_INLINE_IMAGE_BYTES // 1024} KiB: not inlined in this preview"
        if not re.fullmatch(r"image/[a-z0-9.+-]+", info.mime):
            return "", f"{info.mime}: not shown in this preview"
        try:
            with open_regular(path) as handle:
                data = handle.read(_INLINE_IMAGE_BYTES + 1)
        except OSError as exc:
            return "", f"cannot be read: {exc.strerror or exc}"
        return f"data:{info.mime};base64,{base64.b64encode(data).decode()}", ""


# -- HTML from the renderer (the feed, WeChat, Telegram): rendered through an allow-list ---------------

_BLOCK_TAGS = {"p", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure",
               "figcaption", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "div"}
_INLINE_TAGS = {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "span", "br", "sub", "sup",
                "mark", "small", "abbr", "q", "cite", "kbd", "tg-spoiler", "tg-emoji"}
_VOID_TAGS = {"br", "hr"}


class _AllowList(HTMLParser):
    """HTML → HTML with only allowed tags and no attribute but a checked link target.

    Anything else (script, style, iframe, event handlers, javascript: links) is shown as
    escaped text in red, so that the reviewer sees what the template or post produced.
    """

    def __init__(self, allowed: set[str], linkify: str | None = None, styles: bool = False,
                 images: _Images | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.images = images  # shows an image of a repository file (an article's), else a placeholder
        self.allowed = allowed
        self.linkify = linkify
        self.styles = styles  # keep `style` attributes (an article's look is in them)
        self.out: list[str] = []
        self.open: list[str] = []
        self.refused: list[str] = []

    def _raw(self, text: str, tag: str | None = None) -> None:
        if tag and tag not in self.refused:
            self.refused.append(tag)
        self.out.append(f'<code class="raw">{html.escape(text)}</code>')

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "img":
            alt = values.get("alt") or ""
            shown = self.images.use(values.get("src") or "")[0] if self.images and values.get("src") else ""
            if shown:
                self.out.append(f'<span class="shot inline {shown}" role="img" aria-label="{html.escape(alt)}"></span>')
                return
            self.out.append(f'<span class="imgph">[image{": " + html.escape(alt) if alt else ""}]</span>')
            return
        if tag not in self.allowed:
            self._raw(self.get_starttag_text() or f"<{tag}>", tag)
            return
        name, extra = tag, ""
        if tag == "a":
            href = (values.get("href") or "").strip()
            if href.lower().startswith(("http://", "https://", "mailto:")):
                extra = f' href="{html.escape(href)}"'
            elif href:
                self._raw(f'href="{href}"', "a href")
        elif tag in ("tg-spoiler", "span"):
            name, extra = "span", ' class="spoiler"' if tag == "tg-spoiler" or values.get("class") == "tg-spoiler" else ""
        elif tag == "tg-emoji":
            name = "span"
        if self.styles and values.get("style") and "class" not in extra:
            extra += f' style="{html.escape(values["style"])}"'
        self.out.append(f"<{name}{extra}>")
        if tag not in _VOID_TAGS:
            self.open.append(name)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS and tag in self.allowed:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "img" or tag in _VOID_TAGS:
            return
        if tag not in self.allowed:
            self._raw(f"</{tag}>", tag)
            return
        name = "span" if tag in ("tg-spoiler", "tg-emoji") else tag
        if name in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == name:
                    break

    def handle_data(self, data: str) -> None:
        if self.linkify and "a" not in self.open and "code" not in self.open and "pre" not in self.open:
            self.out.append(rich_text(data, self.linkify))
        else:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        self._raw(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._raw(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self._raw(f"<?{data}>")

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))


def safe_html(markup: str, allowed: set[str] = _BLOCK_TAGS | _INLINE_TAGS, linkify: str | None = None,
              styles: bool = False, images: _Images | None = None) -> tuple[str, list[str]]:
    """`markup` through the allow-list; also the names of the refused tags.

    With `linkify` (a platform name), links, hashtags and mentions in the text are marked
    up as that network does it by itself (Telegram); with `styles`, `style` attributes are
    kept (the page's Content-Security-Policy still fetches nothing they name); with `images`, an
    image of a repository file is shown.
    """
    parser = _AllowList(allowed, linkify, styles, images)
    parser.feed(markup)
    return parser.result(), parser.refused


# -- plain text: escaped, with links, hashtags and mentions shown as the network shows them --------


def _network_style() -> str:
    """Each network's colours (`Platform.display`), as classes of the card."""
    out = []
    for name, cls in sorted(registry().items()):
        look = cls.display
        out.append(f".net-{name}{{--c:{look.accent};--ink:{look.ink}}}")
        out += [f".net-{name} .avatar{{border-radius:8px}}"] if look.square_avatar else []
    return "".join(out)


def _shown_link(url: str, platform: str) -> str:
    room = platform_class(platform).display.link_chars
    if room is None:
        return url
    bare = re.sub(r"^https?://(www\.)?", "", url)
    return bare if len(bare) <= room else bare[:room] + "…"


def _link(url: str, shown: str) -> str:
    e = html.escape
    if not url.lower().startswith(("http://", "https://")):
        return f"<span class=\"tag\">{e(shown)}</span>"
    return f'<a href="{e(url)}">{e(shown)}</a>'  # the browser shows the full address on hover


def _spans_from_facets(text: str, facets) -> list[tuple[int, int, str, str]]:
    """Bluesky facets (UTF-8 byte offsets) → (start, end, kind, target) in characters."""
    data = text.encode("utf-8")
    spans = []
    for facet in facets:
        try:
            index, feature = facet["index"], facet["features"][0]
            start = len(data[:index["byteStart"]].decode("utf-8", "ignore"))
            end = len(data[:index["byteEnd"]].decode("utf-8", "ignore"))
        except (KeyError, IndexError, TypeError):
            continue
        kind = str(feature.get("$type", "")).rsplit("#", 1)[-1]
        spans.append((start, end, kind, str(feature.get("uri") or "")))
    spans.sort()
    return [s for i, s in enumerate(spans) if i == 0 or s[0] >= spans[i - 1][1]]


def rich_text(text: str, platform: str, facets=()) -> str:
    """Escaped text with links, hashtags and mentions marked up (links as the network displays them)."""
    e = html.escape
    if facets:
        spans = _spans_from_facets(text, facets)
    else:
        spans = [(m.start(), m.end(), m.lastgroup, m.group()) for m in _PLAIN_TOKENS.finditer(text)]
    out, position = [], 0
    for start, end, kind, target in spans:
        out.append(e(text[position:start]))
        piece = text[start:end]
        if kind in ("url", "link"):
            out.append(_link(target, _shown_link(piece, platform) if kind == "url" else piece))
        elif kind == "mention":
            out.append(f'<span class="mention">{e(piece)}</span>')
        else:
            out.append(f'<span class="tag">{e(piece)}</span>')
        position = end
    out.append(e(text[position:]))
    return "".join(out)


def _body(part, platform, images: _Images | None = None) -> tuple[str, list[str]]:
    """The text of one part as the network shows it, and the tags refused from its HTML."""
    if platform.markup == "html":
        body, refused = safe_html(part.text)
        return f'<div class="text html-body">{body}</div>', refused
    if platform.markup == "article":  # as a phone shows it: the article's own inline styles
        body, refused = safe_html(part.text, _BLOCK_TAGS | _INLINE_TAGS | {"section"}, styles=True, images=images)
        return f'<div class="phone"><div class="text html-body article">{body}</div></div>', refused
    if platform.markup == "telegram":
        body, refused = safe_html(part.text, _INLINE_TAGS | {"pre", "blockquote"}, linkify=platform.name)
        return f'<div class="text">{body}</div>', refused
    text = part.text
    if platform.markup == "slack":
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return f'<div class="text">{rich_text(text, platform.name, part.facets)}</div>', []


def _counter(part, platform) -> str:
    e = html.escape
    if not part.limit:
        return f'<div class="count">{part.length:,} {e(platform.unit)} · no limit</div>'
    over = part.length > part.limit
    share = min(part.length / part.limit, 1) * 100 if part.limit else 0
    note = f" · over by {part.length - part.limit:,}" if over else f" · {part.limit - part.length:,} left"
    return (f'<div class="count{" over" if over else ""}"><span class="meter"><i style="width:{share:.0f}%"></i></span>'
            f"{part.length:,}/{part.limit:,} {e(platform.unit)}{note}</div>")


def _media(images: _Images, r: Rendered) -> str:
    e = html.escape
    if not r.media:
        return ""
    out = ['<div class="media">']
    for m in r.media:
        name, why = images.use(m.file)
        shown = (f'<div class="shot {name}" role="img" aria-label="{e(m.alt or "")}"></div>' if name
                 else f'<div class="file">{e(m.file)}<br>({e(why)})</div>')
        caption = (f'<figcaption><b>ALT</b>{e(m.alt)}</figcaption>' if m.alt
                   else '<figcaption class="missing">no alt text</figcaption>')
        out.append(f'<figure title="{e(m.file)}">{shown}{caption}</figure>')
    out.append("</div>")
    return "".join(out)


def _card(r: Rendered, images: _Images, title: str) -> str:
    e = html.escape
    platform = platform_class(r.platform)
    bad = not _fits(r)
    out = [(f'<article class="card net-{e(r.platform)}{" bad" if bad else ""}">'
            f'<header><span class="avatar">{e((title.strip() or "?")[0].upper())}</span>'
            f'<span class="who"><b>{e(title)}</b><small>{e(r.account)}</small></span>'
            f'<span class="net">{e(platform.label)}</span></header>')]
    if r.content_warning:
        out.append(f'<div class="cw">CW: {e(str(r.content_warning))}</div>')
    many = len(r.parts) > 1
    refused_all: list[str] = []
    out.append(f'<ol class="thread{" many" if many else ""}">')
    for index, part in enumerate(r.parts):
        body, refused = _body(part, platform, images)
        refused_all += [t for t in refused if t not in refused_all]
        number = f'<span class="num" title="part {index + 1} of {len(r.parts)}">{index + 1}</span>' if many else ""
        entry = (f'<div class="entry-title">{e(r.title)}</div>'
                 if platform.display.shows_title and index == 0 else "")
        out.append(f'<li class="part">{number}{entry}{body}{_counter(part, platform)}</li>')
    out.append("</ol>")
    if platform.display.shows_title and r.link and r.link not in r.text and e(r.link) not in r.text:
        out.append(f'<div class="part entry-link">link: {rich_text(r.link, platform.name)}</div>')
    out.append(_media(images, r))
    notes = [f"<li>{e(d.message)}" + (f"<small>{e(d.hint)}</small>" if d.hint else "") + "</li>"
             if d.is_error else f'<li class="warn">{e(d.message)}</li>' for d in r.diagnostics]
    if refused_all:
        notes.append('<li class="warn">shown as text, not rendered here: '
                     + ", ".join(f"<code>{e(t)}</code>" for t in refused_all) + "</li>")
    if notes:
        out.append(f'<ul class="problems">{"".join(notes)}</ul>')
    out.append("</article>")
    return "".join(out)


def as_html(preview: Preview, root: Path, title: str, lang: str = "en") -> str:
    """One standalone page: a card per account that looks roughly like the network.

    Everything from posts and templates is escaped or passed through an allow-list; a
    Content-Security-Policy forbids scripts and fetches anyway. No script, no external file.
    """
    e = html.escape
    images = _Images(root)
    total = sum(len(r) for _, r in preview)
    failing = [(index, post) for index, (post, renderings) in enumerate(preview)
               if not all(_fits(r) for r in renderings)]
    out = [(f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}"><meta name="referrer" content="no-referrer">'
            f"<title>{e(title)}: preview</title><style>{_STYLE}{_network_style()}</style></head><body><main>"),
           f"<h1>{e(title)}: what each account will receive</h1>"]
    if not preview:
        out.append('<p class="empty">No posts to preview: no post in these paths goes to these accounts.</p>')
    else:
        status = (f'<span class="badge fail">{len(failing)} with problems</span>' if failing
                  else '<span class="badge ok">no problems</span>')
        out.append(f'<p class="summary">{len(preview)} post{"s" * (len(preview) != 1)}, {total} rendering'
                   f'{"s" * (total != 1)} {status}</p>')
        if failing:
            out.append('<ul class="bad-list">' + "".join(
                f'<li><a href="#post-{index + 1}">{e(post.title)}</a> ({e(post.id)})</li>' for index, post in failing)
                + "</ul>")
    for index, (post, renderings) in enumerate(preview):
        badges = (' <span class="badge draft">draft</span>' if post.draft else "") + (
            ' <span class="badge fail">problems</span>' if not all(_fits(r) for r in renderings) else "")
        lang_attribute = f' lang="{e(first_language(post))}"' if first_language(post) else ""
        out.append(f'<section class="post" id="post-{index + 1}"{lang_attribute}><h2>{e(post.title)}</h2>'
                   f'<div class="meta">{e(_when(post))} · {e(post.id)} · {e(post.file)}{badges}</div>'
                   f'<div class="cards">')
        out += [_card(r, images, title) for r in renderings]
        out.append("</div></section>")
    out.append("</main></body></html>")
    out[0] = out[0].replace("</head>", images.style() + "</head>", 1)  # the images, once, now that all are known
    return "\n".join(out)


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
