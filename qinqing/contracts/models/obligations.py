"""What is owed, by whom, by when, and how it is closed.

An `Obligation` comes from a clause and binds one side: the enterprise, or a named
government department. Its due date follows its due rule: a fixed date, or a number of
calendar days, working days or months after another obligation is met or a project
event happens. While that has not happened the obligation is `pending` (no due date).

Status moves only along `OBLIGATION_TRANSITIONS` (the services check it under a row
lock). Alarms are closed by a `RemedyPlan` (cause, remedy, new date) the committee
accepts or rejects; fulfilment is claimed with evidence (`FulfilmentClaim`) and
confirmed or disputed by the other side, a dispute decided by the committee.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel

from .projects import Clause, Project, ProjectEvent


class ObligorSide(models.TextChoices):
    ENTERPRISE = "enterprise", pgettext_lazy("obligor", "Enterprise")
    GOVERNMENT = "government", pgettext_lazy("obligor", "Government")


class ObligationKind(models.TextChoices):
    # The enterprise's side.
    INVESTMENT = "investment", _("Investment reached")
    CONSTRUCTION_START = "construction_start", _("Construction start")
    PRODUCTION_START = "production_start", _("Production start")
    OUTPUT_TARGET = "output_target", _("Output target")
    TAX_TARGET = "tax_target", _("Tax target")
    # The government's side.
    LAND_CLEARANCE = "land_clearance", _("Land clearance")
    LAND_DELIVERY = "land_delivery", _("Land delivery")
    PERMIT = "permit", _("Approval or permit issued")
    UTILITY_WATER = "utility_water", _("Water connection")
    UTILITY_POWER = "utility_power", _("Power connection")
    SUBSIDY = "subsidy", _("Subsidy paid")
    OTHER = "other", pgettext_lazy("obligation kind", "Other")


class DueMode(models.TextChoices):
    ABSOLUTE = "absolute", _("On a fixed date")
    RELATIVE = "relative", _("Counted from another obligation or an event")


class DueUnit(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")
    MONTHS = "months", _("months")


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for its starting point")
    OPEN = "open", pgettext_lazy("obligation", "Open")
    CLAIMED = "claimed", _("Fulfilment claimed")
    DISPUTED = "disputed", _("Disputed")
    PARTLY_MET = "partly_met", _("Partly met")
    # Contexts: other apps' catalogues translate the bare words differently ("Met" is
    # 已按期完成 for a deadline), and the first catalogue holding a msgid wins.
    MET = "met", pgettext_lazy("obligation status", "Met")
    CANCELLED = "cancelled", pgettext_lazy("obligation", "Cancelled")


# Still owed: counted as open on the dashboards and climbing the ladder (pending ones
# have no date yet and do not climb).
OPEN_STATUSES = frozenset(
    {ObligationStatus.PENDING, ObligationStatus.OPEN, ObligationStatus.CLAIMED, ObligationStatus.DISPUTED}
)

# Owed with a date: what climbs the ladder and counts as overdue once past its date.
OWED_STATUSES = frozenset({ObligationStatus.OPEN, ObligationStatus.CLAIMED, ObligationStatus.DISPUTED})

OBLIGATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ObligationStatus.PENDING: frozenset({ObligationStatus.OPEN, ObligationStatus.CANCELLED}),
    ObligationStatus.OPEN: frozenset({ObligationStatus.CLAIMED, ObligationStatus.CANCELLED}),
    ObligationStatus.CLAIMED: frozenset(
        {
            ObligationStatus.MET,
            ObligationStatus.PARTLY_MET,
            ObligationStatus.DISPUTED,
            ObligationStatus.OPEN,  # the claim withdrawn
        }
    ),
    ObligationStatus.DISPUTED: frozenset(
        {ObligationStatus.MET, ObligationStatus.PARTLY_MET, ObligationStatus.OPEN}
    ),
    # A partly met target may still be met in full by a later claim.
    ObligationStatus.PARTLY_MET: frozenset({ObligationStatus.CLAIMED, ObligationStatus.CANCELLED}),
}


class Obligation(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="obligations")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="obligations")
    obligor_side = models.CharField(_("obligor"), max_length=16, choices=ObligorSide.choices)
    # The department that owes it, for the government's side.
    obligor_department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_obligations",
        verbose_name=_("obligor department"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ObligationKind.choices)
    title = models.CharField(_("obligation"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    # The due rule.
    due_mode = models.CharField(_("due rule"), max_length=16, choices=DueMode.choices)
    due_fixed = models.DateField(_("fixed due date"), null=True, blank=True)
    anchor_obligation = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("counted from obligation"),
    )
    anchor_event = models.ForeignKey(
        ProjectEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("counted from event"),
    )
    offset = models.IntegerField(_("within"), default=0)
    offset_unit = models.CharField(
        _("unit"), max_length=16, choices=DueUnit.choices, default=DueUnit.CALENDAR
    )

    # The date the ladder climbs to (empty while pending): the rule's, or a later one an
    # accepted remedy plan set. And the contract's: what the rule gives (it follows the
    # starting point and the rule), never moved by a plan. Lateness is judged against it.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)

    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("target unit"), max_length=20, blank=True)
    achieved_value = models.DecimalField(
        _("achieved"), max_digits=18, decimal_places=2, null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.PENDING
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    # Calendar days between the met date and the contract's due date
    # (`original_due_date`): positive when early, negative when late, even when met by
    # a remedy plan's date.
    days_early = models.IntegerField(_("days early"), null=True, blank=True)
    # The open item on the deadline ladder while the obligation is owed with a date.
    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped by every change of state: an action names the revision it was taken on.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "due_date", "position", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ObligationStatus.values), name="obligation_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=ObligationKind.values), name="obligation_kind_valid"),
            models.CheckConstraint(
                condition=(Q(obligor_side=ObligorSide.ENTERPRISE) & Q(obligor_department__isnull=True))
                | (Q(obligor_side=ObligorSide.GOVERNMENT) & Q(obligor_department__isnull=False)),
                name="obligation_obligor_consistent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(due_mode=DueMode.ABSOLUTE)
                    & Q(due_fixed__isnull=False)
                    & Q(anchor_obligation__isnull=True)
                    & Q(anchor_event__isnull=True)
                )
                | (
                    Q(due_mode=DueMode.RELATIVE)
                    & Q(due_fixed__isnull=True)
                    & (
                        (Q(anchor_obligation__isnull=False) & Q(anchor_event__isnull=True))
                        | (Q(anchor_obligation__isnull=True) & Q(anchor_event__isnull=False))
                    )
                ),
                name="obligation_due_rule_consistent",
            ),
            models.CheckConstraint(
                condition=Q(offset_unit__in=DueUnit.values), name="obligation_offset_unit_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ObligationStatus.MET, ObligationStatus.PARTLY_MET])
                | Q(met_on__isnull=False),
                name="obligation_met_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status=ObligationStatus.PENDING)
                | Q(due_date__isnull=False)
                | Q(status=ObligationStatus.CANCELLED),
                name="obligation_dated_unless_pending",
            ),
            # A dated obligation always knows the contract's date beside it.
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(original_due_date__isnull=False),
                name="obligation_contract_date_kept",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="obligation_project_status"),
            models.Index(fields=["obligor_department", "status"], name="obligation_department_status"),
            models.Index(fields=["status", "due_date"], name="obligation_status_due"),
        ]

    def __str__(self) -> str:
        return self.title


class DueChangeReason(models.TextChoices):
    FIRST_DATED = "first_dated", _("Its starting point happened")
    ANCHOR_MOVED = "anchor_moved", _("Its starting point moved")
    RULE_CHANGED = "rule_changed", _("Its due rule was changed")
    PLAN_ACCEPTED = "plan_accepted", _("A remedy plan was accepted")


class DueDateChange(models.Model):
    """Every change of an obligation's due date, with its cause."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="due_changes")
    old_date = models.DateField(_("old due date"), null=True, blank=True)
    new_date = models.DateField(_("new due date"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=DueChangeReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["obligation", "changed_at", "id"]
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=DueChangeReason.values), name="due_change_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id}: {self.old_date} → {self.new_date}"


class MissedDateMove(models.Model):
    """The contract's date of an obligation already missed (passed unmet), moved because
    the date of its starting point changed: an event's date corrected ("the land was in
    fact delivered later", `event`), or an anchor obligation's met date set anew by a
    fulfilment claim confirmed or decided (`claim`). Allowed, never silent: the reason is
    required (a claim decided gives the decision's), kept here beside both dates, and
    counted on the dashboards (`reports`)."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="missed_date_moves")
    # What moved the starting point: exactly one of the two.
    event = models.ForeignKey(ProjectEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claim = models.ForeignKey(
        "FulfilmentClaim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The contract's date that had passed unmet, and the one the new starting date gives.
    old_date = models.DateField(_("missed contract date"))
    new_date = models.DateField(_("new contract date"))
    # The starting point's date before and after: the event's, or the anchor obligation's
    # met date.
    anchor_old_date = models.DateField(_("starting point's date before"), null=True, blank=True)
    anchor_new_date = models.DateField(_("starting point's date after"))
    reason = models.CharField(_("reason"), max_length=2000)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"))

    class Meta:
        ordering = ["obligation", "moved_at", "id"]
        verbose_name = _("contract date moved after a miss")
        verbose_name_plural = _("contract dates moved after a miss")
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_date=models.F("new_date")), name="missed_date_move_moves"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="missed_date_move_has_reason"),
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(claim__isnull=True))
                | (Q(event__isnull=True) & Q(claim__isnull=False)),
                name="missed_date_move_one_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id}: {self.old_date} → {self.new_date}"


class MissedDateKept(models.Model):
    """The contract's date of an obligation already missed, kept when a change of the
    working-day calendar (a holiday or make-up day entered, a provisional year confirmed)
    makes its rule give another date. The miss happened against the calendar in force
    then, the ladder's alerts were sent for it, and no one is accountable for a calendar
    edit reaching back into it: so the date stays the contract's and lateness is still
    judged by it, and the date the changed calendar gives is kept here, once per pair of
    dates (`recompute.obligations_redate_years` may run twice)."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="missed_dates_kept")
    missed_date = models.DateField(_("missed contract date"))
    calendar_date = models.DateField(_("date the changed calendar gives"))
    years = models.CharField(_("calendar years changed"), max_length=100)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["obligation", "recorded_at", "id"]
        verbose_name = _("missed contract date kept after a calendar change")
        verbose_name_plural = _("missed contract dates kept after a calendar change")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "missed_date", "calendar_date"], name="missed_date_kept_once"
            ),
            models.CheckConstraint(
                condition=~Q(missed_date=models.F("calendar_date")), name="missed_date_kept_differs"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id}: {self.missed_date} (≠ {self.calendar_date})"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the other side")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    DECIDED = "decided", _("Decided by the committee")
    WITHDRAWN = "withdrawn", pgettext_lazy("claim", "Withdrawn")


