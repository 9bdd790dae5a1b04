"""The reporter's pages: my problems (mine and my enterprise's, for observers too), report
a problem on a phone, a monitoring point's own page (no login; the receipt code shown
once), and following a problem by its receipt code (no login; the public story only,
and with the same code the return visit to answer or the reopening within its period)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError, NotFound, PermissionDenied
from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP, throttle
from qinqing.enterprises.models import Enterprise

from .. import selectors, services
from ..filters import near_until
from ..forms import (
    FollowForm,
    PointReportForm,
    ReceiptReopenForm,
    ReceiptVisitForm,
    ReportForm,
    apply_errors,
)
from ..models import CampaignStatus, CampaignTopic, Channel, Observer, ProblemStatus
from ..services.common import MAX_TEXT, problem_url, reporter_may_reopen, return_visit_refusal
from ..services.intake import KEY_REUSED
from .loop import PAGE_SIZE, export_problems, forbidden
from .rows import row_of, rows_html

# What a reporter is asked to do, by status.
TODO = {
    ProblemStatus.VERIFIED: "return_visit",
    ProblemStatus.WITHDRAWAL_REQUESTED: "check_withdrawal",
}


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    near = near_until(today)
    listed = selectors.reported_by(request.user)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [row_of(p, today=today, near=near, todo=TODO.get(p.status, "")) for p in page.object_list]
    return render(
        request,
        "ledger/loop/mine.html",
        {"rows": rows, "rows_html": rows_html(rows), "page": page, "may_report": _may_report(request.user)},
    )


@require_GET
@login_required
def mine_export(request: HttpRequest) -> HttpResponseBase:
    return export_problems(
        request.user,
        selectors.reported_by(request.user).select_related("reporter_enterprise"),
        sheet=_("My reported problems"),
        title=_("My reported problems"),
        filename="my-problems",
        reporter=True,
    )


# --- Reporting ---------------------------------------------------------------------------------


def _observer(user: Any) -> Observer | None:
    return Observer.objects.filter(user=user, active=True).first()


def _may_report(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.enterprise_ids and Role.ENTERPRISE in scope.roles) or _observer(user) is not None


def _report_choices(user: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    scope = scope_for(user)
    if not (scope.enterprise_ids and Role.ENTERPRISE in scope.roles):
        return [], []
    topics = [
        (str(t.pk), f"{t.campaign.title} · {t.title}")
        for t in CampaignTopic.objects.filter(
            campaign__status=CampaignStatus.ACTIVE, campaign__channel=Channel.TOPIC
        ).select_related("campaign")
    ]
    enterprises = [
        (str(e.pk), e.name)
        for e in Enterprise.objects.filter(pk__in=sorted(scope.enterprise_ids)).order_by("name")
    ]
    return topics, enterprises


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest) -> HttpResponse:
    """An enterprise user (a complaint, or under a topic of an active topic campaign) or an
    appointed observer reports a problem."""
    user = request.user
    scope = scope_for(user)
    as_enterprise = bool(scope.enterprise_ids and Role.ENTERPRISE in scope.roles)
    if not as_enterprise and _observer(user) is None:
        raise DjangoPermissionDenied
    topics, enterprises = _report_choices(user)
    if request.method != "POST":
        form = ReportForm(topics=topics, enterprises=enterprises)
        return render(request, "ledger/loop/report.html", {"form": form, "as_enterprise": as_enterprise})
    form = ReportForm(request.POST, request.FILES, topics=topics, enterprises=enterprises)
    files_sent = bool(request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        topic = CampaignTopic.objects.select_related("campaign").filter(pk=data.get("topic") or 0).first()
        enterprise = Enterprise.objects.filter(pk=data.get("enterprise") or 0).first()
        if as_enterprise:
            channel = Channel.TOPIC if topic is not None else Channel.COMPLAINT
        else:
            channel = Channel.OBSERVER
        try:
            problem = services.problem_report(
                actor=user,
                channel=channel,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                subcategory=data.get("subcategory", ""),
                location=data.get("location", ""),
                topic=topic,
                enterprise=enterprise,
                hide_reporter=bool(data.get("hide_reporter")),
                files=data["files"],
                idempotency_key=data.get("form_key", ""),
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Reported as %(reference)s. You can follow it here and under “My reported problems”.")
                % {"reference": problem.reference},
            )
            return HttpResponseRedirect(problem_url(problem))
    return render(
        request,
        "ledger/loop/report.html",
        {"form": form, "as_enterprise": as_enterprise, "files_lost": files_sent},
        status=400,
    )


def _refused(form: Any, exc: ApplicationError) -> None:
    """The service's refusal on the form; a form already sent with other contents gets
    a fresh key, so that sending it again registers the new report."""
    apply_errors(form, exc)
    if exc.code == KEY_REUSED:
        form.renew_form_key()


# The receipt code waits in the reporter's session for the page after the report
# (Post/Redirect/Get: reloading that page sends nothing) for so long, then is gone.
RECEIPT_SESSION_KEY = "ledger.point_receipt"
RECEIPT_SHOWN_SECONDS = 10 * 60


@never_cache
@require_http_methods(["GET", "POST"])
@throttle(ANONYMOUS_SUBMIT)
def point_report(request: HttpRequest, token: str) -> HttpResponse:
    """A monitoring point's own page (its link and QR code): report without an account.
    The answer to the report is a redirect to the receipt page, which shows the receipt
    code to this browser only; the form sent again gives the same problem and code."""
    try:
        point = selectors.monitoring_point_by_token(token)
    except NotFound as exc:
        raise Http404 from exc
    context: dict[str, Any] = {"point": point}
    if request.method != "POST":
        context["form"] = PointReportForm()
        return render(request, "ledger/loop/point_report.html", context)
    form = PointReportForm(request.POST, request.FILES)
    context["form"] = form
    context["files_lost"] = bool(request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            problem, receipt = services.problem_report_at_point(
                token=token,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                subcategory=data.get("subcategory", ""),
                location=data.get("location", ""),
                reporter_name=data.get("reporter_name", ""),
                reporter_contact=data.get("reporter_contact", ""),
                files=data["files"],
                idempotency_key=data.get("form_key", ""),
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            _refused(form, exc)
        else:
            _keep_receipt(request, point.pk, problem.reference or "", receipt)
            return HttpResponseRedirect(reverse("ledger:point_receipt", args=[token]), status=303)
    return render(request, "ledger/loop/point_report.html", context, status=400)


def _keep_receipt(request: HttpRequest, point_id: int, reference: str, receipt: str) -> None:
    """The receipt for the page after the report, in this browser's session only. A
    reporter without an account gets a session that ends with the receipt's time."""
    request.session[RECEIPT_SESSION_KEY] = {
        "point": point_id,
        "reference": reference,
        "receipt": receipt,
        "until": time.time() + RECEIPT_SHOWN_SECONDS,
    }
    if not request.user.is_authenticated:
        request.session.set_expiry(RECEIPT_SHOWN_SECONDS)


