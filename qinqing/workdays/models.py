"""The working-day calendar: statutory holidays and make-up working days (调休).

A day not listed here follows the week: Monday to Friday work, Saturday and Sunday
rest. A listed day overrides that: a `holiday` rests even on a weekday, a
`makeup_workday` works even on a weekend. A year is known to the arithmetic when its
`CalendarYear` is complete (the State Council's notice is entered) or provisional (an
assumption until the notice is entered, flagged wherever it is used); arithmetic
touching any other year refuses to guess (see `calendar.py`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel

# The calendar covers the People's Republic's statutory holidays; earlier or far-future
# years are typing mistakes.
FIRST_YEAR = 1949
LAST_YEAR = 2200


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class HolidayName(models.TextChoices):
    """The festivals of the State Council's annual notice (《全国年节及纪念日放假办法》)."""

    NEW_YEAR = "new_year", _("New Year's Day")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    QINGMING = "qingming", _("Qingming Festival")
    LABOUR_DAY = "labour_day", _("Labour Day")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    NATIONAL_DAY = "national_day", _("National Day")
    NATIONAL_DAY_MID_AUTUMN = "national_day_mid_autumn", _("National Day and Mid-Autumn Festival")
    OTHER = "other", _("Other")


class YearStatus(models.TextChoices):
    """How far a year's arrangement can be relied on."""

    # Not usable: the days are being entered, or the year was withdrawn.
    INCOMPLETE = "incomplete", _("Not complete")
    # Usable, but an assumption: answers touching it are flagged (see calendar.py).
    PROVISIONAL = "provisional", _("Provisional")
    # The official arrangement, entered in full.
    COMPLETE = "complete", _("Complete")


# The statuses whose years the working-day arithmetic answers for.
KNOWN_STATUSES = (YearStatus.COMPLETE, YearStatus.PROVISIONAL)


class CalendarDay(TimeStampedModel):
    """One day that departs from the Monday-to-Friday week."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("festival"), max_length=32, choices=HolidayName.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DayKind.values), name="calendar_day_kind_valid"),
            models.CheckConstraint(condition=Q(name__in=HolidayName.values), name="calendar_day_name_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.get_name_display()}"


class CalendarYear(TimeStampedModel):
    """How far a year's arrangement is entered (and from which notice)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=YearStatus.choices, default=YearStatus.INCOMPLETE
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="calendar_year_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=YearStatus.values), name="calendar_year_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_complete(self) -> bool:
        return self.status == YearStatus.COMPLETE

    @property
    def is_provisional(self) -> bool:
        return self.status == YearStatus.PROVISIONAL


class CalendarRevision(models.Model):
    """One row whose number goes up with every edit of the calendar.

    Each process caches the calendar; it compares this number (cheaply, at most every
    few seconds) to notice edits made by other processes.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="calendar_revision_single_row")]

    def __str__(self) -> str:
        return f"calendar revision {self.number}"
