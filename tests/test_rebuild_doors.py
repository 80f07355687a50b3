"""``rebuild`` held to ``run``'s standard: complete or loud, and never another account's data.

Each case was reproduced on 0.1's code first (issue 21): two accounts sharing an archive
folder, lists gone from the archive, damaged and keyless files, an older archived answer over
newer rows, an archive of the old layout.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.simulator import Simulator
from tests.pipeline_support import CUTOFF, Dest, hs_run, hs_start, sim_source, table_names

REPORTS = ["company", "conversations_drilldown", {"name": "user", "users": [100001]}]
NAMES = [*table_names(REPORTS), "users", "teams", "mailboxes", "tags"]
SUFFIX = ".json.zst"


def config(sim, dest: Dest, archive, reports=REPORTS, **windows) -> dict:
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {
            "start": "2026-10-20",
            "end": "2026-10-24",
            "size": "day",
            "lookback": 1,
            **windows,
        },
        "reports": reports,
        "destinations": {
            "sql": dest.sql(),
            **({"archive": {"path": str(archive)}} if archive else {}),
        },
    }


def cli(cfg: dict, tmp_path, *args: str, name: str = "cfg.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(cfg))
    return CliRunner().invoke(main, [*args, "--config", str(path)])


def tables(dest: Dest) -> dict[str, list]:
    return {n: sorted(dest.snapshot(n), key=repr) for n in NAMES}


def unit_files(archive) -> list:
    return sorted(p for p in archive.rglob(f"*{SUFFIX}") if "_lists" not in p.parts)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sims(simulators):
    return simulators(seed=17, client_id="app-alpha-7"), simulators(seed=29, client_id="app-beta-9")


def test_two_accounts_sharing_an_archive_never_load_each_others_answers(sims, tmp_path):
    sim_a, sim_b = sims
    shared = tmp_path / "archive"
    dest_a, dest_b = Dest("sqlite", tmp_path / "a"), Dest("sqlite", tmp_path / "b")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    assert cli(config(sim_a, dest_a, shared), tmp_path, "run", name="a.yaml").exit_code == 0
    assert cli(config(sim_b, dest_b, shared), tmp_path, "run", name="b.yaml").exit_code == 0
    (tmp_path / "fresh").mkdir()
    fresh = Dest("sqlite", tmp_path / "fresh")
    before = len(sim_a.log.snapshot())
    res = cli(config(sim_a, fresh, shared), tmp_path, "rebuild", name="fresh.yaml")
    assert res.exit_code == 0, res.output
    assert len(sim_a.log.snapshot()) == before
    assert tables(fresh) == tables(dest_a)  # A's answers, dimension tables included
    assert tables(fresh) != tables(dest_b)
    # the secret is never part of the layout, and no file of one account names the other
    names = " ".join(str(p) for p in shared.rglob("*"))
    assert sim_a.client_secret not in names and sim_a.client_id not in names


def test_rebuild_without_the_archived_lists_names_every_unit_it_cannot_rebuild(sims, tmp_path):
    sim, _ = sims
    dest, archive = Dest("sqlite", tmp_path), tmp_path / "archive"
    reports = ["company", {"name": "user", "users": "all"}]
    cfg = config(sim, dest, archive, reports, end="2026-10-22")
    assert cli(cfg, tmp_path, "run").exit_code == 0
    for lists in list(archive.rglob("_lists")):
        shutil.rmtree(lists)
    (tmp_path / "fresh").mkdir()
    res = cli(
        config(sim, Dest("sqlite", tmp_path / "fresh"), archive, reports, end="2026-10-22"),
        tmp_path,
        "rebuild",
        name="fresh.yaml",
    )
    text = flat(res.output)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert "lists" in text and "not in the archive" in text
    assert "user" in text  # its slices (every user and team) come from the lists
    assert "company" not in {
        line.split()[1] for line in res.output.splitlines() if line.startswith("failed:")
    }


def _write_zst(path, data: bytes) -> None:
    with pa.OSFile(str(path), "wb") as raw, pa.CompressedOutputStream(raw, "zstd") as out:
        out.write(data)


def test_damaged_and_keyless_archive_files_fail_their_unit_and_the_others_rebuild(sims, tmp_path):
    sim, _ = sims
    dest, archive = Dest("sqlite", tmp_path), tmp_path / "archive"
    cfg = config(sim, dest, archive, ["company"])
    assert cli(cfg, tmp_path, "run").exit_code == 0
    files = unit_files(archive)
    assert len(files) == 4
    files[0].write_bytes(files[0].read_bytes()[:20])  # cut off
    files[1].write_bytes(b"\x00garbage, not zstd at all")
    _write_zst(files[2], json.dumps({"format": 1, "report": "company"}).encode())  # no keys
    (tmp_path / "fresh").mkdir()
    fresh = Dest("sqlite", tmp_path / "fresh")
    res = cli(config(sim, fresh, archive, ["company"]), tmp_path, "rebuild", name="fresh.yaml")
    text = flat(res.output)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    failed = [ln for ln in res.output.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 3, res.output
    for f in files[:3]:
        assert f.name in text  # each damaged file named
    assert "units loaded 1/4" in text
    assert fresh.count("company") == 1  # the sound unit rebuilt (one current row)
    runs = cli(config(sim, fresh, archive, ["company"]), tmp_path, "runs", name="fresh.yaml")
    assert runs.exit_code == 0 and "running" not in runs.output and "failed" in runs.output


def test_an_older_archived_answer_never_replaces_newer_rows(tmp_path):
    later = CUTOFF + 2 * 86400
    dest, archive = Dest("sqlite", tmp_path), tmp_path / "archive"
    reports = ["conversations_drilldown", "company"]
    with Simulator(seed=23, cutoff=CUTOFF, rate_limit=100_000) as night1:
        port = night1.port
        cfg = config(night1, dest, archive, reports, start="2026-10-27", end="2026-11-01")
        assert cli(cfg, tmp_path, "run").exit_code == 0
    with Simulator(seed=23, cutoff=later, rate_limit=100_000, port=port) as night2:
        # the next night: archive off, the lookback reloads the last two windows
        cfg2 = config(night2, dest, None, reports, start="2026-10-27", end="2026-11-01", lookback=2)
        assert cli(cfg2, tmp_path, "run", name="night2.yaml").exit_code == 0
        newer = {n: dest.snapshot(n) for n in table_names(reports)}
        res = cli(
            config(night2, dest, archive, reports, start="2026-10-27", end="2026-11-01"),
            tmp_path,
            "rebuild",
            name="rebuild.yaml",
        )
    assert res.exit_code == 0, res.output
    assert {n: dest.snapshot(n) for n in table_names(reports)} == newer
    text = flat(res.output)
    for unit in (
        "conversations_drilldown 2026-10-30",
        "conversations_drilldown 2026-10-31",
        "company 2026-10-30",
        "company 2026-10-31",
    ):
        assert f"kept: {unit}" in text, res.output
    assert "kept: company 2026-10-29" not in text


def test_an_archive_of_the_old_layout_is_named(sims, tmp_path):
    sim, _ = sims
    archive = tmp_path / "archive"
    old = archive / "company" / "2026-10-20"
    old.mkdir(parents=True)
    _write_zst(old / f"unit-0123456789abcdef{SUFFIX}", b'{"format": 1}')
    (archive / "_lists").mkdir()
    res = cli(config(sim, Dest("sqlite", tmp_path), archive, ["company"]), tmp_path, "rebuild")
    assert res.exit_code == 2, res.output
    line = flat(res.output)
    assert "layout" in line and str(archive) in line and "account" in line
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output


def test_every_rebuilt_unit_keeps_when_its_answer_arrived(sims, tmp_path):
    """The state says which answer the rows came from: the archive's, not the rebuild's time."""
    sim, _ = sims
    dest, archive = Dest("sqlite", tmp_path), tmp_path / "archive"
    cfg = config(sim, dest, archive, ["company"])
    assert cli(cfg, tmp_path, "run").exit_code == 0
    first = {(s["window_start"], s["extracted_at"]) for s in dest.state()}
    assert all(isinstance(e, dt.datetime) for _, e in first)
    res = cli(cfg, tmp_path, "rebuild")
    assert res.exit_code == 0, res.output
    assert "kept:" not in res.output  # the same answers: rebuilt, not kept
    assert {(s["window_start"], s["extracted_at"]) for s in dest.state()} == first


def test_ctrl_c_during_rebuild_closes_its_run_log_and_the_next_rebuild_completes(sims, tmp_path):
    import signal

    sim, _ = sims
    dest, archive = Dest("sqlite", tmp_path), tmp_path / "archive"
    reports = ["conversations_drilldown", "company"]
    cfg = config(sim, dest, archive, reports, start="2026-09-01", end="2026-10-25")
    assert cli(cfg, tmp_path, "run").exit_code == 0
    reference = {n: dest.snapshot(n) for n in table_names(reports)}
    (tmp_path / "fresh").mkdir()
    fresh = Dest("sqlite", tmp_path / "fresh")
    path = tmp_path / "fresh.yaml"
    path.write_text(
        yaml.safe_dump(config(sim, fresh, archive, reports, start="2026-09-01", end="2026-10-25"))
    )
    proc = hs_start("rebuild", "--config", path)
    import time

    deadline = time.monotonic() + 60
    while not (tmp_path / "fresh" / "hs.db").exists() or not _state_rows(fresh):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    runs = cli(config(sim, fresh, archive, reports), tmp_path, "runs", name="runs.yaml")
    assert "interrupted" in runs.output and "running" not in runs.output, runs.output
    again = hs_run("rebuild", "--config", path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert {n: fresh.snapshot(n) for n in table_names(reports)} == reference


def _state_rows(dest: Dest) -> int:
    import sqlalchemy as sa

    try:
        return len(dest.state())
    except sa.exc.SQLAlchemyError:
        return 0
