"""The problem's clock on the one ladder: each rung once, to the right people; paused
while the group looks; a reopened problem climbs again."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from qinqing.deadlines.models import Alert, Deadline, DeadlineStatus
from qinqing.deadlines.scan import deadlines_scan
from qinqing.deadlines.testing import run_notify_job, scan_and_notify
from qinqing.ledger import ladders, services
from qinqing.ledger import ladders as ledger_ladders
from qinqing.notifications.models import DigestItem, Notification
from qinqing.workdays.calendar import add_working_days

from .conftest import assigned, complaint, pdf


def _deadline(problem):
    return Deadline.objects.get(kind=ladders.KIND, object_id=str(problem.pk), status=DeadlineStatus.OPEN)


def _rungs(problem):
    return sorted(Alert.objects.filter(deadline__object_id=str(problem.pk)).values_list("rung", flat=True))


def test_each_rung_fires_once_and_reaches_the_right_people(ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    due = problem.due_date
    after_escalation = add_working_days(due, 6)
    scan_and_notify(today=after_escalation)
    scan_and_notify(today=after_escalation)  # again: nothing new
    assert _rungs(problem) == ["alarm", "escalation", "reminder", "warning"]
    alarm_people = set(
        Notification.objects.filter(kind="deadline.alarm").values_list("recipient__username", flat=True)
    )
    # The department (two officers and the head) and the supervising group.
    assert alarm_people == {
        c.officer.username,
        ledger.officer2.username,
        c.head.username,
        c.supervisor.username,
    }
    escalated = set(
        Notification.objects.filter(kind="deadline.escalation").values_list("recipient__username", flat=True)
    )
    assert c.city_supervisor.username in escalated  # the commission hears of the escalation
    assert c.enterprise_user.username not in alarm_people | escalated
    # Reminders and warnings wait for the department's daily digest, with the assignment.
    kinds = sorted(DigestItem.objects.filter(recipient=c.officer).values_list("kind", flat=True))
    assert kinds == ["deadline.reminder", "deadline.warning", "ledger.assigned"]


def test_the_clock_stops_while_the_group_looks(ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    services.problem_submit(actor=c.officer, problem=problem, text="已整改", files=[pdf()])
    deadlines_scan(today=add_working_days(problem.due_date, 10))
    assert _rungs(problem) == []


def test_a_reopened_problem_climbs_again_for_its_new_date(ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    deadlines_scan(today=add_working_days(problem.due_date, 1))
    assert _rungs(problem) == ["alarm", "reminder", "warning"]
    problem = services.problem_submit(actor=c.officer, problem=problem, text="x", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    services.problem_return_visit(
        actor=c.enterprise_user, problem=problem, score=2, fixed=False, comment="仍未解决"
    )
    problem.refresh_from_db()
    new = _deadline(problem)
    assert new.due_date == problem.due_date
    deadlines_scan(today=add_working_days(problem.due_date, 1))
    alerts = Alert.objects.filter(deadline=new).values_list("rung", flat=True)
    assert sorted(alerts) == ["alarm", "reminder", "warning"]


def test_the_ladder_is_registered_in_working_days():
    ladder = ledger_ladders  # the module registers at app start
    from qinqing.deadlines.ladders import get_ladder

    registered = get_ladder(ladder.KIND)
    assert [r.name for r in registered.rungs] == ["reminder", "warning", "alarm", "escalation"]
    assert registered.clock_unit == "working"


def _run_concurrently(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_raise_each_alarm_once(ledger):
    problems = [assigned(ledger, days=3, title=f"问题{i}") for i in range(5)]
    day = add_working_days(max(p.due_date for p in problems), 2)
    results, errors = _run_concurrently(2, lambda: deadlines_scan(today=day))
    assert not errors, errors
    for result in results:
        if result.notify_job_id:
            run_notify_job(result.notify_job_id)
            run_notify_job(result.notify_job_id)
    for problem in problems:
        assert _rungs(problem) == ["alarm", "reminder", "warning"]
    assert Notification.objects.filter(kind="deadline.alarm", recipient=ledger.city.supervisor).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_acting_at_once_one_wins(ledger):
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role
    from qinqing.common.errors import Conflict, InvalidTransition

    c = ledger.city
    second = give_role(UserFactory(username="sup-b"), Role.SUPERVISOR, organisation=c.group)
    problem = assigned(ledger)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="x", files=[pdf()])
    seen = problem.revision

    def verify():
        return services.problem_verify(actor=c.supervisor, problem=problem, revision=seen)

    def send_back():
        return services.problem_send_back(actor=second, problem=problem, reason="证据不足", revision=seen)

    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run(fn):
        try:
            barrier.wait(timeout=10)
            outcomes.append(fn())
        except (Conflict, InvalidTransition) as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (verify, send_back)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 1 and len(errors) == 1
    assert errors[0].code == "problem_changed"
    problem.refresh_from_db()
    assert problem.transitions.filter(from_status="submitted").count() == 1


def test_after_the_due_date_passes_the_alarm_date_is_a_working_day(ledger):
    problem = assigned(ledger, days=5)
    deadline = _deadline(problem)
    assert deadline.due_date == problem.due_date
    assert isinstance(deadline.due_date, dt.date)


def test_the_problem_page_shows_the_rungs_reached_and_the_next(client, ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    deadlines_scan(today=add_working_days(problem.due_date, 1))
    client.force_login(c.officer)
    html = client.get(f"/ledger/problems/{problem.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="ladder"' in html
    ladder = html.split('data-testid="ladder">', 1)[1].split("</div>", 1)[0]
    assert ladder.count("qq-mono") == 3  # reminder, warning, alarm, each with its day
    assert "next:" in ladder  # the escalation, with its day
    client.force_login(c.enterprise_user)  # the reporter sees no ladder
    response = client.get(f"/ledger/problems/{problem.public_id}/")
    assert response.status_code == 200
    assert 'data-testid="ladder"' not in response.content.decode()


# --- The commission's stages have clocks too -----------------------------------------------


def _stage(problem, kind):
    return Deadline.objects.filter(kind=kind, object_id=str(problem.pk)).order_by("pk")


def test_a_problem_waiting_to_be_assigned_is_on_the_commissions_clock(ledger):
    c = ledger.city
    problem = services.problem_report(
        actor=c.enterprise_user,
        channel="complaint",
        title="窗口办事排长队",
        description="办事大厅只开两个窗口。",
        category="government",
    )
    clock = _stage(problem, ledger_ladders.DISPATCH_KIND).get()
    assert clock.status == DeadlineStatus.OPEN
    assert clock.organisation == problem.intake
    assert clock.due_date == add_working_days(timezone.localdate(problem.registered_at), 2)
    scan_and_notify(today=clock.due_date)
    scan_and_notify(today=add_working_days(clock.due_date, 1))
    scan_and_notify(today=add_working_days(clock.due_date, 1))  # each rung once
    assert sorted(clock.alerts.values_list("rung", flat=True)) == ["alarm", "warning"]
    # A warning waits for the daily digest; an alarm goes out at once.
    warned = set(
        DigestItem.objects.filter(kind="deadline.warning").values_list("recipient__username", flat=True)
    )
    alarmed = set(
        Notification.objects.filter(kind="deadline.alarm").values_list("recipient__username", flat=True)
    )
    assert c.city_supervisor.username in warned and c.officer.username not in warned | alarmed
    assert c.city_supervisor.username in alarmed
    services.problem_assign(actor=c.city_supervisor, problem=problem, department=c.drc, deadline_days=5)
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET


def test_a_withdrawn_registration_cancels_its_clock(ledger):
    c = ledger.city
    problem = complaint(ledger)
    services.problem_withdraw(actor=c.enterprise_user, problem=problem, reason="已自行解决")
    assert _stage(problem, ledger_ladders.DISPATCH_KIND).get().status == DeadlineStatus.CANCELLED


def test_a_verified_problem_waits_for_its_return_visit_on_the_groups_clock(ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已整改", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    clock = _stage(problem, ledger_ladders.VISIT_KIND).get()
    assert (clock.status, clock.organisation) == (DeadlineStatus.OPEN, problem.supervising_group)
    scan_and_notify(today=add_working_days(clock.due_date, 1))
    alarmed = set(
        Notification.objects.filter(kind="deadline.alarm").values_list("recipient__username", flat=True)
    )
    assert c.supervisor.username in alarmed  # the group that calls back
    services.problem_return_visit(
        actor=c.enterprise_user, problem=problem, score=5, fixed=True, comment="满意"
    )
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET
