"""Stop requests that belong to a job: SIGINT, SIGTERM, Ctrl-C in a notebook, or another thread.

Every pause hs_extract makes (a 429's ``Retry-After``, a retry backoff, the rate limiter's
spacing, a lock's ``--wait``) goes through :func:`sleep`, which waits on the :class:`Stop` of the
job it runs for. Once that stop is set, those waits end at once with :class:`Interrupted`, on
every thread of that job, so a job asked to stop logs itself as interrupted and ends in seconds,
however long Help Scout asked it to wait. Another job in the same process (Dagster's in-process
executor, a second notebook thread) has its own stop and never notices.

Which stop a wait obeys is carried by a context variable: a job sets it for its own thread with
:func:`scope`, and its pools (:class:`Pool`) hand it to every task they run. Code outside any
job obeys the process's stop, which the command line's signal handlers set.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = [
    "Interrupted",
    "Pool",
    "Stop",
    "Terminated",
    "check",
    "current",
    "handlers",
    "scope",
    "sleep",
]


class Interrupted(KeyboardInterrupt):
    """A stop was asked (SIGINT, Ctrl-C): waits end, the job is logged as interrupted."""

    exit_code = 130


class Terminated(Interrupted):
    """SIGTERM (a scheduler or systemd stopping the job)."""

    exit_code = 143


class Stop:
    """The stop request of one job: once set, every wait of that job ends at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        #: the exit status the stop stands for: 130 (SIGINT, Ctrl-C) or 143 (SIGTERM)
        self.exit_code = Interrupted.exit_code

    def __repr__(self) -> str:
        return f"Stop(set={self.is_set()})"

    def set(self, exit_code: int = Interrupted.exit_code) -> None:
        """Ask the job to stop (any thread may)."""
        if not self._event.is_set():
            self.exit_code = exit_code
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def error(self) -> Interrupted:
        """The exception a wait ended by this stop raises."""
        return Terminated() if self.exit_code == Terminated.exit_code else Interrupted()

    def check(self) -> None:
        """Raise Interrupted when a stop was asked."""
        if self._event.is_set():
            raise self.error()

    def sleep(self, seconds: float) -> None:
        """``time.sleep`` that this stop ends early (raising Interrupted)."""
        if self._event.wait(max(0.0, seconds)):
            raise self.error()


#: the stop of code that runs outside any job (set by the command line's signal handlers)
PROCESS = Stop()
_CURRENT: contextvars.ContextVar[Stop] = contextvars.ContextVar("hs_extract_stop", default=PROCESS)


def current() -> Stop:
    """The stop the calling code obeys: its job's, else the process's."""
    return _CURRENT.get()


@contextlib.contextmanager
def scope(stop: Stop) -> Iterator[Stop]:
    """While inside, waits in this thread (and in the tasks of its :class:`Pool`) obey ``stop``."""
    token = _CURRENT.set(stop)
    try:
        yield stop
    finally:
        _CURRENT.reset(token)


def check() -> None:
    """Raise Interrupted when the current job's stop was asked."""
    current().check()


def sleep(seconds: float) -> None:
    """Wait ``seconds``, or less when the current job is asked to stop (Interrupted)."""
    current().sleep(seconds)


class Pool(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context: they obey its job's stop."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


@contextlib.contextmanager
def handlers() -> Iterator[None]:
    """While inside: SIGINT and SIGTERM set the current stop and raise in the main thread (the
    command line: the command's own stop, or its job's once the job runs). The previous
    handlers come back afterwards; off the main thread, no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: object) -> None:
        error = Terminated() if signum == signal.SIGTERM else Interrupted()
        current().set(error.exit_code)
        raise error

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with scope(Stop()):  # the command's: a signal never leaves the process stopped
            yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
