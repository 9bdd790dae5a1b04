"""Deadlines and their ladder: reminder (提醒) → warning (预警) → alarm (警报) →
escalation (升级).

Any record with a due date (a policy approval step, a contract obligation, a ledger
problem) is tracked by one `Deadline` row. Its ladder's rung dates are computed when
the deadline is opened, moved or resumed (`DeadlineRungDate`), so that the daily scan
is pure SQL over the few rows whose `next_rung_on` has come. Each rung fires at most
once per due date: `Alert` is UNIQUE (deadline, rung, due_date).

A deadline whose due date or rung dates reach into a provisional calendar year (see
`qinqing.workdays.calendar`) is marked `provisional`; when that year's calendar is
edited or marked complete, the `reladder` job recomputes it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel
from qinqing.workdays.calendar import DayUnit


class RungName(models.TextChoices):
    """The rungs, from mildest to most severe (the declaration order is the severity)."""

    REMINDER = "reminder", _("Reminder")
    WARNING = "warning", _("Warning")
    ALARM = "alarm", _("Alarm")
    ESCALATION = "escalation", _("Escalation")


SEVERITY: dict[str, int] = {name: rank for rank, name in enumerate(RungName.values)}
URGENT_RUNGS = frozenset({RungName.ALARM, RungName.ESCALATION})


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


# The only transitions of a deadline's status: an open item is met or cancelled, once.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    DeadlineStatus.OPEN: frozenset({DeadlineStatus.MET, DeadlineStatus.CANCELLED}),
}


class LadderOverride(TimeStampedModel):
    """An admin's replacement for the rungs a kind declares in code."""

    kind = models.CharField(_("kind"), max_length=64, unique=True)
    # [{"name": "warning", "offset": -3, "unit": "working"}, ...]
    rungs = models.JSONField(_("rungs"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("ladder override")
        verbose_name_plural = _("ladder overrides")

    def __str__(self) -> str:
        return self.kind


def deadline_label(*, title: str, kind: str, object_type: str, object_id: str) -> str:
    """How a deadline is named to people: its title, else what it tracks."""
    return title or f"{kind} {object_type}:{object_id}"


class Deadline(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    # The tracked record, named loosely so that any app can be tracked.
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("organisation"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    original_due_date = models.DateField(_("original due date"))
    # The unit the time limit counts in; a pause pushes the due date by the paused
    # days in this unit.
    clock_unit = models.CharField(_("clock"), max_length=16, choices=DayUnit.choices, default=DayUnit.WORKING)
    status = models.CharField(
        _("status"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    paused = models.BooleanField(_("paused"), default=False)
    # Replaces the kind's rungs for this one item.
    ladder_override = models.JSONField(_("ladder override"), null=True, blank=True)
    last_rung = models.CharField(_("last rung reached"), max_length=16, choices=RungName.choices, blank=True)
    next_rung = models.CharField(_("next rung"), max_length=16, choices=RungName.choices, blank=True)
    next_rung_on = models.DateField(_("next rung on"), null=True, blank=True)
    # Its due date or a rung date lies in (or its dates span) a provisional calendar
    # year: the dates rest on an assumption until the State Council's notice is entered.
    # A database default too, for rows written by raw SQL (bench/deadlines_scan.py).
    provisional = models.BooleanField(_("provisional"), default=False, db_default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeadlineStatus.values), name="deadline_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(clock_unit__in=DayUnit.values), name="deadline_clock_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(last_rung="") | Q(last_rung__in=RungName.values), name="deadline_last_rung_valid"
            ),
            models.CheckConstraint(
                condition=Q(next_rung="") | Q(next_rung__in=RungName.values), name="deadline_next_rung_valid"
            ),
            # Only an open item climbs; a closed one has nothing left to fire.
            models.CheckConstraint(
                condition=Q(status=DeadlineStatus.OPEN) | Q(next_rung_on__isnull=True, paused=False),
                name="deadline_closed_is_still",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=Q(status=DeadlineStatus.OPEN),
                name="deadline_one_open_per_record",
            ),
        ]
        indexes = [
            # The daily scan: WHERE status='open' AND NOT paused AND next_rung_on <= today
            # reads only the few rows crossing today, however many items are open.
            models.Index(
                fields=["next_rung_on"],
                condition=Q(status=DeadlineStatus.OPEN, paused=False),
                name="deadline_scan",
            ),
            models.Index(fields=["object_type", "object_id"], name="deadline_record"),
            models.Index(fields=["organisation", "status", "due_date"], name="deadline_org_status"),
        ]

    def __str__(self) -> str:
        return deadline_label(
            title=self.title, kind=self.kind, object_type=self.object_type, object_id=self.object_id
        )


class DeadlineRungDate(models.Model):
    """When each rung of an item's ladder falls for its current due date.

    `position` orders the rungs by date (then severity). `spent` marks a rung that
    already fired in this cycle under an earlier due date or ladder (before a pause
    pushed the due date, or before an admin changed the kind's rungs): it does not
    fire again.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="rung_dates")
    rung = models.CharField(max_length=16, choices=RungName.choices)
    position = models.PositiveSmallIntegerField()
    on_date = models.DateField()
    spent = models.BooleanField(default=False)

    class Meta:
        ordering = ["deadline_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "rung"], name="deadline_rung_once"),
            models.CheckConstraint(condition=Q(rung__in=RungName.values), name="deadline_rung_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.rung} {self.on_date.isoformat()}"


class DeadlinePause(TimeStampedModel):
    """A clock stop: from `start` (inclusive) to `end` (exclusive; open while null)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField(_("paused from"))
    end = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    # Days the due date was pushed on resuming, in the deadline's clock unit.
    pushed_days = models.IntegerField(_("days added"), null=True, blank=True)
    pushed_unit = models.CharField(max_length=16, choices=DayUnit.choices, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["deadline_id", "start", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"], condition=Q(end__isnull=True), name="deadline_one_open_pause"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="pause_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.start.isoformat()}–{self.end.isoformat() if self.end else ''}"


class Alert(models.Model):
    """A rung reached: written once by the scan, never changed."""

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="alerts")
    rung = models.CharField(_("rung"), max_length=16, choices=RungName.choices)
    due_date = models.DateField(_("due date"))
    # The day the rung fell on, and the day the scan found it (later after an outage).
    rung_on = models.DateField(_("rung date"))
    fired_on = models.DateField(_("fired on"))
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        ordering = ["-fired_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # What makes each rung fire exactly once per due date, across concurrent and
            # repeated scans.
            models.UniqueConstraint(
                fields=["deadline", "rung", "due_date"], name="alert_once_per_rung_and_due_date"
            ),
            models.CheckConstraint(condition=Q(rung__in=RungName.values), name="alert_rung_valid"),
        ]
        indexes = [models.Index(fields=["fired_on"], name="alert_fired_on")]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.rung} {self.due_date.isoformat()}"
