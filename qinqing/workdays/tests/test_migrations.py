"""The status and provisional-2027 migrations go back and forth without losing a year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qinqing.workdays.official import PROVISIONAL

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_back_to_the_boolean_and_forward_again():
    try:
        apps = _migrate([("workdays", "0002_seed_official_2020_2026")])
        CalendarYear = apps.get_model("workdays", "CalendarYear")
        CalendarDay = apps.get_model("workdays", "CalendarDay")
        # 2027 and its statutory days are gone; the official years are complete again.
        assert list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)) == list(
            range(2020, 2027)
        )
        assert not CalendarYear.objects.filter(year=2027).exists()
        assert not CalendarDay.objects.filter(date__year=2027).exists()
        # An admin's incomplete year stays incomplete through the status migrations.
        CalendarYear.objects.create(year=2030, complete=False, source="录入中")

        apps = _migrate(_leaves())
        CalendarYear = apps.get_model("workdays", "CalendarYear")
        CalendarDay = apps.get_model("workdays", "CalendarDay")
        statuses = dict(CalendarYear.objects.values_list("year", "status"))
        assert statuses == {
            **dict.fromkeys(range(2020, 2027), "complete"),
            2027: "provisional",
            2030: "incomplete",
        }
        assert CalendarYear.objects.get(year=2027).source == PROVISIONAL[2027].source
        assert CalendarDay.objects.filter(date__year=2027).count() == 13
        assert CalendarDay.objects.filter(date=dt.date(2027, 2, 5), name="spring_festival").exists()
    finally:
        _migrate(_leaves())


def test_a_2027_entered_by_an_admin_is_left_alone():
    try:
        apps = _migrate([("workdays", "0005_remove_calendaryear_complete")])
        CalendarYear = apps.get_model("workdays", "CalendarYear")
        CalendarDay = apps.get_model("workdays", "CalendarDay")
        CalendarYear.objects.create(
            year=2027, status="complete", source="国务院办公厅关于2027年部分节假日安排的通知"
        )
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="new_year", note="官方")

        apps = _migrate(_leaves())
        CalendarYear = apps.get_model("workdays", "CalendarYear")
        CalendarDay = apps.get_model("workdays", "CalendarDay")
        assert CalendarYear.objects.get(year=2027).status == "complete"
        assert list(CalendarDay.objects.filter(date__year=2027).values_list("note", flat=True)) == ["官方"]

        # Going back leaves the admin's year too: it is not the provisional one seeded.
        apps = _migrate([("workdays", "0005_remove_calendaryear_complete")])
        assert apps.get_model("workdays", "CalendarYear").objects.get(year=2027).status == "complete"
    finally:
        _migrate(_leaves())
