"""Amending a published policy (追加预算, a longer window, a corrected text, new steps…):
`policy_amend` makes a version holding the rule and the terms with the reason; what a
published policy may not become is refused field by field; the officer's page, the API
(`PATCH`, `GET …/versions`) and the public page show every amendment and its reason.
Also the public page's clauses, steps and policies that open later."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.policies.models import Policy, PolicyMode, PolicyVersion
from qinqing.policies.services import current_version, policy_amend, policy_withdraw
from qinqing.policies.services.catalogue import policy_terms

from .factories import make_policy
from .rules_examples import CLAUSE_3A, SCENIC_AWARD

pytestmark = pytest.mark.django_db

API = "/api/v1/policies"
MATERIALS = [{"key": "licence", "name": "景区评定文件", "required": True, "accepted": ["pdf"]}]


def _window() -> dict[str, Any]:
    today = timezone.localdate()
    return {"valid_from": today - dt.timedelta(days=10), "valid_until": today + dt.timedelta(days=100)}


@pytest.fixture
def live(city: Any) -> Policy:
    return make_policy(
        actor=city.officer,
        department=city.drc,
        publish=True,
        materials=MATERIALS,
        mode=PolicyMode.APPLICATION,
        **_window(),
    )


def _fresh(policy: Policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


# --- The service ----------------------------------------------------------------------------


def test_a_budget_increase_is_a_new_version_with_its_terms_reason_and_audit_event(city, live):
    first = current_version(live)
    assert first.terms["budget_total"] == "5000000.00"  # published with its terms
    version = policy_amend(
        actor=city.officer, policy=live, reason="市财政追加预算", budget_total=Decimal("8000000")
    )
    assert version.number == 2
    assert version.note == "市财政追加预算"
    assert version.rule == first.rule
    assert version.terms == policy_terms(_fresh(live))
    assert version.terms["budget_total"] == "8000000.00"
    assert _fresh(live).budget_total == Decimal("8000000")
    first.refresh_from_db()
    assert first.terms["budget_total"] == "5000000.00"  # the older version keeps its terms
    event = AuditEvent.objects.get(action="policy.amend", object_id=str(live.pk))
    assert event.before == {"budget_total": "5000000.00", "version": 1}
    assert event.after == {"budget_total": "8000000.00", "version": 2, "reason": "市财政追加预算"}


def test_rule_and_terms_change_together(city, live):
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["award"]["tiers"][0]["amount"] = "700000"
    later = live.valid_until + dt.timedelta(days=60)
    version = policy_amend(
        actor=city.head, policy=live, reason="延长申报期并提高3A奖励", rule=rule, valid_until=later
    )
    assert (version.number, version.rule, version.terms["valid_until"]) == (2, rule, later.isoformat())
    assert _fresh(live).valid_until == later


def test_the_budget_never_falls_below_what_is_reserved(city, live):
    Policy.objects.filter(pk=live.pk).update(budget_reserved=Decimal("1200000"))
    with pytest.raises(ValidationFailed) as caught:
        policy_amend(actor=city.officer, policy=live, reason="压减预算", budget_total=Decimal("1000000"))
    assert "1200000" in caught.value.fields["budget_total"][0]
    policy_amend(actor=city.officer, policy=live, reason="压减预算", budget_total=Decimal("1200000"))
    assert _fresh(live).budget_total == Decimal("1200000")


def test_what_a_published_policy_may_not_become(city, live):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as caught:
        policy_amend(
            actor=city.officer,
            policy=live,
            reason="调整",
            valid_from=today + dt.timedelta(days=5),
            valid_until=today - dt.timedelta(days=1),
            materials=[],
        )
    fields = caught.value.fields
    assert set(fields) == {"valid_from", "valid_until", "materials"}
    assert "licence" in fields["materials"][0]
    for fixed in ({"mode": PolicyMode.PROACTIVE}, {"period_kind": "yearly"}, {"code": "x"}):
        with pytest.raises(ValidationFailed) as caught:
            policy_amend(actor=city.officer, policy=live, reason="调整", **fixed)
        assert set(caught.value.fields) == set(fixed)
    assert PolicyVersion.objects.filter(policy=live).count() == 1
    assert _fresh(live).valid_until == live.valid_until


def test_a_start_still_ahead_may_move_but_not_into_the_past(city):
    today = timezone.localdate()
    ahead = make_policy(
        actor=city.officer,
        department=city.drc,
        valid_from=today + dt.timedelta(days=20),
        valid_until=today + dt.timedelta(days=200),
    )
    from qinqing.policies.services import policy_publish

    policy_publish(actor=city.officer, policy=ahead)
    with pytest.raises(ValidationFailed) as caught:
        policy_amend(actor=city.officer, policy=ahead, reason="提前", valid_from=today - dt.timedelta(days=1))
    assert set(caught.value.fields) == {"valid_from"}
    policy_amend(actor=city.officer, policy=ahead, reason="提前", valid_from=today + dt.timedelta(days=3))
    assert _fresh(ahead).valid_from == today + dt.timedelta(days=3)


def test_materials_may_grow_and_become_optional(city, live):
    grown = [
        {**MATERIALS[0], "required": False, "accepted": ["pdf", "jpg"]},
        {"key": "photos", "name": "景区照片", "required": False, "accepted": ["jpg", "png"]},
    ]
    policy_amend(actor=city.officer, policy=live, reason="补充材料", materials=grown)
    assert [m["key"] for m in _fresh(live).materials] == ["licence", "photos"]


def test_reason_required_nothing_changed_refused(city, live):
    with pytest.raises(ValidationFailed) as caught:
        policy_amend(actor=city.officer, policy=live, reason="  ", title="新标题")
    assert set(caught.value.fields) == {"reason"}
    with pytest.raises(ValidationFailed) as caught:
        policy_amend(actor=city.officer, policy=live, reason="无变化", title=live.title)
    assert caught.value.fields == {}
    assert "Nothing" in str(caught.value.message) or "没有" in str(caught.value.message)
    assert PolicyVersion.objects.filter(policy=live).count() == 1


def test_only_a_published_policy_by_its_writers(city, live):
    draft = make_policy(actor=city.officer, department=city.drc, **_window())
    with pytest.raises(InvalidTransition):
        policy_amend(actor=city.officer, policy=draft, reason="x", title="y")
    for outsider in (city.other_officer, city.supervisor, city.enterprise_user):
        with pytest.raises(PermissionDenied):
            policy_amend(actor=outsider, policy=live, reason="x", title="y")
    policy_withdraw(actor=city.officer, policy=live)
    with pytest.raises(InvalidTransition):
        policy_amend(actor=city.officer, policy=live, reason="x", title="y")


def test_a_proactive_policy_is_matched_again(city, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    policy = make_policy(actor=city.officer, department=city.drc, publish=True, **_window())
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        policy_amend(
            actor=city.officer,
            policy=policy,
            reason="延长",
            valid_until=policy.valid_until + dt.timedelta(days=1),
        )
    job = DBTaskResult.objects.get(task_path__endswith="match_policy")
    assert job.args_kwargs["kwargs"] == {"policy_id": policy.pk}


def test_a_case_opened_before_keeps_its_steps(city, live):
    from .workflow import scenic_spot

    scenic_spot(city.enterprise)
    from qinqing.policies.models import Case

    steps = [{"key": "accept", "role": "officer", "kind": "review", "limit": 4}, *live.steps[-1:]]
    old_plan = list(live.steps)
    case = Case.objects.create(
        policy=live,
        version=current_version(live),
        enterprise=city.enterprise,
        organisation=live.department,
        period="once",
        origin="application",
        status="in_review",
        steps_plan=old_plan,
        award_computed=Decimal("600000"),
        award=Decimal("600000"),
        submitted_at=timezone.now(),
        reference="ZC-TEST-1",
    )
    policy_amend(actor=city.officer, policy=live, reason="简化流程", steps=steps)
    case.refresh_from_db()
    assert case.steps_plan == old_plan
    assert case.version.number == 1
    assert [s["key"] for s in _fresh(live).steps] == ["accept", "disburse"]


# --- The officer's page and the public page -------------------------------------------------


def test_public_page_shows_clauses_steps_and_amendments(client, city, live):
    policy_amend(actor=city.officer, policy=live, reason="市财政追加预算", budget_total=Decimal("8000000"))
    html = client.get(f"/policies/{live.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert CLAUSE_3A["text"] in html  # the clause beside its condition
    assert html.count('data-testid="clause"') == 2
    assert "2 个工作日" in html or "2 working day" in html  # 受理 within 2 working days
    assert html.count('data-testid="amendments"') == 1
    assert "市财政追加预算" in html
    assert "资金总额" in html  # what changed, in words


def test_a_policy_opening_later_is_announced_not_open(client, city):
    today = timezone.localdate()
    ahead = make_policy(
        actor=city.officer,
        department=city.drc,
        valid_from=today + dt.timedelta(days=20),
        valid_until=today + dt.timedelta(days=200),
    )
    from qinqing.policies.services import policy_publish

    policy_publish(actor=city.officer, policy=ahead)
    listing = client.get("/policies/").content.decode()
    assert f'data-testid="upcoming-{ahead.code}"' in listing
    detail = client.get(f"/policies/{ahead.public_id}/")
    assert detail.status_code == 200
    assert 'data-testid="opens-later"' in detail.content.decode()
    assert client.get(f"{API}/{ahead.public_id}").json()["code"] == ahead.code
    assert ahead.public_id not in [p["public_id"] for p in client.get(f"{API}/").json()]
    client.force_login(city.enterprise_user)
    assert client.get(f"/policies/{ahead.public_id}/apply/").status_code == 404


def test_amendment_page_keeps_what_was_typed_on_error(client, city, live):
    from .test_views_officer_policies import _amend_form

    client.force_login(city.officer)
    url = f"/policies/office/policies/{live.public_id}/edit/"
    response = client.post(url, _amend_form(live, budget_total="9000000"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the policy changes" in html
    assert 'value="9000000"' in html
    response = client.post(url, _amend_form(live, budget_total="9000000", reason="追加预算"))
    assert response.status_code == 302
    assert _fresh(live).budget_total == Decimal("9000000")
    page = client.get(f"/policies/office/policies/{live.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "追加预算" in page.content.decode()


# --- The API --------------------------------------------------------------------------------


def test_api_patch_edits_a_draft_and_amends_a_published_policy(client, city, live):
    draft = make_policy(actor=city.officer, department=city.drc, **_window())
    client.force_login(city.officer)
    response = client.patch(
        f"{API}/{draft.public_id}", {"title": "改后的草稿"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "改后的草稿"
    assert PolicyVersion.objects.filter(policy=draft).count() == 1

    response = client.patch(
        f"{API}/{live.public_id}", {"budget_total": "9000000.00"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = client.patch(
        f"{API}/{live.public_id}", {"mode": "proactive", "reason": "改"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "mode" in response.json()["error"]["fields"]
    response = client.patch(
        f"{API}/{live.public_id}", {"valid_until": None, "reason": "改"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "valid_until" in response.json()["error"]["fields"]
    response = client.patch(
        f"{API}/{live.public_id}",
        {"budget_total": "9000000.00", "cap_per_enterprise": "800000.00", "reason": "追加预算"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["budget_total"]) == (2, "9000000.00")
    response = client.patch(
        f"{API}/{live.public_id}",
        {"cap_per_enterprise": None, "reason": "取消上限"},
        content_type="application/json",
    )
    assert response.json()["cap_per_enterprise"] is None
    assert response.json()["version"] == 3

    client.force_login(city.other_officer)
    response = client.patch(
        f"{API}/{live.public_id}", {"title": "x", "reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_api_versions_public_and_for_officials(client, city, live):
    policy_amend(actor=city.officer, policy=live, reason="追加预算", budget_total=Decimal("8000000"))
    body = client.get(f"{API}/{live.public_id}/versions").json()
    assert [v["number"] for v in body] == [2, 1]
    assert body[0]["current"] is True and body[1]["current"] is False
    assert body[0]["reason"] == "追加预算"
    assert body[0]["changed"] == ["budget_total"]
    assert body[1]["changed"] == []
    assert body[0]["terms"]["budget_total"] == "8000000.00"
    assert body[0]["created_by"] is None  # not to the public
    client.force_login(city.officer)
    assert client.get(f"{API}/{live.public_id}/versions").json()[0]["created_by"] == str(city.officer)
    draft = make_policy(actor=city.officer, department=city.drc, **_window())
    client.logout()
    assert client.get(f"{API}/{draft.public_id}/versions").status_code == 404


def test_a_rule_put_on_a_published_policy_is_a_version_with_its_reason(client, city, live):
    """`PUT …/rule` and the amendment make versions the same way (with the terms and
    the reason)."""
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["award"]["tiers"][0]["amount"] = "650000"
    client.force_login(city.officer)
    response = client.put(
        f"{API}/{live.public_id}/rule",
        {"rule": rule, "reason": "调整3A奖励"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    version = current_version(_fresh(live))
    assert (version.number, version.note, version.terms) == (2, "调整3A奖励", policy_terms(_fresh(live)))
