"""The reports' files: the same tables and charts, from the stored figures, as an Excel
workbook (qinqing.common.xlsx: one sheet per table and a summary sheet with a native
chart) and as a PDF (qinqing.common.pdf: cover, headline sentences, SVG charts from
qinqing.common.svgcharts, tables). Both are written from `figures` alone, so a file
written again from a stored report shows exactly what it showed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qinqing.common.svgcharts import Series, bar_chart, donut_chart
from qinqing.common.xlsx import ExcelBook, Percent

from ..models import Category, Channel, Institutional, ProblemStatus, ReportKind, Severity
from . import circular as circular_report
from . import quarterly as quarterly_report

# A PDF lists at most this many clues; the workbook has them all.
PDF_MAX_CLUES = 500


@dataclass
class Table:
    caption: str
    sheet: str
    headers: list[str]
    rows: list[list[Any]]
    percent: frozenset[int] = frozenset()
    note: str = ""
    # Left out of the PDF (the workbook has every table): a department-by-channel grid
    # of hundreds of rows would take WeasyPrint most of a minute to lay out.
    in_pdf: bool = True

    @property
    def numeric(self) -> frozenset[int]:
        if not self.rows:
            return frozenset()
        return frozenset(
            i
            for i in range(len(self.headers))
            if all(isinstance(r[i], int | float) or r[i] is None for r in self.rows)
        ) - {0}

    @property
    def display(self) -> list[list[Any]]:
        """The rows as shown on a page or in the PDF (rates as percentages)."""
        return [[_cell(v, i in self.percent) for i, v in enumerate(r)] for r in self.rows]


@dataclass
class Chart:
    caption: str
    categories: list[str]
    series: list[tuple[str, list[int | float | None]]]
    kind: str = "bar"  # "bar" (horizontal in the PDF) or "donut"


@dataclass
class Document:
    title: str
    subtitle: str
    headlines: list[str]
    summary: Chart
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Set when the period had not ended: the figures are as of an instant and may change.
    provisional: str = ""


def _label(choices: Any, code: str) -> str:
    if code in choices.values:
        return str(choices(code).label)
    return code or "—"


def title_for(figures: dict[str, Any]) -> str:
    context = {
        "scope": figures["scope"]["name"],
        "start": figures["period"]["start"],
        "end": figures["period"]["end"],
    }
    kind = figures["kind"]
    if kind == ReportKind.MONTHLY_CLUES:
        return _("%(scope)s monthly clue report") % context
    if kind == ReportKind.QUARTERLY_PROGRESS:
        return _("%(scope)s quarterly progress report") % context
    return _("%(scope)s circular ranking departments") % context


def build(figures: dict[str, Any], language: str) -> Document:
    """The report's document in `language` (headings, labels, sentences)."""
    with translation.override(language):
        kind = figures["kind"]
        doc = Document(
            title=title_for(figures),
            subtitle=_("Period: %(start)s to %(end)s · Scope: %(scope)s and the units under it")
            % {
                "start": figures["period"]["start"],
                "end": figures["period"]["end"],
                "scope": figures["scope"]["name"],
            },
            headlines=list(figures["headlines"].get(language) or figures["headlines"]["zh-hans"]),
            summary=Chart("", [], []),
            provisional=provisional_note(figures),
        )
        if kind == ReportKind.MONTHLY_CLUES:
            _monthly(doc, figures)
        elif kind == ReportKind.QUARTERLY_PROGRESS:
            _quarterly(doc, figures)
        else:
            _circular(doc, figures)
        return doc


def provisional_note(figures: dict[str, Any]) -> str:
    """For a report of a period that had not ended: when its figures were counted."""
    if not figures.get("as_of"):
        return ""
    as_of = timezone.localtime(dt.datetime.fromisoformat(figures["as_of"]))
    return _(
        "Provisional: the period had not ended. These are the figures as of %(as_of)s; "
        "a report asked for after the period's last day will count all of it."
    ) % {"as_of": as_of.strftime("%Y-%m-%d %H:%M")}


