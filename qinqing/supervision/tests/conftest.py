"""Fixtures of the supervision tests: audit files in a temporary folder, and a few
audit events in different parts of the organisation tree."""

from __future__ import annotations

import pytest
from django.db import transaction

from qinqing.audit.services import audit_record, audit_seal_pending
from qinqing.policies.tests.workflow import world  # noqa: F401 - fixture

from .policy_world import cash_world, two_cases  # noqa: F401 - fixtures
from .redflag_world import flag_world  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit.key"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit" / "checkpoints.jsonl"


def record(
    *, organisation, object_type="policies.application", object_id="1", actor=None, action="x", **data
):
    with transaction.atomic():
        event = audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            organisation=organisation,
            before=data.get("before"),
            after=data.get("after"),
        )
    audit_seal_pending()
    return event


@pytest.fixture
def trail(city):
    """A record at the group's department (市发改委) with three steps, one at another
    department (市商务局), and one event that belongs to no organisation."""
    return {
        "drc": [
            record(organisation=city.drc, object_id="7", actor=city.officer, action="application.submit",
                   after={"status": "submitted", "amount": "600000.00"}),
            record(organisation=city.drc, object_id="7", actor=city.officer, action="application.review",
                   before={"status": "submitted"}, after={"status": "reviewed", "note": "=HYPERLINK(\"x\")"}),
            record(organisation=city.drc, object_id="7", actor=city.head, action="application.approve",
                   before={"status": "reviewed"}, after={"status": "approved"}),
        ],
        "commerce": record(organisation=city.commerce, object_id="8", actor=city.other_officer,
                           action="application.submit", after={"status": "submitted"}),
        "nowhere": record(organisation=None, object_type="accounts.user", object_id="99",
                          action="user.create", after={"username": "new"}),
    }  # fmt: skip
