"""The whole loop through the pages, as the people would click it: the committee creates
a project, its contract and clause, and obligations on both sides (the department's land
delivery counted from the enterprise's application); the enterprise claims its
obligation with evidence and the committee confirms; the department's delivery falls
overdue and its alarm fires; the department answers with a remedy plan; the committee
accepts it and the due date moves, the original kept beside it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.contracts.models import (
    Clause,
    Contract,
    DueChangeReason,
    Obligation,
    ObligationStatus,
    PlanStatus,
    Project,
    RemedyPlan,
)
from qinqing.contracts.selectors import with_alarm_state

from .test_forms_world import fire_alarm, login, pdf

pytestmark = pytest.mark.django_db


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _page(client: Client, obligation: Obligation) -> str:
    response = client.get(reverse("contracts:obligation", args=[obligation.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _revision(html: str, prefix: str = "") -> str:
    name = f"{prefix}-revision" if prefix else "revision"
    found = re.search(rf'name="{name}" value="(\d+)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


def _follow(response: Any) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]


def _alarm_state(obligation: Obligation) -> str:
    return str(with_alarm_state(Obligation.objects.filter(pk=obligation.pk)).get().alarm_state)


def test_the_whole_loop_through_the_pages(city: Any) -> None:
    committee = login(city.committee_member)
    enterprise = login(city.enterprise_user)
    department = login(city.officer)

    # The committee writes the project down.
    _follow(
        committee.post(
            reverse("contracts:project_new"),
            {
                "credit_code": city.enterprise.credit_code,
                "committee": str(city.committee.pk),
                "reference": "TSQ-301",
                "name": "高端装备制造项目",
                "industry": "装备制造",
                "planned_investment": "600000000",
                "signed_on": _day(-90).isoformat(),
            },
        )
    )
    project = Project.objects.get(reference="TSQ-301")
    _follow(
        committee.post(
            reverse("contracts:contract_new", args=[project.public_id]),
            {
                "kind": "investment_agreement",
                "number": "TSQ-HT-301",
                "title": "投资协议书",
                "government_party": str(city.committee.pk),
                "signed_on": _day(-90).isoformat(),
            },
        )
    )
    contract = Contract.objects.get(project=project)
    _follow(
        committee.post(
            reverse("contracts:clause_new", args=[contract.public_id]),
            {"number": "3", "text": "甲方在乙方提交用地申请后五日内交付净地。", "ladder_unit": "calendar"},
        )
    )
    clause = Clause.objects.get(contract=contract)
    new_obligation = reverse("contracts:obligation_new", args=[contract.public_id, clause.pk])
    _follow(
        committee.post(
            new_obligation,
            {
                "obligor_side": "enterprise",
                "kind": "other",
                "title": "提交用地申请",
                "due_mode": "absolute",
                "due_fixed": _day(10).isoformat(),
                "offset_unit": "calendar",
            },
        )
    )
    application = Obligation.objects.get(project=project, title="提交用地申请")
    _follow(
        committee.post(
            new_obligation,
            {
                "obligor_side": "government",
                "obligor_department": str(city.drc.pk),
                "kind": "land_delivery",
                "title": "交付净地",
                "due_mode": "relative",
                "anchor": f"o:{application.public_id}",
                "offset": "5",
                "offset_unit": "calendar",
            },
        )
    )
    delivery = Obligation.objects.get(project=project, title="交付净地")
    assert delivery.status == ObligationStatus.PENDING

    # The enterprise claims its application, with the receipt, from its phone.
    html = _page(enterprise, application)
    assert 'data-testid="claim-form"' in html
    _follow(
        enterprise.post(
            reverse("contracts:obligation_claim", args=[application.public_id]),
            {
                "revision": _revision(html),
                "met_on": _day(-15).isoformat(),
                "note": "已提交用地申请",
                "evidence": [pdf("receipt.pdf")],
            },
        )
    )

    # The committee sees the evidence and confirms.
    html = _page(committee, application)
    assert 'data-testid="confirm-form"' in html
    assert "receipt.pdf" in html
    _follow(
        committee.post(
            reverse("contracts:claim_confirm", args=[application.claims.get().public_id]),
            {"confirm-revision": _revision(html, "confirm")},
        )
    )
    application.refresh_from_db()
    assert application.status == ObligationStatus.MET
    assert application.days_early == 25

    # The delivery now counts from the application: five days after it, ten days ago.
    delivery.refresh_from_db()
    assert delivery.status == ObligationStatus.OPEN
    assert delivery.due_date == _day(-10)
    fire_alarm(delivery)
    assert _alarm_state(delivery) == "open"

    # The department answers the alarm with a plan.
    html = _page(department, delivery)
    assert 'data-testid="plan-form"' in html
    _follow(
        department.post(
            reverse("contracts:plan_submit", args=[delivery.public_id]),
            {
                "plan-revision": _revision(html, "plan"),
                "plan-cause": "地上附着物补偿未谈妥",
                "plan-remedy": "区征迁办专班推进，本月底前完成清表",
                "plan-proposed_date": _day(20).isoformat(),
            },
        )
    )
    assert _alarm_state(delivery) == "answered"

    # The committee accepts it: the due date moves, the original stays beside it.
    html = _page(committee, delivery)
    assert 'data-testid="plan-decide-form"' in html
    plan = RemedyPlan.objects.get(obligation=delivery)
    _follow(
        committee.post(
            reverse("contracts:plan_decide", args=[plan.public_id]),
            {"plandecide-revision": _revision(html, "plandecide"), "plandecide-accept": "1"},
        )
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    delivery.refresh_from_db()
    assert delivery.due_date == _day(20)
    assert delivery.original_due_date == _day(-10)
    assert delivery.due_changes.filter(reason=DueChangeReason.PLAN_ACCEPTED).exists()
    assert _alarm_state(delivery) == ""
    final = committee.get(reverse("contracts:obligation", args=[delivery.public_id]))
    assert final.status_code == 200
