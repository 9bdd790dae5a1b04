"""What the contracts app does when another app tells it something (connected in
apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from qinqing.workdays.calendar import REVISION_CHECK_SECONDS

# As the deadlines' reladder: start once every process's calendar snapshot has expired.
REDATE_DELAY = dt.timedelta(seconds=2 * REVISION_CHECK_SECONDS)


def calendar_changed(sender: Any, *, years: list[int], **kwargs: Any) -> None:
    """Queue the recomputation of due dates counted in working days across the edited
    years, inside the calendar edit's transaction (the job exists exactly when the edit
    does). The deadlines' own reladder then sees the moved dates' fresh rungs."""
    from .tasks import redate_working_days

    redate_working_days.using(run_after=timezone.now() + REDATE_DELAY).enqueue(years=list(years))
