"""Templates: brand/templates/<platform>.j2 (else the built-in one), run in a Jinja2 sandbox
within a size and a time budget.

A template is the brand's code. Whatever it does wrong (does not compile, cannot be read,
fails, recurses, makes too much text or takes too long) becomes a diagnostic on the
template file and line; one that is over a budget or recurses is then reported once, not
rendered again for every post.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import escape
from jinja2.sandbox import SandboxedEnvironment

from smm.check.diagnostics import ERROR, Diagnostic
from smm.platforms import Platform
from smm.workspace.files import read_text, unusable_path

TEMPLATES_DIR = "brand/templates"
HTML_FLAVORS = {"html", "article", "telegram"}  # their templates escape every value but the text
TEMPLATE_OUTPUT_LIMIT = 1_000_000  # characters a template may add to the post's own text
TEMPLATE_SECONDS = 2.0  # to render one post for one account


class _TemplateProblem(jinja2.TemplateError):
    """A template file that cannot be read (a named pipe, not UTF-8, ...): its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _OverBudget(Exception):
    """Raised inside a template's code when it makes too much text or takes too long."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _too_large() -> _OverBudget:
    return _OverBudget("template.too-large", f"makes more than {TEMPLATE_OUTPUT_LIMIT:,} characters of text")


def _too_slow() -> _OverBudget:
    return _OverBudget("template.too-slow", f"takes more than {TEMPLATE_SECONDS:g} seconds to render one post")


class _BrandTemplates(jinja2.BaseLoader):
    """brand/templates/<name>, read like every repository file: never through a link that
    leads out of the repository (a template could otherwise publish /proc/self/environ)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get_source(self, environment, template: str):
        file = f"{TEMPLATES_DIR}/{template}"
        if "/" in template or "\\" in template or unusable_path(template) or not os.path.lexists(self.root / file):
            raise jinja2.TemplateNotFound(template)
        text, problems = read_text(self.root, file)
        if text is None:  # a named pipe, a folder, not UTF-8...: an error, not the built-in template
            raise _TemplateProblem(problems[0])
        return text, file, lambda: True  # named by its file, its frames in a traceback give template lines


class _Sandbox(SandboxedEnvironment):
    """The sandbox, where `*` and `**` may not build a string, list or number too large: one
    such operation runs in C, where no time limit can stop it."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            count, items = (left, right) if isinstance(left, int) else (right, left)
            if isinstance(count, int) and isinstance(items, (str, list, tuple)) and count * len(items) > TEMPLATE_OUTPUT_LIMIT:
                raise _too_large()
        elif isinstance(left, int) and isinstance(right, int) and right * abs(left).bit_length() > 8 * TEMPLATE_OUTPUT_LIMIT:
            raise _too_large()
        return super().call_binop(context, operator, left, right)


def sandbox() -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment for a template given as text (an auto-reply's)."""
    return _Sandbox(undefined=jinja2.StrictUndefined, autoescape=False)


class Templates:
    """The templates of one repository, compiled once per platform."""

    def __init__(self, root: Path) -> None:
        loader = jinja2.ChoiceLoader([_BrandTemplates(root), jinja2.PackageLoader("smm", "templates")])
        # Networks that take HTML get autoescaping: a title or a field can never inject markup.
        self.envs = {escaped: _Sandbox(loader=loader, undefined=jinja2.StrictUndefined, autoescape=escaped)
                     for escaped in (False, True)}
        self._compiled: dict[str, jinja2.Template | Diagnostic] = {}

    def get(self, platform: type[Platform]) -> jinja2.Template | Diagnostic:
        """The platform's template, or why it cannot be used (then for every post)."""
        if platform.name not in self._compiled:
            fallback = {"html": "html.j2", "article": "article.j2"}.get(platform.markup, "default.j2")
            file = f"{TEMPLATES_DIR}/{platform.name}.j2"
            try:
                env = self.envs[platform.markup in HTML_FLAVORS]
                self._compiled[platform.name] = env.select_template([f"{platform.name}.j2", fallback])
            except jinja2.TemplateSyntaxError as exc:
                self._compiled[platform.name] = Diagnostic(
                    f"{TEMPLATES_DIR}/{exc.name or platform.name + '.j2'}", exc.lineno or 1, 1, ERROR,
                    "template.syntax", f"template error: {exc.message}")
            except _TemplateProblem as exc:
                self._compiled[platform.name] = exc.diagnostic
            except (RecursionError, MemoryError):  # Python's own parser gives up on deep nesting
                self._compiled[platform.name] = Diagnostic(file, 1, 1, ERROR, "template.syntax",
                                                           "template error: nested too deeply to compile")
        return self._compiled[platform.name]

    def render(self, platform: type[Platform], context: dict, own_text: int, post: str,
               more: Callable[[], dict] = dict) -> str | Diagnostic:
        """The platform's template applied to `context` and `more()` (what only a brand's template may ask
        for: made only for one) for a post whose own text is `own_text` characters, from the file `post`;
        or the diagnostic of what went wrong."""
        template = self.get(platform)
        if isinstance(template, Diagnostic):
            return template
        if not template.filename.startswith(TEMPLATES_DIR + "/"):  # smm's own: ends, fast, without a brand's fields
            made = _own(template, context)
            if len(made) <= own_text + TEMPLATE_OUTPUT_LIMIT:
                return made
        try:
            return _run(template, context | more(), own_text + TEMPLATE_OUTPUT_LIMIT)
        except Exception as exc:  # the brand's code: whatever it raises is its error
            return self._failed(template, platform.name, exc, post)

    def _failed(self, template: jinja2.Template, platform: str, exc: Exception, post: str) -> Diagnostic:
        file, line = _template_line(exc, f"{TEMPLATES_DIR}/{template.name}")
        name = Path(file).name
        if isinstance(exc, _TemplateProblem):  # an included template it cannot read
            found = exc.diagnostic
        elif isinstance(exc, _OverBudget):
            found = Diagnostic(file, line, 1, ERROR, exc.rule, f"template {name} {exc}")
        elif isinstance(exc, RecursionError):
            found = Diagnostic(file, line, 1, ERROR, "template.recursion", f"template {name} recurses without end "
                               "(a macro, include or extends that reaches itself again)")
        else:  # may depend on the post: reported for it, tried again for the next
            detail = exc if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
            return Diagnostic(file, line, 1, ERROR, "template.render", f"template {template.name} failed for {post}: {detail}")
        self._compiled[platform] = found
        return found


