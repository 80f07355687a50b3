"""Nothing left behind (issue 24): ``check`` writes nothing, a run leaves no lock file, and a
lock file removed on release never lets two runs hold one destination."""

from __future__ import annotations

import os

import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.pipeline.lock import FileLock
from tests.pipeline_support import sim_source

SIMULATOR = {"seed": 14}


def config(sim, tmp_path, sql: str = "sqlite:///hs_data/helpscout.db") -> str:
    raw = {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-01", "end": "2026-10-03", "lookback": 0},
        "reports": ["company"],
        "destinations": {
            "sql": {"url": sql},
            "parquet": {"path": "hs_data/parquet"},
            "archive": {"path": "hs_data/archive"},
        },
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def files_under(folder) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("sql", ["sqlite:///hs_data/helpscout.db", "duckdb:///hs_data/hs.duckdb"])
def test_check_writes_nothing_and_a_run_leaves_no_lock_file(sim, tmp_path, monkeypatch, sql):
    monkeypatch.chdir(tmp_path)
    path = config(sim, tmp_path, sql)
    res = CliRunner().invoke(main, ["check", "--config", path])
    assert res.exit_code == 0, res.output
    assert files_under(tmp_path) == {"c.yaml"}  # no empty database, folder or lock file
    res = CliRunner().invoke(main, ["run", "--config", path])
    assert res.exit_code == 0, res.output
    assert not [p for p in files_under(tmp_path) if "lock" in p]
    assert (tmp_path / sql.split(":///")[1]).exists()
    again = CliRunner().invoke(main, ["check", "--config", path])  # a loaded destination too
    assert again.exit_code == 0 and not [p for p in files_under(tmp_path) if "lock" in p]


def test_a_removed_lock_file_never_gives_two_holders(tmp_path, monkeypatch):
    path = tmp_path / "x.lock"
    first = FileLock(path, "sql")
    assert first.try_acquire()
    # a second run opened the file before the first released it (and removed it) ...
    stale = os.open(path, os.O_RDWR)
    first.release()
    assert not path.exists()
    second = FileLock(path, "sql")
    opens = iter([stale])
    real_open = FileLock._open
    monkeypatch.setattr(FileLock, "_open", lambda self: next(opens, None) or real_open(self))
    # ... so its flock succeeds on a file no one else can find: it must take the one at path
    assert second.try_acquire()
    third = FileLock(path, "sql")
    assert not third.try_acquire()  # the second holds what a third run finds
    assert "pid" in third.holder()
    second.release()
    assert third.try_acquire()
    third.release()
    assert not path.exists()


def test_folders_made_for_a_lock_go_with_it(tmp_path):
    lock = FileLock(tmp_path / "a" / "b" / "x.lock", "parquet")
    assert lock.try_acquire()
    lock.release()
    assert files_under(tmp_path) == set()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mine.txt").write_text("kept")
    lock = FileLock(tmp_path / "a" / "b" / "x.lock", "parquet")
    assert lock.try_acquire()
    lock.release()
    assert files_under(tmp_path) == {"a", "a/mine.txt"}  # only what it made, and empty
