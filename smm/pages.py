"""Standalone HTML pages (the preview, the report): one Jinja environment, one layout, one CSP and
one shared stylesheet (smm/templates/pages/). Pages hold no script and fetch nothing."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("smm", "templates"), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@cache
def stylesheet(name: str) -> Markup:
    """The shared rules, then the page's own (smm/templates/pages/<name>.css)."""
    loader = environment().loader
    return Markup("".join(loader.get_source(environment(), f"pages/{css}.css")[0] for css in ("base", name)))


def page(name: str, **context) -> str:
    """Render smm/templates/pages/<name>.html.j2 inside the layout."""
    return environment().get_template(f"pages/{name}.html.j2").render(csp=Markup(CSP), stylesheet=stylesheet(name), **context)
