"""Changes to the enterprise registry, one enterprise at a time. Only the
administrator (or the system, with `actor=None`, for seeding) writes; see
selectors.py for who reads what.

Every change runs in one transaction with its audit event. Rows read and then
changed are locked first (`lock_enterprise`), so two administrators editing the same
enterprise queue instead of overwriting each other's change unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import Organisation, OrganisationKind, User
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .. import credit_code as cc
from ..models import Enterprise, EnterpriseLabel, EnterpriseStatus
from ..pinyin_keys import InvalidReading, name_keys, parse_reading
from ..selectors import region_nodes, registry_can_write
from ..signals import enterprise_changed
from ..validation import CLEANERS, FieldProblem, clean_bank_account_number, clean_fields, clean_labels


class DuplicateCreditCode(Conflict):
    code = "duplicate_credit_code"
    default_message = gettext_lazy("An enterprise with this credit code is already registered.")

    def __init__(self, credit_code: str = "") -> None:
        super().__init__(
            fields={"credit_code": [str(self.default_message)]},
            extra={"credit_code": credit_code} if credit_code else None,
        )


class NoCity(ValidationFailed):
    code = "no_city"
    default_message = gettext_lazy(
        "The organisation tree has no city yet; create it before registering enterprises."
    )


# Fields written to the audit trail (and compared by enterprise_update).
AUDITED_FIELDS = (
    "credit_code",
    "name",
    "name_pinyin",
    "name_initials",
    "pinyin_override",
    "region_id",
    "region_code",
    "industry_code",
    "status",
    "legal_representative",
    "address",
    "employees",
    "insured_employees",
    "revenue",
    "tax_paid",
    "registered_capital",
    "founded_on",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
    "bank_account_verified",
)
# Changing any of these means the verified account is no longer the one verified.
_BANK_FIELDS = frozenset({"bank_name", "bank_account_number", "bank_account_name"})
# The registry fields an update may change, in the order forms show them.
EDITABLE_FIELDS = tuple(f for f in CLEANERS if f not in {"credit_code", "labels"})
UPDATABLE_FIELDS = frozenset(EDITABLE_FIELDS) | {"region"}


def require_registry_writer(actor: User | None) -> None:
    # actor None is the system itself (seeding, migrations of data), never a request.
    if actor is not None and not registry_can_write(actor):
        raise PermissionDenied(_("Only the administrator changes the enterprise registry."))


def _problems_to_error(problems: list[FieldProblem]) -> ValidationFailed:
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.field, []).append(problem.message)
    return ValidationFailed(fields=fields)


def snapshot(
    enterprise: Enterprise, fields: tuple[str, ...] | frozenset[str] = AUDITED_FIELDS
) -> dict[str, Any]:
    return {f: getattr(enterprise, f) for f in sorted(fields)}


def lock_enterprise(pk: int) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().filter(pk=pk).first()
    if enterprise is None:
        raise NotFound
    return enterprise


# --- Regions ------------------------------------------------------------------------------


class RegionResolver:
    """Region nodes by GB/T 2260 division code, loaded once per operation (an import
    resolves up to 200,000 rows against the same few dozen nodes)."""

    def __init__(self) -> None:
        nodes = list(region_nodes())
        self.nodes = nodes
        self.cities = [n for n in nodes if n.kind == OrganisationKind.CITY]
        self.by_code: dict[str, Organisation] = {}
        # A district and its city never share a code, but if data says so, the more
        # specific node (the district) wins.
        for node in sorted(nodes, key=lambda n: n.kind == OrganisationKind.CITY):
            if node.region_code:
                self.by_code.setdefault(node.region_code, node)

    def resolve(self, code: str) -> tuple[Organisation, bool]:
        """The node for a credit code, and whether the code's region matched a node;
        an unmatched code falls back to its city (same prefecture digits) or the city."""
        node = self.by_code.get(cc.region_code(code))
        if node is not None:
            return node, True
        if not self.cities:
            raise NoCity
        prefecture = cc.region_code(code)[:4]
        for city in self.cities:
            if city.region_code[:4] == prefecture:
                return city, False
        return self.cities[0], False


def _check_region(region: Organisation) -> Organisation:
    if region.kind not in {OrganisationKind.CITY, OrganisationKind.DISTRICT}:
        raise ValidationFailed(fields={"region": [_("An enterprise belongs to a city, district or county.")]})
    return region


# --- Create and update --------------------------------------------------------------------


def enterprise_create(
    *,
    actor: User | None,
    credit_code: str,
    name: str,
    industry_code: str,
    region: Organisation | None = None,
    status: str = EnterpriseStatus.ACTIVE,
    legal_representative: str = "",
    address: str = "",
    employees: int | str = 0,
    insured_employees: int | str = 0,
    revenue: Decimal | int | str = Decimal("0"),
    tax_paid: Decimal | int | str = Decimal("0"),
    registered_capital: Decimal | int | str = Decimal("0"),
    founded_on: dt.date | str | None = None,
    bank_name: str = "",
    bank_account_number: str = "",
    bank_account_name: str = "",
    labels: Mapping[str, str] | None = None,
) -> Enterprise:
    """Register one enterprise. The region comes from the credit code unless given."""
    require_registry_writer(actor)
    values, problems = clean_fields(
        {
            "credit_code": credit_code,
            "name": name,
            "industry_code": industry_code,
            "status": status,
            "legal_representative": legal_representative,
            "address": address,
            "employees": employees,
            "insured_employees": insured_employees,
            "revenue": revenue,
            "tax_paid": tax_paid,
            "registered_capital": registered_capital,
            "founded_on": founded_on,
            "bank_name": bank_name,
            "bank_account_number": bank_account_number,
            "bank_account_name": bank_account_name,
            "labels": labels or {},
        }
    )
    if problems:
        raise _problems_to_error(problems)
    code: str = values["credit_code"]
    label_values: dict[str, str] = values.pop("labels")
    region = _check_region(region) if region is not None else RegionResolver().resolve(code)[0]
    keys = name_keys(values["name"])
    enterprise = Enterprise(
        **values,
        region=region,
        region_code=cc.region_code(code),
        name_pinyin=keys.full,
        name_initials=keys.initials,
    )
    try:
        with transaction.atomic(durable=True):
            if Enterprise.objects.filter(credit_code=code).exists():
                raise DuplicateCreditCode(code)
            enterprise.save()
            EnterpriseLabel.objects.bulk_create(
                [EnterpriseLabel(enterprise=enterprise, key=k, value=v) for k, v in label_values.items()]
            )
            audit_record(
                actor=actor,
                action="enterprise.create",
                obj=enterprise,
                organisation=region,
                after={**snapshot(enterprise), "labels": label_values},
            )
            _changed(enterprise.pk)
    except IntegrityError as exc:
        # Two creations of the same code raced past the check; the unique index decided.
        if Enterprise.objects.filter(credit_code=code).exists():
            raise DuplicateCreditCode(code) from exc
        raise
    return enterprise


def enterprise_update(*, actor: User | None, enterprise: Enterprise, data: Mapping[str, Any]) -> Enterprise:
    """Change some fields of an enterprise; the credit code never changes (it is the
    enterprise's identity). A changed name gets new pinyin keys unless they were
    corrected by hand; a changed bank account is no longer verified."""
    require_registry_writer(actor)
    unknown = sorted(set(data) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed here.")] for k in unknown})
    region = data.get("region")
    values, problems = clean_fields({k: v for k, v in data.items() if k != "region"})
    if problems:
        raise _problems_to_error(problems)
    if "region" in data:
        if not isinstance(region, Organisation):
            raise ValidationFailed(fields={"region": [_("Choose a region.")]})
        values["region_id"] = _check_region(region).pk
    with transaction.atomic(durable=True):
        locked = lock_enterprise(enterprise.pk)
        changed = {f for f, v in values.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        before = snapshot(locked)
        for field in changed:
            setattr(locked, field, values[field])
        if "name" in changed and not locked.pinyin_override:
            keys = name_keys(locked.name)
            locked.name_pinyin, locked.name_initials = keys.full, keys.initials
        if changed & _BANK_FIELDS:
            locked.bank_account_verified = False
            locked.bank_account_verified_at = None
        locked.save()
        after = snapshot(locked)
        audit_record(
            actor=actor,
            action="enterprise.update",
            obj=locked,
            organisation=locked.region_id,
            before={k: v for k, v in before.items() if v != after[k]},
            after={k: v for k, v in after.items() if v != before[k]},
        )
        _changed(locked.pk)
    return locked


def _changed(enterprise_id: int) -> None:
    transaction.on_commit(lambda: enterprise_changed.send(sender=Enterprise, enterprise_id=enterprise_id))


def enterprise_set_labels(
    *, actor: User | None, enterprise: Enterprise, labels: Mapping[str, str]
) -> dict[str, str]:
    """Replace the enterprise's labels with `labels` (a label not listed is removed)."""
    require_registry_writer(actor)
    try:
        wanted = clean_labels(labels)
    except FieldProblem as problem:
        raise _problems_to_error([problem]) from problem
    with transaction.atomic(durable=True):
        locked = lock_enterprise(enterprise.pk)
        current = {lb.key: lb for lb in EnterpriseLabel.objects.filter(enterprise=locked)}
        before = {k: lb.value for k, lb in sorted(current.items())}
        if before == wanted:
            return wanted
        EnterpriseLabel.objects.filter(enterprise=locked).exclude(key__in=list(wanted)).delete()
        for key, value in wanted.items():
            existing = current.get(key)
            if existing is None:
                EnterpriseLabel.objects.create(enterprise=locked, key=key, value=value)
            elif existing.value != value:
                existing.value = value
                existing.save(update_fields=["value"])
        audit_record(
            actor=actor,
            action="enterprise.set_labels",
            obj=locked,
            organisation=locked.region_id,
            before={"labels": before},
            after={"labels": wanted},
        )
        _changed(locked.pk)
    return wanted


def enterprise_verify_bank_account(
    *, actor: User | None, enterprise: Enterprise, account_number: str
) -> Enterprise:
    """Mark the bank account as verified (payments go only to verified accounts).

    The administrator repeats the number being verified: if it changed since the page
    was shown, the verification is refused instead of certifying an unseen number.
    """
    require_registry_writer(actor)
    try:
        confirmed = clean_bank_account_number(account_number)
    except FieldProblem as problem:
        raise _problems_to_error([problem]) from problem
    with transaction.atomic(durable=True):
        locked = lock_enterprise(enterprise.pk)
        if not locked.bank_account_number:
            raise ValidationFailed(
                fields={"bank_account_number": [_("The enterprise has no bank account to verify.")]}
            )
        if confirmed != locked.bank_account_number:
            raise Conflict(
                _("The bank account number changed since it was shown; check the new number."),
                code="bank_account_changed",
            )
        if locked.bank_account_verified:
            return locked
        locked.bank_account_verified = True
        locked.bank_account_verified_at = timezone.now()
        locked.save(update_fields=["bank_account_verified", "bank_account_verified_at", "updated_at"])
        audit_record(
            actor=actor,
            action="enterprise.verify_bank_account",
            obj=locked,
            organisation=locked.region_id,
            before={"bank_account_verified": False},
            after={
                "bank_account_verified": True,
                "bank_name": locked.bank_name,
                "bank_account_number": locked.bank_account_number,
                "bank_account_name": locked.bank_account_name,
            },
        )
    return locked


def enterprise_set_pinyin(*, actor: User | None, enterprise: Enterprise, reading: str | None) -> Enterprise:
    """Correct the pinyin of a misread name ("shan xian …"); `None` or "" goes back to
    the reading computed from the name."""
    require_registry_writer(actor)
    if reading:
        try:
            keys = parse_reading(reading)
        except InvalidReading as exc:
            raise ValidationFailed(
                fields={"reading": [_("Type the pinyin syllables separated by spaces, e.g. shan xian.")]}
            ) from exc
        override = True
    with transaction.atomic(durable=True):
        locked = lock_enterprise(enterprise.pk)
        if not reading:
            keys = name_keys(locked.name)
            override = False
        fields = ("name_pinyin", "name_initials", "pinyin_override")
        before = snapshot(locked, fields)
        locked.name_pinyin, locked.name_initials, locked.pinyin_override = keys.full, keys.initials, override
        after = snapshot(locked, fields)
        if before == after:
            return locked
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            action="enterprise.set_pinyin",
            obj=locked,
            organisation=locked.region_id,
            before=before,
            after=after,
        )
    return locked
