from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel


class OrganisationKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    DEPARTMENT = "department", _("Department")
    COMMITTEE = "committee", _("Management committee")
    COMMISSION = "commission", _("Discipline inspection commission")
    SUPERVISION_GROUP = "supervision_group", _("Supervision group")


class Organisation(TimeStampedModel):
    """A node of the organisation tree: city → districts/counties → departments.

    Management committees hang under the city or a district; the commission hangs under
    the city, and its supervision groups (派驻纪检监察组) under the commission, each
    covering the departments listed in `supervised`. `path` is a materialised path
    ("/1/4/17/") so that a subtree is one indexed prefix match.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # GB/T 2260 administrative division code for cities, districts and counties.
    region_code = models.CharField(_("region code"), max_length=6, blank=True, db_index=True)
    zone_name = models.CharField(_("zone"), max_length=200, blank=True)
    supervised = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="supervision_groups",
        verbose_name=_("supervised organisations"),
    )

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind=OrganisationKind.CITY),
                name="organisation_only_city_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise user")
    OFFICER = "officer", _("Officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    COMMITTEE = "committee", _("Management committee member")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


GOVERNMENT_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE})


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Empty until the person chooses one on the language switcher, or logs in for the
    # first time (the language they were reading in then); the platform's default
    # (settings.LANGUAGE_CODE) stands in for it meanwhile.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        blank=True,
        default="",
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(TimeStampedModel):
    """One role held by one person at one place of the tree (or for one enterprise).

    A person may hold several. An enterprise user is bound to exactly one enterprise;
    every other role is bound to an organisation node and covers its subtree.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_valid"),
            models.CheckConstraint(
                condition=(
                    Q(role=Role.ENTERPRISE, enterprise__isnull=False, organisation__isnull=True)
                    | (~Q(role=Role.ENTERPRISE) & Q(enterprise__isnull=True, organisation__isnull=False))
                ),
                name="role_binding_matches_role",
            ),
            # Two partial constraints rather than nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(enterprise__isnull=True),
                name="role_assignment_unique_at_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "enterprise"],
                condition=Q(organisation__isnull=True),
                name="role_assignment_unique_for_enterprise",
            ),
        ]

    def __str__(self) -> str:
        where = self.enterprise if self.enterprise_id else self.organisation
        return f"{self.user} · {self.get_role_display()} · {where}"


class LoginFailure(models.Model):
    """A failed login, kept for the lockout window (per account and per address)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username}@{self.address} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(TimeStampedModel):
    """A bearer token for API clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
