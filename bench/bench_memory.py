"""Peak memory of a drilldown backfill: 1,000,000 rows, and 10× fewer.

The simulator runs in its own process (its memory is not the pipeline's); ``hs-extract run``
runs in another, loading ``conversations_drilldown`` into Parquet and PostgreSQL (SQLite when
PostgreSQL is not reachable), and reports its own peak RSS when it exits (``bench/peak.py``).
Memory must not grow with the number of windows. Target: < 400 MB for 1,000,000 rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow.dataset as ds
import sqlalchemy as sa
import yaml

from bench.common import record

PG = os.environ.get("HS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
VOLUME = 5400  # conversations a weekday: about 10,000 drilldown rows a day


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres() -> bool:
    try:
        with sa.create_engine(PG).connect():
            return True
    except Exception:
        return False


def backfill(days: int, tmp: Path, port: int) -> dict:
    schema = f"bench_mem_{uuid.uuid4().hex[:8]}"
    sql = {"url": PG, "schema": schema} if postgres() else {"url": f"sqlite:///{tmp}/m.db"}
    config = {
        "source": {
            "base_url": f"http://127.0.0.1:{port}",
            "client_id": "simulator-app",
            "client_secret": "simulator-secret",
            "rate_limit_per_minute": 100_000,
        },
        "windows": {"start": f"-{days}d", "lookback": 0},
        "reports": ["conversations_drilldown"],
        "destinations": {"parquet": {"path": str(tmp / f"pq{days}")}, "sql": sql},
    }
    path = tmp / f"mem{days}.yaml"
    path.write_text(yaml.safe_dump(config))
    peak = tmp / f"peak{days}.txt"
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.peak",
            str(peak),
            "run",
            "--config",
            str(path),
            "--no-progress",
        ],
        capture_output=True,
        cwd=Path(__file__).parent.parent,
    )
    seconds = time.perf_counter() - start
    if proc.returncode:
        print(proc.stderr.decode()[-2000:], file=sys.stderr)
    dataset = ds.dataset(tmp / f"pq{days}" / "conversations_drilldown", partitioning="hive")
    rows = dataset.count_rows()
    if "schema" in sql:
        with sa.create_engine(PG).begin() as c:
            c.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return {
        "days": days,
        "rows": rows,
        "peak_rss_mb": int(peak.read_text()) / 1024,
        "seconds": seconds,
        "exit": proc.returncode,
        "destination": "postgresql" if "schema" in sql else "sqlite",
    }


def main(days: int = 100) -> dict:
    port = free_port()
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hs_extract",
            "simulate",
            "--port",
            str(port),
            "--seed",
            "4",
            "--volume",
            str(VOLUME),
            "--rate-limit",
            "1000000",
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            small = backfill(max(1, days // 10), Path(tmp), port)
            large = backfill(days, Path(tmp), port)
    finally:
        sim.terminate()
        sim.wait()
    print(
        "peak memory of `hs-extract run` for a conversations_drilldown backfill "
        f"(Parquet + {large['destination']}):"
    )
    for r in (small, large):
        print(
            f"  {r['days']:>4} daily windows {r['rows']:>10,} rows  peak RSS "
            f"{r['peak_rss_mb']:6.0f} MB  ({r['seconds']:.0f} s, exit {r['exit']})"
        )
    growth = large["peak_rss_mb"] / small["peak_rss_mb"]
    print(f"  10x the rows -> {growth:.2f}x the memory (target: < 400 MB for 1,000,000 rows)")
    figures = {
        "small": small,
        "large": large,
        "growth": growth,
        "targets_met": large["peak_rss_mb"] < 400
        and large["rows"] >= 1_000_000
        and large["exit"] == 0
        and small["exit"] == 0,
    }
    record("memory", figures)
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
