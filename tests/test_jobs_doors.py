"""One job model (issue 21): two jobs in one process, the notebook cache's files, the archive's
temporary files, the simulator at any cutoff, and no door reaching into another's privates."""

from __future__ import annotations

import ast
import datetime as dt
import os
import pathlib
import stat
import threading

import pytest

from hs_extract.api.ratelimit import RateLimiter
from hs_extract.errors import ConfigError, LoadError
from hs_extract.load.archive import write_record
from hs_extract.load.storage import TMP_PREFIX
from hs_extract.pipeline import parse_config
from hs_extract.simulator import Simulator
from tests.pipeline_support import CUTOFF, sim_source

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "hs_extract"


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 61}


def job_config(sim, tmp_path, name: str, end: str) -> dict:
    return parse_config(
        {
            "source": sim_source(sim, max_workers=2),
            "windows": {"start": "2026-10-15", "end": end, "lookback": 0},
            "reports": ["company"],
            "destinations": {"sql": {"url": f"sqlite:///{tmp_path}/{name}.db"}},
        }
    )


def test_two_jobs_in_one_process_one_interrupted_the_other_complete(sim, tmp_path):
    from hs_extract.pipeline import Job

    slow = sim.client(limiter=RateLimiter(4, window=1.0))  # B waits on its limiter throughout
    a = Job(job_config(sim, tmp_path, "a", "2026-10-25"))
    b = Job(job_config(sim, tmp_path, "b", "2026-10-25"), client=slow)
    results = {}
    b_waiting = threading.Event()

    def tick_a(result, req):
        b_waiting.wait(30)
        raise KeyboardInterrupt  # Ctrl-C in A's thread, as in a notebook cell

    def tick_b(result, req):
        b_waiting.set()

    def go(name, job, tick):
        try:
            results[name] = job.run(progress=tick)
        finally:
            job.close()

    threads = [
        threading.Thread(target=go, args=("a", a, tick_a)),
        threading.Thread(target=go, args=("b", b, tick_b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results["a"].status == "interrupted"
    assert results["b"].ok and results["b"].units_loaded == 10, results["b"].failures
    assert slow.limiter.stats.waits > 0  # B did wait while A was stopped
    # and a third job in the same process is not stopped by what ended A
    c = Job(job_config(sim, tmp_path, "c", "2026-10-17"))
    try:
        assert c.run().ok
    finally:
        c.close()


def test_a_stop_asked_of_one_job_ends_its_waits_only(sim, tmp_path):
    from hs_extract.pipeline import Job

    a = Job(
        job_config(sim, tmp_path, "a", "2026-10-25"),
        client=sim.client(limiter=RateLimiter(2, window=1.0)),
    )
    b = Job(
        job_config(sim, tmp_path, "b", "2026-10-25"),
        client=sim.client(limiter=RateLimiter(4, window=1.0)),
    )
    results = {}
    loading = threading.Event()
    threads = [
        threading.Thread(
            target=lambda: results.setdefault("a", a.run(progress=lambda r, q: loading.set()))
        ),
        threading.Thread(target=lambda: results.setdefault("b", b.run())),
    ]
    for t in threads:
        t.start()
    assert loading.wait(60)  # A loads its units, slowly (two requests a second)
    a.stop.set()  # another thread asks job A to stop: its waits end in seconds
    for t in threads:
        t.join(120)
    a.close(), b.close()
    assert results["a"].status == "interrupted"
    assert results["b"].ok and results["b"].units_loaded == 10


def over(client, n: int = 2) -> None:
    """Ask ``n`` answers that can't change any more (kept by the cache)."""
    for i in range(n):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=i)
        client.get_company(start_date=str(day), end_date=str(day + dt.timedelta(days=1)))


def test_cache_clear_removes_only_what_the_cache_wrote(sim, tmp_path):
    folder = tmp_path / "shared"
    (folder / "mine").mkdir(parents=True)
    (folder / "notes.txt").write_text("the user's")
    (folder / "mine" / "data.csv").write_text("a,b\n1,2\n")
    (folder / "company").mkdir()  # a folder named like a report, holding the user's file
    (folder / "company" / "report.xlsx").write_text("keep me")
    client = sim.client(cache=folder)
    over(client)
    assert client.cache_info().entries == 2
    assert client.cache_clear() == 2
    assert client.cache_info().entries == 0
    assert (folder / "notes.txt").read_text() == "the user's"
    assert (folder / "mine" / "data.csv").exists()
    assert (folder / "company" / "report.xlsx").read_text() == "keep me"
    other = sim.client(cache=folder)  # the same account again: nothing left to serve
    over(other, 1)
    assert other.cache_info().hits == 0


def test_cache_clear_refuses_a_folder_that_is_not_a_cache(sim, tmp_path):
    folder = tmp_path / "documents"
    (folder / "company").mkdir(parents=True)
    (folder / "company" / "budget.json.zst").write_bytes(b"not ours")
    client = sim.client(cache=folder)
    with pytest.raises(ConfigError, match="not an hs_extract cache"):
        client.cache_clear()
    assert (folder / "company" / "budget.json.zst").read_bytes() == b"not ours"


def test_two_accounts_share_a_cache_folder_without_touching_each_other(sim, tmp_path):
    folder = tmp_path / "cache"
    with Simulator(seed=62, cutoff=CUTOFF, rate_limit=100_000, client_id="other-app") as sim2:
        a, b = sim.client(cache=folder), sim2.client(cache=folder)
        over(a), over(b)
        assert a.cache_info().entries == 2 and b.cache_info().entries == 2
        assert b.cache_clear() == 2
        assert a.cache_info().entries == 2  # A's answers stay
        fresh = sim.client(cache=folder)
        over(fresh)
        assert fresh.cache_info().hits == 2


def test_the_cache_is_private_to_the_user(sim, tmp_path):
    folder = tmp_path / "private"
    client = sim.client(cache=folder)
    over(client, 1)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for p in folder.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o600 if p.is_file() else 0o700), (p, oct(mode))


def test_a_failed_archive_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(LoadError, match="No space left"):
        write_record(tmp_path / "a" / "x.json.zst", {"format": 2})
    assert not list(tmp_path.rglob(f"{TMP_PREFIX}*"))


@pytest.mark.parametrize("hour", [0, 7, 13, 23])
def test_the_simulator_serves_any_cutoff(hour):
    cutoff = int(dt.datetime(2026, 11, 1, hour, 30, tzinfo=dt.UTC).timestamp())
    with Simulator(seed=3, cutoff=cutoff) as s:
        client = s.client(retry=None)
        body = client.get_conversations_drilldown(start_date="2026-10-31", end_date="2026-11-02")
        assert body["conversations"]["count"] >= 0
        assert client.get_company(start_date="2026-10-25", end_date="2026-11-02")["current"]


def private_reaches() -> list[str]:
    """Every ``x._name`` where x is not self or cls: a door reaching into another's privates
    (a library's underscore API that is public by its docs is allowed by name)."""
    allowed = {
        "_mapping",  # SQLAlchemy's Row: public API despite the underscore
        "_asdict",
        "_replace",
        "_fields",  # namedtuple's
        "_exit",  # os._exit
        # requests has no public way to give a Response a body read by hand (api/answers.py)
        "_content",
        "_content_consumed",
    }
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith("_") or name.startswith("__") or name in allowed:
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls", "other"):
                continue  # its own, or another instance of its own class (__eq__)
            if isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super":
                continue  # its parent class's
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            found.append(f"{where} {ast.unparse(node)}")
    return found


def test_no_module_reaches_into_another_objects_privates():
    assert private_reaches() == []


def test_the_privates_check_sees_a_reach(tmp_path):
    tree = ast.parse("def f(pipeline):\n    return pipeline._workers()\n")
    attrs = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    assert attrs == ["_workers"]


@pytest.fixture
def phases(monkeypatch):
    """Every call of the job's phases, in order, whoever opened the door."""
    from hs_extract.pipeline import Job

    seen: list[str] = []

    def spy(name):
        real = getattr(Job, name)

        def wrapper(self, *args, **kwargs):
            seen.append(name)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Job, name, wrapper)

    for name in ("preflight", "locked", "open", "log_run"):
        spy(name)
    return seen


