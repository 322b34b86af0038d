"""Site pages through the shared Jinja environment (smm.pages): one layout, one stylesheet file,
a navigation bar, every link relative to the page (works from file:// and a Pages sub-path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from markupsafe import Markup

from smm import pages
from smm.render import cards
from smm.site.catalogue import html_language, text_mark

# like smm.pages.CSP, plus the site's own stylesheet, pictures and scripts (search); nothing else
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "base-uri 'none'; form-action 'none'")
NAV = (("home", "index.html"), ("calendar", "calendar/index.html"), ("report", "report/index.html"),
       ("inbox", "inbox/index.html"), ("listening", "listening/index.html"), ("search", "search/index.html"))


@cache
def stylesheet() -> str:
    """assets/site.css: the pages' shared rules, the preview's and the report's, the networks' and the site's."""
    env = pages.environment()
    sources = [env.loader.get_source(env, name)[0] for name in
               ("pages/base.css", "pages/preview.css", "pages/report.css", "site/site.css")]
    return "".join(sources[:3]) + cards.network_style() + sources[3]


@dataclass(frozen=True)
class Site:
    """What every page shares: the brand, its page language (the brand's: smm.workspace.brand.page_language;
    the pages' `<html lang>` is the interface's, smm.site.catalogue.html_language), the interface messages, `--base-url`."""

    brand: str
    lang: str
    messages: dict
    base_url: str | None
    generated: str  # when the site was built, local time, shown in the footer
    _made: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see _shared()

    def page(self, template: str, path: str, title: str, **context) -> str:
        """Render smm/templates/site/<template>.html.j2 for the page at `path` (relative to the site)."""
        up = "../" * path.count("/")
        shared = self._shared(up, _section(path))
        canonical = f"{self.base_url.rstrip('/')}/{path}" if self.base_url else None
        values = dict(shared, canonical=canonical, heading=title,
                      head_html=_template("parts").module.head(up, canonical) if canonical else shared["head_html"])
        values.update(context)
        return _template(template).render(title=f"{title} · {self.brand}", **values)

    def _shared(self, up: str, section: str) -> dict:
        """What every page `up` from the top in `section` shows alike (ten thousand post pages: made once)."""
        key = (up, section)
        if key not in self._made:
            parts = _template("parts").module  # the head's link, the navigation bar, the footer: drawn once here
            nav = [(self.messages[name], up + target, section == _section(target)) for name, target in NAV]
            mark = text_mark(self.lang)
            self._made[key] = dict(csp=Markup(CSP), stylesheet="", lang=html_language(self.lang), tl=mark,
                                   brand=self.brand, m=self.messages, up=up, head_html=parts.head(up, None),
                                   nav_html=parts.nav(self.messages, self.brand, up, nav, mark),
                                   footer_html=parts.footer(self.messages, self.generated))
        return self._made[key]


def _template(name: str):
    """smm/templates/site/<name>.html.j2 (the environment keeps it)."""
    return pages.environment().get_template(f"site/{name}.html.j2")


def _section(path: str) -> str:
    """`calendar` for calendar/2026-12/index.html; the page itself at the top."""
    return path.split("/")[0] if "/" in path else path
