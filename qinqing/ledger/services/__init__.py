"""The ledger's services: every change of state (see `loop` for the status machine)."""

from .intake import (
    campaign_create,
    monitoring_point_appoint,
    observer_appoint,
    problem_by_receipt,
    problem_report,
    problem_report_at_point,
    walkthrough_record,
)
from .loop import (
    problem_assign,
    problem_check_withdrawal,
    problem_classify,
    problem_merge,
    problem_note,
    problem_progress,
    problem_refer,
    problem_reopen,
    problem_request_withdrawal,
    problem_return_visit,
    problem_send_back,
    problem_submit,
    problem_verify,
    problem_withdraw,
)
from .outcomes import rule_outcome_record

__all__ = [
    "campaign_create",
    "monitoring_point_appoint",
    "observer_appoint",
    "problem_assign",
    "problem_by_receipt",
    "problem_check_withdrawal",
    "problem_classify",
    "problem_merge",
    "problem_note",
    "problem_progress",
    "problem_refer",
    "problem_reopen",
    "problem_report",
    "problem_report_at_point",
    "problem_request_withdrawal",
    "problem_return_visit",
    "problem_send_back",
    "problem_submit",
    "problem_verify",
    "problem_withdraw",
    "rule_outcome_record",
    "walkthrough_record",
]
