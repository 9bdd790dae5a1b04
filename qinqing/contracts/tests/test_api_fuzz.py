"""The contract operations fed generated input by schemathesis, called as the zone's
committee member, as the enterprise's user and as a supervisor (the root
tests/test_api_fuzz.py calls as an administrator, whom every write refuses at once).
Path parameters that name a record are pointed at real ones (a project, its contract,
an overdue obligation with an alarm answered by a plan, another with a claim and its
evidence), so the bodies reach the services: whatever arrives, never a 5xx, and
errors keep the one error format."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection
from qinqing.contracts import services
from qinqing.contracts.models import ClaimEvidence

from .test_api_world import World, fire_alarm, pdf, world

__all__ = ["world"]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/contracts/"
)

_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)

# Fewer examples than the shared settings: three users, and the root run gives every
# operation its 25 as an administrator.
AS_USERS = hypothesis_settings(FUZZ_SETTINGS, max_examples=10)


@pytest.fixture
def records(world: World) -> dict[str, str]:
    import datetime as dt

    from django.utils import timezone

    fire_alarm(world.permit)
    plan = services.plan_submit(
        actor=world.city.officer,
        obligation=world.permit,
        cause="材料待补",
        remedy="专人督办",
        proposed_date=timezone.localdate() + dt.timedelta(days=20),
    )
    claim = services.obligation_claim(
        actor=world.city.enterprise_user,
        obligation=world.construction,
        met_on=timezone.localdate(),
        note="已开工",
        files=[pdf()],
    )
    return {
        "project_id": str(world.project.public_id),
        "contract_id": str(world.contract.public_id),
        "obligation_id": str(world.investment.public_id),
        "claim_id": str(claim.public_id),
        "plan_id": str(plan.public_id),
        "evidence_id": str(ClaimEvidence.objects.get(claim=claim).public_id),
    }


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    out = {}
    for name, user in (
        ("committee", world.member),
        ("enterprise", world.city.enterprise_user),
        ("supervisor", world.city.city_supervisor),
    ):
        _t, out[name] = api_token_create(actor=user, user=user, name="fuzz")
    return out


def _pointed(case: Any, records: dict[str, str]) -> Any:
    for name in list(case.path_parameters or {}):
        if name in records:
            case.path_parameters[name] = records[name]
    return case


@schema.parametrize()
@AS_USERS
def test_no_contract_operation_answers_5xx_to_the_committee(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["committee"])


@schema.parametrize()
@AS_USERS
def test_no_contract_operation_answers_5xx_to_the_enterprise(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["enterprise"])


@schema.parametrize()
@AS_USERS
def test_no_contract_operation_answers_5xx_to_a_supervisor(db, case, records, tokens):
    response = call_and_check(_pointed(case, records), tokens["supervisor"])
    if case.method.upper() not in {"GET", "HEAD", "OPTIONS"}:
        assert response.status_code >= 400, f"{case.method} {case.formatted_path} let a supervisor write"
