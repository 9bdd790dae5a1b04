"""The integrity operations fed generated input, called as an official (the root
tests/test_api_fuzz.py calls as an administrator, whom the official's endpoints refuse
at once): never a 5xx, and errors keep the one error format."""

from __future__ import annotations

import pytest
import schemathesis

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/integrity/"
)

_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


@pytest.fixture
def officer_token(city, declared):
    _token, key = api_token_create(actor=city.officer, user=city.officer, name="fuzz")
    return key


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_integrity_operation_answers_5xx(db, case, officer_token):
    call_and_check(case, officer_token)
