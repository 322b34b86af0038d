"""The `smm` command line: each command parses options, calls one function, maps errors to exit codes.

The group and its error handling are here; the commands are in posts.py, publishing.py and
conversation.py, registered when this package is imported."""

from __future__ import annotations

import _thread
import io
import os
import sys
import threading

import click

from smm import __version__
from smm.errors import ConfigError, OutputFailed, SmmError


def _say(exc: SmmError) -> None:
    """An error on stderr: a broken file's diagnostics (file, line, column) when it has them."""
    if isinstance(exc, ConfigError) and exc.diagnostics:
        from smm.check.diagnostics import write
        from smm.workspace.files import SourceLines

        click.echo(write(exc.diagnostics, "text", SourceLines(exc.context["root"]).line), err=True)
    else:
        click.echo(f"error: {exc.message}", err=True)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


class _Group(click.Group):
    """Maps SmmError to its message and exit code for every command, and Ctrl-C to one line
    and exit 130 (click's own handling says "Aborted!" and exits 1, like "errors found")."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            _stop_interrupted()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SmmError as exc:
            _say(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _stop_interrupted()


# The commands that read secrets (the networks' tokens, GITHUB_TOKEN): run where a pull request's
# files may be checked out, they use no cache kept inside the checkout (smm.workspace.cache.never_inside).
HOLDING_SECRETS = frozenset({"publish", "metrics", "inbox", "listen", "resolve", "doctor", "giveaway", "approvals"})


def _no_cache_in_checkout(command: str | None):
    """`never_inside` the repository around here for a command that reads secrets, else nothing."""
    import contextlib

    if command not in HOLDING_SECRETS:
        return contextlib.nullcontext()
    from smm.workspace.cache import never_inside
    from smm.workspace.config import find_root

    try:
        root = find_root()
    except (SmmError, OSError):  # no repository here: the command says so
        return contextlib.nullcontext()
    return never_inside(root)


def _stop_interrupted() -> None:
    click.echo("interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _from_interrupt(exc: BaseException | None) -> bool:
    """Whether a Ctrl-C caused the exception (one that lands in an import or a class body is
    wrapped in another: `RuntimeError: Error calling __set_name__`)."""
    while exc is not None and not isinstance(exc, KeyboardInterrupt):
        exc = exc.__cause__ or exc.__context__
    return exc is not None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smm")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """smm: social media management as code.

    Posts are Markdown files under content/, accounts live in platforms.yml and the
    brand under brand/. Commands find the repository by walking up to platforms.yml.
    """
    ctx.with_resource(_no_cache_in_checkout(ctx.invoked_subcommand))  # until the command ends


_in_hook = threading.Lock()


def _interrupt_again(unraisable) -> None:
    """Python swallows a Ctrl-C that lands in a finalizer (`__del__`), printing its traceback,
    and the command runs on: deliver it again, from another thread once this hook has returned
    (delivered here, it would land in the hook and be swallowed again)."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    _in_hook.acquire()
    threading.Thread(target=_interrupt_after_hook, daemon=True).start()
    _in_hook.release()  # the last statement


def _interrupt_after_hook() -> None:
    with _in_hook:
        _thread.interrupt_main()


class _StandardOutput(io.FileIO):
    """File descriptor 1, whose failed writes are OutputFailed (not a bug of smm: a full disk)."""

    def write(self, data) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise OutputFailed(exc.errno, exc.strerror) from None


def _standard_streams() -> None:
    """A closed standard stream (`smm publish >&-`) is /dev/null: else Python has none (a command
    reading or writing it crashed) and the next file smm opens would get its number. Standard
    output shows what its encoding cannot (an emoji on a GBK terminal) as escapes, and a write
    that fails raises OutputFailed."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
        except OSError:  # closed: os.open takes the lowest free number, this one
            os.open(os.devnull, os.O_RDWR)
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
    out = sys.stdout
    if out is sys.__stdout__ or sys.__stdout__ is None:  # (a test's captured output is left alone)
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_StandardOutput(1, "w", closefd=False)), encoding=out.encoding,
                                      errors="backslashreplace", line_buffering=out.line_buffering,
                                      write_through=out.write_through)


def main(args: list[str] | None = None, obj: dict | None = None) -> None:
    """Entry point: never a traceback for users; SMM_DEBUG=1 shows one for bugs. `obj` reaches
    the commands as click's context object (a crash test's `checkpoint`, see `publish`)."""
    sys.unraisablehook = _interrupt_again
    _standard_streams()
    try:
        try:
            cli.main(args, prog_name="smm", obj=obj)
        finally:
            sys.stdout.flush()  # now, so that a full disk is reported, not met as Python exits
    except OutputFailed as exc:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what is still buffered goes nowhere as Python exits
        click.echo(f"error: cannot write to standard output: {exc.strerror}", err=True)
        sys.exit(1)
    except Exception as exc:
        if _from_interrupt(exc):
            _stop_interrupted()
        if os.environ.get("SMM_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set SMM_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(3)


from smm.cli import campaign, conversation, giveaways, listening, posts, publishing, site  # noqa: E402,F401  (each registers its commands on `cli`)
