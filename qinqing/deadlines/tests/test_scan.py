"""The daily scan: each rung fires exactly once, whatever the timing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.deadlines import scan, services
from qinqing.deadlines.ladders import Rung, register_ladder, unregister_ladder
from qinqing.deadlines.models import Alert, Deadline, RungName
from qinqing.deadlines.scan import deadlines_scan
from qinqing.deadlines.testing import run_notify_job, scan_and_notify
from qinqing.notifications.models import DigestItem, Notification
from qinqing.workdays.calendar import DayUnit

from .conftest import KIND

D = dt.date
DUE = D(2026, 10, 9)  # reminder 09-30, warning 10-09, alarm 10-10, escalation 10-12


def _fired(deadline):
    return list(
        Alert.objects.filter(deadline=deadline).order_by("id").values_list("rung", "due_date", "fired_on")
    )


def test_nothing_fires_before_the_first_rung(open_item):
    deadline = open_item(DUE)
    assert deadlines_scan(today=D(2026, 9, 29)).alerts == 0
    assert _fired(deadline) == []


def test_each_rung_fires_on_its_day_and_only_once(open_item):
    deadline = open_item(DUE)
    days = [D(2026, 9, 28) + dt.timedelta(days=i) for i in range(20)]
    fired_on_days = {}
    for day in days:
        result = deadlines_scan(today=day)
        if result.alerts:
            fired_on_days[day] = dict(result.by_rung)
        assert deadlines_scan(today=day).alerts == 0  # a repeated scan adds nothing
    assert fired_on_days == {
        D(2026, 9, 30): {"reminder": 1},
        D(2026, 10, 9): {"warning": 1},
        D(2026, 10, 10): {"alarm": 1},
        D(2026, 10, 12): {"escalation": 1},
    }
    deadline.refresh_from_db()
    assert (deadline.last_rung, deadline.next_rung, deadline.next_rung_on) == ("escalation", "", None)


def test_the_scan_advances_next_rung(open_item):
    deadline = open_item(DUE)
    result = deadlines_scan(today=D(2026, 9, 30))
    assert result.advanced == 1
    deadline.refresh_from_db()
    assert (deadline.last_rung, deadline.next_rung, deadline.next_rung_on) == ("reminder", "warning", DUE)


def test_a_clock_jump_fires_every_missed_rung_once_in_ladder_order(open_item):
    deadline = open_item(DUE)
    result = deadlines_scan(today=D(2026, 12, 1))
    assert result.by_rung == {"reminder": 1, "warning": 1, "alarm": 1, "escalation": 1}
    assert [r for r, _due, _on in _fired(deadline)] == ["reminder", "warning", "alarm", "escalation"]
    assert {on for _r, _due, on in _fired(deadline)} == {D(2026, 12, 1)}
    assert list(Alert.objects.filter(deadline=deadline).order_by("id").values_list("rung_on", flat=True)) == [
        D(2026, 9, 30),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]
    assert deadlines_scan(today=D(2026, 12, 1)).alerts == 0
    assert deadlines_scan(today=D(2026, 12, 2)).alerts == 0


def test_an_outage_after_the_alarm_still_escalates(open_item):
    deadline = open_item(DUE)
    deadlines_scan(today=D(2026, 10, 10))  # reminder, warning, alarm
    assert deadlines_scan(today=D(2026, 11, 20)).by_rung == {"escalation": 1}
    assert len(_fired(deadline)) == 4


def test_a_moved_due_date_fires_the_ladder_again_for_the_new_date(open_item, city):
    deadline = open_item(DUE)
    deadlines_scan(today=D(2026, 10, 10))  # up to the alarm for 10-09
    services.deadline_move(actor=city.head, deadline=deadline, due_date=D(2026, 10, 30), reason="新约定日期")
    assert deadlines_scan(today=D(2026, 10, 27)).alerts == 0
    assert deadlines_scan(today=D(2026, 10, 28)).by_rung == {"reminder": 1}
    assert deadlines_scan(today=D(2026, 11, 5)).by_rung == {"warning": 1, "alarm": 1, "escalation": 1}
    old = [r for r, due, _on in _fired(deadline) if due == DUE]
    new = [r for r, due, _on in _fired(deadline) if due == D(2026, 10, 30)]
    assert old == ["reminder", "warning", "alarm"]
    assert new == ["reminder", "warning", "alarm", "escalation"]


def test_moving_back_to_a_date_already_alerted_does_not_fire_twice(open_item, city):
    deadline = open_item(DUE)
    deadlines_scan(today=D(2026, 9, 30))
    services.deadline_move(actor=city.head, deadline=deadline, due_date=D(2026, 11, 2), reason="x")
    services.deadline_move(actor=city.head, deadline=deadline, due_date=DUE, reason="y")
    assert deadlines_scan(today=D(2026, 9, 30)).alerts == 0
    assert deadlines_scan(today=DUE).by_rung == {"warning": 1}


def test_a_paused_item_neither_climbs_nor_refires_after_resuming(open_item, city, monkeypatch):
    deadline = open_item(DUE)
    deadlines_scan(today=D(2026, 9, 30))  # reminder
    monkeypatch.setattr(services, "_today", lambda: D(2026, 10, 1))
    services.deadline_pause(actor=city.officer, deadline=deadline, reason="补正", start=D(2026, 10, 1))
    assert deadlines_scan(today=D(2026, 10, 20)).alerts == 0  # stopped: nothing climbs
    monkeypatch.setattr(services, "_today", lambda: D(2026, 10, 20))
    resumed = services.deadline_resume(actor=city.officer, deadline=deadline, end=D(2026, 10, 20))
    # [10-01, 10-20) held 9 working days: 10-08, 10-09, Saturday 10-10, 10-12..16, 10-19.
    # Nine working days after 10-09 is 10-21.
    assert resumed.due_date == D(2026, 10, 21)
    assert deadlines_scan(today=D(2026, 10, 20)).alerts == 0  # the reminder (now 10-19) is spent
    assert deadlines_scan(today=D(2026, 10, 21)).by_rung == {"warning": 1}
    assert [r for r, _d, _o in _fired(deadline)] == ["reminder", "warning"]


def test_an_item_opened_late_fires_its_past_rungs_at_the_next_scan(open_item):
    deadline = open_item(D(2026, 10, 9))
    assert deadlines_scan(today=D(2026, 10, 10)).by_rung == {"reminder": 1, "warning": 1, "alarm": 1}
    assert deadline.alerts.count() == 3


def test_the_scan_is_audited_once_per_run_with_counts(open_item):
    open_item(DUE)
    open_item(DUE)
    deadlines_scan(today=D(2026, 10, 9))
    deadlines_scan(today=D(2026, 10, 9))
    events = AuditEvent.objects.filter(action="deadline.scan")
    assert events.count() == 1
    assert events.get().after["by_rung"] == {"reminder": 2, "warning": 2}


# --- set-based --------------------------------------------------------------------------------


def _scan_queries(day):
    with CaptureQueriesContext(connection) as ctx:
        deadlines_scan(today=day)
    return len(ctx.captured_queries)


def test_the_scan_costs_the_same_number_of_statements_for_few_or_many_items(open_item, monkeypatch):
    # Telling people is the job's; the job batches its own inserts, one call per chunk.
    batches = []
    monkeypatch.setattr(scan, "notify_many", lambda specs: batches.append(len(specs)) or 0)
    for _ in range(3):
        open_item(D(2026, 3, 10))
    few = _scan_queries(D(2026, 3, 20))  # every rung of the three
    for _ in range(40):
        open_item(D(2026, 4, 10))
    many = _scan_queries(D(2026, 4, 20))  # every rung of the forty
    assert Alert.objects.filter(due_date=D(2026, 3, 10)).count() == 12
    assert Alert.objects.filter(due_date=D(2026, 4, 10)).count() == 160
    assert few == many
    assert batches == []
    for job in DBTaskResult.objects.filter(task_path__endswith="notify_alerts").order_by("enqueued_at"):
        run_notify_job(str(job.pk))
    assert batches == [12, 160]


def test_the_scan_enqueues_one_notification_job_in_its_transaction(open_item):
    for _ in range(3):
        open_item(D(2026, 3, 10))
    result = deadlines_scan(today=D(2026, 3, 20))
    jobs = DBTaskResult.objects.filter(task_path__endswith="notify_alerts")
    assert [str(j.pk) for j in jobs] == [result.notify_job_id]
    assert jobs.get().args_kwargs["args"] == [min(result.alert_ids), max(result.alert_ids)]
    assert not Notification.objects.exists() and not DigestItem.objects.exists()
    assert run_notify_job(result.notify_job_id) > 0
    # Run twice (a worker crashed after committing): nobody is told twice.
    before = (Notification.objects.count(), DigestItem.objects.count())
    assert run_notify_job(result.notify_job_id) == 0
    assert (Notification.objects.count(), DigestItem.objects.count()) == before
    # A scan that fires nothing enqueues nothing.
    assert deadlines_scan(today=D(2026, 3, 20)).notify_job_id == ""
    assert jobs.count() == 1


def test_a_scan_rolled_back_leaves_no_job(open_item, monkeypatch):
    open_item(D(2026, 3, 10))

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scan, "audit_record", fail)
    with pytest.raises(RuntimeError):
        deadlines_scan(today=D(2026, 3, 20))
    assert not Alert.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="notify_alerts").exists()


def test_a_kind_may_name_its_recipients_in_batches(city, open_item):
    calls = []

    def batch(facts):
        calls.append(sorted(f.rung for f in facts))
        return {f.alert_id: [city.committee_member] for f in facts if f.rung == "alarm"}

    register_ladder(
        "test.batch",
        rungs=[Rung(RungName.WARNING, 0, DayUnit.CALENDAR), Rung(RungName.ALARM, 1, DayUnit.CALENDAR)],
        recipients_batch=batch,
    )
    try:
        for _ in range(3):
            open_item(D(2026, 3, 10), kind="test.batch")
        scan_and_notify(today=D(2026, 3, 11))
    finally:
        unregister_ladder("test.batch")
    # One call for the kind's six alerts, not one per alert.
    assert calls == [["alarm", "alarm", "alarm", "warning", "warning", "warning"]]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["cmt"] * 3
    assert not DigestItem.objects.exists()


def test_the_scan_touches_only_crossing_items(open_item):
    near = open_item(D(2026, 3, 10))
    far = open_item(D(2026, 6, 10))
    result = deadlines_scan(today=D(2026, 3, 10))
    assert result.advanced == 1
    assert Deadline.objects.get(pk=far.pk).updated_at == far.updated_at
    assert Deadline.objects.get(pk=near.pk).updated_at > near.updated_at


# --- notifications ----------------------------------------------------------------------------


def test_alarms_reach_the_inbox_at_once_and_reminders_the_digest(open_item, city):
    deadline = open_item(DUE)
    scan_and_notify(today=D(2026, 9, 30))
    reminder = Alert.objects.get(deadline=deadline, rung="reminder")
    assert list(DigestItem.objects.values_list("recipient__username", "event_key")) == [
        ("officer", f"deadline-alert:{reminder.pk}")
    ]
    assert not Notification.objects.exists()
    scan_and_notify(today=D(2026, 10, 10))  # warning (digest) and alarm (inbox, urgent)
    alarm = Alert.objects.get(deadline=deadline, rung="alarm")
    inbox = Notification.objects.filter(event_key=f"deadline-alert:{alarm.pk}")
    assert sorted(inbox.values_list("recipient__username", flat=True)) == ["head", "officer"]
    assert all(n.urgent for n in inbox)
    assert inbox.first().subject.startswith("警报")
    assert DigestItem.objects.count() == 2


def test_an_escalation_also_reaches_the_supervisors_and_notifications_are_never_repeated(open_item, city):
    deadline = open_item(DUE)
    scan_and_notify(today=D(2026, 10, 12))
    escalation = Alert.objects.get(deadline=deadline, rung="escalation")
    told = set(
        Notification.objects.filter(event_key=f"deadline-alert:{escalation.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    # The drc's head, the owner, the group supervising the drc and the city-wide one.
    assert told == {"officer", "head", "sup", "citysup"}
    before = (Notification.objects.count(), DigestItem.objects.count())
    assert scan_and_notify(today=D(2026, 10, 12)).alerts == 0
    assert scan._notify(list(Alert.objects.values_list("pk", flat=True))) == 0
    first, last = Alert.objects.order_by("pk").first().pk, Alert.objects.order_by("pk").last().pk
    assert scan.alerts_notify(first_alert_id=first, last_alert_id=last) == 0
    assert (Notification.objects.count(), DigestItem.objects.count()) == before


def test_an_item_without_owner_tells_the_department_heads(open_item):
    open_item(DUE, owner=None)
    scan_and_notify(today=D(2026, 9, 30))
    assert list(DigestItem.objects.values_list("recipient__username", flat=True)) == ["head"]


def test_a_kind_may_name_its_own_recipients(city, ladders, open_item):
    told = []

    def recipients(alert):
        told.append(alert.rung)
        return [city.committee_member]

    register_ladder("test.custom", rungs=[Rung(RungName.ALARM, 0, DayUnit.CALENDAR)], recipients=recipients)
    try:
        open_item(D(2026, 3, 10), kind="test.custom")
        scan_and_notify(today=D(2026, 3, 10))
    finally:
        unregister_ladder("test.custom")
    assert told == ["alarm"]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["cmt"]


def test_notifications_are_in_the_recipients_language(open_item, city):
    city.officer.language = "en"
    city.officer.save(update_fields=["language"])
    open_item(DUE)
    scan_and_notify(today=D(2026, 10, 10))
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects["officer"] == "Alarm: 测试事项 (due 2026-10-09)"
    assert subjects["head"].startswith("警报：测试事项")


# --- concurrency --------------------------------------------------------------------------------


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
    assert not errors, errors
    return results


@pytest.fixture
def committed_items(transactional_db, city, ladders):
    items = []
    for i in range(30):
        items.append(
            services.deadline_open(
                actor=None,
                kind=KIND,
                object_type="test.record",
                object_id=f"c{i}",
                organisation=city.drc,
                due_date=DUE,
                owner=city.officer,
                title=f"事项{i}",
            )
        )
    return items


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_fire_each_alert_exactly_once(committed_items):
    results = _run_concurrently(2, lambda: deadlines_scan(today=D(2026, 10, 12)))
    assert sum(r.alerts for r in results) == 120
    assert sorted(r.alerts for r in results) == [0, 120]
    assert Alert.objects.count() == 120
    assert sorted(bool(r.notify_job_id) for r in results) == [False, True]
    for r in results:
        if r.notify_job_id:
            run_notify_job(r.notify_job_id)
    assert (
        Notification.objects.filter(event_key__startswith="deadline-alert:").count()
        == Alert.objects.filter(rung__in=["alarm", "escalation"]).count() * 2
        + Alert.objects.filter(rung="escalation").count() * 2
    )
    assert DigestItem.objects.count() == 60


@pytest.mark.django_db(transaction=True)
def test_without_the_scan_lock_the_unique_constraint_alone_keeps_alerts_once(committed_items, monkeypatch):
    original = services.hold_scan_lock
    monkeypatch.setattr(scan, "hold_scan_lock", lambda **kw: None)
    try:
        results = _run_concurrently(4, lambda: deadlines_scan(today=D(2026, 10, 12)))
    finally:
        monkeypatch.setattr(scan, "hold_scan_lock", original)
    assert sum(r.alerts for r in results) == 120
    assert Alert.objects.count() == 120
    ids = [pk for r in results for pk in r.alert_ids]
    assert len(ids) == len(set(ids)) == 120


@pytest.mark.django_db(transaction=True)
def test_scans_racing_with_moves_lose_no_rung(committed_items, city):
    def scan_then_scan():
        return deadlines_scan(today=D(2026, 10, 9))

    def move_all():
        for item in committed_items[:15]:
            services.deadline_move(actor=city.head, deadline=item, due_date=D(2026, 10, 8), reason="提前")

    barrier = threading.Barrier(2)
    errors = []

    def run(fn):
        try:
            barrier.wait(timeout=10)
            fn()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (scan_then_scan, move_all)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    deadlines_scan(today=D(2026, 10, 9))  # whatever the interleaving, the next scan catches up
    expected = {
        # Moved to Thursday 10-08: its alarm (one working day after) falls on 10-09 too.
        D(2026, 10, 8): ({"reminder", "warning", "alarm"}, "escalation"),
        DUE: ({"reminder", "warning"}, "alarm"),
    }
    for n, item in enumerate(committed_items):
        item.refresh_from_db()
        assert item.due_date == (D(2026, 10, 8) if n < 15 else DUE)
        fired = set(
            Alert.objects.filter(deadline=item, due_date=item.due_date).values_list("rung", flat=True)
        )
        assert (fired, item.next_rung) == expected[item.due_date], item.due_date
