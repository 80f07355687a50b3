"""The planner's request count is the number of requests a run makes (not timed)."""

from __future__ import annotations

import pytest

from hs_extract.pipeline import Job
from tests.pipeline_support import make_config

CONFIGS = {
    "daily, all reports": {},
    "weekly": {"windows": {"start": "2026-08-03", "end": "2026-10-26", "size": "week"}},
    "monthly, reach back": {
        "windows": {"start": "2026-06-01", "end": "2026-10-01", "size": "month"}
    },
    "paris days across DST": {
        "windows": {"start": "2026-10-20", "end": "2026-10-30", "timezone": "Europe/Paris"}
    },
    "compare previous, filters": {
        "windows": {"compare_previous": True},
        "filters": {"types": ["email", "chat"], "mailboxes": [3001]},
    },
}


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 51}


def fewest(sim, plan) -> int:
    """Requests the plan needs, counted from the simulator: one per request, plus the pages
    beyond the first that each paginated window's first page announces."""
    probe = sim.client()
    total = 0
    for req in plan.requests:
        total += 1
        if req.spec.paginated:
            first = probe.fetch(req.spec, **{**req.params, "page": 1})
            box = first[req.spec.page_container] if req.spec.page_container else first
            total += max(0, box["pages"] - 1)
    return total


@pytest.mark.parametrize("name", list(CONFIGS))
def test_planned_requests_are_the_requests_made(name, sim, tmp_path):
    config = make_config(sim, None, parquet=tmp_path / "pq", **CONFIGS[name])
    pipeline = Job(config, client=sim.client()).open()
    plan = pipeline.plan()
    expected = fewest(sim, plan)
    before = sim.log.count("/v2/reports/")
    result = pipeline.run()
    assert result.ok, result.failures
    assert sim.log.count("/v2/reports/") - before == expected
    assert len(result.plan.requests) == len(plan.requests)
    # the next run: its plan is the lookback, and it makes exactly that
    again = pipeline.plan()
    expected = fewest(sim, again)
    before = sim.log.count("/v2/reports/")
    assert pipeline.run().ok
    assert sim.log.count("/v2/reports/") - before == expected
