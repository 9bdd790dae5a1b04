"""Working-day arithmetic: the one place that knows which days are working days.

A day is a working day when it is a make-up working day (调休上班), or a Monday to
Friday that is not a holiday. A year is known when its `CalendarYear` is complete (the
State Council's notice is entered) or provisional (see below); any answer that depends
on another year (no record, not complete, or beyond the seeded range) raises
`CalendarYearNotSeeded` instead of guessing from the weekday.

Provisional years. Each year's notice is published only weeks before the year begins,
while time limits reach into it long before. A provisional year holds only the
statutory holidays the law fixes and no make-up working days (see `official.py`): the
answers it gives are an assumption, never a silent guess, so every answer that may
depend on one can be flagged. `provisional_years_between(a, b)` lists the provisional
years from a's year to b's year: for `result = add_working_days(start, n)` ask
`provisional_years_between(start, result)`, for `working_days_between(a, b)` ask
`provisional_years_between(a, b)`. Calendar-day arithmetic needs no calendar and
assumes nothing. Complete years never appear in that list, and everything else
behaves as before. Ask the same snapshot both questions (`cal = current_calendar()`)
so that an edit in between cannot split them.

Whoever stores a date computed through a provisional year (a due date counted in
working days) must store the flag with it and recompute the date once the year is
complete: edits of the calendar send `signals.calendar_changed` with the years edited,
inside the edit's transaction. Deadlines do this (`Deadline.provisional`, recomputed
by the `reladder` job).

Conventions (all dates are `datetime.date`):

- `add_working_days(start, n)`: the n-th working day after `start`, not counting
  `start` itself, whether or not `start` is a working day. n = 1 is the next working
  day; n = -1 the last working day before `start`; n = 0 returns `start` unchanged.
- `working_days_between(a, b)`: the working days in the half-open interval (a, b]:
  after `a`, up to and including `b`; negative, -(working days in (b, a]), when
  b < a; 0 when a == b. So `working_days_between(a, add_working_days(a, n)) == n`.
- `next_working_day(d)` is the first working day strictly after `d`;
  `working_day_on_or_after(d)` is `d` itself when it is a working day.
- `add_days(start, n, unit)` adds calendar or working days, as configuration chooses;
  calendar days need no calendar and never raise.

The table is loaded once per process into a `WorkCalendar` snapshot (flat arrays
indexed by day, so each answer is a few array reads). Edits bump `CalendarRevision`;
the editing process drops its snapshot at once, and every process compares the
revision at most every `REVISION_CHECK_SECONDS`. For bulk use, take one snapshot with
`current_calendar()` and call its methods, or use `add_days_many`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ApplicationError

# How stale another process's edit may look here, at most.
REVISION_CHECK_SECONDS = 5.0

_ONE_DAY = dt.timedelta(days=1)


class DayUnit(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


def _year_message(year: int) -> str:
    return gettext(
        "The working-day calendar for %(year)d has not been entered and confirmed yet. "
        "An administrator must enter that year's holidays and make-up working days and "
        "mark the year complete."
    ) % {"year": year}


_lazy_year_message = lazy(_year_message, str)


class CalendarYearNotSeeded(ApplicationError):
    """A date fell in a year that is neither complete nor provisional."""

    code = "calendar_year_not_seeded"
    http_status = 409
    default_message = _("The working-day calendar for that year has not been entered yet.")

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(_lazy_year_message(year), extra={"year": year})


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """An immutable snapshot of the calendar, from Jan 1 of the first known (complete or
    provisional) year to Dec 31 of the last. Years inside the span that are neither stay
    unknown."""

    revision: int
    first_ordinal: int
    complete_years: frozenset[int]
    provisional_years: frozenset[int]
    # complete_years | provisional_years: the years answered for.
    known_years: frozenset[int]
    # working[i] is 1 when the day first_ordinal + i is a working day.
    working: bytes
    # before[i]: working days strictly before day first_ordinal + i (one extra entry at
    # the end, so before[len] is the total).
    before: array[int]
    # ordinals[k]: the k-th working day of the span (0-based).
    ordinals: array[int]

    @classmethod
    def build(
        cls,
        *,
        revision: int,
        complete_years: Iterable[int],
        days: Iterable[tuple[dt.date, bool]],
        provisional_years: Iterable[int] = (),
    ) -> WorkCalendar:
        """`days` are the listed days, each with True for a make-up working day. A year
        in both `complete_years` and `provisional_years` counts as complete."""
        complete = frozenset(complete_years)
        provisional = frozenset(provisional_years) - complete
        years = complete | provisional
        if not years:
            return cls(revision, 0, complete, provisional, years, b"", array("q", [0]), array("q"))
        first = dt.date(min(years), 1, 1).toordinal()
        last = dt.date(max(years), 12, 31).toordinal()
        size = last - first + 1
        working = bytearray(size)
        for i in range(size):
            # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
            working[i] = 1 if (first + i - 1) % 7 < 5 else 0
        for day, works in days:
            i = day.toordinal() - first
            if 0 <= i < size:
                working[i] = 1 if works else 0
        before = array("q", [0]) * (size + 1)
        ordinals = array("q")
        count = 0
        for i in range(size):
            before[i] = count
            if working[i]:
                ordinals.append(first + i)
                count += 1
        before[size] = count
        return cls(revision, first, complete, provisional, years, bytes(working), before, ordinals)

    # --- checks --------------------------------------------------------------------

    def _require_year(self, year: int) -> None:
        if year not in self.known_years:
            raise CalendarYearNotSeeded(year)

    def _require_years(self, a: dt.date, b: dt.date) -> None:
        lo, hi = (a.year, b.year) if a <= b else (b.year, a.year)
        for year in range(lo, hi + 1):
            if year not in self.known_years:
                raise CalendarYearNotSeeded(year)

    def covers(self, year: int) -> bool:
        """Whether answers in `year` are given (complete or provisional)."""
        return year in self.known_years

    def is_provisional(self, year: int) -> bool:
        return year in self.provisional_years

    # --- assumptions ---------------------------------------------------------------

    def provisional_years_between(self, a: dt.date, b: dt.date) -> list[int]:
        """The provisional years from the earlier date's year to the later one's, in
        order: the assumptions an answer spanning `a` and `b` may rest on. Empty when
        every year in between is complete (or unknown: those raise in the arithmetic
        itself, never here)."""
        if not self.provisional_years:
            return []
        lo, hi = (a.year, b.year) if a <= b else (b.year, a.year)
        return [year for year in range(lo, hi + 1) if year in self.provisional_years]

    # --- single answers ------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        self._require_year(day.year)
        return self.working[day.toordinal() - self.first_ordinal] == 1

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        self._require_year(start.year)
        if n == 0:
            return start
        i = start.toordinal() - self.first_ordinal
        if n > 0:
            # before[i + 1] working days lie on or before start; the next one has that index.
            k = self.before[i + 1] + n - 1
            if k >= len(self.ordinals):
                raise CalendarYearNotSeeded(max(self.known_years) + 1)
        else:
            k = self.before[i] + n
            if k < 0:
                raise CalendarYearNotSeeded(min(self.known_years) - 1)
        result = dt.date.fromordinal(self.ordinals[k])
        if result.year != start.year:
            self._require_years(start, result)
        return result

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        self._require_years(a, b)
        if b < a:
            return -self.working_days_between(b, a)
        ia = a.toordinal() - self.first_ordinal
        ib = b.toordinal() - self.first_ordinal
        return self.before[ib + 1] - self.before[ia + 1]

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, -1)

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def add_days(self, start: dt.date, n: int, unit: str = DayUnit.CALENDAR) -> dt.date:
        if unit == DayUnit.CALENDAR:
            return start + dt.timedelta(days=n)
        if unit == DayUnit.WORKING:
            return self.add_working_days(start, n)
        raise ValueError(f"unknown day unit {unit!r}")

    # --- bulk ----------------------------------------------------------------------

    def add_days_many(self, starts: Sequence[dt.date], n: int, unit: str = DayUnit.CALENDAR) -> list[dt.date]:
        """`add_days` for many start dates with one offset, in order."""
        if unit == DayUnit.CALENDAR:
            delta = dt.timedelta(days=n)
            return [s + delta for s in starts]
        return [self.add_working_days(s, n) for s in starts]

    def working_days_in(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days from `first` to `last`, both included."""
        self._require_years(first, last)
        lo = self.before[first.toordinal() - self.first_ordinal]
        hi = self.before[last.toordinal() - self.first_ordinal + 1]
        return [dt.date.fromordinal(o) for o in self.ordinals[lo:hi]]


