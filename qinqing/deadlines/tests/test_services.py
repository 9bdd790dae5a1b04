"""Opening, moving, pausing, resuming and closing deadlines; ladder overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.deadlines import services
from qinqing.deadlines.models import Alert, DeadlinePause, DeadlineRungDate, DeadlineStatus, LadderOverride
from qinqing.deadlines.scan import deadlines_scan
from qinqing.workdays.calendar import CalendarYearNotSeeded

from .conftest import CALENDAR_KIND, KIND

D = dt.date


def _rungs(deadline):
    return [
        (r.rung, r.on_date, r.spent)
        for r in DeadlineRungDate.objects.filter(deadline=deadline).order_by("position")
    ]


def _actions(deadline):
    return list(
        AuditEvent.objects.filter(object_type="deadlines.deadline", object_id=str(deadline.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_open_computes_the_rung_dates_and_the_first_rung(open_item):
    deadline = open_item(D(2026, 10, 9))
    assert _rungs(deadline) == [
        ("reminder", D(2026, 9, 30), False),
        ("warning", D(2026, 10, 9), False),
        ("alarm", D(2026, 10, 10), False),
        ("escalation", D(2026, 10, 12), False),
    ]
    assert (deadline.next_rung, deadline.next_rung_on) == ("reminder", D(2026, 9, 30))
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.original_due_date == D(2026, 10, 9)
    assert _actions(deadline) == ["deadline.open"]


def test_one_open_deadline_per_record_and_kind(open_item, city):
    first = open_item(D(2026, 10, 9))
    with pytest.raises(Conflict) as info:
        services.deadline_open(
            actor=city.officer,
            kind=KIND,
            object_type=first.object_type,
            object_id=first.object_id,
            organisation=city.drc,
            due_date=D(2026, 11, 2),
        )
    assert info.value.code == "deadline_exists"
    services.deadline_close(actor=city.officer, deadline=first, status=DeadlineStatus.MET)
    again = services.deadline_open(
        actor=city.officer,
        kind=KIND,
        object_type=first.object_type,
        object_id=first.object_id,
        organisation=city.drc,
        due_date=D(2026, 11, 2),
    )
    assert again.pk != first.pk


def test_open_refuses_an_undeclared_kind_and_an_unknown_calendar_year(open_item):
    with pytest.raises(ValidationFailed):
        open_item(D(2026, 10, 9), kind="no.such.kind")
    with pytest.raises(CalendarYearNotSeeded):
        open_item(D(2028, 1, 7))  # its working-day rungs fall in 2028


def test_open_with_an_item_ladder(open_item):
    deadline = open_item(D(2026, 3, 10), ladder_override=[{"name": "alarm", "offset": 0, "unit": "calendar"}])
    assert _rungs(deadline) == [("alarm", D(2026, 3, 10), False)]
    with pytest.raises(ValidationFailed):
        open_item(D(2026, 3, 10), ladder_override=[{"name": "alarm", "offset": "soon"}])


def test_move_restarts_the_ladder_and_keeps_old_alerts(open_item, city):
    deadline = open_item(D(2026, 3, 10))
    deadlines_scan(today=D(2026, 3, 11))  # reminder, warning, alarm (03-11) fire
    deadline.refresh_from_db()
    assert deadline.last_rung == "alarm"
    moved = services.deadline_move(
        actor=city.head, deadline=deadline, due_date=D(2026, 3, 20), reason="补正材料"
    )
    assert moved.due_date == D(2026, 3, 20)
    assert moved.last_rung == ""
    assert (moved.next_rung, moved.next_rung_on) == ("reminder", D(2026, 3, 18))
    assert Alert.objects.filter(deadline=deadline, due_date=D(2026, 3, 10)).count() == 3
    assert _actions(deadline) == ["deadline.open", "deadline.move"]
    with pytest.raises(ValidationFailed):
        services.deadline_move(actor=city.head, deadline=deadline, due_date=D(2026, 3, 25), reason=" ")


def test_close_stops_the_ladder(open_item, city):
    deadline = open_item(D(2026, 3, 10))
    closed = services.deadline_close(actor=city.officer, deadline=deadline, status=DeadlineStatus.MET)
    assert (closed.status, closed.next_rung_on, closed.closed_at is not None) == ("met", None, True)
    assert deadlines_scan(today=D(2026, 4, 30)).alerts == 0
    with pytest.raises(InvalidTransition):
        services.deadline_move(actor=city.officer, deadline=deadline, due_date=D(2026, 4, 1), reason="x")
    with pytest.raises(ValidationFailed):
        services.deadline_close(actor=city.officer, deadline=open_item(D(2026, 3, 10)), status="open")


def test_pause_and_resume_push_the_due_date_by_the_working_days_stopped(open_item, city, monkeypatch):
    deadline = open_item(D(2026, 9, 30))  # Wednesday before National Day
    monkeypatch.setattr(services, "_today", lambda: D(2026, 10, 12))
    pause = services.deadline_pause(
        actor=city.officer, deadline=deadline, reason="等待企业补正", start=D(2026, 9, 24)
    )
    deadline.refresh_from_db()
    assert deadline.paused
    with pytest.raises(InvalidTransition):
        services.deadline_pause(actor=city.officer, deadline=deadline, reason="again")
    resumed = services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 10, 12))
    # Stopped [09-24, 10-12), with 09-25..27 (Mid-Autumn) and 10-01..07 off: 09-24, 09-28,
    # 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10 are 7 working days.
    pause.refresh_from_db()
    assert (pause.pushed_days, pause.pushed_unit, pause.end) == (7, "working", D(2026, 10, 12))
    assert resumed.due_date == D(2026, 10, 15)  # seven working days after 09-30
    assert not resumed.paused
    assert _actions(deadline) == ["deadline.open", "deadline.pause", "deadline.resume"]


def test_pause_and_resume_in_calendar_days(open_item, city, monkeypatch):
    deadline = open_item(D(2026, 10, 1), kind=CALENDAR_KIND)
    monkeypatch.setattr(services, "_today", lambda: D(2026, 9, 20))
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="现场核查", start=D(2026, 9, 10))
    resumed = services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 9, 20))
    assert resumed.due_date == D(2026, 10, 11)


def test_pause_dates_are_checked(open_item, city, monkeypatch):
    deadline = open_item(D(2026, 10, 1))
    monkeypatch.setattr(services, "_today", lambda: D(2026, 9, 20))
    with pytest.raises(ValidationFailed):
        services.deadline_pause(actor=city.officer, deadline=deadline, reason="x", start=D(2026, 9, 21))
    with pytest.raises(ValidationFailed):
        services.deadline_pause(actor=city.officer, deadline=deadline, reason="  ")
    with pytest.raises(InvalidTransition):
        services.deadline_resume(actor=city.officer, deadline=deadline)
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="x", start=D(2026, 9, 15))
    with pytest.raises(ValidationFailed):
        services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 9, 14))
    services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 9, 16))
    with pytest.raises(ValidationFailed):
        services.deadline_pause(actor=city.officer, deadline=deadline, reason="x", start=D(2026, 9, 15))


def test_a_paused_item_cannot_be_moved_or_closed_twice(open_item, city):
    deadline = open_item(D(2026, 3, 10))
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="x", start=D(2026, 3, 1))
    with pytest.raises(InvalidTransition):
        services.deadline_move(actor=city.officer, deadline=deadline, due_date=D(2026, 4, 1), reason="y")
    services.deadline_close(actor=city.officer, deadline=deadline, status=DeadlineStatus.MET)
    with pytest.raises(InvalidTransition):
        services.deadline_close(actor=city.officer, deadline=deadline, status=DeadlineStatus.CANCELLED)


def test_closing_a_paused_item_ends_the_pause(open_item, city):
    deadline = open_item(D(2026, 3, 10))
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="x", start=D(2026, 3, 1))
    services.deadline_close(
        actor=city.officer, deadline=deadline, status=DeadlineStatus.CANCELLED, reason="撤回"
    )
    deadline.refresh_from_db()
    assert (deadline.status, deadline.paused) == ("cancelled", False)
    assert DeadlinePause.objects.get(deadline=deadline).end is not None


# --- ladder overrides -------------------------------------------------------------------------


def test_only_an_admin_overrides_a_ladder(city, ladders):
    with pytest.raises(PermissionDenied):
        services.ladder_override_set(actor=city.head, kind=KIND, rungs=[{"name": "alarm", "offset": 0}])
    override = services.ladder_override_set(
        actor=city.admin, kind=KIND, rungs=[{"name": "alarm", "offset": 0, "unit": "calendar"}], note="试行"
    )
    assert override.rungs == [{"name": "alarm", "offset": 0, "unit": "calendar"}]
    assert AuditEvent.objects.filter(action="deadline.ladder.override").count() == 1
    services.ladder_override_clear(actor=city.admin, kind=KIND)
    assert not LadderOverride.objects.exists()
    assert AuditEvent.objects.filter(action="deadline.ladder.clear").count() == 1


def test_an_override_applies_to_new_items_and_reladders_open_ones(open_item, city):
    old = open_item(D(2026, 3, 10))
    deadlines_scan(today=D(2026, 3, 6))  # the reminder (03-06) fires
    services.ladder_override_set(
        actor=city.admin,
        kind=KIND,
        rungs=[
            {"name": "reminder", "offset": -5, "unit": "calendar"},
            {"name": "alarm", "offset": 2, "unit": "calendar"},
        ],
    )
    new = open_item(D(2026, 3, 10))
    assert _rungs(new) == [("reminder", D(2026, 3, 5), False), ("alarm", D(2026, 3, 12), False)]
    assert services.deadlines_reladder(kind=KIND) == 2
    # The old item's reminder already fired for this due date: it stays spent.
    assert _rungs(old) == [("reminder", D(2026, 3, 5), True), ("alarm", D(2026, 3, 12), False)]
    old.refresh_from_db()
    assert (old.next_rung, old.next_rung_on) == ("alarm", D(2026, 3, 12))
    assert deadlines_scan(today=D(2026, 3, 12)).by_rung == {"reminder": 1, "alarm": 2}


def test_reladder_skips_an_item_whose_new_rungs_fall_in_an_unknown_year(open_item, city):
    late = open_item(D(2027, 12, 28), kind=CALENDAR_KIND)
    early = open_item(D(2026, 6, 1), kind=CALENDAR_KIND)
    before = _rungs(late)
    services.ladder_override_set(
        actor=city.admin, kind=CALENDAR_KIND, rungs=[{"name": "alarm", "offset": 5, "unit": "working"}]
    )
    assert services.deadlines_reladder(kind=CALENDAR_KIND) == 1
    assert _rungs(late) == before  # five working days after 12-28 is in 2028: kept as it was
    assert _rungs(early) == [("alarm", D(2026, 6, 8), False)]
    event = AuditEvent.objects.get(action="deadline.reladder")
    assert event.after["skipped"] == [late.pk]
