"""The enterprise's pages, phone-first: policies that fit it (政策找企) and why, its
invitations (confirm in one tap), applying, and its cases with their timeline, materials,
requests for materials, withdrawal, objections and the money received.

Views are thin: they read through the selectors (an enterprise sees only its own
records; anything else is a 404) and act through the services, whose refusals are shown
on the page in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.downloads import stored_download
from qinqing.common.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from qinqing.common.permissions import require_roles
from qinqing.enterprises.models import Enterprise
from qinqing.policies.models import (
    Case,
    CaseMaterial,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Invitation,
    InvitationStatus,
    Objection,
    ObjectionKind,
    Policy,
    PolicyMode,
)
from qinqing.policies.rules import evaluate, parse_rule
from qinqing.policies.selectors import (
    access_case_by_public_id,
    access_invitation_by_public_id,
    enterprise_cases,
    enterprise_cases_listed,
    enterprise_invitations,
    policies_public,
    policy_public_get,
)
from qinqing.policies.services import current_version
from qinqing.policies.services.cases import (
    award_on_confirming,
    case_answer,
    case_apply,
    case_withdraw,
    invitation_confirm,
    invitation_decline,
    objection_lodge,
)
from qinqing.policies.services.matching import policy_in_force, policy_period
from qinqing.policies.steps import step_label
from qinqing.policies.summaries import award_lines, fact_labels, yuan
from qinqing.policies.uploads import max_upload_bytes

from .enterprise_forms import AnswerForm, ApplyForm, ObjectionForm, WithdrawForm
from .explain import explanation_rows, fact_hints, undecided_by_facts

PAGE_SIZE = 20

require_enterprise = require_roles(Role.ENTERPRISE)

# Bootstrap colour of each status badge.
CASE_BADGES: dict[str, str] = {
    CaseStatus.IN_REVIEW: "text-bg-primary",
    CaseStatus.RETURNED: "text-bg-warning",
    CaseStatus.PAYING: "text-bg-info",
    CaseStatus.PAID: "text-bg-success",
    CaseStatus.PAYMENT_FAILED: "text-bg-danger",
    CaseStatus.REJECTED: "text-bg-danger",
    CaseStatus.APPEALED: "text-bg-warning",
    CaseStatus.WITHDRAWN: "text-bg-secondary",
}
INVITATION_BADGES: dict[str, str] = {
    InvitationStatus.OPEN: "text-bg-primary",
    InvitationStatus.CONFIRMED: "text-bg-success",
    InvitationStatus.DECLINED: "text-bg-secondary",
    InvitationStatus.LAPSED: "text-bg-secondary",
}
# What a file input offers to pick, per accepted type (the content is checked anyway).
ACCEPT: dict[str, str] = {
    "pdf": ".pdf,application/pdf",
    "jpg": ".jpg,.jpeg,image/jpeg",
    "png": ".png,image/png",
}
WITHDRAWABLE = (CaseStatus.IN_REVIEW, CaseStatus.RETURNED)


# --- Helpers ----------------------------------------------------------------------------------


def _my_enterprises(user: Any) -> list[Enterprise]:
    ids = sorted(scope_for(user).enterprise_ids)
    return list(Enterprise.objects.filter(pk__in=ids).prefetch_related("labels").order_by("name", "pk"))


def _own_case(user: Any, public_id: uuid.UUID) -> Case:
    """The case of one of the user's enterprises; anyone else's is a 404."""
    case = (
        enterprise_cases(user).select_related("organisation", "version").filter(public_id=public_id).first()
    )
    if case is None:
        raise Http404
    return case


def _own_invitation(user: Any, public_id: uuid.UUID) -> Invitation:
    try:
        return access_invitation_by_public_id(user, public_id)
    except NotFound as exc:
        raise Http404 from exc


def _case_url(case: Case) -> str:
    return reverse("policies:case", args=[case.public_id])


def _service_error(form: forms.Form, exc: ApplicationError) -> str:
    """Put a service's refusal on the form's fields where it names them; returns the
    message shown at the top of the page."""
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, str(error))
    return str(exc.message)


def _place_errors(form: forms.Form, exc: ApplicationError, *, facts_prefix: str = "") -> dict[str, list[str]]:
    """A service's field errors on the form's fields ("facts.x" on the fact's input);
    returns those of the materials ("materials.key"), shown under each file input."""
    material_errors: dict[str, list[str]] = {}
    for field, errors in exc.fields.items():
        head, _dot, rest = field.partition(".")
        if head == "materials":
            material_errors.setdefault(rest, []).extend(str(e) for e in errors)
            continue
        target = f"{facts_prefix}{rest}" if head == "facts" and facts_prefix else field
        for error in errors:
            form.add_error(target if target in form.fields else None, str(error))
    return material_errors


def _existing_case_link(exc: ApplicationError) -> str:
    if isinstance(exc, Conflict) and exc.code == "case_exists" and exc.extra.get("case"):
        return reverse("policies:case", args=[exc.extra["case"]])
    return ""


# --- 政策找企: policies that fit me ---------------------------------------------------------------


@require_GET
@login_required
@require_enterprise
def fit(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    enterprises = _my_enterprises(request.user)
    policies = list(policies_public(today=today))
    ids = [e.pk for e in enterprises]
    invitations = {
        (i.policy_id, i.enterprise_id, i.period): i
        for i in Invitation.objects.filter(enterprise_id__in=ids, policy__in=policies)
    }
    cases = {
        (c.policy_id, c.enterprise_id, c.period): c
        for c in Case.objects.filter(enterprise_id__in=ids, policy__in=policies).exclude(
            status=CaseStatus.WITHDRAWN
        )
    }
    sections = []
    for enterprise in enterprises:
        cards = []
        for policy in policies:
            version = current_version(policy)
            rule = parse_rule(version.rule)
            decision = evaluate(rule, enterprise, on=today)
            rows = explanation_rows(version.rule, decision.explanation)
            key = (policy.pk, enterprise.pk, policy_period(policy, today))
            application = policy.mode == PolicyMode.APPLICATION
            if decision.eligible:
                state = "yes"
            elif application and rule.facts and undecided_by_facts(rows):
                state = "depends"
            else:
                state = "no"
            cards.append(
                {
                    "policy": policy,
                    "application": application,
                    "state": state,
                    "award": yuan(decision.award) if decision.eligible else "",
                    "award_lines": award_lines(version.rule),
                    "rows": rows,
                    "invitation": invitations.get(key),
                    "case": cases.get(key),
                }
            )
        order = {"yes": 0, "depends": 1, "no": 2}
        cards.sort(key=lambda c: order[str(c["state"])])
        sections.append(
            {
                "enterprise": enterprise,
                "cards": [c for c in cards if c["state"] != "no"],
                # On a phone the ones that do not fit stay folded away, reasons included.
                "others": [c for c in cards if c["state"] == "no"],
            }
        )
    return render(
        request,
        "policies/enterprise/fit.html",
        {"sections": sections, "many": len(sections) > 1, "today": today},
    )


# --- Invitations ----------------------------------------------------------------------------


@require_GET
@login_required
@require_enterprise
def invitations(request: HttpRequest) -> HttpResponse:
    page = Paginator(enterprise_invitations(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "invitation": i,
            "badge": INVITATION_BADGES.get(i.status, "text-bg-secondary"),
            "award": yuan(i.award),
            **_application_instead(i, i.policy, today),
        }
        for i in page.object_list
    ]
    return render(request, "policies/enterprise/invitations.html", {"page": page, "rows": rows})


def _application_instead(invitation: Invitation, policy: Policy, today: dt.date) -> dict[str, Any]:
    """Only a proactive policy's invitation is confirmed; one left open from before to a
    policy that takes applications (the daily pass lapses it) leads to the policy's
    form instead, a link while the form takes applications (the policy in force)."""
    applied_for = invitation.status == InvitationStatus.OPEN and policy.mode != PolicyMode.PROACTIVE
    return {
        "applied_for": applied_for,
        "apply_url": reverse("policies:apply", args=[policy.public_id])
        if applied_for and policy_in_force(policy, today)
        else "",
    }


def _invitation_context(invitation: Invitation) -> dict[str, Any]:
    policy = (
        Policy.objects.prefetch_related("versions").select_related("department").get(pk=invitation.policy_id)
    )
    version = current_version(policy)
    enterprise = Enterprise.objects.prefetch_related("labels").get(pk=invitation.enterprise_id)
    decision = evaluate(parse_rule(version.rule), enterprise, on=timezone.localdate())
    case = Case.objects.filter(invitation=invitation).first()
    # The invitation's award is brought up to date daily; today's figures may already
    # give another, which is what confirming would open the case with.
    award_now = award_on_confirming(policy, invitation.enterprise_id, decision.award)
    is_open = invitation.status == InvitationStatus.OPEN
    instead = _application_instead(invitation, policy, timezone.localdate())
    return {
        "invitation": invitation,
        "policy": policy,
        "enterprise": enterprise,
        "award": yuan(invitation.award),
        "award_now": yuan(award_now) if decision.eligible and 0 < award_now != invitation.award else "",
        "eligible_now": decision.eligible,
        "rows": explanation_rows(version.rule, decision.explanation),
        "badge": INVITATION_BADGES.get(invitation.status, "text-bg-secondary"),
        "is_open": is_open,
        "can_confirm": is_open and not instead["applied_for"],
        **instead,
        "case": case,
    }


@require_GET
@login_required
@require_enterprise
def invitation_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = _own_invitation(request.user, public_id)
    return render(request, "policies/enterprise/invitation.html", _invitation_context(invitation))


@require_POST
@login_required
@require_enterprise
def invitation_confirm_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = _own_invitation(request.user, public_id)
    try:
        case = invitation_confirm(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        invitation.refresh_from_db()
        context = _invitation_context(invitation)
        context["error"] = str(exc.message)
        context["existing_case_url"] = _existing_case_link(exc)
        return render(request, "policies/enterprise/invitation.html", context, status=exc.http_status)
    messages.success(
        request,
        _("Confirmed. Case %(reference)s is submitted and waits for acceptance.")
        % {"reference": case.reference},
    )
    return HttpResponseRedirect(_case_url(case))


@require_POST
@login_required
@require_enterprise
def invitation_decline_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = _own_invitation(request.user, public_id)
    try:
        invitation_decline(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        invitation.refresh_from_db()
        context = _invitation_context(invitation)
        context["error"] = str(exc.message)
        return render(request, "policies/enterprise/invitation.html", context, status=exc.http_status)
    messages.success(request, _("The invitation was declined."))
    return HttpResponseRedirect(reverse("policies:invitations"))


# --- Applying ------------------------------------------------------------------------------------


def _materials(policy: Policy) -> list[dict[str, Any]]:
    out = []
    for m in policy.materials:
        accepted = list(m.get("accepted", ["pdf", "jpg", "png"]))
        out.append(
            {
                "key": m["key"],
                "name": m["name"],
                "required": m.get("required", True),
                "types": ", ".join(a.upper() for a in accepted),
                "accept": ",".join(ACCEPT.get(a, "." + a) for a in accepted),
                "input": f"material_{m['key']}",
            }
        )
    return out


def _limit_mb() -> int:
    return max(1, max_upload_bytes() // (1024 * 1024))


def _apply_page(
    request: HttpRequest,
    policy: Policy,
    form: ApplyForm,
    *,
    material_errors: dict[str, list[str]] | None = None,
    error: str = "",
    existing_case_url: str = "",
    rows: list[dict[str, Any]] | None = None,
    files_lost: bool = False,
    status: int = 200,
) -> HttpResponse:
    material_errors = material_errors or {}
    materials = _materials(policy)
    for m in materials:
        m["errors"] = material_errors.get(m["key"], [])
    return render(
        request,
        "policies/enterprise/apply.html",
        {
            "policy": policy,
            "form": form,
            "materials": materials,
            "limit_mb": _limit_mb(),
            "error": error,
            "existing_case_url": existing_case_url,
            "rows": rows or [],
            "files_lost": files_lost,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_enterprise
def apply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        policy = policy_public_get(public_id)
    except NotFound as exc:
        raise Http404 from exc
    enterprises = _my_enterprises(request.user)
    if not enterprises:
        raise Http404
    version = current_version(policy)
    rule = parse_rule(version.rule)
    if policy.mode != PolicyMode.APPLICATION:
        return render(request, "policies/enterprise/no_application.html", {"policy": policy}, status=409)
    if request.method == "GET":
        form = ApplyForm(
            facts=dict(rule.facts),
            enterprises=enterprises,
            hints=fact_hints(version.rule),
            labels=fact_labels(version.rule),
        )
        existing = (
            Case.objects.filter(
                policy=policy,
                enterprise__in=enterprises,
                period=policy_period(policy, timezone.localdate()),
            )
            .exclude(status=CaseStatus.WITHDRAWN)
            .first()
        )
        return _apply_page(
            request,
            policy,
            form,
            existing_case_url=_case_url(existing) if existing is not None and len(enterprises) == 1 else "",
        )

    form = ApplyForm(
        request.POST,
        facts=dict(rule.facts),
        enterprises=enterprises,
        hints=fact_hints(version.rule),
        labels=fact_labels(version.rule),
    )
    sent_files = any(request.FILES.getlist(m["input"]) for m in _materials(policy))
    if not form.is_valid():
        return _apply_page(request, policy, form, files_lost=sent_files, status=400)
    enterprise = enterprises[0]
    if "enterprise" in form.cleaned_data:
        enterprise = next(e for e in enterprises if str(e.public_id) == form.cleaned_data["enterprise"])
    files = {m["key"]: request.FILES.getlist(m["input"]) for m in _materials(policy)}
    files = {k: v for k, v in files.items() if v}
    try:
        case = case_apply(
            actor=request.user,
            policy=policy,
            enterprise=enterprise,
            facts=form.fact_values(),
            files=files,  # type: ignore[arg-type]
        )
    except ApplicationError as exc:
        material_errors = _place_errors(form, exc, facts_prefix="fact_")
        rows = []
        if isinstance(exc, ValidationFailed) and exc.code == "not_eligible":
            rows = explanation_rows(version.rule, exc.extra.get("explanation") or {})
        return _apply_page(
            request,
            policy,
            form,
            material_errors=material_errors,
            error=str(exc.message),
            existing_case_url=_existing_case_link(exc),
            rows=rows,
            files_lost=sent_files,
            status=exc.http_status,
        )
    messages.success(
        request,
        _("Application sent. Case %(reference)s is submitted and waits for acceptance.")
        % {"reference": case.reference},
    )
    return HttpResponseRedirect(_case_url(case))


# --- My cases --------------------------------------------------------------------------------------


@require_GET
@login_required
@require_enterprise
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = enterprise_cases_listed(request.user)
    number = _page_number(request.GET.get("page"))
    listed = list(cases[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if number >= 1 else []
    if not listed and number != 1:
        # Past the last page (or below the first): the last page, as Paginator.get_page.
        number = max(1, -(-cases.count() // PAGE_SIZE))
        listed = list(cases[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    # Every row carries the list's totals (the last two columns), so no COUNT or SUM.
    total, received = (listed[0][-2], listed[0][-1]) if listed else (0, None)
    page = Paginator(range(total), PAGE_SIZE).page(number)
    many = len(scope_for(request.user).enterprise_ids) > 1
    return render(
        request,
        "policies/enterprise/my_cases.html",
        {
            "page": page,
            "rows_html": my_cases_rows_html(listed, many=many),
            "received": yuan(received or Decimal("0")),
        },
    )


def my_cases_rows_html(listed: list[tuple[Any, ...]], *, many: bool) -> SafeString:
    """The "my cases" rows (tuples of `selectors.LISTED_COLUMNS`) as HTML, every value
    escaped (`html.escape`, quotes included): a template loop over twenty rows cost more
    than the rest of the page (docs/benchmarks.md, "Pages under load")."""
    url = uuid_url("policies:case")
    paid_word = escape(_("paid"))
    labels: dict[str, str] = {}  # a status's escaped label, looked up once per status
    parts = []
    for public_id, reference, status, award, paid_at, title, enterprise, _count, _received in listed:
        label = labels.get(status)
        if label is None:
            label = labels[status] = escape(str(CaseStatus(status).label))
        ref = escape(reference)
        # Each piece kept on one line on a phone ("2026-08-" and "03" were split).
        pieces = [ref, escape(yuan(award))]
        if status == CaseStatus.PAID:
            pieces.append(f"{paid_word} {timezone.localtime(paid_at).date().isoformat() if paid_at else ''}")
        if many:
            pieces.append(escape(enterprise))
        details = " · ".join(f'<span class="text-nowrap">{piece}</span>' for piece in pieces)
        parts.append(
            f'<a class="list-group-item list-group-item-action py-3" href="{url(public_id)}"'
            f' data-testid="case-{ref}">'
            '<div class="d-flex justify-content-between gap-2">'
            f'<span class="fw-semibold text-break">{escape(title)}</span>'
            f'<span class="badge {CASE_BADGES.get(status, "text-bg-secondary")} align-self-start">{label}</span>'
            f'</div><div class="small text-body-secondary">{details}</div></a>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def uuid_url(name: str) -> Callable[[uuid.UUID], str]:
    """The URL of `name` (one UUID argument) for many records, reversed once."""
    marker = uuid.UUID(int=0)
    pattern = reverse(name, args=[marker])
    return lambda public_id: pattern.replace(str(marker), str(public_id))


def _page_number(value: str | None) -> int:
    """The page asked for: 1 when it is not a number. Below 1 or past the end, the view
    shows the last page, as Django's `Paginator.get_page` does."""
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _timeline(case: Case) -> list[dict[str, Any]]:
    """Each step with its times and outcome; who acted stays out of the enterprise's view."""
    rows = []
    for step in case.steps.all():
        rows.append(
            {
                "label": step_label(step),
                "attempt": step.attempt,
                "started_at": step.started_at,
                "due_date": step.due_date,
                "ended_at": step.ended_at,
                "outcome": step.get_outcome_display() if step.outcome else "",
                "outcome_key": step.outcome,
                "current": step.ended_at is None,
                "kind": step.kind,
            }
        )
    return rows


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    answer_form: AnswerForm | None = None,
    objection_form: ObjectionForm | None = None,
    material_errors: dict[str, list[str]] | None = None,
    error: str = "",
    files_lost: bool = False,
    status: int = 200,
) -> HttpResponse:
    case = (
        Case.objects.select_related("policy", "enterprise", "organisation", "version")
        .prefetch_related(
            Prefetch("steps", queryset=CaseStep.objects.order_by("position", "attempt")),
            Prefetch("materials", queryset=CaseMaterial.objects.order_by("uploaded_at", "pk")),
            Prefetch("returns", queryset=CaseReturn.objects.order_by("requested_at", "pk")),
            Prefetch("objections", queryset=Objection.objects.order_by("lodged_at", "pk")),
        )
        .get(pk=case.pk)
    )
    returns = list(case.returns.all())
    pending = next((r for r in returns if r.answered_at is None), None)
    objections = list(case.objections.all())
    appealed = any(o.kind == ObjectionKind.APPEAL for o in objections)
    names = {m["key"]: m["name"] for m in case.policy.materials}
    materials = [
        {
            "material": m,
            "name": names.get(m.key, m.key),
            "size_kb": max(1, (m.size + 1023) // 1024),
        }
        for m in case.materials.all()
    ]
    answer_materials = _materials(case.policy)
    for m in answer_materials:
        m["errors"] = (material_errors or {}).get(m["key"], [])
    context = {
        "case": case,
        "badge": CASE_BADGES.get(case.status, "text-bg-secondary"),
        "award": yuan(case.award),
        "award_computed": yuan(case.award_computed),
        "capped": case.award < case.award_computed,
        "timeline": _timeline(case),
        "rows": explanation_rows(case.version.rule, case.explanation),
        "materials": materials,
        "returns": returns,
        "pending": pending if case.status == CaseStatus.RETURNED else None,
        "answer_form": answer_form or AnswerForm(),
        "answer_materials": answer_materials,
        "limit_mb": _limit_mb(),
        "can_withdraw": case.status in WITHDRAWABLE,
        "can_object": case.status == CaseStatus.REJECTED and not appealed,
        "objection_form": objection_form or ObjectionForm(),
        "objections": objections,
        "paid": case.status == CaseStatus.PAID,
        "error": error,
        "files_lost": files_lost,
    }
    return render(request, "policies/enterprise/case.html", context, status=status)


@require_GET
@login_required
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The enterprise's case page (the address every notification about a case links to)."""
    if Role.ENTERPRISE not in scope_for(request.user).roles:
        officials = _officials_case_page(request, public_id)
        if officials is not None:
            return officials
    return _case_page(request, _own_case(request.user, public_id))


def _officials_case_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse | None:
    """Officials who follow a notification's link go on to their own page of the case,
    once the officials' pages provide one."""
    try:
        return HttpResponseRedirect(reverse("policies:officer_case", args=[public_id]))
    except NoReverseMatch:
        return None


@require_POST
@login_required
@require_enterprise
def case_answer_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _own_case(request.user, public_id)
    form = AnswerForm(request.POST)
    inputs = _materials(case.policy)
    sent_files = any(request.FILES.getlist(m["input"]) for m in inputs)
    if not form.is_valid():
        return _case_page(request, case, answer_form=form, files_lost=sent_files, status=400)
    files = {m["key"]: request.FILES.getlist(m["input"]) for m in inputs}
    try:
        case_answer(
            actor=request.user,
            case=case,
            answer=form.cleaned_data["answer"],
            files={k: v for k, v in files.items() if v},  # type: ignore[misc]
        )
    except ApplicationError as exc:
        material_errors = _place_errors(form, exc)
        return _case_page(
            request,
            case,
            answer_form=form,
            material_errors=material_errors,
            error=str(exc.message),
            files_lost=sent_files,
            status=exc.http_status,
        )
    messages.success(request, _("Your answer was sent; the review goes on."))
    return HttpResponseRedirect(_case_url(case))


@require_http_methods(["GET", "POST"])
@login_required
@require_enterprise
def case_withdraw_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Withdrawing asks once more: a page that says what it means, then the POST."""
    case = _own_case(request.user, public_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            error = _service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("Case %(reference)s was withdrawn.") % {"reference": case.reference})
            return HttpResponseRedirect(_case_url(case))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "policies/enterprise/withdraw.html",
        {
            "case": case,
            "form": form,
            "error": error,
            "can_withdraw": case.status in WITHDRAWABLE,
            "award": yuan(case.award),
        },
        status=status,
    )


@require_POST
@login_required
@require_enterprise
def case_objection_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _own_case(request.user, public_id)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, objection_form=form, status=400)
    try:
        objection_lodge(actor=request.user, case=case, text=form.cleaned_data["text"])
    except ApplicationError as exc:
        error = _service_error(form, exc)
        return _case_page(request, case, objection_form=form, error=error, status=exc.http_status)
    messages.success(
        request, _("Your objection was lodged; an official who took no part in the case will decide it.")
    )
    return HttpResponseRedirect(_case_url(case))


@require_GET
@login_required
def material_download(request: HttpRequest, public_id: uuid.UUID, material_id: uuid.UUID) -> HttpResponseBase:
    """A case's document, for whoever may read the case; always an attachment, never
    shown inline, whatever its type claims."""
    try:
        case = access_case_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    material = CaseMaterial.objects.filter(case=case, public_id=material_id).first()
    if material is None:
        raise Http404
    try:
        return stored_download(
            material.stored_name, filename=material.original_name, content_type=material.content_type
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
