from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")


class Enterprise(TimeStampedModel):
    """A market entity, keyed by its unified social credit code (GB 32100-2015).

    `credit_code` is stored normalised (half-width, upper case) so that a code typed
    in full width or lower case cannot be registered twice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # Pinyin keys, stored so that search and sort by sound need no work per query;
    # editable so that a misread name (单 as Shàn, 曾 as Zēng) can be corrected.
    name_pinyin = models.CharField(_("pinyin"), max_length=600, db_index=True, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=200, db_index=True, blank=True)
    pinyin_override = models.BooleanField(_("pinyin corrected by hand"), default=False)
    region = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("region"),
    )
    # Characters 3–8 of the credit code: the registering authority's division code.
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EnterpriseStatus.choices, default=EnterpriseStatus.ACTIVE
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    insured_employees = models.PositiveIntegerField(_("employees with social insurance"), default=0)
    revenue = models.DecimalField(
        _("annual revenue (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    tax_paid = models.DecimalField(
        _("tax paid last year (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=40, blank=True)
    bank_account_name = models.CharField(_("bank account name"), max_length=200, blank=True)
    bank_account_verified = models.BooleanField(_("bank account verified"), default=False)
    bank_account_verified_at = models.DateTimeField(_("bank account verified at"), null=True, blank=True)
    # The batch import that created the row (none for rows created one by one).
    source_import = models.ForeignKey(
        "EnterpriseImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("imported by batch"),
    )

    class Meta:
        ordering = ["name_pinyin", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EnterpriseStatus.values), name="enterprise_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0) & Q(tax_paid__gte=0) & Q(registered_capital__gte=0),
                name="enterprise_money_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "industry_code"], name="enterprise_region_industry"),
            models.Index(fields=["bank_account_number"], name="enterprise_bank_account"),
            # The list's sort order: an index scan serves a page without sorting the table.
            models.Index(fields=["name_pinyin", "id"], name="enterprise_pinyin_order"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def bank_account_masked(self) -> str:
        """The account number with all but the last four digits hidden."""
        number = self.bank_account_number
        if not number:
            return ""
        return "*" * max(len(number) - 4, 4) + number[-4:]


class EnterpriseLabel(models.Model):
    """A label on an enterprise: a key and a value (`high_tech` = `yes`,
    `scenic_grade` = `3A`). One row per key, so rules can test labels in SQL."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="labels")
    key = models.SlugField(_("label"), max_length=64)
    value = models.CharField(_("value"), max_length=100, default="yes")
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "key"]
        verbose_name = _("enterprise label")
        verbose_name_plural = _("enterprise labels")
        constraints = [models.UniqueConstraint(fields=["enterprise", "key"], name="enterprise_label_unique")]
        indexes = [models.Index(fields=["key", "value"], name="enterprise_label_key_value")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportFormat(models.TextChoices):
    CSV_UTF8 = "csv_utf8", _("CSV (UTF-8)")
    CSV_GB18030 = "csv_gb18030", _("CSV (GB18030)")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")


class EnterpriseImport(TimeStampedModel):
    """One batch upload of the registry: who sent which file, and what became of it.

    All rows or none: an import ends `imported` (every row written), `rejected`
    (nothing written: a row or the file failed) or `failed` (nothing written: the
    platform could not finish it). A big file waits `queued` for a worker, kept in
    storage under `stored_file` until then. `report` holds the rows that failed or
    carry a note, each as {row, status, field, code, message}, and `file_error` when
    the file as a whole was refused; rows without remarks are only counted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("enterprises created"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    note_count = models.PositiveIntegerField(_("rows with notes"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enterprise import")
        verbose_name_plural = _("enterprise imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="enterprise_import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=ImportFormat.values), name="enterprise_import_format_valid"
            ),
            # Written all or nothing: only a finished, imported batch created anything.
            models.CheckConstraint(
                condition=Q(status="imported") | Q(created_count=0),
                name="enterprise_import_all_or_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name
