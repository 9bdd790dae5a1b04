"""Pages for officers, heads and supervisors: the payment instructions in scope with
their status and attempts, each payment's every try, and an officer's retry."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError, NotFound, PermissionDenied
from qinqing.common.permissions import require_roles

from .forms import RetryForm
from .models import PaymentInstruction, PaymentStatus
from .selectors import access_payment_by_public_id, payments_in_scope
from .services import payment_retry, payment_retry_refusal, payment_source_payee

PAGE_SIZE = 50

require_payment_readers = require_roles(
    Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR, "admin"
)


def _access(request: HttpRequest, public_id: object) -> PaymentInstruction:
    try:
        return access_payment_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc


def _may_write(request: HttpRequest, instruction: PaymentInstruction) -> bool:
    return scope_for(request.user).covers_path(instruction.organisation.path, write=True)


def _may_retry(request: HttpRequest, instruction: PaymentInstruction) -> bool:
    return instruction.status == PaymentStatus.FAILED and _may_write(request, instruction)


def _detail_page(
    request: HttpRequest,
    instruction: PaymentInstruction,
    *,
    form: RetryForm | None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "payments/detail.html",
        {
            "instruction": instruction,
            "attempts": instruction.attempt_log.all(),
            "form": form,
            "retry_refusal": refusal,
        },
        status=status,
    )


@require_GET
@login_required
@require_payment_readers
def payment_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PaymentStatus.values else ""
    qs = payments_in_scope(request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": PaymentStatus.choices,
        "query": urlencode({"status": status}) if status else "",
    }
    return render(request, "payments/list.html", context)


@require_GET
@login_required
@require_payment_readers
def payment_detail(request: HttpRequest, public_id: object) -> HttpResponse:
    instruction = _access(request, public_id)
    if not _may_retry(request, instruction):
        return _detail_page(request, instruction, form=None)
    # The rules of the record paid for (a case's recusal, its payee): no form, and why.
    refusal = payment_retry_refusal(request.user, instruction)
    source, refusal = _source_payee(instruction, refusal)
    form = RetryForm(instance=instruction, source_payee=source) if refusal is None else None
    return _detail_page(request, instruction, form=form, refusal=refusal)


def _source_payee(
    instruction: PaymentInstruction, refusal: str | None
) -> tuple[dict[str, str] | None, str | None]:
    """The payee the record paid for keeps, if any, and why nothing can be sent (the
    recusal `refusal` given, or an account the registry has not verified)."""
    if refusal is not None:
        return None, refusal
    try:
        return payment_source_payee(instruction), None
    except ApplicationError as exc:
        return None, str(exc.message)


@require_POST
@login_required
@require_payment_readers
def payment_retry_view(request: HttpRequest, public_id: object) -> HttpResponse:
    instruction = _access(request, public_id)
    if not _may_write(request, instruction):
        raise DjangoPermissionDenied
    source, _refusal = _source_payee(instruction, None)
    form = RetryForm(request.POST, instance=instruction, source_payee=source)
    if form.is_valid():
        try:
            payment_retry(actor=request.user, instruction=instruction, **form.payee())
        except PermissionDenied as exc:
            # Refused by the rules of the record paid for (a case's recusal): say why.
            instruction.refresh_from_db()
            return _detail_page(request, instruction, form=None, refusal=str(exc.message), status=403)
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The payment was sent again."))
            return HttpResponseRedirect(reverse("payments:detail", args=[instruction.public_id]))
    instruction.refresh_from_db()
    return _detail_page(request, instruction, form=form, status=400)
