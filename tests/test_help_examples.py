"""Every ``--help`` example runs as written (issue 24), in a shell, from a fresh folder.

``prod.yaml`` is the user's config in the examples: here it points at the simulator, with a
SQLite destination and an archive. The one placeholder the examples use for a real account
(user 123) becomes a simulator user; a prompt (``state reset`` without ``--yes``) is
answered. ``simulate`` serves until stopped: the curl example asks it for a token, then it is
stopped. No example fetches without an end date."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
import yaml

from hs_extract.cli import main

SIMULATOR = {"seed": 12}
BIN = Path(sys.executable).parent


def examples() -> list[tuple[str, str]]:
    """(command path, example) for every example line of every command's help."""
    out: list[tuple[str, str]] = []

    def walk(cmd: click.Command, path: str) -> None:
        text = (cmd.epilog or "").split("Examples:", 1)
        if len(text) == 2:
            lines = text[1].replace("\\\n", " ").splitlines()
            out.extend(
                (path, line.strip()) for line in lines if re.match(r"\s+(hs-extract|curl) ", line)
            )
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(main, "")
    return out


def test_every_command_shows_examples():
    paths = {path for path, _ in examples()}
    for name, cmd in main.commands.items():
        subs = getattr(cmd, "commands", {}) or {"": cmd}
        for sub in subs:
            assert f"{name} {sub}".strip() in paths, f"{name} {sub}: no example"


def test_no_example_fetches_without_an_end():
    for _, line in examples():
        if "--start-date" in line:
            assert "--end-date" in line, line


def shell(line: str, cwd: Path, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )


def in_a_terminal(line: str, cwd: Path, answer: str) -> subprocess.CompletedProcess:
    """``line`` with a terminal for its stdin, answering its question."""
    import pty

    leader, follower = pty.openpty()
    os.write(leader, answer.encode())
    try:
        return shell(line, cwd, stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)


def free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_every_help_example_runs_as_written(sim, tmp_path):
    user = sim.account.users[0].id
    prod = {
        "source": {
            "base_url": sim.base_url,
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "rate_limit_per_minute": 100_000,
        },
        "windows": {"start": "2025-03-01", "end": "2025-03-08", "lookback": 0},
        "reports": ["company", "happiness", {"name": "user", "users": [user]}],
        "destinations": {
            "sql": {"url": "sqlite:///hs.db"},
            "archive": {"path": "archive"},
        },
    }
    (tmp_path / "prod.yaml").write_text(yaml.safe_dump(prod))
    ran = []
    every = examples()
    curls = [line for _, line in every if line.startswith("curl")]
    for path, line in every:
        line = line.replace("--user 123", f"--user {user}")
        if line.startswith("curl"):
            continue  # asked of each simulator the examples serve
        if path == "simulate":  # serves until stopped: asked for a token, then stopped
            assert free(8099), "port 8099 is taken: the example can't serve there"
            serving = subprocess.Popen(
                ["bash", "-c", f"exec {line}"],
                cwd=tmp_path,
                env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                deadline = time.monotonic() + 30
                while free(8099) and time.monotonic() < deadline:
                    time.sleep(0.1)
                for curl in curls:
                    done = shell(curl, tmp_path, timeout=30)
                    assert done.returncode == 0 and '"access_token"' in done.stdout, done
                    ran.append(curl)
            finally:
                serving.terminate()
                serving.wait(10)
            assert "Traceback" not in serving.stderr.read()
            ran.append(line)
            continue
        if "state reset" in line and "--yes" not in line:
            done = in_a_terminal(line, tmp_path, answer="y\n")  # it asks there
        else:
            done = shell(line, tmp_path)
        assert done.returncode == 0, f"{line}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        assert "Traceback" not in done.stderr, line
        ran.append(line)
    assert len(ran) >= 30, ran
    assert (tmp_path / "hs-extract.yaml").exists() and (tmp_path / "docs" / "tables.md").exists()
    assert (tmp_path / "demo-week" / "overview.png").exists()


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_has_no_stray_markup(command):
    from click.testing import CliRunner

    res = CliRunner().invoke(main, [command, "--help"])
    assert res.exit_code == 0 and "\\b" not in res.output and "\b" not in res.output
