"""What every command shares: the consoles, the error guard, the run options, the pipeline.

Exit status: 0 when everything asked for was loaded; 1 when some units failed (they are tried
again next run); 2 for bad usage, config, credentials or an unusable destination; 130 when
interrupted. Errors are one line on stderr (a traceback only with ``--debug``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from .. import interrupt
from ..errors import ConfigError, HSExtractError, LockedError
from . import logs

__all__ = [
    "common",
    "err",
    "guarded",
    "leave",
    "log_options",
    "open_job",
    "out",
    "wait_option",
]


if TYPE_CHECKING:
    from rich.console import Console


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # logs and pipes get wide lines: a scheduler's log should not wrap table names
    probe = Console(stderr=stderr)
    return Console(stderr=stderr, highlight=False, width=None if probe.is_terminal else 160)


class _Lazy:
    """A console made on first use: ``--help`` never pays for rich."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = _console(self._stderr)
        return getattr(self._console, name)


err: Console = _Lazy(stderr=True)  # type: ignore[assignment]
out: Console = _Lazy(stderr=False)  # type: ignore[assignment]


def guarded(fn: Callable) -> Callable:
    """Map errors to exit codes and one clear line (tracebacks only with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        options = {
            "verbose": kwargs.pop("verbose", False),
            "debug": debug,
            "debug_http": kwargs.pop("debug_http", False),
            "fmt": kwargs.pop("log_format", "text"),
        }
        with logs.setup(**options):
            try:
                with interrupt.handlers():
                    return fn(*args, **kwargs)
            except KeyboardInterrupt as exc:
                code = getattr(exc, "exit_code", 130)
                logs.say("interrupted: units not finished are loaded by the next run", "stop")
                leave(code)
            except HSExtractError as exc:  # each kind has its exit status (errors.py)
                if debug:
                    raise
                prefix = "" if isinstance(exc, LockedError) else "error: "
                logs.say(f"{prefix}{exc}", "error", logging.ERROR, exit_code=exc.exit_code)
                sys.exit(exc.exit_code)

    return wrapper


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2025-01-31") from None


def common(fn: Callable) -> Callable:
    """Options shared by run and plan."""
    for deco in reversed(
        [
            click.option(
                "--config",
                "config_path",
                required=True,
                type=click.Path(dir_okay=False),
                help="YAML config file.",
            ),
            click.option("--start", callback=_date, help="First window (backfill), YYYY-MM-DD."),
            click.option("--end", callback=_date, help="End of the last window, YYYY-MM-DD."),
            click.option("--reports", help="Only these reports (comma-separated names)."),
            click.option("--full-refresh", is_flag=True, help="Ignore state: reload every window."),
            *LOG_OPTIONS,
        ]
    ):
        fn = deco(fn)
    return fn


LOG_OPTIONS = [
    click.option("-v", "--verbose", is_flag=True, help="INFO lines, on a terminal too."),
    click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="json: one JSON object a line on stderr (ts, level, logger, event, message, …).",
    ),
    click.option("--debug", is_flag=True, help="Debug logs and tracebacks."),
    click.option("--debug-http", is_flag=True, help="The HTTP library's connection logs too."),
]


def log_options(fn: Callable) -> Callable:
    """-v, --log-format, --debug, --debug-http (read by ``guarded``)."""
    for deco in reversed(LOG_OPTIONS):
        fn = deco(fn)
    return fn


def open_job(
    config_path: str,
    reports: str | None,
    strict: bool = False,
    needs: tuple[str, ...] = ("client_id", "client_secret"),
):
    """The config's job (nothing connected, opened, locked or written yet) and the
    ``--reports`` names. ``needs``: the credentials the command needs (none for a command
    that never calls the API)."""
    from ..pipeline import Job, load_config

    config = load_config(config_path, needs)
    names = [r.strip() for r in reports.split(",")] if reports else None
    known = {r.name for r in config.reports}
    for n in names or ():
        if n not in known:
            raise ConfigError(
                f"--reports: {n!r} is not in the config's reports; allowed: "
                f"{', '.join(sorted(known))}"
            )
    return Job(config, strict=strict), names


def wait_option(fn: Callable) -> Callable:
    return click.option(
        "--wait",
        type=click.FloatRange(0),
        default=0,
        show_default=True,
        help="Seconds to queue behind a run that holds the destination (else exit 75 at once).",
    )(fn)


def leave(code: int) -> None:
    """Exit with ``code``. After an interrupt, threads may still wait on the network (their
    units load next run): exit without joining them, so the process ends in seconds."""
    stuck = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if code in (130, 143) and stuck:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
