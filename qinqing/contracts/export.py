"""The contracts' tables as Excel workbooks: the projects list, a project's obligations
(both sides), the dashboard's figures and the open alarms.

Written with the project's streaming workbook (`qinqing.common.xlsx`): constant memory
into a temporary file that the response streams, cells as text, numbers or dates and
never formulas or links (a name beginning with "=" stays a name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qinqing.common import xlsx
from qinqing.common.xlsx import Percent

from .models import Obligation, ObligorSide, Project
from .services.common import OWED_STATUSES
from .worklist import ClaimRow

# The views cap their querysets by the sheet's own limit.
MAX_ROWS = xlsx.MAX_ROWS


def _book() -> xlsx.ExcelBook:
    # The contracts' tables hold dates; a datetime is shown as its Beijing date.
    return xlsx.ExcelBook(datetime_format="yyyy-mm-dd")


def xlsx_response(file: IO[bytes], name: str) -> FileResponse:
    """Stream the workbook as a download named "<name>-<Beijing date>.xlsx"."""
    return xlsx.xlsx_response(file, f"{name}-{timezone.localdate().isoformat()}.xlsx")


def _rate(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def _side_label(side: str) -> str:
    return str(ObligorSide(side).label) if side in ObligorSide.values else side


def _alarm_label(state: str) -> str:
    return {"open": pgettext("alarm", "Open"), "answered": pgettext("alarm", "Answered")}.get(state, "")


def obligor_name(obligation: Obligation) -> str:
    if obligation.obligor_side == ObligorSide.GOVERNMENT and obligation.obligor_department is not None:
        return obligation.obligor_department.name
    return obligation.project.enterprise.name


def days_overdue(obligation: Obligation, today: dt.date) -> int | None:
    """Calendar days past the contract's due date of what is still owed: a remedy plan's
    later date does not take them back."""
    contract = obligation.original_due_date or obligation.due_date
    if obligation.status in OWED_STATUSES and contract is not None and contract < today:
        return (today - contract).days
    return None


# --- Figures columns shared by the tables of figures ------------------------------------------


def _figure_headers() -> list[tuple[str, int]]:
    return [
        (_("Obligations"), 10),
        (_("Due so far"), 10),
        (_("Met by the due date"), 12),
        (_("Met early"), 10),
        (_("Average days early"), 12),
        (_("Met late"), 10),
        (_("Partly met"), 10),
        (_("Overdue, still owed"), 12),
        (_("Open alarms"), 10),
        (_("Answered alarms"), 10),
        (_("Waiting for their starting point"), 12),
        (_("Fulfilment rate"), 12),
        (_("Met late, by a remedy plan's date"), 12),
        (_("Rescheduled by a remedy plan"), 12),
        (_("Rescheduled twice or more"), 12),
        (_("Contract dates moved after a miss"), 14),
    ]


def _figures(f: dict[str, Any]) -> list[Any]:
    return [
        f["total"],
        f["due_so_far"],
        f["met_on_time"],
        f["met_early"],
        f["avg_days_early"],
        f["met_late"],
        f["partly_met"],
        f["overdue_open"],
        f["open_alarms"],
        f["answered_alarms"],
        f["pending"],
        _rate(f["fulfilment_rate"]),
        f["met_late_remedied"],
        f["rescheduled"],
        f["rescheduled_repeatedly"],
        f["moved_after_miss"],
    ]


# --- The workbooks ----------------------------------------------------------------------------


def projects_workbook(projects: Iterable[Project], figures: dict[int, dict[str, Any]]) -> IO[bytes]:
    """The projects list; `figures` maps project id to `reports.by_project` rows."""
    book = _book()
    sheet = book.sheet(
        _("Projects"),
        [
            (_("Project number"), 14),
            (_("Project name"), 32),
            (_("Enterprise"), 30),
            (_("Unified social credit code"), 20),
            (_("Management committee"), 24),
            (_("Industry"), 16),
            (_("Planned investment (yuan)"), 18),
            (_("Land parcel"), 16),
            (_("Land area (mu)"), 12),
            (_("Signed on"), 12),
            (pgettext("project", "Status"), 10),
            (_("Government fulfilment rate"), 14),
            (_("Enterprise fulfilment rate"), 14),
            (_("Overdue, still owed"), 12),
            (_("Open alarms"), 10),
        ],
        autofilter=True,
    )
    empty: dict[str, Any] = {}
    for project in projects:
        row = figures.get(project.pk, empty)
        gov, ent, both = row.get("government"), row.get("enterprise"), row.get("all")
        if not sheet.add(
            [
                project.reference,
                project.name,
                project.enterprise.name,
                project.enterprise.credit_code,
                project.committee.name,
                project.industry,
                project.planned_investment,
                project.land_parcel,
                project.land_area_mu,
                project.signed_on,
                project.get_status_display(),
                _rate(gov["fulfilment_rate"]) if gov else None,
                _rate(ent["fulfilment_rate"]) if ent else None,
                both["overdue_open"] if both else 0,
                both["open_alarms"] if both else 0,
            ]
        ):
            break
    return book.close()


def project_workbook(project: Project, obligations: Iterable[Obligation], *, today: dt.date) -> IO[bytes]:
    """A project's obligations, both sides, in due order. Each obligation may carry an
    `alarm_state` annotation (`selectors.with_alarm_state`)."""
    book = _book()
    sheet = book.sheet(
        _("Obligations"),
        [
            (_("Side"), 10),
            (_("Obligor"), 26),
            (_("Contract"), 16),
            (_("Clause"), 8),
            (_("Kind"), 16),
            (_("Obligation"), 36),
            (_("Due date"), 12),
            (_("Original due date"), 12),
            (pgettext("obligation", "Status"), 14),
            (_("Met on"), 12),
            (_("Days early (negative: late)"), 12),
            (_("Days overdue"), 10),
            (_("Target"), 14),
            (_("Achieved"), 14),
            (_("Unit"), 10),
            (_("Alarm"), 10),
        ],
        autofilter=True,
    )
    for o in obligations:
        if not sheet.add(
            [
                _side_label(o.obligor_side),
                obligor_name(o),
                o.clause.contract.number,
                o.clause.number,
                o.get_kind_display(),
                o.title,
                o.due_date,
                o.original_due_date,
                o.get_status_display(),
                o.met_on,
                o.days_early,
                days_overdue(o, today),
                o.target_value,
                o.achieved_value,
                o.target_unit,
                _alarm_label(getattr(o, "alarm_state", "") or ""),
            ]
        ):
            break
    # The project itself, for whoever opens the file out of context.
    about = book.sheet(
        _("Project"), [(_("Project number"), 16), (_("Project name"), 40), (_("Enterprise"), 36)]
    )
    about.add([project.reference, project.name, project.enterprise.name])
    return book.close()


def dashboard_workbook(
    summary: dict[str, Any],
    departments: Sequence[dict[str, Any]],
    enterprises: Sequence[dict[str, Any]],
    projects: Sequence[dict[str, Any]],
    owed_to: dict[int, dict[str, Any]] | None = None,
) -> IO[bytes]:
    """The dashboard's tables, one sheet each: both sides, per department, per
    enterprise, per project (rows from `reports`). `owed_to` maps an enterprise id to
    the figures of what the government owes it (`by_enterprise(side="government")`)."""
    owed_to = owed_to or {}
    book = _book()
    sides = book.sheet(_("Both sides"), [(_("Side"), 14), *_figure_headers()])
    sides.add([_side_label(ObligorSide.GOVERNMENT), *_figures(summary["government"])])
    sides.add([_side_label(ObligorSide.ENTERPRISE), *_figures(summary["enterprise"])])
    sides.add([_("All obligations"), *_figures(summary["all"])])

    per_department = book.sheet(
        _("By department"), [(_("Department"), 30), *_figure_headers()], autofilter=True
    )
    for row in departments:
        if not per_department.add([row["name"], *_figures(row)]):
            break

    per_enterprise = book.sheet(
        _("By enterprise"),
        [
            (_("Enterprise"), 30),
            (_("Unified social credit code"), 20),
            *_figure_headers(),
            (_("Government fulfilment rate towards it"), 14),
        ],
        autofilter=True,
    )
    for row in enterprises:
        owed = owed_to.get(row["id"])
        towards = _rate(owed["fulfilment_rate"]) if owed else None
        if not per_enterprise.add([row["name"], row["credit_code"], *_figures(row), towards]):
            break

    per_project = book.sheet(
        _("By project"),
        [
            (_("Project number"), 14),
            (_("Project name"), 30),
            (_("Enterprise"), 28),
            (_("Government: due so far"), 12),
            (_("Government: met by the due date"), 12),
            (_("Government: overdue, still owed"), 12),
            (_("Government fulfilment rate"), 12),
            (_("Enterprise: due so far"), 12),
            (_("Enterprise: met by the due date"), 12),
            (_("Enterprise: overdue, still owed"), 12),
            (_("Enterprise fulfilment rate"), 12),
            (_("Met early"), 10),
            (_("Open alarms"), 10),
        ],
        autofilter=True,
    )
    for row in projects:
        gov, ent, both = row["government"], row["enterprise"], row["all"]
        if not per_project.add(
            [
                row["reference"],
                row["name"],
                row["enterprise_name"],
                gov["due_so_far"],
                gov["met_on_time"],
                gov["overdue_open"],
                _rate(gov["fulfilment_rate"]),
                ent["due_so_far"],
                ent["met_on_time"],
                ent["overdue_open"],
                _rate(ent["fulfilment_rate"]),
                both["met_early"],
                both["open_alarms"],
            ]
        ):
            break
    return book.close()


def alarms_workbook(obligations: Iterable[Obligation], *, today: dt.date) -> IO[bytes]:
    """Obligations with an alarm (open first), each with `alarm_state` annotated."""
    book = _book()
    sheet = book.sheet(
        _("Alarms"),
        [
            (_("Alarm"), 10),
            (_("Project number"), 14),
            (_("Project name"), 28),
            (_("Enterprise"), 28),
            (_("Side"), 10),
            (_("Obligor"), 26),
            (_("Obligation"), 36),
            (_("Due date"), 12),
            (_("Original due date"), 12),
            (_("Days overdue"), 10),
            (pgettext("obligation", "Status"), 14),
        ],
        autofilter=True,
    )
    for o in obligations:
        if not sheet.add(
            [
                _alarm_label(getattr(o, "alarm_state", "") or ""),
                o.project.reference,
                o.project.name,
                o.project.enterprise.name,
                _side_label(o.obligor_side),
                obligor_name(o),
                o.title,
                o.due_date,
                o.original_due_date,
                days_overdue(o, today),
                o.get_status_display(),
            ]
        ):
            break
    return book.close()


def claims_workbook(rows: Iterable[ClaimRow]) -> IO[bytes]:
    """The committee's work list of claims waiting for an answer (`worklist.claim_row`)."""
    book = _book()
    sheet = book.sheet(
        _("Claims to confirm"),
        [
            (_("Claimed on"), 12),
            (_("Days waiting"), 10),
            (_("To be answered by"), 18),
            (pgettext("claim", "Status"), 14),
            (_("Project number"), 14),
            (_("Project name"), 28),
            (_("Enterprise"), 28),
            (_("Side"), 10),
            (_("Obligor"), 26),
            (_("Obligation"), 36),
            (_("Met on (claimed)"), 12),
            (_("Achieved (claimed)"), 14),
            (_("Contract's due date"), 12),
            (_("Due date"), 12),
            (_("Claimed late"), 10),
        ],
        autofilter=True,
    )
    for row in rows:
        claim, o = row.claim, row.obligation
        if not sheet.add(
            [
                row.claimed_on,
                row.waited_days,
                row.answered_by_label,
                claim.get_status_display(),
                o.project.reference,
                o.project.name,
                o.project.enterprise.name,
                _side_label(o.obligor_side),
                obligor_name(o),
                o.title,
                claim.met_on,
                claim.achieved_value,
                row.contract_due,
                o.due_date,
                _("yes") if row.late else _("no"),
            ]
        ):
            break
    return book.close()
