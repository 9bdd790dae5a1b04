"""What the calendar tells the apps that store dates computed from it.

`calendar_changed` is sent by every calendar edit (services.py), inside the edit's
transaction, with `years` (the calendar years whose answers may have changed, sorted)
and `revision` (the calendar revision the edit produced). Receivers enqueue their
recomputation there: with the database task backend the job row commits or rolls back
with the edit, so an edit is never left without its recomputation, nor a job without
its edit. Receivers must not do the recomputation itself in the edit's transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

calendar_changed = Signal()
