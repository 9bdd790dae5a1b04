"""The reports' pages: the list of issued reports with the request form, one report's
figures (headline sentences and tables, from the stored figures), and its files.

Only supervisors see these pages; a report is read through `selectors.reports_for`
(those in the reader's reach, and those they asked for), anything else is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.pickers import in_tree_order, organisation_choices
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import ApplicationError, NotFound

from .. import selectors
from ..forms_office import DATE, Styled
from ..models import LedgerReport, ReportKind, ReportStatus
from ..reports import render as report_render
from ..services.reports import last_complete_quarter, quarter_of, report_download, report_generate
from .office import PAGE_SIZE, apply_errors, raise_refusal, render_office, require_commission


def reach_organisations(user: Any) -> list[Organisation]:
    """The nodes a supervisor may ask reports on: everything inside their reach."""
    paths = scope_for(user).paths_for(Role.SUPERVISOR)
    if not paths:
        return []
    return in_tree_order(Organisation.objects.filter(subtree_q("path", paths)).order_by("path")[:2000])


def previous_month() -> tuple[dt.date, dt.date]:
    first = timezone.localdate().replace(day=1)
    end = first - dt.timedelta(days=1)
    return end.replace(day=1), end


QUARTERS_OFFERED = 8


def quarter_value(start: dt.date) -> str:
    """A quarter as the picker names it: "2026-3"."""
    return f"{start.year}-{(start.month - 1) // 3 + 1}"


def quarter_choices(day: dt.date) -> list[tuple[str, str]]:
    """The quarter under way (to date) and the eight before it, latest first, as
    "2026-3" → "2026 Q3 (2026-07-01 – 2026-09-30)"."""
    out: list[tuple[str, str]] = []
    start, end = quarter_of(day)
    for _n in range(QUARTERS_OFFERED + 1):
        shown_end = min(end, day)
        label = _("%(year)d Q%(quarter)d (%(start)s – %(end)s)") % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
            "start": start.isoformat(),
            "end": shown_end.isoformat(),
        }
        if shown_end < end:
            label = _("%(quarter)s, to date") % {"quarter": label}
        out.append((quarter_value(start), str(label)))
        start, end = quarter_of(start - dt.timedelta(days=1))
    return out


def quarter_period(value: str, day: dt.date) -> tuple[dt.date, dt.date]:
    year, _sep, number = value.partition("-")
    start, end = quarter_of(dt.date(int(year), 3 * int(number) - 2, 1))
    return start, min(end, day)


class ReportRequestForm(Styled):
    """The report, its scope and its period: a quarter for the quarterly report (the
    dates are not asked then), from and to for the others."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    scope = forms.ChoiceField(label=_("Scope"), help_text=_("The organisation and everything under it."))
    quarter = forms.ChoiceField(
        label=_("Quarter"), required=False, help_text=_("For the quarterly progress report.")
    )
    period_start = forms.DateField(
        label=_("From"), widget=DATE, required=False, help_text=_("For the monthly report and the circular.")
    )
    period_end = forms.DateField(label=_("To"), widget=DATE, required=False)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.public_id): o for o in organisations}
        self._today = timezone.localdate()
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = organisation_choices(organisations)
        quarter = self.fields["quarter"]
        assert isinstance(quarter, forms.ChoiceField)
        quarter.choices = quarter_choices(self._today)
        # The page's script shows the quarter or the dates as the report chosen asks.
        self.fields["kind"].widget.attrs["data-quarterly"] = ReportKind.QUARTERLY_PROGRESS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quarterly = data.get("kind") == ReportKind.QUARTERLY_PROGRESS
        if quarterly and data.get("quarter"):
            data["period_start"], data["period_end"] = quarter_period(data["quarter"], self._today)
            return data
        if quarterly and not (data.get("period_start") or data.get("period_end")):
            if not self.has_error("quarter"):
                self.add_error("quarter", _("Choose the quarter."))
            return data
        # Dates given for a quarterly report are checked by the service to form a quarter.
        for name in ("period_start", "period_end"):
            if not data.get(name) and not self.has_error(name):
                self.add_error(name, _("Enter a date."))
        return data

    def scope_organisation(self) -> Organisation | None:
        return self._organisations.get(self.cleaned_data.get("scope", ""))


def _list_page(request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
    reports = selectors.reports_for(request.user).order_by("-created_at", "-id")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_office(
        request,
        "ledger/reports/list.html",
        {"form": form, "page": page, "reports": page.object_list},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_commission
def reports(request: HttpRequest) -> HttpResponse:
    organisations = reach_organisations(request.user)
    if request.method == "GET":
        start, end = previous_month()
        quarter_start, _quarter_end = last_complete_quarter()
        initial = {
            "period_start": start,
            "period_end": end,
            "kind": ReportKind.MONTHLY_CLUES,
            # The quarterly report's default: the last quarter that has ended.
            "quarter": quarter_value(quarter_start),
        }
        if organisations:
            initial["scope"] = str(organisations[0].public_id)
        return _list_page(request, ReportRequestForm(organisations=organisations, initial=initial))
    form = ReportRequestForm(request.POST, organisations=organisations)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = form.cleaned_data
    try:
        report = report_generate(
            actor=request.user,
            kind=data["kind"],
            scope=form.scope_organisation(),
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return _list_page(request, form, status=400)
    return HttpResponseRedirect(reverse("ledger:report_detail", args=[report.public_id]))


def access_report(user: Any, public_id: Any) -> LedgerReport:
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    report = selectors.reports_for(user).filter(public_id=key).first()
    if report is None:
        raise Http404
    return report


@require_GET
@login_required
@require_commission
def report_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    report = access_report(request.user, public_id)
    language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
    document = None
    if report.status == ReportStatus.READY and report.figures:
        document = report_render.build(report.figures, language)
    context = {"report": report, "document": document, "pending": report.status == ReportStatus.PENDING}
    if request.headers.get("HX-Request") == "true":
        response = render_office(request, "ledger/reports/detail.html#body", context)
    else:
        response = render_office(request, "ledger/reports/detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
@require_commission
def report_file(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    report = access_report(request.user, public_id)
    try:
        response = report_download(report, fmt)
    except NotFound as exc:
        raise Http404 from exc
    # A streamed file; the decorators are typed for plain responses.
    return cast(HttpResponse, response)


@require_GET
@login_required
@require_commission
def reports_export(request: HttpRequest) -> HttpResponse:
    """The list of reports as a workbook: what was asked, by whom, when, and the digest
    of the figures each stands for."""
    from qinqing.common.xlsx import xlsx_response

    from ..export import reports_workbook

    reports = selectors.reports_for(request.user).order_by("-created_at", "-id")
    workbook = reports_workbook(reports.iterator())
    # A streamed file; the decorators are typed for plain responses.
    return cast(
        HttpResponse, xlsx_response(workbook, f"ledger-reports-{timezone.localdate().isoformat()}.xlsx")
    )
