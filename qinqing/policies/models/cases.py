"""Cases under a policy: how an enterprise is invited, applies, and is approved and paid.

A `Case` is one enterprise's claim under one policy for one period (once, or a year).
It walks the policy's steps (`CaseStep`, one row per step and attempt, each with its
start, deadline and end); money leaves through a payment instruction of the payments
app keyed by the case. The transitions are declared once here (`CASE_TRANSITIONS`)
and made only by the services in `qinqing/policies/services/cases.py`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel

from ..public_ids import uuid7
from .catalogue import Policy, PolicyVersion, StepKind

ZERO = Decimal("0.00")


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    # The policy was withdrawn, its window ended, or the enterprise no longer qualifies.
    LAPSED = "lapsed", _("Lapsed")


class InvitationLapse(models.TextChoices):
    """Why an open invitation lapsed: said to the enterprise beside the status."""

    WITHDRAWN = "withdrawn", _("The policy was withdrawn.")
    ENDED = "ended", _("The policy's window or the invitation's period has ended.")
    NOT_ELIGIBLE = (
        "not_eligible",
        _("On the registry's data or the amended rule, the enterprise no longer qualifies."),
    )
    # Made before invitations were only 免申即享's: an application-mode policy is applied
    # for with its form, and confirming an invitation to it is refused.
    APPLICATION = "application", _("The policy takes applications: apply with its form.")


class Invitation(models.Model):
    """A match found by the platform (政策找企): the enterprise qualifies on the registry's
    data and is invited to confirm (proactive policies) or to apply."""

    # Time-ordered: a match's thousands of new ids append to the unique index (public_ids.py).
    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    # No single-column indexes on the foreign keys: every index is one more B-tree
    # insertion per invitation, and a match writes tens of thousands. `policy` leads the
    # unique (policy, enterprise, period) index and `enterprise` leads (enterprise,
    # status); versions are never deleted (no service or admin does), so nothing looks
    # invitations up by version.
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="invitations", db_index=False)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+", db_index=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="invitations", db_index=False
    )
    period = models.CharField(_("period"), max_length=8)
    award = models.DecimalField(_("award"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    created_at = models.DateTimeField(_("matched at"), db_index=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Set with LAPSED, empty otherwise (held by a constraint). A database default too: a
    # match writes its invitations with one INSERT … SELECT that names no reason.
    lapsed_reason = models.CharField(
        _("why it lapsed"),
        max_length=16,
        choices=InvitationLapse.choices,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "period"], name="policies_invitation_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="policies_invitation_status_valid"
            ),
            models.CheckConstraint(condition=Q(award__gte=0), name="policies_invitation_award_nonneg"),
            models.CheckConstraint(
                condition=Q(status=InvitationStatus.LAPSED, lapsed_reason__in=InvitationLapse.values)
                | (~Q(status=InvitationStatus.LAPSED) & Q(lapsed_reason="")),
                name="policies_invitation_lapse_reason",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status"], name="policies_invitation_ent_status")]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.enterprise_id}/{self.period}"


class CaseOrigin(models.TextChoices):
    INVITATION = "invitation", _("Confirmed invitation")
    APPLICATION = "application", _("Application")


class CaseStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("Under review")
    # Returned for more materials: the step's clock stands still until the answer.
    RETURNED = "returned", _("Returned for materials")
    PAYING = "paying", _("Approved, payment under way")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    REJECTED = "rejected", _("Rejected")
    # An objection (异议) to a rejection, waiting for an officer who took no part.
    APPEALED = "appealed", _("Objection lodged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The only moves a case may make; `case_transition` checks against this table.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.IN_REVIEW: frozenset(
        {
            CaseStatus.IN_REVIEW,
            CaseStatus.RETURNED,
            CaseStatus.PAYING,
            CaseStatus.REJECTED,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.RETURNED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.WITHDRAWN}),
    CaseStatus.PAYING: frozenset({CaseStatus.PAID, CaseStatus.PAYMENT_FAILED}),
    # Money that arrives after a failure was reported is still money paid.
    CaseStatus.PAYMENT_FAILED: frozenset({CaseStatus.PAYING, CaseStatus.PAID}),
    CaseStatus.REJECTED: frozenset({CaseStatus.APPEALED}),
    CaseStatus.APPEALED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.REJECTED}),
    CaseStatus.PAID: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}
# Open cases: they hold the (policy, enterprise, period) slot and count against caps.
OPEN_OR_DECIDED = [s for s in CaseStatus.values if s != CaseStatus.WITHDRAWN]


class Case(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("case number"), max_length=32, unique=True, null=True, blank=True)
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="cases")
    # The rule version the case was judged by; kept even if the policy is edited later.
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="cases")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="cases")
    # The issuing department, copied so that scoping needs no join.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="policy_cases"
    )
    period = models.CharField(_("period"), max_length=8)
    origin = models.CharField(_("origin"), max_length=16, choices=CaseOrigin.choices)
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    # Bumped by every transition: an action names the revision it was taken on, so of
    # two officers acting at once the second is told the case moved under them.
    revision = models.PositiveIntegerField(default=1)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    # The policy's steps as they were when the case opened: a later edit of the policy
    # does not move a case between steps.
    steps_plan = models.JSONField(_("approval steps"), default=list)
    facts = models.JSONField(_("application facts"), default=dict, blank=True)
    # The rule's award and the award after the per-enterprise cap.
    award_computed = models.DecimalField(_("award by the rule"), max_digits=14, decimal_places=2)
    award = models.DecimalField(_("award"), max_digits=14, decimal_places=2)
    # The per-condition explanation of the decision (qinqing.policies.rules.evaluate).
    explanation = models.JSONField(_("explanation"), default=dict)
    reserved = models.DecimalField(_("budget reserved"), max_digits=14, decimal_places=2, default=ZERO)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    reason = models.TextField(_("reason of the last decision"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # One case per policy, enterprise and period; a withdrawn one frees the slot.
            models.UniqueConstraint(
                fields=["policy", "enterprise", "period"],
                condition=~Q(status="withdrawn"),
                name="policies_case_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="policies_case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=CaseOrigin.values), name="policies_case_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(award__gte=0) & Q(award_computed__gte=0) & Q(reserved__gte=0),
                name="policies_case_money_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("award")), name="policies_case_reserved_le_award"
            ),
        ]
        indexes = [
            # With `id`: the work queue's count reads a department's cases under review
            # from the index alone (a key column, not INCLUDE, which SQLite lacks).
            models.Index(fields=["organisation", "status", "id"], name="policies_case_org_status"),
            models.Index(fields=["enterprise", "status"], name="policies_case_ent_status"),
            models.Index(fields=["policy", "status"], name="policies_case_policy_status"),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.public_id)


class StepOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    # Ended without a decision: the case was withdrawn, or the step is redone.
    CLOSED = "closed", _("Closed")


class CaseStep(models.Model):
    """One step of one case, once per attempt (an upheld objection redoes a step)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    # The case's issuing department, copied when the step starts (a case never changes
    # department): the work queue walks its department's open steps in deadline order
    # through `policies_step_queue` and stops at a page, instead of joining every case.
    # No index of its own: the queue's partial index leads with it, and an organisation
    # holding cases cannot be deleted anyway (`Case.organisation` protects it).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    key = models.CharField(max_length=32)
    name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    role = models.CharField(max_length=32)
    limit_days = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    due_date = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=StepOutcome.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who is warned before the deadline: chosen when the step starts among those allowed.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "position", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position", "attempt"], name="policies_step_unique"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=StepOutcome.values),
                name="policies_step_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["ended_at", "due_date"], name="policies_step_open_due"),
            # The work queue: a department's open steps, nearest deadline first; the
            # page walks it in order and stops at 50, the count reads it alone (role,
            # kind and case are trailing key columns for that: SQLite has no INCLUDE).
            models.Index(
                fields=["organisation", "due_date", "started_at", "id", "role", "kind", "case"],
                condition=Q(ended_at__isnull=True),
                name="policies_step_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.position}.{self.attempt}"


class CaseMaterial(models.Model):
    """An uploaded document: stored under a generated name, served only as an attachment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField(_("material"), max_length=64)
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
        ordering = ["case", "key", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CaseReturn(models.Model):
    """A request for more materials (补正): the step's clock stops until the answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="returns")
    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="returns")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    request = models.TextField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.requested_at:%Y-%m-%d}"