def _counts_table(
    caption: str, sheet: str, heading: str, rows: Sequence[Sequence[Any]], choices: Any
) -> Table:
    return Table(
        caption=caption,
        sheet=sheet,
        headers=[heading, _("New problems")],
        rows=[[_label(choices, code) if choices else code, count] for code, count in rows],
    )


def _monthly(doc: Document, f: dict[str, Any]) -> None:
    t = f["totals"]
    doc.summary = Chart(
        _("New problems by channel"),
        [_label(Channel, c) for c, _n in f["by_channel"]],
        [(_("New problems"), [c for _k, c in f["by_channel"]])],
    )
    doc.charts = [
        doc.summary,
        Chart(
            _("New problems by category"),
            [_label(Category, c) for c, _n in f["by_category"]],
            [(_("New problems"), [c for _k, c in f["by_category"]])],
            kind="donut",
        ),
    ]
    doc.tables = [
        Table(
            _("Totals"),
            _("Totals"),
            [_("Figure"), _("Count")],
            [
                [_("New problems"), t["new"]],
                [_("Institutional"), t["institutional"]],
                [_("Assigned by the end of the period"), t["assigned"]],
                [_("Rectified by the end of the period"), t["rectified"]],
            ],
        ),
        _counts_table(_("By channel"), _("Channels"), _("Channel"), f["by_channel"], Channel),
        _counts_table(_("By category"), _("Categories"), _("Category"), f["by_category"], Category),
        _counts_table(_("By severity"), _("Severity"), _("Severity"), f["by_severity"], Severity),
        _counts_table(
            _("Institutional problems"), _("Institutional"), _("Kind"), f["by_institutional"], Institutional
        ),
        Table(
            _("By responsible department (at the end of the period)"),
            _("Departments"),
            [_("Department"), _("New problems"), _("Institutional")],
            [list(r) for r in f["by_department"]],
        ),
        Table(
            _("New clues"),
            _("Clues"),
            [
                _("Reference"),
                _("Registered on"),
                _("Problem"),
                _("Channel"),
                _("Category"),
                _("Severity"),
                _("Institutional"),
                _("Department"),
                _("Status at the end of the period"),
            ],
            [
                [
                    ref,
                    day,
                    title,
                    _label(Channel, ch),
                    _label(Category, cat),
                    _label(Severity, sev),
                    _label(Institutional, inst) if inst else "",
                    dept,
                    _label(ProblemStatus, status),
                ]
                for ref, day, title, ch, cat, sev, inst, dept, status in f["clues"]
            ],
        ),
    ]


def _quarterly_headers(first: str) -> list[str]:
    return [
        first,
        _("Registered"),
        _("Assigned"),
        _("Rectified"),
        _("Closed"),
        _("On time"),
        _("On-time rate"),
        _("Overdue at the end"),
        _("Sent back"),
        _("Reopened"),
        _("Withdrawals asked"),
        _("Agreed"),
        _("Refused"),
        _("Pending"),
        _("Return visits"),
        _("Mean satisfaction"),
    ]


def _quarterly_row(key: list[Any], values: list[int]) -> list[Any]:
    c = dict(zip(quarterly_report.COLUMNS, values, strict=True))
    d = quarterly_report.derived(values)
    return [
        *key,
        c["registered"],
        c["assigned"],
        c["rectified"],
        c["closed"],
        c["on_time"],
        d["on_time_rate"],
        c["overdue"],
        c["send_backs"],
        c["reopened"],
        c["withdrawals_asked"],
        c["withdrawals_agreed"],
        c["withdrawals_refused"],
        c["withdrawals_pending"],
        c["visits"],
        d["mean_satisfaction"],
    ]


