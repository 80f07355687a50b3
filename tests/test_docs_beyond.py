"""The docs' "Beyond one machine" (docs/destinations.md): its configs and commands run as written (paths aside)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import hs_extract
from tests.pipeline_support import sim_source

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "docs" / "destinations.md").read_text()


def section(title: str) -> str:
    return README.split(f"### {title}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def fenced(text: str, kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", text, flags=re.S)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 71}


def test_the_duckdb_section_loads_and_its_query_runs(sim, tmp_path):
    pytest.importorskip("duckdb_engine")
    text = section("DuckDB")
    [config] = fenced(text, "yaml")
    [commands] = fenced(text, "bash")
    destinations = yaml.safe_load(config)["destinations"]
    url = destinations["sql"]["url"]
    assert url.startswith("duckdb:///")
    raw = {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-20", "end": "2026-10-23"},
        "reports": ["company"],
        "destinations": destinations,
    }
    (tmp_path / "warehouse").mkdir()
    import os

    here = os.getcwd()
    os.chdir(tmp_path)  # the README's relative path, under a temporary folder
    try:
        assert hs_extract.run(raw).exit_code == 0
        query = next(ln for ln in commands.splitlines() if ln.startswith("python -c"))
        code = query.split('python -c "', 1)[1].rstrip('"')
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        os.chdir(here)
    assert done.returncode == 0, done.stderr
    assert "2026-10-20" in done.stdout and "2026-10-22" in done.stdout


def test_the_bucket_section_config_and_reader_work(sim, tmp_path):
    pytest.importorskip("moto")
    s3fs = pytest.importorskip("s3fs")  # noqa: F841 (the snippet imports it)
    from tests.s3_support import local_s3, new_bucket

    text = section("Parquet in a bucket")
    [config] = fenced(text, "yaml")
    [reader] = fenced(text, "python")
    destinations = yaml.safe_load(config)["destinations"]
    with local_s3():
        bucket = new_bucket()
        prefix = destinations["parquet"]["path"].replace("acme-analytics", bucket)
        destinations["parquet"]["path"] = prefix
        destinations["sql"]["url"] = f"sqlite:///{tmp_path}/hs_state.db"
        raw = {
            "source": sim_source(sim),
            "windows": {"start": "2026-10-20", "end": "2026-10-23"},
            "reports": ["company"],
            "destinations": destinations,
        }
        assert hs_extract.run(raw).exit_code == 0
        scope: dict = {}
        exec(reader.replace("acme-analytics", bucket), scope)
        rows = (
            scope["con"]
            .sql(f"select count(*) from read_parquet('{prefix}/company/*/*.parquet')")
            .fetchall()
        )
    assert rows == [(3,)]
