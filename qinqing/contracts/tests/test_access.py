"""Who sees what and who may do what: an enterprise only its own projects, a committee
only its zone, a department only the projects it owes in, a supervisor reads all and
every service refuses it; `allowed_actions` agrees with the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from qinqing.accounts.tests.factories import UserFactory
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.contracts import selectors, services
from qinqing.contracts.models import ObligorSide

from .conftest import D, add_obligation, evidence, make_agreement, make_project, reload

TODAY = D(2026, 11, 20)


def _visible(user) -> set[str]:
    return set(selectors.projects_visible(user).values_list("reference", flat=True))


def test_an_enterprise_sees_only_its_own_projects(zone):
    theirs = make_project(zone.committee, zone.member, zone.other_enterprise)
    assert _visible(zone.enterprise_user) == {zone.project.reference}
    assert _visible(zone.other_enterprise_user) == {theirs.reference}
    with pytest.raises(NotFound):
        selectors.access_project_by_public_id(zone.enterprise_user, theirs.public_id)
    assert selectors.access_project_by_public_id(zone.enterprise_user, zone.project.public_id) == zone.project


def test_a_committee_sees_only_its_zone(zone):
    elsewhere = make_project(zone.other_committee, zone.other_member, zone.other_enterprise)
    assert _visible(zone.member) == {zone.project.reference}
    assert _visible(zone.other_member) == {elsewhere.reference}
    ob = add_obligation(zone, due=D(2026, 12, 1))
    assert not selectors.obligations_visible(zone.other_member).exists()
    with pytest.raises(NotFound):
        selectors.access_obligation_by_public_id(zone.other_member, ob.public_id)
    with pytest.raises(PermissionDenied):
        services.obligation_cancel(actor=zone.other_member, obligation=ob, reason="越权")


def test_a_department_sees_only_projects_it_owes_in(zone):
    assert _visible(zone.officer) == set()
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 12, 1))
    assert _visible(zone.officer) == _visible(zone.head) == {zone.project.reference}
    assert _visible(zone.other_officer) == set()
    # Seeing the project, it sees both sides' obligations on one timeline.
    theirs = add_obligation(zone, due=D(2026, 12, 2))
    assert set(selectors.obligations_visible(zone.officer)) == {ob, theirs}
    assert list(selectors.project_obligations(zone.project)) == [ob, theirs]


def test_supervisors_read_what_their_reach_covers_and_admins_nothing(zone):
    elsewhere = make_project(zone.other_committee, zone.other_member, zone.other_enterprise)
    assert _visible(zone.city_supervisor) == {zone.project.reference, elsewhere.reference}
    # The group supervises the development and reform commission: the projects it owes in.
    assert _visible(zone.supervisor) == set()
    add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 12, 1))
    assert _visible(zone.supervisor) == {zone.project.reference}
    assert _visible(zone.admin) == set()
    assert _visible(AnonymousUser()) == set()
    assert _visible(None) == set()


def test_claims_plans_and_evidence_follow_their_project(zone):
    ob = add_obligation(zone, due=D(2026, 11, 1))
    claim = services.obligation_claim(
        actor=zone.enterprise_user, obligation=ob, met_on=D(2026, 11, 2), files=[evidence()], today=TODAY
    )
    item = claim.evidence.get()
    plan = services.plan_submit(
        actor=zone.enterprise_user,
        obligation=ob,
        cause="原因",
        remedy="措施",
        proposed_date=D(2026, 12, 1),
        today=TODAY,
    )
    for user in (zone.enterprise_user, zone.member, zone.city_supervisor):
        assert selectors.access_claim_by_public_id(user, claim.public_id) == claim
        assert selectors.access_plan_by_public_id(user, plan.public_id) == plan
        assert selectors.access_evidence_by_public_id(user, item.public_id) == item
    for user in (zone.other_enterprise_user, zone.other_member, zone.officer, zone.admin, AnonymousUser()):
        for access, public_id in (
            (selectors.access_claim_by_public_id, claim.public_id),
            (selectors.access_plan_by_public_id, plan.public_id),
            (selectors.access_evidence_by_public_id, item.public_id),
        ):
            with pytest.raises(NotFound):
                access(user, public_id)


@pytest.mark.parametrize("who", ["supervisor", "city_supervisor"])
def test_every_service_refuses_a_supervisor(zone, who):
    sup = getattr(zone, who)
    ob = add_obligation(zone, due=D(2026, 11, 1), kind="investment", target=Decimal("10"))
    gov = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 11, 1))
    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=D(2026, 11, 2),
        achieved_value=5,
        files=[evidence()],
        today=TODAY,
    )
    services.claim_dispute(actor=zone.member, claim=claim, reason="存疑")
    plan = services.plan_submit(
        actor=zone.officer,
        obligation=gov,
        cause="原因",
        remedy="措施",
        proposed_date=D(2026, 12, 1),
        today=TODAY,
    )
    attempts = [
        lambda: make_project(zone.committee, sup, zone.enterprise),
        lambda: services.project_update(actor=sup, project=zone.project, name="改"),
        lambda: make_agreement(zone.project, sup, zone.committee),
        lambda: services.clause_add(actor=sup, contract=zone.agreement, number="99", text="……"),
        lambda: services.obligation_add(
            actor=sup,
            clause=zone.enterprise_clause,
            obligor_side="enterprise",
            kind="investment",
            title="投资",
            due_rule={"mode": "absolute", "date": D(2026, 12, 1)},
        ),
        lambda: services.obligation_change_rule(
            actor=sup, obligation=gov, due_rule={"mode": "absolute", "date": D(2026, 12, 1)}, reason="改"
        ),
        lambda: services.event_record(
            actor=sup, project=zone.project, key="permit_applied", occurred_on=D(2026, 5, 1)
        ),
        lambda: services.event_declare(actor=sup, project=zone.project, key="x"),
        lambda: services.obligation_claim(
            actor=sup, obligation=gov, met_on=D(2026, 11, 2), files=[evidence()], today=TODAY
        ),
        lambda: services.claim_withdraw(actor=sup, claim=claim),
        lambda: services.claim_confirm(actor=sup, claim=claim),
        lambda: services.claim_dispute(actor=sup, claim=claim, reason="存疑"),
        lambda: services.claim_decide(actor=sup, claim=claim, outcome="met", reason="裁决"),
        lambda: services.plan_submit(
            actor=sup, obligation=ob, cause="原因", remedy="措施", proposed_date=D(2026, 12, 1), today=TODAY
        ),
        lambda: services.plan_decide(actor=sup, plan=plan, accept=True),
        lambda: services.obligation_cancel(actor=sup, obligation=gov, reason="取消"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert selectors.allowed_actions(sup, reload(ob)) == frozenset()
    assert selectors.allowed_actions(sup, reload(gov)) == frozenset()


def test_allowed_actions_follow_the_loop(zone, monkeypatch):
    monkeypatch.setattr("qinqing.contracts.selectors.current_day", lambda: TODAY)
    ob = add_obligation(zone, due=D(2026, 12, 15))

    def actions(user):
        return selectors.allowed_actions(user, selectors.project_obligations(zone.project).get(pk=ob.pk))

    assert actions(zone.enterprise_user) == {"claim"}
    assert actions(zone.member) == {"cancel", "edit"}
    assert actions(zone.officer) == actions(zone.other_enterprise_user) == actions(zone.admin) == frozenset()
    claim = services.obligation_claim(
        actor=zone.enterprise_user, obligation=ob, met_on=D(2026, 11, 10), files=[evidence()], today=TODAY
    )
    assert actions(zone.enterprise_user) == {"withdraw_claim"}
    assert actions(zone.member) == {"confirm", "dispute", "edit"}
    services.claim_dispute(actor=zone.member, claim=claim, reason="存疑")
    assert actions(zone.member) == {"edit"}  # four eyes: not the one who disputed
    assert actions(zone.member_b) == {"decide", "edit"}
    assert actions(zone.enterprise_user) == frozenset()
    services.claim_decide(actor=zone.member_b, claim=claim, outcome="met", reason="核实")
    assert actions(zone.member) == actions(zone.enterprise_user) == frozenset()


def test_allowed_actions_of_an_overdue_government_obligation(zone, monkeypatch):
    monkeypatch.setattr("qinqing.contracts.selectors.current_day", lambda: TODAY)
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 11, 1))

    def actions(user):
        return selectors.allowed_actions(user, selectors.project_obligations(zone.project).get(pk=ob.pk))

    assert actions(zone.officer) == actions(zone.head) == {"claim", "plan"}
    assert actions(zone.other_officer) == frozenset()
    assert actions(zone.enterprise_user) == frozenset()
    services.plan_submit(
        actor=zone.officer,
        obligation=ob,
        cause="原因",
        remedy="措施",
        proposed_date=D(2026, 12, 1),
        today=TODAY,
    )
    assert actions(zone.officer) == {"claim"}
    assert actions(zone.member) == {"decide_plan", "cancel", "edit"}
    claim = services.obligation_claim(
        actor=zone.officer, obligation=ob, met_on=D(2026, 11, 10), files=[evidence()], today=TODAY
    )
    assert actions(zone.enterprise_user) == {"confirm", "dispute"}
    assert actions(zone.head) == {"withdraw_claim"}
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    assert actions(zone.member) == {"decide_plan"}


@pytest.mark.parametrize(
    "model",
    [
        "project",
        "contract",
        "clause",
        "projectevent",
        "obligation",
        "duedatechange",
        "fulfilmentclaim",
        "remedyplan",
    ],
)
def test_the_django_admin_lists_contract_records_read_only(client, zone, model):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    add_obligation(zone, due=D(2026, 12, 1))
    assert client.get(reverse(f"admin:contracts_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:contracts_{model}_add")).status_code == 403


def test_allowed_actions_on_a_timeline_cost_no_query_per_obligation(zone, django_assert_num_queries):
    for i in range(3):
        add_obligation(zone, due=D(2026, 11, 1 + i), title=f"开工{i}")
        add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 11, 5 + i), title=f"许可{i}")
    first = add_obligation(zone, due=D(2026, 10, 1))
    services.obligation_claim(
        actor=zone.enterprise_user, obligation=first, met_on=D(2026, 10, 1), files=[evidence()], today=TODAY
    )
    for user in (zone.member, zone.enterprise_user, zone.officer, zone.city_supervisor):
        selectors.allowed_actions(user, first)  # the user's scope, read once per request
        with django_assert_num_queries(4):  # the obligations, their claims, evidence and plans
            actions = [
                selectors.allowed_actions(user, ob) for ob in selectors.project_obligations(zone.project)
            ]
        assert len(actions) == 7
