"""A claim settling a starting point on another day cannot move a missed date silently.

A partly met obligation already counts as a starting point from the day it was partly
met; a later claim settling it on another day moves the dates counted from it. When
one of those had passed unmet, the claim's answer follows the rule of a corrected event:
confirming needs a reason (refused with code `reason_required` otherwise, nothing
saved), a committee's decision gives its own; each moved date is kept as a
`MissedDateMove` with its audit event, shown in the obligation's history, told to the
committee and the supervisors once, and counted as moved after a miss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import ValidationFailed
from qinqing.contracts import reports, services
from qinqing.contracts.models import (
    ClaimOutcome,
    ClaimStatus,
    DueDateChange,
    FulfilmentClaim,
    MissedDateMove,
    Obligation,
    ObligationStatus,
    ObligorSide,
)
from qinqing.notifications.models import Notification

from .conftest import D, add_obligation, evidence, reload

MOVED = "contracts.obligation.contract_date_moved_after_miss"
KIND = "contracts.missed_date_moved"
WHY = "土地实际于4月20日全部交付，经现场核实"
TODAY = D(2026, 5, 1)


def _claim(zone, ob, met_on, achieved, *, today):
    return services.obligation_claim(
        actor=zone.officer,
        obligation=reload(ob),
        met_on=met_on,
        achieved_value=achieved,
        files=[evidence()],
        today=today,
    )


def _world(zone, *, first_met, today):
    """The land (80 mu) delivered in part on `first_met` (confirmed by the enterprise):
    construction, due 10 days after the delivery, counts from that day."""
    delivery = add_obligation(
        zone,
        side=ObligorSide.GOVERNMENT,
        kind="land_delivery",
        title="交付净地80亩",
        due=D(2026, 4, 30),
        target=80,
        target_unit="亩",
    )
    start = add_obligation(zone, after=delivery, offset=10)
    part = _claim(zone, delivery, first_met, 50, today=today)
    services.claim_confirm(actor=zone.enterprise_user, claim=part, today=today)
    assert reload(delivery).status == ObligationStatus.PARTLY_MET
    return delivery, start


@pytest.fixture
def missed(zone):
    """Partly delivered on 1 April: construction due on 11 April, still owed on 1 May;
    the rest claimed as delivered on 20 April."""
    delivery, start = _world(zone, first_met=D(2026, 4, 1), today=D(2026, 4, 1))
    assert reload(start).original_due_date == D(2026, 4, 11)
    claim = _claim(zone, delivery, D(2026, 4, 20), 80, today=TODAY)
    return delivery, start, claim


def _trail(*obs):
    return (
        [(o.status, o.met_on, o.due_date, o.original_due_date, o.revision) for o in map(reload, obs)],
        DueDateChange.objects.count(),
        MissedDateMove.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_confirming_a_claim_that_moves_a_missed_date_needs_a_reason(zone, missed):
    delivery, start, claim = missed
    before = _trail(delivery, start)
    with pytest.raises(ValidationFailed) as exc:
        services.claim_confirm(actor=zone.enterprise_user, claim=claim, today=TODAY)
    assert exc.value.code == "reason_required"
    message = str(exc.value.fields["reason"][0])
    assert "交付净地80亩" in message and "2026-04-20" in message
    assert "2026-04-11" in message and "2026-04-30" in message and "开工建设" in message
    assert exc.value.extra["obligations"] == [
        {"id": str(start.public_id), "missed_date": "2026-04-11", "new_date": "2026-04-30"}
    ]
    # Nothing saved: the claim still waits, no date moved, nobody was told.
    assert reload(claim).status == ClaimStatus.PENDING
    assert _trail(delivery, start) == before


def test_with_a_reason_the_move_is_on_record_told_once_and_counted(zone, missed):
    delivery, start, claim = missed
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, reason=WHY, today=TODAY)
    delivery, start = reload(delivery), reload(start)
    assert (delivery.status, delivery.met_on) == (ObligationStatus.MET, D(2026, 4, 20))
    assert (start.due_date, start.original_due_date) == (D(2026, 4, 30), D(2026, 4, 30))
    move = MissedDateMove.objects.get(obligation=start)
    assert (move.claim, move.event, move.old_date, move.new_date) == (
        reload(claim),
        None,
        D(2026, 4, 11),
        D(2026, 4, 30),
    )
    assert (move.anchor_old_date, move.anchor_new_date) == (D(2026, 4, 1), D(2026, 4, 20))
    assert (move.reason, move.moved_by) == (WHY, zone.enterprise_user)
    event = AuditEvent.objects.get(action=MOVED)
    assert (event.object_type, event.object_id) == ("contracts.obligation", str(start.pk))
    assert event.before == {"original_due_date": "2026-04-11", "anchor_met_on": "2026-04-01"}
    assert event.after["original_due_date"] == "2026-04-30"
    assert (event.after["claim"], event.after["anchor_obligation"]) == (claim.pk, delivery.pk)
    assert (event.after["anchor_met_on"], event.after["reason"]) == ("2026-04-20", WHY)
    confirmed = AuditEvent.objects.filter(action="contracts.claim.confirm", object_id=str(delivery.pk))
    assert [e.after.get("reason") for e in confirmed.order_by("id")] == [None, WHY]
    # The construction is the enterprise's: both committee members and the city-wide
    # supervisor, once each; not the enterprise that confirmed, nor the department.
    told = Notification.objects.filter(kind=KIND)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [zone.member.username, zone.member_b.username, zone.city_supervisor.username]
    )
    message = told.get(recipient=zone.member)
    assert WHY in message.body and "交付净地80亩" in message.body and "2026-04-11" in message.body
    assert message.url == reverse("contracts:obligation", args=[start.public_id])
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=TODAY)
    assert (figures["enterprise"]["moved_after_miss"], figures["government"]["moved_after_miss"]) == (1, 0)
    # Still late against its new date, and counted so.
    assert figures["enterprise"]["overdue_open"] == 1


def test_a_committee_decision_gives_its_reason_and_is_not_refused(zone, missed):
    delivery, start, claim = missed
    services.claim_dispute(actor=zone.enterprise_user, claim=claim, reason="剩余30亩未平整")
    services.claim_decide(actor=zone.member, claim=claim, outcome=ClaimOutcome.MET, reason=WHY, today=TODAY)
    start = reload(start)
    assert start.original_due_date == D(2026, 4, 30)
    move = MissedDateMove.objects.get(obligation=start)
    assert (move.claim, move.reason, move.moved_by) == (reload(claim), WHY, zone.member)
    told = Notification.objects.filter(kind=KIND)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [zone.member_b.username, zone.city_supervisor.username]
    )
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=TODAY)
    assert figures["all"]["moved_after_miss"] == 1


def test_a_decision_of_not_met_moves_nothing(zone, missed):
    delivery, start, claim = missed
    services.claim_dispute(actor=zone.enterprise_user, claim=claim, reason="剩余30亩未平整")
    before = reload(start).original_due_date
    services.claim_decide(
        actor=zone.member, claim=claim, outcome=ClaimOutcome.NOT_MET, reason="未交付", today=TODAY
    )
    assert reload(start).original_due_date == before == D(2026, 4, 11)
    assert reload(delivery).met_on == D(2026, 4, 1)
    assert not MissedDateMove.objects.exists()


def test_a_government_obligation_moved_reaches_its_department_s_supervisor(zone):
    """The permit (the department's) counts from the enterprise's partly met investment."""
    investment = add_obligation(
        zone, kind="investment", title="完成固定资产投资", due=D(2026, 6, 30), target=300, target_unit="万元"
    )
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, after=investment, offset=5)
    part = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=investment,
        met_on=D(2026, 4, 1),
        achieved_value=100,
        files=[evidence()],
        today=D(2026, 4, 1),
    )
    services.claim_confirm(actor=zone.member, claim=part, today=D(2026, 4, 1))
    assert reload(permit).original_due_date == D(2026, 4, 6)
    rest = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=reload(investment),
        met_on=D(2026, 4, 25),
        achieved_value=Decimal(300),
        files=[evidence()],
        today=TODAY,
    )
    services.claim_confirm(actor=zone.member, claim=rest, reason=WHY, today=TODAY)
    assert reload(permit).original_due_date == D(2026, 4, 30)
    told = set(Notification.objects.filter(kind=KIND).values_list("recipient__username", flat=True))
    assert told == {zone.member_b.username, zone.city_supervisor.username, zone.supervisor.username}


def test_before_the_date_has_passed_nothing_is_asked(zone):
    delivery, start = _world(zone, first_met=D(2026, 4, 1), today=D(2026, 4, 1))
    claim = _claim(zone, delivery, D(2026, 4, 5), 80, today=D(2026, 4, 8))
    # On 8 April construction's date (11 April) is still to come.
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, today=D(2026, 4, 8))
    assert reload(start).original_due_date == D(2026, 4, 15)
    assert not MissedDateMove.objects.exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_the_same_met_date_again_moves_nothing(zone, missed):
    delivery, start, _claim_later = missed
    services.claim_withdraw(actor=zone.officer, claim=_claim_later)
    again = _claim(zone, delivery, D(2026, 4, 1), 80, today=TODAY)
    services.claim_confirm(actor=zone.enterprise_user, claim=again, today=TODAY)  # no reason needed
    assert reload(delivery).status == ObligationStatus.MET
    assert reload(start).original_due_date == D(2026, 4, 11)
    assert not MissedDateMove.objects.exists()


def test_a_first_settlement_dates_what_counts_from_it_without_a_move(zone):
    """What counted from an unmet obligation had no date: a first date, even one already
    past, moves no missed date."""
    delivery = add_obligation(zone, side=ObligorSide.GOVERNMENT, kind="land_delivery", due=D(2026, 4, 30))
    start = add_obligation(zone, after=delivery, offset=10)
    claim = services.obligation_claim(
        actor=zone.officer, obligation=delivery, met_on=D(2026, 3, 1), files=[evidence()], today=TODAY
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, today=TODAY)
    assert reload(start).original_due_date == D(2026, 3, 11)
    assert not MissedDateMove.objects.exists()


def test_the_obligation_page_shows_the_move_in_its_history(zone, missed):
    _delivery, start, claim = missed
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, reason=WHY, today=TODAY)
    client = Client()
    client.force_login(zone.city_supervisor)
    url = reverse("contracts:obligation", args=[start.public_id])
    html = client.get(url).content.decode()
    assert 'data-kind="missed_move"' in html and 'data-testid="missed-move"' in html
    assert "2026-04-11" in html and "2026-04-30" in html and WHY in html and "交付净地80亩" in html
    assert "2026-04-01" in html and "2026-04-20" in html
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "because a claim settled" in english


# --- The page, the API and the figures, on today's calendar --------------------------------------


@pytest.fixture
def missed_lately(zone):
    """Partly delivered 60 days ago (construction due 50 days ago, still owed); the rest
    claimed as delivered 40 days ago."""
    today = timezone.localdate()
    delivery, start = _world(zone, first_met=today - dt.timedelta(days=60), today=today)
    claim = _claim(zone, delivery, today - dt.timedelta(days=40), 80, today=today)
    return delivery, start, claim, today


def test_the_confirm_form_asks_for_the_reason_and_then_records_it(zone, missed_lately):
    delivery, start, claim, today = missed_lately
    missed_on = reload(start).original_due_date
    client = Client()
    client.force_login(zone.enterprise_user)
    page = client.get(reverse("contracts:obligation", args=[delivery.public_id])).content.decode()
    assert 'data-testid="confirm-form"' in page and 'name="confirm-reason"' not in page
    url = reverse("contracts:claim_confirm", args=[claim.public_id])
    data = {"confirm-revision": reload(delivery).revision}
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="confirm-reason"' in html and missed_on.isoformat() in html and "原因" in html
    assert reload(claim).status == ClaimStatus.PENDING
    english = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Give the reason" in english
    response = client.post(url, {**data, "confirm-reason": WHY})
    assert response.status_code == 302
    assert reload(start).original_due_date == today - dt.timedelta(days=30)
    assert MissedDateMove.objects.get(obligation=start).reason == WHY


def test_the_api_refuses_without_a_reason_then_records_it_and_counts_it(client, zone, missed_lately):
    delivery, start, claim, _today = missed_lately
    missed_on = reload(start).original_due_date
    client.force_login(zone.enterprise_user)
    url = f"/api/v1/contracts/claims/{claim.public_id}/confirm"
    body = {"revision": reload(delivery).revision}
    response = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "reason_required" and "reason" in error["fields"]
    assert missed_on.isoformat() in error["message"]
    assert error["extra"]["obligations"][0]["id"] == str(start.public_id)
    assert reload(claim).status == ClaimStatus.PENDING
    response = client.post(url, {**body, "reason": WHY}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert MissedDateMove.objects.filter(obligation=start).count() == 1
    client.force_login(zone.member)
    figures = client.get("/api/v1/contracts/dashboard").json()["summary"]
    assert (figures["enterprise"]["moved_after_miss"], figures["government"]["moved_after_miss"]) == (1, 0)


def test_the_dashboard_and_the_public_page_count_it(zone, missed_lately):
    _delivery, _start, claim, _today = missed_lately
    services.claim_confirm(actor=zone.enterprise_user, claim=claim, reason=WHY)
    client = Client()
    client.force_login(zone.city_supervisor)
    dashboard = client.get(reverse("contracts:dashboard"))
    assert dashboard.context["enterprise"]["moved_after_miss"] == 1
    assert 'data-testid="moved-after-miss-enterprise"' in dashboard.content.decode()
    public = Client().get(reverse("contracts:public"))
    assert public.context["all"]["moved_after_miss"] == 1
    assert FulfilmentClaim.objects.get(pk=claim.pk).status == ClaimStatus.CONFIRMED
