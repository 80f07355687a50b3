"""Never silently wrong: destinations that disagree, configs that change, hostile strings."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import Dest, sim_source
from tests.proxy import MangleProxy

#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 71}


def write(tmp_path, sim, dest, parquet, reports, base_url=None, **over) -> str:
    raw = {
        "source": sim_source(sim, max_workers=3, **({"base_url": base_url} if base_url else {})),
        "windows": {"start": "2026-10-12", "end": "2026-10-26", "lookback": 2},
        "reports": reports,
        "destinations": {},
    }
    if dest is not None:
        raw["destinations"]["sql"] = dest.sql()
    if parquet is not None:
        raw["destinations"]["parquet"] = {"path": str(parquet)}
    for key, value in over.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def hs(*args: str):
    return CliRunner().invoke(main, list(args))


def run(path, *extra):
    return hs("run", "--config", path, "--no-progress", *extra)


# --- each destination knows what it holds -------------------------------------------------------


def windows_in(parquet, table) -> set:
    frame = pd.read_parquet(parquet / table, columns=["window_start"])
    return set(frame["window_start"].dt.date)


def stamps(dest, table) -> dict:
    t = dest.table(table)
    with dest.engine.connect() as c:
        return dict(c.execute(sa.select(t.c.window_date, t.c.extracted_at).distinct()).all())


@pytest.mark.parametrize("lost", ["folder", "table"])
def test_a_parquet_folder_that_lost_its_files_gets_them_back_and_sql_is_left_alone(
    sim, tmp_path, lost
):
    dest, parquet = Dest("sqlite", tmp_path), tmp_path / "pq"
    path = write(tmp_path, sim, dest, parquet, ["company", "conversations_drilldown"])
    assert run(path).exit_code == 0
    before = stamps(dest, "conversations_drilldown")
    shutil.rmtree(parquet if lost == "folder" else parquet / "conversations_drilldown")
    done = run(path)
    assert done.exit_code == 0, done.output
    days = {dt.date(2026, 10, d) for d in range(12, 26)}
    assert windows_in(parquet, "conversations_drilldown") == days
    assert windows_in(parquet, "company") == days
    assert len(pd.read_parquet(parquet / "conversations_drilldown")) == dest.count(
        "conversations_drilldown"
    )
    after = stamps(dest, "conversations_drilldown")
    lookback = {dt.date(2026, 10, 24), dt.date(2026, 10, 25)}
    assert {d for d in days if after[d] != before[d]} == lookback  # the rest left alone


def test_parquet_alone_reloads_what_its_state_lists_but_its_files_lack(sim, tmp_path):
    parquet = tmp_path / "pq"
    path = write(tmp_path, sim, None, parquet, ["company", "conversations_drilldown"])
    assert run(path).exit_code == 0
    shutil.rmtree(parquet / "conversations_drilldown")
    assert run(path).exit_code == 0
    days = {dt.date(2026, 10, d) for d in range(12, 26)}
    assert windows_in(parquet, "conversations_drilldown") == days


# --- config changes that would mix data ------------------------------------------------------


CHANGES = [
    ("filters", {"filters": {"types": ["email"]}}, "filters"),
    ("timezone", {"windows": {"timezone": "Europe/Berlin"}}, "windows.timezone: UTC"),
]


@pytest.mark.parametrize(("name", "change", "words"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_changed_config_is_refused_before_any_request_then_rebuilt(
    sim, tmp_path, name, change, words
):
    dest = Dest("sqlite", tmp_path)
    reports = ["company", "company_customers_helped"]
    assert run(write(tmp_path, sim, dest, tmp_path / "pq", reports)).exit_code == 0
    path = write(tmp_path, sim, dest, tmp_path / "pq", reports, **change)
    before = sim.log.count("/v2/")
    refused = run(path)
    assert refused.exit_code == 2, refused.output
    [line] = [ln for ln in refused.stderr.splitlines() if ln.strip()]
    assert words in line and "--full-refresh" in line, line
    assert sim.log.count("/v2/") == before  # not even a list request
    rebuilt = run(path, "--full-refresh")
    assert rebuilt.exit_code == 0, rebuilt.output
    company = pd.read_sql("select * from company", dest.engine)
    assert not company.duplicated(["window_date", "period"]).any()
    assert company["filters"].nunique() == 1
    parquet = pd.read_parquet(tmp_path / "pq" / "company")
    assert len(parquet) == len(company)
    assert run(path).exit_code == 0  # the new settings are the destination's now


def test_a_new_window_size_lands_beside_the_old_one_told_apart_by_its_grain(sim, tmp_path):
    """A window size is not a setting that mixes: each grain's rows carry it in their key."""
    dest = Dest("sqlite", tmp_path)
    reports = ["company", "company_customers_helped"]
    assert run(write(tmp_path, sim, dest, tmp_path / "pq", reports)).exit_code == 0
    days = pd.read_sql("select * from company", dest.engine)
    both = write(tmp_path, sim, dest, tmp_path / "pq", reports, windows={"size": ["day", "week"]})
    assert run(both).exit_code == 0  # not refused: nothing of the two sizes mixes
    company = pd.read_sql("select * from company", dest.engine)
    assert set(company["grain"]) == {"day", "week"}
    assert not company.duplicated(["grain", "window_date", "period"]).any()
    again = company[company["grain"] == "day"].drop(columns=["extracted_at", "run_id"])
    assert len(again) == len(days)  # the days as they were (the lookback reloaded, not added)
    weeks = company[company["grain"] == "week"]
    assert sorted(str(d) for d in weeks["window_date"]) == ["2026-10-12", "2026-10-19"]
    parquet = pd.read_parquet(tmp_path / "pq" / "company")
    assert sorted(parquet["grain"].unique()) == ["day", "week"] and len(parquet) == len(company)


