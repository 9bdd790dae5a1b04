"""A change of the working-day calendar cannot move a contract's date already missed:
the job that recomputes the dates counted in working days keeps that date (the miss
stays, and how late it is), records the date the changed calendar gives beside it with
its audit event, shows it in the obligation's history and tells the committee and the
supervisors once. Dates still to come move as before. Running the job again (the
scheduler repeating it after a crash, or two workers at once) records and tells nothing
more."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from qinqing.audit.models import AuditEvent
from qinqing.contracts import reports, services
from qinqing.contracts.models import (
    DueChangeReason,
    DueDateChange,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    ObligorSide,
)
from qinqing.contracts.services.recompute import obligations_redate_years
from qinqing.contracts.tasks import redate_working_days
from qinqing.deadlines.models import Deadline
from qinqing.notifications.models import Notification
from qinqing.workdays import calendar
from qinqing.workdays.models import DayKind, HolidayName
from qinqing.workdays.services import calendar_day_create

from .conftest import D, add_obligation, evidence, reload

LAND = "land_certificate"
KEPT = "contracts.obligation.contract_date_kept_after_miss"
KIND = "contracts.missed_date_kept"
AFTER = D(2026, 6, 15)  # the day the job runs in most tests


@pytest.fixture
def world(zone):
    """The land certificate issued on Monday 1 June 2026. The permit is due within 5
    working days (Monday 8 June: missed by the 15th); construction within 20 (30 June,
    the Dragon Boat Festival on the 19th not counted: still to come on the 15th)."""
    event = services.event_record(
        actor=zone.member, project=zone.project, key=LAND, occurred_on=D(2026, 6, 1), today=D(2026, 6, 1)
    )
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, after_event=event, offset=5, unit="working")
    start = add_obligation(zone, after_event=event, offset=20, unit="working")
    assert reload(permit).original_due_date == D(2026, 6, 8)
    assert reload(start).original_due_date == D(2026, 6, 30)
    return permit, start


def _day_off(zone, day, kind=DayKind.HOLIDAY):
    """An admin enters a day in the 2026 calendar (the edit queues the job; the tests run
    it themselves, on the day they choose)."""
    calendar_day_create(
        actor=zone.admin,
        date=day,
        kind=kind,
        name=HolidayName.OTHER if kind == DayKind.HOLIDAY else HolidayName.DRAGON_BOAT,
    )
    calendar.invalidate()


def _trail(ob):
    ob = reload(ob)
    deadline = Deadline.objects.get(pk=ob.deadline_id)
    return (
        ob.due_date,
        ob.original_due_date,
        ob.revision,
        deadline.due_date,
        DueDateChange.objects.filter(obligation=ob).count(),
        MissedDateKept.objects.filter(obligation=ob).count(),
        AuditEvent.objects.filter(object_id=str(ob.pk), object_type="contracts.obligation").count(),
    )


def test_a_missed_date_is_kept_and_the_calendar_s_date_recorded(zone, world):
    permit, start = world
    before = _trail(permit)
    _day_off(zone, D(2026, 6, 3))  # Wednesday 3 June off: the rule now gives 9 June
    assert obligations_redate_years(years=[2026], today=AFTER) == 1  # the construction only
    permit = reload(permit)
    # The missed date stays the contract's and the ladder's; nothing of it moved.
    assert (permit.due_date, permit.original_due_date) == (D(2026, 6, 8), D(2026, 6, 8))
    assert _trail(permit)[:5] == before[:5]
    kept = MissedDateKept.objects.get(obligation=permit)
    assert (kept.missed_date, kept.calendar_date, kept.years) == (D(2026, 6, 8), D(2026, 6, 9), "2026")
    event = AuditEvent.objects.get(action=KEPT)
    assert (event.object_type, event.object_id, event.actor_id) == (
        "contracts.obligation",
        str(permit.pk),
        None,
    )
    assert event.before == {"original_due_date": "2026-06-08"}
    assert event.after == {
        "original_due_date": "2026-06-08",
        "calendar_due_date": "2026-06-09",
        "calendar_years": "2026",
    }
    assert not MissedDateMove.objects.exists()
    # A date still to come follows the calendar, with its trail.
    start = reload(start)
    assert (start.due_date, start.original_due_date) == (D(2026, 7, 1), D(2026, 7, 1))
    change = DueDateChange.objects.filter(obligation=start).latest("changed_at", "id")
    assert (change.old_date, change.new_date, change.reason) == (
        D(2026, 6, 30),
        D(2026, 7, 1),
        DueChangeReason.RULE_CHANGED,
    )
    # Still late, and late by what it was: not counted as moved.
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=AFTER)
    assert (figures["government"]["overdue_open"], figures["all"]["moved_after_miss"]) == (1, 0)


def test_met_late_it_is_judged_by_the_missed_date(zone, world):
    permit, _start = world
    _day_off(zone, D(2026, 6, 3))
    obligations_redate_years(years=[2026], today=AFTER)
    claim = services.obligation_claim(
        actor=zone.officer, obligation=reload(permit), met_on=D(2026, 6, 9), files=[evidence()], today=AFTER
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, today=AFTER)
    # On the day the calendar now gives, but a day after the date that was missed.
    assert reload(permit).days_early == -1
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=AFTER)["government"]
    assert (figures["met_late"], figures["met_on_time"]) == (1, 0)


def test_the_committee_and_the_supervisors_are_told_once_and_a_rerun_adds_nothing(zone, world):
    permit, start = world
    _day_off(zone, D(2026, 6, 3))
    assert obligations_redate_years(years=[2026], today=AFTER) == 1
    told = Notification.objects.filter(kind=KIND)
    # Both committee members (the job is nobody's act), the city-wide supervisor and the
    # supervisor of the permit's department; not the enterprise nor the department.
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [
            zone.member.username,
            zone.member_b.username,
            zone.city_supervisor.username,
            zone.supervisor.username,
        ]
    )
    message = told.get(recipient=zone.member)
    assert "2026-06-08" in message.body and "2026-06-09" in message.body
    assert reload(permit).title in message.body
    assert message.url == reverse("contracts:obligation", args=[permit.public_id])
    # The scheduler runs it again (after a crash, or twice): nothing more anywhere.
    before = (_trail(permit), _trail(start), Notification.objects.count(), AuditEvent.objects.count())
    assert obligations_redate_years(years=[2026], today=AFTER) == 0
    assert obligations_redate_years(years=[2026], today=D(2026, 6, 16)) == 0
    assert (_trail(permit), _trail(start), Notification.objects.count(), AuditEvent.objects.count()) == before


def test_a_further_change_is_a_new_fact_recorded_and_told_once_more(zone, world):
    permit, _start = world
    _day_off(zone, D(2026, 6, 3))
    obligations_redate_years(years=[2026], today=AFTER)
    _day_off(zone, D(2026, 6, 4))  # Thursday off too: the rule now gives 10 June
    obligations_redate_years(years=[2026], today=AFTER)
    obligations_redate_years(years=[2026], today=AFTER)
    assert list(
        MissedDateKept.objects.filter(obligation=permit)
        .order_by("id")
        .values_list("missed_date", "calendar_date")
    ) == [(D(2026, 6, 8), D(2026, 6, 9)), (D(2026, 6, 8), D(2026, 6, 10))]
    assert reload(permit).original_due_date == D(2026, 6, 8)
    assert AuditEvent.objects.filter(action=KEPT).count() == 2
    assert Notification.objects.filter(kind=KIND, recipient=zone.member).count() == 2


def test_a_make_up_working_day_does_not_make_the_miss_older_either(zone, world):
    permit, _start = world
    # Saturday 6 June worked: the rule now gives that Saturday, two days earlier.
    _day_off(zone, D(2026, 6, 6), kind=DayKind.MAKEUP_WORKDAY)
    obligations_redate_years(years=[2026], today=AFTER)
    assert reload(permit).original_due_date == D(2026, 6, 8)
    kept = MissedDateKept.objects.get(obligation=permit)
    assert (kept.missed_date, kept.calendar_date) == (D(2026, 6, 8), D(2026, 6, 6))


def test_a_date_still_to_come_moves_as_before(zone, world):
    permit, _start = world
    _day_off(zone, D(2026, 6, 3))
    # On 5 June the permit's date (8 June) is still to come.
    assert obligations_redate_years(years=[2026], today=D(2026, 6, 5)) == 2
    permit = reload(permit)
    assert (permit.due_date, permit.original_due_date) == (D(2026, 6, 9), D(2026, 6, 9))
    assert Deadline.objects.get(pk=permit.deadline_id).due_date == D(2026, 6, 9)
    assert not MissedDateKept.objects.exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_a_missed_date_with_a_remedy_plan_keeps_both_dates(zone, world):
    permit, _start = world
    from qinqing.deadlines.scan import deadlines_scan

    deadlines_scan(today=D(2026, 6, 10))
    plan = services.plan_submit(
        actor=zone.officer,
        obligation=reload(permit),
        cause="材料不全",
        remedy="补正后办结",
        proposed_date=D(2026, 6, 30),
        today=D(2026, 6, 10),
    )
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    _day_off(zone, D(2026, 6, 3))
    obligations_redate_years(years=[2026], today=AFTER)
    permit = reload(permit)
    assert (permit.due_date, permit.original_due_date) == (D(2026, 6, 30), D(2026, 6, 8))
    assert MissedDateKept.objects.get(obligation=permit).calendar_date == D(2026, 6, 9)


def test_the_queued_job_run_twice_records_and_tells_once(zone, world, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from qinqing.contracts.services import recompute

    permit, _start = world
    monkeypatch.setattr(recompute, "current_day", lambda: AFTER)
    _day_off(zone, D(2026, 6, 3))
    queued = list(DBTaskResult.objects.filter(task_path=redate_working_days.module_path))
    assert [row.args_kwargs["kwargs"]["years"] for row in queued] == [[2026]]
    assert [redate_working_days.call(**row.args_kwargs["kwargs"]) for row in queued * 2] == [1, 0]
    assert MissedDateKept.objects.filter(obligation=permit).count() == 1
    assert Notification.objects.filter(kind=KIND, recipient=zone.member).count() == 1


def test_the_obligation_page_shows_the_kept_date(zone, world):
    permit, _start = world
    _day_off(zone, D(2026, 6, 3))
    obligations_redate_years(years=[2026], today=AFTER)
    client = Client()
    client.force_login(zone.city_supervisor)
    url = reverse("contracts:obligation", args=[permit.public_id])
    html = client.get(url).content.decode()
    assert 'data-kind="missed_kept"' in html and 'data-testid="missed-kept"' in html
    assert "2026-06-08" in html and "2026-06-09" in html
    assert "逾期的合同约定期限保持不变" in html
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Missed contract date kept" in english and "lateness is still judged by it" in english


# --- Two workers at once (PostgreSQL: real row locks) --------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_record_and_tell_once(zone, world):
    import threading

    permit, start = world
    _day_off(zone, D(2026, 6, 3))
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = obligations_redate_years(years=[2026], today=AFTER)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 1], results  # type: ignore[type-var]
    assert MissedDateKept.objects.filter(obligation=permit).count() == 1
    assert AuditEvent.objects.filter(action=KEPT).count() == 1
    assert Notification.objects.filter(kind=KIND, recipient=zone.member).count() == 1
    assert DueDateChange.objects.filter(obligation=start, reason=DueChangeReason.RULE_CHANGED).count() == 1
