"""The ledger's operations fed generated input by schemathesis, called as the enterprise
that reported, as the responsible department's officer and as the supervising group
(the root tests/test_api_fuzz.py calls every operation as an administrator, whom the
ledger refuses at once). Path parameters that name a record are pointed at real ones (a
problem submitted with evidence, a topic campaign, a walk-through, an evidence file, a
monitoring point's link), so the bodies reach the services: whatever arrives, never a
5xx, and errors keep the one error format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection
from qinqing.ledger import services
from qinqing.ledger.models import Category, ProblemFile

from .conftest import World, assigned, pdf

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/ledger/"
)

_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)

# Fewer examples than the shared settings: three users, and the root run gives every
# operation its 25 as an administrator.
AS_USERS = hypothesis_settings(FUZZ_SETTINGS, max_examples=10)


@pytest.fixture
def records(ledger: World) -> dict[str, str]:
    c = ledger.city
    problem = assigned(ledger)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已整改", files=[pdf()])
    walk = services.walkthrough_record(
        actor=c.head,
        department=c.drc,
        process_name="企业投资项目备案",
        walked_on=timezone.localdate() - dt.timedelta(days=1),
        steps=[{"name": "窗口受理", "minutes": 30}],
        problems=[
            {
                "title": "取号机故障",
                "description": "经常故障",
                "category": Category.GOVERNMENT,
                "deadline_days": 5,
            }
        ],
    )
    return {
        "problem_id": str(problem.public_id),
        "campaign_id": str(ledger.topic_campaign.public_id),
        "walk_id": str(walk.public_id),
        "file_id": str(
            ProblemFile.objects.filter(problem=problem).values_list("public_id", flat=True).first()
        ),
        "token": ledger.point.token,
    }


@pytest.fixture
def tokens(ledger: World) -> dict[str, str]:
    c = ledger.city
    out = {}
    for name, user in (("enterprise", c.enterprise_user), ("officer", c.officer), ("group", c.supervisor)):
        _t, out[name] = api_token_create(actor=user, user=user, name="fuzz")
    return out


def _pointed(case: Any, records: dict[str, str]) -> Any:
    for name in list(case.path_parameters or {}):
        if name in records:
            case.path_parameters[name] = records[name]
    return case


@schema.parametrize()
@AS_USERS
def test_no_ledger_operation_answers_5xx_to_the_enterprise(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["enterprise"])


@schema.parametrize()
@AS_USERS
def test_no_ledger_operation_answers_5xx_to_the_department(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["officer"])


@schema.parametrize()
@AS_USERS
def test_no_ledger_operation_answers_5xx_to_the_supervising_group(db, case, records, tokens):
    call_and_check(_pointed(case, records), tokens["group"])