class ClaimOutcome(models.TextChoices):
    MET = "met", pgettext_lazy("claim outcome", "Met")
    PARTLY_MET = "partly_met", pgettext_lazy("claim outcome", "Partly met")
    NOT_MET = "not_met", pgettext_lazy("claim outcome", "Not met")


CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.PENDING: frozenset({ClaimStatus.CONFIRMED, ClaimStatus.DISPUTED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.DISPUTED: frozenset({ClaimStatus.DECIDED}),
}


class FulfilmentClaim(TimeStampedModel):
    """The obligor says it is done (on `met_on`, reaching `achieved_value`), with evidence;
    the other side confirms or disputes; the committee decides a dispute."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ClaimOutcome.choices, blank=True)
    met_on = models.DateField(_("met on"))
    achieved_value = models.DecimalField(
        _("achieved"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["obligation", "claimed_at", "id"]
        verbose_name = _("fulfilment claim")
        verbose_name_plural = _("fulfilment claims")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ClaimOutcome.values), name="claim_outcome_valid"
            ),
            # One claim in play per obligation.
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status__in=[ClaimStatus.PENDING, ClaimStatus.DISPUTED]),
                name="claim_one_in_play",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.met_on.isoformat()}"


class ClaimEvidence(models.Model):
    """A document backing a claim: stored under a generated name, served only as an
    attachment (`qinqing.policies.uploads` checks the content)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(FulfilmentClaim, on_delete=models.CASCADE, related_name="evidence")
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the committee")
    ACCEPTED = "accepted", pgettext_lazy("remedy plan", "Accepted")
    REJECTED = "rejected", pgettext_lazy("remedy plan", "Rejected")


class RemedyPlan(TimeStampedModel):
    """The obligor's answer to an alarm: the cause, the remedy and a new date. The
    committee accepts it (the due date moves, the original stays beside it) or rejects
    it (the alarm stays open until a better plan)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="plans")
    # The due date whose alarm this answers.
    due_date = models.DateField(_("due date answered"))
    cause = models.TextField(_("cause"))
    remedy = models.TextField(_("remedy"))
    proposed_date = models.DateField(_("new date"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["obligation", "submitted_at", "id"]
        verbose_name = _("remedy plan")
        verbose_name_plural = _("remedy plans")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.UniqueConstraint(
                fields=["obligation"], condition=Q(status=PlanStatus.SUBMITTED), name="plan_one_awaiting"
            ),
            models.CheckConstraint(
                condition=Q(proposed_date__gt=models.F("due_date")), name="plan_moves_date_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} → {self.proposed_date.isoformat()}"
