"""A rule edit cannot erase a miss: once the contract's date has passed unmet, changing
the obligation's due rule may not move that date (lateness is judged by it, and a rule
change is not counted as rescheduling). A later date comes through a remedy plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition
from qinqing.contracts import reports, services
from qinqing.contracts.models import DueDateChange, Obligation
from qinqing.deadlines.scan import deadlines_scan

from .conftest import D, add_obligation, reload

DUE = D(2026, 10, 30)
LATER = {"mode": "absolute", "date": D(2027, 3, 31)}


def _change(zone, ob, rule, *, today):
    return services.obligation_change_rule(
        actor=zone.member,
        obligation=reload(ob),
        due_rule=rule,
        reason="补充协议顺延",
        revision=reload(ob).revision,
        today=today,
    )


def _trail(ob):
    return (
        reload(ob).due_date,
        reload(ob).original_due_date,
        DueDateChange.objects.filter(obligation=ob).count(),
        AuditEvent.objects.filter(object_type="contracts.obligation", object_id=str(ob.pk)).count(),
    )


def test_a_missed_obligation_keeps_its_contract_date_when_the_rule_is_edited(zone):
    ob = add_obligation(zone, due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    before = _trail(ob)
    with pytest.raises(InvalidTransition) as exc:
        _change(zone, ob, LATER, today=D(2026, 11, 2))
    assert "2026-10-30" in str(exc.value.message)
    assert "整改计划" in str(exc.value.message)  # the way to a new date
    assert exc.value.extra["original_due_date"] == "2026-10-30"
    assert _trail(ob) == before
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 11, 2))["enterprise"]
    assert figures["overdue_open"] == 1


def test_a_relative_rule_cannot_erase_the_miss_either(zone):
    services.event_record(
        actor=zone.member, project=zone.project, key="land_certificate", occurred_on=D(2026, 4, 1)
    )
    event = zone.project.events.get(key="land_certificate")
    ob = add_obligation(zone, after_event=event, offset=10)
    due = reload(ob).original_due_date
    with pytest.raises(InvalidTransition):
        _change(
            zone,
            ob,
            {"mode": "relative", "anchor_event": event, "offset": 400, "unit": "calendar"},
            today=due + dt.timedelta(days=1),
        )
    assert reload(ob).original_due_date == due


def test_a_rescheduled_obligation_keeps_both_dates(zone):
    ob = add_obligation(zone, due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    plan = services.plan_submit(
        actor=zone.enterprise_user,
        obligation=reload(ob),
        cause="设备到货延迟",
        remedy="双班作业",
        proposed_date=D(2026, 12, 31),
        today=D(2026, 11, 2),
    )
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    with pytest.raises(InvalidTransition):
        _change(zone, ob, LATER, today=D(2026, 11, 5))
    assert (reload(ob).due_date, reload(ob).original_due_date) == (D(2026, 12, 31), DUE)
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 11, 5))["enterprise"]
    assert figures["rescheduled"] == 1


def test_before_its_date_the_rule_still_changes_the_contract_date(zone):
    ob = add_obligation(zone, due=DUE)
    assert services.missed_contract_date(reload(ob), DUE) is None
    assert services.missed_contract_date(reload(ob), DUE + dt.timedelta(days=1)) == DUE
    _change(zone, ob, LATER, today=DUE)  # due today: not late yet
    assert (reload(ob).due_date, reload(ob).original_due_date) == (D(2027, 3, 31), D(2027, 3, 31))


def test_a_late_obligation_s_rule_may_be_restated_without_moving_its_date(zone):
    ob = add_obligation(zone, due=DUE)
    _change(zone, ob, {"mode": "absolute", "date": DUE}, today=D(2026, 11, 2))
    assert reload(ob).original_due_date == DUE


def test_the_rule_page_refuses_with_the_way_to_a_plan_and_keeps_the_reason(zone):
    past = timezone.localdate() - dt.timedelta(days=3)
    ob = reload(add_obligation(zone, due=past))
    client = Client()
    client.force_login(zone.member)
    url = reverse("contracts:obligation_rule", args=[ob.public_id])
    # Said before anything is typed.
    opened = client.get(url).content.decode()
    assert 'data-testid="form-notice"' in opened and past.isoformat() in opened and "整改计划" in opened
    data = {
        "revision": ob.revision,
        "due_mode": "absolute",
        "due_fixed": (past + dt.timedelta(days=90)).isoformat(),
        "offset_unit": "calendar",
        "reason": "补充协议顺延九十天",
    }
    response = client.post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "整改计划" in html and past.isoformat() in html
    assert "补充协议顺延九十天" in html
    assert reload(ob).original_due_date == past
    english = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "remedy plan" in english


def test_the_api_refuses_it_with_the_contract_date(client, zone):
    past = timezone.localdate() - dt.timedelta(days=3)
    ob = reload(add_obligation(zone, due=past))
    client.force_login(zone.member)
    body = {
        "revision": ob.revision,
        "reason": "补充协议顺延",
        "due_rule": {"mode": "absolute", "date": (past + dt.timedelta(days=90)).isoformat()},
    }
    response = client.put(
        f"/api/v1/contracts/obligations/{ob.public_id}/rule",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert past.isoformat() in error["message"] and "整改计划" in error["message"]
    assert reload(ob).original_due_date == past
