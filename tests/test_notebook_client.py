"""The notebook client: pages side by side, a cache of windows that are over, a run's tables."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pandas as pd
import pyarrow.dataset as ds
import pytest

import hs_extract
from hs_extract.errors import ConfigError
from hs_extract.normalize import tables_of
from hs_extract.notebook import ReportsClient
from tests.pipeline_support import VOLATILE, sim_source

DRILL = "conversations_drilldown"
RANGE = {"start_date": "2026-10-01", "end_date": "2026-10-08"}
MONTH = {"start_date": "2026-09-01", "end_date": "2026-10-01"}


@pytest.fixture
def sim(simulator):  # a test's own: its request log counts that test's requests alone
    return simulator(seed=81)


def reports_made(sim) -> int:
    return sim.log.count("/v2/reports/")


def equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], drop=VOLATILE) -> None:
    assert a.keys() == b.keys()
    for name in a:
        left = a[name].drop(columns=[c for c in drop if c in a[name]])
        right = b[name].drop(columns=[c for c in drop if c in b[name]])
        pd.testing.assert_frame_equal(left, right, check_like=True, obj=name)


def test_pages_come_side_by_side_and_in_order(sim):
    client = sim.client(max_workers=8)
    in_flight, most, lock = [0], [0], threading.Lock()
    fetch_page = client.fetch_page

    def counted(*args, **kwargs):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.02)  # an answer takes a while: the next ones are sent meanwhile
            return fetch_page(*args, **kwargs)
        finally:
            with lock:
                in_flight[0] -= 1

    client.fetch_page = counted
    pages = list(client.iter_pages(DRILL, **MONTH))
    assert len(pages) > 20
    numbers = [p["conversations"]["page"] for p in pages]
    assert numbers == list(range(1, len(pages) + 1))  # yielded in order
    assert 1 < most[0] <= 8  # side by side, never more than the workers
    sequential = list(sim.client(max_workers=1).iter_pages(DRILL, **MONTH))
    assert pages == sequential
    assert ReportsClient(client_id="a", client_secret="b", rate_limit_per_minute=400).workers == 14


def test_the_second_identical_call_is_served_from_the_cache(sim, tmp_path):
    client = sim.client(cache=tmp_path / "cache")
    first = client.frames(DRILL, **RANGE)
    made = reports_made(sim)
    assert made > 5  # every page of the range
    requests_before = sim.log.count()
    again = sim.client(cache=tmp_path / "cache")  # a new client, a new kernel: the same disk
    second = again.frames(DRILL, **RANGE)
    assert sim.log.count() == requests_before  # not even a token
    equal(first, second, drop=set())
    info = again.cache_info()
    assert info.hits == made and info.misses == 0 and info.entries == made and info.size_bytes > 0
    assert client.cache_info().misses == made
    # the archive's format: a record per answer, its request beside, never a token
    from hs_extract.load.archive import read_record

    record = read_record(next((tmp_path / "cache").glob("account-*/*/*.json.zst")))
    answer = record["answers"][0]
    assert answer["path"].startswith("/v2/reports/") and answer["status"] == 200
    assert "X-RateLimit-Limit-Minute" in answer["rate_limit"] and "body" in answer
    assert "token" not in str(record).lower()
    assert again.cache_clear() == made and again.cache_info().entries == 0


def test_a_window_that_is_not_over_is_fetched_again(sim, tmp_path):
    # "now" two days after the range: inside the lookback of 3 days, so never kept
    now = lambda: dt.datetime(2026, 10, 10, tzinfo=dt.UTC)  # noqa: E731
    client = sim.client(cache=tmp_path / "cache", now=now)
    client.get_company(**RANGE)
    client.get_company(**RANGE)
    assert reports_made(sim) == 2 and client.cache_info().entries == 0
    later = sim.client(cache=tmp_path / "cache", now=now, lookback=1)
    later.get_company(**RANGE)
    later.get_company(**RANGE)
    assert reports_made(sim) == 3 and later.cache_info().hits == 1
    with pytest.raises(ConfigError, match="keeps no answers"):
        sim.client().cache_info()


def test_window_frames_are_the_tables_of_a_run(sim, tmp_path):
    client = sim.client()
    got = client.frames(DRILL, window="day", timezone="Europe/Berlin", **RANGE)
    raw = {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-01", "end": "2026-10-08", "timezone": "Europe/Berlin"},
        "reports": [DRILL],
        "destinations": {"parquet": {"path": str(tmp_path / "pq")}},
    }
    assert hs_extract.run(raw).exit_code == 0
    want = {}
    for name in got:
        table = ds.dataset(tmp_path / "pq" / name, format="parquet", partitioning="hive")
        frame = table.to_table().to_pandas()
        frame["window_date"] = pd.to_datetime(frame["window_date"].astype(str)).dt.date
        want[name] = frame
    assert set(got) == {t.name for t in tables_of(DRILL) if (tmp_path / "pq" / t.name).exists()}
    for name, frame in got.items():
        key = [c for c in ("window_start", "id", "tag_id") if c in frame]
        left = frame.drop(columns=list(VOLATILE & set(frame))).sort_values(key)
        right = want[name].drop(columns=list(VOLATILE & set(frame))).sort_values(key)
        assert len(left) == len(right), name
        if name == DRILL:
            days = sorted(left["window_date"].unique())
            assert len(left) > 0 and days == [dt.date(2026, 10, d) for d in range(1, 8)]
        for col in left:
            assert list(left[col].astype(str)) == list(right[col].astype(str)), (name, col)


def test_window_frames_say_what_they_cant_take(sim):
    client = sim.client()
    with pytest.raises(ConfigError, match="view_by can't be used with windows"):
        client.frames("company", window="day", view_by="week", **RANGE)
    with pytest.raises(ConfigError, match="window: 'fortnight' is invalid"):
        client.frames("company", window="fortnight", **RANGE)
    with pytest.raises(ConfigError, match="start_date"):
        client.frames("company", window="day")


def test_the_readmes_five_lines_run_against_the_simulator(sim, tmp_path, monkeypatch):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Python in five lines", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", block, flags=re.S)[:1]
    assert "end_date=" in code.split("frames(", 1)[1].split("\n", 1)[0]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # cache=True: the per-user folder
    creds = f'client_id="{sim.client_id}", client_secret="{sim.client_secret}", '
    code = code.replace(
        'client_id="…", client_secret="…", ', creds + f'base_url="{sim.base_url}", '
    )
    code = code.replace("2025-01-01", "2026-10-01").replace("2025-02-01", "2026-10-08")
    scope: dict = {}
    exec(code, scope)
    assert len(scope["frames"]["conversations_drilldown"]) > 0
    assert scope["client"].cache_info().entries > 1
    assert (tmp_path / "hs_extract" / "answers").is_dir()


def test_no_progress_bar_when_output_is_not_interactive_or_turned_off(sim, capfd):
    from hs_extract.notebook.progress import PageBar

    sim.client().frames(DRILL, **RANGE)  # pytest's output is neither a terminal nor Jupyter
    assert capfd.readouterr().err == ""
    assert PageBar("x").enabled is False and PageBar("x", enabled=False).enabled is False
    bar = PageBar("x", enabled=True)
    bar.text = True  # as in a Jupyter without ipywidgets
    for n in range(1, 21):
        bar(n, 20)
    lines = capfd.readouterr().err.splitlines()
    assert lines[0] == "x: 1/20" and lines[-1] == "x: 20/20" and len(lines) == 11
