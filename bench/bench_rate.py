"""Achieved requests per minute ÷ budget, at the rate limit, against the simulator.

The pipeline (``Job.run``, its worker pool sharing one limiter) loads one summary report
over many daily windows from a simulator with 300 ms or 1 s of latency and a limit of 400 or
800 requests per minute. The first minute is a burst (the window starts empty); the figure is
the steady state after it, from the simulator's own request log. The same run with one worker
is the sequential baseline. A last run puts another app on the account (a third of the limit):
hs_extract must slow down to what is left, without 429s once it has seen the headers.
Target: ≥ 0.95 of the budget.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from bench.common import record
from hs_extract.pipeline import Job, parse_config, workers_for
from hs_extract.simulator import Simulator


def steady_rate(times: list[float], wave: int) -> float:
    """Requests per minute once the limit is reached.

    The window starts empty, so the first ``wave`` requests (the budget) go at once; after
    that, requests come in waves as the rolling window frees up. A run of whole waves, timed
    from the end of the first to the end of the last, measures the sustained rate without
    the burst."""
    if wave <= 1 or len(times) <= wave:  # one worker: no burst, a plain mean
        return (len(times) - 1) / ((times[-1] - times[0]) / 60)
    return (len(times) - wave) / ((times[-1] - times[wave - 1]) / 60)


def run(limit: int, latency_ms: float, workers: int | None, minutes: float, other: int = 0) -> dict:
    """One pipeline run sized to last about ``minutes`` at the budget; its figures."""
    budget = limit - other
    waves = max(2, round(minutes))  # whole waves of the budget after the first one
    requests = (
        budget * (waves + 1) if workers != 1 else int(60 / (latency_ms / 1000 + 0.01) * minutes)
    )
    end = dt.date(2026, 1, 1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Simulator(
            seed=3,
            rate_limit=limit,
            latency_ms=latency_ms,
            other_usage=other,
            cutoff=int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()),
        ) as sim,
    ):
        config = parse_config(
            {
                "source": {
                    "base_url": sim.base_url,
                    "client_id": sim.client_id,
                    "client_secret": sim.client_secret,
                    "rate_limit_per_minute": limit,
                    "max_workers": workers or "auto",
                },
                "windows": {"start": str(end - dt.timedelta(days=requests)), "end": str(end)},
                "reports": ["happiness"],
                "destinations": {"parquet": {"path": str(Path(tmp) / "pq")}},
            }
        )
        result = Job(config).open().run()
        log = sim.log.snapshot()
    times = sorted(e.at for e in log if e.path.startswith("/v2/reports/") and e.status == 200)
    first_429 = [e.at for e in log if e.status == 429]
    late_429 = sum(1 for t in first_429 if t > times[0] + 60)
    rate = steady_rate(times, budget if workers != 1 else 0)
    return {
        "limit": limit,
        "other_app": other,
        "latency_ms": latency_ms,
        "workers": workers or workers_for(config.source),
        "requests": len(times),
        "per_minute": rate,
        "ratio": rate / budget,
        "429s": len(first_429),
        "429s_after_first_minute": late_429,
        "ok": result.ok,
    }


def main(minutes: float = 2.0) -> dict:
    rows = []
    print("requests per minute at the rate limit (steady state after the first minute):")
    print(f"  {'limit':>5} {'latency':>8} {'workers':>8} {'req/min':>8} {'÷budget':>8} {'429s':>5}")
    for limit in (400, 800):
        for latency in (300, 1000):
            for workers in (None, 1):
                r = run(limit, latency, workers, minutes if workers is None else 0.5)
                rows.append(r)
                label = "1 (seq)" if workers == 1 else str(r["workers"])
                print(
                    f"  {limit:>5} {latency:>6}ms {label:>8} {r['per_minute']:>8.0f} "
                    f"{r['ratio']:>8.3f} {r['429s']:>5}",
                    flush=True,
                )
    other = run(400, 300, None, minutes, other=134)
    rows.append(other)
    print(
        f"  400 with another app using 134/min: {other['per_minute']:.0f} req/min = "
        f"{other['ratio']:.3f} of the 266 left; 429s after the first minute: "
        f"{other['429s_after_first_minute']}"
    )
    parallel = [r for r in rows if r["workers"] != 1 and not r["other_app"]]
    worst = min(r["ratio"] for r in parallel)
    speedup = {
        f"{r['limit']}/{r['latency_ms']}ms": r["per_minute"] / s["per_minute"]
        for r in parallel
        for s in rows
        if s["workers"] == 1 and s["limit"] == r["limit"] and s["latency_ms"] == r["latency_ms"]
    }
    print(
        f"  worst ratio {worst:.3f} (target >= 0.95); speed-up over one worker: "
        + ", ".join(f"{k} {v:.1f}x" for k, v in speedup.items())
    )
    figures = {
        "runs": rows,
        "worst_ratio": worst,
        "speedup_vs_sequential": speedup,
        "targets_met": worst >= 0.95
        and other["429s_after_first_minute"] == 0
        and other["ratio"] >= 0.95,
    }
    record("rate_limit", figures)
    return figures


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
