from __future__ import annotations

import pytest

from qinqing.workdays import calendar
from qinqing.workdays.testing import ensure_official_calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test sees the database it set up, not a snapshot cached by an earlier test.
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def official_calendar(db):
    """The seeded 2020-2026 calendar, restored if a transactional test flushed it."""
    ensure_official_calendar()


@pytest.fixture
def flushable_audit(transactional_db):
    """A transactional test ends with a flush of every table, which the audit trail's
    append-only guards refuse: lift them just before (the flush's post_migrate signal
    puts them back, see qinqing.audit.apps)."""
    yield
    lift_audit_guards()


def lift_audit_guards():
    from django.db import connection

    from qinqing.audit.guards import suspend_statements

    with connection.cursor() as cursor:
        for sql in suspend_statements(connection.vendor):
            cursor.execute(sql)
