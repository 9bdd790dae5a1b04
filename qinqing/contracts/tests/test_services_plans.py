"""The alarm loop: an overdue obligation's alarm stays open until the obligor submits a
remedy plan; the committee accepts it (the due date moves, the original stays, the
ladder restarts) or rejects it (the alarm is open again)."""

from __future__ import annotations

import pytest

from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.contracts import services
from qinqing.contracts.models import Obligation, ObligorSide, PlanStatus
from qinqing.contracts.selectors import with_alarm_state
from qinqing.deadlines.models import Alert, Deadline
from qinqing.deadlines.scan import deadlines_scan
from qinqing.notifications.models import DigestItem, Notification

from .conftest import D, add_obligation, evidence, reload

DUE = D(2026, 10, 30)
TODAY = D(2026, 11, 2)
NEW_DATE = D(2026, 12, 31)


def _alarm_state(ob) -> str:
    return with_alarm_state(Obligation.objects.filter(pk=ob.pk)).get().alarm_state


def _submit(zone, ob, who=None, proposed=NEW_DATE, **kwargs):
    who = who or (zone.enterprise_user if ob.obligor_side == ObligorSide.ENTERPRISE else zone.officer)
    return services.plan_submit(
        actor=who,
        obligation=ob,
        cause=kwargs.pop("cause", "设备到货延迟"),
        remedy=kwargs.pop("remedy", "调整施工组织，双班作业"),
        proposed_date=proposed,
        today=kwargs.pop("today", TODAY),
        **kwargs,
    )


@pytest.fixture
def alarmed(zone):
    ob = add_obligation(zone, due=DUE)
    assert _alarm_state(ob) == ""
    deadlines_scan(today=D(2026, 11, 1))
    assert set(Alert.objects.values_list("rung", flat=True)) == {"reminder", "warning", "alarm"}
    return reload(ob)


def test_accepting_a_plan_moves_the_date_and_keeps_the_original(zone, alarmed):
    assert _alarm_state(alarmed) == "open"
    plan = _submit(zone, alarmed)
    assert (plan.status, plan.due_date, plan.proposed_date) == ("submitted", DUE, D(2026, 12, 31))
    assert _alarm_state(alarmed) == "answered"
    services.plan_decide(actor=zone.member, plan=plan, accept=True, revision=reload(alarmed).revision)
    ob, plan = reload(alarmed), reload(plan)
    assert plan.status == PlanStatus.ACCEPTED and plan.decided_by == zone.member
    assert (ob.due_date, ob.original_due_date, ob.status) == (D(2026, 12, 31), DUE, "open")
    assert list(ob.due_changes.values_list("old_date", "new_date", "reason"))[-1] == (
        DUE,
        D(2026, 12, 31),
        "plan_accepted",
    )
    deadline = Deadline.objects.get(pk=ob.deadline_id)
    assert (deadline.due_date, deadline.original_due_date) == (D(2026, 12, 31), DUE)
    assert _alarm_state(ob) == ""
    # The old date's alerts stay; the new date's ladder fires on its own days.
    deadlines_scan(today=D(2026, 12, 1))
    assert set(Alert.objects.values_list("rung", "due_date")) == {
        ("reminder", DUE),
        ("warning", DUE),
        ("alarm", DUE),
        ("reminder", D(2026, 12, 31)),
    }


def test_rejecting_a_plan_opens_the_alarm_again(zone, alarmed):
    plan = _submit(zone, alarmed)
    with pytest.raises(ValidationFailed) as exc:
        services.plan_decide(actor=zone.member, plan=plan, accept=False, reason="")
    assert "reason" in exc.value.fields
    services.plan_decide(actor=zone.member, plan=plan, accept=False, reason="新日期无依据")
    assert reload(plan).status == PlanStatus.REJECTED
    ob = reload(alarmed)
    assert ob.due_date == DUE
    assert _alarm_state(ob) == "open"
    with pytest.raises(InvalidTransition):
        services.plan_decide(actor=zone.member, plan=plan, accept=True)
    better = _submit(zone, ob, proposed=D(2026, 12, 15))
    assert _alarm_state(ob) == "answered"
    services.plan_decide(actor=zone.member_b, plan=better, accept=True)
    assert reload(ob).due_date == D(2026, 12, 15)


