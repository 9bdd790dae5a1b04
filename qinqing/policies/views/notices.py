"""公示: awards under public notice, for anyone (no login), each open to objections.

A visitor who is not logged in leaves a way to be reached (the service insists); the
objection goes to the issuing department's officials who took no part in the case.
Whoever objects gets a receipt code on the page after (Post/Redirect/Get: reloading it
lodges nothing; the form sent again answers the same objection and code), and follows
the objection with it on the follow page: its state and, once decided, the decision
and the department's reply, never who decided nor anything internal. Someone signed in
also finds their objections on "My objections" (page, Excel, `GET
/notices/objections/mine`), theirs alone.

Looking codes up, and objecting without an account, are throttled per client address
(`qinqing.common.throttle`): over the limit the same page answers 429 with the form as
it was sent, and says when to try again.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinqing.common import xlsx
from qinqing.common.errors import ApplicationError
from qinqing.common.once import OnceForm
from qinqing.common.throttle import (
    ANONYMOUS_SUBMIT,
    RECEIPT_LOOKUP,
    throttle_request,
    throttled_headers,
    throttled_message,
)
from qinqing.policies.models import Case, Objection, ObjectionStatus
from qinqing.policies.selectors import award_notices
from qinqing.policies.services.notice_objections import (
    KEY_REUSED,
    notice_objection_lodge,
    notice_objections_of,
    objection_by_receipt,
)
from qinqing.policies.summaries import yuan

PAGE_SIZE = 30


class NoticeObjectionForm(OnceForm):
    text = forms.CharField(
        label=gettext_lazy("Grounds of your objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("How to reach you (phone or e-mail)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].required = anonymous


def _page(
    request: HttpRequest,
    *,
    bound: NoticeObjectionForm | None = None,
    bound_case: Case | None = None,
    status: int = 200,
) -> HttpResponse:
    anonymous = not request.user.is_authenticated
    page = Paginator(award_notices(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        form = (
            bound
            if bound is not None and bound_case is not None and case.pk == bound_case.pk
            else NoticeObjectionForm(anonymous=anonymous, prefix=f"n-{case.public_id}")
        )
        rows.append({"case": case, "award": yuan(case.award), "form": form, "open": form is bound})
    if bound is not None and bound_case is not None and not any(r["open"] for r in rows):
        # The notice objected to is on another page: it comes first, with what was typed.
        rows.insert(0, {"case": bound_case, "award": yuan(bound_case.award), "form": bound, "open": True})
    return render(
        request,
        "policies/notices/list.html",
        {"page": page, "rows": rows, "anonymous": anonymous},
        status=status,
    )


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def notice_objection(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = award_notices().filter(public_id=public_id).first()
    if case is None:
        raise Http404
    anonymous = not request.user.is_authenticated
    form = NoticeObjectionForm(request.POST, anonymous=anonymous, prefix=f"n-{public_id}")
    if anonymous:
        verdict = throttle_request(request, ANONYMOUS_SUBMIT)
        if not verdict.allowed:
            # Nothing lodged; the form comes back as sent, to send again later.
            form.is_valid()
            form.add_error(None, throttled_message(verdict.retry_after))
            return throttled_headers(_page(request, bound=form, bound_case=case, status=429), verdict)
    if form.is_valid():
        try:
            objection, receipt = notice_objection_lodge(
                actor=None if anonymous else request.user,
                case=case,
                text=form.cleaned_data["text"],
                contact=form.cleaned_data["contact"],
                idempotency_key=form.cleaned_data["form_key"],
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, str(error))
            if not exc.fields:
                form.add_error(None, str(exc.message))
            if exc.code == KEY_REUSED:
                # Sending it again lodges the new objection.
                form.renew_form_key()
            return _page(request, bound=form, bound_case=case, status=exc.http_status)
        messages.success(
            request,
            _(
                "Your objection to the award for %(enterprise)s was received; the department will look into it."
            )
            % {"enterprise": case.enterprise.name},
        )
        _keep_receipt(request, objection, receipt)
        return HttpResponseRedirect(reverse("policies:notice_objection_receipt"), status=303)
    return _page(request, bound=form, bound_case=case, status=400)


# The receipt code waits in the objector's session for the page after the objection
# (Post/Redirect/Get: reloading that page sends nothing) for so long, then is gone.
RECEIPT_SESSION_KEY = "policies.objection_receipt"
RECEIPT_SHOWN_SECONDS = 10 * 60


def _keep_receipt(request: HttpRequest, objection: Objection, receipt: str) -> None:
    """The receipt for the page after the objection, in this browser's session only. A
    visitor without an account gets a session that ends with the receipt's time."""
    request.session[RECEIPT_SESSION_KEY] = {
        "reference": objection.case.reference or "",
        "enterprise": objection.case.enterprise.name,
        "receipt": receipt,
        "until": time.time() + RECEIPT_SHOWN_SECONDS,
    }
    if not request.user.is_authenticated:
        request.session.set_expiry(RECEIPT_SHOWN_SECONDS)


