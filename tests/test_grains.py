"""Several grains in one warehouse (issue 23): ``windows.size: [day, month]`` loads day and month
windows into the same tables, told apart by ``grain`` (part of every row key).

For a month loaded at both grains from the simulator: every summary report's month row is the
simulator's own monthly answer; what the declaration says sums does sum over the days, and
what it says does not (distinct customers, averages, shares) is exactly where a sum of days
would be wrong; the second grain costs one request per report and slice for the month."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from hs_extract.api.catalog import REPORTS, Kind
from hs_extract.cli import main
from hs_extract.normalize import RequestMeta, normalize, table_specs
from hs_extract.normalize.fields import NONE, SUM
from hs_extract.normalize.schema import main_table
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import Dest, sim_source

SIMULATOR = {"seed": 33}
USER = 100001
SUMMARIES = [n for n, s in REPORTS.items() if s.kind is Kind.SUMMARY and n != "docs"]
MONTH = (dt.date(2026, 10, 1), dt.date(2026, 11, 1))


def config(sim, dest: Dest, sizes) -> dict:
    return {
        "source": sim_source(sim, max_workers=4),
        "windows": {"start": str(MONTH[0]), "end": str(MONTH[1]), "size": sizes, "lookback": 0},
        "reports": [{"name": n, "users": [USER]} if "users" in _keys(n) else n for n in SUMMARIES],
        "destinations": {"sql": dest.sql()},
    }


def _keys(report: str) -> tuple[str, ...]:
    from hs_extract.pipeline.config import SLICE_KEYS

    return SLICE_KEYS[report]


@pytest.fixture(scope="module")
def loaded(sim, tmp_path_factory):
    root = tmp_path_factory.mktemp("grains")
    dest = Dest("sqlite", root)
    path = root / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, dest, ["day", "month"])))
    res = CliRunner().invoke(main, ["run", "--config", str(path)])
    assert res.exit_code == 0, res.output
    return dest


def current(dest: Dest, report: str) -> pd.DataFrame:
    frame = pd.read_sql(f'select * from "{main_table(report)}"', dest.engine)
    return frame[frame["period"] == "current"]


@pytest.mark.parametrize("report", SUMMARIES)
def test_the_month_row_is_the_apis_monthly_answer(sim, loaded, report):
    rows = current(loaded, report)
    month = rows[rows["grain"] == "month"]
    assert len(month) == 1 and len(rows[rows["grain"] == "day"]) == 31
    params = {"start_date": MONTH[0], "end_date": MONTH[1]}
    if "users" in _keys(report):
        params["user"] = USER
    answer = sim.client().fetch(report, **params)
    meta = RequestMeta.for_params({**params, "start_date": "2026-10-01", "end_date": "2026-11-01"})
    expected = normalize(report, answer, meta)[main_table(report)].to_pylist()[0]
    for column in table_specs()[main_table(report)].columns:
        if column.rollup:  # every metric of the month as the API counts the month
            got, want = month[column.name].iloc[0], expected[column.name]
            assert (pd.isna(got) and want is None) or got == pytest.approx(want), column.name


def test_the_declaration_says_where_a_sum_of_days_is_wrong(loaded):
    wrong_if_summed, checked = [], 0
    for report in SUMMARIES:
        rows = current(loaded, report)
        days, month = rows[rows["grain"] == "day"], rows[rows["grain"] == "month"]
        for column in table_specs()[main_table(report)].columns:
            if column.rollup not in (SUM, NONE) or column.unit != "count":
                continue
            total, whole = days[column.name].sum(), month[column.name].iloc[0]
            if column.rollup == SUM:
                assert total == whole, f"{report}.{column.name}: declared to sum, does not"
                checked += 1
            elif total != whole:
                wrong_if_summed.append(f"{report}.{column.name}")
    assert checked >= 10
    # the counts a BI tool would sum by default, and get wrong: each declared "not additive"
    assert {"company.customers_helped", "conversations.total_conversations"} <= set(
        wrong_if_summed
    ), wrong_if_summed


def test_the_second_grain_costs_a_request_per_report_and_slice(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    plans = {}
    for sizes in (["day"], ["day", "month"]):
        job = Job(parse_config(config(sim, dest, sizes)))
        plans[len(sizes)] = job.plan()
        job.close()
    extra = len(plans[2].requests) - len(plans[1].requests)
    month_units = [u for u in plans[2].units if u.window.grain == "month"]
    assert extra == len(month_units) == len(SUMMARIES)  # one month window per report and slice
    assert all(u.slice.key.startswith("grain=month") for u in month_units)
