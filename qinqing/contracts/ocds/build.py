"""OCDS 1.1 release packages of contracts: one release per contract, each obligation a
milestone of `contracts[0].implementation.milestones` with the obligor in the
extension's `obligor` field.

The ocid prefix comes from settings `OCDS_OCID_PREFIX` (default "ocds-qinqing-"). A
publisher must register its own prefix with the Open Contracting Partnership ("ocds-"
and six characters) before publishing: the default is a placeholder that no register
knows. Dates are Beijing time (+08:00); a calendar date is its midnight.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Organisation
from qinqing.contracts.models import (
    Contract,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    Project,
)
from qinqing.contracts.services.common import OWED_STATUSES

from . import codes

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_OCID_PREFIX = "ocds-qinqing-"
OCDS_VERSION = "1.1"

Json = dict[str, Any]


def ocid_prefix() -> str:
    return str(getattr(settings, "OCDS_OCID_PREFIX", "") or DEFAULT_OCID_PREFIX)


def contract_ocid(contract: Contract) -> str:
    return f"{ocid_prefix()}{contract.public_id}"


def contract_release_package(
    contract: Contract, *, published_date: dt.datetime | None = None, base_url: str | None = None
) -> Json:
    """The release package of one contract (one release)."""
    contract = Contract.objects.select_related(
        "project__enterprise", "project__committee", "government_party", "amends"
    ).get(pk=contract.pk)
    base = _base(base_url)
    published = published_date or timezone.now()
    obligations = _obligations_by_contract([contract.pk])
    release = _release(contract, obligations.get(contract.pk, []), review=published)
    uri = base + reverse("contracts:ocds_contract", args=[contract.public_id])
    return _package(contract.project, [release], uri=uri, published=published, base=base)


def project_release_package(
    project: Project, *, published_date: dt.datetime | None = None, base_url: str | None = None
) -> Json:
    """The release package of a project: one release per contract. A project without a
    contract yet has no release (OCDS wants at least one: not a valid package)."""
    contracts = list(
        Contract.objects.filter(project=project)
        .select_related("project__enterprise", "project__committee", "government_party", "amends")
        .order_by("signed_on", "id")
    )
    base = _base(base_url)
    published = published_date or timezone.now()
    obligations = _obligations_by_contract([c.pk for c in contracts])
    releases = [_release(c, obligations.get(c.pk, []), review=published) for c in contracts]
    uri = base + reverse("contracts:ocds_project", args=[project.public_id])
    return _package(project, releases, uri=uri, published=published, base=base)


# --- The package ------------------------------------------------------------------------------


def _base(base_url: str | None) -> str:
    base = base_url or str(getattr(settings, "SITE_URL", "") or "") or "http://localhost"
    return base.rstrip("/")


def _package(project: Project, releases: list[Json], *, uri: str, published: dt.datetime, base: str) -> Json:
    # OCDS asks an on-demand package for the time of its contents' last change. Here the
    # contents also change with the clock alone (an owed milestone turns "notMet" when its
    # date passes, with nothing recorded), so publishedDate is the moment of that
    # evaluation; each release's `date` is its records' last change.
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _stamp(published),
        "publisher": {"name": _publisher_name(project)},
        "extensions": [base + reverse("contracts:ocds_extension", args=["extension.json"])],
        "releases": releases,
    }


def _publisher_name(project: Project) -> str:
    """The government at the root of the committee's tree (the city)."""
    configured = getattr(settings, "OCDS_PUBLISHER_NAME", "")
    if configured:
        return str(configured)
    root_id = next((p for p in project.committee.path.split("/") if p), "")
    root = Organisation.objects.filter(pk=int(root_id)).first() if root_id.isdigit() else None
    return (root or project.committee).name


# --- One release ------------------------------------------------------------------------------


def _obligations_by_contract(contract_ids: Iterable[int]) -> dict[int, list[Obligation]]:
    grouped: dict[int, list[Obligation]] = defaultdict(list)
    rows = (
        Obligation.objects.filter(clause__contract_id__in=list(contract_ids))
        .select_related("clause", "obligor_department")
        .order_by("clause__position", "clause_id", "position", "id")
    )
    for obligation in rows:
        grouped[obligation.clause.contract_id].append(obligation)
    return grouped


