"""The policy supervision tables (and the red flags) as Excel workbooks: the same rows
as the pages, unpaged.

Written with the project's streaming workbook (`qinqing.common.xlsx`): a case number,
an enterprise's name or a comment that starts with "=" stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from qinqing.common.xlsx import ExcelBook, ExcelSheet, Percent

from .policy_cases import MAX_EXPORT_ROWS, AlertRow, CaseTimeline, CashFigures, CashReport, StepRow
from .redflags import FlagKind, FlagList, Reach


class _Book:
    """Sheets of the supervision pages' tables: header row, then the rows (capped)."""

    def __init__(self) -> None:
        self.book = ExcelBook(datetime_format="yyyy-mm-dd hh:mm:ss", max_rows=MAX_EXPORT_ROWS)

    def sheet(self, title: str, headers: list[str], widths: list[int]) -> ExcelSheet:
        return self.book.sheet(title, list(zip(headers, widths, strict=True)))

    def close(self) -> bytes:
        return self.book.close_bytes()


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
            _("Paused since"),
        ],
        [10, 18, 30, 30, 20, 14, 14, 20, 12, 10, 8, 12],
    )
    sheet.add_rows(
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
                r.paused_since,
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
    sheet.add_rows(
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
    steps.add_rows(
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
            _("Recorded action"),
            _("Changes"),
            _("Hash"),
        ],
        [8, 20, 18, 16, 22, 24, 24, 60, 66],
    )
    events.add_rows(
        (
            [
                e.event.seq if e.event.seq is not None else _("awaiting seal"),
                e.event.at,
                e.subject,
                e.readable.actor,
                e.readable.actor_organisation,
                # The label in the reader's language, the recorded name beside it to filter on.
                e.readable.action,
                e.event.action,
                "; ".join(f"{c.label}: {c.before} → {c.after}" for c in e.readable.changed_only),
                e.event.hash or "",
            ]
            for e in timeline.events
        ),
    )
    # The case number under the events, after an empty row, for whoever opens the file
    # out of context.
    footer = events.last_row + 2
    events.worksheet.write_string(footer, 0, _("Case number"), out.book.bold)
    events.worksheet.write_string(footer, 1, case.reference or str(case.public_id))
    return out.close()


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
        return [
            f.label,
            f.department,
            f.count,
            f.median_days,
            f.p90_days,
            f.within_day,
            Percent(f.share_within_day),
        ]

    for title, rows in ((_("By policy"), report.by_policy), (_("By department"), report.by_department)):
        sheet = out.sheet(title, headers, widths)
        sheet.add_rows(values(f) for f in [*rows, report.total])
    period = out.sheet(_("Reporting period"), [_("From"), _("To")], [12, 12])
    period.add_rows([[report.since, report.until]])
    return out.close()


def redflags_workbook(*, reach: Reach, counts: dict[str, int], lists: list[tuple[str, FlagList]]) -> bytes:
    """The red flags: a summary of the counts per kind with the period, then one sheet
    per kind listed, every flag of it (up to MAX_EXPORT_ROWS), by the page's columns."""
    out = _Book()
    summary = out.sheet(_("Red flags"), [_("Kind"), _("Flags")], [44, 10])
    summary.add_rows([FlagKind(kind).label, n] for kind, n in counts.items())
    summary.add_rows([[_("From"), reach.since], [_("To"), reach.until]])
    for kind, flags in lists:
        sheet = out.sheet(
            str(FlagKind(kind).label),
            [
                pgettext("red flag", "Severity"),
                _("What triggered it"),
                _("Time (Asia/Shanghai)"),
                _("Case number"),
                _("Enterprise"),
                _("Unified social credit code"),
                _("Official"),
                _("Department"),
                _("Policy"),
            ],
            [10, 80, 18, 24, 30, 22, 14, 20, 30],
        )
        sheet.add_rows(
            [
                flag.severity_label,
                flag.fact,
                flag.at,
                _(", ").join(
                    [c.label for c in flag.cases]
                    + (
                        [
                            ngettext("and %(n)s more", "and %(n)s more", flag.more_cases)
                            % {"n": flag.more_cases}
                        ]
                        if flag.more_cases
                        else []
                    )
                ),
                _(", ").join(e.name for e in flag.enterprises),
                _(", ").join(e.credit_code for e in flag.enterprises),
                flag.official,
                flag.department,
                flag.policy,
            ]
            for flag in flags
        )
    return out.close()
