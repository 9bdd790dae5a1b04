"""Where problems come from: campaigns and their topics, heads' walk-throughs of their
own processes, monitoring points and appointed observers."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel

from .choices import CampaignStatus, Category, Channel


def new_token() -> str:
    """An unguessable link token (monitoring points' report links and QR codes)."""
    return secrets.token_urlsafe(24)


class Campaign(TimeStampedModel):
    """A rectification campaign: a walk-through programme (局长走流程 / 组长督整改), an
    inspection round (巡察), a topic campaign (点题整治) or a visiting programme (下访)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Who runs it: the commission of the city or of a county, an inspection office.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_campaigns",
        verbose_name=_("organised by"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="ledger_campaign_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="ledger_campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="ledger_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignTopic(TimeStampedModel):
    """One chosen topic of a topic campaign (点题): what the campaign sets out to fix."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign_id", "position", "id"]
        verbose_name = _("campaign topic")
        verbose_name_plural = _("campaign topics")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "title"], name="ledger_topic_unique_per_campaign"),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="ledger_topic_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WalkThrough(TimeStampedModel):
    """A department head walking one of the department's own processes as an applicant
    would (局长走流程): the steps, the time each took, and the problems found."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="walk_throughs"
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_walk_throughs",
        verbose_name=_("department"),
    )
    walker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_walk_throughs",
        verbose_name=_("walked by"),
    )
    walker_name = models.CharField(_("walked by"), max_length=100)
    process_name = models.CharField(_("process"), max_length=200)
    walked_on = models.DateField(_("walked on"))
    # [{"name": "取号排队", "minutes": 25}, ...] in the order walked.
    steps = models.JSONField(_("steps"), default=list)
    total_minutes = models.PositiveIntegerField(_("total minutes"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # As `Problem.idempotency_key`: the same form sent twice records one walk-through.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-walked_on", "id"]
        verbose_name = _("walk-through")
        verbose_name_plural = _("walk-throughs")
        indexes = [models.Index(fields=["department", "walked_on"], name="ledger_walk_dept_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ledger_walk_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_name} ({self.walked_on})"


class MonitoringPoint(TimeStampedModel):
    """An enterprise or a place appointed to watch the business environment (监测点). It
    reports through its own link (and the QR code of that link), without logging in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_monitoring_points",
        verbose_name=_("appointed by"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_monitoring_points",
        verbose_name=_("enterprise"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    appointed_on = models.DateField(_("appointed on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")

    def __str__(self) -> str:
        return self.name


class Observer(TimeStampedModel):
    """A person appointed to watch the business environment (营商环境观察员). Observers log
    in and report on their own page; they see only what they reported."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_observer"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ledger_observers",
        verbose_name=_("appointed by"),
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("observer")
        verbose_name_plural = _("observers")

    def __str__(self) -> str:
        return str(self.user)
