"""Waits that a stop request ends within a second: SIGINT, SIGTERM, or Ctrl-C in a notebook.

Every pause hs_extract makes (a 429's ``Retry-After``, a retry backoff, the rate limiter's
spacing, a lock's ``--wait``) goes through :func:`sleep`. Once :func:`stop` is called, those
waits end at once with :class:`Interrupted`, on every thread, so a run asked to stop logs
itself as interrupted and exits in seconds, however long Help Scout asked it to wait.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["STOP", "Interrupted", "Terminated", "check", "handlers", "sleep", "stop"]

STOP = threading.Event()


class Interrupted(KeyboardInterrupt):
    """A stop was asked (SIGINT, Ctrl-C): waits end, the run is logged as interrupted."""

    exit_code = 130


class Terminated(Interrupted):
    """SIGTERM (a scheduler or systemd stopping the job)."""

    exit_code = 143


def stop() -> None:
    """Ask every wait to end now."""
    STOP.set()


def check() -> None:
    """Raise Interrupted when a stop was asked."""
    if STOP.is_set():
        raise Interrupted()


def sleep(seconds: float) -> None:
    """``time.sleep`` that a stop request ends early (raising Interrupted)."""
    if STOP.wait(max(0.0, seconds)):
        raise Interrupted()


@contextlib.contextmanager
def handlers() -> Iterator[None]:
    """While inside: SIGINT and SIGTERM stop every wait and raise in the main thread (the
    command line). The previous handlers come back afterwards; off the main thread, no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum, frame) -> None:
        STOP.set()
        raise Terminated() if signum == signal.SIGTERM else Interrupted()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        STOP.clear()