def _grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@never_cache
@require_GET
def notice_objection_receipt(request: HttpRequest) -> HttpResponse:
    """The answer to an objection: the receipt code, in the browser that sent it, for a
    few minutes (reloading shows it again and lodges nothing). Any other browser, or
    later, learns only how to follow an objection."""
    kept = request.session.get(RECEIPT_SESSION_KEY)
    if not (isinstance(kept, dict) and kept.get("until", 0) > time.time()):
        if kept is not None:
            del request.session[RECEIPT_SESSION_KEY]
        return render(request, "policies/notices/receipt.html", {"gone": True})
    return render(
        request,
        "policies/notices/receipt.html",
        {
            "reference": kept.get("reference", ""),
            "enterprise": kept.get("enterprise", ""),
            "receipt": _grouped(str(kept["receipt"])),
        },
    )


class FollowForm(forms.Form):
    receipt = forms.CharField(
        label=gettext_lazy("Receipt code (16 digits)"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-lg", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def notice_objection_follow(request: HttpRequest) -> HttpResponse:
    """Anyone with a receipt code sees that objection's state and, once decided, the
    decision and the department's reply: no names, no contact, nothing internal. The
    code is sent in the body, never in the address (which logs and browsers keep)."""
    if request.method != "POST":
        return render(request, "policies/notices/follow.html", {"form": FollowForm()})
    form = FollowForm(request.POST)
    verdict = throttle_request(request, RECEIPT_LOOKUP)
    if not verdict.allowed:
        form.is_valid()
        form.add_error(None, throttled_message(verdict.retry_after))
        response = render(request, "policies/notices/follow.html", {"form": form}, status=429)
        return throttled_headers(response, verdict)
    status = 400
    if form.is_valid():
        try:
            objection = objection_by_receipt(form.cleaned_data["receipt"])
        except ApplicationError as exc:
            for errors in exc.fields.values():
                for error in errors:
                    form.add_error("receipt", str(error))
            if not exc.fields:
                form.add_error("receipt", str(exc.message))
            status = exc.http_status
        else:
            return render(
                request,
                "policies/notices/follow.html",
                {"form": FollowForm(), "found": objection, "award": yuan(objection.case.award)},
            )
    return render(request, "policies/notices/follow.html", {"form": form}, status=status)


# --- My objections ----------------------------------------------------------------------------


@never_cache
@require_GET
@login_required
def my_objections(request: HttpRequest) -> HttpResponse:
    """The objections to awards under notice that the signed-in user lodged, newest
    first, each with what the follow page shows (no receipt code needed): theirs alone."""
    page = Paginator(notice_objections_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"objection": o, "award": yuan(o.case.award)} for o in page.object_list]
    return render(request, "policies/notices/mine.html", {"page": page, "rows": rows})


@never_cache
@require_GET
@login_required
def my_objections_export(request: HttpRequest) -> HttpResponse:
    """The same list to Excel, every row (up to the workbook's limit)."""
    book = xlsx.ExcelBook()
    sheet = book.sheet(
        _("My objections"),
        [
            (_("Case number"), 16),
            (_("Enterprise"), 36),
            (_("Policy"), 30),
            (_("Department"), 24),
            (_("Award under notice"), 14),
            (_("Objected on"), 16),
            (_("Grounds"), 40),
            (_("Status"), 10),
            (_("To be decided by"), 12),
            (_("Decided"), 16),
            (_("Reply"), 40),
        ],
    )
    for objection in notice_objections_of(request.user)[: xlsx.MAX_ROWS]:
        case = objection.case
        decided = objection.status != ObjectionStatus.OPEN
        sheet.add(
            [
                case.reference or "",
                case.enterprise.name,
                case.policy.title,
                case.organisation.name,
                case.award,
                objection.lodged_at,
                objection.text,
                objection.get_status_display(),
                None if decided else objection.due_date,
                objection.handled_at if decided else None,
                objection.reply if decided else "",
            ]
        )
    return xlsx.xlsx_response(book.close_bytes(), f"my-objections-{timezone.localdate().isoformat()}.xlsx")
