"""Pages: an official's own declared relations (declare, end), and the supervisor's
list of the declarations in scope, with Excel export."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinqing.accounts.models import Role
from qinqing.common.errors import ApplicationError, NotFound
from qinqing.common.permissions import require_roles
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.selectors import access_enterprise_by_id, enterprise_list

from . import services
from .export import MAX_ROWS, declarations_workbook
from .forms import DeclareForm, EndForm, EnterpriseSearchForm, SupervisedFilterForm
from .selectors import (
    can_read_supervised,
    declarations_filtered,
    declarations_of,
    official_organisation_names,
)

PAGE_SIZE = 50
CANDIDATES = 10

require_official = require_roles(Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE)


def _add_errors(form: forms.Form, exc: ApplicationError) -> None:
    placed = False
    for field, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _candidates(request: HttpRequest, q: str) -> list[Enterprise]:
    if not q.strip():
        return []
    return list(enterprise_list(request.user, q=q)[:CANDIDATES])


def _render_mine(
    request: HttpRequest,
    *,
    declare_form: DeclareForm | None = None,
    q: str = "",
    end_form: EndForm | None = None,
    end_id: uuid.UUID | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for d in declarations_of(request.user):
        form = (
            end_form if end_form is not None and d.public_id == end_id else EndForm(prefix=str(d.public_id))
        )
        rows.append({"declaration": d, "end_form": form})
    candidates = _candidates(request, q)
    chosen = ""
    if declare_form is not None and declare_form.is_bound:
        chosen = str(declare_form.data.get("enterprise", ""))
        if not q:
            try:
                candidates = [access_enterprise_by_id(request.user, chosen)]
            except NotFound:
                candidates = []
    elif len(candidates) == 1:
        chosen = str(candidates[0].public_id)
    context: dict[str, Any] = {
        "rows": rows,
        "search_form": EnterpriseSearchForm(initial={"q": q}),
        "q": q,
        "candidates": candidates,
        "chosen": chosen,
        "declare_form": declare_form or DeclareForm(),
    }
    return render(request, "integrity/mine.html", context, status=status)


@require_GET
@login_required
@require_official
def mine(request: HttpRequest) -> HttpResponse:
    search = EnterpriseSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    return _render_mine(request, q=q)


@require_POST
@login_required
@require_official
def declare(request: HttpRequest) -> HttpResponse:
    form = DeclareForm(request.POST)
    q = str(request.POST.get("q", ""))[:100]
    if form.is_valid():
        try:
            enterprise = access_enterprise_by_id(request.user, form.cleaned_data["enterprise"])
        except NotFound:
            form.add_error("enterprise", _("Choose the enterprise."))
        else:
            try:
                services.relation_declare(
                    actor=request.user,
                    enterprise=enterprise,
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                )
            except ApplicationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The relation was declared."))
                return HttpResponseRedirect(reverse("integrity:mine"))
    return _render_mine(request, declare_form=form, q=q, status=400)


@require_POST
@login_required
@require_official
def end(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    declaration = declarations_of(request.user).filter(public_id=public_id).first()
    if declaration is None:
        raise Http404
    form = EndForm(request.POST, prefix=str(public_id))
    if form.is_valid():
        try:
            services.relation_end(
                actor=request.user, declaration=declaration, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The declaration was ended."))
            return HttpResponseRedirect(reverse("integrity:mine"))
    return _render_mine(request, end_form=form, end_id=public_id, status=400)


def _require_supervised_reader(request: HttpRequest) -> None:
    if not can_read_supervised(request.user):
        raise DjangoPermissionDenied


@require_GET
@login_required
def supervised(request: HttpRequest) -> HttpResponse:
    _require_supervised_reader(request)
    form = SupervisedFilterForm(request.GET)
    values = form.values()
    page = Paginator(declarations_filtered(request.user, **values), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in values.items() if v})
    rows = [{"declaration": d, "organisations": official_organisation_names(d)} for d in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "export_url": reverse("integrity:supervised_export") + (f"?{query}" if query else ""),
    }
    return render(request, "integrity/supervised.html", context)


@require_GET
@login_required
def supervised_export(request: HttpRequest) -> HttpResponse:
    _require_supervised_reader(request)
    values = SupervisedFilterForm(request.GET).values()
    response = HttpResponse(
        declarations_workbook(declarations_filtered(request.user, **values)[:MAX_ROWS]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"declared-relations-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
