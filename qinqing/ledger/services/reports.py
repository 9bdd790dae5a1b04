"""Reports kept as they were issued.

`report_generate` records the request (`pending`) and enqueues one job on commit; the
job (`report_run`) computes the figures from the ledger as it stood at the period's
end, writes the Excel and PDF files to the default storage under generated names, and
marks the report ready (figures, their SHA-256, the files) or failed (with the error).
Running the job twice changes nothing: a report no longer pending is left as it is, and
of two runs racing, the second to finish deletes the files it wrote."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.downloads import stored_download
from qinqing.common.errors import NotFound, PermissionDenied, ValidationFailed
from qinqing.common.xlsx import XLSX_CONTENT_TYPE

from ..models import LedgerReport, ReportKind, ReportStatus
from .common import require_user, today

logger = logging.getLogger(__name__)

# A report covers at most this many days (a year and a day for leap years).
MAX_PERIOD_DAYS = 366


def canonical_json(figures: Any) -> str:
    """The one spelling of the figures that their digest is taken of."""
    return json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def figures_digest(figures: Any) -> str:
    return hashlib.sha256(canonical_json(figures).encode()).hexdigest()


def may_report_on(user: Any, scope: Organisation) -> bool:
    """Supervisors whose reach covers the scope's node."""
    return any(scope.path.startswith(p) for p in scope_for(user).paths_for(Role.SUPERVISOR))


def _language() -> str:
    current = (translation.get_language() or "zh-hans").lower()
    return "en" if current.startswith("en") else "zh-hans"


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter `day` falls in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, following - dt.timedelta(days=1)


