"""Due rules as pure functions: from a rule and the date its starting point happened to
the due date.

A rule is absolute (`due_fixed`) or relative: an offset after an anchor, in calendar
days, working days (through `qinqing.workdays.calendar`, which knows holidays and the
make-up working days 调休) or months (the same day of the month, clamped to the month's
end: one month after 31 January is 28 or 29 February). The anchor is another obligation
of the same project (its `met_on`, once met or partly met) or a project event (its
`occurred_on`). No anchor date yet: no due date.

No queries here; the services read the anchors and write the results.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
from collections.abc import Mapping

from qinqing.workdays.calendar import WorkCalendar, current_calendar

from .models import DueMode, DueUnit

# A due rule more than ten years from its anchor is a typing mistake.
MAX_OFFSET_DAYS = 3660
MAX_OFFSET_MONTHS = 120


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _gregorian.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def offset_date(anchor: dt.date, offset: int, unit: str, calendar: WorkCalendar | None = None) -> dt.date:
    """`anchor` plus `offset` in `unit`. Working days count as the foundation's
    calendar does: the n-th working day after the anchor, the anchor itself not counted.
    Raises `CalendarYearNotSeeded` when a working-day count reaches an unknown year."""
    if unit == DueUnit.CALENDAR:
        return anchor + dt.timedelta(days=offset)
    if unit == DueUnit.MONTHS:
        return add_months(anchor, offset)
    if unit == DueUnit.WORKING:
        return (calendar or current_calendar()).add_working_days(anchor, offset)
    raise ValueError(f"unknown due unit {unit!r}")


def anchor_date_of_obligation(*, met_on: dt.date | None) -> dt.date | None:
    """An obligation counts as a starting point from the day it was met (or partly met):
    `met_on` is set by a confirmed or decided claim and only then."""
    return met_on


def due_date_for(
    *,
    mode: str,
    due_fixed: dt.date | None,
    anchor_date: dt.date | None,
    offset: int,
    unit: str,
    calendar: WorkCalendar | None = None,
) -> dt.date | None:
    """The due date a rule gives, or None while its anchor has no date."""
    if mode == DueMode.ABSOLUTE:
        return due_fixed
    if anchor_date is None:
        return None
    return offset_date(anchor_date, offset, unit, calendar)


def find_cycle(start: int, anchor_of: Mapping[int, int | None]) -> bool:
    """Whether following `anchor_of` (obligation id → the obligation id it counts
    from) from `start` comes back to `start`."""
    seen: set[int] = set()
    node: int | None = anchor_of.get(start)
    while node is not None:
        if node == start:
            return True
        if node in seen:
            return False
        seen.add(node)
        node = anchor_of.get(node)
    return False


def dependents_in_order(roots: set[int], anchor_of: Mapping[int, int | None]) -> list[int]:
    """Every obligation counting, directly or through others, from one of `roots`,
    each after the obligations it counts from (breadth first)."""
    children: dict[int, list[int]] = {}
    for child, parent in anchor_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    order: list[int] = []
    seen: set[int] = set(roots)
    frontier = sorted(roots)
    while frontier:
        following: list[int] = []
        for node in frontier:
            for child in sorted(children.get(node, [])):
                if child not in seen:
                    seen.add(child)
                    order.append(child)
                    following.append(child)
        frontier = following
    return order


__all__ = [
    "MAX_OFFSET_DAYS",
    "MAX_OFFSET_MONTHS",
    "add_months",
    "anchor_date_of_obligation",
    "dependents_in_order",
    "due_date_for",
    "find_cycle",
    "offset_date",
]
