"""The officials' tables as Excel workbooks: the same rows and columns as the pages.

Written with the project's streaming workbook (`qinqing.common.xlsx`): cells are text,
numbers or dates, never formulas (an enterprise's name that begins with "=" stays a
name); award amounts carry the two-place money format.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from qinqing.common import xlsx

if TYPE_CHECKING:
    from qinqing.policies.models import Case, Objection

    from .officer_cases import QueueRow

# The views cap their querysets by the sheet's limit and answer with the common download.
MAX_ROWS = xlsx.MAX_ROWS
xlsx_response = xlsx.xlsx_response


def queue_workbook(rows: Iterable[QueueRow]) -> bytes:
    book = xlsx.ExcelBook()
    sheet = book.sheet(
        _("Work queue"),
        [
            (_("Case number"), 16),
            (_("Enterprise"), 36),
            (_("Policy"), 30),
            (_("Step"), 12),
            (_("Started"), 16),
            (_("Due date"), 12),
            (_("Working days left"), 10),
            (_("Assignee"), 14),
            (_("Paused"), 8),
            (_("Urgency"), 10),
        ],
    )
    labels = {"overdue": _("overdue"), "near": _("due soon"), "": ""}
    for row in rows:
        sheet.add(
            [
                row.case.reference,
                row.case.enterprise.name,
                row.case.policy.title,
                row.label,
                row.step.started_at,
                row.step.due_date,
                row.days_left,
                str(row.step.assignee) if row.step.assignee else "",
                _("yes") if row.paused else "",
                labels.get(row.urgency, ""),
            ],
        )
    return book.close_bytes()


def cases_workbook(rows: Iterable[tuple[Case, str]]) -> bytes:
    book = xlsx.ExcelBook()
    sheet = book.sheet(
        _("Cases"),
        [
            (_("Case number"), 16),
            (_("Enterprise"), 36),
            (_("Unified social credit code"), 20),
            (_("Policy"), 30),
            (_("Status"), 14),
            (_("Current step"), 12),
            (_("Award (yuan)"), 14),
            (_("Submitted"), 16),
            (_("Decided"), 16),
            (_("Paid"), 16),
        ],
    )
    for case, step in rows:
        sheet.add(
            [
                case.reference,
                case.enterprise.name,
                case.enterprise.credit_code,
                case.policy.title,
                case.get_status_display(),
                step,
                case.award,
                case.submitted_at,
                case.decided_at,
                case.paid_at,
            ],
        )
    return book.close_bytes()


def objections_workbook(rows: Iterable[tuple[Objection, int | None, str]]) -> bytes:
    """(objection, working days left, urgency) rows, as the objections page lists them."""
    book = xlsx.ExcelBook()
    sheet = book.sheet(
        _("Objections"),
        [
            (_("Case number"), 16),
            (_("Enterprise"), 36),
            (_("Policy"), 30),
            (_("Kind"), 18),
            (_("Lodged"), 16),
            (_("Grounds"), 40),
            (_("Answers for it"), 14),
            (_("Decide by"), 12),
            (_("Working days left"), 10),
            (_("Urgency"), 10),
            (_("Status"), 10),
            (_("Decided by"), 14),
            (_("Decided"), 16),
        ],
    )
    labels = {"overdue": _("overdue"), "near": _("due soon"), "": ""}
    for objection, days_left, urgent in rows:
        case = objection.case
        sheet.add(
            [
                case.reference,
                case.enterprise.name,
                case.policy.title,
                objection.get_kind_display(),
                objection.lodged_at,
                objection.text,
                str(objection.assignee) if objection.assignee else "",
                objection.due_date,
                days_left,
                labels.get(urgent, ""),
                objection.get_status_display(),
                str(objection.handled_by) if objection.handled_by else "",
                objection.handled_at,
            ],
        )
    return book.close_bytes()
