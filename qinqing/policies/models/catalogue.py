"""The policy catalogue: a policy issued by a department, and the versions of its rule.

A policy's rule is never edited in place once published: each edit makes a new
`PolicyVersion`, so every decision can name the exact rule it was judged by.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The only moves a policy's status may make; services check against this table.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    PolicyStatus.DRAFT: frozenset({PolicyStatus.PUBLISHED, PolicyStatus.WITHDRAWN}),
    PolicyStatus.PUBLISHED: frozenset({PolicyStatus.WITHDRAWN}),
    PolicyStatus.WITHDRAWN: frozenset(),
}


class PeriodKind(models.TextChoices):
    """How often an enterprise may have a case under one policy."""

    ONCE = "once", _("Once per enterprise")
    YEARLY = "yearly", _("Once per enterprise and year")


class PolicyMode(models.TextChoices):
    """How an enterprise comes to a case under the policy."""

    # 免申即享: the platform finds the enterprise from registry data and invites it;
    # the enterprise confirms in one tap.
    PROACTIVE = "proactive", _("Proactive (no application needed)")
    # The enterprise applies, giving the facts and materials the registry lacks.
    APPLICATION = "application", _("Application")


class StepKind(models.TextChoices):
    REVIEW = "review", _("Review")
    # 公示: the award is published for objections; the step ends by itself when the
    # notice period has run without an open objection.
    NOTICE = "notice", _("Public notice")
    # The last approval: reserves nothing more, creates the payment instruction.
    PAYMENT = "payment", _("Disbursement")


def default_steps() -> list[dict[str, object]]:
    """受理 → 审核 → 复核 → 公示 → 拨付, with time limits in working days."""
    return [
        {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
        {"key": "review", "role": "officer", "kind": "review", "limit": 5},
        {"key": "recheck", "role": "department_head", "kind": "review", "limit": 3},
        {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
        {"key": "disburse", "role": "officer", "kind": "payment", "limit": 2},
    ]


class Policy(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("issuing department"),
    )
    basis_number = models.CharField(_("document number"), max_length=100)
    basis_title = models.CharField(_("document title"), max_length=200)
    basis_url = models.URLField(_("document link"), blank=True)
    basis_text = models.TextField(_("document text"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    budget_total = models.DecimalField(_("total budget"), max_digits=14, decimal_places=2)
    cap_per_enterprise = models.DecimalField(
        _("cap per enterprise"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    period_kind = models.CharField(
        _("period"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.ONCE
    )
    # [{"key", "name", "required", "accepted": ["pdf", ...]}], checked by the services.
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    mode = models.CharField(
        _("how enterprises come to it"),
        max_length=16,
        choices=PolicyMode.choices,
        default=PolicyMode.PROACTIVE,
    )
    # [{"key", "role", "kind", "limit", "name"?}], checked by `steps.check_steps`.
    steps = models.JSONField(_("approval steps"), default=default_steps)
    # Reserved by approved cases (paid ones included), under the policy's row lock; the
    # database refuses a reservation beyond the budget even if a service were wrong.
    budget_reserved = models.DecimalField(
        _("budget reserved"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "code"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PolicyStatus.values), name="policies_policy_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="policies_policy_window"
            ),
            models.CheckConstraint(condition=Q(budget_total__gte=0), name="policies_policy_budget_nonneg"),
            models.CheckConstraint(
                condition=Q(cap_per_enterprise__isnull=True) | Q(cap_per_enterprise__gt=0),
                name="policies_policy_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(period_kind__in=PeriodKind.values), name="policies_policy_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=PolicyMode.values), name="policies_policy_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(budget_reserved__gte=0) & Q(budget_reserved__lte=models.F("budget_total")),
                name="policies_policy_budget_not_overspent",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_from", "valid_until"])]

    def __str__(self) -> str:
        return self.title


class PolicyVersion(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    rule = models.JSONField(_("rule"))
    # The policy's terms this version was in force with (`services.catalogue.VERSIONED_TERMS`:
    # texts, basis, window, budget, cap, period, mode, materials, steps), so a decision
    # judged by a version also names the budget, cap and window it was judged under.
    terms = models.JSONField(_("terms"), default=dict, blank=True)
    # Why a published policy was amended (empty for the first version and rule-only edits
    # made before amendments had reasons).
    note = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policies_version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="policies_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"
