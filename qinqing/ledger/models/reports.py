"""Reports kept as they were issued: the figures, their digest, and the files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel

from .choices import ReportKind, ReportStatus


class LedgerReport(TimeStampedModel):
    """One issue of a monthly clue report, a quarterly progress report or a circular,
    for a period and a scope (an organisation node and its subtree).

    `figures` is everything the files show, computed from the ledger as it stood at the
    period's end; `figures_sha256` is the digest of its canonical JSON, so two issues of
    the same period and scope can be compared at a glance."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("report"), max_length=24, choices=ReportKind.choices)
    scope = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_reports",
        verbose_name=_("scope"),
    )
    # In a context of their own: the notifications' e-mails have a "from" and a "to" too
    # (a sender and a recipient), and the first app's translation of a msgid wins.
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    figures = models.JSONField(_("figures"), null=True, blank=True)
    figures_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_name = models.CharField(max_length=200, blank=True)
    pdf_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, default="zh-hans")
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger report")
        verbose_name_plural = _("ledger reports")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="ledger_report_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="ledger_report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="ledger_report_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["scope", "kind", "period_start"], name="ledger_report_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"


class DashboardSnapshot(models.Model):
    """The dashboard's figures over one set of visible problems, kept because computing
    them live took too long (`LEDGER_DASHBOARD_SNAPSHOT_SECONDS`; a whole city's ledger
    takes seconds). The page then shows the snapshot and the time it was taken; a viewer
    who finds it older than `LEDGER_DASHBOARD_MAX_AGE_SECONDS` has one job recompute it
    (`refreshing_since` makes that job one, not one per viewer). See
    services/dashboard.py.

    `key` is the digest of the problems' SQL and parameters: whoever's view makes the
    same query shares the snapshot, and a different reach or filter can never read
    another's. `user` and `query` are the recipe the job rebuilds that query from."""

    key = models.CharField(max_length=64, unique=True)
    figures = models.JSONField()
    as_of = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=500, blank=True)
    refreshing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        indexes = [models.Index(fields=["as_of"], name="ledger_snapshot_as_of")]

    def __str__(self) -> str:
        return f"{self.key[:12]} @ {self.as_of:%Y-%m-%d %H:%M}"