class ObjectionKind(models.TextChoices):
    # The enterprise objects to its rejection; an officer who took no part decides.
    APPEAL = "appeal", _("Objection to a rejection")
    # Anyone objects to an award during its public notice (公示).
    NOTICE = "notice", _("Objection during public notice")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objections")
    kind = models.CharField(max_length=16, choices=ObjectionKind.choices)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    text = models.TextField(_("grounds"))
    lodged_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    # The decision's reason, for the public: the enterprise reads it, and so does the
    # objector following the objection with the receipt code.
    reply = models.TextField(_("reply"), blank=True)
    # SHA-256 of the receipt code given to whoever objected through the public notice
    # (signed in or not): with it, the follow page shows the state and the decision.
    receipt_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # SHA-256 of who sent it and the form's or the API call's idempotency key: the same
    # form sent twice lodges one objection (as the ledger's `Problem.idempotency_key`).
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Who answers for it (warned before its deadline; any official who took no part may
    # still decide it), and by when: chosen when it is lodged.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("decide by"), null=True, blank=True)
    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "lodged_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ObjectionKind.values), name="policies_objection_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ObjectionStatus.values), name="policies_objection_status_valid"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="policies_objection_idempotency_key_unique",
            ),
        ]
        indexes = [
            # The officials' list of objections to decide: a department's open ones by date.
            models.Index(
                fields=["due_date", "id"],
                name="policies_objection_open",
                condition=Q(status="open"),
            ),
            # The follow page looks an objection up by its receipt; appeals have none.
            models.Index(
                fields=["receipt_hash"],
                name="policies_objection_receipt",
                condition=~Q(receipt_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"
