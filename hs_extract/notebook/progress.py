"""A progress bar for the notebook's multi-page fetches, fitted to where it runs.

rich draws it: a bar on a terminal, a live widget in Jupyter (rich's Jupyter support, which
needs ipywidgets); in a Jupyter without ipywidgets, plain text lines (a tenth at a time). It is
off when the output is neither a terminal nor Jupyter (a script piped to a file, a scheduler),
and ``progress=False`` turns it off everywhere.
"""

from __future__ import annotations

import importlib.util
import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

__all__ = ["PageBar", "interactive"]


def interactive(console: Console | None = None) -> bool:
    """Whether output goes to a person: a terminal or a Jupyter front end."""
    console = console or Console(stderr=True)
    return console.is_terminal or console.is_jupyter


class PageBar:
    """``bar(completed, total)`` after each page (or unit): shown once the total is more than
    one; closed with ``close()`` (or as a context manager)."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.console = Console(stderr=True)
        self.enabled = interactive(self.console) if enabled is None else enabled
        self.label = label
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self.done = 0
        # rich's live display in Jupyter is an ipywidgets widget: without them, text lines
        jupyter = self.console.is_jupyter and not self.console.is_terminal
        self.text = jupyter and importlib.util.find_spec("ipywidgets") is None
        self._said = -1

    def __call__(self, completed: int, total: int | None) -> None:
        self.done = completed
        if not self.enabled or not total or total <= 1:
            return
        if self.text:
            tenth = completed * 10 // max(total, completed)
            if tenth != self._said:
                self._said = tenth
                print(f"{self.label}: {completed}/{max(total, completed)}", file=sys.stderr)
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        if self._task is not None:
            self._progress.update(self._task, total=max(total, completed), completed=completed)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> PageBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
