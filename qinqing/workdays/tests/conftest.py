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
