"""Reads of the enterprise registry, scoped by role.

Who reads and who writes the registry (decided for the product):

- Every government role (officer, department head, management committee member,
  supervisor) and the administrator READ the whole registry: it is the city's own
  government data, needed to match policies, check applicants and supervise, and it
  does not follow the organisation tree the way cases do.
- An enterprise user reads only the enterprise(s) it is bound to
  (`scope_for(user).enterprise_ids`).
- Only the administrator WRITES (create, edit, import, labels, pinyin, bank-account
  verification). A supervisor never writes, even one who also holds the admin role:
  the people who check the data do not keep it.
- Anyone else (no role, anonymous) sees nothing.

Pages, the API and exports get enterprises only through the functions below.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from qinqing.accounts.models import Organisation, OrganisationKind
from qinqing.accounts.scoping import Scope, scope_for
from qinqing.common.errors import NotFound

from . import credit_code as cc
from . import industry as industry_codes
from .models import Enterprise, EnterpriseImport, EnterpriseLabel
from .pinyin_keys import search_key
from .validation import strip_unsafe_characters

# Shortest pinyin fragment searched inside names; one letter would match nearly all.
_MIN_PINYIN_CONTAINS = 2


def registry_reads_all(scope: Scope) -> bool:
    return scope.is_admin or scope.is_government


def registry_can_read(user: Any) -> bool:
    scope = scope_for(user)
    return registry_reads_all(scope) or bool(scope.enterprise_ids)


def registry_can_write(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_admin and not scope.is_supervisor


def registry_sees_bank_accounts(user: Any) -> bool:
    """Full bank account numbers are for the administrator who verifies them."""
    return registry_can_write(user)


def enterprise_scope(user: Any) -> QuerySet[Enterprise]:
    """Every enterprise `user` may read, unfiltered and unordered beyond the default."""
    scope = scope_for(user)
    qs = Enterprise.objects.all()
    if registry_reads_all(scope):
        return qs
    if scope.enterprise_ids:
        return qs.filter(pk__in=sorted(scope.enterprise_ids))
    return qs.none()


def _with_related(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    return qs.select_related("region").prefetch_related(
        Prefetch("labels", queryset=EnterpriseLabel.objects.order_by("key"))
    )


def search_condition(q: str) -> Q:
    """Match a name fragment (中文), a pinyin fragment, pinyin initials or a code prefix."""
    text = " ".join(strip_unsafe_characters(q).split())
    if not text:
        return Q()
    condition = Q(name__contains=text)
    key = search_key(text)
    latin_only = bool(key) and all(ch.isascii() and (ch.isalnum() or ch in " '-") for ch in text)
    if latin_only:
        condition |= Q(name_initials__startswith=key)
        if len(key) >= _MIN_PINYIN_CONTAINS:
            condition |= Q(name_pinyin__contains=key)
    code = cc.normalise(text)
    if code and all(ch in cc.ALPHABET for ch in code):
        condition |= Q(credit_code__startswith=code)
    return condition


def _industry_prefix(industry: str) -> str:
    text = strip_unsafe_characters(industry).strip().upper()
    if not text:
        return ""
    try:
        return industry_codes.normalise(text)
    except industry_codes.InvalidIndustryCode:
        # An unknown prefix matches nothing rather than everything.
        return text


def _label_condition(label: str) -> Q:
    key, sep, value = strip_unsafe_characters(label).strip().partition("=")
    labels = EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"), key=key.strip().lower())
    if sep:
        labels = labels.filter(value=value.strip())
    return Q(Exists(labels))


def enterprise_list(
    user: Any,
    *,
    q: str = "",
    region: Organisation | None = None,
    industry: str = "",
    label: str = "",
    status: str = "",
) -> QuerySet[Enterprise]:
    """The enterprises `user` may read, filtered, sorted by pinyin, labels prefetched.

    `region` includes its subtree (the city means all); `industry` is a GB/T 4754
    prefix ("C", "C18", "1811"); `label` is a key or key=value.
    """
    qs = enterprise_scope(user)
    if q.strip():
        qs = qs.filter(search_condition(q))
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    prefix = _industry_prefix(industry)
    if prefix:
        qs = qs.filter(industry_code__startswith=prefix)
    if label.strip():
        qs = qs.filter(_label_condition(label))
    if status:
        qs = qs.filter(status=status)
    return _with_related(qs).order_by("name_pinyin", "id")


def access_enterprise_by_id(user: Any, public_id: uuid.UUID | str) -> Enterprise:
    """The enterprise with this public id if `user` may read it; NotFound otherwise
    (also when it exists but is out of scope, so ids cannot be probed)."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    enterprise = (
        _with_related(enterprise_scope(user)).select_related("source_import").filter(public_id=key).first()
    )
    if enterprise is None:
        raise NotFound
    return enterprise


def access_enterprise_by_code(user: Any, code: str) -> Enterprise:
    """The enterprise with this credit code (any width or case) if `user` may read it."""
    normalised = cc.normalise(strip_unsafe_characters(code))
    if len(normalised) != cc.LENGTH or any(ch not in cc.ALPHABET for ch in normalised):
        raise NotFound
    enterprise = _with_related(enterprise_scope(user)).filter(credit_code=normalised).first()
    if enterprise is None:
        raise NotFound
    return enterprise


def enterprises_of_user(user: Any) -> QuerySet[Enterprise]:
    """The enterprises an enterprise user is bound to (its "mine" page)."""
    ids = sorted(scope_for(user).enterprise_ids)
    return _with_related(Enterprise.objects.filter(pk__in=ids)).order_by("name_pinyin", "id")


def region_nodes() -> QuerySet[Organisation]:
    """The nodes an enterprise can belong to: cities and their districts/counties."""
    return Organisation.objects.filter(kind__in=[OrganisationKind.CITY, OrganisationKind.DISTRICT]).order_by(
        "path"
    )


def region_by_code(code: str) -> Organisation | None:
    """A region node by its organisation code, for filters given as text."""
    code = strip_unsafe_characters(code)
    if not code:
        return None
    return region_nodes().filter(code=code).first()


def enterprise_import_list(user: Any) -> QuerySet[EnterpriseImport]:
    """Past imports, for the administrator only."""
    if not registry_can_write(user):
        return EnterpriseImport.objects.none()
    return EnterpriseImport.objects.select_related("actor").defer("report")


def access_enterprise_import_by_id(user: Any, public_id: uuid.UUID | str) -> EnterpriseImport:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    record = EnterpriseImport.objects.select_related("actor").filter(public_id=key).first()
    if record is None or not registry_can_write(user):
        raise NotFound
    return record
