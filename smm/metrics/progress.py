"""Progress of a metrics run on stderr: a bar on a terminal, a line per call elsewhere (CI, pipes)."""

from __future__ import annotations

import os
import sys
from typing import Mapping, Protocol


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def finish(self) -> None: ...


class PlainProgress:
    """One line per finished call: readable in CI logs."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total = self.done = 0

    def start(self, total: int) -> None:
        self.total = total
        print(f"smm metrics: {total} call{'s' if total != 1 else ''} to make", file=self.stream, flush=True)

    def advance(self, description: str) -> None:
        self.done += 1
        print(f"smm metrics: [{self.done}/{self.total}] {description}", file=self.stream, flush=True)

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    def __init__(self, stream=None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self.bar = Bar(TextColumn("smm metrics"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                       TimeElapsedColumn(), console=Console(file=stream or sys.stderr), transient=True)
        self.task = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=description)

    def finish(self) -> None:
        self.bar.stop()


def progress_for(stream=None, env: Mapping[str, str] | None = None) -> Progress:
    """A rich progress bar on a terminal; plain lines elsewhere (CI, pipes, files)."""
    stream = stream or sys.stderr
    env = os.environ if env is None else env
    interactive = hasattr(stream, "isatty") and stream.isatty() and not env.get("CI") and env.get("TERM") != "dumb"
    return RichProgress(stream) if interactive else PlainProgress(stream)


class Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, description: str) -> None:
        pass

    def finish(self) -> None:
        pass
