"""Articles (WeChat 公众号): a post's HTML → what the article editor keeps, every style inline.

WeChat drops `<style>`, `class`, `id` and scripts from an article and makes no external link
clickable. So, as the open-source WeChat editors do (doocs/md, mdnice):

    build(html, theme)
      _Article    ── links become text with a numbered reference (`[1]`) listed at the end
                     (mp.weixin.qq.com links stay links), `#` anchors become their text, code
                     keeps its lines and spaces (`<br>`, `&nbsp;`), tables scroll sideways,
                     scripts and styles go; wrapped in one `<section>`
      css_inline  ── the theme's CSS (brand/theme.yml over THEME, see theme_css) written into
                     `style` attributes
      _Strip      ── every `class` and `id` removed

Images keep their `src`: a repository path, replaced by the URL WeChat gives when the
adapter uploads it (smm.platforms.wechat).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from smm.content.links import split_url
from smm.render import htmlfeed

THEME = {  # the defaults; brand/theme.yml replaces any of them (smm/schemas/theme.schema.json)
    "fonts": {"body": '-apple-system, BlinkMacSystemFont, "Helvetica Neue", "PingFang SC", "Hiragino Sans GB", '
                      '"Microsoft YaHei UI", "Microsoft YaHei", Arial, sans-serif',
              "code": 'Menlo, Consolas, "Courier New", monospace', "size": 15, "line_height": 1.75},
    "colors": {"text": "#3f3f3f", "accent": "#06833f", "muted": "#767676", "code_background": "#f6f8fa",
               "border": "#e5e5e5"},
    "headings": {"h1": {"size": 22, "align": "center"}, "h2": {"size": 19, "underline": True},
                 "h3": {"size": 17}, "h4": {"size": 16}},
    "quote": {"color": "#6a6a6a", "background": "#f7f7f7", "border": "#07c160"},
    "references": "参考链接 References",
}
KEPT_LINK_HOSTS = ("mp.weixin.qq.com",)  # links WeChat lets readers follow from an article
_DROPPED = {"script", "style", "iframe", "object", "embed", "noscript", "template"}  # with their content
_VOID = {"br", "hr", "img", "wbr", "col", "source"}


def theme_of(settings: dict | None) -> dict:
    """The theme: brand/theme.yml's values (already schema-checked) over the defaults, section by section."""
    theme = {key: dict(value) if isinstance(value, dict) else value for key, value in THEME.items()}
    for key, value in (settings or {}).items():
        if isinstance(value, dict) and isinstance(theme.get(key), dict):
            for name, inner in value.items():
                merged = theme[key].get(name)
                theme[key][name] = {**merged, **inner} if isinstance(merged, dict) and isinstance(inner, dict) else inner
        else:
            theme[key] = value
    return theme


def theme_css(theme: dict) -> str:
    """The article's CSS from a theme (theme_of): tag rules, and classes that _Strip removes after inlining."""
    f, c, q = theme["fonts"], theme["colors"], theme["quote"]
    rules = [
        f".smm-article{{font-family:{f['body']};font-size:{f['size']}px;line-height:{f['line_height']};"
        f"color:{c['text']};word-wrap:break-word;text-align:left}}",
        "p{margin:1em 0}",
        f"h1,h2,h3,h4,h5,h6{{font-weight:bold;line-height:1.4;margin:1.4em 0 .8em;color:{c['text']}}}",
        f"a{{color:{c['accent']};text-decoration:none}}",
        f"blockquote{{margin:1em 0;padding:.6em 1em;border-left:4px solid {q['border']};background:{q['background']};"
        f"color:{q['color']}}}",
        "blockquote p{margin:.3em 0}",
        f"code{{font-family:{f['code']};font-size:90%;background:{c['code_background']};padding:2px 4px;border-radius:4px;"
        f"color:{c['accent']}}}",
        f"pre{{font-family:{f['code']};background:{c['code_background']};padding:1em;border-radius:6px;overflow-x:auto;"
        f"font-size:13px;line-height:1.6;margin:1em 0;white-space:nowrap}}",
        f"pre code{{background:none;padding:0;font-size:13px;color:{c['text']};border-radius:0}}",
        "ul,ol{padding-left:1.6em;margin:1em 0}", "li{margin:.3em 0}",
        ".smm-table{overflow-x:auto;margin:1em 0}",
        "table{border-collapse:collapse;width:100%;font-size:14px}",
        f"th,td{{border:1px solid {c['border']};padding:.4em .6em;text-align:left}}",
        f"th{{background:{c['code_background']};font-weight:bold}}",
        "img{display:block;max-width:100%;height:auto;margin:1em auto;border-radius:4px}",
        f"hr{{border:0;border-top:1px solid {c['border']};margin:1.6em 0}}",
        f".smm-ref{{color:{c['accent']};font-size:75%;line-height:0}}",
        f".footnote,.smm-references{{font-size:13px;color:{c['muted']};margin-top:2em}}",
        f".smm-references-title{{font-weight:bold;color:{c['text']};margin:0 0 .5em}}",
        ".smm-reference{margin:.2em 0;word-break:break-all}",
    ]
    for tag, style in theme["headings"].items():
        rule = [f"font-size:{style['size']}px"] if "size" in style else []
        rule += [f"color:{style['color']}"] if "color" in style else []
        rule += [f"text-align:{style['align']}"] if "align" in style else []
        rule += [f"border-bottom:2px solid {c['accent']};padding-bottom:.3em"] if style.get("underline") else []
        rules.append(f"{tag}{{{';'.join(rule)}}}")
    return "\n".join(rules)


