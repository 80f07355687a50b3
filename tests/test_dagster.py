"""hs_extract inside Dagster and as a Python call: partitions are windows, reruns add nothing."""

from __future__ import annotations

import datetime as dt
import py_compile
from pathlib import Path

import pytest
import sqlalchemy as sa

import hs_extract
from hs_extract.errors import ConfigError, LockedError
from tests.pipeline_support import Dest, sim_source

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ["company", "conversations_drilldown", "happiness_ratings"]


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 61}


def config(sim, db, parquet=None, **windows) -> dict:
    destinations = {"sql": {"url": f"sqlite:///{db}"}}
    if parquet:
        destinations["parquet"] = {"path": str(parquet)}
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {"start": "2026-10-01", "size": "day", "lookback": 1, **windows},
        "reports": REPORTS,
        "destinations": destinations,
    }


def loaded(db) -> dict[str, list[dt.date]]:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        rows = c.execute(sa.text("select report, window_start from _hs_extract_state")).all()
    engine.dispose()
    out: dict[str, list] = {}
    for report, start in rows:
        out.setdefault(report, []).append(dt.datetime.fromisoformat(str(start)).date())
    return {k: sorted(v) for k, v in out.items()}


# --- hs_extract.run --------------------------------------------------------------------------


def test_run_is_the_cli_job_as_a_call(sim, tmp_path):
    raw = config(sim, tmp_path / "hs.db")
    result = hs_extract.run(raw, start="2026-10-20", end=dt.date(2026, 10, 22))
    assert result.ok and result.exit_code == 0
    assert loaded(tmp_path / "hs.db") == {
        r: [dt.date(2026, 10, d) for d in (20, 21)] for r in REPORTS
    }
    again = hs_extract.run(raw, start="2026-10-20", end="2026-10-22", reports="company")
    assert again.exit_code == 0 and again.units_loaded == 1  # the lookback window, replaced
    with pytest.raises(ConfigError, match="reports: 'nope' is not in the config"):
        hs_extract.run(raw, reports=["nope"])
    with pytest.raises(ConfigError) as err:  # the CLI's exit status, on the error
        hs_extract.run(raw, start="2026-10-22", end="2026-10-20")
    assert err.value.exit_code == 2


def test_run_says_locked_with_the_clis_exit_status(sim, tmp_path):
    from hs_extract.pipeline import Job, parse_config

    raw = config(sim, tmp_path / "hs.db")
    holder = Job(parse_config(raw))
    with holder.locked(), pytest.raises(LockedError) as err:
        hs_extract.run(raw, start="2026-10-20", end="2026-10-21")
    holder.close()
    assert err.value.exit_code == 75


# --- Dagster ---------------------------------------------------------------------------------


def test_two_partitions_of_three_report_assets_then_a_rematerialization(sim, tmp_path):
    dg = pytest.importorskip("dagster")
    from hs_extract.dagster import pool_for, report_assets

    db = tmp_path / "hs.db"
    assets = report_assets({"acme": config(sim, db, tmp_path / "pq")})
    assert sorted(a.key.path[-1] for a in assets) == sorted(REPORTS)
    assert all(a.key.path[0] == "acme" for a in assets)
    instance = dg.DagsterInstance.ephemeral()
    for day in ("2026-10-20", "2026-10-21"):
        res = dg.materialize(assets, partition_key=day, instance=instance)
        assert res.success
    # exactly those windows, for every report
    assert loaded(db) == {r: [dt.date(2026, 10, 20), dt.date(2026, 10, 21)] for r in REPORTS}
    dest = Dest.__new__(Dest)
    dest.kind, dest.schema, dest.url = "sqlite", None, f"sqlite:///{db}"
    dest.engine = sa.create_engine(dest.url)
    before = {n: dest.snapshot(n) for n in ("company", "conversations_drilldown")}
    again = dg.materialize(assets, partition_key="2026-10-20", instance=instance)
    assert again.success
    for name, rows in before.items():
        assert dest.duplicates(name) == 0, name
        assert dest.snapshot(name) == rows, name
    dest.engine.dispose()
    meta = again.asset_materializations_for_node(assets[0].op.name)[0].metadata
    assert meta["units_loaded"].value == 1 and meta["windows"].value == "2026-10-20 to 2026-10-21"
    assert {a.op.pool for a in assets} == {pool_for("acme")}


