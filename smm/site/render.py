"""Site pages through the shared Jinja environment (smm.pages): one layout, one stylesheet file,
a navigation bar, every link relative to the page (works from file:// and a Pages sub-path)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from smm import pages
from smm.render import cards

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
    """What every page shares: the brand, its page language, the interface messages, `--base-url`."""

    brand: str
    lang: str
    messages: dict
    base_url: str | None
    generated: str  # when the site was built, local time, shown in the footer

    def page(self, template: str, path: str, title: str, **context) -> str:
        """Render smm/templates/site/<template>.html.j2 for the page at `path` (relative to the site)."""
        up = "../" * path.count("/")
        values = dict(csp=Markup(CSP), stylesheet="", lang=self.lang, brand=self.brand, m=self.messages, up=up,
                      nav=[(self.messages[key], up + target, _section(path) == _section(target)) for key, target in NAV],
                      canonical=f"{self.base_url.rstrip('/')}/{path}" if self.base_url else None,
                      generated=self.generated, heading=title)
        values.update(context)
        return pages.environment().get_template(f"site/{template}.html.j2").render(
            title=f"{title} · {self.brand}", **values)


def _section(path: str) -> str:
    """`calendar` for calendar/2026-12/index.html; the page itself at the top."""
    return path.split("/")[0] if "/" in path else path