# --- the process-wide snapshot ---------------------------------------------------------


class _State:
    snapshot: WorkCalendar | None = None
    checked_at: float = 0.0


_state = _State()
_lock = threading.Lock()


def _read_revision() -> int:
    from .models import CalendarRevision

    number = CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    return int(number or 0)


def _load(revision: int) -> WorkCalendar:
    from .models import KNOWN_STATUSES, CalendarDay, CalendarYear, DayKind, YearStatus

    years = list(CalendarYear.objects.filter(status__in=KNOWN_STATUSES).values_list("year", "status"))
    days = [
        (day, kind == DayKind.MAKEUP_WORKDAY) for day, kind in CalendarDay.objects.values_list("date", "kind")
    ]
    return WorkCalendar.build(
        revision=revision,
        complete_years=[year for year, status in years if status == YearStatus.COMPLETE],
        provisional_years=[year for year, status in years if status == YearStatus.PROVISIONAL],
        days=days,
    )


def current_calendar(*, max_age: float | None = None) -> WorkCalendar:
    """The calendar snapshot, reloaded when the revision in the database has moved.

    The revision is compared at most every `max_age` seconds (`REVISION_CHECK_SECONDS`,
    read at each call); a job that must see an edit that has just committed elsewhere
    passes `max_age=0` (one cheap query).
    """
    if max_age is None:
        max_age = REVISION_CHECK_SECONDS
    snapshot = _state.snapshot
    now = time.monotonic()
    if snapshot is not None and now - _state.checked_at < max_age:
        return snapshot
    with _lock:
        snapshot = _state.snapshot
        if snapshot is not None and now - _state.checked_at < max_age:
            return snapshot
        # The revision is read before the rows: a snapshot is never older than its number.
        revision = _read_revision()
        if snapshot is None or snapshot.revision != revision:
            snapshot = _load(revision)
        _state.snapshot = snapshot
        _state.checked_at = now
        return snapshot


