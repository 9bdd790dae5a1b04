"""The policies API: public reads, department writes (allowed and denied)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.policies.models import Policy, PolicyStatus

from .factories import make_policy
from .rules_examples import SCENIC_AWARD

BASE = "/api/v1/policies"
FIXED = {
    "conditions": {"attr": "status", "op": "eq", "value": "active"},
    "award": {"kind": "fixed", "amount": "1000"},
}


@pytest.fixture
def window():
    today = timezone.localdate()
    return {"valid_from": today - dt.timedelta(days=30), "valid_until": today + dt.timedelta(days=300)}


def _payload(**overrides):
    today = timezone.localdate()
    body = {
        "department": "drc",
        "code": "scenic",
        "title": "A级旅游景区创建奖励",
        "basis_number": "泉政文〔2023〕15号",
        "basis_title": "若干措施",
        "valid_from": str(today),
        "valid_until": str(today + dt.timedelta(days=100)),
        "budget_total": "5000000.00",
        "rule": SCENIC_AWARD,
    }
    body.update(overrides)
    return body


def test_public_list_and_detail_need_no_login(client, city, window):
    live = make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    draft = make_policy(actor=city.officer, department=city.drc, **window)
    body = client.get(f"{BASE}/").json()
    assert [p["public_id"] for p in body] == [str(live.public_id)]
    assert body[0]["department"] == "市发改委"
    assert body[0]["version"] == 1
    assert len(body[0]["award_lines"]) == 3
    assert client.get(f"{BASE}/{live.public_id}").json()["code"] == live.code
    response = client.get(f"{BASE}/{draft.public_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_officer_sees_own_draft(client, city, window):
    draft = make_policy(actor=city.officer, department=city.drc, **window)
    client.force_login(city.officer)
    assert client.get(f"{BASE}/{draft.public_id}").json()["status"] == "draft"
    client.force_login(city.other_officer)
    assert client.get(f"{BASE}/{draft.public_id}").status_code == 404


def test_officer_creates_edits_and_publishes(client, city):
    client.force_login(city.officer)
    response = client.post(f"{BASE}/", _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    public_id = response.json()["public_id"]
    response = client.put(f"{BASE}/{public_id}/rule", {"rule": FIXED}, content_type="application/json")
    assert response.json()["version"] == 1
    assert response.json()["rule"] == FIXED
    response = client.post(f"{BASE}/{public_id}/publish")
    assert response.json()["status"] == "published"
    response = client.put(f"{BASE}/{public_id}/rule", {"rule": SCENIC_AWARD}, content_type="application/json")
    assert response.json()["version"] == 2


def test_invalid_rule_gets_a_400_naming_the_part(client, city):
    client.force_login(city.officer)
    bad = {"conditions": SCENIC_AWARD["conditions"], "award": {"kind": "tiered", "label": "scenic_grade"}}
    response = client.post(f"{BASE}/", _payload(rule=bad), content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rule"
    assert any(path.startswith("award") for path in error["fields"])
    assert not Policy.objects.exists()


@pytest.mark.parametrize("who", ["other_officer", "supervisor", "enterprise_user"])
def test_others_cannot_write(client, city, who):
    client.force_login(getattr(city, who))
    response = client.post(f"{BASE}/", _payload(), content_type="application/json")
    assert response.status_code == 403
    policy = make_policy(actor=city.officer, department=city.drc)
    response = client.put(f"{BASE}/{policy.public_id}/rule", {"rule": FIXED}, content_type="application/json")
    assert response.status_code in {403, 404}
    assert client.post(f"{BASE}/{policy.public_id}/publish").status_code in {403, 404}
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_anonymous_cannot_write(client, city):
    assert client.post(f"{BASE}/", _payload(), content_type="application/json").status_code == 401


def test_withdraw_allowed_and_denied(client, city, window):
    policy = make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    client.force_login(city.other_officer)
    url = f"{BASE}/{policy.public_id}/withdraw"
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    client.force_login(city.head)
    response = client.post(url, {"reason": "预算用尽"}, content_type="application/json")
    assert response.json()["status"] == "withdrawn"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert client.get(f"{BASE}/").json() == []
