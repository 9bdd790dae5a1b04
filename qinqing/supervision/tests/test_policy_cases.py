"""Whole-process supervision of policy cases: the figures against hand-computed
fixtures, the reach of each role, and the timeline of one case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.audit.services import audit_seal_pending
from qinqing.audit.testing import tamper
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.deadlines.models import Alert, Deadline, DeadlinePause, RungName
from qinqing.deadlines.services import paused_days
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import CaseStatus, CaseStep
from qinqing.policies.services.cases import case_answer, case_approve, case_return
from qinqing.supervision.policy_cases import (
    StepState,
    access_policy_case,
    alert_rows,
    case_timeline,
    policy_step_alerts,
    policy_steps_late,
    step_rows,
    time_to_cash,
)
from qinqing.workdays.calendar import DayUnit, current_calendar

from .policy_world import MARCH

pytestmark = pytest.mark.django_db

# Wednesday 18 November 2026; no holiday in November.
TODAY = dt.date(2026, 11, 18)


def _due(tc, case, day: dt.date) -> CaseStep:
    step = tc.step(case)
    CaseStep.objects.filter(pk=step.pk).update(due_date=day)
    return step


# --- Late steps ------------------------------------------------------------------------------


def test_late_steps_count_working_days_and_follow_the_reach(two_cases):
    city = two_cases.world.city
    # Given the DRC step due Monday 9 November and the commerce step due today
    _due(two_cases, two_cases.drc_case, dt.date(2026, 11, 9))
    _due(two_cases, two_cases.commerce_case, TODAY)
    # When the commission reads the late steps
    rows = step_rows(policy_steps_late(city.city_supervisor, today=TODAY), today=TODAY)
    # Then both are listed, the most overdue first, in working days (10–13, 16–18 Nov)
    assert [(r.case.pk, r.state, r.days_overdue) for r in rows] == [
        (two_cases.drc_case.pk, StepState.OVERDUE, 7),
        (two_cases.commerce_case.pk, StepState.DUE_TODAY, 0),
    ]
    assert rows[0].step_label == "受理" or rows[0].step_label
    # and the 派驻 group, which supervises only 市发改委, sees only the DRC step
    rows = step_rows(policy_steps_late(city.supervisor, today=TODAY), today=TODAY)
    assert [r.case.pk for r in rows] == [two_cases.drc_case.pk]
    # and so does the DRC's officer; the commerce officer sees only theirs
    assert [s.case_id for s in policy_steps_late(city.officer, today=TODAY)] == [two_cases.drc_case.pk]
    assert [s.case_id for s in policy_steps_late(city.other_officer, today=TODAY)] == [
        two_cases.commerce_case.pk
    ]


def test_due_soon_is_the_next_working_day_and_overdue_only_drops_it(two_cases):
    city = two_cases.world.city
    # Friday 20 November: the next working day after Thursday 19 November
    _due(two_cases, two_cases.drc_case, dt.date(2026, 11, 19))
    _due(two_cases, two_cases.commerce_case, dt.date(2026, 11, 20))
    rows = step_rows(policy_steps_late(city.city_supervisor, today=TODAY), today=TODAY)
    assert [(r.case.pk, r.state) for r in rows] == [(two_cases.drc_case.pk, StepState.DUE_SOON)]
    assert list(policy_steps_late(city.city_supervisor, today=TODAY, overdue_only=True)) == []


def test_a_weekend_after_the_due_date_is_not_a_working_day_overdue(two_cases):
    city = two_cases.world.city
    _due(two_cases, two_cases.drc_case, dt.date(2026, 11, 20))  # a Friday
    sunday = dt.date(2026, 11, 22)
    rows = step_rows(policy_steps_late(city.city_supervisor, today=sunday, overdue_only=True), today=sunday)
    assert [(r.state, r.days_overdue) for r in rows] == [(StepState.OVERDUE, 0)]


def test_a_returned_case_is_marked_paused(two_cases):
    w = two_cases.world
    case_return(actor=w.officer, case=two_cases.drc_case, request="请补充材料")
    _due(two_cases, two_cases.drc_case, dt.date(2026, 11, 9))
    rows = step_rows(policy_steps_late(w.city.supervisor, today=TODAY), today=TODAY)
    assert [r.paused for r in rows] == [True]


def _paused_on(tc, case, *, due: dt.date, since: dt.date) -> CaseStep:
    """Return the case for materials, its step due on `due` and its clock stopped on `since`."""
    case_return(actor=tc.world.officer, case=case, request="请补充材料")
    step = _due(tc, case, due)
    DeadlinePause.objects.filter(deadline_id=step.deadline_id, end__isnull=True).update(start=since)
    return step


def test_a_step_paused_before_its_due_date_is_paused_not_overdue(two_cases):
    city = two_cases.world.city
    # Given the DRC step paused on Tuesday 10 November and due Thursday 12 November
    _paused_on(two_cases, two_cases.drc_case, due=dt.date(2026, 11, 12), since=dt.date(2026, 11, 10))
    # and the commerce step, running, due tomorrow
    _due(two_cases, two_cases.commerce_case, dt.date(2026, 11, 19))
    # When the commission reads the late steps on Wednesday 18 November
    rows = step_rows(policy_steps_late(city.city_supervisor, today=TODAY), today=TODAY)
    # Then the paused step is listed as waiting for the enterprise, late by nothing
    assert [(r.case.pk, r.state, r.days_overdue, r.paused_since) for r in rows] == [
        (two_cases.drc_case.pk, StepState.PAUSED, 0, dt.date(2026, 11, 10)),
        (two_cases.commerce_case.pk, StepState.DUE_SOON, 0, None),
    ]
    assert str(rows[0].state_label) == "已暂停：等待企业补正"
    # and "overdue only" leaves it out
    assert list(policy_steps_late(city.city_supervisor, today=TODAY, overdue_only=True)) == []


def test_a_step_paused_on_its_due_date_is_not_due_today(two_cases):
    city = two_cases.world.city
    _paused_on(two_cases, two_cases.drc_case, due=TODAY, since=dt.date(2026, 11, 16))
    rows = step_rows(policy_steps_late(city.city_supervisor, today=TODAY), today=TODAY)
    assert [(r.state, r.days_overdue) for r in rows] == [(StepState.PAUSED, 0)]


def test_a_step_late_when_paused_keeps_the_days_it_was_late(two_cases):
    city = two_cases.world.city
    # Given a step due Monday 9 November, paused on Thursday 12 November (late on 10, 11)
    _paused_on(two_cases, two_cases.drc_case, due=dt.date(2026, 11, 9), since=dt.date(2026, 11, 12))
    rows = step_rows(policy_steps_late(city.city_supervisor, today=TODAY), today=TODAY)
    # Then it is paused, late by the two working days before the pause, not by today's seven
    assert [(r.state, r.days_overdue) for r in rows] == [(StepState.PAUSED, 2)]
    # and not overdue while it waits
    assert list(policy_steps_late(city.city_supervisor, today=TODAY, overdue_only=True)) == []


def test_the_answer_moves_the_due_date_by_the_paused_working_days(two_cases):
    w = two_cases.world
    today = timezone.localdate()
    since = today - dt.timedelta(days=7)
    due = since + dt.timedelta(days=1)
    step = _paused_on(two_cases, two_cases.drc_case, due=due, since=since)
    Deadline.objects.filter(pk=step.deadline_id).update(due_date=due)
    pushed = paused_days(current_calendar(), since, today, DayUnit.WORKING)
    # When the enterprise answers
    case_answer(actor=w.spot_user, case=two_cases.drc_case, answer="已补充")
    # Then the step's clock runs again and its due date moved by the paused working days
    step.refresh_from_db()
    assert pushed > 0
    assert step.due_date == current_calendar().add_working_days(due, pushed)
    rows = step_rows(policy_steps_late(w.city.city_supervisor, today=today), today=today)
    assert all(r.step.pk != step.pk or r.state != StepState.PAUSED for r in rows)


def test_a_department_filter_narrows_within_the_reach(two_cases):
    city = two_cases.world.city
    _due(two_cases, two_cases.drc_case, dt.date(2026, 11, 9))
    _due(two_cases, two_cases.commerce_case, dt.date(2026, 11, 9))
    assert [
        s.case_id for s in policy_steps_late(city.city_supervisor, today=TODAY, department=city.commerce.pk)
    ] == [two_cases.commerce_case.pk]
    # a group asking for a department outside its reach gets nothing
    assert list(policy_steps_late(city.supervisor, today=TODAY, department=city.commerce.pk)) == []


@pytest.mark.parametrize("who", ["enterprise_user", "admin"])
def test_enterprises_and_admins_are_refused(two_cases, who):
    user = getattr(two_cases.world.city, who)
    with pytest.raises(PermissionDenied):
        policy_steps_late(user)
    with pytest.raises(PermissionDenied):
        time_to_cash(user, **MARCH)
    with pytest.raises(PermissionDenied):
        access_policy_case(user, two_cases.drc_case.public_id)


# --- Alarms ----------------------------------------------------------------------------------


def _alert(step: CaseStep, rung: str, fired: dt.date) -> Alert:
    deadline = step.deadline
    return Alert.objects.create(
        deadline=deadline,
        rung=rung,
        due_date=deadline.due_date,
        rung_on=fired,
        fired_on=fired,
        fired_at=dt.datetime.combine(fired, dt.time(8), tzinfo=dt.UTC),
    )


def test_alarms_of_policy_steps_with_their_case_in_reach(two_cases):
    city = two_cases.world.city
    drc_step = two_cases.step(two_cases.drc_case)
    commerce_step = two_cases.step(two_cases.commerce_case)
    _alert(drc_step, RungName.WARNING, dt.date(2026, 11, 10))
    _alert(drc_step, RungName.ALARM, dt.date(2026, 11, 12))
    _alert(commerce_step, RungName.ALARM, dt.date(2026, 11, 13))
    _alert(commerce_step, RungName.ESCALATION, dt.date(2025, 1, 13))  # outside the period
    period = {"since": dt.date(2026, 11, 1), "until": dt.date(2026, 11, 30)}
    rows = list(alert_rows(policy_step_alerts(city.city_supervisor, **period)))
    assert [(r.alert.rung, r.case.pk) for r in rows] == [
        ("alarm", two_cases.commerce_case.pk),
        ("alarm", two_cases.drc_case.pk),
        ("warning", two_cases.drc_case.pk),
    ]
    assert rows[0].urgent and not rows[2].urgent
    rows = list(alert_rows(policy_step_alerts(city.supervisor, **period, rung=RungName.ALARM)))
    assert [(r.alert.rung, r.case.pk) for r in rows] == [("alarm", two_cases.drc_case.pk)]


# --- One case's timeline ---------------------------------------------------------------------


def _paid(two_cases):
    w = two_cases.world
    case = case_approve(actor=w.officer, case=two_cases.drc_case)
    case = case_approve(actor=w.head, case=case)
    case = case_approve(actor=w.officer_b, case=case)
    instruction = PaymentInstruction.objects.get(source_type="policies.case", source_id=str(case.pk))
    payment_send(instruction_id=instruction.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    audit_seal_pending()
    return case, instruction


def test_the_timeline_holds_the_case_its_deadlines_and_its_payment_in_chain_order(two_cases):
    case, instruction = _paid(two_cases)
    timeline = case_timeline(two_cases.world.city.supervisor, case)
    seqs = [e.event.seq for e in timeline.events]
    assert seqs == sorted(seqs)
    kinds = {(e.event.object_type, e.event.action) for e in timeline.events}
    assert {
        ("policies.case", "case.open"),
        ("policies.case", "case.step_start"),
        ("policies.case", "case.approve"),
        ("policies.case", "case.paid"),
        ("deadlines.deadline", "deadline.open"),
        ("deadlines.deadline", "deadline.close"),
        ("payments.paymentinstruction", "payment.instruct"),
    } <= kinds
    # every event about the instruction is there, none about the other case
    assert {
        e.event.object_id for e in timeline.events if e.event.object_type == "payments.paymentinstruction"
    } == {str(instruction.pk)}
    assert str(two_cases.commerce_case.pk) not in {
        e.event.object_id for e in timeline.events if e.event.object_type == "policies.case"
    }
    assert [s.position for s in timeline.steps] == [0, 1, 2]
    assert all(s.ended_at and s.started_at <= s.ended_at for s in timeline.steps)
    assert timeline.segment is not None and timeline.segment.checked and timeline.segment.intact
    assert timeline.segment.events_checked == timeline.segment.length


def test_a_forged_event_in_the_case_stretch_breaks_the_check(two_cases):
    case, _instruction = _paid(two_cases)
    timeline = case_timeline(two_cases.world.city.supervisor, case)
    middle = timeline.events[len(timeline.events) // 2].event.seq
    tamper("UPDATE audit_auditevent SET action = 'forged' WHERE seq = %s", [middle])
    segment = case_timeline(two_cases.world.city.supervisor, case).segment
    assert segment is not None and segment.checked and not segment.intact
    assert str(middle) in segment.first_break


def test_a_case_outside_the_reach_is_not_found(two_cases):
    city = two_cases.world.city
    with pytest.raises(NotFound):
        access_policy_case(city.supervisor, two_cases.commerce_case.public_id)
    with pytest.raises(NotFound):
        access_policy_case(city.other_officer, two_cases.drc_case.public_id)
    assert access_policy_case(city.officer, two_cases.drc_case.public_id) == two_cases.drc_case


# --- Time to cash ----------------------------------------------------------------------------

H = 3600.0


def test_time_to_cash_per_policy_department_and_in_all(cash_world):
    from qinqing.accounts.models import User

    report = time_to_cash(User.objects.get(username="citysup"), **MARCH)
    drc, commerce = cash_world.drc_policy, cash_world.commerce_policy
    by_policy = {f.key: (f.count, f.within_day, f.median, f.p90) for f in report.by_policy}
    # 市发改委 2,10,20,30,50 h: median 20 h; p90 at 0.9×4 = 3.6 → 30 + 0.6×20 = 42 h; 3 within a day
    # 市商务局 24,72 h: median 48 h; p90 at 0.9 → 24 + 0.9×48 = 67.2 h; 24 h counts as within a day
    assert by_policy == {
        drc.pk: (5, 3, 20 * H, 42 * H),
        commerce.pk: (2, 1, 48 * H, 241_920.0),
    }
    by_department = {f.key: (f.count, f.within_day, f.median, f.p90) for f in report.by_department}
    assert by_department == {
        drc.department_id: (5, 3, 20 * H, 42 * H),
        commerce.department_id: (2, 1, 48 * H, 241_920.0),
    }
    # all seven: 2,10,20,24,30,50,72 h: median 24 h; p90 at 5.4 → 50 + 0.4×22 = 58.8 h
    total = report.total
    assert (total.count, total.within_day, total.median, total.p90) == (7, 4, 24 * H, 211_680.0)
    assert total.share_within_day == pytest.approx(4 / 7)
    assert (total.median_days, total.p90_days) == (1.0, 2.45)


def test_time_to_cash_of_a_group_covers_its_departments_only(cash_world):
    from qinqing.accounts.models import User

    report = time_to_cash(User.objects.get(username="sup"), **MARCH)
    assert [f.key for f in report.by_policy] == [cash_world.drc_policy.pk]
    assert (report.total.count, report.total.median, report.total.p90) == (5, 20 * H, 42 * H)


def test_time_to_cash_of_an_empty_period(cash_world):
    from qinqing.accounts.models import User

    report = time_to_cash(
        User.objects.get(username="citysup"), since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 31)
    )
    assert report.by_policy == [] and report.by_department == []
    assert (report.total.count, report.total.median, report.total.share_within_day) == (0, None, 0.0)


def test_a_single_paid_case_is_its_own_median_and_p90(cash_world):
    from qinqing.accounts.models import User

    report = time_to_cash(
        User.objects.get(username="citysup"), since=dt.date(2026, 3, 31), until=dt.date(2026, 3, 31)
    )
    assert (report.total.count, report.total.median, report.total.p90) == (1, 24 * H, 24 * H)


def test_the_streamed_figures_equal_the_databases_percentile(cash_world):
    # On PostgreSQL this compares percentile_cont with the streamed computation that
    # SQLite uses; on SQLite both calls take the streamed path and agree by construction
    # (the hand-computed figures above pin them there).
    from qinqing.accounts.models import User
    from qinqing.supervision.policy_cases import _figures_streamed, figures_by, paid_cases

    qs = paid_cases(User.objects.get(username="citysup"), **MARCH)
    for group in ("policy_id", "organisation_id", None):
        assert figures_by(qs, group) == _figures_streamed(qs, group)
