"""The admin's calendar page: one year at a time, its days, and its status (complete,
provisional or not complete)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qinqing.common.errors import ApplicationError
from qinqing.common.permissions import require_admin

from . import services
from .export import days_workbook
from .forms import CalendarDayForm, CalendarYearForm
from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, YearStatus
from .selectors import calendar_day_get, calendar_days_of_year, calendar_year_choices, calendar_year_summary


def _year_param(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _year_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


def _apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: per field where it names fields."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, str(error))


def _day_rows(days: list[CalendarDay]) -> list[dict[str, Any]]:
    return [{"day": d, "weekend": d.date.weekday() >= 5} for d in days]


def _render_year(
    request: HttpRequest,
    year: int,
    *,
    day_form: CalendarDayForm | None = None,
    year_form: CalendarYearForm | None = None,
    status: int = 200,
) -> HttpResponse:
    days = list(calendar_days_of_year(year))
    summary = calendar_year_summary(year, days)
    if year_form is None:
        record = summary.record
        year_form = CalendarYearForm(
            initial={
                "status": record.status if record else YearStatus.INCOMPLETE,
                "source": record.source if record else "",
            }
        )
    if day_form is None:
        day_form = CalendarDayForm(initial={"date": dt.date(year, 1, 1)})
    context = {
        "year": year,
        "years": calendar_year_choices(),
        "rows": _day_rows(days),
        "summary": summary,
        "day_form": day_form,
        "year_form": year_form,
    }
    return render(request, "workdays/calendar.html", context, status=status)


@require_http_methods(["GET"])
@login_required
@require_admin
def calendar(request: HttpRequest) -> HttpResponse:
    return _render_year(request, _year_param(request.GET.get("year")))


@require_http_methods(["GET"])
@login_required
@require_admin
def calendar_export(request: HttpRequest) -> HttpResponse:
    """The year's listed days as an Excel workbook."""
    year = _year_param(request.GET.get("year"))
    response = HttpResponse(
        days_workbook(year, list(calendar_days_of_year(year))),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="calendar-{year}.xlsx"'
    return response


@require_POST
@login_required
@require_admin
def day_add(request: HttpRequest) -> HttpResponse:
    year = _year_param(request.POST.get("year"))
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            day = services.calendar_day_create(
                actor=request.user, date=data["date"], kind=data["kind"], name=data["name"], note=data["note"]
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, _("%(date)s was added to the calendar.") % {"date": day.date.isoformat()}
            )
            return HttpResponseRedirect(_year_url(day.date.year))
    return _render_year(request, year, day_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@require_admin
def day_edit(request: HttpRequest, day_id: int) -> HttpResponse:
    day = calendar_day_get(day_id)
    if day is None:
        raise Http404
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = services.calendar_day_update(
                    actor=request.user,
                    day=day,
                    date=data["date"],
                    kind=data["kind"],
                    name=data["name"],
                    note=data["note"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("%(date)s was changed.") % {"date": day.date.isoformat()})
                return HttpResponseRedirect(_year_url(day.date.year))
        status = 400
    else:
        form = CalendarDayForm(
            initial={"date": day.date, "kind": day.kind, "name": day.name, "note": day.note}
        )
        status = 200
    return render(request, "workdays/day_edit.html", {"day": day, "form": form}, status=status)


@require_POST
@login_required
@require_admin
def day_delete(request: HttpRequest, day_id: int) -> HttpResponse:
    day = calendar_day_get(day_id)
    if day is None:
        raise Http404
    year = day.date.year
    try:
        services.calendar_day_delete(actor=request.user, day=day)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(date)s was removed from the calendar.") % {"date": day.date.isoformat()}
        )
    return HttpResponseRedirect(_year_url(year))


@require_POST
@login_required
@require_admin
def year_set(request: HttpRequest, year: int) -> HttpResponse:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    form = CalendarYearForm(request.POST)
    if form.is_valid():
        try:
            record = services.calendar_year_set(
                actor=request.user,
                year=year,
                status=form.cleaned_data["status"],
                source=form.cleaned_data["source"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            if record.is_complete:
                messages.success(
                    request,
                    _("%(year)d is marked complete. Open deadlines touching it are being recomputed.")
                    % {"year": year},
                )
            elif record.is_provisional:
                messages.warning(
                    request,
                    _("%(year)d is marked provisional: working-day answers in it are flagged as assumptions.")
                    % {"year": year},
                )
            else:
                messages.warning(
                    request,
                    _("%(year)d is marked incomplete: working-day arithmetic refuses dates in it.")
                    % {"year": year},
                )
            return HttpResponseRedirect(_year_url(year))
    return _render_year(request, year, year_form=form, status=400)
