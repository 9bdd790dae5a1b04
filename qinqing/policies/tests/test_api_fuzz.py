"""The policy operations fed generated input by schemathesis, called as the enterprise's
user and as an officer of the issuing department (the root tests/test_api_fuzz.py calls
as an administrator, whom most case operations refuse at once). Path parameters that
name a record are pointed at real ones, so the bodies reach the services: whatever
arrives, never a 5xx, and errors keep the one error format."""

from __future__ import annotations

import io
from typing import Any

import pytest
import schemathesis
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection
from qinqing.policies.models import CaseMaterial, PolicyMode
from qinqing.policies.services.cases import (
    case_apply,
    case_approve,
    case_reject,
    invitation_confirm,
    objection_lodge,
)

from .factories import make_policy
from .workflow import THREE_STEPS, World

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/policies/"
)
# Each audience's operations as the user they are for (the others refuse at once).
ENTERPRISE_OPS = r"^/api/v1/policies/(mine/|notices|\{public_id\}/(apply|explain))"
enterprise_schema = schema.include(path_regex=ENTERPRISE_OPS)
officer_schema = schema.exclude(path_regex=r"^/api/v1/policies/(mine/|\{public_id\}/apply)")

_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)

# Fewer examples than the shared settings: the root run already gives every operation
# its 25, as an administrator; these runs add the state behind the real records.
AS_USERS = hypothesis_settings(FUZZ_SETTINGS, max_examples=15)

RD_RULE: dict[str, Any] = {
    "facts": {"rd_expense": "money"},
    "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
    "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1", "cap": "500000"},
}


@pytest.fixture
def records(world: World, file_storage: Any) -> dict[str, str]:
    """A case at each interesting point: one in review with a material, one rejected
    with an objection; their ids stand in for the generated ones."""
    rd = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        rule=RD_RULE,
        mode=PolicyMode.APPLICATION,
        steps=THREE_STEPS,
        materials=[{"key": "audit", "name": "审计报告", "accepted": ["pdf"]}],
        valid_until=world.policy.valid_until,
    )
    upload = io.BytesIO(b"%PDF-1.7\n%%EOF\n")
    upload.name = "audit.pdf"
    applied = case_apply(
        actor=world.spot_user,
        policy=rd,
        enterprise=world.spot,
        facts={"rd_expense": "1000"},
        files={"audit": [upload]},
    )
    invitation = world.invite()
    confirmed = invitation_confirm(actor=world.spot_user, invitation=invitation)
    confirmed = case_approve(actor=world.officer_b, case=confirmed)
    rejected = case_reject(actor=world.head, case=confirmed, reason="评定文件不全")
    objection = objection_lodge(actor=world.spot_user, case=rejected, text="已公布")
    return {
        "case_id": str(applied.public_id),
        "material_id": str(CaseMaterial.objects.get(case=applied).public_id),
        "invitation_id": str(invitation.public_id),
        "objection_id": str(objection.public_id),
        "public_id": str(rd.public_id),
        "enterprise_id": str(world.spot.public_id),
    }


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    out = {}
    for name, user in (("enterprise", world.spot_user), ("officer", world.officer)):
        _t, out[name] = api_token_create(actor=user, user=user, name="fuzz")
    return out


def _pointed(case: Any, records: dict[str, str]) -> Any:
    for name in list(case.path_parameters or {}):
        if name in records:
            case.path_parameters[name] = records[name]
    return case


@enterprise_schema.parametrize()
@AS_USERS
def test_no_policy_operation_answers_5xx_to_the_enterprise(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["enterprise"])


@officer_schema.parametrize()
@AS_USERS
def test_no_policy_operation_answers_5xx_to_an_officer(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["officer"])
