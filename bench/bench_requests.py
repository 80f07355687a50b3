"""Requests made ÷ the fewest the API allows, for a 90-day backfill of all 32 reports.

The minimum is counted independently of the run: one request per summary, busy-times and
list window and slice; one per time-series request the planner groups (up to 60 daily windows
at viewBy=day); and for each paginated window, the number of pages its first page announces
(``ceil(count / 50)`` for drilldowns), asked of the simulator by a separate client.
Target: 1.00.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from bench.common import record
from hs_extract.pipeline import Job, parse_config
from hs_extract.simulator import Simulator

CUTOFF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def main(days: int = 90) -> dict:
    end = CUTOFF.date()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Simulator(seed=9, rate_limit=10_000_000, cutoff=int(CUTOFF.timestamp())) as sim,
    ):
        config = parse_config(
            {
                "source": {
                    "base_url": sim.base_url,
                    "client_id": sim.client_id,
                    "client_secret": sim.client_secret,
                    "rate_limit_per_minute": 100_000,
                    "max_workers": 6,
                },
                "windows": {"start": str(end - dt.timedelta(days=days)), "end": str(end)},
                "reports": ["all"],
                "destinations": {"parquet": {"path": str(Path(tmp) / "pq")}},
            }
        )
        pipeline = Job(config).open()
        plan = pipeline.plan()
        before = sim.log.count("/v2/reports/")
        result = pipeline.run()
        made = sim.log.count("/v2/reports/") - before
        # the minimum, asked independently: pages announced by each paginated window's first page
        probe = sim.client(rate_limit_per_minute=10_000_000)
        minimum = 0
        for req in plan.requests:
            if not req.spec.paginated:
                minimum += 1
                continue
            first = probe.fetch(req.spec, **{**req.params, "page": 1})
            box = first[req.spec.page_container] if req.spec.page_container else first
            minimum += max(1, box["pages"])
    ratio = made / minimum
    print(
        f"{days}-day backfill of all 32 reports ({len(plan.units):,} units, "
        f"{len(plan.requests):,} planned requests):"
    )
    print(
        f"  requests made {made:,}; the fewest the API allows {minimum:,}; ratio {ratio:.3f} "
        f"(target 1.00)"
    )
    figures = {
        "days": days,
        "units": len(plan.units),
        "planned": len(plan.requests),
        "made": made,
        "minimum": minimum,
        "ratio": ratio,
        "ok": result.ok,
        "targets_met": result.ok and abs(ratio - 1) < 1e-9,
    }
    record("fewest_requests", figures)
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 90)
