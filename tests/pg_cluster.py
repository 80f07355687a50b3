"""A private PostgreSQL cluster on its own port, under a temp dir: to freeze or kill in tests.

The shared server at 127.0.0.1:5432 is never stopped; these tests start their own cluster
(``initdb`` + ``pg_ctl``, run as the ``postgres`` user when the tests run as root), and freeze
it with SIGSTOP or kill it with an immediate shutdown.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1] if found and found[-1] else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    """``with PrivateCluster(tmp_path) as pg: pg.url …; pg.freeze(); pg.thaw(); pg.kill()``"""

    def __init__(self, root: Path | None = None) -> None:
        # under /tmp itself: the postgres user can't enter pytest's private temp dirs
        parent = Path(tempfile.mkdtemp(prefix="hs-pg-"))
        parent.chmod(0o755)
        self.root = parent / "cluster"
        self.data = self.root / "data"
        self.port = _free_port()
        self.initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            if os.environ.get("CI") == "true":
                pytest.fail("initdb/pg_ctl are needed in CI (Debian's postgresql package)")
            pytest.skip("initdb/pg_ctl not found")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:  # initdb refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def __enter__(self) -> PrivateCluster:
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.root / "log"),
            "start",
        )

    def pids(self) -> list[int]:
        """The postmaster and every backend of this cluster."""
        main = int((self.data / "postmaster.pid").read_text().split()[0])
        out = [main]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == main:
                out.append(int(Path(stat).parent.name))
        return out

    def freeze(self) -> None:
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):  # a backend that just ended
                os.kill(pid, sig)

    def kill(self) -> None:
        """An immediate shutdown: every connection drops, as when the database dies."""
        self.thaw()
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def __exit__(self, *exc) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.kill()
        finally:
            shutil.rmtree(self.root.parent, ignore_errors=True)
