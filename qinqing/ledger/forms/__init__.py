"""The forms of the problem ledger's loop: reporting (logged in, through a monitoring
point's link), following by receipt, and each action on a problem.

Forms only parse input; the services decide. `apply_errors` puts a service's error on
the form: each fault under the field it names, anything else above the form.
"""

from .actions import (
    AssignForm,
    CheckWithdrawalForm,
    ClassifyForm,
    MergeForm,
    NoteForm,
    OptionalReasonForm,
    ProgressForm,
    ReasonForm,
    ReferForm,
    ReturnVisitForm,
    SubmitForm,
    VerifyForm,
)
from .base import EVIDENCE_ACCEPT, FIELD_ALIASES, apply_errors
from .intake import FollowForm, PointReportForm, ReceiptReopenForm, ReceiptVisitForm, ReportForm

__all__ = [
    "EVIDENCE_ACCEPT",
    "FIELD_ALIASES",
    "AssignForm",
    "CheckWithdrawalForm",
    "ClassifyForm",
    "FollowForm",
    "ReceiptReopenForm",
    "ReceiptVisitForm",
    "MergeForm",
    "NoteForm",
    "OptionalReasonForm",
    "PointReportForm",
    "ProgressForm",
    "ReasonForm",
    "ReferForm",
    "ReportForm",
    "ReturnVisitForm",
    "SubmitForm",
    "VerifyForm",
    "apply_errors",
]