def build(markup: str, theme: dict) -> str:
    """The article HTML WeChat is sent for `markup` (the rendered post), styled by `theme` (theme_of)."""
    article = _Article(theme["references"])
    htmlfeed.feed(article, markup)
    import css_inline  # only where articles are rendered

    inlined = css_inline.inline_fragment(article.result(), theme_css(theme))
    fast = _without_classes(inlined)
    if fast is not None:
        return fast
    stripped = _Strip()
    htmlfeed.feed(stripped, inlined)
    return stripped.result()


# css_inline's HTML as _Strip reads it, where that is plain: start tags with double-quoted values (no < > " in
# them), end tags, and between them text without < or > in which the only references are &amp; &lt; &gt;.
_PLAIN_TAG = re.compile(r'<(?:([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*)'
                        r'[ \t\n\r\f]*|/([a-zA-Z][a-zA-Z0-9]*))>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt);)")  # any other than those three
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}


def _without_classes(inlined: str) -> str | None:
    """What _Strip makes of `inlined`, by rewriting its tags alone: where the HTML is plain (see _PLAIN_TAG),
    _Strip writes each text back as it was (a reference it decodes it escapes again) and each value too;
    None where it is not. Text is left in place, not taken apart and put together again."""
    if _REFERENCE.search(inlined):
        return None
    tags = list(_PLAIN_TAG.finditer(inlined))
    if not len(tags) == inlined.count("<") == inlined.count(">") or any((tag.group(1) or "").lower() in _RAW_TEXT for tag in tags):
        return None
    out, position = [], 0
    for tag in tags:
        out += (inlined[position:tag.start()], _plain_tag_without_classes(tag.group()))
        position = tag.end()
    out.append(inlined[position:])
    return "".join(out)


@lru_cache(maxsize=1024)
def _plain_tag_without_classes(tag: str) -> str:
    """A tag _PLAIN_TAG matches as _Strip writes it: each made once, for the elements of a kind carry the
    same inlined style (every `<p style="margin: 1em 0;">` of every article)."""
    found = _PLAIN_TAG.fullmatch(tag)
    if found.group(3) is not None:  # an end tag
        name = found.group(3).lower()
        return "" if name in _VOID else f"</{name}>"
    attributes = [(m.group(1).lower(), html.unescape(m.group(2)) if m.group(2) else m.group(2))
                  for m in _PLAIN_ATTRIBUTE.finditer(found.group(2))]
    return f"<{found.group(1).lower()}{_attributes(attributes, ('class', 'id'))}>"


def image_sources(markup: str) -> list[str]:
    """Each `<img src>` of an article, in order, as written (unescaped)."""
    finder = _Images()
    htmlfeed.feed_start_tags(finder, markup, frozenset(("img",)))
    return finder.sources


def first_paragraph(markup: str) -> str:
    """The text of an article's (build's) first paragraph of its own: not one in a quote, a footnote or
    the references listed at the end; "" when it has none."""
    finder = _FirstParagraph()
    htmlfeed.feed(finder, markup)
    finder.close()
    return " ".join("".join(finder.text).split())


