"""The officials' tables as Excel workbooks: the same rows and columns as the pages.

Cells are written as text or numbers, never as formulas: an enterprise's name that
begins with "=" stays a name (strings_to_formulas off).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import xlsxwriter  # type: ignore[import-untyped]
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from qinqing.policies.models import Case

    from .officer_cases import QueueRow

MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Sheet:
    def __init__(self, title: str, headers: Sequence[tuple[str, int]]) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False}
        )
        self.sheet = self.book.add_worksheet(title[:31])
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.stamp = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        bold = self.book.add_format({"bold": True})
        for col, (title_, width) in enumerate(headers):
            self.sheet.set_column(col, col, width)
            self.sheet.write_string(0, col, title_, bold)
        self.sheet.freeze_panes(1, 0)

    def row(self, n: int, values: Iterable[Any]) -> None:
        for col, value in enumerate(values):
            if value is None or value == "":
                self.sheet.write_blank(n, col, None)
            elif isinstance(value, dt.datetime):
                local = timezone.localtime(value).replace(tzinfo=None)
                self.sheet.write_datetime(n, col, local, self.stamp)
            elif isinstance(value, dt.date):
                self.sheet.write_datetime(n, col, dt.datetime.combine(value, dt.time()), self.date)  # noqa: DTZ001
            elif isinstance(value, _Money):
                self.sheet.write_number(n, col, float(value.amount), self.money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                self.sheet.write_number(n, col, value)
            else:
                self.sheet.write_string(n, col, str(value))

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


class _Money:
    """A yuan amount for a money cell (Excel holds it as a number with two places)."""

    def __init__(self, amount: Any) -> None:
        self.amount = amount


def queue_workbook(rows: Iterable[QueueRow]) -> bytes:
    sheet = _Sheet(
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
    for n, row in enumerate(rows, start=1):
        sheet.row(
            n,
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
    return sheet.close()


def cases_workbook(rows: Iterable[tuple[Case, str]]) -> bytes:
    sheet = _Sheet(
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
    for n, (case, step) in enumerate(rows, start=1):
        sheet.row(
            n,
            [
                case.reference,
                case.enterprise.name,
                case.enterprise.credit_code,
                case.policy.title,
                case.get_status_display(),
                step,
                _Money(case.award),
                case.submitted_at,
                case.decided_at,
                case.paid_at,
            ],
        )
    return sheet.close()
