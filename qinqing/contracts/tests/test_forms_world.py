"""The project the page tests of the write side run against (this module holds no tests).

Built through the services as the committee would: in the conftest's Taishang zone a
project of the conftest's enterprise, an investment agreement with one clause and three
obligations: the enterprise's construction start (due in a month), its investment target
(due in two months, 100 million yuan), and the development and reform commission's
filing (due five days ago, its alarm fired). A second committee member of the zone
decides disputes (four eyes); the other enterprise's user sees nothing of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.contracts import services
from qinqing.contracts.models import Clause, Contract, Obligation, Project

from .conftest import fire_alarm

__all__ = ["fire_alarm"]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class World:
    city: Any
    member: User
    member_b: User
    other_enterprise_user: User
    project: Project
    contract: Contract
    clause: Clause
    construction: Obligation
    investment: Obligation
    permit: Obligation

    def reload(self, obligation: Obligation) -> Obligation:
        return Obligation.objects.get(pk=obligation.pk)


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def build_world(city: Any) -> World:
    today = timezone.localdate()
    member = city.committee_member
    member_b = give_role(
        cast(User, UserFactory(username="cmt-b")), Role.COMMITTEE, organisation=city.committee
    )
    other_enterprise_user = give_role(
        cast(User, UserFactory(username="ent-other")), Role.ENTERPRISE, enterprise=city.other_enterprise
    )
    project = services.project_create(
        actor=member,
        enterprise=city.enterprise,
        committee=city.committee,
        reference="TSQ-101",
        name="年产五万吨新材料项目",
        industry="新材料",
        planned_investment=Decimal("300000000.00"),
        signed_on=today - dt.timedelta(days=120),
    )
    contract = services.contract_add(
        actor=member,
        project=project,
        kind="investment_agreement",
        number="TSQ-HT-101",
        title="投资协议书",
        government_party=city.committee,
        signed_on=project.signed_on,
    )
    clause = services.clause_add(actor=member, contract=contract, number="6", text="双方的权利义务。")
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
    fire_alarm(permit)
    return World(
        city=city,
        member=member,
        member_b=member_b,
        other_enterprise_user=other_enterprise_user,
        project=project,
        contract=contract,
        clause=clause,
        construction=construction,
        investment=investment,
        permit=permit,
    )


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)