def _quarterly(doc: Document, f: dict[str, Any]) -> None:
    t = f["totals"]
    by_dept = f["by_department"]
    top = by_dept[:15]
    doc.summary = Chart(
        _("Registered and rectified by department"),
        [r[0] for r in top],
        [(_("Registered"), [r[1] for r in top]), (_("Rectified"), [r[3] for r in top])],
    )
    doc.charts = [
        doc.summary,
        Chart(
            _("Registered by channel"),
            [_label(Channel, r[0]) for r in f["by_channel"]],
            [(_("Registered"), [r[1] for r in f["by_channel"]])],
            kind="donut",
        ),
    ]
    percent_cols = frozenset({6})
    walks, rules = f["walkthroughs"], f["rules"]
    doc.tables = [
        Table(
            _("Totals"),
            _("Totals"),
            [_("Figure"), _("Count")],
            [
                [_("Registered in the period"), t["registered"]],
                [_("Assigned"), t["assigned"]],
                [_("Rectified (verified or closed)"), t["rectified"]],
                [_("Closed"), t["closed"]],
                [_("Rectified on time"), t["on_time"]],
                [_("Overdue at the end of the period"), t["overdue"]],
                [_("Sent back in the period"), t["send_backs"]],
                [_("Reopened in the period"), t["reopened"]],
                [_("Withdrawals asked by departments"), t["withdrawals_asked"]],
                [_("Return visits"), t["visits"]],
                [_("Rules established"), rules["rules"]],
                [_("Processes walked"), walks["processes"]],
            ],
        ),
        Table(
            _("By department (responsible at the end of the period)"),
            _("Departments"),
            _quarterly_headers(_("Department")),
            [_quarterly_row([r[0]], r[1:]) for r in by_dept],
            percent=percent_cols,
        ),
        Table(
            _("By channel"),
            _("Channels"),
            _quarterly_headers(_("Channel")),
            [_quarterly_row([_label(Channel, r[0])], r[1:]) for r in f["by_channel"]],
            percent=percent_cols,
        ),
        Table(
            _("By department and channel"),
            _("Department × channel"),
            [_("Department"), *_quarterly_headers(_("Channel"))],
            [_quarterly_row([r[0], _label(Channel, r[1])], r[2:]) for r in f["detail"]],
            percent=frozenset({7}),
            in_pdf=False,
        ),
        Table(
            _("Rules established (建章立制)"),
            _("Rules"),
            [_("Issued by"), _("Rules"), _("Problems answered"), _("Institutional problems")],
            [list(r) for r in rules["rows"]],
        ),
        Table(
            _("Heads walking their processes (局长走流程)"),
            _("Walk-throughs"),
            [_("Department"), _("Processes walked"), _("Problems found"), _("Rectified")],
            [list(r) for r in walks["rows"]],
        ),
    ]
    doc.notes = [
        _(
            "Registered, assigned, rectified, closed and on time count the problems registered in the "
            "period, as they stood at its end; overdue counts every problem open at the end past its due "
            "date; sent back, reopened and withdrawals count what happened in the period."
        ),
        _("The table by department and channel is in the Excel file."),
    ]


def _circular(doc: Document, f: dict[str, Any]) -> None:
    ranked = f["ranked"]
    doc.summary = Chart(
        _("Scores"),
        [r[1] for r in ranked],
        [(_("Score"), [r[-1] for r in ranked])],
    )
    doc.charts = [doc.summary]
    doc.tables = [
        Table(
            _("Ranking"),
            _("Ranking"),
            [
                _("Rank"),
                _("Department"),
                _("Counted"),
                _("Closed"),
                _("Closure rate"),
                _("Adjusted"),
                _("Fell due"),
                _("On time"),
                _("Timeliness"),
                _("Adjusted"),
                _("Return visits"),
                _("Mean score"),
                _("Satisfaction adjusted"),
                _("Score"),
            ],
            [list(r) for r in ranked],
            percent=frozenset({4, 5, 8, 9, 12}),
        ),
        Table(
            _("Not ranked (below the minimum volume)"),
            _("Not ranked"),
            [_("Department"), _("Counted")],
            [list(r) for r in f["not_ranked"]],
        ),
        Table(
            _("Parameters"),
            _("Parameters"),
            [_("Parameter"), _("Value")],
            [
                [_("Minimum volume"), f["parameters"]["min_volume"]],
                [_("Prior weight m"), f["parameters"]["prior_weight"]],
                [_("Weight of closure"), f["parameters"]["weights"]["closure"]],
                [_("Weight of timeliness"), f["parameters"]["weights"]["timeliness"]],
                [_("Weight of satisfaction"), f["parameters"]["weights"]["satisfaction"]],
                [_("Scope mean closure rate"), f["means"]["closure"]],
                [_("Scope mean timeliness"), f["means"]["timeliness"]],
                [_("Scope mean satisfaction"), f["means"]["satisfaction"]],
            ],
        ),
    ]
    doc.notes = circular_report.formula_lines(f)


