"""Bounded SQL: a PostgreSQL connection that holds a transaction past its deadline is cut.

PostgreSQL's own ``statement_timeout`` and ``lock_timeout`` end slow statements and lock waits,
but a server that stopped answering (frozen, SIGSTOP, a dead host behind a live TCP stack)
can't enforce anything: the client would wait for ever. The watchdog, a thread, shuts the
socket of any connection whose guarded work outlives its deadline; the blocked call then fails
with an OperationalError, the unit fails with one line, and the next run retries it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["Watchdog"]

log = logging.getLogger("hs_extract.sql")


class Watchdog:
    """Cuts connections that hold guarded work for longer than ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._heap: list[tuple[float, int, int]] = []  # (deadline, token, fd)
        self._live: set[int] = set()
        self._tokens = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def guard(self, dbapi_connection, seconds: float | None = None) -> Iterator[None]:
        """Cut ``dbapi_connection`` (psycopg 3) if the block outlives its deadline."""
        fd = _socket_of(dbapi_connection)
        if fd is None:
            yield
            return
        token = next(self._tokens)
        deadline = time.monotonic() + (seconds or self.seconds)
        with self._cond:
            heapq.heappush(self._heap, (deadline, token, fd))
            self._live.add(token)
            self._start()
            self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                self._live.discard(token)

    def install(self, engine: Engine, ping_seconds: float = 10.0) -> None:
        """Ping every connection checked out of ``engine`` under a short guard (instead of
        ``pool_pre_ping``, which would wait for ever on a frozen server)."""

        @sa.event.listens_for(engine, "checkout")
        def ping(dbapi_connection, record, proxy) -> None:
            try:
                with self.guard(dbapi_connection, ping_seconds):
                    dbapi_connection.execute("select 1")
                    dbapi_connection.rollback()
            except Exception as exc:  # a stale or cut connection: the pool makes a new one
                raise sa.exc.DisconnectionError(str(exc)) from exc

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="hs-sql-watchdog", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # finished in time
                wait = self._heap[0][0] - time.monotonic() if self._heap else 5.0
                if wait > 0:
                    self._cond.wait(min(wait, 5.0))
                    continue
                _, token, fd = heapq.heappop(self._heap)
                self._live.discard(token)
            log.warning("sql: no answer within %g s: cutting the connection", self.seconds)
            _cut(fd)


def _socket_of(dbapi_connection) -> int | None:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    try:
        return pgconn.socket if pgconn is not None else None
    except Exception:  # closed already
        return None


def _cut(fd: int) -> None:
    with contextlib.suppress(OSError):
        dup = socket.socket(fileno=os.dup(fd))
        try:
            dup.shutdown(socket.SHUT_RDWR)
        finally:
            dup.close()
