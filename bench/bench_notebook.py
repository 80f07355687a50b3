"""A notebook's drilldown through ``client.frames``: pages side by side vs one by one.

Against the simulator at 300 ms latency and 400 requests a minute, ``frames`` fetches a month
of conversation drilldowns (≥ 40 pages: page 1, then the rest side by side within the rate
limiter, as ``hs-extract run`` does), and the same client with one worker fetches the very
same pages one after another, in the same run. A third call on a cached client is served from
disk. Target: ≥ 4× one by one, 0 requests for the cached call.
"""

from __future__ import annotations

import sys
import tempfile
import time

from bench.common import record
from hs_extract.simulator import Simulator

REPORT = "conversations_drilldown"
RANGE = {"start_date": "2026-08-01", "end_date": "2026-10-01"}
TARGET = 4.0


def main(latency_ms: float = 300, limit: int = 400) -> dict:
    with Simulator(seed=5, latency_ms=latency_ms, rate_limit=limit) as sim:
        side = sim.client(progress=False)
        side.connect()  # the token is not what is measured
        start = time.perf_counter()
        frames = side.frames(REPORT, **RANGE)
        parallel = time.perf_counter() - start
        pages = sim.log.count("/v2/reports/")
        one = sim.client(progress=False, max_workers=1)
        one.connect()
        start = time.perf_counter()
        again = one.frames(REPORT, **RANGE)
        sequential = time.perf_counter() - start
        assert len(again[REPORT]) == len(frames[REPORT])
        with tempfile.TemporaryDirectory() as tmp:
            cold = sim.client(progress=False, cache=tmp)
            cold.frames(REPORT, **RANGE)
            before = sim.log.count()
            warm = sim.client(progress=False, cache=tmp)
            start = time.perf_counter()
            warm.frames(REPORT, **RANGE)
            cached = time.perf_counter() - start
            cached_requests = sim.log.count() - before
    assert pages >= 40, f"only {pages} pages: choose a longer range"
    ratio = sequential / parallel
    print(f"{REPORT}, {pages} pages, latency {latency_ms:.0f} ms, limit {limit}/min:")
    print(f"  frames, pages side by side ({side.workers} workers): {parallel:6.2f} s")
    print(f"  the same pages one by one:             {sequential:6.2f} s")
    print(f"  frames again from the cache:           {cached:6.2f} s, {cached_requests} requests")
    print(f"  speed-up {ratio:.1f}x (target >= {TARGET})")
    figures = {
        "pages": pages,
        "rows": len(frames[REPORT]),
        "workers": side.workers,
        "seconds": {"side_by_side": parallel, "one_by_one": sequential, "cached": cached},
        "speedup": ratio,
        "cached_requests": cached_requests,
        "targets_met": ratio >= TARGET and cached_requests == 0,
    }
    record("notebook_frames", figures)
    return figures


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:]))