# --- Excel --------------------------------------------------------------------------------------


def write_xlsx(doc: Document, target: IO[bytes], *, created_at: dt.datetime, language: str) -> None:
    with translation.override(language):
        book = ExcelBook(target, created_at=created_at)
        summary = book.chart_sheet(
            _("Summary"),
            title=doc.title,
            category_heading=doc.summary.caption or _("Summary"),
            categories=doc.summary.categories,
            series=doc.summary.series,
            kind="bar",
        )
        # The headline sentences and notes under the summary table.
        summary.add([""])
        for sentence in [*([doc.provisional] if doc.provisional else []), *doc.headlines, *doc.notes]:
            summary.add([sentence])
        for table in doc.tables:
            sheet = book.sheet(
                table.sheet,
                [(h, 40 if i == 0 else 14) for i, h in enumerate(table.headers)],
                title=table.caption,
                autofilter=True,
            )
            sheet.add_rows(
                [Percent(v) if i in table.percent and v is not None else v for i, v in enumerate(row)]
                for row in table.rows
            )
        book.close()


# --- PDF ----------------------------------------------------------------------------------------


def _cell(value: Any, percent: bool) -> Any:
    if value is None:
        return None
    if percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}" if value != int(value) else str(int(value))
    return value


def write_pdf(doc: Document, *, kind: str, created_at: dt.datetime, language: str) -> bytes:
    # WeasyPrint loads Pango and HarfBuzz when imported (seconds on a busy machine):
    # only the job that writes a PDF pays for it, not every web worker.
    from qinqing.common.pdf import ReportChart, ReportTable, render_pdf

    with translation.override(language):
        charts = []
        for chart in doc.charts:
            if chart.kind == "donut":
                svg = donut_chart(
                    list(zip(chart.categories, chart.series[0][1], strict=True)) if chart.series else [],
                    title=chart.caption,
                    empty_message=_("No data"),
                )
            else:
                svg = bar_chart(
                    chart.categories,
                    [Series(name, values) for name, values in chart.series],
                    title=chart.caption,
                    horizontal=True,
                    height=max(240, 60 + 28 * len(chart.categories) * max(1, len(chart.series))),
                    empty_message=_("No data"),
                )
            charts.append(ReportChart(caption=chart.caption, svg=svg))
        tables = []
        for table in doc.tables:
            if not table.in_pdf:
                continue
            rows = table.rows
            note = table.note
            if len(rows) > PDF_MAX_CLUES:
                note = _("The first %(shown)d of %(total)d rows; the Excel file has them all.") % {
                    "shown": PDF_MAX_CLUES,
                    "total": len(rows),
                }
                rows = rows[:PDF_MAX_CLUES]
            tables.append(
                ReportTable(
                    caption=table.caption,
                    headers=table.headers,
                    rows=Table(table.caption, table.sheet, table.headers, rows, table.percent).display,
                    numeric=table.numeric,
                    note=note,
                )
            )
        return render_pdf(
            f"ledger/reports/pdf_{kind}.html",
            {
                "report_subtitle": doc.subtitle,
                "report_provisional": doc.provisional,
                "report_summary": doc.headlines,
                "report_charts": charts,
                "report_tables": tables,
                "report_notes": doc.notes,
            },
            title=doc.title,
            created_at=created_at,
            language=language,
        )
