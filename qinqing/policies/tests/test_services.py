"""The catalogue's writes: versions, the publish transition, who may write."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import translation

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.policies.models import PolicyStatus, PolicyVersion
from qinqing.policies.rules import InvalidRule
from qinqing.policies.services import (
    current_version,
    policy_publish,
    policy_update_rule,
    policy_withdraw,
)

from .factories import make_policy
from .rules_examples import SCENIC_AWARD

FIXED = {
    "conditions": {"attr": "status", "op": "eq", "value": "active"},
    "award": {"kind": "fixed", "amount": "1000"},
}


def test_create_makes_a_draft_with_version_one_and_an_audit_event(city):
    policy = make_policy(actor=city.officer, department=city.drc)
    assert policy.status == PolicyStatus.DRAFT
    assert [(v.number, v.rule) for v in policy.versions.all()] == [(1, SCENIC_AWARD)]
    assert AuditEvent.objects.filter(action="policy.create", object_id=str(policy.pk)).count() == 1


def test_rule_edit_on_a_draft_replaces_version_one(city):
    policy = make_policy(actor=city.officer, department=city.drc)
    version = policy_update_rule(actor=city.head, policy=policy, rule=FIXED)
    assert version.number == 1
    assert list(policy.versions.values_list("number", "rule")) == [(1, FIXED)]


def test_rule_edit_on_a_published_policy_adds_a_version_and_keeps_the_old(city):
    policy = make_policy(actor=city.officer, department=city.drc, publish=True)
    version = policy_update_rule(actor=city.officer, policy=policy, rule=FIXED)
    assert version.number == 2
    assert version.published_at is not None
    assert current_version(policy) == version
    assert PolicyVersion.objects.get(policy=policy, number=1).rule == SCENIC_AWARD


def test_invalid_rule_is_refused_naming_the_faulty_part(city):
    bad = json.loads(json.dumps(SCENIC_AWARD))
    bad["award"]["tiers"][0]["amount"] = "lots"
    with pytest.raises(InvalidRule) as caught:
        make_policy(actor=city.officer, department=city.drc, rule=bad)
    assert any("tiers[0]" in path for path in caught.value.fields)
    policy = make_policy(actor=city.officer, department=city.drc)
    with pytest.raises(InvalidRule):
        policy_update_rule(actor=city.officer, policy=policy, rule={"conditions": {}})
    assert current_version(policy).rule == SCENIC_AWARD


def test_publish_moves_draft_to_published_once(city):
    policy = make_policy(actor=city.officer, department=city.drc)
    published = policy_publish(actor=city.head, policy=policy, today=dt.date(2026, 3, 1))
    assert published.status == PolicyStatus.PUBLISHED
    assert current_version(published).published_at is not None
    assert AuditEvent.objects.filter(action="policy.publish", object_id=str(policy.pk)).count() == 1
    with pytest.raises(InvalidTransition):
        policy_publish(actor=city.head, policy=policy, today=dt.date(2026, 3, 1))


def test_publish_refuses_an_ended_window(city):
    policy = make_policy(actor=city.officer, department=city.drc)
    with pytest.raises(ValidationFailed) as caught:
        policy_publish(actor=city.officer, policy=policy, today=dt.date(2027, 1, 1))
    assert "valid_until" in caught.value.fields
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_withdrawn_policy_can_neither_publish_nor_change(city):
    policy = make_policy(actor=city.officer, department=city.drc, publish=True)
    policy_withdraw(actor=city.officer, policy=policy, reason="预算用尽")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        policy_publish(actor=city.officer, policy=policy)
    with pytest.raises(InvalidTransition):
        policy_update_rule(actor=city.officer, policy=policy, rule=FIXED)


@pytest.mark.parametrize("who", ["other_officer", "supervisor", "enterprise_user", "committee_member"])
def test_only_the_issuing_department_writes(city, who):
    with pytest.raises(PermissionDenied):
        make_policy(actor=getattr(city, who), department=city.drc)
    policy = make_policy(actor=city.officer, department=city.drc)
    with pytest.raises(PermissionDenied):
        policy_update_rule(actor=getattr(city, who), policy=policy, rule=FIXED)
    with pytest.raises(PermissionDenied):
        policy_publish(actor=getattr(city, who), policy=policy, today=dt.date(2026, 3, 1))
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_admin_may_write_any_department(city):
    policy = make_policy(actor=city.admin, department=city.commerce, publish=True)
    assert policy.status == PolicyStatus.PUBLISHED


def test_duplicate_code_and_bad_fields_are_refused(city):
    make_policy(actor=city.officer, department=city.drc, code="same")
    with pytest.raises(Conflict):
        make_policy(actor=city.officer, department=city.drc, code="same")
    with pytest.raises(ValidationFailed) as caught:
        make_policy(actor=city.officer, department=city.drc, valid_until=dt.date(2025, 1, 1))
    assert "valid_until" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_policy(actor=city.officer, department=city.drc, budget_total=Decimal("-1"))
    assert "budget_total" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_policy(actor=city.officer, department=city.drc, budget_total=Decimal("1e12"))
    assert "budget_total" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_policy(actor=city.officer, department=city.drc, materials=[{"key": "licence"}])
    assert "materials[0]" in caught.value.fields
    # A type no upload could ever pass (uploads are checked by their content).
    with pytest.raises(ValidationFailed) as caught, translation.override("en"):
        make_policy(
            actor=city.officer,
            department=city.drc,
            materials=[{"key": "plan", "name": "计划书", "accepted": ["pdf", "docx", "exe"]}],
        )
    assert caught.value.fields["materials[0].accepted"] == [
        "Unknown file type docx, exe: the platform accepts pdf, png, jpg."
    ]


def test_materials_are_stored_with_defaults(city):
    policy = make_policy(
        actor=city.officer, department=city.drc, materials=[{"key": "cert", "name": "3A级景区证书"}]
    )
    assert policy.materials == [
        {"key": "cert", "name": "3A级景区证书", "required": True, "accepted": ["pdf", "jpg", "png"]}
    ]


def test_basis_link_must_be_a_web_address(city):
    with pytest.raises(ValidationFailed) as caught:
        make_policy(actor=city.officer, department=city.drc, basis_url="javascript:alert(1)")
    assert "basis_url" in caught.value.fields
    policy = make_policy(
        actor=city.officer, department=city.drc, basis_url="https://www.quanzhou.gov.cn/a.html"
    )
    assert policy.basis_url == "https://www.quanzhou.gov.cn/a.html"
