"""Any split of a date range into runs gives the tables of one run: day, week and month windows,
in UTC and in zones with DST or a half-hour offset (the time-series grouping is per window)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hs_extract.api.retry import RetryConfig
from hs_extract.normalize import tables_of
from hs_extract.pipeline import Job, parse_config
from hs_extract.pipeline.windows import iter_windows
from tests.conftest import examples
from tests.pipeline_support import Dest, sim_source

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
RANGES = {  # each crosses a DST change in Berlin and New York
    "day": (dt.date(2026, 3, 2), dt.date(2026, 4, 1)),
    "week": (dt.date(2026, 2, 2), dt.date(2026, 5, 4)),
    "month": (dt.date(2026, 1, 1), dt.date(2026, 10, 1)),
}
REPORTS = ["company_customers_helped", "productivity_resolved"]
NAMES = [t.name for r in REPORTS for t in tables_of(r)]
FAST = RetryConfig(max_attempts=10, backoff_base=0.01, backoff_cap=0.05)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 81, "rate_limit": 1_000_000, "volume": 20}


def tables_after(sim, tmp, size, tz, splits) -> dict:
    """Run the range in pieces cut at ``splits`` (window indexes); the tables that result."""
    first, last = RANGES[size]
    windows = iter_windows(first, last, size, tz)
    dest = Dest("sqlite", tmp)
    config = parse_config(
        {
            "source": sim_source(sim, max_workers=2),
            "windows": {
                "start": str(first),
                "end": str(last),
                "size": size,
                "timezone": tz,
                "lookback": 1,
            },
            "reports": REPORTS,
            "destinations": {"sql": dest.sql()},
        }
    )
    cuts = [0, *sorted(splits), len(windows)]
    for a, b in itertools.pairwise(cuts):
        start = dt.date.fromisoformat(windows[a].label)
        end = last if b == len(windows) else dt.date.fromisoformat(windows[b].label)
        pipeline = Job(config, client=sim.client(retry=FAST)).open()
        try:
            result = pipeline.run(start=start, end=end)
        finally:
            pipeline.close()
        assert result.ok, result.failures
    out = {name: dest.snapshot(name) for name in NAMES}
    dest.drop()
    return out


REFERENCES: dict = {}


def reference(sim, size, tz, tmp_factory) -> dict:
    """The tables of one uninterrupted run (computed once per size and zone)."""
    if (size, tz) not in REFERENCES:
        REFERENCES[size, tz] = tables_after(sim, tmp_factory.mktemp("ref"), size, tz, ())
    return REFERENCES[size, tz]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("size", list(RANGES))
def test_any_split_of_runs_gives_the_tables_of_one_run(sim, size, tz, tmp_path_factory):
    first, last = RANGES[size]
    n = len(iter_windows(first, last, size, tz))
    one_run = reference(sim, size, tz, tmp_path_factory)
    assert all(one_run[name] for name in NAMES)

    @settings(
        max_examples=examples(ci=3),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(splits=st.sets(st.integers(1, n - 1), min_size=1, max_size=3))
    def check(splits):
        assert tables_after(sim, tmp_path_factory.mktemp("split"), size, tz, splits) == one_run

    check()
