"""What is signed: an investment project (招商引资项目), its contracts, their clauses, and
the project's dated events that due rules can count from."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("project", "Active")
    COMPLETED = "completed", pgettext_lazy("project", "Completed")
    TERMINATED = "terminated", pgettext_lazy("project", "Terminated")


class Project(TimeStampedModel):
    """An investment project in a zone, followed by the zone's management committee.

    `committee` is the record's organisation for scoping: a committee member sees the
    projects of their zone; the obligor departments see the projects they owe something in.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("project number"), max_length=32, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("enterprise"),
    )
    committee = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("management committee"),
    )
    industry = models.CharField(_("industry"), max_length=100)
    planned_investment = models.DecimalField(_("planned investment (yuan)"), max_digits=16, decimal_places=2)
    land_parcel = models.CharField(_("land parcel"), max_length=100, blank=True)
    land_area_mu = models.DecimalField(
        _("land area (mu)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "reference"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0), name="project_investment_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["committee", "status"], name="project_committee_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class ContractKind(models.TextChoices):
    INVESTMENT_AGREEMENT = "investment_agreement", _("Investment agreement")
    LAND_TRANSFER = "land_transfer", _("Land transfer contract")
    SUPPLEMENTARY = "supplementary", _("Supplementary agreement")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("contract", "In force")
    COMPLETED = "completed", pgettext_lazy("contract", "Completed")
    TERMINATED = "terminated", pgettext_lazy("contract", "Terminated")


class Contract(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(_("kind"), max_length=32, choices=ContractKind.choices)
    number = models.CharField(_("contract number"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    # The government's signatory (the committee, or e.g. the natural resources office
    # for a land transfer contract).
    government_party = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("government party"),
    )
    signed_on = models.DateField(_("signed on"))
    value = models.DecimalField(
        _("contract value (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    # Set on supplementary agreements: the contract they amend.
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )

    class Meta:
        ordering = ["project", "signed_on", "id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="contract_number_once_per_project"),
            models.CheckConstraint(condition=Q(kind__in=ContractKind.values), name="contract_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ContractStatus.values), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="contract_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Clause(TimeStampedModel):
    """A clause of a contract. `ladder` replaces the kinds' ladders for the obligations
    it yields (JSON form of `qinqing.deadlines.ladders`: [{"name", "offset", "unit"}])."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("clause"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)
    ladder = models.JSONField(_("ladder for this clause"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "position", "id"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="clause_number_once_per_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.number}"


class EventKey(models.TextChoices):
    """Events a due rule commonly counts from; a project may record others by key."""

    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    LAND_CERTIFICATE = "land_certificate", _("Land title certificate issued")
    PLANNING_APPLIED = "planning_applied", _("Planning permit applied for")
    PERMIT_APPLIED = "permit_applied", _("Construction permit applied for")
    COMPLETION_ACCEPTED = "completion_accepted", _("Completion accepted")


class ProjectEvent(TimeStampedModel):
    """A dated event of a project ("the application for the construction permit was
    filed on …"). `occurred_on` is empty until it happens; moving it recomputes the due
    dates counted from it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    key = models.SlugField(_("event"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    occurred_on = models.DateField(_("happened on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "occurred_on", "id"]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="project_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.key}"
