"""Bad input catalogue: every mistake a user can make ends `hs-extract run` with exit 2 and one
line on stderr naming the problem and the fix — no traceback, nothing written, no state moved."""

from __future__ import annotations

import copy
import socket

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import duckdb_or_skip, sim_source

#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 5}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: the file databases, each under the whole catalogue (PostgreSQL: the unreachable case)
FILE_DBS = {"sqlite": "sqlite:///{tmp}/hs.db", "duckdb": "duckdb:///{tmp}/hs.duckdb"}


@pytest.fixture(params=list(FILE_DBS))
def kind(request) -> str:
    if request.param == "duckdb":
        duckdb_or_skip()
    return request.param


def base(sim, tmp, kind: str = "sqlite") -> dict:
    return {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-20", "end": "2026-10-22"},
        "reports": ["company", "conversations_drilldown"],
        "destinations": {
            "parquet": {"path": str(tmp / "pq")},
            "sql": {"url": FILE_DBS[kind].format(tmp=tmp)},
        },
    }


def setting(path: str, value):
    """A change to the config: ``a.b.c`` set to ``value`` (``DELETE`` removes it)."""

    def change(raw, tmp):
        *parents, last = path.split(".")
        node = raw
        for p in parents:
            node = node.setdefault(p, {})
        if value == "DELETE":
            node.pop(last, None)
        else:
            node[last] = value
        return raw

    return change


def text(body: str):
    return lambda raw, tmp: body


DELETE = "DELETE"
# (id, change to the config or the raw file text, extra CLI arguments, words stderr must hold)
CASES = [
    ("broken yaml", text("source: {base_url: [\n"), [], "YAML"),
    ("yaml is a list", text("- a\n- b\n"), [], "mapping"),
    ("empty file", text(""), [], "empty"),
    ("tab indentation", text("source:\n\tbase_url: x\n"), [], "YAML"),
    ("unknown top-level key", setting("sourec", {}), [], "sourec"),
    ("unknown source key", setting("source.client_secrte", "x"), [], "source.client_secrte"),
    ("rate limit a word", setting("source.rate_limit_per_minute", "fast"), [], "rate_limit"),
    ("rate limit zero", setting("source.rate_limit_per_minute", 0), [], "rate_limit"),
    ("share above one", setting("source.rate_limit_share", 1.5), [], "rate_limit_share"),
    ("workers zero", setting("source.max_workers", 0), [], "max_workers"),
    ("timeout negative", setting("source.timeout", -1), [], "source.timeout"),
    ("http for a remote host", setting("source.base_url", "http://api.helpscout.net"), [], "https"),
    ("base_url not a url", setting("source.base_url", "ftp:/nowhere"), [], "base_url"),
    ("missing env var", setting("source.client_secret", "${HS_NOPE_SECRET}"), [], "HS_NOPE_SECRET"),
    ("missing client id", setting("source.client_id", DELETE), [], "client_id"),
    ("window size", setting("windows.size", "fortnight"), [], "windows.size"),
    ("time zone", setting("windows.timezone", "Mars/Olympus_Mons"), [], "windows.timezone"),
    ("start not a date", setting("windows.start", "last tuesday"), [], "windows.start"),
    ("end before start", setting("windows.end", "2026-10-01"), [], "windows.end"),
    ("start missing", setting("windows.start", DELETE), [], "windows.start"),
    ("lookback negative", setting("windows.lookback", -2), [], "windows.lookback"),
    ("compare_previous a word", setting("windows.compare_previous", "yes"), [], "compare"),
    ("unknown report", setting("reports", ["company", "nope"]), [], "nope"),
    ("reports not a list", setting("reports", 7), [], "reports"),
    ("unknown report setting", setting("reports", [{"name": "company", "rows": 51}]), [], "rows"),
    (
        "bad field",
        setting("reports", [{"name": "conversations_drilldown_by_field", "field": "x"}]),
        [],
        "field",
    ),
    ("bad rating", setting("reports", [{"name": "happiness_ratings", "rating": "meh"}]), [], "rat"),
    (
        "bad status",
        setting("reports", [{"name": "user_conversation_history", "status": "x", "users": [1]}]),
        [],
        "status",
    ),
    ("bad range", setting("reports", [{"name": "company_drilldown", "range": "x"}]), [], "range"),
    ("users not ids", setting("reports", [{"name": "user", "users": ["bob"]}]), [], "users"),
    ("bad type enum", setting("filters", {"types": ["fax"]}), [], "filters.types"),
    ("mailboxes not ids", setting("filters", {"mailboxes": "abc"}), [], "filters.mailboxes"),
    ("office hours a word", setting("filters", {"office_hours": "maybe"}), [], "office_hours"),
    ("no destinations", setting("destinations", {}), [], "destinations"),
    ("parquet without path", setting("destinations.parquet", {}), [], "parquet.path"),
    ("sql url garbage", setting("destinations.sql.url", "::::"), [], "sql.url"),
    ("schema injection", setting("destinations.sql.schema", 'x"; drop table y;--'), [], "schema"),
    ("schema on sqlite", setting("destinations.sql.schema", "reports"), [], "schema"),
    ("--start not a date", None, ["--start", "01/02/2026"], "--start"),
    ("--reports unknown", None, ["--reports", "company,nope"], "--reports"),
    ("--end before --start", None, ["--start", "2026-10-10", "--end", "2026-10-01"], "end"),
    ("unwritable parquet path", setting("destinations.parquet.path", "/proc/hs/pq"), [], "parquet"),
    (
        "unreachable database",
        lambda raw, tmp: setting(
            "destinations.sql.url", f"postgresql+psycopg://u@127.0.0.1:{closed_port()}/db"
        )(raw, tmp),
        [],
        "sql",
    ),
    ("wrong credentials", setting("source.client_secret", "not-the-secret"), [], "credentials"),
    (
        "unreachable host",
        lambda raw, tmp: setting("source.base_url", f"http://127.0.0.1:{closed_port()}")(raw, tmp),
        [],
        "127.0.0.1",
    ),
]