def invalidate() -> None:
    """Forget this process's snapshot; the next question reloads it."""
    with _lock:
        _state.snapshot = None
        _state.checked_at = 0.0


def invalidate_after_edit() -> None:
    """Called by every calendar edit inside its transaction.

    The snapshot is dropped at once (this connection then sees its own edit) and again
    on commit, because another thread of this process may have reloaded the old rows in
    between.
    """
    invalidate()
    transaction.on_commit(invalidate)


# --- module-level shortcuts ---------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    return current_calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return current_calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return current_calendar().working_days_between(a, b)


def next_working_day(day: dt.date) -> dt.date:
    return current_calendar().next_working_day(day)


def previous_working_day(day: dt.date) -> dt.date:
    return current_calendar().previous_working_day(day)


def working_day_on_or_after(day: dt.date) -> dt.date:
    return current_calendar().working_day_on_or_after(day)


def add_days(start: dt.date, n: int, unit: str = DayUnit.CALENDAR) -> dt.date:
    if unit == DayUnit.CALENDAR:
        return start + dt.timedelta(days=n)
    return current_calendar().add_days(start, n, unit)


def add_days_many(starts: Sequence[dt.date], n: int, unit: str = DayUnit.CALENDAR) -> list[dt.date]:
    return current_calendar().add_days_many(starts, n, unit)


def provisional_years_between(a: dt.date, b: dt.date) -> list[int]:
    return current_calendar().provisional_years_between(a, b)


__all__ = [
    "REVISION_CHECK_SECONDS",
    "CalendarYearNotSeeded",
    "DayUnit",
    "WorkCalendar",
    "add_days",
    "add_days_many",
    "add_working_days",
    "current_calendar",
    "invalidate",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
    "provisional_years_between",
    "working_day_on_or_after",
    "working_days_between",
]
