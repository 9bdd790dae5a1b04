"""Fulfilment figures: per side, department, enterprise, project and zone, each one
database query over a scoped queryset."""

from __future__ import annotations

from typing import Any

import pytest

from qinqing.contracts import reports, selectors
from qinqing.contracts.models import Obligation

from .test_ocds_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)


def test_summary_per_side(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        summary = reports.fulfilment_summary(Obligation.objects.all())
    gov, ent, both = summary["government"], summary["enterprise"], summary["all"]
    # the government: land met 100 days early, clearance on the day, two utilities and a
    # land delivery overdue (one alarm open, one answered), a subsidy not due, a permit
    # waiting for its application, one cancelled
    assert {k: gov[k] for k in reports.COUNTS} == {
        "total": 7,
        "pending": 1,
        "owed": 4,
        "met": 2,
        "met_on_time": 2,
        "met_early": 1,
        "met_late": 0,
        "met_late_remedied": 0,
        "partly_met": 0,
        "overdue_open": 3,
        "rescheduled": 0,
        "rescheduled_repeatedly": 0,
        "moved_after_miss": 0,
        "open_alarms": 1,
        "answered_alarms": 1,
        "due_so_far": 5,
        "cancelled": 1,
    }
    assert gov["avg_days_early"] == 100
    assert gov["fulfilment_rate"] == pytest.approx(2 / 5)
    # the enterprises: two starts early (100 and 30 days), an investment 10 days late,
    # an output target partly met, a disputed tax target overdue, production not due
    assert ent["total"] == 6
    assert (ent["met"], ent["met_on_time"], ent["met_early"], ent["met_late"]) == (3, 2, 2, 1)
    assert (ent["partly_met"], ent["overdue_open"], ent["owed"], ent["due_so_far"]) == (1, 1, 2, 5)
    assert ent["avg_days_early"] == 65
    assert ent["fulfilment_rate"] == pytest.approx(2 / 5)
    assert both["total"] == 13
    assert both["met_early"] == 3
    assert both["avg_days_early"] == pytest.approx(76.7)
    assert both["fulfilment_rate"] == pytest.approx(4 / 10)


def test_nothing_due_has_no_rate(db: Any) -> None:
    summary = reports.fulfilment_summary(Obligation.objects.none())
    assert summary["government"]["fulfilment_rate"] is None
    assert summary["all"]["total"] == 0
    assert summary["all"]["avg_days_early"] is None
    assert reports.empty_figures()["total"] == 0


def test_by_department(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        rows = {row["name"]: row for row in reports.by_department(Obligation.objects.all())}
    assert set(rows) == {"市发改委", "市商务局", "市自然资源局"}
    drc = rows["市发改委"]
    assert (drc["total"], drc["overdue_open"], drc["open_alarms"], drc["cancelled"]) == (3, 2, 1, 1)
    assert drc["fulfilment_rate"] == 0
    commerce = rows["市商务局"]
    assert (commerce["met_on_time"], commerce["answered_alarms"], commerce["due_so_far"]) == (1, 1, 2)
    assert commerce["fulfilment_rate"] == pytest.approx(0.5)
    assert rows["市自然资源局"]["met_early"] == 1
    assert rows["市自然资源局"]["fulfilment_rate"] == 1


def test_by_enterprise(world: World) -> None:
    city = world.city
    rows = {row["id"]: row for row in reports.by_enterprise(Obligation.objects.all())}
    mine, other = rows[city.enterprise.pk], rows[city.other_enterprise.pk]
    assert mine["name"] == city.enterprise.name
    assert mine["credit_code"] == city.enterprise.credit_code
    assert (mine["total"], mine["met_on_time"], mine["met_late"], mine["partly_met"]) == (5, 1, 1, 1)
    assert mine["fulfilment_rate"] == pytest.approx(1 / 4)
    assert other["fulfilment_rate"] == 1
    # what the government owes each enterprise
    owed_to = {row["id"]: row for row in reports.by_enterprise(Obligation.objects.all(), side="government")}
    assert owed_to[city.enterprise.pk]["total"] == 6
    both = {row["id"]: row for row in reports.by_enterprise(Obligation.objects.all(), side=None)}
    assert both[city.enterprise.pk]["total"] == 11


def test_by_project_and_zone(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        projects = {row["reference"]: row for row in reports.by_project(Obligation.objects.all())}
    ts, kf = projects["TS-001"], projects["KF-001"]
    assert ts["public_id"] == world.project.public_id
    assert ts["enterprise_name"] == world.city.enterprise.name
    assert ts["committee_name"] == world.city.committee.name
    assert ts["government"]["fulfilment_rate"] == pytest.approx(2 / 4)
    assert ts["enterprise"]["fulfilment_rate"] == pytest.approx(1 / 4)
    assert ts["all"]["open_alarms"] == 1
    assert kf["government"]["fulfilment_rate"] == 0
    assert kf["enterprise"]["fulfilment_rate"] == 1
    zones = {row["id"]: row for row in reports.by_zone(Obligation.objects.all())}
    assert zones[world.other_zone.pk]["name"] == "经济开发区"
    assert zones[world.city.committee.pk]["all"]["total"] == ts["all"]["total"]


def test_figures_follow_the_scope(world: World) -> None:
    # a committee member of the second zone counts only its own project
    summary = reports.fulfilment_summary(selectors.obligations_visible(world.other_member))
    assert summary["all"]["total"] == 2
    assert summary["government"]["overdue_open"] == 1
    # the enterprise's user counts its own project, both sides
    summary = reports.fulfilment_summary(selectors.obligations_visible(world.city.enterprise_user))
    assert summary["all"]["total"] == 11
