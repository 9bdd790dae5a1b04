"""The office pages' tables as Excel workbooks, through the one helper
(`qinqing.common.xlsx`): the dashboard's figures, the problem list, campaigns and one
campaign, walk-throughs with their steps, monitoring points, observers and rules
established.

Rows are written one at a time (constant memory); the problem list is read from the
database in chunks, so a large export never holds the whole list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qinqing.common.xlsx import ExcelBook, ExcelSheet, Percent

from .models import (
    OPEN_STATUSES,
    Campaign,
    LedgerReport,
    MonitoringPoint,
    Observer,
    Problem,
    RuleOutcome,
    WalkThrough,
    subcategory_label,
)

CHUNK = 2000


def _rate(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def _book(now: dt.datetime | None = None) -> ExcelBook:
    return ExcelBook(created_at=now or timezone.now())


# --- The dashboard ------------------------------------------------------------------------------


def _figure_columns(first: str) -> list[tuple[str, int]]:
    return [
        (first, 30),
        (_("Registered"), 10),
        (_("Open"), 10),
        (_("Overdue"), 10),
        (_("Rectified"), 10),
        (_("Closed"), 10),
        (_("Closure rate"), 12),
        (_("On-time rate"), 12),
        (_("Mean satisfaction"), 12),
        (_("Withdrawals asked by the department"), 14),
        (_("Reopened"), 10),
    ]


def _figure_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["registered"],
        row["open"],
        row["overdue"],
        row["rectified"],
        row["closed"],
        _rate(row["closure_rate"]),
        _rate(row["on_time_rate"]),
        row["satisfaction"],
        row["flagged"],
        row["reopened"],
    ]


def dashboard_workbook(data: dict[str, Any], *, scope_note: str) -> IO[bytes]:
    """The dashboard's tables: totals, per channel, per category, the departments'
    ranking and per campaign, each as its own sheet."""
    book = _book()
    title = _("Problem ledger dashboard")
    totals = book.sheet(_("Totals"), [(_("Figure"), 36), (_("Value"), 14)], title=title)
    t = data["totals"]
    totals.add_rows(
        [
            [_("Scope"), scope_note],
            [_("Registered"), t["registered"]],
            [_("Open"), t["open"]],
            [_("Overdue"), t["overdue"]],
            [_("Rectified"), t["rectified"]],
            [_("Closed"), t["closed"]],
            [_("Closure rate"), _rate(t["closure_rate"])],
            [_("On-time rate"), _rate(t["on_time_rate"])],
            [_("Mean satisfaction"), t["satisfaction"]],
            [_("Withdrawals asked by the department"), t["flagged"]],
            [_("Reopened"), t["reopened"]],
        ]
    )
    for name, key, first in (
        (_("Per channel"), "channels", _("Channel")),
        (_("Per category"), "categories", _("Category")),
    ):
        sheet = book.sheet(name, _figure_columns(first), title=name)
        sheet.add_rows([row["name"], *_figure_cells(row)] for row in data[key])
    ranking = book.sheet(
        _("Department ranking"),
        [(_("Rank"), 8), *_figure_columns(_("Department"))],
        title=_("Departments ranked by closure rate, then on-time rate, then satisfaction"),
    )
    ranking.add_rows([row["rank"], row["name"], *_figure_cells(row)] for row in data["departments"])
    campaigns = book.sheet(
        _("Per campaign"), [*_figure_columns(_("Campaign")), (_("Channel"), 24)], title=_("Per campaign")
    )
    campaigns.add_rows([row["name"], *_figure_cells(row), row["channel_name"]] for row in data["campaigns"])
    return book.close()


# --- Problems -----------------------------------------------------------------------------------


def problem_columns() -> list[tuple[str, int]]:
    return [
        (_("Reference"), 16),
        (_("Problem"), 40),
        (_("Channel"), 20),
        (_("Campaign"), 24),
        (_("Category"), 22),
        (_("Sub-type"), 16),
        (_("Severity"), 10),
        (_("Institutional"), 14),
        (_("Responsible department"), 24),
        (_("Supervising group"), 22),
        (_("Enterprise concerned"), 26),
        (_("Status"), 18),
        (_("Outcome"), 12),
        (_("Referred to"), 24),
        (_("Merged into"), 16),
        (_("Reason"), 30),
        (_("Registered at"), 17),
        (_("Due date"), 12),
        (_("Days overdue"), 10),
        (_("Rectified on"), 12),
        (_("Closed at"), 17),
        (_("Satisfaction"), 10),
        (_("Times sent back"), 10),
        (_("Times reopened"), 10),
        (_("Withdrawal asked by the department"), 14),
    ]


def problem_cells(p: Problem, today: dt.date) -> list[Any]:
    overdue = (
        (today - p.due_date).days
        if p.status in OPEN_STATUSES and p.due_date is not None and p.due_date < today
        else None
    )
    return [
        p.reference or "",
        p.title,
        p.get_channel_display(),
        p.campaign.title if p.campaign_id and p.campaign else "",
        p.get_category_display(),
        subcategory_label(p.category, p.subcategory) if p.subcategory else "",
        p.get_severity_display(),
        p.get_institutional_display() if p.institutional else "",
        p.organisation.name,
        p.supervising_group.name if p.supervising_group_id and p.supervising_group else "",
        p.reporter_enterprise.name if p.reporter_enterprise_id and p.reporter_enterprise else "",
        p.get_status_display(),
        p.get_outcome_display() if p.outcome else "",
        " · ".join(
            x for x in (p.get_referred_level_display() if p.referred_level else "", p.referred_to) if x
        ),
        p.duplicate_of.reference or "" if p.duplicate_of_id and p.duplicate_of else "",
        p.reason,
        p.registered_at,
        p.due_date,
        overdue,
        p.rectified_on,
        p.closed_at,
        p.satisfaction,
        p.send_back_count,
        p.reopen_count,
        p.withdrawal_flagged,
    ]


def problems_workbook(problems: QuerySet[Problem], *, today: dt.date, note: str = "") -> IO[bytes]:
    book = _book()
    sheet = book.sheet(_("Problems"), problem_columns(), title=note or _("Problem ledger"), autofilter=True)
    sheet.add_rows(problem_cells(p, today) for p in problems.iterator(chunk_size=CHUNK))
    _truncated_note(book, sheet)
    return book.close()


def _truncated_note(book: ExcelBook, sheet: ExcelSheet) -> None:
    if sheet.truncated:
        note = book.sheet(_("Note"), [(_("Note"), 80)])
        note.add([_("Only the first %(n)d rows are in this file; narrow the filters.") % {"n": sheet.rows}])


# --- Campaigns ----------------------------------------------------------------------------------


def _campaign_cells(c: Campaign) -> list[Any]:
    return [
        c.title,
        c.get_channel_display(),
        c.organisation.name,
        c.starts_on,
        c.ends_on,
        c.get_status_display(),
    ]


def _campaign_columns() -> list[tuple[str, int]]:
    return [
        (_("Campaign"), 30),
        (_("Channel"), 22),
        (_("Organised by"), 22),
        (_("Starts on"), 12),
        (_("Ends on"), 12),
        (_("Status"), 10),
    ]


def campaigns_workbook(rows: Iterable[dict[str, Any]]) -> IO[bytes]:
    book = _book()
    sheet = book.sheet(
        _("Campaigns"),
        [
            *_campaign_columns(),
            (_("Topics"), 30),
            (_("Walk-throughs"), 10),
            (_("Rules established"), 10),
            *_figure_columns(_("Campaign"))[1:],
        ],
        title=_("Campaigns"),
        autofilter=True,
    )
    for row in rows:
        c: Campaign = row["campaign"]
        topics = "、".join(t.title for t in c.topics.all())
        sheet.add(
            [*_campaign_cells(c), topics, row["walks"], row["outcomes"], *_figure_cells(row["figures"])]
        )
    return book.close()


def campaign_workbook(campaign: Campaign, detail: dict[str, Any], problems: QuerySet[Problem]) -> IO[bytes]:
    today = timezone.localdate()
    book = _book()
    head = book.sheet(_("Campaign"), [(_("Field"), 24), (_("Value"), 50)], title=campaign.title)
    head.add_rows(
        zip(
            [_("Campaign"), _("Channel"), _("Organised by"), _("Starts on"), _("Ends on"), _("Status")],
            _campaign_cells(campaign),
            strict=True,
        )
    )
    f = detail["figures"]
    head.add_rows(
        [
            [_("Registered"), f["registered"]],
            [_("Open"), f["open"]],
            [_("Overdue"), f["overdue"]],
            [_("Closed"), f["closed"]],
            [_("Closure rate"), _rate(f["closure_rate"])],
            [_("On-time rate"), _rate(f["on_time_rate"])],
        ]
    )
    topics = book.sheet(
        _("Topics"), [(_("Topic"), 30), (_("Category"), 24), (_("Registered"), 10), (_("Closed"), 10)]
    )
    topics.add_rows(
        [t["topic"].title, t["topic"].get_category_display(), t["registered"], t["closed"]]
        for t in detail["topics"]
    )
    listed = book.sheet(_("Problems"), problem_columns(), autofilter=True)
    listed.add_rows(problem_cells(p, today) for p in problems.iterator(chunk_size=CHUNK))
    walks_sheet(book, detail["walks"])
    outcomes_sheet(book, detail["outcomes"])
    return book.close()


# --- Walk-throughs ------------------------------------------------------------------------------


def walks_sheet(book: ExcelBook, walks: Iterable[WalkThrough]) -> None:
    sheet = book.sheet(
        _("Walk-throughs"),
        [
            (_("Walked on"), 12),
            (_("Department"), 24),
            (_("Process walked"), 30),
            (_("Walked by"), 14),
            (_("Campaign"), 24),
            (_("Steps"), 60),
            (_("Total minutes"), 10),
            (_("Problems found"), 10),
            (_("Notes"), 40),
        ],
        autofilter=True,
    )
    for w in walks:
        steps = "；".join(
            _("%(name)s (%(minutes)s min)") % {"name": s.get("name", ""), "minutes": s.get("minutes", "")}
            for s in w.steps
        )
        sheet.add(
            [
                w.walked_on,
                w.department.name,
                w.process_name,
                w.walker_name,
                w.campaign.title if w.campaign_id and w.campaign else "",
                steps,
                w.total_minutes,
                getattr(w, "problem_count", None),
                w.notes,
            ]
        )


def walks_workbook(walks: Iterable[WalkThrough]) -> IO[bytes]:
    book = _book()
    walks = list(walks)
    walks_sheet(book, walks)
    steps = book.sheet(
        _("Steps"),
        [
            (_("Walked on"), 12),
            (_("Department"), 24),
            (_("Process walked"), 30),
            (_("No."), 6),
            (_("Step"), 30),
            (_("Minutes"), 10),
        ],
        autofilter=True,
    )
    for w in walks:
        for n, step in enumerate(w.steps, start=1):
            steps.add(
                [w.walked_on, w.department.name, w.process_name, n, step.get("name", ""), step.get("minutes")]
            )
    return book.close()


# --- Monitoring points and observers ------------------------------------------------------------


def points_workbook(points: Iterable[tuple[MonitoringPoint, str]]) -> IO[bytes]:
    book = _book()
    sheet = book.sheet(
        _("Monitoring points"),
        [
            (_("Name"), 30),
            (_("Appointed by"), 22),
            (_("Enterprise"), 28),
            (_("Address"), 30),
            (_("Appointed on"), 12),
            (pgettext("in force", "Active"), 8),
            (_("Problems reported"), 10),
            (_("Report link"), 60),
        ],
        title=_("Monitoring points"),
        autofilter=True,
    )
    for point, link in points:
        sheet.add(
            [
                point.name,
                point.organisation.name,
                point.enterprise.name if point.enterprise_id and point.enterprise else "",
                point.address,
                point.appointed_on,
                point.active,
                getattr(point, "problem_count", None),
                link,
            ]
        )
    return book.close()


def observers_workbook(observers: Iterable[Observer]) -> IO[bytes]:
    book = _book()
    sheet = book.sheet(
        _("Observers"),
        [
            (_("Observer"), 20),
            (_("User name"), 16),
            (_("Affiliation"), 30),
            (_("Appointed by"), 22),
            (_("Appointed on"), 12),
            (pgettext("in force", "Active"), 8),
            (_("Problems reported"), 10),
        ],
        title=_("Observers"),
        autofilter=True,
    )
    sheet.add_rows(
        [
            str(o.user),
            o.user.username,
            o.affiliation,
            o.organisation.name,
            o.appointed_on,
            o.active,
            getattr(o, "problem_count", None),
        ]
        for o in observers
    )
    return book.close()


# --- Rules established --------------------------------------------------------------------------


def outcomes_sheet(book: ExcelBook, outcomes: Iterable[RuleOutcome]) -> None:
    sheet = book.sheet(
        _("Rules established"),
        [
            (_("Issued on"), 12),
            (_("Title"), 36),
            (_("Kind"), 16),
            (_("Document number"), 20),
            (_("Issued by"), 24),
            (_("Campaign"), 24),
            (_("Problems it answers"), 40),
            (_("Link"), 30),
        ],
        autofilter=True,
    )
    for o in outcomes:
        sheet.add(
            [
                o.issued_on,
                o.title,
                o.get_kind_display(),
                o.document_number,
                o.organisation.name,
                o.campaign.title if o.campaign_id and o.campaign else "",
                "、".join(p.reference or "" for p in o.problems.all()),
                o.url,
            ]
        )


def outcomes_workbook(outcomes: Iterable[RuleOutcome], counts: dict[str, list[dict[str, Any]]]) -> IO[bytes]:
    book = _book()
    outcomes_sheet(book, outcomes)
    count_columns = [
        (_("Rules established"), 12),
        (_("Problems linked"), 12),
        (_("Of them institutional"), 12),
    ]
    per_campaign = book.sheet(_("Per campaign"), [(_("Campaign"), 30), *count_columns])
    per_campaign.add_rows(
        [
            row["campaign__title"] or _("No campaign"),
            row["outcome_count"],
            row["problem_count"],
            row["institutional_count"],
        ]
        for row in counts["campaigns"]
    )
    per_department = book.sheet(_("Per department"), [(_("Issued by"), 30), *count_columns])
    per_department.add_rows(
        [row["organisation__name"], row["outcome_count"], row["problem_count"], row["institutional_count"]]
        for row in counts["departments"]
    )
    return book.close()


def reports_workbook(reports: Iterable[LedgerReport]) -> IO[bytes]:
    """The list of reports: what was asked, by whom, when, and the digest of the figures
    each stands for."""
    book = _book()
    sheet = book.sheet(
        _("Reports"),
        [
            (_("Report"), 18),
            (_("Scope"), 24),
            (_("From"), 12),
            (_("To"), 12),
            (_("Status"), 10),
            (_("Asked by"), 16),
            (_("Asked at"), 18),
            (_("Generated at"), 18),
            (_("Digest of the figures (SHA-256)"), 66),
        ],
    )
    zone = timezone.get_current_timezone()

    def local(moment: dt.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    sheet.add_rows(
        [
            str(r.get_kind_display()),
            r.scope.name,
            r.period_start,
            r.period_end,
            str(r.get_status_display()),
            str(r.requested_by) if r.requested_by else "",
            local(r.created_at),
            local(r.generated_at),
            r.figures_sha256,
        ]
        for r in reports
    )
    return book.close()
