"""A problem that hinders the business environment, and everything that happens to it.

`Problem.status` moves only along `PROBLEM_TRANSITIONS` (checked by the services under
a row lock). Every move also writes a `ProblemTransition` row holding the status, the
responsible department and the due date *after* the move: reports read the ledger as it
stood at the end of their period from these rows, so a report of a past period gives
the same figures whatever happened since (a problem closed in March and reopened in
May still counts as closed in the first quarter's report).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel

from .choices import (
    QUEUE_STATUSES,
    Category,
    Channel,
    DeadlineMode,
    Institutional,
    Outcome,
    OutcomeKind,
    ProblemStatus,
    ReferralLevel,
    ReturnVisitMode,
    ReturnVisitPurpose,
    Severity,
    UpdateKind,
)
from .intake import Campaign, CampaignTopic, MonitoringPoint, Observer, WalkThrough


class Problem(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # TZ + year + seven digits, given once the row has its id: what people quote.
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"))
    location = models.CharField(_("where"), max_length=200, blank=True)

    # Where it came from.
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )
    topic = models.ForeignKey(
        CampaignTopic, on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )
    walk_through = models.ForeignKey(
        WalkThrough, on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )
    monitoring_point = models.ForeignKey(
        MonitoringPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )
    observer = models.ForeignKey(
        Observer, on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )

    # Who reported it: a logged-in user (and the enterprise they speak for), or a
    # person reporting through a monitoring point's link, who follows it with a receipt.
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_reported",
        verbose_name=_("reported by"),
    )
    reporter_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_problems",
        verbose_name=_("enterprise concerned"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=50, blank=True)
    # Hidden from the department: only the supervising group sees who reported.
    hide_reporter = models.BooleanField(_("hide my name from the department"), default=False)
    # SHA-256 of the receipt code given to a reporter without an account.
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # SHA-256 of who sent it (the user, or the monitoring point) and the form's or the
    # API call's idempotency key: the same form sent twice registers one problem.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    # Who owns it. Before assignment: the node that receives it (a commission); after:
    # the lead responsible department. Every record belongs to one node.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_problems",
        verbose_name=_("responsible department"),
    )
    intake = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_intake",
        verbose_name=_("received by"),
    )
    co_departments = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="ledger_co_problems",
        verbose_name=_("also responsible"),
    )
    # The stationed supervision group that verifies the fix (组长督整改).
    supervising_group = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_supervised",
        verbose_name=_("supervising group"),
    )

    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subcategory = models.CharField(_("sub-type"), max_length=32, blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MINOR
    )
    institutional = models.CharField(
        _("institutional"), max_length=16, choices=Institutional.choices, default="", blank=True
    )

    deadline_mode = models.CharField(
        _("time limit"), max_length=16, choices=DeadlineMode.choices, default=DeadlineMode.WORKING_DAYS
    )
    deadline_days = models.PositiveSmallIntegerField(_("working days to fix"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=24, choices=ProblemStatus.choices, default=ProblemStatus.REGISTERED
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default="", blank=True)
    # Raised by every action; an action names the revision it was taken on.
    revision = models.PositiveIntegerField(default=1)

    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    referred_level = models.CharField(
        _("referred to"), max_length=16, choices=ReferralLevel.choices, blank=True
    )
    referred_to = models.CharField(_("referred to whom"), max_length=200, blank=True)
    # Why it was referred, partly fixed, withdrawn or sent back last.
    reason = models.TextField(_("reason"), blank=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    # The local day of the submission the supervising group accepted: against the due
    # date it says whether the fix was on time.
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The reporter may reopen a closed problem until this day.
    reopen_until = models.DateField(_("may be reopened until"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    send_back_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The department, not the reporter, asked for the withdrawal: checked by a call back.
    withdrawal_flagged = models.BooleanField(_("withdrawal asked by the department"), default=False)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="ledger_problem_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="ledger_problem_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="ledger_problem_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="ledger_problem_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(institutional__in=Institutional.values), name="ledger_problem_institutional_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="ledger_problem_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="ledger_problem_satisfaction_1_to_5",
            ),
            # A verified or closed problem says how far it was fixed; nothing else does.
            models.CheckConstraint(
                condition=(Q(status__in=[ProblemStatus.VERIFIED, ProblemStatus.CLOSED]) & ~Q(outcome=""))
                | (~Q(status__in=[ProblemStatus.VERIFIED, ProblemStatus.CLOSED]) & Q(outcome="")),
                name="ledger_problem_outcome_iff_verified",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ledger_problem_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status=ProblemStatus.MERGED, duplicate_of__isnull=False)
                | (~Q(status=ProblemStatus.MERGED) & Q(duplicate_of__isnull=True)),
                name="ledger_problem_merged_names_original",
            ),
        ]
        indexes = [
            # The department's queue: the problems on its clock, by deadline; partial, so
            # that a page of the queue is read in order from the index (no sort of them all).
            models.Index(
                fields=["organisation", "due_date", "id"],
                name="ledger_problem_queue",
                condition=Q(status__in=QUEUE_STATUSES),
            ),
            models.Index(fields=["supervising_group", "status"], name="ledger_problem_group"),
            models.Index(fields=["intake", "status"], name="ledger_problem_intake"),
            models.Index(fields=["reporter_user", "registered_at"], name="ledger_problem_reporter"),
            models.Index(fields=["reporter_enterprise", "registered_at"], name="ledger_problem_enterprise"),
            models.Index(fields=["channel", "registered_at"], name="ledger_problem_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.title}"


class ProblemTransition(models.Model):
    """One move of a problem's status, with the department, due date and classification
    after it; a reclassification is a row too (its status unchanged, action "classify").

    Append-only; the reports' view of the past. `at` is when it happened (the demo's
    clock for demo history). Rows written before the classification was kept carry an
    empty category: the reports then read the problem's own."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField()
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    category = models.CharField(max_length=16, blank=True, default="", db_default="")
    severity = models.CharField(max_length=16, blank=True, default="", db_default="")
    institutional = models.CharField(max_length=16, blank=True, default="", db_default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["problem_id", "at", "id"]
        indexes = [
            # "The last move of each problem at or before the period's end."
            models.Index(fields=["problem", "at", "id"], name="ledger_transition_asof"),
            models.Index(fields=["at"], name="ledger_transition_at"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_status} → {self.to_status}"


class ProblemUpdate(TimeStampedModel):
    """The problem's story: progress, submissions, send-backs, visits, notes. Updates
    marked public are shown to the reporter."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("shown to the reporter"), default=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["problem_id", "at", "id"]
        indexes = [models.Index(fields=["problem", "at"], name="ledger_update_problem")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind}"


class ProblemFile(TimeStampedModel):
    """Evidence: a photo or a document, checked by content, stored under a generated
    name, only ever sent as an attachment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="files")
    update = models.ForeignKey(
        ProblemUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["problem_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReturnVisit(TimeStampedModel):
    """Asking the reporter (回访): is it really fixed, and how satisfied are they? Or,
    for a withdrawal the department asked for, does the reporter agree (撤单质检)?"""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="return_visits")
    purpose = models.CharField(
        pgettext_lazy("return visit", "purpose"), max_length=24, choices=ReturnVisitPurpose.choices
    )
    mode = models.CharField(_("how"), max_length=16, choices=ReturnVisitMode.choices)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    fixed = models.BooleanField(_("really fixed"), null=True, blank=True)
    agrees = models.BooleanField(_("agrees to the withdrawal"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["problem_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="ledger_visit_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(purpose=ReturnVisitPurpose.CLOSURE, fixed__isnull=False, score__isnull=False)
                | Q(purpose=ReturnVisitPurpose.WITHDRAWAL_CHECK, agrees__isnull=False),
                name="ledger_visit_answers_its_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.purpose} {self.at:%Y-%m-%d}"


class RuleOutcome(TimeStampedModel):
    """A rule, document or mechanism a problem produced (建章立制)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OutcomeKind.choices, default=OutcomeKind.RULE)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_rule_outcomes",
        verbose_name=_("issued by"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="rule_outcomes"
    )
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), blank=True)
    problems = models.ManyToManyField(Problem, related_name="rule_outcomes", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "id"]
        verbose_name = _("rule established")
        verbose_name_plural = _("rules established")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OutcomeKind.values), name="ledger_outcome_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
