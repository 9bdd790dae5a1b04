"""Calendar periods for periodic jobs, in Asia/Shanghai local time.

A period is identified by a key that sorts like the periods themselves:
minute, 5min, 15min "2025-03-01T08:15"; hour "2025-03-01T08"; day "2025-03-01";
week (ISO, Monday first) "2025-W09"; month "2025-03". Jobs receive the key and can turn
it back into local start and end times with `period_bounds`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args
from zoneinfo import ZoneInfo

Period = Literal["minute", "5min", "15min", "hour", "day", "week", "month"]
PERIODS: tuple[str, ...] = get_args(Period)
# Periods that may name a local time of day to start at.
PERIODS_WITH_AT = frozenset({"day", "week", "month"})

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_FIXED: dict[str, dt.timedelta] = {
    "minute": dt.timedelta(minutes=1),
    "5min": dt.timedelta(minutes=5),
    "15min": dt.timedelta(minutes=15),
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
}


def _check(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")


def _local_naive(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return when.astimezone(LOCAL_TZ).replace(tzinfo=None)


def _aware(naive: dt.datetime) -> dt.datetime:
    return naive.replace(tzinfo=LOCAL_TZ)


def period_start(period: str, when: dt.datetime) -> dt.datetime:
    """Local start of the period containing the aware datetime `when`."""
    _check(period)
    local = _local_naive(when).replace(second=0, microsecond=0)
    if period == "minute":
        start = local
    elif period == "5min":
        start = local.replace(minute=local.minute - local.minute % 5)
    elif period == "15min":
        start = local.replace(minute=local.minute - local.minute % 15)
    elif period == "hour":
        start = local.replace(minute=0)
    elif period == "day":
        start = local.replace(hour=0, minute=0)
    elif period == "week":
        start = local.replace(hour=0, minute=0) - dt.timedelta(days=local.weekday())
    else:
        start = local.replace(day=1, hour=0, minute=0)
    return _aware(start)


def next_start(period: str, start: dt.datetime) -> dt.datetime:
    _check(period)
    local = _local_naive(start)
    if period == "month":
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        return _aware(local.replace(year=year, month=month))
    return _aware(local + _FIXED[period])


def previous_start(period: str, start: dt.datetime) -> dt.datetime:
    _check(period)
    local = _local_naive(start)
    if period == "month":
        year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
        return _aware(local.replace(year=year, month=month))
    return _aware(local - _FIXED[period])


def periods_between(period: str, first: dt.datetime, last: dt.datetime) -> int:
    """How many periods from the one starting at `first` to the one starting at `last`,
    both included (0 when `last` is before `first`). Arithmetic, not a walk, so that a
    clock jumping a year ahead costs nothing."""
    _check(period)
    a, b = _local_naive(first), _local_naive(last)
    if b < a:
        return 0
    if period == "month":
        return (b.year * 12 + b.month) - (a.year * 12 + a.month) + 1
    return int((b - a) / _FIXED[period]) + 1


def period_key(period: str, start: dt.datetime) -> str:
    _check(period)
    local = _local_naive(start)
    if period in ("minute", "5min", "15min"):
        return local.strftime("%Y-%m-%dT%H:%M")
    if period == "hour":
        return local.strftime("%Y-%m-%dT%H")
    if period == "day":
        return local.date().isoformat()
    if period == "week":
        year, week, _day = local.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return local.strftime("%Y-%m")


def parse_period_key(period: str, key: str) -> dt.datetime:
    """The local start of the period named by `key` (the inverse of `period_key`)."""
    _check(period)
    try:
        if period in ("minute", "5min", "15min"):
            naive = dt.datetime.strptime(key, "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - local wall time
        elif period == "hour":
            naive = dt.datetime.strptime(key, "%Y-%m-%dT%H")  # noqa: DTZ007
        elif period == "day":
            naive = dt.datetime.combine(dt.date.fromisoformat(key), dt.time())
        elif period == "week":
            year, week = key.split("-W")
            naive = dt.datetime.combine(dt.date.fromisocalendar(int(year), int(week), 1), dt.time())
        else:
            naive = dt.datetime.strptime(key + "-01", "%Y-%m-%d")  # noqa: DTZ007
    except ValueError as exc:
        raise ValueError(f"{key!r} is not a {period} period key") from exc
    start = _aware(naive)
    # A well-formed time that is not a period start ("08:17" for 5min) is refused too.
    if period_start(period, start) != start or period_key(period, start) != key:
        raise ValueError(f"{key!r} is not a {period} period key")
    return start


def period_bounds(period: str, key: str) -> tuple[dt.datetime, dt.datetime]:
    """Local [start, end) of the period named by `key`."""
    start = parse_period_key(period, key)
    return start, next_start(period, start)


def due_at(period: str, start: dt.datetime, at: dt.time | None) -> dt.datetime:
    """When the period starting at `start` may run: its start, or `at` local time on
    its first day."""
    if at is None:
        return start
    local = _local_naive(start)
    return _aware(local.replace(hour=at.hour, minute=at.minute, second=at.second))