def attribute(value: str) -> str:
    """An attribute's value as written here (between double quotes)."""
    return html.escape(value, quote=False).replace('"', "&quot;")


def _attributes(attrs, dropped=()) -> str:
    return "".join(f' {name}="{attribute(value)}"' if value is not None else f" {name}"
                   for name, value in attrs if name not in dropped and not name.startswith("on"))


class _Serializer(HTMLParser):
    """HTML back to HTML, tag by tag; subclasses change what they need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.out.append(f"<{tag}{_attributes(attrs)}>")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out)


class _Strip(_Serializer):
    def handle_starttag(self, tag: str, attrs) -> None:
        self.out.append(f"<{tag}{_attributes(attrs, ('class', 'id'))}>")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "img":
            self.sources += [value or "" for name, value in attrs if name == "src"]


class _FirstParagraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []  # the elements around, the article's <section> first
        self.reading: int | None = None  # the depth of the paragraph being read
        self.done = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _VOID:
            return
        self.open.append(tag)
        aside = any(t in ("section", "div") for t in self.open[1:])  # the references, footnotes, a table's frame
        if tag == "p" and self.reading is None and not self.done and not aside:
            self.reading = len(self.open)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open:
            return
        if self.reading == len(self.open):
            self.reading, self.done = None, True
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.reading is not None and "sup" not in self.open:  # not a reference's or a footnote's mark
            self.text.append(data)


def _kept_link(href: str) -> bool:
    parts = split_url(href)
    return bool(parts) and (parts.hostname or "").lower() in KEPT_LINK_HOSTS


class _Article(_Serializer):
    """Links → references, code lines kept, tables scrollable, scripts and styles dropped."""

    def __init__(self, references_title: str) -> None:
        super().__init__()
        self.title = references_title
        self.out.append('<section class="smm-article">')
        self.links: list[tuple[str, int] | None] = []  # open <a>: (href, where its label starts) or None (kept/dropped)
        self.numbers: dict[str, int] = {}  # href → reference number
        self.labels: dict[str, str] = {}
        self.dropping = 0  # inside a dropped element
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.dropping or tag in _DROPPED:
            self.dropping += tag not in _VOID  # what is inside goes too
            return
        values = dict(attrs)
        if tag == "a":
            href = (values.get("href") or "").strip()
            if _kept_link(href):
                self.links.append(None)
                self.out.append(f"<a{_attributes([('href', href)])}>")
            else:  # a #anchor (Markdown's footnotes) becomes its text; any other link a reference
                self.links.append(("" if href.startswith("#") or not href else href, len(self.out)))
            return
        if tag == "table":
            self.out.append('<section class="smm-table">')
        self.in_pre += tag == "pre"
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            self.dropping -= tag not in _VOID
            return
        if tag == "a":
            self.close_link()
            return
        super().handle_endtag(tag)
        self.in_pre -= tag == "pre" and self.in_pre > 0
        if tag == "table":
            self.out.append("</section>")

    def close_link(self) -> None:
        if not self.links:
            return
        opened = self.links.pop()
        if opened is None:
            self.out.append("</a>")
            return
        href, start = opened
        label = html.unescape(re.sub(r"<[^>]+>", "", "".join(self.out[start:]))).strip()
        if "footnote-backref" in "".join(self.out[start:]) or label == "\u21a9":
            del self.out[start:]  # Markdown's "back to the text" arrow: nowhere to go back to in an article
            return
        if href and label not in (href, re.sub(r"^(https?://|mailto:)", "", href)):
            number = self.numbers.setdefault(href, len(self.numbers) + 1)
            self.labels.setdefault(href, label)
            self.out.append(f'<sup class="smm-ref">[{number}]</sup>')

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if not self.in_pre:
            return super().handle_data(data)
        lines = html.escape(data.removesuffix("\n"), quote=False).split("\n")  # the editor collapses white space
        self.out.append("<br>".join(line.replace(" ", "&nbsp;") for line in lines))

    def result(self) -> str:
        while self.links:
            self.close_link()
        if self.numbers:
            self.out.append(f'<section class="smm-references"><p class="smm-references-title">{html.escape(self.title)}</p>')
            self.out += [f'<p class="smm-reference">[{number}] {html.escape(self.labels[href])}: {html.escape(href)}</p>'
                         for href, number in self.numbers.items()]
            self.out.append("</section>")
        self.out.append("</section>")
        return super().result()
