"""Deadlines whose dates reach into a provisional calendar year (2027): marked when
opened, moved or resumed, shown as such, and recomputed when the year's calendar is
edited or marked complete."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.deadlines import services
from qinqing.deadlines.models import Deadline, DeadlineRungDate, DeadlineStatus
from qinqing.deadlines.scan import deadlines_scan
from qinqing.deadlines.tasks import reladder
from qinqing.workdays.models import DayKind, HolidayName, YearStatus
from qinqing.workdays.services import calendar_day_create, calendar_year_set
from qinqing.workdays.signals import calendar_changed

from .conftest import CALENDAR_KIND

D = dt.date
RELADDER = reladder.module_path


def _rungs(deadline):
    return [
        (r.rung, r.on_date) for r in DeadlineRungDate.objects.filter(deadline=deadline).order_by("position")
    ]


def _queued_years():
    return [
        r.args_kwargs["kwargs"]["years"]
        for r in DBTaskResult.objects.filter(task_path=RELADDER).order_by("enqueued_at")
    ]


def _run_queued():
    """Run the queued reladder jobs as a worker would (their kwargs, in order)."""
    results = []
    for row in DBTaskResult.objects.filter(task_path=RELADDER).order_by("enqueued_at"):
        results.append(reladder.call(**row.args_kwargs["kwargs"]))
        row.delete()
    return results


# --- marked when the dates are computed -----------------------------------------------------------


def test_an_item_due_in_2027_opens_provisional_with_its_2027_rungs(open_item):
    deadline = open_item(D(2027, 1, 8))  # a Friday
    assert deadline.provisional is True
    assert _rungs(deadline) == [
        ("reminder", D(2027, 1, 6)),
        ("warning", D(2027, 1, 8)),
        ("alarm", D(2027, 1, 11)),  # the weekend stays a rest (no make-up days assumed)
        ("escalation", D(2027, 1, 11)),
    ]
    assert Deadline.objects.get(pk=deadline.pk).provisional is True
    event = AuditEvent.objects.get(action="deadline.open", object_id=str(deadline.pk))
    assert event.after["provisional"] is True


def test_a_2026_item_whose_last_rung_falls_in_2027_is_provisional_too(open_item):
    # Due Wed 2026-12-30: alarm Thu 12-31, escalation three calendar days on: 2027-01-02.
    assert open_item(D(2026, 12, 30)).provisional is True
    assert open_item(D(2026, 12, 10)).provisional is False


def test_move_and_resume_recompute_the_mark(open_item, city, monkeypatch):
    deadline = open_item(D(2026, 12, 10))
    moved = services.deadline_move(actor=city.head, deadline=deadline, due_date=D(2027, 1, 15), reason="延期")
    assert moved.provisional is True
    back = services.deadline_move(actor=city.head, deadline=deadline, due_date=D(2026, 12, 11), reason="提前")
    assert back.provisional is False
    assert Deadline.objects.get(pk=deadline.pk).provisional is False
    # Stopped 2026-11-23 to 11-30 (five working days): due 12-11 becomes 12-18, still 2026.
    monkeypatch.setattr(services, "_today", lambda: D(2026, 11, 30))
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="补正", start=D(2026, 11, 23))
    resumed = services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 11, 30))
    assert (resumed.due_date, resumed.provisional) == (D(2026, 12, 18), False)
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="补正", start=D(2026, 11, 30))
    monkeypatch.setattr(services, "_today", lambda: D(2026, 12, 31))
    resumed = services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 12, 31))
    assert resumed.due_date.year == 2027
    assert resumed.provisional is True


# --- recomputed when the year's calendar changes ------------------------------------------------


def test_marking_2027_complete_reladders_an_open_item_and_clears_its_mark(open_item, city):
    item = open_item(D(2027, 1, 8))
    own_ladder = open_item(D(2027, 3, 1), ladder_override=[{"name": "alarm", "offset": 1, "unit": "working"}])
    untouched = open_item(D(2026, 6, 1))
    closed = open_item(D(2027, 2, 1))
    services.deadline_close(actor=city.officer, deadline=closed, status=DeadlineStatus.MET)
    # The notice, say, makes Saturday 2027-01-09 a make-up working day.
    calendar_day_create(
        actor=city.admin, date=D(2027, 1, 9), kind=DayKind.MAKEUP_WORKDAY, name=HolidayName.NEW_YEAR
    )
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.COMPLETE, source="国务院办公厅通知")
    # Each edit queued the job in its own transaction, to run once snapshots have expired.
    assert _queued_years() == [[2027], [2027]]
    for row in DBTaskResult.objects.filter(task_path=RELADDER):
        assert dt.timedelta(seconds=5) < row.run_after - row.enqueued_at < dt.timedelta(minutes=1)

    assert _run_queued() == [2, 0]  # safe twice: the second run finds nothing to change
    item.refresh_from_db()
    own_ladder.refresh_from_db()
    assert item.provisional is False
    assert own_ladder.provisional is False
    assert _rungs(item) == [
        ("reminder", D(2027, 1, 6)),
        ("warning", D(2027, 1, 8)),
        ("alarm", D(2027, 1, 9)),  # the make-up Saturday
        ("escalation", D(2027, 1, 11)),
    ]
    assert (item.next_rung, item.next_rung_on) == ("reminder", D(2027, 1, 6))
    assert _rungs(own_ladder) == [("alarm", D(2027, 3, 2))]  # its own ladder, kept

    events = AuditEvent.objects.filter(action="deadline.reladder.calendar")
    assert {e.object_id for e in events} == {str(item.pk), str(own_ladder.pk)}
    event = events.get(object_id=str(item.pk))
    assert event.actor_id is None
    assert event.before["provisional"] is True
    assert event.before["rungs"]["alarm"] == "2027-01-11"
    assert event.after["provisional"] is False
    assert event.after["rungs"]["alarm"] == "2027-01-09"
    assert event.after["calendar_years"] == [2027]
    assert event.organisation_id == city.drc.pk
    untouched.refresh_from_db()
    closed.refresh_from_db()
    assert (untouched.provisional, closed.provisional) == (False, True)  # a closed item is history


def test_rungs_already_fired_stay_fired_after_the_recomputation(open_item, city):
    item = open_item(D(2027, 1, 8))
    deadlines_scan(today=D(2027, 1, 6))  # the reminder fires
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.COMPLETE, source="通知")
    _run_queued()
    item.refresh_from_db()
    assert (item.provisional, item.next_rung, item.next_rung_on) == (False, "warning", D(2027, 1, 8))
    assert deadlines_scan(today=D(2027, 1, 8)).by_rung == {"warning": 1}


def test_withdrawing_2027_keeps_the_dates_and_audits_the_skip(open_item, city):
    item = open_item(D(2027, 1, 8))
    before = _rungs(item)
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.INCOMPLETE)
    assert _run_queued() == [0]
    item.refresh_from_db()
    assert _rungs(item) == before
    assert item.provisional is True  # still resting on the assumption it was computed with
    event = AuditEvent.objects.get(action="deadline.reladder.calendar", object_id=str(item.pk))
    assert (event.after["skipped"], event.after["year"]) == ("calendar_year_not_seeded", 2027)


def test_a_calendar_day_item_spanning_2027_is_found(open_item, city):
    # Calendar-day rungs: due 2026-12-30, escalation ten days on in 2027.
    item = open_item(D(2026, 12, 30), kind=CALENDAR_KIND)
    assert item.provisional is True
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.COMPLETE, source="通知")
    assert _run_queued() == [1]
    item.refresh_from_db()
    assert item.provisional is False


def test_the_job_is_queued_in_the_edits_transaction(city):
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_changed.send(sender=None, years=[2027], revision=1)
        assert _queued_years() == [[2027]]
        raise RuntimeError("the edit fails")
    assert _queued_years() == []


def test_the_data_migration_marks_items_already_reaching_into_2027(open_item):
    item = open_item(D(2027, 3, 1), kind=CALENDAR_KIND)
    earlier = open_item(D(2026, 3, 1), kind=CALENDAR_KIND)
    Deadline.objects.filter(pk=item.pk).update(provisional=False)
    migration = importlib.import_module("qinqing.deadlines.migrations.0003_flag_provisional_deadlines")
    migration.flag(django_apps, None)
    assert Deadline.objects.get(pk=item.pk).provisional is True
    assert Deadline.objects.get(pk=earlier.pk).provisional is False
    migration.unflag(django_apps, None)
    assert not Deadline.objects.filter(provisional=True).exists()


# --- shown ------------------------------------------------------------------------------------------


@pytest.fixture
def alerted(open_item):
    provisional = open_item(D(2027, 1, 8), title="跨年事项")
    plain = open_item(D(2026, 12, 10), title="年内事项")
    deadlines_scan(today=D(2027, 1, 8))
    return provisional, plain


def test_the_alerts_page_shows_the_mark(client, city, alerted):
    client.force_login(city.officer)
    response = client.get(reverse("deadlines:alerts"))
    html = response.content.decode()
    rows = {row.deadline.title: row for row in response.context["rows"]}
    assert rows["跨年事项"].deadline.provisional and not rows["年内事项"].deadline.provisional
    badges = html.count('data-testid="deadline-provisional"')
    assert badges == sum(1 for row in response.context["rows"] if row.deadline.provisional) > 0
    assert ">暂定<" in html
    assert "国务院通知录入前仅含法定节假日" in html  # the tooltip and the note, in Chinese
    assert 'data-testid="provisional-note"' in html


def test_the_page_has_no_note_without_provisional_items(client, city, open_item):
    open_item(D(2026, 12, 10))
    deadlines_scan(today=D(2026, 12, 31))
    client.force_login(city.officer)
    html = client.get(reverse("deadlines:alerts")).content.decode()
    assert 'data-testid="deadline-provisional"' not in html
    assert 'data-testid="provisional-note"' not in html


def test_the_api_shows_the_mark(client, city, alerted):
    client.force_login(city.officer)
    items = client.get("/api/v1/deadlines/alerts").json()["items"]
    marks = {(item["title"], item["provisional"]) for item in items}
    assert marks == {("跨年事项", True), ("年内事项", False)}
    client.force_login(city.enterprise_user)
    assert client.get("/api/v1/deadlines/alerts").status_code == 403


def test_the_export_has_the_mark(client, city, alerted):
    import io

    import openpyxl

    client.force_login(city.officer)
    content = client.get(reverse("deadlines:alerts_export")).content
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "暂定"
    assert {(row[1], row[-1]) for row in rows[1:]} == {("跨年事项", "是"), ("年内事项", None)}
