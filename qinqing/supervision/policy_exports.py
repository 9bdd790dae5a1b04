"""The policy supervision tables as Excel workbooks: the same rows as the pages, unpaged.

XlsxWriter with `strings_to_formulas` off: a case number, an enterprise's name or a
comment that starts with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from .policy_cases import MAX_EXPORT_ROWS, AlertRow, CaseTimeline, CashFigures, CashReport, StepRow
from .selectors import SHANGHAI

OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class _Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, OPTIONS)
        self.bold = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.time = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.percent = self.book.add_format({"num_format": "0.0%"})

    def sheet(self, title: str, headers: list[str], widths: list[int]) -> Any:
        sheet = self.book.add_worksheet(title[:31])
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.set_column(col, col, width)
            sheet.write(0, col, header, self.bold)
        sheet.freeze_panes(1, 0)
        return sheet

    def cell(self, sheet: Any, row: int, col: int, value: Any) -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        elif isinstance(value, dt.datetime):
            local = value.astimezone(SHANGHAI).replace(tzinfo=None)
            sheet.write_datetime(row, col, local, self.time)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.date)  # noqa: DTZ001 - a calendar date
        elif isinstance(value, bool):
            sheet.write_string(row, col, _("yes") if value else "")
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value)
        else:
            sheet.write_string(row, col, str(value))

    def rows(self, sheet: Any, rows: Iterable[list[Any]]) -> None:
        for n, values in enumerate(rows, start=1):
            if n > MAX_EXPORT_ROWS:
                break
            for col, value in enumerate(values):
                self.cell(sheet, n, col, value)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def overdue_workbook(rows: Iterable[StepRow]) -> bytes:
    out = _Book()
    sheet = out.sheet(
        _("Late steps"),
        [
            _("State"),
            _("Case number"),
            _("Policy"),
            _("Enterprise"),
            _("Department"),
            _("Step"),
            _("Assignee"),
            _("Started at"),
            _("Due date"),
            _("Working days overdue"),
            _("Paused"),
        ],
        [10, 18, 30, 30, 20, 14, 14, 20, 12, 10, 8],
    )
    out.rows(
        sheet,
        (
            [
                r.state_label,
                r.case.reference or str(r.case.public_id),
                r.case.policy.title,
                r.case.enterprise.name,
                r.case.organisation.name,
                r.step_label,
                str(r.step.assignee) if r.step.assignee else "",
                r.step.started_at,
                r.step.due_date,
                r.days_overdue,
                r.paused,
            ]
            for r in rows
        ),
    )
    return out.close()


def alerts_workbook(rows: Iterable[AlertRow]) -> bytes:
    out = _Book()
    sheet = out.sheet(
        _("Alerts"),
        [
            _("Rung"),
            _("Case number"),
            _("Policy"),
            _("Enterprise"),
            _("Department"),
            _("Step"),
            _("Owner"),
            _("Due date"),
            _("Rung date"),
            _("Fired at"),
            _("Step ended at"),
        ],
        [10, 18, 30, 30, 20, 14, 14, 12, 12, 20, 20],
    )
    out.rows(
        sheet,
        (
            [
                r.rung_label,
                (r.case.reference or str(r.case.public_id)) if r.case else str(r.alert.deadline),
                r.case.policy.title if r.case else "",
                r.case.enterprise.name if r.case else "",
                r.alert.deadline.organisation.name,
                r.step_label,
                str(r.alert.deadline.owner) if r.alert.deadline.owner else "",
                r.alert.due_date,
                r.alert.rung_on,
                r.alert.fired_at,
                r.step.ended_at if r.step else None,
            ]
            for r in rows
        ),
    )
    return out.close()


def case_timeline_workbook(timeline: CaseTimeline) -> bytes:
    out = _Book()
    case = timeline.case
    steps = out.sheet(
        _("Steps"),
        [
            _("Step"),
            _("Attempt"),
            _("Started at"),
            _("Due date"),
            _("Finished at"),
            _("Outcome"),
            _("Assignee"),
            _("Decided by"),
        ],
        [16, 8, 20, 12, 20, 10, 14, 14],
    )
    out.rows(
        steps,
        (
            [
                timeline.step_names.get(s.pk, s.key),
                s.attempt,
                s.started_at,
                s.due_date,
                s.ended_at,
                s.get_outcome_display() if s.outcome else "",
                str(s.assignee) if s.assignee else "",
                str(s.actor) if s.actor else "",
            ]
            for s in timeline.steps
        ),
    )
    events = out.sheet(
        _("Events"),
        [
            _("No."),
            _("Time (Asia/Shanghai)"),
            _("About"),
            _("Actor"),
            _("Organisation"),
            _("Action"),
            _("Changes"),
            _("Hash"),
        ],
        [8, 20, 18, 16, 22, 24, 60, 66],
    )
    out.rows(
        events,
        (
            [
                e.event.seq if e.event.seq is not None else _("awaiting seal"),
                e.event.at,
                e.subject,
                e.event.actor_label,
                e.event.organisation.name if e.event.organisation else "",
                e.event.action,
                "; ".join(f"{c.field}: {_text(c.before)} → {_text(c.after)}" for c in e.entry.changed_only),
                e.event.hash or "",
            ]
            for e in timeline.events
        ),
    )
    events.write_string(len(timeline.events) + 2, 0, _("Case number"), out.bold)
    events.write_string(len(timeline.events) + 2, 1, case.reference or str(case.public_id))
    return out.close()


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def cash_workbook(report: CashReport) -> bytes:
    out = _Book()
    headers = [
        _("Name"),
        _("Department"),
        _("Paid cases"),
        _("Median (days)"),
        _("90th percentile (days)"),
        _("Paid within 1 day"),
        _("Share paid within 1 day"),
    ]
    widths = [36, 22, 10, 12, 12, 12, 12]

    def values(f: CashFigures) -> list[Any]:
        return [f.label, f.department, f.count, f.median_days, f.p90_days, f.within_day, f.share_within_day]

    for title, rows in ((_("By policy"), report.by_policy), (_("By department"), report.by_department)):
        sheet = out.sheet(title, headers, widths)
        out.rows(sheet, (values(f) for f in [*rows, report.total]))
        sheet.set_column(6, 6, 12, out.percent)
    period = out.sheet(_("Reporting period"), [_("From"), _("To")], [12, 12])
    out.rows(period, [[report.since, report.until]])
    return out.close()