def _release(contract: Contract, obligations: list[Obligation], *, review: dt.datetime) -> Json:
    project = contract.project
    changed = max([contract.updated_at, project.updated_at, *(o.updated_at for o in obligations)])
    parties = _Parties()
    enterprise_ref = parties.enterprise(project)
    buyer_ref = parties.organisation(contract.government_party, *codes.ROLES_GOVERNMENT_PARTY)
    # The zone's committee manages the process; when it also signed, one party holds both roles.
    parties.organisation(project.committee, codes.ROLE_COMMITTEE)
    review_day = timezone.localtime(review, BEIJING).date()
    milestones = [
        _milestone(o, parties, enterprise_ref, review=review, review_day=review_day) for o in obligations
    ]

    award_id = f"{contract.number}-award"
    value = _value(contract.value)
    award: Json = {
        "id": award_id,
        "title": contract.title,
        "status": "active",
        "date": _day(contract.signed_on),
        "suppliers": [enterprise_ref],
    }
    ocds_contract: Json = {
        "id": contract.number,
        "awardID": award_id,
        "title": contract.title,
        "status": codes.CONTRACT_STATUSES[contract.status],
        "dateSigned": _day(contract.signed_on),
        "implementation": {"milestones": milestones},
    }
    if value is not None:
        award["value"] = value
        ocds_contract["value"] = value

    # "contract": the signed contract; "implementation": its milestones have moved
    # (something dated, met or cancelled); "contractTermination" once it has ended.
    tag = ["contract"]
    if any(o.status != ObligationStatus.PENDING for o in obligations):
        tag.append("implementation")
    if codes.CONTRACT_STATUSES[contract.status] == "terminated":
        tag.append("contractTermination")

    release: Json = {
        "ocid": contract_ocid(contract),
        "id": f"{contract.public_id}-{changed.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}",
        "date": _stamp(changed),
        "tag": tag,
        # initiationType is required and its closed codelist has one code, "tender".
        # It also fits: industrial land use rights are granted by tender, auction or
        # listing (招拍挂), and investment agreements follow the zone's open call.
        "initiationType": "tender",
        "language": "zh",
        "parties": parties.as_list(),
        "buyer": buyer_ref,
        "awards": [award],
        "contracts": [ocds_contract],
    }
    if contract.amends is not None:
        release["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["prior"],
                "title": contract.amends.title,
                "scheme": "ocid",
                "identifier": contract_ocid(contract.amends),
            }
        ]
    return release


def _milestone(
    obligation: Obligation,
    parties: _Parties,
    enterprise_ref: Json,
    *,
    review: dt.datetime,
    review_day: dt.date,
) -> Json:
    # Judged against the contract's date: a remedy plan's later date does not undo a miss.
    contract_due = obligation.original_due_date or obligation.due_date
    overdue = obligation.status in OWED_STATUSES and contract_due is not None and contract_due < review_day
    status = codes.milestone_status(obligation.status, overdue=overdue)
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        obligor = {"side": ObligorSide.ENTERPRISE.value, **enterprise_ref}
    else:
        department = obligation.obligor_department
        assert department is not None  # the model's obligor constraint
        roles = [codes.ROLE_OBLIGOR_DEPARTMENT]
        if obligation.kind == ObligationKind.SUBSIDY:
            roles.append(codes.ROLE_PAYER)
        obligor = {"side": ObligorSide.GOVERNMENT.value, **parties.organisation(department, *roles)}
    milestone: Json = {
        "id": str(obligation.public_id),
        "title": obligation.title,
        "type": codes.MILESTONE_TYPES.get(obligation.kind),
        "code": obligation.kind,
        "dueDate": _day(obligation.due_date),
        "dateMet": _day(obligation.met_on) if obligation.status in _MET else None,
        # A "notMet" is as of the review (this export); other statuses as of their change.
        "dateModified": _stamp(review if overdue else obligation.updated_at),
        "status": status,
        "obligor": obligor,
        "originalDueDate": _day(obligation.original_due_date),
        "daysEarly": obligation.days_early if obligation.status in _MET else None,
        "fulfilmentStatus": obligation.status,
        "clause": obligation.clause.number,
    }
    if obligation.description:
        milestone["description"] = obligation.description
    unit = obligation.target_unit or None
    if obligation.target_value is not None:
        milestone["targetValue"] = {"amount": _number(obligation.target_value), "unit": unit}
    if obligation.achieved_value is not None:
        milestone["achievedValue"] = {"amount": _number(obligation.achieved_value), "unit": unit}
    return {k: v for k, v in milestone.items() if v is not None}


_MET = frozenset({ObligationStatus.MET, ObligationStatus.PARTLY_MET})


class _Parties:
    """The release's `parties`, each once, its roles gathered."""

    def __init__(self) -> None:
        self._by_id: dict[str, Json] = {}

    def _add(self, party_id: str, name: str, roles: Iterable[str], **extra: Any) -> Json:
        party = self._by_id.setdefault(party_id, {"id": party_id, "name": name, "roles": [], **extra})
        for role in roles:
            if role not in party["roles"]:
                party["roles"].append(role)
        return {"id": party_id, "name": name}

    def enterprise(self, project: Project) -> Json:
        enterprise = project.enterprise
        return self._add(
            f"{codes.ENTERPRISE_SCHEME}-{enterprise.credit_code}",
            enterprise.name,
            [codes.ROLE_ENTERPRISE],
            identifier={
                "scheme": codes.ENTERPRISE_SCHEME,
                "id": enterprise.credit_code,
                "legalName": enterprise.name,
            },
        )

    def organisation(self, organisation: Organisation, *roles: str) -> Json:
        # Government units carry no registered identifier here: the party id is local.
        return self._add(f"qinqing-org-{organisation.code}", organisation.name, roles)

    def as_list(self) -> list[Json]:
        return list(self._by_id.values())


# --- Values -----------------------------------------------------------------------------------


def _day(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=BEIJING).isoformat()


def _stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment, BEIJING).replace(microsecond=0).isoformat()


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _value(amount: Decimal | None) -> Json | None:
    if amount is None:
        return None
    return {"amount": _number(amount), "currency": codes.CURRENCY}