#: a door that loads: preflight, the lock, the destinations opened, the run log opened and
#: closed (open may come more than once: it is idempotent)
LOADING = ["preflight", "locked", "open", "log_run", "log_run"]


def door_config(sim, tmp_path) -> dict:
    return {
        "source": sim_source(sim, max_workers=2),
        "windows": {"start": "2026-10-20", "end": "2026-10-22", "lookback": 0},
        "reports": ["company"],
        "destinations": {
            "sql": {"url": f"sqlite:///{tmp_path}/hs.db"},
            "archive": {"path": str(tmp_path / "archive")},
        },
    }


def test_every_door_goes_through_the_same_phases(sim, tmp_path, phases):
    import yaml
    from click.testing import CliRunner

    import hs_extract
    from hs_extract.cli import main

    raw = door_config(sim, tmp_path)
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))

    def door(call) -> list[str]:
        phases.clear()
        call()
        return _squeeze(phases)

    def cli(*args):
        res = CliRunner().invoke(main, [*args, "--config", str(path)])
        assert res.exit_code == 0, res.output

    assert door(lambda: cli("run")) == LOADING
    assert door(lambda: cli("rebuild")) == LOADING
    assert door(lambda: hs_extract.run(raw).ok) == LOADING
    client = sim.client()
    frames = lambda: client.frames(  # noqa: E731
        "company", window="day", start_date="2026-10-20", end_date="2026-10-22"
    )
    assert door(frames) == LOADING
    assert door(lambda: cli("check")) == ["preflight"]  # commits nothing: no lock, no run log
    dg = pytest.importorskip("dagster")
    from hs_extract.dagster import report_assets

    assets = report_assets({"acme": raw})
    instance = dg.DagsterInstance.ephemeral()
    assert door(lambda: dg.materialize(assets, partition_key="2026-10-20", instance=instance)) == (
        LOADING
    )


def _squeeze(seen: list[str]) -> list[str]:
    """The phases in order, a repeated ``open`` counted once."""
    out: list[str] = []
    for name in seen:
        if name == "open" and "open" in out:
            continue
        out.append(name)
    return out
