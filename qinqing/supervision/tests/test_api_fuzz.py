"""The supervision operations fed generated input, called as a city-wide supervisor
(tests/test_api_fuzz.py calls as an administrator, whom these endpoints refuse at once):
never a 5xx, and errors keep the one error format."""

from __future__ import annotations

import pytest
import schemathesis

from config.wsgi import application
from qinqing.accounts.services import api_token_create
from qinqing.common.testing.api_fuzz import FUZZ_SETTINGS, call_and_check, keep_test_connection

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/supervision/"
)


_keep_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


@pytest.fixture
def supervisor_token(city, trail):
    _token, key = api_token_create(actor=city.city_supervisor, user=city.city_supervisor, name="fuzz")
    return key


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_supervision_operation_answers_5xx(db, case, supervisor_token):
    call_and_check(case, supervisor_token)
