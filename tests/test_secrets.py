"""Secrets: the client secret and the bearer tokens never appear in anything a run produces —
stdout, stderr with --debug, exception text, reprs, the run log, state, Parquet or SQL."""

from __future__ import annotations

import os
import subprocess

import pytest
import sqlalchemy as sa
import yaml

from hs_extract import ReportsClient
from hs_extract.errors import AuthError
from hs_extract.pipeline import Job, load_config
from hs_extract.simulator import Faults, Simulator
from tests.pipeline_support import CUTOFF, Dest, hs_run

SECRET = "MARKER-secret-5b8e1f0c"
CLIENT = "app-7731"


def write_config(tmp_path, sim, dest: Dest, parquet) -> str:
    raw = {
        "source": {
            "base_url": sim.base_url,
            "client_id": CLIENT,
            "client_secret": "${HS_TEST_SECRET}",  # from the environment, as in production
            "rate_limit_per_minute": 100_000,
        },
        "windows": {"start": "2026-10-20", "end": "2026-10-23"},
        "reports": ["company", "conversations_drilldown", "docs", "happiness_ratings"],
        "destinations": {"parquet": {"path": str(parquet)}, "sql": dest.sql()},
    }
    path = tmp_path / f"cfg-{dest.kind}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def hs(*args: str) -> subprocess.CompletedProcess:
    return hs_run(*args, env={"HS_TEST_SECRET": SECRET}, timeout=300, text=False)


def sql_text(dest: Dest) -> str:
    """Every row of every table of the destination, as text."""
    out = []
    with dest.engine.connect() as c:
        for name in sa.inspect(c).get_table_names(schema=dest.schema):
            t = sa.Table(name, sa.MetaData(schema=dest.schema), autoload_with=c)
            out.extend(repr(tuple(r)) for r in c.execute(sa.select(t)))
    return "\n".join(out)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_no_secret_or_token_in_anything_a_run_produces(kind, tmp_path):
    faults = Faults(rate=0.2, kinds=("500", "reset", "cutjson"), deny=frozenset({"docs"}))
    options = dict(faults=faults, token_ttl=3, latency_ms=150, rate_limit=100_000)
    with Simulator(seed=8, cutoff=CUTOFF, client_id=CLIENT, client_secret=SECRET, **options) as sim:
        dest = Dest(kind, tmp_path)
        try:
            cfg = write_config(tmp_path, sim, dest, tmp_path / "pq")
            outputs = [hs("run", "--config", cfg, "--debug", "--no-progress")]
            assert outputs[0].returncode == 1  # docs is denied: the run says so
            outputs += [
                hs("plan", "--config", cfg, "--debug"),
                hs("state", "show", "--config", cfg),
            ]
            tokens = set(sim._tokens)
            assert tokens, "the simulator issued no token"
            texts = [o.stdout.decode() + o.stderr.decode() for o in outputs]
            assert "DEBUG" in texts[0]  # the debug log was on
            texts.append(sql_text(dest))
            for f in tmp_path.rglob("*"):
                if f.is_file():
                    texts.append(f.read_bytes().decode("latin-1"))
            everything = "\n".join(texts)
            assert SECRET not in everything
            for token in tokens:
                assert token not in everything
        finally:
            dest.drop()


def test_reprs_and_errors_hide_the_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("HS_TEST_SECRET", SECRET)
    with Simulator(seed=8, cutoff=CUTOFF, client_id=CLIENT, client_secret="other") as sim:
        dest = Dest("sqlite", tmp_path)
        config = load_config(write_config(tmp_path, sim, dest, tmp_path / "pq"))
        pipeline = Job(config)
        client = ReportsClient(CLIENT, SECRET, sim.base_url)
        for obj in (config, config.source, pipeline.client, client, pipeline.sql):
            assert SECRET not in repr(obj) and SECRET not in str(obj)
        with pytest.raises(AuthError) as err:  # wrong secret: the error does not echo it
            client.connect()
        assert SECRET not in str(err.value) and SECRET not in repr(err.value)
        assert "client_secret" in str(err.value)


def test_files_are_written_with_the_users_umask(tmp_path):
    with Simulator(seed=8, cutoff=CUTOFF, client_id=CLIENT, client_secret=SECRET) as sim:
        dest = Dest("sqlite", tmp_path)
        cfg = write_config(tmp_path, sim, dest, tmp_path / "pq")
        res = hs_run(
            "run",
            "--config",
            cfg,
            "--reports",
            "company",
            env={"HS_TEST_SECRET": SECRET},
            timeout=300,
            text=False,
            preexec_fn=lambda: os.umask(0o027),
        )
    assert res.returncode == 0, res.stderr.decode()
    made = [p for p in tmp_path.rglob("*") if not p.name.startswith("cfg")]
    assert any(p.suffix == ".parquet" for p in made) and (tmp_path / "hs.db").exists()
    for p in made:
        assert p.stat().st_mode & 0o027 == 0, (p, oct(p.stat().st_mode))
