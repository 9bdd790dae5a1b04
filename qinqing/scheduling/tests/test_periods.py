"""Periods in Asia/Shanghai local time: keys, bounds, due times, counting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from qinqing.scheduling.periods import (
    due_at,
    next_start,
    parse_period_key,
    period_bounds,
    period_key,
    period_start,
    periods_between,
    previous_start,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def sh(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("period", "when", "key"),
    [
        ("minute", sh(2025, 3, 4, 8, 17, 59), "2025-03-04T08:17"),
        ("5min", sh(2025, 3, 4, 8, 17), "2025-03-04T08:15"),
        ("15min", sh(2025, 3, 4, 8, 44), "2025-03-04T08:30"),
        ("hour", sh(2025, 3, 4, 8, 44), "2025-03-04T08"),
        ("day", sh(2025, 3, 4, 23, 59), "2025-03-04"),
        ("week", sh(2025, 3, 6, 12, 0), "2025-W10"),
        ("month", sh(2025, 3, 31, 23, 0), "2025-03"),
    ],
)
def test_keys_name_the_local_period(period, when, key):
    start = period_start(period, when)
    assert period_key(period, start) == key
    assert parse_period_key(period, key) == start


def test_the_local_day_differs_from_the_utc_day():
    # 17:00 UTC on 3 March is already 01:00 on 4 March in Quanzhou.
    when = dt.datetime(2025, 3, 3, 17, 0, tzinfo=UTC)
    assert period_key("day", period_start("day", when)) == "2025-03-04"


def test_week_starts_on_monday_and_uses_iso_years():
    start = period_start("week", sh(2025, 1, 1, 9))  # a Wednesday in ISO week 2025-W01
    assert start == sh(2024, 12, 30)
    assert period_key("week", start) == "2025-W01"


def test_month_rolls_over_the_year():
    assert next_start("month", sh(2024, 12, 1)) == sh(2025, 1, 1)
    assert previous_start("month", sh(2025, 1, 1)) == sh(2024, 12, 1)


def test_bounds():
    assert period_bounds("day", "2025-03-04") == (sh(2025, 3, 4), sh(2025, 3, 5))
    assert period_bounds("month", "2025-02") == (sh(2025, 2, 1), sh(2025, 3, 1))
    assert period_bounds("15min", "2025-03-04T08:15") == (sh(2025, 3, 4, 8, 15), sh(2025, 3, 4, 8, 30))


@pytest.mark.parametrize(
    ("period", "key"),
    [
        ("day", "2025-02-30"),
        ("5min", "2025-03-04T08:17"),
        ("week", "2025-W60"),
        ("month", "March"),
        ("hour", "x"),
    ],
)
def test_bad_keys_are_refused(period, key):
    with pytest.raises(ValueError):
        parse_period_key(period, key)


def test_unknown_period_and_naive_times_are_refused():
    with pytest.raises(ValueError):
        period_start("fortnight", sh(2025, 1, 1))
    with pytest.raises(ValueError):
        period_start("day", dt.datetime(2025, 1, 1))


def test_due_at_is_the_local_time_on_the_first_day():
    assert due_at("day", sh(2025, 3, 4), dt.time(8, 0)) == sh(2025, 3, 4, 8, 0)
    assert due_at("week", sh(2025, 3, 3), dt.time(6, 30)) == sh(2025, 3, 3, 6, 30)
    assert due_at("hour", sh(2025, 3, 3, 5), None) == sh(2025, 3, 3, 5)


@pytest.mark.parametrize(
    ("period", "first", "last", "count"),
    [
        ("minute", sh(2025, 3, 4, 8, 0), sh(2025, 3, 4, 8, 0), 1),
        ("minute", sh(2025, 3, 4, 8, 0), sh(2025, 3, 5, 8, 0), 1441),
        ("5min", sh(2025, 3, 4, 8, 0), sh(2025, 3, 4, 9, 0), 13),
        ("day", sh(2025, 3, 4), sh(2025, 3, 3), 0),
        ("month", sh(2024, 11, 1), sh(2025, 2, 1), 4),
        ("week", sh(2025, 3, 3), sh(2025, 3, 31), 5),
    ],
)
def test_periods_between_counts_without_walking(period, first, last, count):
    assert periods_between(period, first, last) == count
