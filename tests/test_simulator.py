"""The simulator: every report through the real client, consistent numbers, strict answers."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from hs_extract import REPORTS, AccessDeniedError, NotFoundError
from hs_extract.api.catalog import Kind
from hs_extract.api.retry import RetryConfig
from hs_extract.simulator import Faults, Simulator

CUTOFF = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
FAST_RETRY = RetryConfig(backoff_base=0.01, backoff_cap=0.05)
USER = 100001
TEAM = 900001

WINDOWS = {
    "one-day": {"start_date": "2026-10-05", "end_date": "2026-10-06"},
    "week+previous": {
        "start_date": "2026-10-05",
        "end_date": "2026-10-12",
        "previous_start_date": "2026-09-28",
        "previous_end_date": "2026-10-05",
    },
    "month+filters": {
        "start_date": "2026-09-01T00:00:00Z",
        "end_date": "2026-10-01T00:00:00Z",
        "mailboxes": [3001, 3002],
        "tags": [5000, 5001, 5002, 1],
        "types": ["email", "chat"],
        "folders": [40010, 40011, 40012, 40020, 40021, 40022],
    },
}


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 3}


@pytest.fixture(scope="module")
def client(sim):
    return sim.client(retry=FAST_RETRY)


def params_for(spec, window: dict, user: int = USER) -> dict:
    params = {k: v for k, v in window.items() if spec.accepts(k)}
    if spec.accepts("user"):
        params["user"] = user
    if spec.accepts("field"):
        params.update(field="tagid", field_id=5001)
    return params


@pytest.mark.parametrize("window", WINDOWS, ids=list(WINDOWS))
@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_every_page(name, window, client, sim):
    spec = REPORTS[name]
    params = params_for(spec, WINDOWS[window])
    pages = list(client.iter_pages(spec, **params))
    first = pages[0]
    with_previous = "previous_start_date" in params
    if spec.kind is Kind.SUMMARY:
        assert "current" in first
        assert ("previous" in first) is with_previous and ("deltas" in first) is with_previous
    elif spec.kind is Kind.TIMESERIES:
        label = spec.series[0].label
        days = (
            dt.date.fromisoformat(params["end_date"][:10])
            - dt.date.fromisoformat(params["start_date"][:10])
        ).days
        assert len(first["current"]) == days  # default viewBy for ≤ 60 days is day
        assert first["current"][0][label].startswith(params["start_date"][:10])
        assert set(first["current"][0]) == {label, *spec.series[0].values}
        assert ("previous" in first) is with_previous
    elif spec.kind is Kind.LIST:
        assert len(first) == 7 * 24
    else:
        box = first[spec.page_container] if spec.page_container else first
        rows = [
            r
            for p in pages
            for r in (p[spec.page_container] if spec.page_container else p)["results"]
        ]
        assert len(rows) == box["count"]
        assert len({r["id"] for r in rows}) == len(rows) or name == "user_conversation_history"
        assert len(pages) == max(1, box["pages"])
        if spec.accepts("rows"):
            assert box["pages"] == math.ceil(box["count"] / 50)


def fetch(client, name, **params):
    return client.fetch(name, **params)


def test_daily_buckets_sum_to_the_summaries(client):
    w = {"start_date": "2026-10-01", "end_date": "2026-10-15"}
    conv = fetch(client, "conversations", **w)["current"]
    prod = fetch(client, "productivity", **w)["current"]

    def total(name, key, **extra):
        return sum(p[key] for p in fetch(client, name, view_by="day", **w, **extra)["current"])

    assert total("conversations_new_conversations", "count") == conv["newConversations"]
    vol = fetch(client, "conversations_channel_volumes", view_by="day", **w)["current"]
    assert sum(p["chat"] + p["email"] + p["phone"] for p in vol) == conv["conversationsCreated"]
    busy = fetch(client, "conversations_busiest_times", **w)
    assert sum(c["count"] for c in busy) == conv["conversationsCreated"]
    assert total("productivity_replies_sent", "replies") == prod["repliesSent"]
    assert total("productivity_resolved", "resolved") == prod["resolved"]
    weekly = fetch(client, "productivity_resolved", view_by="week", **w)["current"]
    assert [p["date"][:10] for p in weekly] == ["2026-10-01", "2026-10-08"]
    assert sum(p["resolved"] for p in weekly) == prod["resolved"]
    user = fetch(client, "user", user=USER, **w)["current"]
    assert total("user_replies", "replies", user=USER) == user["totalReplies"]
    assert total("user_resolutions", "resolved", user=USER) == user["resolved"]
    email = fetch(client, "email", **w)["current"]
    chat = fetch(client, "chat", **w)["current"]
    phone = fetch(client, "phone", **w)["current"]
    assert email["volume"]["repliesSent"] <= prod["repliesSent"]
    by_channel = {k: sum(p[k] for p in vol) for k in ("chat", "email", "phone")}
    assert chat["volume"]["chatConversations"] == by_channel["chat"]
    assert email["volume"]["emailsCreated"] == by_channel["email"]
    received = total("conversations_received_message_stats", "messages")
    assert received >= email["volume"]["messagesReceived"] > 0
    assert phone["phoneConversations"] > 0


def test_drilldown_counts_match_their_summaries(client):
    w = {"start_date": "2026-10-01", "end_date": "2026-10-08"}
    conv = fetch(client, "conversations", **w)
    prod = fetch(client, "productivity", **w)
    happy = fetch(client, "happiness", **w)["current"]

    def count(name, **extra):
        box = fetch(client, name, **w, **extra)
        return (box.get("conversations") or box)["count"]

    assert count("conversations_drilldown") == conv["current"]["totalConversations"]
    assert count("conversations_new_conversations_drilldown") == conv["current"]["newConversations"]
    assert count("company_drilldown", range="resolved") == prod["current"]["resolved"]
    for r in prod["responseTime"]["ranges"]:
        assert count("company_drilldown", range="responseTime", range_id=r["id"]) == r["count"]
    for r in prod["repliesToResolve"]["ranges"]:
        assert count("company_drilldown", range="replies", range_id=r["id"]) == r["count"]
    for t in conv["tags"]["top"][:3]:
        assert (
            count("conversations_drilldown_by_field", field="tagid", field_id=t["id"]) == t["count"]
        )
    assert count("happiness_ratings", rating="all") == happy["ratingsCount"]
    assert count("happiness_ratings", rating="great") == happy["greatCount"]
    assert count("happiness_ratings", rating="not-good") == happy["notGoodCount"]
    user_happy = fetch(client, "user_happiness", user=USER, **w)["current"]
    assert count("user_happiness_drilldown", user=USER) == user_happy["ratingsCount"]
    assert happy["happinessScore"] == pytest.approx(happy["great"] - happy["notGood"])
    assert happy["greatCount"] + happy["okayCount"] + happy["notGoodCount"] == happy["ratingsCount"]
    assert prod["responseTime"]["count"] == sum(r["count"] for r in prod["responseTime"]["ranges"])


def test_team_reports_sum_their_members(client):
    w = {"start_date": "2026-10-01", "end_date": "2026-10-08"}
    team = next(t for t in client.list_teams() if t["id"] == TEAM)
    replies = [
        fetch(client, "user", user=u, **w)["current"]["totalReplies"]
        for u in (100001, 100002, 100003, 100004)
    ]
    assert team["name"] == "Tier 1"
    assert fetch(client, "user", user=TEAM, **w)["current"]["totalReplies"] == sum(replies)


def test_filters_narrow_the_numbers(client):
    w = {"start_date": "2026-10-01", "end_date": "2026-10-08"}
    everything = fetch(client, "conversations", **w)["current"]["totalConversations"]
    by_type = sum(
        fetch(client, "conversations", types=t, **w)["current"]["totalConversations"]
        for t in ("email", "chat", "phone")
    )
    by_mailbox = sum(
        fetch(client, "conversations", mailboxes=m, **w)["current"]["totalConversations"]
        for m in (3001, 3002, 3003)
    )
    assert everything == by_type == by_mailbox > 0
    assert (
        fetch(client, "conversations", tags=[5000], **w)["current"]["totalConversations"]
        < everything
    )
    slow = fetch(client, "productivity", **w)["current"]["responseTime"]
    office = fetch(client, "productivity", office_hours=True, **w)["current"]["responseTime"]
    assert 0 < office < slow


def test_same_seed_same_answers_other_seed_other_answers(sim):
    w = {"start_date": "2026-10-01", "end_date": "2026-10-08"}
    with Simulator(seed=3, cutoff=CUTOFF) as twin, Simulator(seed=4, cutoff=CUTOFF) as other:
        a = sim.client().get_conversations_drilldown(**w, rows=50)
        assert twin.client().get_conversations_drilldown(**w, rows=50) == a
        assert other.client().get_conversations_drilldown(**w, rows=50) != a


def test_received_messages_in_both_layouts():
    w = {"start_date": "2026-10-01", "end_date": "2026-10-03"}
    with Simulator(seed=3, cutoff=CUTOFF, received_layout="start") as s:
        body = s.client().get_conversations_received_message_stats(**w)
    assert set(body["current"][0]) == {"start", "count"}


def test_hal_lists_page_through_small_pages():
    with Simulator(seed=3, cutoff=CUTOFF, list_page_size=4) as s:
        c = s.client()
        users = c.list_users()
        assert [u["id"] for u in users] == list(range(100001, 100010))
        assert len(c.list_tags()) == 14 and len(c.list_mailboxes()) == 3
        pages = [e.query.get("page") for e in s.log.snapshot() if e.path == "/v2/users"]
        assert pages == ["1", "2", "3"]


def test_unknown_user_is_404_and_denied_report_is_403():
    w = {"start_date": "2026-10-01", "end_date": "2026-10-03"}
    with Simulator(seed=3, cutoff=CUTOFF, faults=Faults(deny=frozenset({"docs"}))) as s:
        c = s.client()
        with pytest.raises(NotFoundError, match="user: HTTP 404"):
            c.get_user(user=424242, **w)
        with pytest.raises(AccessDeniedError, match="docs: HTTP 403 Access denied"):
            c.get_docs(**w)
        assert c.get_happiness(**w)["current"]
