"""Monitoring points (监测点) and appointed observers (观察员): the commission's lists, a
printable page per point with its report link as a QR code, and the forms appointing
them. A point's public report page (its token link) is the loop's."""

from __future__ import annotations

import uuid
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinqing.accounts.models import User
from qinqing.common.errors import ApplicationError
from qinqing.common.xlsx import xlsx_response
from qinqing.enterprises.models import Enterprise

from .. import services
from ..forms_office import ObserverForm, PointForm
from ..models import MonitoringPoint, Observer
from ..selectors import observers_for, points_for
from .office import (
    PAGE_SIZE,
    apply_errors,
    commission_nodes,
    point_report_url,
    raise_refusal,
    render_office,
    require_commission,
)


def points_listed(user: Any) -> QuerySet[MonitoringPoint]:
    """The points in the supervisor's reach (`selectors.points_for`) with their counts."""
    return points_for(user).annotate(problem_count=Count("problems")).order_by("name", "id")


def observers_listed(user: Any) -> QuerySet[Observer]:
    return observers_for(user).annotate(problem_count=Count("problems")).order_by("id")


def qr_svg(url: str, *, scale: int) -> SafeString:
    """The QR code of `url` as inline SVG (segno writes only its own markup; the URL is
    encoded in the path data, never written as text)."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=scale, border=2, title=_("QR code of the report link"), svgclass="qq-qr")
    return mark_safe(svg)  # noqa: S308 - segno's own SVG, no user text in it


def point_link(request: HttpRequest, point: MonitoringPoint) -> str:
    return request.build_absolute_uri(point_report_url(point.token))


@require_GET
@login_required
@require_commission
def points(request: HttpRequest) -> HttpResponse:
    page = Paginator(points_listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for point in page.object_list:
        link = point_link(request, point)
        rows.append(
            {
                "point": point,
                "link": link,
                "qr": qr_svg(link, scale=2),
                "url": reverse("ledger:point", args=[point.public_id]),
            }
        )
    return render_office(
        request,
        "ledger/office/points.html",
        {
            "rows": rows,
            "page": page,
            "query": "",
            "export_url": reverse("ledger:points_export"),
            "may_appoint": bool(commission_nodes(request.user)),
        },
    )


@require_GET
@login_required
@require_commission
def point(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = points_listed(request.user).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    link = point_link(request, found)
    return render_office(
        request,
        "ledger/office/point.html",
        {"point": found, "link": link, "qr": qr_svg(link, scale=8)},
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_commission
def point_new(request: HttpRequest) -> HttpResponse:
    nodes = commission_nodes(request.user)
    if not nodes:
        raise DjangoPermissionDenied
    form = PointForm(request.POST or None, organisations=nodes)
    template = "ledger/office/form_page.html"
    page = {
        "form": form,
        "heading": _("Appoint a monitoring point"),
        "lead": _(
            "An enterprise or a place that watches the business environment. It gets its own report "
            "link and QR code; people there report without an account."
        ),
        "submit": _("Appoint"),
        "cancel_url": reverse("ledger:points"),
    }
    if request.method == "GET":
        return render_office(request, template, page)
    if not form.is_valid():
        return render_office(request, template, page, status=400)
    data = form.cleaned_data
    enterprise = None
    if data.get("credit_code"):
        enterprise = Enterprise.objects.filter(credit_code=data["credit_code"]).first()
        if enterprise is None:
            form.add_error("credit_code", _("No enterprise with this code is in the registry."))
            return render_office(request, template, page, status=400)
    try:
        created = services.monitoring_point_appoint(
            actor=request.user,
            name=data["name"],
            organisation=form.chosen_organisation(),
            appointed_on=data["appointed_on"],
            enterprise=enterprise,
            address=data.get("address", ""),
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return render_office(request, template, page, status=exc.http_status)
    messages.success(request, _("Monitoring point “%(name)s” appointed.") % {"name": created.name})
    return HttpResponseRedirect(reverse("ledger:point", args=[created.public_id]))


@require_GET
@login_required
@require_commission
def observers(request: HttpRequest) -> HttpResponse:
    page = Paginator(observers_listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_office(
        request,
        "ledger/office/observers.html",
        {
            "rows": list(page.object_list),
            "page": page,
            "query": "",
            "export_url": reverse("ledger:observers_export"),
            "may_appoint": bool(commission_nodes(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_commission
def observer_new(request: HttpRequest) -> HttpResponse:
    nodes = commission_nodes(request.user)
    if not nodes:
        raise DjangoPermissionDenied
    form = ObserverForm(request.POST or None, organisations=nodes)
    template = "ledger/office/form_page.html"
    page = {
        "form": form,
        "heading": _("Appoint an observer"),
        "lead": _(
            "An observer of the business environment reports on their own page and sees only what "
            "they reported."
        ),
        "submit": _("Appoint"),
        "cancel_url": reverse("ledger:observers"),
    }
    if request.method == "GET":
        return render_office(request, template, page)
    if not form.is_valid():
        return render_office(request, template, page, status=400)
    data = form.cleaned_data
    person = User.objects.filter(username=data["username"].strip(), is_active=True).first()
    if person is None:
        form.add_error("username", _("No active user has this user name."))
        return render_office(request, template, page, status=400)
    try:
        services.observer_appoint(
            actor=request.user,
            user=person,
            organisation=form.chosen_organisation(),
            appointed_on=data["appointed_on"],
            affiliation=data.get("affiliation", ""),
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        exc.fields = {("username" if k == "user" else k): v for k, v in exc.fields.items()}
        apply_errors(form, exc)
        return render_office(request, template, page, status=exc.http_status)
    messages.success(request, _("%(name)s appointed as an observer.") % {"name": person})
    return HttpResponseRedirect(reverse("ledger:observers"))


@require_GET
@login_required
@require_commission
def points_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    rows = ((p, point_link(request, p)) for p in points_listed(request.user))
    workbook = export.points_workbook(rows)
    return xlsx_response(workbook, f"monitoring-points-{timezone.localdate().isoformat()}.xlsx")


@require_GET
@login_required
@require_commission
def observers_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    workbook = export.observers_workbook(observers_listed(request.user))
    return xlsx_response(workbook, f"observers-{timezone.localdate().isoformat()}.xlsx")