def _ids():
    return [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "change", "args", "words"), CASES, ids=_ids())
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    sim, tmp_path, kind, name, change, args, words
):
    if kind == "duckdb" and name == "schema on sqlite":
        pytest.skip("DuckDB has schemas")
    raw = base(sim, tmp_path, kind)
    body = change(copy.deepcopy(raw), tmp_path) if change else raw
    path = tmp_path / "cfg.yaml"
    path.write_text(body if isinstance(body, str) else yaml.safe_dump(body))
    res = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress", *args])
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    assert len(lines) == 1 or (lines and lines[0].startswith("Usage:")), res.stderr
    assert words.lower() in res.stderr.lower(), res.stderr
    assert sim.client_secret not in res.output
    # nothing written, no state moved
    assert not list((tmp_path / "pq").rglob("*.parquet"))
    assert not (tmp_path / "pq" / "_state.json").exists()
    db = tmp_path / ("hs.db" if kind == "sqlite" else "hs.duckdb")
    if db.exists():
        engine = sa.create_engine(f"{kind}:///{db}", poolclass=sa.pool.NullPool)
        with engine.connect() as c:
            tables = sa.inspect(c).get_table_names()
            assert kind == "sqlite" or not tables, tables  # DuckDB: not even a table
            if "_hs_extract_state" in tables:
                assert c.execute(sa.text("select count(*) from _hs_extract_state")).scalar() == 0
        engine.dispose()


def test_the_catalogue_has_forty_cases():
    assert len(CASES) >= 40 and len(set(_ids())) == len(CASES)


def test_a_table_altered_by_hand_is_refused_before_anything_loads(sim, tmp_path, kind):
    path = tmp_path / "cfg.yaml"
    raw = base(sim, tmp_path, kind)
    path.write_text(yaml.safe_dump(raw))
    assert CliRunner().invoke(main, ["run", "--config", str(path)]).exit_code == 0
    engine = sa.create_engine(raw["destinations"]["sql"]["url"], poolclass=sa.pool.NullPool)
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM _hs_extract_state"))
        if kind == "duckdb":  # it drops no column an index's later column depends on
            c.execute(sa.text("ALTER TABLE company ALTER total_replies TYPE VARCHAR"))
        else:
            c.execute(sa.text("ALTER TABLE company DROP COLUMN total_replies"))
            c.execute(sa.text("ALTER TABLE company ADD COLUMN total_replies TEXT"))
    res = CliRunner().invoke(main, ["run", "--config", str(path)])
    assert res.exit_code == 2
    assert "altered by hand" in res.stderr and "company.total_replies" in res.stderr
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from _hs_extract_state")).scalar() == 0
    engine.dispose()