def test_a_report_removed_from_the_config_is_reported_once(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    assert run(write(tmp_path, sim, dest, None, ["company", "happiness"])).exit_code == 0
    path = write(tmp_path, sim, dest, None, ["company"])
    first = run(path)
    assert first.exit_code == 0
    assert "no longer in the config: happiness" in first.stderr
    assert dest.count("happiness") == 14  # its tables stay
    assert "no longer in the config" not in run(path).stderr


# --- strings load the same everywhere ------------------------------------------------------------

HOSTILE = [
    "nul\x00inside",
    "quotes \"double\" and 'single'",
    "\\.",
    "line\n\\.\nafter",
    "back\\slash, comma",
    "non-BMP 😀 𝄞",
    "tab\tand\r\nCRLF",
]


def hostile(path, query, n, payload):
    if path.endswith("/conversations/drilldown"):
        for i, result in enumerate(payload["conversations"]["results"]):
            result["subject"] = HOSTILE[i % len(HOSTILE)]
            result["preview"] = "\x00" + HOSTILE[(i + 1) % len(HOSTILE)]
            result["surprise"] = {"note": HOSTILE[i % len(HOSTILE)]}  # lands in _extra
    return payload


def test_hostile_strings_load_the_same_in_every_destination(sim, tmp_path):
    sqlite, pg, parquet = Dest("sqlite", tmp_path), Dest("postgres", tmp_path), tmp_path / "pq"
    try:
        with MangleProxy(sim.base_url, hostile) as proxy:
            for dest, pq in ((sqlite, parquet), (pg, None)):
                path = write(
                    tmp_path, sim, dest, pq, ["conversations_drilldown"], base_url=proxy.base_url
                )
                done = run(path)
                assert done.exit_code == 0, done.output
        cols = ["window_date", "id", "subject", "preview", "_extra"]
        frames = [
            pd.read_sql(
                f"select {', '.join(cols)} from {d.qualify('conversations_drilldown')}", d.engine
            )
            .sort_values(["window_date", "id"])
            .reset_index(drop=True)
            for d in (sqlite, pg)
        ]
        pq_frame = pd.read_parquet(parquet / "conversations_drilldown")
        pq_frame = pq_frame.sort_values(["window_start", "id"]).reset_index(drop=True)
        clean = {h.replace("\x00", "") for h in HOSTILE}
        for frame in (*frames, pq_frame):
            assert set(frame["subject"]) == clean
            assert set(frame["preview"]) == clean
        assert list(frames[0]["subject"]) == list(frames[1]["subject"]) == list(pq_frame["subject"])
        sqlite_extra = [json.loads(e) for e in frames[0]["_extra"]]
        pg_extra = [e if isinstance(e, dict) else json.loads(e) for e in frames[1]["_extra"]]
        pq_extra = [json.loads(e) for e in pq_frame["_extra"]]
        assert sqlite_extra == pg_extra == pq_extra
        assert {e["surprise"]["note"] for e in pg_extra} == clean
    finally:
        pg.drop()
