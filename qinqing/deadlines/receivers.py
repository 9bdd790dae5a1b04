"""What the deadlines app does when another app tells it something (connected in
apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from qinqing.workdays.calendar import REVISION_CHECK_SECONDS

# Other processes may answer from a calendar snapshot up to REVISION_CHECK_SECONDS old:
# an item opened from such a snapshot just after the edit commits is still caught when
# the job starts only after every snapshot has expired.
RELADDER_DELAY = dt.timedelta(seconds=2 * REVISION_CHECK_SECONDS)


def calendar_changed(sender: Any, *, years: list[int], **kwargs: Any) -> None:
    """Queue the recomputation of the open items reaching into the edited years.

    Enqueued here, inside the calendar edit's transaction (not on commit): the task
    backend writes the job to the database, so the job exists exactly when the edit does.
    """
    from .tasks import reladder

    reladder.using(run_after=timezone.now() + RELADDER_DELAY).enqueue(years=list(years))