def test_a_range_backfill_is_one_run_over_its_windows(sim, tmp_path):
    dg = pytest.importorskip("dagster")
    from hs_extract.dagster import report_assets

    db = tmp_path / "hs.db"
    [company] = report_assets({"acme": {**config(sim, db), "reports": ["company"]}})
    assert company.backfill_policy == dg.BackfillPolicy.single_run()
    res = dg.materialize(
        [company],
        instance=dg.DagsterInstance.ephemeral(),
        tags={
            "dagster/asset_partition_range_start": "2026-10-10",
            "dagster/asset_partition_range_end": "2026-10-16",
        },
    )
    assert res.success
    assert loaded(db) == {"company": [dt.date(2026, 10, d) for d in range(10, 17)]}


def test_several_accounts_are_prefixed_and_sized_like_their_windows(sim, tmp_path):
    dg = pytest.importorskip("dagster")
    from hs_extract.dagster import definitions, partitions_for, pool_for
    from hs_extract.pipeline import parse_config

    weekly = config(sim, tmp_path / "b.db", size="week", timezone="Europe/Berlin")
    defs = definitions({"acme": config(sim, tmp_path / "a.db"), "globex-eu": weekly})
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {f"{a}/{r}" for a in ("acme", "globex_eu") for r in REPORTS}
    parts = partitions_for(parse_config(weekly), today=dt.date(2026, 11, 1))
    assert isinstance(parts, dg.TimeWindowPartitionsDefinition)
    first = parts.get_partition_keys()[0]
    assert first == "2026-09-28" and dt.date.fromisoformat(first).weekday() == 0  # a Monday
    assert parts.timezone == "Europe/Berlin"
    assert pool_for("globex_eu") != pool_for("acme")
    with pytest.raises(ConfigError, match="needs an account name"):
        definitions([config(sim, tmp_path / "c.db")])


def test_the_airflow_example_compiles():
    for path in (ROOT / "examples" / "airflow").glob("*.py"):
        py_compile.compile(str(path), doraise=True)
    dag = (ROOT / "examples" / "airflow" / "hs_extract_dag.py").read_text()
    assert "append_env=True" in dag and "hs-extract run" in dag and ".expand(" in dag


def test_the_dagster_example_defines_both_accounts(sim, tmp_path, monkeypatch):
    pytest.importorskip("dagster")
    import runpy

    import yaml

    for account in ("acme", "globex"):
        raw = config(sim, tmp_path / f"{account}.db")
        (tmp_path / f"{account}.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("HS_CONFIG_DIR", str(tmp_path))
    defs = runpy.run_path(str(ROOT / "examples" / "dagster" / "definitions.py"))["defs"]
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {f"{a}/{r}" for a in ("acme", "globex") for r in REPORTS}


def test_the_dagster_example_runs_with_its_shipped_configs(monkeypatch):
    pytest.importorskip("dagster")
    import runpy

    monkeypatch.delenv("HS_CONFIG_DIR", raising=False)
    for account in ("ACME", "GLOBEX"):  # the configs name each account's credentials
        monkeypatch.setenv(f"{account}_HELPSCOUT_CLIENT_ID", f"{account.lower()}-app")
        monkeypatch.setenv(f"{account}_HELPSCOUT_CLIENT_SECRET", "secret")
    defs = runpy.run_path(str(ROOT / "examples" / "dagster" / "definitions.py"))["defs"]
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    from hs_extract.api.catalog import REPORTS as ALL  # the configs load every report

    assert keys == {f"{a}/{r}" for a in ("acme", "globex") for r in ALL}
