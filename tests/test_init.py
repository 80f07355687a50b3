"""A pip user's start (issue 24): ``hs-extract init`` writes what the README points to, from
the package; ``ReportsClient()`` reads the credentials from the environment like the CLI."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from hs_extract import ReportsClient
from hs_extract.cli import main
from hs_extract.cli.init import STARTER_FILES
from hs_extract.errors import ConfigError
from hs_extract.pipeline import load_config, parse_config


def test_init_writes_the_starter_config_its_schema_and_the_notebooks(tmp_path, monkeypatch):
    res = CliRunner().invoke(main, ["init", str(tmp_path / "hs")])
    assert res.exit_code == 0, res.output
    for name in STARTER_FILES:
        assert (tmp_path / "hs" / name).stat().st_size > 500, name
    config = tmp_path / "hs" / "hs-extract.yaml"
    text = config.read_text()
    assert text.startswith("# yaml-language-server: $schema=config.schema.json")
    assert "${HELPSCOUT_CLIENT_SECRET}" in text  # credentials from the environment only
    schema = CliRunner().invoke(main, ["config", "schema"]).output
    assert (tmp_path / "hs" / "config.schema.json").read_text() == schema
    monkeypatch.setenv("HELPSCOUT_CLIENT_ID", "app")
    monkeypatch.setenv("HELPSCOUT_CLIENT_SECRET", "secret")
    loaded = load_config(config)  # the starter runs as written once the variables are set
    assert loaded.source.client_id == "app" and loaded.reports
    assert "hs-extract check --config" in res.output


def test_init_overwrites_nothing_without_force(tmp_path):
    (tmp_path / "notebooks").mkdir()
    mine = tmp_path / "notebooks" / "02_warehouse.ipynb"
    mine.write_text("my own notebook")
    res = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert res.exit_code == 2 and "02_warehouse.ipynb exists" in res.output
    assert "--force" in res.output
    assert mine.read_text() == "my own notebook"
    assert not (tmp_path / "hs-extract.yaml").exists()  # nothing half-written
    forced = CliRunner().invoke(main, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0 and mine.read_text().startswith("{")


def test_messages_name_what_a_pip_user_has():
    try:
        parse_config(["not", "a", "mapping"])
    except ConfigError as exc:
        assert "hs-extract init" in str(exc) and "configs/" not in str(exc)
    else:
        raise AssertionError("a list is no config")
    raw = yaml.safe_load(
        "source: {client_id: abc}\nwindows: {start: 2026-01-01}\nreports: [company]"
    )
    try:
        parse_config(raw)
    except ConfigError as exc:
        said = str(exc)
    assert "client_secret: ${HELPSCOUT_CLIENT_SECRET} with HELPSCOUT_CLIENT_SECRET exported" in said


def test_the_client_reads_the_credentials_like_the_cli(monkeypatch, sim):
    monkeypatch.delenv("HELPSCOUT_CLIENT_ID", raising=False)
    monkeypatch.delenv("HELPSCOUT_CLIENT_SECRET", raising=False)
    try:
        ReportsClient()
    except ConfigError as exc:
        assert "HELPSCOUT_CLIENT_ID and HELPSCOUT_CLIENT_SECRET" in str(exc)
    else:
        raise AssertionError("no credentials anywhere")
    monkeypatch.setenv("HELPSCOUT_CLIENT_ID", sim.client_id)
    monkeypatch.setenv("HELPSCOUT_CLIENT_SECRET", sim.client_secret)
    monkeypatch.setenv("HELPSCOUT_BASE_URL", sim.base_url)
    client = ReportsClient()
    assert client.get_company(start_date="2026-10-01", end_date="2026-10-02")["current"]
