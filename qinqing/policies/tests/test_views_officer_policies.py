"""Policy authoring by officers and heads of the issuing department: list, create and
edit a draft (each faulty JSON part named), publish, match now, a published rule edited
as a new version, withdraw; and `policy_update`, the service behind the draft's form."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.policies.models import Invitation, Policy, PolicyStatus, PolicyVersion, default_steps
from qinqing.policies.services import policy_update

from .factories import make_policy
from .rules_examples import SCENIC_AWARD
from .workflow import scenic_spot

pytestmark = pytest.mark.django_db

LIST = "/policies/office/policies/"
NEW = LIST + "new/"


def _login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def _url(policy: Policy, action: str = "") -> str:
    return f"{LIST}{policy.public_id}/" + (f"{action}/" if action else "")


def _window() -> dict[str, Any]:
    today = timezone.localdate()
    return {"valid_from": today - dt.timedelta(days=10), "valid_until": today.replace(month=12, day=31)}


def _form(city: Any, **overrides: Any) -> dict[str, Any]:
    window = _window()
    data = {
        "code": "scenic-2026",
        "department": str(city.drc.pk),
        "title": "A级旅游景区创建奖励",
        "summary": "",
        "basis_number": "泉政文〔2023〕15号",
        "basis_title": "泉州市促进文旅经济高质量发展的若干措施",
        "basis_url": "",
        "basis_text": "",
        "valid_from": window["valid_from"].isoformat(),
        "valid_until": window["valid_until"].isoformat(),
        "budget_total": "5000000",
        "cap_per_enterprise": "",
        "period_kind": "once",
        "mode": "proactive",
        "materials": "[]",
        "steps": json.dumps(default_steps()),
        "rule": json.dumps(SCENIC_AWARD, ensure_ascii=False),
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(city: Any) -> Policy:
    return make_policy(actor=city.officer, department=city.drc, title="草稿政策", **_window())


# --- Who may ------------------------------------------------------------------------------


def test_list_shows_the_departments_policies_in_every_status(client, city, draft):
    live = make_policy(actor=city.officer, department=city.drc, publish=True, title="已发布政策", **_window())
    other = make_policy(actor=city.other_officer, department=city.commerce, title="商务局政策", **_window())
    html = _login(client, city.head).get(LIST).content.decode()
    assert draft.title in html
    assert live.title in html
    assert other.title not in html
    assert live.title not in _login(client, city.other_officer).get(LIST).content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "supervisor", "admin", "committee_member"])
def test_authoring_is_refused_to_non_officials(client, city, draft, who):
    _login(client, getattr(city, who))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(_url(draft, "publish")).status_code == 403
    assert Policy.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT


def test_another_departments_officer_gets_404(client, city, draft):
    _login(client, city.other_officer)
    assert client.get(_url(draft)).status_code == 404
    assert client.get(_url(draft, "edit")).status_code == 404
    assert client.post(_url(draft, "edit"), _form(city, title="改")).status_code == 404
    assert client.post(_url(draft, "publish")).status_code == 404
    assert Policy.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT


# --- Creating and editing a draft ---------------------------------------------------------


def test_create_a_draft(client, city):
    _login(client, city.officer)
    assert 'name="rule"' in client.get(NEW).content.decode()
    response = client.post(NEW, _form(city))
    assert response.status_code == 302
    policy = Policy.objects.get(code="scenic-2026")
    assert policy.status == PolicyStatus.DRAFT
    assert policy.department == city.drc
    assert policy.versions.get().rule == SCENIC_AWARD
    assert response["Location"] == _url(policy)


def test_create_names_the_faulty_step(client, city):
    steps = default_steps()
    steps[1]["limit"] = 0
    response = _login(client, city.officer).post(
        NEW, _form(city, steps=json.dumps(steps)), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-steps"' in html
    assert "steps[1].limit" in html
    assert not Policy.objects.exists()


def test_create_names_the_faulty_part_of_the_rule(client, city):
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["conditions"]["all"][0]["op"] = "roughly"
    response = _login(client, city.officer).post(
        NEW, _form(city, rule=json.dumps(rule)), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-rule"' in html
    assert "conditions.all[0]" in html


def test_create_names_the_line_of_broken_json(client, city):
    response = _login(client, city.officer).post(
        NEW, _form(city, materials='[{"key": "a",\n "name": }]'), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-materials"' in html
    assert "line 2" in html


def test_create_for_a_department_not_ones_own_is_refused(client, city):
    response = _login(client, city.officer).post(NEW, _form(city, department=str(city.commerce.pk)))
    assert response.status_code == 400
    assert not Policy.objects.exists()


def test_duplicate_code_is_named(client, city, draft):
    response = _login(client, city.officer).post(NEW, _form(city, code=draft.code))
    assert response.status_code == 400
    assert 'data-testid="error-code"' in response.content.decode()


def test_edit_a_draft_with_all_its_parts(client, city, draft):
    _login(client, city.head)
    assert draft.basis_number in client.get(_url(draft, "edit")).content.decode()
    materials = [{"key": "grade", "name": "评定文件", "accepted": ["pdf"]}]
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["award"]["tiers"][0]["amount"] = "650000"
    data = _form(
        city, title="新标题", materials=json.dumps(materials), rule=json.dumps(rule), budget_total="800000"
    )
    response = client.post(_url(draft, "edit"), data)
    assert response.status_code == 302
    policy = Policy.objects.get(pk=draft.pk)
    assert policy.title == "新标题"
    assert policy.budget_total == Decimal("800000")
    assert policy.materials[0]["key"] == "grade"
    assert policy.versions.get().rule["award"]["tiers"][0]["amount"] == "650000"
    assert policy.code == draft.code  # the code does not change


def test_edit_names_every_faulty_part_at_once_and_saves_nothing(client, city, draft):
    steps = default_steps()
    steps[0]["role"] = "mayor"
    materials = [{"name": "无键"}]
    window = _window()
    response = _login(client, city.officer).post(
        _url(draft, "edit"),
        _form(
            city,
            title="不该保存",
            steps=json.dumps(steps),
            materials=json.dumps(materials),
            valid_until=(window["valid_from"] - dt.timedelta(days=1)).isoformat(),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "steps[0].role" in html
    assert "materials[0]" in html
    assert 'data-testid="error-valid_until"' in html
    assert Policy.objects.get(pk=draft.pk).title == draft.title


# --- Publish, match, version, withdraw ----------------------------------------------------


def test_publish_then_match_invites_the_qualifying_enterprise(client, city, draft):
    scenic_spot(city.enterprise)
    _login(client, city.officer)
    assert client.post(_url(draft, "publish")).status_code == 302
    assert Policy.objects.get(pk=draft.pk).status == PolicyStatus.PUBLISHED
    response = client.post(_url(draft, "match"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 enterprise newly invited" in response.content.decode()
    assert Invitation.objects.filter(policy=draft, enterprise=city.enterprise).count() == 1
    again = client.post(_url(draft, "match"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "0 enterprises newly invited" in again.content.decode()


def test_publishing_past_its_window_says_why(client, city):
    old = make_policy(
        actor=city.officer,
        department=city.drc,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 12, 31),
    )
    response = _login(client, city.officer).post(_url(old, "publish"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "window has already ended" in response.content.decode()
    assert Policy.objects.get(pk=old.pk).status == PolicyStatus.DRAFT


def _amend_form(policy: Policy, **overrides: Any) -> dict[str, Any]:
    """The amendment form as the page fills it, with `overrides`."""
    version = PolicyVersion.objects.filter(policy=policy).order_by("-number").first()
    assert version is not None
    data = {
        "title": policy.title,
        "summary": policy.summary,
        "basis_number": policy.basis_number,
        "basis_title": policy.basis_title,
        "basis_url": policy.basis_url,
        "basis_text": policy.basis_text,
        "valid_from": policy.valid_from.isoformat(),
        "valid_until": policy.valid_until.isoformat(),
        "budget_total": str(policy.budget_total),
        "cap_per_enterprise": "" if policy.cap_per_enterprise is None else str(policy.cap_per_enterprise),
        "materials": json.dumps(policy.materials),
        "steps": json.dumps(policy.steps),
        "rule": json.dumps(version.rule),
        "reason": "",
    }
    data.update(overrides)
    return data


def test_amending_a_published_rule_makes_a_new_version(client, city):
    live = make_policy(actor=city.officer, department=city.drc, publish=True, **_window())
    _login(client, city.officer)
    page = client.get(_url(live, "edit")).content.decode()
    assert 'name="budget_total"' in page and 'name="reason"' in page
    assert 'name="mode"' not in page and 'name="period_kind"' not in page  # fixed once published
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["award"]["tiers"][0]["amount"] = "700000"
    response = client.post(
        _url(live, "edit"), _amend_form(live, rule=json.dumps(rule), reason="提高3A奖励标准")
    )
    assert response.status_code == 302
    assert list(PolicyVersion.objects.filter(policy=live).values_list("number", flat=True)) == [2, 1]
    html = client.get(_url(live)).content.decode()
    assert html.count('data-testid="version-row"') == 2
    assert "提高3A奖励标准" in html
    bad = copy.deepcopy(rule)
    bad["award"]["kind"] = "lottery"
    response = client.post(
        _url(live, "edit"), _amend_form(live, rule=json.dumps(bad), reason="再改"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "award" in response.content.decode()
    assert PolicyVersion.objects.filter(policy=live).count() == 2


def test_withdraw(client, city, draft):
    _login(client, city.officer)
    assert client.post(_url(draft, "withdraw"), {"reason": "政策调整"}).status_code == 302
    assert Policy.objects.get(pk=draft.pk).status == PolicyStatus.WITHDRAWN
    response = client.get(_url(draft, "edit"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "withdrawn policy cannot be changed" in response.content.decode()


# --- The service ----------------------------------------------------------------------------


def test_policy_update_changes_a_draft_with_an_audit_event(city, draft):
    policy_update(actor=city.officer, policy=draft, title="改后", budget_total=Decimal("100"))
    policy = Policy.objects.get(pk=draft.pk)
    assert (policy.title, policy.budget_total) == ("改后", Decimal("100"))
    event = AuditEvent.objects.filter(action="policy.update", object_id=str(draft.pk)).get()
    assert event.after["title"] == "改后"


def test_policy_update_refuses_outsiders_published_policies_and_unknown_fields(city, draft):
    with pytest.raises(PermissionDenied):
        policy_update(actor=city.other_officer, policy=draft, title="x")
    with pytest.raises(ValidationFailed) as exc:
        policy_update(actor=city.officer, policy=draft, code="new-code")
    assert "code" in exc.value.fields
    live = make_policy(actor=city.officer, department=city.drc, publish=True, **_window())
    with pytest.raises(InvalidTransition):
        policy_update(actor=city.officer, policy=live, title="x")


def test_policy_update_checks_mode_against_the_rule(city, draft):
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["facts"] = {"export_value": "money"}
    with pytest.raises(ValidationFailed) as exc:
        policy_update(actor=city.officer, policy=draft, rule=rule)
    assert "mode" in exc.value.fields
    policy_update(actor=city.officer, policy=draft, rule=rule, mode="application")
    assert Policy.objects.get(pk=draft.pk).mode == "application"
