"""Config: YAML with ${VAR}, validated at once; every problem names its key and what is allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from hs_extract import ConfigError
from hs_extract.pipeline import load_config, parse_config

GOOD = {
    "source": {
        "base_url": "https://api.helpscout.net",
        "client_id": "${HS_ID}",
        "client_secret": "${HS_SECRET}",
        "rate_limit_share": 0.5,
        "max_workers": 2,
    },
    "windows": {
        "start": dt.date(2025, 1, 1),
        "size": "week",
        "lookback": 1,
        "timezone": "Europe/Paris",
    },
    "filters": {"mailboxes": [1, 2], "types": ["email"]},
    "reports": [
        "all",
        {"name": "user", "users": [7, 8]},
        {"name": "company_drilldown", "range": "responseTime", "range_ids": [1, 2]},
    ],
    "destinations": {"parquet": {"path": "out/pq"}, "sql": {"url": "sqlite:///out/db.sqlite"}},
}


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("HS_ID", "app-1")
    monkeypatch.setenv("HS_SECRET", "very-secret")


def test_a_good_config():
    cfg = parse_config(GOOD)
    assert (
        cfg.source.client_id == "app-1"
        and cfg.source.client_secret.get_secret_value() == "very-secret"
    )
    assert "very-secret" not in repr(cfg)
    assert cfg.windows.grains == ("week",) and cfg.windows.timezone == "Europe/Paris"
    assert cfg.filters.mailboxes == (1, 2)
    names = [r.name for r in cfg.reports]
    assert len(names) == 32 and len(set(names)) == 32
    user = next(r for r in cfg.reports if r.name == "user")
    assert user.users == (7, 8)
    drill = next(r for r in cfg.reports if r.name == "company_drilldown")
    assert (drill.range, drill.range_ids) == ("responseTime", (1, 2))
    field = next(r for r in cfg.reports if r.name == "conversations_drilldown_by_field")
    assert (field.field, field.field_ids) == ("tagid", "all")
    assert next(r for r in cfg.reports if r.name == "happiness_ratings").rating == ("all",)


def test_every_problem_at_once_with_key_paths(monkeypatch):
    monkeypatch.delenv("HS_SECRET")
    bad = {
        "source": {
            "base_url": "http://api.helpscout.net",
            "client_id": "${HS_ID}",
            "client_secret": "${HS_SECRET}",
            "rate_limit_share": 2,
            "colour": 1,
        },
        "windows": {"start": "2025-13-01", "size": "year", "lookback": -1, "timezone": "Mars/Base"},
        "filters": {"types": ["fax"]},
        "reports": [
            "nope",
            {"name": "user", "field": "tagid"},
            {"name": "company_drilldown", "range_ids": [1]},
        ],
        "destinations": {"sql": {"url": "sqlite:///x.db", "schema": "bad name;"}},
        "extra": True,
    }
    with pytest.raises(ConfigError) as info:
        parse_config(bad)
    text = str(info.value)
    for expected in [
        "extra: true is invalid; unknown key; allowed: source, windows",
        "source.base_url='http://api.helpscout.net' is plain http",
        "source.client_secret: environment variable HS_SECRET is not set",
        "source.colour: 1 is invalid; unknown key",
        "source.rate_limit_share: 2 is invalid; allowed: a number in (0, 1]",
        "windows.start: '2025-13-01' is invalid; allowed: a date such as 2025-01-01",
        "windows.size: 'year' is invalid; allowed: day, week, month",
        "windows.lookback: -1 is invalid; allowed: an integer from 0 to 1000",
        "windows.timezone: 'Mars/Base' is invalid; allowed: an IANA time zone",
        "filters.types: ['fax'] is invalid; allowed: a list of email, chat, phone",
        "reports[0]: 'nope' is invalid; unknown report",
        "reports[1].field: 'tagid' is invalid; not a setting of user; allowed: name, users",
        "reports[2].range_ids: [1] is invalid; needs range",
        "destinations.sql.schema: 'bad name;' is invalid; allowed: null or an identifier",
    ]:
        assert expected in text, expected
    assert "problems" in text.splitlines()[0] and "one a line" in text.splitlines()[0]


def test_load_config_errors_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"config: cannot read .*missing.yaml"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("source: [\n  oops")
    with pytest.raises(ConfigError, match=r"broken.yaml line \d+, column \d+"):
        load_config(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ConfigError, match="allowed: a YAML mapping"):
        load_config(empty)


def test_env_defaults_and_loopback_http():
    cfg = parse_config(
        {
            **GOOD,
            "source": {
                **GOOD["source"],
                "base_url": "http://127.0.0.1:9",
                "client_id": "${UNSET_ID:-fallback}",
            },
        }
    )
    assert cfg.source.client_id == "fallback" and cfg.source.base_url == "http://127.0.0.1:9"


def test_destinations_are_required():
    with pytest.raises(ConfigError, match="destinations: \\(missing\\) is invalid"):
        parse_config({k: v for k, v in GOOD.items() if k != "destinations"})
