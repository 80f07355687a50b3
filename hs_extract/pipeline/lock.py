"""One run at a time per destination: locks that die with their process.

- a PostgreSQL destination: a session advisory lock keyed on (database, schema), held on its own
  connection; PostgreSQL frees it when the connection ends, however the process died;
- a SQLite file or a Parquet folder: ``fcntl.flock`` on a lock file beside the data; the kernel
  frees it when the process dies.

A second run does nothing and raises :class:`~hs_extract.errors.LockedError` naming the holder
(pid, host, since when), or waits up to ``wait`` seconds for it. Commands that only read (``plan``,
``state show``) take no lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import interrupt
from ..errors import LoadError, LockedError

__all__ = ["DestinationLock", "FileLock", "PostgresLock", "RunLock"]

#: seconds a lock whose holder left no details is tried again before it counts as held
GRACE = 3.0
#: first key of every hs_extract advisory lock ("HSEX"), so other apps' locks never collide
NAMESPACE = 0x48534558
APP_PREFIX = "hs-extract run"


def _me() -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _holder(info: dict | None) -> str:
    if not info:
        return "a holder that left no details"
    pid, host, since = (info.get(k, "?") for k in ("pid", "host", "since"))
    return f"pid {pid} on host {host} since {since}"


class DestinationLock(Protocol):
    """A lock on one destination."""

    where: str

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when taken."""

    def holder(self) -> str:
        """Who holds it: pid, host and since when."""

    def release(self) -> None:
        """Free it (a dead process frees it too)."""


class FileLock(DestinationLock):
    """``flock`` on ``path``; the holder's pid, host and start time are written into it. The
    file (and any folder made for it) is removed on release, so nothing is left behind."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = Path(path)
        self.where = where
        self._fd: int | None = None
        self._made: list[Path] = []  # folders made for the lock file, deepest first

    def try_acquire(self) -> bool:
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                self._unmake()
                return False
            # the holder before us may have removed the file after we opened it: then this
            # lock is on a file no one else will find; take the one at the path instead
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        data = json.dumps(_me()).encode()
        os.pwrite(fd, data, 0)  # written, then cut to length: never empty while held
        os.ftruncate(fd, len(data))
        self._fd = fd
        return True

    def _open(self) -> int:
        missing = [p for p in (self.path.parent, *self.path.parent.parents) if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._made = self._made or missing
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise LoadError(
                f"{self.where}: cannot create the lock file {self.path}: {exc.strerror}; "
                "choose a writable destination"
            ) from None

    def holder(self, patience: float = 1.0) -> str:
        """Who holds it. A holder that has just taken the lock may not have written its
        details yet: they are waited for, up to ``patience`` seconds."""
        deadline = time.monotonic() + patience
        while True:
            try:
                info = json.loads(self.path.read_text() or "null")
            except (OSError, ValueError):  # read while being written: try again
                info = None
            if info or time.monotonic() >= deadline:
                return _holder(info)
            time.sleep(0.05)

    def release(self) -> None:
        if self._fd is not None:
            # removed while still held: a run that opened it meanwhile sees it gone and
            # takes a new file (try_acquire), never a lock on a file no one else finds
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)  # closing the descriptor frees the lock
            self._fd = None
            self._unmake()

    def _unmake(self) -> None:
        """Remove the folders made for the lock file, if nothing else went into them."""
        for folder in self._made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made = []


class PostgresLock(DestinationLock):
    """A session advisory lock on (database, schema), on a connection of its own. Its
    ``application_name`` carries the holder's pid, host and start time for the next run."""

    def __init__(self, engine: Engine, schema: str | None, where: str) -> None:
        self.engine = engine
        self.where = where
        name = f"{engine.url.database}|{schema or 'public'}".encode()
        self.key = int.from_bytes(hashlib.blake2b(name, digest_size=4).digest(), "big", signed=True)
        self._conn: sa.Connection | None = None

    def try_acquire(self) -> bool:
        try:
            return self._try_acquire()
        except sa.exc.OperationalError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()
            raise LoadError(
                f"{self.where}: cannot open it: {reason[0] if reason else type(exc).__name__}"
            ) from None

    def _try_acquire(self) -> bool:
        conn = self.engine.connect()
        me = _me()
        app = f"{APP_PREFIX} pid={me['pid']} host={me['host']} since={me['since']}"[:63]
        conn.execute(sa.text("select set_config('application_name', :a, false)"), {"a": app})
        got = conn.execute(
            sa.text("select pg_try_advisory_lock(:ns, :key)"), {"ns": NAMESPACE, "key": self.key}
        ).scalar_one()
        conn.commit()
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def holder(self) -> str:
        with self.engine.connect() as conn:
            app = conn.execute(
                sa.text(
                    "select a.application_name from pg_locks l "
                    "join pg_stat_activity a on a.pid = l.pid "
                    "where l.locktype = 'advisory' and l.granted and l.objsubid = 2 "
                    "and l.classid::bigint = :ns and l.objid::bigint = :key limit 1"
                ),
                {"ns": NAMESPACE & 0xFFFFFFFF, "key": self.key & 0xFFFFFFFF},
            ).scalar()
        if not app or not app.startswith(APP_PREFIX):
            return _holder(None)
        fields = dict(part.split("=", 1) for part in app.split()[2:] if "=" in part)
        return _holder(fields)

    def release(self) -> None:
        # Ending the session frees the lock; no unlock round trip, which would wait for ever
        # on a server that stopped answering. The connection is discarded, not pooled.
        if self._conn is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._conn.invalidate()
                self._conn.close()
            self._conn = None


class RunLock:
    """Every destination of a run, locked together (in a fixed order), or none of them."""

    def __init__(
        self,
        locks: Sequence[DestinationLock],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = interrupt.sleep,
    ) -> None:
        self.locks = list(locks)
        self._clock, self._sleep = clock, sleep
        self._held: list[DestinationLock] = []

    def acquire(self, wait: float = 0.0) -> None:
        """Take every lock, or raise LockedError naming the holder (after ``wait`` seconds).
        A holder that left no details is given a moment more: a PostgreSQL session that has
        just ended (this process's last job) frees its lock a little after it is closed."""
        began = self._clock()
        deadline = began + max(0.0, wait)
        while True:
            busy = self._try_all()
            if busy is None:
                return
            now = self._clock()
            holder = busy.holder()
            unknown = holder == _holder(None) and now < began + GRACE
            if now >= deadline and not unknown:
                waited = f" (waited {wait:g} s)" if wait else ""
                raise LockedError(
                    f"locked: another hs-extract run holds {busy.where} ({holder}){waited}; "
                    "this run did nothing: try again later, or queue with --wait SECONDS"
                )
            self._sleep(min(1.0, max(0.05, deadline - now)) if not unknown else 0.1)

    def _try_all(self) -> DestinationLock | None:
        for lock in self.locks:
            try:
                taken = lock.try_acquire()
            except BaseException:  # a destination that can't be opened: hold none of them
                self.release()
                raise
            if taken:
                self._held.append(lock)
                continue
            self.release()  # all or none: never hold one destination while waiting for another
            return lock
        return None

    def release(self) -> None:
        for lock in reversed(self._held):
            lock.release()
        self._held.clear()

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
