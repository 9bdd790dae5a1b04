"""What the registry tells other apps.

`enterprise_changed` is sent with `enterprise_id=<pk>` after the transaction that
created an enterprise or changed its figures or labels has committed (so a receiver may
enqueue a job that reads the new data). Bulk imports do not send it: they are followed
by a full re-match.
"""

from django.dispatch import Signal

enterprise_changed = Signal()
