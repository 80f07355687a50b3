"""Windows: half-open, aligned to local midnight, DST and month ends right. Pure."""

from __future__ import annotations

import datetime as dt
import itertools

import pendulum
import pytest

from hs_extract.pipeline.windows import align, default_end, iter_windows, previous, select_windows


def hours(w) -> float:
    return w.seconds / 3600


def test_day_windows_in_utc():
    ws = iter_windows(dt.date(2025, 1, 30), dt.date(2025, 2, 2), "day", "UTC")
    assert [w.label for w in ws] == ["2025-01-30", "2025-01-31", "2025-02-01"]
    assert ws[0].start == pendulum.datetime(2025, 1, 30, tz="UTC")
    assert all(a.end == b.start for a, b in itertools.pairwise(ws))


def test_dst_days_are_23_and_25_hours_in_paris():
    ws = iter_windows(dt.date(2025, 3, 29), dt.date(2025, 4, 1), "day", "Europe/Paris")
    assert [hours(w) for w in ws] == [24, 23, 24]
    assert ws[1].start == pendulum.datetime(2025, 3, 29, 23, tz="UTC")  # local midnight, UTC+1
    assert ws[2].start == pendulum.datetime(2025, 3, 30, 22, tz="UTC")  # local midnight, UTC+2
    autumn = iter_windows(dt.date(2025, 10, 26), dt.date(2025, 10, 27), "day", "Europe/Paris")
    assert [hours(w) for w in autumn] == [25]


def test_weeks_start_on_monday_and_months_on_the_first():
    weeks = iter_windows(dt.date(2025, 1, 1), dt.date(2025, 1, 20), "week", "UTC")
    assert [w.label for w in weeks] == ["2024-12-30", "2025-01-06", "2025-01-13"]
    months = iter_windows(dt.date(2024, 1, 15), dt.date(2024, 5, 1), "month", "America/New_York")
    assert [w.label for w in months] == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    assert [round(w.seconds / 86400, 3) for w in months] == [31, 29, 30.958, 30]  # leap Feb, DST


def test_a_window_that_is_not_over_is_left_out():
    ws = iter_windows(
        dt.date(2025, 1, 1), pendulum.datetime(2025, 1, 3, 15, tz="UTC"), "day", "UTC"
    )
    assert [w.label for w in ws] == ["2025-01-01", "2025-01-02"]
    assert iter_windows(dt.date(2025, 1, 1), dt.date(2025, 1, 20), "month", "UTC") == []


def test_default_end_is_start_of_today_in_the_zone():
    now = pendulum.datetime(2025, 6, 1, 1, 30, tz="UTC")  # still May 31 in New York
    assert default_end(now, "America/New_York") == pendulum.datetime(
        2025, 5, 31, tz="America/New_York"
    )
    assert default_end(now, "Asia/Tokyo") == pendulum.datetime(2025, 6, 1, tz="Asia/Tokyo")


def test_align_and_previous():
    assert align(dt.date(2025, 3, 19), "week", "UTC") == pendulum.datetime(2025, 3, 17, tz="UTC")
    [march] = iter_windows(dt.date(2025, 3, 1), dt.date(2025, 4, 1), "month", "UTC")
    feb = previous(march, "month", "UTC")
    assert (feb.label, feb.end) == ("2025-02-01", march.start)
    with pytest.raises(ValueError, match="size must be one of"):
        align(dt.date(2025, 1, 1), "year", "UTC")


def test_select_missing_plus_lookback_or_everything():
    ws = iter_windows(dt.date(2025, 1, 1), dt.date(2025, 1, 11), "day", "UTC")
    loaded = [w.start for w in ws[:7]]  # 1..7 loaded, 8..10 missing
    chosen = select_windows(ws, loaded, lookback=2)
    assert [w.label[-2:] for w in chosen] == ["06", "07", "08", "09", "10"]
    assert select_windows(ws, loaded, lookback=0) == ws[7:]
    assert select_windows(ws, [w.start for w in ws], lookback=3) == ws[-3:]
    assert select_windows(ws, loaded, lookback=0, full=True) == ws