def test_an_escalated_obligation_is_alarmed_too(zone, alarmed):
    deadlines_scan(today=D(2026, 11, 20))
    assert Alert.objects.filter(rung="escalation").count() == 1
    assert _alarm_state(alarmed) == "open"


def test_plans_answer_only_overdue_obligations_of_ones_own_side(zone, alarmed):
    with pytest.raises(InvalidTransition) as exc:
        _submit(zone, alarmed, today=D(2026, 10, 30))  # due today: not overdue yet
    assert exc.value.code == "not_overdue"
    with pytest.raises(ValidationFailed) as exc:
        _submit(zone, alarmed, proposed=DUE)
    assert "proposed_date" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        _submit(zone, alarmed, cause="  ")
    assert "cause" in exc.value.fields
    for who in (zone.member, zone.officer, zone.supervisor, zone.other_enterprise_user):
        with pytest.raises(PermissionDenied):
            _submit(zone, alarmed, who=who)
    plan = _submit(zone, alarmed)
    with pytest.raises(Conflict) as exc:
        _submit(zone, alarmed)
    assert exc.value.code == "plan_awaiting"
    for who in (zone.enterprise_user, zone.officer, zone.city_supervisor, zone.other_member, zone.admin):
        with pytest.raises(PermissionDenied):
            services.plan_decide(actor=who, plan=plan, accept=True)
    assert reload(plan).status == PlanStatus.SUBMITTED


def test_a_government_department_answers_its_own_alarm(zone):
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, kind="land_delivery", due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    assert _alarm_state(ob) == "open"
    with pytest.raises(PermissionDenied):
        _submit(zone, reload(ob), who=zone.enterprise_user)
    plan = _submit(zone, reload(ob), who=zone.head)
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    assert reload(ob).due_date == D(2026, 12, 31)


def test_a_met_obligation_has_no_open_alarm_and_its_plan_can_only_be_rejected(zone, alarmed):
    plan = _submit(zone, alarmed)
    claim = services.obligation_claim(
        actor=zone.enterprise_user, obligation=alarmed, met_on=D(2026, 11, 1), files=[evidence()], today=TODAY
    )
    services.claim_confirm(actor=zone.member, claim=claim)
    ob = reload(alarmed)
    assert (ob.status, ob.days_early) == ("met", -2)
    assert _alarm_state(ob) == ""
    with pytest.raises(InvalidTransition):
        services.plan_decide(actor=zone.member, plan=plan, accept=True)
    services.plan_decide(actor=zone.member, plan=plan, accept=False, reason="已履约，无需延期")
    assert reload(ob).due_date == DUE


def test_the_committee_hears_of_plans_and_the_obligor_of_a_rejection_at_once(zone, alarmed):
    plan = _submit(zone, alarmed)
    assert set(
        DigestItem.objects.filter(kind="contracts.plan").values_list("recipient__username", flat=True)
    ) == {"cmt", "cmt2"}
    services.plan_decide(actor=zone.member, plan=plan, accept=False, reason="新日期无依据")
    rejected = Notification.objects.filter(kind="contracts.plan_decision")
    assert set(rejected.values_list("recipient__username", flat=True)) == {"ent"}
    assert "新日期无依据" in rejected.get().body
    plan = _submit(zone, reload(alarmed), proposed=D(2026, 12, 20))
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    assert set(
        DigestItem.objects.filter(kind="contracts.plan_decision").values_list(
            "recipient__username", flat=True
        )
    ) == {"ent"}


def test_a_partly_met_obligation_needs_no_plan_even_when_claimed_again(zone):
    ob = add_obligation(zone, kind="investment", due=DUE, target=100)
    deadlines_scan(today=D(2026, 11, 1))
    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=D(2026, 10, 25),
        achieved_value=70,
        files=[evidence()],
        today=TODAY,
    )
    services.claim_confirm(actor=zone.member, claim=claim)
    assert reload(ob).status == "partly_met"
    assert _alarm_state(ob) == ""
    with pytest.raises(InvalidTransition):
        _submit(zone, reload(ob))
    services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=TODAY,
        achieved_value=100,
        files=[evidence()],
        today=TODAY,
    )
    assert reload(ob).status == "claimed"
    with pytest.raises(InvalidTransition):
        _submit(zone, reload(ob))
