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
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import ApplicationError, NotFound

from .. import selectors
from ..forms_office import DATE, Styled
from ..models import LedgerReport, ReportKind, ReportStatus
from ..reports import render as report_render
from ..services.reports import report_download, report_generate
from .office import PAGE_SIZE, apply_errors, raise_refusal, render_office, require_commission


def reach_organisations(user: Any) -> list[Organisation]:
    """The nodes a supervisor may ask reports on: everything inside their reach."""
    paths = scope_for(user).paths_for(Role.SUPERVISOR)
    if not paths:
        return []
    return list(Organisation.objects.filter(subtree_q("path", paths)).order_by("path")[:2000])


def previous_month() -> tuple[dt.date, dt.date]:
    first = timezone.localdate().replace(day=1)
    end = first - dt.timedelta(days=1)
    return end.replace(day=1), end


class ReportRequestForm(Styled):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    scope = forms.ChoiceField(label=_("Scope"), help_text=_("The organisation and everything under it."))
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.public_id): o for o in organisations}
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.public_id), "　" * max(o.depth - 1, 0) + o.name) for o in organisations]

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
        initial = {"period_start": start, "period_end": end, "kind": ReportKind.MONTHLY_CLUES}
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
