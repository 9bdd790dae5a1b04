"""The projects the contract API tests run against (this module holds no tests).

Built through the services, as a committee member would: in the Taishang zone (the
conftest's 台商投资区管委会) a project of the conftest's enterprise with an investment
agreement and one clause yielding three obligations: the enterprise's construction start
(due in a month), its investment target (due in two months), and the development and
reform commission's permit (already overdue, with an alarm fired). A second zone has its
own committee member and a project of the other enterprise."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.contracts import services
from qinqing.contracts.models import Clause, Contract, Obligation, Project

from .conftest import fire_alarm

__all__ = ["fire_alarm"]

BASE = "/api/v1/contracts"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@dataclass
class World:
    city: Any
    member: User
    member_b: User
    other_zone: Organisation
    other_member: User
    other_enterprise_user: User
    project: Project
    contract: Contract
    clause: Clause
    construction: Obligation
    investment: Obligation
    permit: Obligation
    other_project: Project

    def reload(self, obligation: Obligation) -> Obligation:
        return Obligation.objects.get(pk=obligation.pk)


def pdf(name: str = "evidence.pdf") -> io.BytesIO:
    upload = io.BytesIO(PDF)
    upload.name = name
    return upload


def _project(member: User, enterprise: Any, committee: Organisation, reference: str, name: str) -> Project:
    return services.project_create(
        actor=member,
        enterprise=enterprise,
        committee=committee,
        reference=reference,
        name=name,
        industry="新材料",
        planned_investment=Decimal("500000000.00"),
        signed_on=timezone.localdate() - dt.timedelta(days=200),
        land_parcel="TSQ-2025-07",
        land_area_mu=Decimal("120.50"),
    )


def build_world(city: Any) -> World:
    today = timezone.localdate()
    member = city.committee_member
    member_b = give_role(UserFactory(username="cmt-b"), Role.COMMITTEE, organisation=city.committee)
    other_zone = OrganisationFactory(
        code="jjkfq", name="晋江经济开发区管委会", kind=OrganisationKind.COMMITTEE, parent=city.city
    )
    other_member = give_role(UserFactory(username="cmt-jj"), Role.COMMITTEE, organisation=other_zone)
    other_enterprise_user = give_role(
        UserFactory(username="ent2"), Role.ENTERPRISE, enterprise=city.other_enterprise
    )
    project = _project(member, city.enterprise, city.committee, "TSQ-001", "年产十万吨新材料项目")
    contract = services.contract_add(
        actor=member,
        project=project,
        kind="investment_agreement",
        number="TSQ-HT-001",
        title="投资协议书",
        government_party=city.committee,
        signed_on=project.signed_on,
        value=Decimal("500000000.00"),
    )
    clause = services.clause_add(actor=member, contract=contract, number="5", text="双方的权利义务。")
    construction = services.obligation_add(
        actor=member,
        clause=clause,
        obligor_side="enterprise",
        kind="construction_start",
        title="开工建设",
        due_rule={"mode": "absolute", "date": today + dt.timedelta(days=30)},
    )
    investment = services.obligation_add(
        actor=member,
        clause=clause,
        obligor_side="enterprise",
        kind="investment",
        title="固定资产投资",
        due_rule={"mode": "absolute", "date": today + dt.timedelta(days=60)},
        target_value=Decimal("100000000.00"),
        target_unit="元",
    )
    permit = services.obligation_add(
        actor=member,
        clause=clause,
        obligor_side="government",
        obligor_department=city.drc,
        kind="permit",
        title="办理项目备案",
        due_rule={"mode": "absolute", "date": today - dt.timedelta(days=5)},
    )
    other_project = _project(other_member, city.other_enterprise, other_zone, "JJ-001", "晋江鞋服产业园项目")
    return World(
        city=city,
        member=member,
        member_b=member_b,
        other_zone=other_zone,
        other_member=other_member,
        other_enterprise_user=other_enterprise_user,
        project=project,
        contract=contract,
        clause=clause,
        construction=construction,
        investment=investment,
        permit=permit,
        other_project=other_project,
    )


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)
