"""Each of the 32 methods sends the exact path and camelCase query of the reference doc.

The expectations come from ``fixtures/reference_endpoints.json``, written by hand from
``shared/reference/helpscout-reports-api.md`` §4.1, not from the catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pendulum
import pytest
import responses

from hs_extract import REPORTS
from tests.conftest import BASE, add_token

REFERENCE = json.loads((Path(__file__).parent / "fixtures/reference_endpoints.json").read_text())
ENDPOINTS = REFERENCE["endpoints"]

# API name → (gem keyword, Python value, exact wire value)
SAMPLES = {
    "start": (
        "start_date",
        pendulum.datetime(2024, 3, 1, 10, 30, tz="Europe/Paris"),
        "2024-03-01T09:30:00Z",
    ),
    "end": ("end_date", "2024-03-08T00:00:00Z", "2024-03-08T00:00:00Z"),
    "previousStart": ("previous_start_date", "2024-02-23", "2024-02-23T00:00:00Z"),
    "previousEnd": ("previous_end_date", "2024-03-01T00:00:00.750Z", "2024-03-01T00:00:00Z"),
    "mailboxes": ("mailboxes", [12, 34], "12,34"),
    "tags": ("tags", "5666,99787", "5666,99787"),
    "types": ("types", ["email", "chat"], "email,chat"),
    "folders": ("folders", [991], "991"),
    "viewBy": ("view_by", "day", "day"),
    "officeHours": ("office_hours", True, "true"),
    "page": ("page", 2, "2"),
    "rows": ("rows", 50, "50"),
    "range": ("range", "handleTime", "handleTime"),
    "rangeId": ("range_id", 3, "3"),
    "field": ("field", "tagid", "tagid"),
    "fieldid": ("field_id", 123, "123"),
    "user": ("user", 4, "4"),
    "status": ("status", "closed", "closed"),
    "sortField": ("sort_field", "number", "number"),
    "sortOrder": ("sort_order", "DESC", "DESC"),
    "rating": ("rating", "not-good", "not-good"),
    "sites": (
        "sites",
        ["5215163545667acd25394b5c", "5214c77c45667acd25394b51"],
        "5215163545667acd25394b5c,5214c77c45667acd25394b51",
    ),
}


def test_fixture_covers_all_32_reports():
    assert len(ENDPOINTS) == 32
    assert sorted(e["method"] for e in ENDPOINTS) == sorted(s.method for s in REPORTS.values())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e["method"] for e in ENDPOINTS])
def test_method_sends_exact_path_and_query(endpoint, mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, BASE + endpoint["path"], json={"ok": True})
    client = make_client()
    kwargs = {SAMPLES[api][0]: SAMPLES[api][1] for api in endpoint["query"]}
    assert getattr(client, endpoint["method"])(**kwargs) == {"ok": True}
    sent = mocked.calls[-1].request
    url = urlsplit(sent.url)
    assert url.path == endpoint["path"]
    assert dict(parse_qsl(url.query)) == {api: SAMPLES[api][2] for api in endpoint["query"]}
    assert sent.headers["Authorization"] == "Bearer tok-1"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e["method"] for e in ENDPOINTS])
def test_method_rejects_parameters_the_endpoint_does_not_take(endpoint, make_client):
    client = make_client()
    taken = {SAMPLES[api][0] for api in endpoint["query"]}
    foreign = sorted(set(k for k, _, _ in SAMPLES.values()) - taken)
    for name in foreign:
        with pytest.raises(Exception, match=f"unknown parameter {name}="):
            getattr(client, endpoint["method"])(**{name: SAMPLES_BY_KW[name]})


SAMPLES_BY_KW = {kw: value for kw, value, _ in SAMPLES.values()}


def test_gem_defaults_one_week_and_comparison(mocked, make_client):
    """No dates: start one week ago, end today (midnight UTC), previous three → two weeks ago."""
    add_token(mocked)
    mocked.add(responses.GET, BASE + "/v2/reports/company", json={})
    make_client().get_company()
    query = dict(parse_qsl(urlsplit(mocked.calls[-1].request.url).query))
    assert query == {
        "start": "2026-11-20T00:00:00Z",
        "end": "2026-11-27T00:00:00Z",
        "previousStart": "2026-11-06T00:00:00Z",
        "previousEnd": "2026-11-13T00:00:00Z",
    }


def test_explicit_window_gets_no_comparison_and_ratings_default_to_all(mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, BASE + "/v2/reports/happiness/ratings", json={})
    make_client().get_happiness_ratings(start_date="2026-01-01")
    query = dict(parse_qsl(urlsplit(mocked.calls[-1].request.url).query))
    assert query == {
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-11-27T00:00:00Z",
        "rating": "all",
    }


def test_methods_have_real_signatures_and_docs(make_client):
    import inspect

    client = make_client()
    for spec in REPORTS.values():
        method = getattr(client, spec.method)
        params = list(inspect.signature(method).parameters)
        assert params == list(spec.param_names)
        assert spec.path in method.__doc__
