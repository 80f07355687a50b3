"""The documentation site (issue 24): built with ``mkdocs build --strict`` in ``make test``,
its generated pages (config, commands) equal to what the code says, every page in the nav,
and its Python examples run as written against the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from hs_extract.cli import docgen

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SIMULATOR = {"seed": 16}


def test_the_generated_pages_are_what_the_code_says(capsys):
    assert docgen.main([str(DOCS), "--check"]) == 0, capsys.readouterr().err


def test_a_stale_page_is_named(tmp_path, capsys):
    assert docgen.main([str(tmp_path)]) == 0
    page = tmp_path / "reference" / "config.md"
    page.write_text(page.read_text().replace("windows.lookback", "windows.look_back"))
    assert docgen.main([str(tmp_path), "--check"]) == 1
    assert "reference/config.md: differs from the code" in capsys.readouterr().err


def test_every_key_and_command_is_documented():
    config = (DOCS / "reference" / "config.md").read_text()
    for key in (
        "source.max_wait",
        "windows.size",
        "reports[].field_ids",
        "destinations.sql.timeout",
    ):
        assert f"`{key}`" in config, key
    commands = (DOCS / "reference" / "commands.md").read_text()
    for name in ("init", "run", "plan", "check", "rebuild", "state reset", "runs", "config schema"):
        assert f"## `hs-extract {name}`" in commands, name


def nav_pages(nav) -> set[str]:
    out: set[str] = set()
    for item in nav:
        for value in item.values():
            out |= nav_pages(value) if isinstance(value, list) else {value}
    return out


def test_every_page_is_in_the_nav():
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert nav_pages(site["nav"]) == pages


def test_the_site_builds_without_a_warning(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    built = tmp_path / "site"
    for page in ("index.html", "reference/config/index.html", "tables/index.html"):
        assert (built / page).exists(), page
    api = (built / "python-api" / "index.html").read_text()
    assert "ReportsClient" in api and "LockedError" in api  # from the docstrings
    assert "Keep a Changelog" in (built / "changelog" / "index.html").read_text()


def python_blocks(page: str, heading: str) -> list[str]:
    text = (DOCS / page).read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_python_examples_run_as_written(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPSCOUT_CLIENT_ID", sim.client_id)
    monkeypatch.setenv("HELPSCOUT_CLIENT_SECRET", sim.client_secret)
    monkeypatch.setenv("HELPSCOUT_BASE_URL", sim.base_url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # cache=True: the per-user folder
    [five] = python_blocks("getting-started.md", "## Python in five lines")
    scope: dict = {}
    exec(five, scope)
    assert len(scope["frames"]["conversations_drilldown"]) > 0
    first = python_blocks("python-api.md", "## The client")[0]
    scope = {}
    exec(first.replace("    ...\n", "    pages = locals().get('pages', 0) + 1\n"), scope)
    assert scope["company"]["current"] and scope["users"] and scope["pages"] >= 1
    assert len(scope["frames"]["conversations"]) == 1
