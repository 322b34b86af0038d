"""Standalone HTML pages (the preview, the report): one Jinja environment, one layout, one CSP and
one shared stylesheet (smm/templates/pages/). Pages hold no script and fetch nothing."""

from __future__ import annotations

import contextlib
import hashlib
import os
import unicodedata
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markupsafe import Markup

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class CompiledTemplates(FileSystemBytecodeCache):
    """Templates as Jinja compiles them, kept in smm's cache folder (outside any repository) by their
    source: a new process loads them instead of parsing and compiling them again. A folder that cannot
    be read or written only keeps nothing."""

    def load_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


def visible(text: str | None, fallback: str) -> str:
    """`text`, or `fallback` when nothing of it can be seen (empty, or only spaces, controls and invisible
    format characters such as U+200B): a link, a heading or a picture needs a name (the filter `visible`)."""
    return text if text and any(unicodedata.category(c)[0] not in "ZC" for c in text) else fallback


def own(text, mark: str) -> Markup | str:
    """`text` of the repository marked with its language (`mark`: smm.site.catalogue.text_mark()) and isolated (its
    direction its own: a right-to-left name in an English sentence),
    or `text` as it is when the page is in its language (`mark` empty); the filter `own`."""
    return Markup("<bdi{}>{}</bdi>").format(mark, text) if mark else text


@cache
def environment() -> Environment:
    """The templates, each loaded once per process (auto_reload off: no stat of its file on every page)."""
    env = Environment(loader=PackageLoader("smm", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
                      bytecode_cache=CompiledTemplates(_compiled_folder()))
    env.filters["visible"] = visible
    env.filters["own"] = own
    env.tests["own"] = lambda value: getattr(value, "repository_text", False) is True  # smm.report.sections.Own
    env.filters["report_sections"] = _report_sections
    env.filters["report_value"] = _report_value
    return env


def _report_sections(data: dict, lang: str, *names: str) -> list:
    """The listening sections with data of a report's data (smm.report.formats.SECTIONS; `names`: only these), in
    the interface language of `lang`; the mentions' counts only, never what people said (the site shows them so)."""
    from smm.report.formats import SECTIONS
    from smm.report.words import interface_words

    words = interface_words(lang)
    made = [SECTIONS[name](data, words, **({"quotes": False} if name == "mentions" else {}))
            for name in names or SECTIONS]
    return [s for s in made if s is not None]


def _report_value(value: str, lang: str) -> str:
    """A value the data spells in English (a goal's status: `on track`, an inbox item's priority, a job's state), in
    the interface language of `lang`."""
    from smm.report.words import value_name

    return value_name(value, _words(lang))


@cache
def _words(lang: str) -> dict:
    """smm.report.words.interface_words(lang), made once a process (a post page's every job asks: read only)."""
    from smm.report.words import interface_words

    return interface_words(lang)


def _compiled_folder() -> str:
    """Where CompiledTemplates keeps them: one folder per Jinja version and per version of this
    file (the environment's options change what a template compiles to)."""
    import jinja2

    from smm.workspace.cache import cache_dir

    here = Path(__file__)
    key = hashlib.blake2b(jinja2.__version__.encode() + here.read_bytes(), digest_size=8).hexdigest()
    return str(cache_dir(here.parent) / f"templates-{key}")


@cache
def stylesheet(name: str) -> Markup:
    """The shared rules, then the page's own (smm/templates/pages/<name>.css)."""
    loader = environment().loader
    return Markup("".join(loader.get_source(environment(), f"pages/{css}.css")[0] for css in ("base", name)))


def page(name: str, **context) -> str:
    """Render smm/templates/pages/<name>.html.j2 inside the layout."""
    return environment().get_template(f"pages/{name}.html.j2").render(csp=Markup(CSP), stylesheet=stylesheet(name), **context)
