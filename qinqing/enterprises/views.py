"""Registry pages: list and search, detail, "my enterprise", import, Excel export.

Thin: records come from the selectors (scoped by role), changes go through the
services; a refused change becomes a message on the page, never a 500.
"""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinqing.accounts.models import User
from qinqing.common.errors import ApplicationError, NotFound, ValidationFailed

from . import labels as label_rules
from .export import write_enterprises_xlsx
from .forms import EnterpriseFilterForm, ImportForm, LabelsForm, PinyinForm, VerifyBankAccountForm
from .importing import file_too_large, import_limits
from .models import Enterprise
from .selectors import (
    access_enterprise_by_id,
    access_enterprise_import_by_id,
    enterprise_import_list,
    enterprise_list,
    enterprises_of_user,
    registry_can_read,
    registry_can_write,
    registry_sees_bank_accounts,
)
from .services import (
    enterprise_import,
    enterprise_set_labels,
    enterprise_set_pinyin,
    enterprise_verify_bank_account,
)

PAGE_SIZE = 25
DEFAULT_EXPORT_MAX_ROWS = 100_000


def _actor(request: HttpRequest) -> User:
    # Every view that changes something is behind login_required.
    return cast(User, request.user)


def _require_reader(request: HttpRequest) -> None:
    if not registry_can_read(request.user):
        raise PermissionDenied


def _require_writer(request: HttpRequest) -> None:
    if not registry_can_write(request.user):
        raise PermissionDenied


def _access(request: HttpRequest, public_id: Any) -> Enterprise:
    try:
        return access_enterprise_by_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
@login_required
def enterprise_list_view(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = EnterpriseFilterForm(request.GET or None)
    enterprises = enterprise_list(request.user, **form.filters())
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_write": registry_can_write(request.user),
    }
    if request.headers.get("HX-Request") == "true":
        response = render(request, "enterprises/list.html#results", context)
    else:
        response = render(request, "enterprises/list.html", context)
    # The same URL answers with the whole page or the fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_context(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any]:
    can_write = registry_can_write(request.user)
    labels = [
        {"key": lb.key, "name": label_rules.display_name(lb.key), "value": lb.value, "since": lb.since}
        for lb in enterprise.labels.all()
    ]
    context: dict[str, Any] = {
        "enterprise": enterprise,
        "labels": labels,
        "can_write": can_write,
        "bank_account": (
            enterprise.bank_account_number
            if registry_sees_bank_accounts(request.user)
            else enterprise.bank_account_masked
        ),
    }
    if can_write:
        context["pinyin_form"] = PinyinForm()
        context["labels_form"] = LabelsForm(
            initial={
                "labels": label_rules.format_labels({lb.key: lb.value for lb in enterprise.labels.all()})
            }
        )
        context["verify_form"] = VerifyBankAccountForm(
            initial={"account_number": enterprise.bank_account_number}
        )
    return context


@require_GET
@login_required
def enterprise_detail_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_reader(request)
    enterprise = _access(request, public_id)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@require_GET
@login_required
def enterprise_mine_view(request: HttpRequest) -> HttpResponse:
    enterprises = list(enterprises_of_user(request.user))
    if not enterprises:
        raise PermissionDenied
    if len(enterprises) == 1:
        context = _detail_context(request, enterprises[0])
        context["mine"] = True
        return render(request, "enterprises/detail.html", context)
    return render(request, "enterprises/mine.html", {"enterprises": enterprises})


def _apply(request: HttpRequest, enterprise: Enterprise, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        problems = [str(exc.message)] + [str(m) for ms in exc.fields.values() for m in ms]
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, success)
    return redirect("enterprises:detail", public_id=enterprise.public_id)


@require_POST
@login_required
def enterprise_verify_bank_account_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_writer(request)
    enterprise = _access(request, public_id)
    form = VerifyBankAccountForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, enterprise, form)
    number = form.cleaned_data["account_number"]
    return _apply(
        request,
        enterprise,
        lambda: enterprise_verify_bank_account(
            actor=_actor(request), enterprise=enterprise, account_number=number
        ),
        _("The bank account is verified."),
    )


def _form_refused(request: HttpRequest, enterprise: Enterprise, form: Any) -> HttpResponse:
    messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("enterprises:detail", public_id=enterprise.public_id)


@require_POST
@login_required
def enterprise_set_pinyin_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_writer(request)
    enterprise = _access(request, public_id)
    form = PinyinForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, enterprise, form)
    reading = form.cleaned_data["reading"] or None
    return _apply(
        request,
        enterprise,
        lambda: enterprise_set_pinyin(actor=_actor(request), enterprise=enterprise, reading=reading),
        _("The pinyin is saved."),
    )


@require_POST
@login_required
def enterprise_set_labels_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_writer(request)
    enterprise = _access(request, public_id)
    form = LabelsForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, enterprise, form)
    text = form.cleaned_data["labels"]

    def action() -> None:
        try:
            parsed = label_rules.parse_labels(text)
        except label_rules.InvalidLabel as exc:
            raise ValidationFailed(fields={"labels": [exc.message]}) from exc
        enterprise_set_labels(actor=_actor(request), enterprise=enterprise, labels=parsed)

    return _apply(request, enterprise, action, _("The labels are saved."))


@require_http_methods(["GET", "POST"])
@login_required
def enterprise_import_view(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        max_bytes, _rows = import_limits()
        if upload.size > max_bytes:
            # Refused before reading: the upload may already sit in a temporary file.
            form.add_error("file", str(file_too_large(max_bytes).message))
        else:
            try:
                record = enterprise_import(actor=_actor(request), file_name=upload.name, data=upload.read())
            except ApplicationError as exc:
                form.add_error("file", str(exc.message))
                for field_messages in exc.fields.values():
                    for message in field_messages:
                        form.add_error("file", str(message))
            else:
                return redirect("enterprises:import_detail", public_id=record.public_id)
    imports = enterprise_import_list(request.user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "enterprises/import.html", {"form": form, "imports": imports}, status=status)


@require_GET
@login_required
def enterprise_import_detail_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_writer(request)
    try:
        record = access_enterprise_import_by_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    context = {"record": record, "report": record.report}
    if request.headers.get("HX-Request") == "true":
        # A queued import's page asks every few seconds whether the worker is done.
        response = render(request, "enterprises/import_detail.html#result", context)
    else:
        response = render(request, "enterprises/import_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def export_limit() -> int:
    """Rows one export may hold (setting ENTERPRISE_EXPORT_MAX_ROWS): a web request
    writes about 3,000 rows a second, so the whole registry is exported by region."""
    return int(getattr(settings, "ENTERPRISE_EXPORT_MAX_ROWS", DEFAULT_EXPORT_MAX_ROWS))


@require_GET
@login_required
def enterprise_export_view(request: HttpRequest) -> HttpResponseBase:
    _require_reader(request)
    form = EnterpriseFilterForm(request.GET or None)
    enterprises = enterprise_list(request.user, **form.filters())
    count, limit = enterprises.count(), export_limit()
    if count > limit:
        messages.error(
            request,
            _("An export holds at most %(limit)s rows and %(count)s match; narrow the search.")
            % {"limit": intcomma(limit), "count": intcomma(count)},
        )
        query = request.GET.urlencode()
        return redirect(reverse("enterprises:list") + ("?" + query if query else ""))
    # Spooled: small exports stay in memory, big ones go to disk, never all in memory.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    write_enterprises_xlsx(out, enterprises, full_bank_accounts=registry_sees_bank_accounts(request.user))
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"enterprises-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
