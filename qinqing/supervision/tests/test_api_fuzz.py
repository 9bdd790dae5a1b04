"""The supervision operations fed generated input, called as a city-wide supervisor
(tests/test_api_fuzz.py calls as an administrator, whom these endpoints refuse at once):
never a 5xx, and errors keep the one error format."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application
from qinqing.accounts.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/supervision/"
)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI app must not close the test transaction's connection after a request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def supervisor_token(city, trail):
    _token, key = api_token_create(actor=city.city_supervisor, user=city.city_supervisor, name="fuzz")
    return key


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_supervision_operation_answers_5xx(db, case, supervisor_token):
    response = case.call(headers={"Authorization": f"Bearer {supervisor_token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = json.loads(response.text)
        assert set(body) == {"error"}, body
        assert {"code", "message"} <= set(body["error"]), body
