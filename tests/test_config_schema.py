"""The config's JSON Schema (``hs-extract config schema``): what editors check configs with.

It is the model's own (pydantic), shipped in the package beside the starter config
(``hs_extract/starter``, written by ``hs-extract init``), which names it; every shipped config
(the starter and ``configs/*.yaml``) passes it, a misspelled key fails it, and the
config reader says the same mistake in one line with "did you mean"."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.errors import ConfigError
from hs_extract.pipeline import parse_config

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
STARTER = ROOT / "hs_extract" / "starter"
SCHEMA = STARTER / "config.schema.json"
EXAMPLE = STARTER / "config.yaml"
SHIPPED = {p.name: p for p in CONFIGS.glob("*.yaml")} | {"starter config.yaml": EXAMPLE}
SHIPPED |= {f"dagster {p.name}": p for p in (ROOT / "examples" / "dagster").glob("*.yaml")}


def as_json(path: Path) -> dict:
    """A YAML config as the JSON an editor checks (YAML dates are text there)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def test_the_shipped_schema_is_the_commands_output():
    res = CliRunner().invoke(main, ["config", "schema"])
    assert res.exit_code == 0
    assert res.output == SCHEMA.read_text(), (
        "run: hs-extract config schema > hs_extract/starter/config.schema.json"
    )
    assert EXAMPLE.read_text().startswith("# yaml-language-server: $schema=config.schema.json")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_config_passes_the_schema(name):
    errors = list(validator().iter_errors(as_json(SHIPPED[name])))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(
    ("section", "wrong", "right"),
    [("windows", "sise", "size"), ("source", "client_secrte", "client_secret")],
)
def test_a_misspelled_key_fails_the_schema_and_the_reader_says_what_was_meant(
    section, wrong, right, monkeypatch
):
    monkeypatch.setenv("HELPSCOUT_CLIENT_ID", "x")
    monkeypatch.setenv("HELPSCOUT_CLIENT_SECRET", "y")
    raw = as_json(EXAMPLE)
    raw[section][wrong] = raw[section].pop(right)
    assert any(wrong in e.message for e in validator().iter_errors(raw))
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert f"{section}.{wrong}:" in str(info.value) and f"did you mean {right}?" in str(info.value)


def test_an_unknown_report_gets_the_names_it_may_have_meant():
    raw = as_json(EXAMPLE)
    raw["source"].update(client_id="x", client_secret="y")
    raw["reports"] = ["conversation_drilldown"]
    assert list(validator().iter_errors(raw))
    with pytest.raises(ConfigError, match="did you mean conversations_drilldown"):
        parse_config(raw)


def test_values_are_shown_as_written_never_as_python_reprs():
    raw = as_json(EXAMPLE)
    raw["source"].update(client_id="x", client_secret="y")
    raw = yaml.safe_load(yaml.safe_dump(raw) + "")
    import datetime as dt

    raw["windows"].update(start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 1))
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert "windows.end: 2026-11-01 is invalid; must be after windows.start (2026-11-02)" in str(
        info.value
    )
    assert "datetime" not in str(info.value)
