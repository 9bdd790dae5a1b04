"""A corrected event cannot erase a miss silently: re-recording the date a starting point
happened still moves the contract's date of what counts from it (the land really was
delivered later), but when that date had already passed unmet the correction needs a
reason, is kept on each such obligation with its audit event, is told to the committee
and the supervisors once, and is counted beside the rescheduled ones."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import ValidationFailed
from qinqing.contracts import reports, services
from qinqing.contracts.models import DueDateChange, MissedDateMove, Obligation, ObligorSide
from qinqing.notifications.models import Notification

from .conftest import D, add_obligation, evidence, reload

LAND = "land_certificate"
MOVED = "contracts.obligation.contract_date_moved_after_miss"
KIND = "contracts.missed_date_moved"
WHY = "土地证实际核发日期为4月20日，原录入有误"


def _record(zone, on, *, today, reason="", actor=None):
    return services.event_record(
        actor=actor or zone.member,
        project=zone.project,
        key=LAND,
        occurred_on=on,
        reason=reason,
        today=today,
    )


@pytest.fixture
def missed(zone):
    """Construction to start within 10 days of the land certificate (1 April): due on
    11 April, and still owed on 1 May."""
    event = _record(zone, D(2026, 4, 1), today=D(2026, 4, 1))
    start = add_obligation(zone, after_event=event, offset=10)
    assert reload(start).original_due_date == D(2026, 4, 11)
    return start


def _trail(ob):
    ob = reload(ob)
    return (
        ob.due_date,
        ob.original_due_date,
        ob.revision,
        DueDateChange.objects.filter(obligation=ob).count(),
        MissedDateMove.objects.filter(obligation=ob).count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_a_correction_that_moves_a_missed_date_needs_a_reason(zone, missed):
    before = _trail(missed)
    with pytest.raises(ValidationFailed) as exc:
        _record(zone, D(2026, 4, 20), today=D(2026, 5, 1))
    assert exc.value.code == "reason_required"
    assert "reason" in exc.value.fields
    message = str(exc.value.message)
    assert "2026-04-11" in message and "2026-04-30" in message and "开工建设" in message
    assert exc.value.extra["obligations"] == [
        {"id": str(missed.public_id), "missed_date": "2026-04-11", "new_date": "2026-04-30"}
    ]
    # Nothing moved: neither the event nor the obligation, and nobody was told.
    assert zone.project.events.get(key=LAND).occurred_on == D(2026, 4, 1)
    assert _trail(missed) == before


def test_with_a_reason_the_date_moves_on_record_and_is_counted(zone, missed):
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1), reason=WHY)
    ob = reload(missed)
    assert (ob.due_date, ob.original_due_date) == (D(2026, 4, 30), D(2026, 4, 30))
    move = MissedDateMove.objects.get(obligation=ob)
    assert (move.old_date, move.new_date) == (D(2026, 4, 11), D(2026, 4, 30))
    assert (move.anchor_old_date, move.anchor_new_date) == (D(2026, 4, 1), D(2026, 4, 20))
    assert move.event is not None and move.claim is None
    assert (move.event.key, move.reason, move.moved_by) == (LAND, WHY, zone.member)
    event = AuditEvent.objects.get(action=MOVED)
    assert (event.object_type, event.object_id) == ("contracts.obligation", str(ob.pk))
    assert event.before["original_due_date"] == "2026-04-11"
    assert event.after["original_due_date"] == "2026-04-30"
    assert event.after["event_occurred_on"] == "2026-04-20"
    assert event.after["reason"] == WHY
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 5, 1))
    assert (figures["enterprise"]["moved_after_miss"], figures["government"]["moved_after_miss"]) == (1, 0)
    # Still late against the new contract's date, and counted so.
    assert figures["enterprise"]["overdue_open"] == 1


def test_the_committee_and_the_supervisors_are_told_once_per_correction(zone, missed):
    event = zone.project.events.get(key=LAND)
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, after_event=event, offset=5)
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1), reason=WHY)
    assert MissedDateMove.objects.count() == 2
    assert AuditEvent.objects.filter(action=MOVED).count() == 2
    told = Notification.objects.filter(kind=KIND)
    # One message each, naming both obligations: the other committee member, the
    # city-wide supervisor and the supervisor of the permit's department. Not the one
    # who corrected it, nor the enterprise or the department's officials.
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [zone.member_b.username, zone.city_supervisor.username, zone.supervisor.username]
    )
    message = told.get(recipient=zone.member_b)
    assert WHY in message.body and "2026-04-11" in message.body and reload(permit).title in message.body
    assert message.url == reverse("contracts:project", args=[zone.project.public_id])
    # The same date again: nothing more, nobody told twice.
    before = (_trail(missed), _trail(permit))
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 2), reason=WHY)
    assert (_trail(missed), _trail(permit)) == before


def test_an_enterprise_only_obligation_reaches_the_city_supervisor_not_the_department_s(zone, missed):
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1), reason=WHY)
    told = set(Notification.objects.filter(kind=KIND).values_list("recipient__username", flat=True))
    assert told == {zone.member_b.username, zone.city_supervisor.username}
    assert Notification.objects.get(recipient=zone.member_b, kind=KIND).url == reverse(
        "contracts:obligation", args=[missed.public_id]
    )


def test_a_correction_before_the_date_needs_nothing_new(zone, missed):
    # On 5 April the contract's date (11 April) is still to come.
    notifications = Notification.objects.count()
    _record(zone, D(2026, 4, 3), today=D(2026, 4, 5))
    ob = reload(missed)
    assert (ob.due_date, ob.original_due_date) == (D(2026, 4, 13), D(2026, 4, 13))
    assert not MissedDateMove.objects.exists()
    assert not AuditEvent.objects.filter(action=MOVED).exists()
    assert Notification.objects.count() == notifications
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 4, 5))
    assert figures["all"]["moved_after_miss"] == 0


def test_re_recording_the_same_date_changes_nothing(zone, missed):
    before = _trail(missed)
    _record(zone, D(2026, 4, 1), today=D(2026, 5, 1))  # no reason needed: nothing moves
    assert _trail(missed) == before


def test_a_met_obligation_is_not_moved_and_needs_no_reason(zone, missed):
    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=reload(missed),
        met_on=D(2026, 4, 25),
        note="已开工",
        files=[evidence()],
        today=D(2026, 4, 26),
    )
    services.claim_confirm(actor=zone.member, claim=claim)
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1))
    assert reload(missed).original_due_date == D(2026, 4, 11)
    assert not MissedDateMove.objects.exists()


def test_the_obligation_page_shows_the_move_in_its_history(zone, missed):
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1), reason=WHY)
    client = Client()
    client.force_login(zone.city_supervisor)
    url = reverse("contracts:obligation", args=[missed.public_id])
    html = client.get(url).content.decode()
    assert 'data-kind="missed_move"' in html and 'data-testid="missed-move"' in html
    assert "2026-04-11" in html and "2026-04-30" in html and WHY in html
    assert "逾期后合同约定期限被变更" in html
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Contract date moved after a miss" in english


# --- The page, the API and the figures, on today's calendar --------------------------------------


@pytest.fixture
def missed_lately(zone):
    """The land delivered 60 days ago, construction due 10 days after: missed 50 days ago."""
    today = timezone.localdate()
    event = _record(zone, today - dt.timedelta(days=60), today=today)
    ob = add_obligation(zone, after_event=event, offset=10)
    return ob, today


def test_the_event_page_refuses_without_a_reason_and_keeps_what_was_typed(zone, missed_lately):
    ob, today = missed_lately
    missed_on = reload(ob).original_due_date
    client = Client()
    client.force_login(zone.member)
    url = reverse("contracts:event_record", args=[zone.project.public_id])
    corrected = (today - dt.timedelta(days=40)).isoformat()
    data = {"key": LAND, "occurred_on": corrected, "note": "以不动产权证为准", "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert missed_on.isoformat() in html and "原因" in html
    assert f'value="{corrected}"' in html and "以不动产权证为准" in html
    assert reload(ob).original_due_date == missed_on
    english = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Give the reason for the correction" in english
    response = client.post(url, {**data, "reason": WHY})
    assert response.status_code == 302
    assert reload(ob).original_due_date == today - dt.timedelta(days=30)
    assert MissedDateMove.objects.get(obligation=ob).reason == WHY


def test_the_api_refuses_without_a_reason_then_records_it(client, zone, missed_lately):
    ob, today = missed_lately
    missed_on = reload(ob).original_due_date
    client.force_login(zone.member)
    url = f"/api/v1/contracts/projects/{zone.project.public_id}/events"
    body = {"key": LAND, "occurred_on": (today - dt.timedelta(days=40)).isoformat()}
    response = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "reason_required" and "reason" in error["fields"]
    assert missed_on.isoformat() in error["message"]
    assert error["extra"]["obligations"][0]["id"] == str(ob.public_id)
    assert reload(ob).original_due_date == missed_on
    response = client.post(url, {**body, "reason": WHY}, content_type="application/json")
    assert response.status_code == 200
    assert MissedDateMove.objects.filter(obligation=ob).count() == 1


def test_the_dashboard_the_public_page_and_the_export_count_it(zone, missed_lately):
    ob, today = missed_lately
    _record(zone, today - dt.timedelta(days=40), today=today, reason=WHY)
    client = Client()
    client.force_login(zone.city_supervisor)
    dashboard = client.get(reverse("contracts:dashboard"))
    assert dashboard.context["enterprise"]["moved_after_miss"] == 1
    assert 'data-testid="moved-after-miss-enterprise"' in dashboard.content.decode()
    assert 'data-testid="moved-after-miss-government"' not in dashboard.content.decode()
    public = Client().get(reverse("contracts:public"))
    assert public.context["all"]["moved_after_miss"] == 1
    assert 'data-testid="public-moved"' in public.content.decode()
    response: Any = client.get(reverse("contracts:export_dashboard"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if "逾期后变更合同约定期限" in row)
    column = header.index("逾期后变更合同约定期限")
    counts = [row[column] for row in rows[rows.index(header) + 1 :] if len(row) > column]
    assert 1 in counts


def test_a_rescheduled_obligation_s_missed_date_moving_is_recorded_too(zone, missed):
    from qinqing.deadlines.scan import deadlines_scan

    deadlines_scan(today=D(2026, 4, 13))
    plan = services.plan_submit(
        actor=zone.enterprise_user,
        obligation=reload(missed),
        cause="场地未平整",
        remedy="增派机械",
        proposed_date=D(2026, 6, 30),
        today=D(2026, 4, 14),
    )
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    with pytest.raises(ValidationFailed):
        _record(zone, D(2026, 4, 20), today=D(2026, 5, 1))
    _record(zone, D(2026, 4, 20), today=D(2026, 5, 1), reason=WHY)
    ob = reload(missed)
    # The plan's date stays the one the ladder climbs to; only the contract's moved.
    assert (ob.due_date, ob.original_due_date) == (D(2026, 6, 30), D(2026, 4, 30))
    move = MissedDateMove.objects.get(obligation=ob)
    assert (move.old_date, move.new_date) == (D(2026, 4, 11), D(2026, 4, 30))
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 5, 1))["all"]
    assert (figures["rescheduled"], figures["moved_after_miss"]) == (1, 1)
