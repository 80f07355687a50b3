"""Planner: slices, the fewest requests, time series split over windows. Pure."""

from __future__ import annotations

import datetime as dt

import pendulum

from hs_extract.pipeline import parse_config
from hs_extract.pipeline.planner import Lists, _series_groups, build_plan, slices_for
from hs_extract.pipeline.windows import iter_windows


def config(**over):
    raw = {
        "source": {"client_id": "a", "client_secret": "b"},
        "windows": {"start": "2025-01-01", "size": "day", "lookback": 2},
        "reports": ["company"],
        "destinations": {"parquet": {"path": "x"}},
    }
    for key, value in over.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_config(raw)


LISTS = Lists(users=[11, 12], teams=[91], tags=[501, 502, 503])


def test_slices_are_the_cross_product_of_settings():
    cfg = config(reports=["all", {"name": "company_drilldown", "range": "handleTime"}])
    by = {r.name: r for r in cfg.reports}
    users = slices_for(by["user_drilldown"], LISTS, {})
    assert [s.key for s in users] == ["user=11", "user=12", "user=91"]
    fields = slices_for(by["conversations_drilldown_by_field"], LISTS, {"types": ["email"]})
    assert [s.key for s in fields] == [
        f"field=tagid|field_id={t}|filters=types=email" for t in (501, 502, 503)
    ]
    ranges = slices_for(by["company_drilldown"], LISTS, {})
    assert [s.as_dict() for s in ranges] == [
        {"range": "handleTime", "range_id": i} for i in range(1, 6)
    ]
    assert [s.key for s in slices_for(by["happiness_ratings"], LISTS, {})] == ["rating=all"]
    assert [s.key for s in slices_for(by["company"], LISTS, {})] == [""]


def test_one_request_per_summary_window_and_series_grouped():
    cfg = config(reports=["company", "productivity_resolved", "conversations_drilldown"])
    ws = iter_windows(dt.date(2025, 1, 1), dt.date(2025, 4, 1), "day", "UTC")  # 90 days
    plan = build_plan(cfg, ws, LISTS, {})
    by = {}
    for r in plan.requests:
        by.setdefault(r.report, []).append(r)
    assert len(by["company"]) == 90 and len(by["conversations_drilldown"]) == 90
    series = by["productivity_resolved"]
    assert [len(r.windows) for r in series] == [60, 30]  # viewBy=day covers at most 60 days
    assert series[0].params["view_by"] == "day"
    assert (
        series[0].params["start_date"] == ws[0].start and series[1].params["end_date"] == ws[-1].end
    )
    assert by["conversations_drilldown"][0].params["rows"] == 50
    assert len(plan.units) == 270


def test_lookback_and_state_decide_what_is_reloaded():
    cfg = config(reports=["company"])
    ws = iter_windows(dt.date(2025, 1, 1), dt.date(2025, 1, 11), "day", "UTC")
    loaded = {("company", ""): [w.start for w in ws[:8]]}
    plan = build_plan(cfg, ws, LISTS, loaded)
    assert [r.windows[0].label[-2:] for r in plan.requests] == ["07", "08", "09", "10"]
    assert len(build_plan(cfg, ws, LISTS, loaded, full_refresh=True).requests) == 10


def test_compare_previous_only_on_summaries():
    cfg = config(windows={"compare_previous": True}, reports=["company", "happiness_ratings"])
    ws = iter_windows(dt.date(2025, 1, 10), dt.date(2025, 1, 11), "day", "UTC")
    company, ratings = build_plan(cfg, ws, LISTS, {}).requests
    assert company.params["previous_start_date"] == pendulum.datetime(2025, 1, 9, tz="UTC")
    assert company.params["previous_end_date"] == ws[0].start
    assert "previous_start_date" not in ratings.params
    assert ratings.params["rating"] == "all" and ratings.params["sort_field"] == "number"


def test_filters_go_where_they_are_accepted():
    cfg = config(filters={"types": ["chat"], "mailboxes": [3]}, reports=["company", "chat", "docs"])
    ws = iter_windows(dt.date(2025, 1, 10), dt.date(2025, 1, 11), "day", "UTC")
    company, chat, docs = build_plan(cfg, ws, LISTS, {}).requests
    assert company.params["types"] == ["chat"] and company.params["mailboxes"] == [3]
    assert "types" not in chat.params and chat.params["mailboxes"] == [3]
    assert "mailboxes" not in docs.params and docs.slice.filters == ""


def test_dst_breaks_series_groups_and_months_reach_back():
    paris = iter_windows(dt.date(2025, 3, 28), dt.date(2025, 4, 2), "day", "Europe/Paris")
    groups = _series_groups(paris, "day")
    # the 23-hour day can only be the last bucket of a request (the API clips it at the end);
    # after it, local midnight is an hour off the 24-hour steps: a new request starts
    assert [[w.label for w in run] for _, _, run in groups] == [
        ["2025-03-28", "2025-03-29", "2025-03-30"],
        ["2025-03-31", "2025-04-01"],
    ]
    months = iter_windows(dt.date(2025, 2, 1), dt.date(2025, 4, 1), "month", "UTC")
    [(start, view_by, run)] = _series_groups(months, "month")
    assert view_by == "month" and len(run) == 2
    assert start == pendulum.datetime(2025, 1, 1, tz="UTC")  # Feb + Mar < 61 days: reach back
    may_june = iter_windows(dt.date(2025, 5, 1), dt.date(2025, 7, 1), "month", "UTC")
    assert _series_groups(may_june, "month")[0][0] == may_june[0].start  # 61 days: enough
    # New York months are not the API's UTC months (DST moves midnight): one request each,
    # where the window is the request's last, clipped bucket
    nyc = iter_windows(dt.date(2025, 3, 1), dt.date(2025, 5, 1), "month", "America/New_York")
    groups = _series_groups(nyc, "month")
    assert [(vb, len(run)) for _, vb, run in groups] == [("month", 1), ("month", 1)]
