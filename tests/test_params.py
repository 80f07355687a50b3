"""Every validation rule: raised before any request, naming report, parameter, value, allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from hs_extract import REPORTS, ConfigError
from hs_extract.api.params import build_query, check_view_by
from tests.conftest import NOW

W = {"start_date": "2026-01-01", "end_date": "2026-01-08"}


def bad(report: str, **params) -> str:
    with pytest.raises(ConfigError) as info:
        build_query(REPORTS[report], params, NOW)
    return str(info.value)


@pytest.mark.parametrize(
    ("report", "params", "expected"),
    [
        (
            "company",
            {"colour": "red"},
            "company: unknown parameter colour='red'; allowed: start_date",
        ),
        (
            "company",
            {"types": "fax"},
            "company: types='fax' is invalid; allowed: one or more of email, chat, phone",
        ),
        ("company", {"types": ["email", "sms"]}, "allowed: one or more of email, chat, phone"),
        (
            "company_customers_helped",
            {"view_by": "year"},
            "view_by='year' is invalid; allowed: day, week, month",
        ),
        (
            "company_drilldown",
            {"range": "speed"},
            "range='speed' is invalid; allowed: replies, firstReplyResolved, resolved, responseTime, firstResponseTime, handleTime",
        ),
        (
            "conversations_drilldown_by_field",
            {"field": "userid", "field_id": 1},
            "field='userid' is invalid; allowed: tagid, replyid, workflowid, customerid",
        ),
        (
            "happiness_ratings",
            {"rating": "okay"},
            "rating='okay' is invalid; allowed: great, ok, all, not-good",
        ),
        (
            "user_conversation_history",
            {"user": 1, "status": "spam"},
            "status='spam' is invalid; allowed: active, pending, closed",
        ),
        (
            "user_conversation_history",
            {"user": 1, "sort_field": "modifiedAt"},
            "sort_field='modifiedAt' is invalid; allowed: number, repliesSent, responseTime, resolveTime",
        ),
        ("happiness_ratings", {"sort_field": "resolveTime"}, "allowed: number, modifiedAt, rating"),
        (
            "happiness_ratings",
            {"sort_order": "asc"},
            "sort_order='asc' is invalid; allowed: ASC, DESC",
        ),
        (
            "conversations_drilldown",
            {"rows": 51},
            "rows=51 is invalid; allowed: an integer from 1 to 50",
        ),
        (
            "conversations_drilldown",
            {"rows": 0},
            "rows=0 is invalid; allowed: an integer from 1 to 50",
        ),
        ("conversations_drilldown", {"page": 0}, "page=0 is invalid"),
        (
            "conversations_drilldown",
            {"rows": "many"},
            "rows='many' is invalid; allowed: an integer",
        ),
        (
            "company",
            {"mailboxes": "a,b"},
            "mailboxes='a,b' is invalid; allowed: positive integer ids",
        ),
        ("company", {"tags": [-3]}, "tags=[-3] is invalid"),
        (
            "productivity",
            {"office_hours": "maybe"},
            "office_hours='maybe' is invalid; allowed: true or false",
        ),
        ("docs", {"sites": "abc def"}, "sites='abc def' is invalid"),
        ("user", {}, "user: parameter user is required (user or team id)"),
        ("user", {"user": "me"}, "user: user='me' is invalid; allowed: an integer"),
        ("conversations_drilldown_by_field", {"field_id": 3}, "parameter field is required"),
        ("conversations_drilldown_by_field", {"field": "tagid"}, "parameter field_id is required"),
        (
            "company_drilldown",
            {"range_id": 2},
            "range_id=2 is invalid; only valid together with range",
        ),
    ],
)
def test_rule(report, params, expected):
    assert expected in bad(report, **W, **params)


def test_unparsable_dates_name_the_parameter():
    msg = bad("company", start_date="yesterday-ish", end_date="2026-13-45")
    assert "company: start_date='yesterday-ish' is invalid; allowed: a date" in msg
    assert "company: end_date='2026-13-45' is invalid" in msg


def test_end_before_or_at_start():
    assert "end_date='2025-12-01' is invalid; must be after start" in bad(
        "company", start_date="2026-01-01", end_date="2025-12-01"
    )
    assert "must be after start" in bad("company", start_date="2026-01-01", end_date="2026-01-01")


def test_only_one_previous_date():
    msg = bad("company", **W, previous_start_date="2025-12-01")
    assert "previous_start_date='2025-12-01' is invalid; give previous_end_date too" in msg
    msg = bad("company", **W, previous_end_date="2025-12-01")
    assert "previous_end_date='2025-12-01' is invalid; give previous_start_date too" in msg
    msg = bad("company", **W, previous_start_date="2025-12-08", previous_end_date="2025-12-01")
    assert "must be after previous_start_date" in msg


@pytest.mark.parametrize(
    ("view_by", "start", "end", "ok"),
    [
        ("day", "2026-01-01", "2026-03-02", True),  # exactly 60 days
        ("day", "2026-01-01", "2026-03-03", False),  # 61 days
        ("week", "2025-01-01", "2026-01-01", True),  # one year
        ("week", "2025-01-01", "2026-01-02", False),
        ("month", "2026-01-01", "2026-03-03", True),  # 61 days
        ("month", "2026-01-01", "2026-03-02", False),  # 60 days
    ],
)
def test_view_by_limits(view_by, start, end, ok):
    params = {"start_date": start, "end_date": end, "view_by": view_by}
    if ok:
        assert build_query(REPORTS["productivity_resolved"], params, NOW)["viewBy"] == view_by
    else:
        msg = bad("productivity_resolved", **params)
        assert (
            f"productivity_resolved: view_by='{view_by}' is invalid; {view_by} needs a range" in msg
        )
    assert check_view_by(view_by, dt.date.fromisoformat(start), dt.date.fromisoformat(end)) is ok


def test_all_problems_reported_at_once():
    msg = bad("user_drilldown", start_date="x", rows=99, types="fax")
    lines = msg.splitlines()
    assert len(lines) == 4  # start_date, rows, types, user missing
    assert all(line.startswith("user_drilldown: ") for line in lines)


def test_dates_are_sent_in_utc_without_fractions():
    q = build_query(
        REPORTS["company"],
        {
            "start_date": dt.datetime(
                2026, 6, 1, 0, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-5))
            ),
            "end_date": dt.date(2026, 6, 2),
        },
        NOW,
    )
    assert q == {"start": "2026-06-01T05:00:00Z", "end": "2026-06-02T00:00:00Z"}


def test_naive_datetimes_are_utc():
    q = build_query(
        REPORTS["company"],
        {"start_date": dt.datetime(2026, 6, 1, 7), "end_date": "2026-06-02"},
        NOW,
    )
    assert q["start"] == "2026-06-01T07:00:00Z"


def test_unknown_report_suggests_names():
    from hs_extract.api.catalog import get_report

    with pytest.raises(
        ConfigError, match="unknown report 'conversation'; did you mean conversations"
    ):
        get_report("conversation")
