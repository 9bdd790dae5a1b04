"""Every operation of the OpenAPI document, fed generated input by schemathesis and
called as an administrator: whatever arrives, the answer is never a 5xx, and errors
keep the one error format. (Supervision's operations, which refuse an administrator at
once, are fuzzed as a supervisor in qinqing/supervision/tests/test_api_fuzz.py.)"""

from __future__ import annotations

import pytest
import schemathesis

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection

# Loading the document is one anonymous request; it touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


@pytest.fixture
def admin_token(city):
    _token, key = api_token_create(actor=city.admin, user=city.admin, name="fuzz")
    return key


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_5xx(db, case, admin_token):
    call_and_check(case, admin_token)
