"""Excel exports of the contracts' tables: the rows the user may read, cells that never
become formulas, and the denied paths."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from qinqing.contracts.models import Obligation

from .test_ocds_world import World, build_world

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)


def _get(user: Any, url: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _book(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    data = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True)


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_projects_export_holds_the_visible_projects(world: World) -> None:
    # given an enterprise name that looks like a formula
    enterprise = world.city.enterprise
    enterprise.name = '=HYPERLINK("http://evil.test","点我")'
    enterprise.save(update_fields=["name"])
    # when the zone's committee member exports the projects list
    response = _get(world.city.committee_member, reverse("contracts:export_projects"))
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="projects-{today}.xlsx"'
    book = _book(response)
    rows = _rows(book.worksheets[0])
    # then only the zone's project is there, the name kept as text
    assert [row[0] for row in rows] == ["TS-001"]
    row = rows[0]
    assert row[2] == enterprise.name
    assert row[3] == enterprise.credit_code
    assert row[6] == 500000000
    assert row[8] == pytest.approx(120.5)
    assert row[11] == pytest.approx(0.5)  # the government's fulfilment rate
    assert row[12] == pytest.approx(0.25)
    assert (row[13], row[14]) == (3, 1)  # overdue, still owed; open alarms


def test_projects_export_for_a_supervisor_and_an_enterprise(world: World) -> None:
    url = reverse("contracts:export_projects")
    rows = _rows(_book(_get(world.city.city_supervisor, url)).worksheets[0])
    assert sorted(row[0] for row in rows) == ["KF-001", "TS-001"]
    # the list page's filters apply (the same query string)
    rows = _rows(_book(_get(world.city.city_supervisor, url + "?q=KF-001")).worksheets[0])
    assert [row[0] for row in rows] == ["KF-001"]
    rows = _rows(_book(_get(world.city.city_supervisor, url + "?alarms=1")).worksheets[0])
    assert [row[0] for row in rows] == ["TS-001"]
    rows = _rows(_book(_get(world.city.enterprise_user, reverse("contracts:export_projects"))).worksheets[0])
    assert [row[0] for row in rows] == ["TS-001"]


def test_project_export_has_both_sides(world: World) -> None:
    url = reverse("contracts:export_project", args=[world.project.public_id])
    response = _get(world.city.enterprise_user, url)
    assert "project-TS-001-" in response["Content-Disposition"]
    rows = _rows(_book(response).worksheets[0])
    assert len(rows) == Obligation.objects.filter(project=world.project).count() == 12
    by_title = {row[5]: row for row in rows}
    early = by_title[world.obligations["construction_early"].title]
    assert early[1] == world.city.enterprise.name
    assert early[6] == dt.datetime.combine(world.today - dt.timedelta(days=30), dt.time())
    assert early[9] == dt.datetime.combine(world.today - dt.timedelta(days=130), dt.time())
    assert early[10] == 100
    late = by_title[world.obligations["investment_late"].title]
    assert late[10] == -10
    assert late[7] == dt.datetime.combine(world.today - dt.timedelta(days=90), dt.time())  # original date
    assert (late[12], late[13], late[14]) == (300000000, 310000000, "元")
    power = by_title[world.obligations["power_overdue_alarm"].title]
    assert power[1] == "市发改委"
    assert power[11] == 20  # days overdue
    with translation.override("zh-hans"):
        assert power[15] == pgettext("alarm", "Open")
        assert by_title[world.obligations["water_answered"].title][15] == pgettext("alarm", "Answered")
    pending = by_title[world.obligations["permit_pending"].title]
    assert pending[6] is None


def test_project_export_denied_outside_the_scope(world: World) -> None:
    url = reverse("contracts:export_project", args=[world.project.public_id])
    assert _get(world.other_member, url).status_code == 404
    response = _get(None, url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_dashboard_export(world: World) -> None:
    response = _get(world.city.city_supervisor, reverse("contracts:export_dashboard"))
    book = _book(response)
    sides, departments, enterprises, projects = book.worksheets
    government, enterprise, both = _rows(sides)
    assert government[1:4] == (7, 5, 2)  # obligations, due so far, met by the due date
    assert government[12] == pytest.approx(0.4)
    assert both[1] == 13
    assert len(_rows(departments)) == 3
    per_enterprise = {row[1]: row for row in _rows(enterprises)}
    assert set(per_enterprise) == {world.city.enterprise.credit_code, world.city.other_enterprise.credit_code}
    mine = per_enterprise[world.city.enterprise.credit_code]
    assert mine[0] == world.city.enterprise.name
    assert mine[13] == pytest.approx(0.25)  # its own rate
    # met late by a plan's date, rescheduled, more than once, contract dates moved after a miss
    assert mine[14:18] == (0, 0, 0, 0)
    assert mine[18] == pytest.approx(0.5)  # the government's towards it
    per_project = {row[0]: row for row in _rows(projects)}
    assert set(per_project) == {"KF-001", "TS-001"}
    assert per_project["TS-001"][2] == world.city.enterprise.name
    assert per_project["TS-001"][6] == pytest.approx(0.5)
    assert per_project["TS-001"][10] == pytest.approx(0.25)


def test_dashboard_and_alarms_exports_are_for_officials(world: World) -> None:
    for name in ("contracts:export_dashboard", "contracts:export_alarms"):
        assert _get(world.city.enterprise_user, reverse(name)).status_code == 403
        assert _get(None, reverse(name)).status_code == 302


def test_alarms_export_lists_the_alarms_pages_rows(world: World) -> None:
    url = reverse("contracts:export_alarms")
    rows = _rows(_book(_get(world.city.committee_member, url)).worksheets[0])
    # in due order, as the page lists them
    assert [row[6] for row in rows] == [
        world.obligations["power_overdue_alarm"].title,
        world.obligations["water_answered"].title,
    ]
    assert rows[0][1] == "TS-001"
    assert rows[0][9] == 20
    # the page's state filter applies
    rows = _rows(_book(_get(world.city.committee_member, url + "?state=answered")).worksheets[0])
    assert [row[6] for row in rows] == [world.obligations["water_answered"].title]
    # the other zone's member sees no alarm of this zone
    assert _rows(_book(_get(world.other_member, reverse("contracts:export_alarms"))).worksheets[0]) == []


def test_exports_cost_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(world.city.city_supervisor)
    with django_assert_max_num_queries(12):
        b"".join(client.get(reverse("contracts:export_projects")).streaming_content)
    with django_assert_max_num_queries(12):
        b"".join(client.get(reverse("contracts:export_dashboard")).streaming_content)
    with django_assert_max_num_queries(12):
        url = reverse("contracts:export_project", args=[world.project.public_id])
        b"".join(client.get(url).streaming_content)
