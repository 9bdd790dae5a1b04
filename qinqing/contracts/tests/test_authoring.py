"""Authoring pages of the management committee (project, contract, clause with its own
ladder, obligation with its due rule, rule change) and project events (the committee's,
and the enterprise's own applications): allowed, denied and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qinqing.contracts.models import (
    Clause,
    Contract,
    DueChangeReason,
    Obligation,
    ObligationStatus,
    Project,
    ProjectEvent,
)

from .test_forms_world import World, login, world

pytestmark = pytest.mark.django_db

__all__ = ["world"]


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# --- Project ----------------------------------------------------------------------------------


def _project_data(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "credit_code": world.city.other_enterprise.credit_code,
        "committee": str(world.city.committee.pk),
        "reference": "TSQ-202",
        "name": "智能装备产业园",
        "industry": "装备制造",
        "planned_investment": "800000000",
        "signed_on": _today(-30),
        "land_parcel": "TSQ-2026-03",
        "land_area_mu": "150.5",
        **extra,
    }


def test_the_committee_creates_a_project(world: World) -> None:
    client = login(world.member)
    assert client.get(reverse("contracts:project_new")).status_code == 200
    response = client.post(reverse("contracts:project_new"), _project_data(world))
    assert response.status_code == 302
    project = Project.objects.get(reference="TSQ-202")
    assert response["Location"] == reverse("contracts:project", args=[project.public_id])
    assert project.enterprise == world.city.other_enterprise
    assert project.committee == world.city.committee


def test_an_unknown_enterprise_or_a_taken_number_is_a_form_error(world: World) -> None:
    client = login(world.member)
    response = client.post(reverse("contracts:project_new"), _project_data(world, credit_code="9" * 18))
    assert response.status_code == 400
    assert 'data-testid="error-credit_code"' in response.content.decode()
    response = client.post(
        reverse("contracts:project_new"), _project_data(world, reference=world.project.reference)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-reference"' in html
    assert "智能装备产业园" in html  # what was typed is kept
    assert not Project.objects.filter(name="智能装备产业园").exists()


def test_only_committee_members_create_projects(world: World) -> None:
    for user in (world.city.enterprise_user, world.city.officer, world.city.city_supervisor):
        client = login(user)
        assert client.get(reverse("contracts:project_new")).status_code == 403
        assert client.post(reverse("contracts:project_new"), _project_data(world)).status_code == 403
    assert not Project.objects.filter(reference="TSQ-202").exists()


def test_the_committee_edits_its_project(world: World) -> None:
    url = reverse("contracts:project_edit", args=[world.project.public_id])
    client = login(world.member)
    assert client.get(url).status_code == 200
    data = {
        "name": "年产八万吨新材料项目",
        "industry": "新材料",
        "planned_investment": "350000000",
        "signed_on": world.project.signed_on.isoformat(),
        "location": "台商投资区东园",
    }
    assert client.post(url, {**data, "planned_investment": "-1"}).status_code == 400
    response = client.post(url, data)
    assert response.status_code == 302
    project = Project.objects.get(pk=world.project.pk)
    assert project.name == "年产八万吨新材料项目"
    assert project.location == "台商投资区东园"


def test_others_may_not_edit_the_project(world: World) -> None:
    url = reverse("contracts:project_edit", args=[world.project.public_id])
    assert login(world.city.enterprise_user).get(url).status_code == 403
    assert login(world.city.city_supervisor).post(url, {"name": "x"}).status_code == 403
    assert login(world.other_enterprise_user).get(url).status_code == 404


# --- Contract and clause ----------------------------------------------------------------------


def test_the_committee_adds_a_contract_then_a_clause_with_its_ladder(world: World) -> None:
    client = login(world.member)
    url = reverse("contracts:contract_new", args=[world.project.public_id])
    assert client.get(url).status_code == 200
    data = {
        "kind": "supplementary",
        "number": "TSQ-HT-101-B1",
        "title": "补充协议",
        "government_party": str(world.city.committee.pk),
        "signed_on": _today(-3),
    }
    missing = client.post(url, data)
    assert missing.status_code == 400
    assert 'data-testid="error-amends"' in missing.content.decode()
    response = client.post(url, {**data, "amends": str(world.contract.public_id)})
    assert response.status_code == 302
    contract = Contract.objects.get(number="TSQ-HT-101-B1")
    assert contract.amends == world.contract
    clause_url = reverse("contracts:clause_new", args=[contract.public_id])
    assert response["Location"] == clause_url

    clause = {"number": "2", "text": "开工期限顺延。", "own_ladder": "on", "ladder_unit": "working"}
    empty = client.post(clause_url, clause)
    assert empty.status_code == 400
    assert 'data-testid="error-ladder_reminder"' in empty.content.decode()
    response = client.post(
        clause_url, {**clause, "ladder_reminder": "10", "ladder_warning": "0", "ladder_alarm": "1"}
    )
    assert response.status_code == 302
    saved = Clause.objects.get(contract=contract, number="2")
    assert saved.ladder == [
        {"name": "reminder", "offset": -10, "unit": "working"},
        {"name": "warning", "offset": 0, "unit": "working"},
        {"name": "alarm", "offset": 1, "unit": "working"},
    ]
    assert response["Location"] == reverse("contracts:obligation_new", args=[contract.public_id, saved.pk])


def test_a_clause_without_its_own_ladder_keeps_none(world: World) -> None:
    url = reverse("contracts:clause_new", args=[world.contract.public_id])
    response = login(world.member).post(url, {"number": "7", "text": "违约责任。", "ladder_unit": "calendar"})
    assert response.status_code == 302
    assert Clause.objects.get(contract=world.contract, number="7").ladder is None


def test_a_department_officer_may_not_add_contracts_or_clauses(world: World) -> None:
    officer = login(world.city.officer)
    assert officer.get(reverse("contracts:contract_new", args=[world.project.public_id])).status_code == 403
    assert officer.get(reverse("contracts:clause_new", args=[world.contract.public_id])).status_code == 403
    assert (
        login(world.other_enterprise_user)
        .get(reverse("contracts:clause_new", args=[world.contract.public_id]))
        .status_code
        == 404
    )


# --- Obligations and due rules ----------------------------------------------------------------


def _obligation_url(world: World) -> str:
    return reverse("contracts:obligation_new", args=[world.contract.public_id, world.clause.pk])


def test_an_obligation_on_a_fixed_date(world: World) -> None:
    client = login(world.member)
    assert client.get(_obligation_url(world)).status_code == 200
    response = client.post(
        _obligation_url(world),
        {
            "obligor_side": "government",
            "obligor_department": str(world.city.drc.pk),
            "kind": "land_delivery",
            "title": "净地交付",
            "due_mode": "absolute",
            "due_fixed": _today(20),
            "offset_unit": "calendar",
        },
    )
    assert response.status_code == 302
    ob = Obligation.objects.get(title="净地交付")
    assert response["Location"] == reverse("contracts:obligation", args=[ob.public_id])
    assert ob.obligor_department == world.city.drc
    assert ob.due_date == timezone.localdate() + dt.timedelta(days=20)


def test_an_obligation_counted_from_another(world: World) -> None:
    response = login(world.member).post(
        _obligation_url(world),
        {
            "obligor_side": "enterprise",
            "kind": "production_start",
            "title": "竣工投产",
            "due_mode": "relative",
            "anchor": f"o:{world.construction.public_id}",
            "offset": "6",
            "offset_unit": "months",
        },
    )
    assert response.status_code == 302
    ob = Obligation.objects.get(title="竣工投产")
    assert ob.anchor_obligation == world.construction
    assert ob.status == ObligationStatus.PENDING
    assert ob.due_date is None


def test_an_obligation_counted_from_a_new_event(world: World) -> None:
    response = login(world.member).post(
        _obligation_url(world),
        {
            "obligor_side": "government",
            "obligor_department": str(world.city.drc.pk),
            "kind": "permit",
            "title": "核发施工许可证",
            "due_mode": "relative",
            "anchor": "new",
            "new_event_key": "permit_applied",
            "offset": "20",
            "offset_unit": "working",
        },
    )
    assert response.status_code == 302
    ob = Obligation.objects.get(title="核发施工许可证")
    assert ob.anchor_event is not None
    assert ob.anchor_event.key == "permit_applied"
    assert ob.anchor_event.occurred_on is None


def test_bad_obligations_are_form_errors_and_add_nothing(world: World) -> None:
    client = login(world.member)
    base = {"kind": "permit", "title": "无部门的义务", "due_mode": "absolute", "due_fixed": _today(5)}
    response = client.post(_obligation_url(world), {**base, "obligor_side": "government"})
    assert response.status_code == 400
    assert 'data-testid="error-obligor_department"' in response.content.decode()
    response = client.post(
        _obligation_url(world), {**base, "obligor_side": "enterprise", "due_mode": "relative"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-anchor"' in html and 'data-testid="error-offset"' in html
    assert "无部门的义务" in html
    assert not Obligation.objects.filter(title="无部门的义务").exists()
    assert login(world.city.enterprise_user).post(_obligation_url(world), base).status_code == 403


def test_a_cycle_is_refused_on_the_rule_page(world: World) -> None:
    client = login(world.member)
    client.post(
        _obligation_url(world),
        {
            "obligor_side": "enterprise",
            "kind": "production_start",
            "title": "竣工投产",
            "due_mode": "relative",
            "anchor": f"o:{world.construction.public_id}",
            "offset": "6",
            "offset_unit": "months",
        },
    )
    production = Obligation.objects.get(title="竣工投产")
    construction = Obligation.objects.get(pk=world.construction.pk)
    url = reverse("contracts:obligation_rule", args=[construction.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "revision": construction.revision,
            "due_mode": "relative",
            "anchor": f"o:{production.public_id}",
            "offset": "1",
            "offset_unit": "calendar",
            "reason": "试一试",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-anchor"' in response.content.decode()
    assert Obligation.objects.get(pk=construction.pk).anchor_obligation is None


def test_the_rule_changes_with_a_reason(world: World) -> None:
    ob = Obligation.objects.get(pk=world.construction.pk)
    url = reverse("contracts:obligation_rule", args=[ob.public_id])
    client = login(world.member)
    data = {
        "revision": ob.revision,
        "due_mode": "absolute",
        "due_fixed": _today(45),
        "offset_unit": "calendar",
    }
    missing = client.post(url, data)
    assert missing.status_code == 400
    assert 'data-testid="error-reason"' in missing.content.decode()
    response = client.post(url, {**data, "reason": "补充协议顺延"})
    assert response.status_code == 302
    ob = Obligation.objects.get(pk=ob.pk)
    assert ob.due_date == timezone.localdate() + dt.timedelta(days=45)
    assert ob.due_changes.filter(reason=DueChangeReason.RULE_CHANGED).exists()
    # The same form again, on the old revision: someone else acted.
    stale = client.post(
        url, {**data, "due_fixed": _today(50), "reason": "再次顺延"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else changed this obligation" in html
    assert "再次顺延" in html
    assert Obligation.objects.get(pk=ob.pk).due_date == timezone.localdate() + dt.timedelta(days=45)


def test_only_the_committee_changes_a_rule(world: World) -> None:
    url = reverse("contracts:obligation_rule", args=[world.construction.public_id])
    assert login(world.city.enterprise_user).get(url).status_code == 403
    assert login(world.other_enterprise_user).get(url).status_code == 404


# --- Project events ---------------------------------------------------------------------------


def _permit_after_application(world: World) -> Obligation:
    login(world.member).post(
        _obligation_url(world),
        {
            "obligor_side": "government",
            "obligor_department": str(world.city.drc.pk),
            "kind": "permit",
            "title": "核发施工许可证",
            "due_mode": "relative",
            "anchor": "new",
            "new_event_key": "permit_applied",
            "offset": "20",
            "offset_unit": "working",
        },
    )
    return Obligation.objects.get(title="核发施工许可证")


def test_the_enterprise_records_its_application_and_the_permit_gets_a_date(world: World) -> None:
    permit = _permit_after_application(world)
    url = reverse("contracts:event_record", args=[world.project.public_id])
    client = login(world.city.enterprise_user)
    page = client.get(url + "?key=permit_applied")
    assert page.status_code == 200
    assert "land_certificate" not in page.content.decode()  # not the enterprise's to record
    future = client.post(url, {"key": "permit_applied", "occurred_on": _today(3)})
    assert future.status_code == 400
    assert 'data-testid="error-occurred_on"' in future.content.decode()
    assert Obligation.objects.get(pk=permit.pk).status == ObligationStatus.PENDING
    response = client.post(url, {"key": "permit_applied", "occurred_on": _today(-1)})
    assert response.status_code == 302
    permit = Obligation.objects.get(pk=permit.pk)
    assert permit.status == ObligationStatus.OPEN
    assert permit.due_date is not None


def test_the_enterprise_may_not_record_the_committees_events(world: World) -> None:
    url = reverse("contracts:event_record", args=[world.project.public_id])
    response = login(world.city.enterprise_user).post(
        url, {"key": "land_certificate", "occurred_on": _today(-1)}
    )
    assert response.status_code == 400
    assert not ProjectEvent.objects.filter(project=world.project, key="land_certificate").exists()
    assert login(world.other_enterprise_user).get(url).status_code == 404
    assert login(world.city.city_supervisor).get(url).status_code == 403


def test_the_committee_records_and_moves_any_event(world: World) -> None:
    url = reverse("contracts:event_record", args=[world.project.public_id])
    client = login(world.member)
    response = client.post(
        url, {"key": "custom", "code": "fire_inspection", "label": "消防验收", "occurred_on": _today(-10)}
    )
    assert response.status_code == 302
    event = ProjectEvent.objects.get(project=world.project, key="fire_inspection")
    assert event.label == "消防验收"
    response = client.post(url, {"key": "fire_inspection", "occurred_on": _today(-8)})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.occurred_on == timezone.localdate() - dt.timedelta(days=8)
    assert event.label == "消防验收"


# --- Links offered to the read side's pages ---------------------------------------------------


def _links(world: World, user: Any) -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from qinqing.contracts.views.authoring import authoring_links

    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "contracts/forms/_project_links.html", authoring_links(request, world.project), request
    )


def test_the_project_links_follow_the_role(world: World) -> None:
    from qinqing.contracts.views.authoring import can_create_projects

    html = _links(world, world.member)
    assert reverse("contracts:contract_new", args=[world.project.public_id]) in html
    assert reverse("contracts:obligation_new", args=[world.contract.public_id, world.clause.pk]) in html
    html = _links(world, world.city.enterprise_user)
    assert reverse("contracts:event_record", args=[world.project.public_id]) in html
    assert reverse("contracts:contract_new", args=[world.project.public_id]) not in html
    assert _links(world, world.city.officer).strip() == ""
    assert can_create_projects(world.member)
    assert not can_create_projects(world.city.city_supervisor)


def test_a_refused_obligation_keeps_the_event_it_declared_chosen(world: World) -> None:
    response = login(world.member).post(
        _obligation_url(world),
        {
            "obligor_side": "enterprise",
            "kind": "production_start",
            "title": "投产",
            "due_mode": "relative",
            "anchor": "new",
            "new_event_key": "completion_accepted",
            "offset": "3000",
            "offset_unit": "months",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-offset"' in html
    event = ProjectEvent.objects.get(project=world.project, key="completion_accepted")
    assert f'<option value="e:{event.pk}" selected>' in html
    assert not Obligation.objects.filter(title="投产").exists()