def _own(template: jinja2.Template, context: dict) -> str:
    """What smm's own template (smm/templates/*.j2) makes of `context`: written out in Python for the three
    the renderer uses (the same text: tests/test_render_fast.py runs both), else run by Jinja (they read the
    context alone, no global: it is their whole context, not copied with the globals). `hashtags`: strings."""
    written = _OWN.get(template.name)
    if written is None:
        return template.environment.concat(template.root_render_func(template.new_context(context, shared=True)))
    shown = (lambda value: str(escape(value))) if template.environment.autoescape else str  # `{{ value }}`
    return written(context, shown)


def _default_j2(c: dict, shown: Callable[[object], str]) -> str:
    made = shown(c["text"])
    if c["link"]:
        made += "\n\n" + shown(c["link"])
    if c["hashtags"]:
        made += (" " if c["hashtag_placement"] == "last-line" else "\n\n") + shown(" ".join(c["hashtags"]))
    return made


def _html_j2(c: dict, shown: Callable[[object], str]) -> str:
    made = shown(c["text"])
    if c["link"]:
        made += f'\n<p><a href="{shown(c["link"])}">{shown(c["link"])}</a></p>'
    if c["hashtags"]:
        made += f'\n<p>{shown(" ".join(c["hashtags"]))}</p>'
    return made


def _article_j2(c: dict, shown: Callable[[object], str]) -> str:
    made = shown(c["text"])
    if c["hashtags"]:
        made += f'\n<p>{shown(" ".join(c["hashtags"]))}</p>'
    return made


_OWN = {"default.j2": _default_j2, "html.j2": _html_j2, "article.j2": _article_j2}


def _run(template: jinja2.Template, context: dict, budget: int) -> str:
    """The template's output, at most `budget` characters and TEMPLATE_SECONDS; past either,
    _OverBudget is raised inside the template, where it stands (so its line is known)."""
    deadline = time.monotonic() + TEMPLATE_SECONDS
    out, size = [], 0
    with _alarm(TEMPLATE_SECONDS):
        chunks = template.generate(context)
        for chunk in chunks:
            out.append(chunk)
            size += len(chunk)
            if size > budget or time.monotonic() > deadline:
                chunks.throw(_too_large() if size > budget else _too_slow())
    return "".join(out)


@contextmanager
def _alarm(seconds: float):
    """Raise a too-slow _OverBudget wherever this thread is after `seconds`: even in a loop that
    makes no output. Only where signals allow (the main thread, not on Windows); an outer timer
    is restored after."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise _too_slow()

    previous = signal.signal(signal.SIGALRM, ring)
    started = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001), interval)


def _template_line(exc: BaseException, file: str) -> tuple[str, int]:
    """The brand template file and line the error happened in (the innermost), else `file` and its lineno or 1."""
    found, line = file, getattr(exc, "lineno", None) or 1
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(TEMPLATES_DIR + "/"):
            found, line = name, tb.tb_lineno
        tb = tb.tb_next
    return found, line
