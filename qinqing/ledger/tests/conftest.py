"""The ledger's test world, on top of the root `city` fixture.

`ledger` adds a second officer of the development and reform commission (市发改委,
watched by 派驻第一纪检监察组), an officer of the commerce bureau as a co-responsible
department, an appointed observer, a monitoring point, and a topic campaign. Helpers:
`complaint(world)` registers an enterprise complaint; `assigned(world)` one assigned to
the commission's department; `pdf()` a small evidence upload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.ledger import services
from qinqing.ledger.models import Campaign, Category, Channel, MonitoringPoint, Observer, Problem
from qinqing.workdays import calendar
from qinqing.workdays.testing import ensure_official_calendar

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    city: Any
    officer2: User
    commerce_officer: User
    observer_user: User
    observer: Observer
    point: MonitoringPoint
    topic_campaign: Campaign
    outsider: User


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(file_storage: Any) -> None:
    """Every test here stores its files in a folder of its own."""


@pytest.fixture
def ledger(city) -> World:
    ensure_official_calendar()
    c = city
    officer2 = give_role(UserFactory(username="officer-b"), Role.OFFICER, organisation=c.drc)
    commerce_officer = c.other_officer
    observer_user = UserFactory(username="observer")
    observer = services.observer_appoint(
        actor=c.city_supervisor,
        user=observer_user,
        organisation=c.commission,
        appointed_on=dt.date(2026, 1, 5),
        affiliation="泉州市工商联",
    )
    point = services.monitoring_point_appoint(
        actor=c.city_supervisor,
        name="丰泽区营商环境监测点",
        organisation=c.commission,
        appointed_on=dt.date(2026, 1, 5),
        enterprise=c.enterprise,
    )
    topic_campaign = services.campaign_create(
        actor=c.city_supervisor,
        channel=Channel.TOPIC,
        title="涉企点题整治",
        organisation=c.commission,
        starts_on=dt.date(2026, 3, 1),
        topics=[{"title": "涉企收费", "category": Category.MARKET}],
    )
    outsider = UserFactory(username="outsider")
    return World(
        city=c,
        officer2=officer2,
        commerce_officer=commerce_officer,
        observer_user=observer_user,
        observer=observer,
        point=point,
        topic_campaign=topic_campaign,
        outsider=outsider,
    )


def complaint(world: World, **overrides: Any) -> Problem:
    fields: dict[str, Any] = {
        "channel": Channel.COMPLAINT,
        "title": "施工许可审批材料反复补正",
        "description": "同一份材料被要求补正三次，每次意见不同。",
        "category": Category.GOVERNMENT,
        "subcategory": "approval",
    }
    fields.update(overrides)
    return services.problem_report(actor=world.city.enterprise_user, **fields)


def assigned(world: World, *, days: int = 5, **overrides: Any) -> Problem:
    problem = complaint(world, **overrides)
    return services.problem_assign(
        actor=world.city.city_supervisor, problem=problem, department=world.city.drc, deadline_days=days
    )
