"""One line per failure, always; checks before anything is created; no password in sight."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid

import pyarrow as pa
import pytest
import responses
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract import NormalizeError, TransientError
from hs_extract.cli import main
from hs_extract.normalize import RequestMeta, normalize
from tests.conftest import BASE, add_token
from tests.pipeline_support import PG_URL, postgres_or_skip, sim_source

#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 94}


def cfg(tmp_path, sim, sql=None, parquet=True, **over) -> str:
    raw = {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-20", "end": "2026-10-22"},
        "reports": ["company"],
        "destinations": {},
    }
    if sql:
        raw["destinations"]["sql"] = sql
    if parquet:
        raw["destinations"]["parquet"] = {"path": str(tmp_path / "pq")}
    for key, value in over.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def one_line(res, code: int) -> str:
    assert res.exit_code == code, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def run(*args):
    return CliRunner().invoke(main, ["run", *args])


# --- validate before creating ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "windows", "words"),
    [
        (["--start", "2026-10-22", "--end", "2026-10-20"], {}, "--end"),
        ([], {"start": "2027-06-01", "end": None}, "windows.start"),
    ],
    ids=["start after end", "start in the future"],
)
def test_bad_dates_exit_2_before_any_file_or_table_exists(sim, tmp_path, extra, windows, words):
    path = cfg(tmp_path, sim, sql={"url": f"sqlite:///{tmp_path}/hs.db"}, windows=windows)
    line = one_line(run("--config", path, *extra), 2)
    assert words in line
    assert not (tmp_path / "hs.db").exists() and not (tmp_path / "pq").exists()


def test_an_unknown_user_id_is_refused_from_the_lists_before_any_report_request(sim, tmp_path):
    path = cfg(tmp_path, sim, reports=[{"name": "user", "users": [100001, 999]}])
    before = sim.log.count("/v2/reports/")
    line = one_line(run("--config", path), 2)
    assert "999" in line and "reports.user.users" in line and "/v2/users" in line
    assert sim.log.count("/v2/reports/") == before


# --- SQL URLs and drivers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("oracle://u@h/db", "oracle:// is not supported"),
        ("mysql+pymysql://u@h/db", "mysql:// is not supported"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2 is not supported"),
    ],
)
def test_an_unsupported_database_is_refused_in_one_line(sim, tmp_path, url, words):
    line = one_line(run("--config", cfg(tmp_path, sim, sql={"url": url})), 2)
    assert words in line and "postgresql+psycopg://" in line


def test_a_heroku_style_postgres_url_is_postgresql(sim, tmp_path):
    postgres_or_skip()
    schema = f"hs_test_{uuid.uuid4().hex[:8]}"
    url = PG_URL.replace("postgresql+psycopg://", "postgres://")
    try:
        res = run("--config", cfg(tmp_path, sim, sql={"url": url, "schema": schema}))
        assert res.exit_code == 0, res.output
    finally:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_without_the_postgres_extra_the_line_says_what_to_install(sim, tmp_path):
    path = cfg(tmp_path, sim, sql={"url": PG_URL})
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import importlib.util; real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda n, *a: None if n == 'psycopg' else real(n, *a)\n"
        "from hs_extract.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "run", "--config", path],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'hs-extract[postgres]'" in done.stderr and "Traceback" not in done.stderr


def test_a_role_without_create_privilege_gets_one_line(sim, tmp_path):
    postgres_or_skip()
    role = f"hs_nocreate_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as c:
        c.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        url = sa.engine.make_url(PG_URL).set(username=role).render_as_string(False)
        for sql in ({"url": url}, {"url": url, "schema": "hs_cannot"}):
            line = one_line(run("--config", cfg(tmp_path, sim, sql=sql, parquet=False)), 2)
            assert "permission denied" in line and line.startswith("error: sql: ")
    finally:
        with engine.begin() as c:
            c.execute(sa.text(f'DROP ROLE "{role}"'))
        engine.dispose()


def test_a_password_in_the_query_string_never_shows(sim, tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/db?password=hunter2-Q"
    for args in (["run"], ["run", "--debug"], ["state", "show"], ["plan"]):
        res = CliRunner().invoke(main, [*args, "--config", cfg(tmp_path, sim, sql={"url": url})])
        assert "hunter2-Q" not in res.output, (args, res.output)
        assert res.exit_code != 0


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the rest of the one-line promises ----------------------------------------------------------


def test_simulate_on_a_busy_port_is_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = CliRunner().invoke(main, ["simulate", "--port", str(port)])
    line = one_line(res, 2)
    assert str(port) in line and "serving" not in res.output.lower()


@pytest.mark.parametrize(
    "body",
    ['{"units": []}', '{"units": {"a": {"report": 1}}}', "[]", '{"units": {"a": null}}'],
)
def test_a_state_file_of_the_wrong_structure_is_one_line(sim, tmp_path, body):
    (tmp_path / "pq").mkdir()
    (tmp_path / "pq" / "_state.json").write_text(body)
    line = one_line(run("--config", cfg(tmp_path, sim)), 2)
    assert "_state.json" in line and "move it away" in line


@pytest.mark.parametrize(
    ("body", "ctype", "words"),
    [
        (b"<html><body>Sign in to the Wi-Fi</body></html>", "text/html", "text/html"),
        (b"", "application/json", "(empty)"),
    ],
)
def test_a_200_that_is_not_json_keeps_its_cause(mocked, make_client, body, ctype, words):
    add_token(mocked)
    mocked.add(
        responses.GET, BASE + "/v2/reports/company", body=body, status=200, content_type=ctype
    )
    with pytest.raises(TransientError) as info:
        make_client().get_company(start_date="2026-01-01", end_date="2026-01-02")
    text = str(info.value)
    assert "HTTP 200" in text and "not JSON" in text and words in text


def test_a_number_sent_as_text_among_ints_converts_or_names_its_path():
    results = [{"id": 1, "threadCount": 2}, {"id": 2, "threadCount": "12"}, {"id": 3}]
    page = {"conversations": {"page": 1, "pages": 1, "count": 3, "results": results}}
    meta = RequestMeta.for_params({"start_date": "2026-01-01", "end_date": "2026-01-02"})
    tables = normalize("conversations_drilldown", [page], meta)
    assert tables["conversations_drilldown"].column("thread_count").to_pylist() == [2, 12, None]
    results[1]["threadCount"] = "twelve"
    with pytest.raises(NormalizeError, match=r"results\[1\]\.threadCount: expected int64"):
        normalize("conversations_drilldown", [page], meta)


def test_a_string_among_ints_names_its_json_path():
    payload = {"current": {"customersHelped": 5, "closed": "12x"}, "previous": None}
    meta = RequestMeta.for_params({"start_date": "2026-01-01", "end_date": "2026-01-02"})
    with pytest.raises(NormalizeError, match=r"\$\.current\.closed: expected int64, got str"):
        normalize("company", payload, meta)
    payload["current"]["closed"] = "12"  # a number sent as text is still that number
    tables = normalize("company", payload, meta)
    assert tables["company"].column("closed").to_pylist() == [12]
    assert tables["company"].schema.field("closed").type == pa.int64()


def test_the_shipped_state_file_format_is_documented_by_its_reader(tmp_path):
    from hs_extract.pipeline.state import JsonState

    good = {
        "units": {
            "k": {
                "report": "company",
                "slice": "",
                "window_start": "2026-10-20T00:00:00+00:00",
                "window_end": "2026-10-21T00:00:00+00:00",
                "rows": 1,
            }
        }
    }
    (tmp_path / "_state.json").write_text(json.dumps(good))
    assert JsonState(tmp_path).loaded()
