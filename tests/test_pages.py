"""Pagination: the three report layouts and the HAL list endpoints."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from hs_extract import REPORTS, IncompleteError
from hs_extract.api.paging import REFETCHES, Page, PageWalk
from tests.conftest import BASE, add_token

W = {"start_date": "2026-01-01", "end_date": "2026-01-08"}


def page_params(rsps, path):
    return [
        dict(parse_qsl(urlsplit(c.request.url).query))
        for c in rsps.calls
        if urlsplit(c.request.url).path == path
    ]


def drill(page, pages, ids, count=999):
    return {
        "conversations": {
            "page": page,
            "pages": pages,
            "count": count,
            "results": [{"id": i} for i in ids],
        }
    }


def test_drilldown_pages_under_conversations_walked_to_the_last(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/conversations/drilldown"
    # count says 999 (20 pages of 50), but pages says 3: pages wins, count is never used
    for n in (1, 2, 3):
        mocked.add(responses.GET, BASE + path, json=drill(n, 3, [n * 10, n * 10 + 1]))
    pages = list(make_client().iter_pages("conversations_drilldown", **W))
    assert [p["conversations"]["page"] for p in pages] == [1, 2, 3]
    sent = page_params(mocked, path)
    assert [q["page"] for q in sent] == ["1", "2", "3"]
    assert all(q["rows"] == "50" for q in sent)


def test_top_level_pages_for_ratings_and_history(mocked, make_client):
    add_token(mocked)
    for report, path, extra in [
        ("happiness_ratings", "/v2/reports/happiness/ratings", {}),
        ("user_conversation_history", "/v2/reports/user/conversation-history", {"user": 7}),
    ]:
        for n in (1, 2):
            mocked.add(
                responses.GET,
                BASE + path,
                json={"facets": {}, "results": [{"id": n}], "page": n, "pages": 2, "count": 165},
            )
        pages = list(make_client().iter_pages(report, **W, **extra))
        assert [p["results"][0]["id"] for p in pages] == [1, 2]
        sent = page_params(mocked, path)
        assert [q["page"] for q in sent] == ["1", "2"]
        assert "rows" not in sent[0]  # ratings and history take no rows


def test_a_repeated_page_is_fetched_again(mocked, make_client, clock):
    add_token(mocked)
    path = "/v2/reports/company/drilldown"
    mocked.add(responses.GET, BASE + path, json=drill(1, 3, [1, 2]))
    mocked.add(responses.GET, BASE + path, json=drill(1, 3, [1, 2]))  # page 2: page 1 again
    mocked.add(responses.GET, BASE + path, json=drill(2, 3, [3, 4]))  # fetched again: right
    mocked.add(responses.GET, BASE + path, json=drill(3, 3, [5]))
    pages = list(make_client().iter_pages("company_drilldown", **W))
    assert [r["id"] for p in pages for r in p["conversations"]["results"]] == [1, 2, 3, 4, 5]
    assert [q["page"] for q in page_params(mocked, path)] == ["1", "2", "2", "3"]
    assert clock.sleeps[-1] == 0.5  # a short pause before asking again


def test_a_page_that_keeps_repeating_fails_the_listing(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/company/drilldown"
    mocked.add(responses.GET, BASE + path, json=drill(1, 9, [1, 2]))  # every page is page 1
    with pytest.raises(IncompleteError, match=r"company_drilldown: .*page 2 repeats page 1"):
        list(make_client().iter_pages("company_drilldown", **W))
    asked = [q["page"] for q in page_params(mocked, path)]
    # page 2 asked again REFETCHES times; pages 3..9 were already on their way (side by side)
    # or were never sent: bounded either way
    assert asked.count("2") == 1 + REFETCHES and asked.count("1") == 1
    assert len(asked) <= 1 + 8 + REFETCHES


def test_an_empty_page_before_the_announced_end_fails_the_listing(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/user/drilldown"
    mocked.add(responses.GET, BASE + path, json=drill(1, 5, [1]))
    mocked.add(responses.GET, BASE + path, json=drill(2, 5, []))
    with pytest.raises(IncompleteError, match=r"page 2 is empty though the listing announced 5"):
        list(make_client().iter_pages("user_drilldown", user=3, **W))


def test_a_growing_page_count_is_followed(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/conversations/drilldown"
    mocked.add(responses.GET, BASE + path, json=drill(1, 2, [1]))
    mocked.add(responses.GET, BASE + path, json=drill(2, 3, [2]))  # the listing grew
    mocked.add(responses.GET, BASE + path, json=drill(3, 3, [3]))
    pages = list(make_client().iter_pages("conversations_drilldown", **W))
    assert [p["conversations"]["page"] for p in pages] == [1, 2, 3]


def test_pages_without_a_count_are_followed_to_an_empty_page(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/happiness/ratings"
    for ids in ([1], [2], []):
        mocked.add(responses.GET, BASE + path, json={"results": [{"id": i} for i in ids]})
    pages = list(make_client().iter_pages("happiness_ratings", **W))
    assert [len(p["results"]) for p in pages] == [1, 1]
    assert [q["page"] for q in page_params(mocked, path)] == ["1", "2", "3"]


def test_pages_without_a_count_stop_at_the_cap(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/happiness/ratings"
    for n in range(1, 10):
        mocked.add(responses.GET, BASE + path, json={"results": [{"id": n}]})
    client, spec = make_client(), REPORTS["happiness_ratings"]

    def fetch(n):
        return Page.of(spec, n, client.fetch_page(spec, n, **W))

    with pytest.raises(IncompleteError, match="did not end within 4 pages"):
        list(PageWalk(spec, fetch, max_pages=4))


def test_empty_window_costs_one_request(mocked, make_client):
    add_token(mocked)
    path = "/v2/reports/conversations/new-drilldown"
    mocked.add(responses.GET, BASE + path, json=drill(1, 0, [], count=0))
    assert (
        len(list(make_client().iter_pages("conversations_new_conversations_drilldown", **W))) == 1
    )
    assert len(page_params(mocked, path)) == 1


def test_non_paginated_report_yields_one_response(mocked, make_client):
    add_token(mocked)
    mocked.add(
        responses.GET,
        BASE + "/v2/reports/conversations/busy-times",
        json=[{"day": 1, "hour": 0, "count": 3}],
    )
    assert list(make_client().iter_pages("conversations_busiest_times", **W)) == [
        [{"day": 1, "hour": 0, "count": 3}]
    ]


def test_received_messages_both_layouts_pass_through(mocked, make_client):
    add_token(mocked)
    path = BASE + "/v2/reports/conversations/received-messages"
    a = {"current": [{"date": "2026-01-01T00:00:00Z", "messages": 126}]}
    b = {"current": [{"start": "2026-01-01T00:00:00Z", "count": 126}]}
    mocked.add(responses.GET, path, json=a)
    mocked.add(responses.GET, path, json=b)
    client = make_client()
    assert client.get_conversations_received_message_stats(**W) == a
    assert client.get_conversations_received_message_stats(**W) == b


def hal(key, items, number, total):
    links = {"self": {"href": "x"}, "first": {"href": "x"}, "last": {"href": "x"}}
    if number < total:
        links["next"] = {"href": "x"}
    return {
        "_embedded": {key: items},
        "_links": links,
        "page": {"size": 50, "totalElements": 99, "totalPages": total, "number": number},
    }


def test_hal_lists_follow_every_page(mocked, make_client):
    add_token(mocked)
    for name, key in [
        ("users", "users"),
        ("teams", "teams"),
        ("mailboxes", "mailboxes"),
        ("tags", "tags"),
    ]:
        path = f"/v2/{name}"
        mocked.add(responses.GET, BASE + path, json=hal(key, [{"id": 1}, {"id": 2}], 1, 2))
        mocked.add(responses.GET, BASE + path, json=hal(key, [{"id": 3}], 2, 2))
        items = getattr(make_client(), f"list_{name}")()
        assert [i["id"] for i in items] == [1, 2, 3]
        assert [q["page"] for q in page_params(mocked, path)] == ["1", "2"]
