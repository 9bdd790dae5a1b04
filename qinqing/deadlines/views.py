"""Pages: open alerts in the reader's scope (with Excel export), and the admin's
ladders."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinqing.accounts.models import Role
from qinqing.common.errors import ApplicationError
from qinqing.common.permissions import require_admin, require_roles

from . import services
from .export import MAX_ROWS, alerts_workbook
from .forms import LadderForm
from .ladders import find_ladder
from .models import RungName
from .selectors import alert_kinds, alert_rows, ladder_views, open_alerts

PAGE_SIZE = 50

require_alert_readers = require_roles(Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR)


def _filters(request: HttpRequest) -> tuple[str, str]:
    rung = request.GET.get("rung", "")
    kind = request.GET.get("kind", "")
    return (rung if rung in RungName.values else ""), kind[:64]


@require_GET
@login_required
@require_alert_readers
def alerts(request: HttpRequest) -> HttpResponse:
    rung, kind = _filters(request)
    page = Paginator(open_alerts(request.user, rung=rung, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in (("rung", rung), ("kind", kind)) if v})
    rows = alert_rows(page.object_list)
    context = {
        "page": page,
        "rows": rows,
        "any_provisional": any(row.deadline.provisional for row in rows),
        "provisional_tip": _(
            "Deadlines marked provisional have dates in a year whose working-day calendar is an "
            "assumption (only the statutory holidays, until the State Council's notice is entered); "
            "they are recomputed when the year is marked complete."
        ),
        "rung": rung,
        "kind": kind,
        "rungs": RungName.choices,
        "kinds": alert_kinds(request.user),
        "query": query,
        "export_url": reverse("deadlines:alerts_export") + (f"?{query}" if query else ""),
    }
    return render(request, "deadlines/alerts.html", context)


@require_GET
@login_required
@require_alert_readers
def alerts_export(request: HttpRequest) -> HttpResponse:
    rung, kind = _filters(request)
    rows = alert_rows(open_alerts(request.user, rung=rung, kind=kind)[:MAX_ROWS])
    response = HttpResponse(
        alerts_workbook(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"alerts-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render_ladders(
    request: HttpRequest, *, kind: str = "", form: LadderForm | None = None, status: int = 200
) -> HttpResponse:
    entries = []
    for view in ladder_views():
        if form is not None and view.ladder.kind == kind:
            entry_form = form
        else:
            note = view.override.note if view.override else ""
            entry_form = LadderForm(initial=LadderForm.initial_for(view.rungs, note))
        entries.append({"view": view, "form": entry_form})
    return render(request, "deadlines/ladders.html", {"entries": entries}, status=status)


@require_GET
@login_required
@require_admin
def ladders(request: HttpRequest) -> HttpResponse:
    return _render_ladders(request)


@require_POST
@login_required
@require_admin
def ladder_set(request: HttpRequest, kind: str) -> HttpResponse:
    if find_ladder(kind) is None:
        raise Http404
    form = LadderForm(request.POST)
    if form.is_valid():
        try:
            services.ladder_override_set(
                actor=request.user, kind=kind, rungs=form.rungs_json(), note=form.cleaned_data["note"]
            )
        except ApplicationError as exc:
            form.add_error(
                None, " ".join([str(exc.message), *(str(e) for v in exc.fields.values() for e in v)])
            )
        else:
            messages.success(request, _("The ladder was saved; open items are being recomputed."))
            return HttpResponseRedirect(reverse("deadlines:ladders"))
    return _render_ladders(request, kind=kind, form=form, status=400)


@require_POST
@login_required
@require_admin
def ladder_reset(request: HttpRequest, kind: str) -> HttpResponse:
    if find_ladder(kind) is None:
        raise Http404
    services.ladder_override_clear(actor=request.user, kind=kind)
    messages.success(request, _("The ladder is back to its declared rungs."))
    return HttpResponseRedirect(reverse("deadlines:ladders"))