def last_complete_quarter(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The latest quarter that has ended by `day` (today): the quarterly report's
    default, as the previous month is the monthly report's."""
    start, _end = quarter_of(day or today())
    return quarter_of(start - dt.timedelta(days=1))


def is_calendar_quarter(start: dt.date, end: dt.date) -> bool:
    """From a quarter's first day to its last, or, for the quarter under way, to a day
    within it (the quarter to date, provisional when that is today)."""
    first, last = quarter_of(start)
    return start == first and (end == last or (last > today() and first <= end < last))


def _clean(kind: Any, scope: Any, period_start: Any, period_end: Any) -> tuple[str, dt.date, dt.date]:
    errors: dict[str, list[str]] = {}
    if kind not in ReportKind.values:
        errors["kind"] = [str(_("Choose one of the offered reports."))]
    if not isinstance(scope, Organisation):
        errors["scope"] = [str(_("Choose the organisation the report covers."))]
    dates = {"period_start": period_start, "period_end": period_end}
    for name, value in dates.items():
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[name] = [str(_("Enter a date."))]
    if not errors:
        if period_end < period_start:
            errors["period_end"] = [str(_("The period must end on or after the day it starts."))]
        elif (period_end - period_start).days >= MAX_PERIOD_DAYS:
            errors["period_end"] = [str(_("A report covers at most a year."))]
        elif period_end > today():
            errors["period_end"] = [
                str(_("The period has not ended yet: its figures could still change. Choose an earlier end."))
            ]
        elif kind == ReportKind.QUARTERLY_PROGRESS and not is_calendar_quarter(period_start, period_end):
            # 工作进展季报 compares quarters: a month or a stretch across two would not.
            example_start, example_end = last_complete_quarter()
            message = _(
                "A quarterly report covers one calendar quarter: from 1 January, 1 April, 1 July or "
                "1 October to the last day of that quarter, or to today for the quarter under way "
                "(for example %(start)s – %(end)s)."
            ) % {"start": example_start.isoformat(), "end": example_end.isoformat()}
            wrong = "period_end" if quarter_of(period_start)[0] == period_start else "period_start"
            errors[wrong] = [str(message)]
    if errors:
        raise ValidationFailed(fields=errors)
    return str(kind), period_start, period_end


def report_generate(*, actor: Any, kind: Any, scope: Any, period_start: Any, period_end: Any) -> LedgerReport:
    """A supervisor whose reach covers `scope` asks for a report of the period; it is
    prepared by a job and kept."""
    user = require_user(actor)
    kind, start, end = _clean(kind, scope, period_start, period_end)
    if not may_report_on(user, scope):
        raise PermissionDenied(
            _("Only supervisors whose reach covers this organisation may ask for its reports.")
        )
    with transaction.atomic(durable=True):
        report = LedgerReport.objects.create(
            kind=kind,
            scope=scope,
            period_start=start,
            period_end=end,
            requested_by=user,
            language=_language(),
        )
        audit_record(
            actor=user,
            action="ledger.report.request",
            obj=report,
            organisation=scope,
            after={"kind": kind, "period_start": start.isoformat(), "period_end": end.isoformat()},
        )
        public_id = report.public_id
        transaction.on_commit(lambda: _enqueue(public_id))
    return report


def _enqueue(public_id: UUID) -> None:
    from ..tasks import generate_ledger_report

    generate_ledger_report.enqueue(report_id=str(public_id))


def _lock(report_id: UUID) -> LedgerReport:
    report = (
        LedgerReport.objects.select_for_update(of=("self",))
        .select_related("scope")
        .filter(public_id=report_id)
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def _files(report: LedgerReport, figures: dict[str, Any]) -> tuple[str, str]:
    from ..reports import render

    created_at = report.created_at
    doc = render.build(figures, report.language)
    stem = f"ledger/reports/{report.period_start:%Y%m}/{uuid.uuid4().hex}"
    spooled = _spooled()
    with File(spooled, name="report.xlsx") as xlsx:
        render.write_xlsx(doc, spooled, created_at=created_at, language=report.language)
        xlsx.seek(0)
        xlsx_name = default_storage.save(f"{stem}.xlsx", xlsx)
    try:
        pdf = render.write_pdf(doc, kind=report.kind, created_at=created_at, language=report.language)
        pdf_name = default_storage.save(f"{stem}.pdf", ContentFile(pdf))
    except BaseException:
        default_storage.delete(xlsx_name)
        raise
    return xlsx_name, pdf_name


def _spooled() -> Any:
    import tempfile

    # Written to disk past a few MB: a large workbook never sits whole in memory.
    return tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - closed by File


def report_run(*, report_id: UUID | str) -> LedgerReport:
    """The job: compute, write, and mark the report ready or failed. Safe to run twice."""
    from ..reports import Period, compute

    key = UUID(str(report_id))
    with transaction.atomic(durable=True):
        report = _lock(key)
        if report.status != ReportStatus.PENDING:
            return report
    try:
        # A period that ends today is not over: it is counted as of now, and says so.
        now = timezone.now()
        as_of = now if report.period_end >= timezone.localdate(now) else None
        with transaction.atomic(durable=True):
            figures = compute(
                report.kind, Period(report.scope, report.period_start, report.period_end, as_of)
            )
        digest = figures_digest(figures)
        xlsx_name, pdf_name = _files(report, figures)
    except Exception as exc:
        logger.exception("ledger report %s could not be prepared", key)
        with transaction.atomic(durable=True):
            report = _lock(key)
            if report.status == ReportStatus.PENDING:
                report.status = ReportStatus.FAILED
                report.error = f"{type(exc).__name__}: {exc}"[:2000]
                report.save(update_fields=["status", "error", "updated_at"])
        return report
    with transaction.atomic(durable=True):
        report = _lock(key)
        if report.status != ReportStatus.PENDING:
            # Another run finished first: its files stand.
            default_storage.delete(xlsx_name)
            default_storage.delete(pdf_name)
            return report
        report.figures = figures
        report.figures_sha256 = digest
        report.xlsx_name = xlsx_name
        report.pdf_name = pdf_name
        report.status = ReportStatus.READY
        report.generated_at = timezone.now()
        report.error = ""
        report.save()
        audit_record(
            actor=None,
            action="ledger.report.ready",
            obj=report,
            organisation=report.scope,
            after={"figures_sha256": digest},
        )
    return report


# A ready report's files: format → content type.
REPORT_FILE_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}


def report_download(report: LedgerReport, fmt: str) -> FileResponse:
    """A ready report's workbook ("xlsx") or PDF ("pdf") as an attachment, named after
    the report and its period. NotFound when the report is not ready, the format is not
    one of its files, or the stored file is gone (the page and the API answer 404)."""
    name = {"xlsx": report.xlsx_name, "pdf": report.pdf_name}.get(fmt, "")
    if report.status != ReportStatus.READY or not name:
        raise NotFound(_("The report is not ready."))
    filename = f"{report.get_kind_display()} {report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{fmt}"
    try:
        return stored_download(name, filename=filename, content_type=REPORT_FILE_TYPES[fmt])
    except FileNotFoundError as exc:
        raise NotFound() from exc
