"""Officials' declared relations to enterprises: the basis for recusal (回避).

A declaration is in force while `ended_at` is empty. Ending one is recorded (when, why)
and the row stays: what an official had declared on the day of a decision must remain
readable. The only transition is in force → ended (`relation_end`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel

# The cooling-off period for former employment: a relation while it is this recent.
FORMER_EMPLOYMENT_YEARS = 3
DESCRIPTION_MAX = 1000
REASON_MAX = 500


class RelationKind(models.TextChoices):
    RELATIVE_LEGAL_REPRESENTATIVE = (
        "relative_legal_representative",
        _("My spouse or a close relative is its legal representative"),
    )
    RELATIVE_SHAREHOLDER = "relative_shareholder", _("My spouse or a close relative is a shareholder")
    RELATIVE_EMPLOYEE = "relative_employee", _("My spouse or a close relative works there")
    FORMER_EMPLOYMENT = "former_employment", _("I worked there within the last three years")
    SHAREHOLDING = "shareholding", _("I hold shares in it, directly or through a relative")
    OTHER = "other", _("Other relation (describe it)")


class RelationState(models.TextChoices):
    """Filter values of the lists; derived from `ended_at`, not stored."""

    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", pgettext_lazy("declaration state", "Ended")


class RelationDeclaration(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="relation_declarations",
        verbose_name=_("official"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="relation_declarations",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind of relation"), max_length=40, choices=RelationKind.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_reason = models.CharField(_("reason for ending"), max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("declared relation")
        verbose_name_plural = _("declared relations")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RelationKind.values), name="relation_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=RelationKind.OTHER) | ~Q(description=""),
                name="relation_other_has_description",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_reason="")
                | (Q(ended_at__isnull=False, ended_at__gte=F("declared_at")) & ~Q(ended_reason="")),
                name="relation_end_has_time_and_reason",
            ),
            # At most one declaration in force per official, enterprise and kind. As a
            # partial unique index it also serves the recusal look-ups by official
            # (has_relation, related_enterprise_ids).
            models.UniqueConstraint(
                fields=["official", "enterprise", "kind"],
                condition=Q(ended_at__isnull=True),
                name="relation_one_in_force",
            ),
        ]
        indexes = [
            # officials_related_to(enterprise): in-force rows by enterprise.
            models.Index(
                fields=["enterprise", "official"],
                condition=Q(ended_at__isnull=True),
                name="relation_in_force_by_ent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.official} · {self.enterprise} · {self.get_kind_display()}"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None
