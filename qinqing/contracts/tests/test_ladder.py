"""The obligations' ladder on the foundation's deadlines: each rung exactly once per
obligation and due date (repeated scans, a clock jump, two concurrent scans), who hears
of each rung, and the daily digest versus the inbox."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from qinqing.contracts.models import ObligorSide
from qinqing.contracts.recipients import recipients_batch, recipients_for_alert
from qinqing.deadlines.models import Alert, Deadline
from qinqing.deadlines.scan import AlertFacts, _facts, deadlines_scan
from qinqing.deadlines.testing import run_notify_job, scan_and_notify
from qinqing.notifications.models import DigestItem, Notification

from .conftest import D, add_obligation

# Construction start: reminder 30 days before, warning 7 days before, alarm the day
# after, escalation 15 days after (calendar days).
DUE = D(2026, 10, 30)
RUNG_DAYS = {
    D(2026, 9, 30): "reminder",
    D(2026, 10, 23): "warning",
    D(2026, 10, 31): "alarm",
    D(2026, 11, 14): "escalation",
}
# A permit (working days): the 29th of October 2026 is a Thursday.
PERMIT_DUE = D(2026, 10, 29)
PERMIT_RUNG_DAYS = {
    D(2026, 10, 22): "reminder",
    D(2026, 10, 27): "warning",
    D(2026, 10, 30): "alarm",
    D(2026, 11, 5): "escalation",
}


def _alerts(ob):
    return list(
        Alert.objects.filter(deadline_id=ob.deadline_id)
        .order_by("id")
        .values_list("rung", "due_date", "rung_on")
    )


@pytest.mark.parametrize(
    ("side", "due", "expected"),
    [("enterprise", DUE, RUNG_DAYS), ("government", PERMIT_DUE, PERMIT_RUNG_DAYS)],
)
def test_each_rung_fires_once_on_its_day_under_repeated_scans(zone, side, due, expected):
    ob = add_obligation(zone, side=side, due=due)
    fired = {}
    day = D(2026, 9, 20)
    while day <= D(2026, 12, 1):
        result = deadlines_scan(today=day)
        if result.alerts:
            fired[day] = dict(result.by_rung)
        assert deadlines_scan(today=day).alerts == 0  # the same day again: nothing new
        day += dt.timedelta(days=1)
    assert fired == {on: {rung: 1} for on, rung in expected.items()}
    assert [(r, on) for r, _due, on in _alerts(ob)] == [(r, on) for on, r in expected.items()]


def test_a_clock_jump_fires_each_passed_rung_once_not_once_per_day(zone):
    ob = add_obligation(zone, due=DUE)
    result = deadlines_scan(today=D(2026, 12, 20))
    assert result.by_rung == {"reminder": 1, "warning": 1, "alarm": 1, "escalation": 1}
    assert _alerts(ob) == [(r, DUE, on) for on, r in RUNG_DAYS.items()]
    for later in (D(2026, 12, 20), D(2026, 12, 21), D(2027, 1, 31)):
        assert deadlines_scan(today=later).alerts == 0
    deadline = Deadline.objects.get(pk=ob.deadline_id)
    assert (deadline.last_rung, deadline.next_rung, deadline.next_rung_on) == ("escalation", "", None)


def test_a_met_obligation_climbs_no_further(zone):
    from qinqing.contracts import services

    from .conftest import evidence

    ob = add_obligation(zone, due=DUE)
    deadlines_scan(today=D(2026, 10, 1))
    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=D(2026, 10, 2),
        files=[evidence()],
        today=D(2026, 10, 2),
    )
    services.claim_confirm(actor=zone.member, claim=claim)
    assert deadlines_scan(today=D(2026, 12, 20)).alerts == 0
    assert [r for r, _d, _on in _alerts(ob)] == ["reminder"]


def _told(kind_prefix="deadline-alert:"):
    inbox = set(
        Notification.objects.filter(event_key__startswith=kind_prefix).values_list(
            "recipient__username", "kind"
        )
    )
    digest = set(
        DigestItem.objects.filter(event_key__startswith=kind_prefix).values_list(
            "recipient__username", "kind"
        )
    )
    return inbox, digest


def test_who_hears_of_an_enterprise_obligation(zone):
    add_obligation(zone, due=DUE)
    scan_and_notify(today=D(2026, 10, 23))  # reminder and warning
    inbox, digest = _told()
    assert inbox == set()  # reminders and warnings wait for the daily digest
    assert digest == {("ent", "deadline.reminder"), ("ent", "deadline.warning")}

    scan_and_notify(today=D(2026, 10, 31))  # alarm: at once in the inbox, the committee too
    inbox, _digest = _told()
    assert inbox == {("ent", "deadline.alarm"), ("cmt", "deadline.alarm"), ("cmt2", "deadline.alarm")}

    scan_and_notify(today=D(2026, 11, 14))  # escalation: the commission's supervisor as well
    inbox, _digest = _told()
    escalated = {user for user, kind in inbox if kind == "deadline.escalation"}
    # The group supervises the development and reform commission, not the zone.
    assert escalated == {"ent", "cmt", "cmt2", "citysup"}
    assert Notification.objects.filter(kind="deadline.alarm", urgent=True).count() == 3


def test_who_hears_of_a_government_obligation(zone):
    add_obligation(zone, side=ObligorSide.GOVERNMENT, due=PERMIT_DUE)
    scan_and_notify(today=D(2026, 10, 27))
    inbox, digest = _told()
    assert inbox == set()
    assert digest == {
        ("officer", "deadline.reminder"),
        ("head", "deadline.reminder"),
        ("officer", "deadline.warning"),
        ("head", "deadline.warning"),
    }
    scan_and_notify(today=D(2026, 11, 5))
    inbox, digest = _told()
    by_kind = {}
    for user, kind in inbox:
        by_kind.setdefault(kind, set()).add(user)
    assert by_kind == {
        "deadline.alarm": {"officer", "head", "cmt", "cmt2"},
        "deadline.escalation": {"officer", "head", "cmt", "cmt2", "sup", "citysup"},
    }
    # Never the other department, the other zone or the enterprise.
    assert not {"officer2", "cmt-other", "ent", "ent2"} & {u for u, _k in inbox | digest}


def test_recipients_one_alert_and_in_batch_agree(zone):
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=PERMIT_DUE)
    deadlines_scan(today=D(2026, 11, 5))
    alerts = list(Alert.objects.filter(deadline_id=ob.deadline_id).order_by("id"))
    batch = recipients_batch([AlertFacts.of(a) for a in alerts])
    for alert in alerts:
        assert [u.username for u in recipients_for_alert(alert)] == [u.username for u in batch[alert.pk]]
    assert [u.username for u in batch[alerts[0].pk]] == ["officer", "head"]


def test_recipients_cost_a_fixed_number_of_queries(zone):
    few = [add_obligation(zone, due=DUE, title=f"事项{i}") for i in range(2)]
    deadlines_scan(today=D(2026, 12, 20))
    facts_few = _facts(list(Alert.objects.order_by("id").values_list("pk", flat=True)))
    many = [
        add_obligation(zone, side=ObligorSide.GOVERNMENT, due=PERMIT_DUE, title=f"许可{i}") for i in range(8)
    ]
    deadlines_scan(today=D(2026, 12, 21))
    facts_all = _facts(list(Alert.objects.order_by("id").values_list("pk", flat=True)))
    assert len(facts_all) == 4 * (len(few) + len(many))
    with CaptureQueriesContext(connection) as small:
        recipients_batch(facts_few)
    with CaptureQueriesContext(connection) as large:
        people = recipients_batch(facts_all)
    # The supervisors' reach is read per supervisor, not per alert.
    assert len(large.captured_queries) <= len(small.captured_queries) + 4
    assert all(people[f.alert_id] for f in facts_all)


# --- concurrency (PostgreSQL: real row locks and two connections) ----------------------------


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_fire_each_rung_exactly_once(zone):
    obligations = [add_obligation(zone, due=DUE, title=f"事项{i}") for i in range(10)]
    obligations += [
        add_obligation(zone, side=ObligorSide.GOVERNMENT, due=PERMIT_DUE, title=f"许可{i}") for i in range(10)
    ]
    results = _run_concurrently(2, lambda: deadlines_scan(today=D(2026, 12, 1)))
    assert sorted(r.alerts for r in results) == [0, 80]
    assert Alert.objects.count() == 80
    for ob in obligations:
        assert sorted(r for r, _d, _on in _alerts(ob)) == ["alarm", "escalation", "reminder", "warning"]
    for result in results:
        if result.notify_job_id:
            run_notify_job(result.notify_job_id)
            run_notify_job(result.notify_job_id)  # a job run twice tells nobody twice
    # Urgent rungs in the inbox, one per alert and recipient: enterprise alarms reach the
    # enterprise user and two committee members, escalations also the city's supervisor;
    # the department's reach its officer and head, the committee, and both supervisors.
    assert Notification.objects.filter(kind="deadline.alarm").count() == 10 * 3 + 10 * 4
    assert Notification.objects.filter(kind="deadline.escalation").count() == 10 * 4 + 10 * 6
    assert DigestItem.objects.count() == 10 * 2 * 1 + 10 * 2 * 2