@never_cache
@require_GET
def point_receipt(request: HttpRequest, token: str) -> HttpResponse:
    """The answer to a report at a monitoring point: its reference and receipt code, in
    the browser that sent it, for a few minutes (reloading shows it again, and registers
    nothing). Any other browser, or later, learns only how to follow a report."""
    try:
        point = selectors.monitoring_point_by_token(token)
    except NotFound as exc:
        raise Http404 from exc
    kept = request.session.get(RECEIPT_SESSION_KEY)
    if not (isinstance(kept, dict) and kept.get("point") == point.pk and kept.get("until", 0) > time.time()):
        if kept is not None:
            del request.session[RECEIPT_SESSION_KEY]
        return render(request, "ledger/loop/point_receipt.html", {"point": point, "gone": True})
    receipt = str(kept["receipt"])
    grouped = " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
    return render(
        request,
        "ledger/loop/point_receipt.html",
        {"point": point, "reference": kept["reference"], "receipt": grouped},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@throttle(RECEIPT_LOOKUP)
def follow(request: HttpRequest) -> HttpResponse:
    """Anyone with a receipt code sees the problem's status and its public story, and
    nothing else (no names, no files, no internal notes)."""
    if request.method != "POST":
        return render(request, "ledger/loop/follow.html", {"form": FollowForm()})
    form = FollowForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            problem = services.problem_by_receipt(form.cleaned_data["code"])
        except ApplicationError as exc:
            apply_errors(form, exc)
            status = exc.http_status
        else:
            return _found(request, problem, form.cleaned_data["code"])
    return render(request, "ledger/loop/follow.html", {"form": form}, status=status)


def _found(
    request: HttpRequest,
    problem: Any,
    code: str,
    *,
    visit_form: ReceiptVisitForm | None = None,
    reopen_form: ReceiptReopenForm | None = None,
    notice: str = "",
    notice_testid: str = "visit-recorded",
    refusal: str = "",
    kept: str = "",
    status: int = 200,
) -> HttpResponse:
    """The problem found by its code: its public story, and what the reporter may do
    with the same code: answer the return visit (verified, waiting for the reporter), or
    reopen it (closed, within the reopening period). A reopening form sent back with
    errors stays on the page whatever the status, so its errors and the reason typed are
    not lost. `refusal`: why an answer to the return visit was not recorded once the
    visit is no longer offered; `kept`: what the reporter wrote in it, shown back."""
    story = [u for u in selectors.problem_story(None, problem) if u.public]
    may_answer = return_visit_refusal(problem) is None
    if visit_form is None and may_answer:
        visit_form = ReceiptVisitForm(initial={"code": code})
    if reopen_form is None and reporter_may_reopen(problem):
        reopen_form = ReceiptReopenForm(initial={"code": code})
    context = {
        "form": FollowForm(),
        "found": problem,
        "story": story,
        "visit_form": visit_form if may_answer else None,
        "reopen_form": reopen_form,
        "notice": notice,
        "notice_testid": notice_testid,
        "refusal": refusal,
        "kept": kept,
    }
    return render(request, "ledger/loop/follow.html", context, status=status)


def _by_receipt(request: HttpRequest, code: str) -> Any:
    """The problem the posted receipt code names, or the follow page with the code's error."""
    try:
        return services.problem_by_receipt(code)
    except ApplicationError as exc:
        follow_form = FollowForm(request.POST)
        apply_errors(follow_form, exc)
        return render(request, "ledger/loop/follow.html", {"form": follow_form}, status=exc.http_status)


@never_cache
@require_POST
@throttle(RECEIPT_LOOKUP)
def follow_visit(request: HttpRequest) -> HttpResponse:
    """The return visit answered with the receipt code: the reporter without an account
    says whether it is really fixed and scores the work, as a logged-in reporter does."""
    form = ReceiptVisitForm(request.POST)
    code = request.POST.get("code", "")
    problem = _by_receipt(request, code)
    if isinstance(problem, HttpResponse):
        return problem
    refused = return_visit_refusal(problem)
    if refused is not None:
        return _visit_refused(request, problem, code, form, refused)
    if not form.is_valid():
        return _found(request, problem, code, visit_form=form, status=400)
    try:
        services.problem_return_visit_by_receipt(
            code=code,
            score=form.cleaned_data["score"],
            fixed=form.cleaned_data["fixed"],
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as exc:
        problem.refresh_from_db()
        # Answered or reopened between the lookup above and the service's row lock.
        refused = return_visit_refusal(problem)
        if refused is not None:
            return _visit_refused(request, problem, code, form, refused)
        apply_errors(form, exc)
        return _found(request, problem, code, visit_form=form, status=exc.http_status)
    problem.refresh_from_db()
    return _found(request, problem, code, notice=str(_("Thank you: your answer is recorded.")))


def _visit_refused(
    request: HttpRequest, problem: Any, code: str, form: ReceiptVisitForm, refused: ApplicationError
) -> HttpResponse:
    """An answer to a return visit that no longer waits for one (answered already, the
    problem reopened meanwhile): the form is gone from the page, so the reason stands
    above it, and what the reporter wrote is not lost. An answer "not fixed" to a problem
    closed meanwhile becomes the reason of the reopening form when the reporter may still
    reopen it (they still have to send it); otherwise the comment is shown back."""
    comment = str(form.data.get("comment", "")).strip()[:MAX_TEXT]
    reopen_form = None
    if comment and form.data.get("fixed") == "0" and reporter_may_reopen(problem):
        reopen_form = ReceiptReopenForm(initial={"code": code, "reason": comment})
        comment = ""
    return _found(
        request,
        problem,
        code,
        reopen_form=reopen_form,
        refusal=str(refused.message),
        kept=comment,
        status=refused.http_status,
    )


@never_cache
@require_POST
@throttle(RECEIPT_LOOKUP)
def follow_reopen(request: HttpRequest) -> HttpResponse:
    """A closed problem reopened with the receipt code: the reporter without an account
    says it is not fixed after all, within the reopening period, as a logged-in reporter
    may."""
    form = ReceiptReopenForm(request.POST)
    code = request.POST.get("code", "")
    problem = _by_receipt(request, code)
    if isinstance(problem, HttpResponse):
        return problem
    if not form.is_valid():
        return _found(request, problem, code, reopen_form=form, status=400)
    try:
        services.problem_reopen_by_receipt(code=code, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        apply_errors(form, exc)
        problem.refresh_from_db()
        return _found(request, problem, code, reopen_form=form, status=exc.http_status)
    problem.refresh_from_db()
    return _found(
        request,
        problem,
        code,
        notice=str(_("Reopened: the department must fix it again.")),
        notice_testid="reopen-recorded",
    )
