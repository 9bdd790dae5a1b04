"""Fixtures shared by the contract app's tests, built through the real services.

`zone` (on top of the root `city`): the Taishang zone's management committee with two
members (a dispute is decided by one who did not answer the claim), the development and
reform commission as an obligor department (officer and head), the enterprise and its
user, a supervisor of the department's group and the commission's city-wide supervisor,
a second zone with its own committee member, and one project of the first zone with an
investment agreement and two clauses (one per side).

Helpers: `add_obligation(zone, ...)` (an obligation through `obligation_add`),
`evidence()` (a small PDF upload), `D` (date shorthand). Dates are in 2026, whose
calendar is seeded complete (2027 provisional); pass `today=` to the services that
take it rather than depending on the real date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.contracts import services
from qinqing.contracts.models import Clause, Contract, ContractKind, Obligation, ObligorSide, Project
from qinqing.enterprises.models import Enterprise
from qinqing.workdays import calendar
from qinqing.workdays.testing import ensure_official_calendar

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

_numbers = itertools.count(1)


@dataclass
class Zone:
    city: Any
    committee: Organisation
    member: User
    member_b: User
    department: Organisation
    officer: User
    head: User
    other_department: Organisation
    other_officer: User
    enterprise: Enterprise
    enterprise_user: User
    other_enterprise: Enterprise
    other_enterprise_user: User
    supervisor: User
    city_supervisor: User
    admin: User
    other_committee: Organisation
    other_member: User
    project: Project
    agreement: Contract
    enterprise_clause: Clause
    government_clause: Clause


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def official_calendar(db):
    ensure_official_calendar()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(file_storage: Any) -> None:
    """Every test here stores its files in a folder of its own."""


def make_project(
    zone_committee: Organisation, member: User, enterprise: Enterprise, **overrides: Any
) -> Project:
    fields: dict[str, Any] = {
        "reference": f"TS-2026-{next(_numbers):03d}",
        "name": "年产5万吨新型建材项目",
        "industry": "建材",
        "planned_investment": Decimal("300000000"),
        "signed_on": D(2026, 3, 2),
        "land_parcel": "2026P07",
        "land_area_mu": Decimal("80"),
        "location": "台商投资区东园镇",
    }
    fields.update(overrides)
    return services.project_create(actor=member, enterprise=enterprise, committee=zone_committee, **fields)


def make_agreement(project: Project, member: User, government_party: Organisation) -> Contract:
    return services.contract_add(
        actor=member,
        project=project,
        kind=ContractKind.INVESTMENT_AGREEMENT,
        number=f"TSQ-XY-{next(_numbers):03d}",
        title="投资协议书",
        government_party=government_party,
        signed_on=project.signed_on,
        value=Decimal("300000000"),
    )


@pytest.fixture
def zone(city, official_calendar) -> Zone:
    member_b = give_role(UserFactory(username="cmt2"), Role.COMMITTEE, organisation=city.committee)
    other_committee = OrganisationFactory(
        code="nan", name="南安经济开发区管委会", kind=OrganisationKind.COMMITTEE, parent=city.city
    )
    other_member = give_role(UserFactory(username="cmt-other"), Role.COMMITTEE, organisation=other_committee)
    other_enterprise_user = give_role(
        UserFactory(username="ent2"), Role.ENTERPRISE, enterprise=city.other_enterprise
    )
    project = make_project(city.committee, city.committee_member, city.enterprise)
    agreement = make_agreement(project, city.committee_member, city.committee)
    enterprise_clause = services.clause_add(
        actor=city.committee_member,
        contract=agreement,
        number="第五条",
        title="乙方义务",
        text="乙方应于土地交付之日起六个月内开工建设，两年内完成固定资产投资。",
    )
    government_clause = services.clause_add(
        actor=city.committee_member,
        contract=agreement,
        number="第六条",
        title="甲方义务",
        text="甲方应协调有关部门在乙方申请后二十个工作日内办结施工许可。",
    )
    return Zone(
        city=city,
        committee=city.committee,
        member=city.committee_member,
        member_b=member_b,
        department=city.drc,
        officer=city.officer,
        head=city.head,
        other_department=city.commerce,
        other_officer=city.other_officer,
        enterprise=city.enterprise,
        enterprise_user=city.enterprise_user,
        other_enterprise=city.other_enterprise,
        other_enterprise_user=other_enterprise_user,
        supervisor=city.supervisor,
        city_supervisor=city.city_supervisor,
        admin=city.admin,
        other_committee=other_committee,
        other_member=other_member,
        project=project,
        agreement=agreement,
        enterprise_clause=enterprise_clause,
        government_clause=government_clause,
    )


def add_obligation(
    zone: Zone,
    *,
    side: str = ObligorSide.ENTERPRISE,
    kind: str | None = None,
    title: str | None = None,
    due: dt.date | None = None,
    after: Obligation | None = None,
    after_event: Any = None,
    offset: int = 0,
    unit: str = "calendar",
    target: Decimal | int | None = None,
    target_unit: str = "",
    department: Organisation | None = None,
) -> Obligation:
    """An obligation of `zone.project`: on a fixed date `due`, or `offset` units after
    the obligation `after` or the event `after_event`."""
    government = side == ObligorSide.GOVERNMENT
    if due is not None:
        rule: dict[str, Any] = {"mode": "absolute", "date": due}
    else:
        rule = {
            "mode": "relative",
            "anchor_obligation": after,
            "anchor_event": after_event,
            "offset": offset,
            "unit": unit,
        }
    return services.obligation_add(
        actor=zone.member,
        clause=zone.government_clause if government else zone.enterprise_clause,
        obligor_side=side,
        obligor_department=(department or zone.department) if government else None,
        kind=kind or ("permit" if government else "construction_start"),
        title=title or ("施工许可证核发" if government else "开工建设"),
        due_rule=rule,
        target_value=target,
        target_unit=target_unit,
    )


def evidence(name: str = "证明.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def reload(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


__all__ = [
    "D",
    "PDF",
    "PNG",
    "Zone",
    "add_obligation",
    "evidence",
    "make_agreement",
    "make_project",
    "reload",
]


def fire_alarm(obligation: Obligation) -> Any:
    """The alarm rung as the daily scan records it, for the obligation's current date."""
    from django.utils import timezone

    from qinqing.deadlines.models import Alert, RungName

    obligation.refresh_from_db()
    assert obligation.deadline is not None and obligation.due_date is not None
    return Alert.objects.create(
        deadline=obligation.deadline,
        rung=RungName.ALARM,
        due_date=obligation.due_date,
        rung_on=obligation.due_date + dt.timedelta(days=1),
        fired_on=timezone.localdate(),
        fired_at=timezone.now(),
    )


__all__ += ["fire_alarm"]
