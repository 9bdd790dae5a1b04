"""Policy authoring for officers and heads of the issuing department: the department's
policies, a draft created and edited (materials, steps and the rule as JSON, each fault
named by its path), publish, withdraw, match now, and a published policy amended (its
rule, texts, window, budget, cap, materials, steps, with the reason) as a new version,
with the history of versions and what each changed."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError, NotFound
from qinqing.policies.forms import PolicyAmendForm, PolicyForm, WithdrawForm, apply_errors
from qinqing.policies.models import Policy, PolicyMode, PolicyStatus, StepKind, default_steps
from qinqing.policies.selectors import access_policy_by_public_id, policies_in_scope, policy_versions
from qinqing.policies.services import (
    can_write_policies,
    current_version,
    policy_amend,
    policy_create,
    policy_publish,
    policy_update,
    policy_withdraw,
)
from qinqing.policies.services.matching import policy_match
from qinqing.policies.steps import step_label
from qinqing.policies.summaries import (
    award_kind_label,
    award_lines,
    choice_label,
    condition_lines,
    version_rows,
    yuan,
)

from .officer_cases import require_officials

# A starting point for a new policy's rule: the shape, not a real policy.
RULE_TEMPLATE: dict[str, Any] = {
    "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
    "award": {"kind": "fixed", "amount": "10000"},
}


def writable_departments(user: Any) -> list[Organisation]:
    """The nodes where the user is an officer or head (and the nodes below them)."""
    paths = scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(Organisation.objects.filter(condition).order_by("path"))


def _load(user: Any, public_id: uuid.UUID) -> Policy:
    try:
        policy = access_policy_by_public_id(user, public_id, write=True)
    except NotFound as exc:
        raise Http404 from exc
    if not can_write_policies(user, policy.department):
        raise Http404
    return policy


def _detail_url(policy: Policy) -> str:
    return reverse("policies:officer_policy", args=[policy.public_id])


def _error_text(exc: ApplicationError) -> str:
    parts = [str(exc.message)]
    for key, messages_ in exc.fields.items():
        parts.extend(f"{key}: {m}" if not str(m).startswith(key) else str(m) for m in messages_)
    return " ".join(parts)


@require_GET
@login_required
@require_officials
def policy_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PolicyStatus.values else ""
    policies = policies_in_scope(request.user, write=True).order_by("-updated_at", "id")
    if status:
        policies = policies.filter(status=status)
    rows = [
        {
            "policy": p,
            "version": current_version(p).number,
            "budget": yuan(p.budget_total),
            "reserved": yuan(p.budget_reserved),
        }
        for p in policies
    ]
    return render(
        request,
        "policies/officer/policy_list.html",
        {"rows": rows, "status": status, "statuses": PolicyStatus.choices},
    )


def _department_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(d.pk), d.name) for d in writable_departments(user)]


@require_http_methods(["GET", "POST"])
@login_required
@require_officials
def policy_create_view(request: HttpRequest) -> HttpResponse:
    choices = _department_choices(request.user)
    if request.method == "POST":
        form = PolicyForm(request.POST, departments=choices)
        if form.is_valid():
            department = Organisation.objects.get(pk=int(form.cleaned_data["department"]))
            try:
                policy = policy_create(
                    actor=request.user,
                    department=department,
                    code=form.cleaned_data["code"],
                    rule=form.cleaned_data["rule"],
                    **form.changes(),
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
                return render(
                    request, "policies/officer/policy_form.html", {"form": form, "creating": True}, status=400
                )
            messages.success(request, _("Draft saved: %(title)s.") % {"title": policy.title})
            return HttpResponseRedirect(_detail_url(policy))
        return render(
            request, "policies/officer/policy_form.html", {"form": form, "creating": True}, status=400
        )
    today = timezone.localdate()
    form = PolicyForm(
        departments=choices,
        initial={
            "department": choices[0][0] if choices else "",
            "valid_from": today,
            "valid_until": today.replace(month=12, day=31),
            "period_kind": "once",
            "mode": PolicyMode.PROACTIVE,
            "materials": [],
            "steps": default_steps(),
            "rule": RULE_TEMPLATE,
        },
    )
    return render(request, "policies/officer/policy_form.html", {"form": form, "creating": True})


@require_GET
@login_required
@require_officials
def policy_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    policy = _load(request.user, public_id)
    return render(request, "policies/officer/policy_detail.html", _detail_context(policy))


def _detail_context(policy: Policy, **extra: Any) -> dict[str, Any]:
    version = current_version(policy)
    return {
        "policy": policy,
        "version": version,
        "versions": version_rows(policy_versions(policy)),
        "award_kind": award_kind_label(version.rule),
        "award_lines": award_lines(version.rule),
        "conditions": condition_lines(version.rule),
        "budget": yuan(policy.budget_total),
        "reserved": yuan(policy.budget_reserved),
        "cap": yuan(policy.cap_per_enterprise) if policy.cap_per_enterprise is not None else "",
        "is_draft": policy.status == PolicyStatus.DRAFT,
        "is_published": policy.status == PolicyStatus.PUBLISHED,
        "can_match": policy.status == PolicyStatus.PUBLISHED and policy.mode == PolicyMode.PROACTIVE,
        "steps": [
            {
                "label": step_label(s),
                "role": choice_label(Role, s.get("role")),
                "kind": choice_label(StepKind, s.get("kind")),
                "limit": s.get("limit"),
            }
            for s in policy.steps
        ],
        "withdraw_form": WithdrawForm(),
        **extra,
    }


def _initial(policy: Policy) -> dict[str, Any]:
    initial = {name: getattr(policy, name) for name in PolicyForm.SERVICE_FIELDS}
    initial["rule"] = current_version(policy).rule
    return initial


@require_http_methods(["GET", "POST"])
@login_required
@require_officials
def policy_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    policy = _load(request.user, public_id)
    if policy.status == PolicyStatus.WITHDRAWN:
        messages.error(request, _("A withdrawn policy cannot be changed."))
        return HttpResponseRedirect(_detail_url(policy))
    draft = policy.status == PolicyStatus.DRAFT
    context: dict[str, Any] = {"policy": policy, "creating": False, "draft": draft}
    form_class = PolicyForm if draft else PolicyAmendForm
    if request.method != "POST":
        form = form_class(initial=_initial(policy))
        return render(request, "policies/officer/policy_form.html", {**context, "form": form})
    form = form_class(request.POST)
    if form.is_valid():
        try:
            if draft:
                policy_update(
                    actor=request.user, policy=policy, rule=form.cleaned_data["rule"], **form.changes()
                )
                done = _("Draft saved.")
            else:
                version = policy_amend(
                    actor=request.user,
                    policy=policy,
                    reason=form.cleaned_data["reason"],
                    rule=form.cleaned_data["rule"],
                    **form.changes(),
                )
                done = _("The policy was amended as version %(number)d, in force from now.") % {
                    "number": version.number
                }
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_detail_url(policy))
    return render(request, "policies/officer/policy_form.html", {**context, "form": form}, status=400)


@require_POST
@login_required
@require_officials
def policy_publish_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    policy = _load(request.user, public_id)
    try:
        policy_publish(actor=request.user, policy=policy)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The policy is published."))
    return HttpResponseRedirect(_detail_url(policy))


@require_POST
@login_required
@require_officials
def policy_withdraw_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    policy = _load(request.user, public_id)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        policy_withdraw(actor=request.user, policy=policy, reason=reason)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The policy is withdrawn."))
    return HttpResponseRedirect(_detail_url(policy))


@require_POST
@login_required
@require_officials
def policy_match_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    policy = _load(request.user, public_id)
    try:
        invited = policy_match(actor=request.user, policy=policy)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            ngettext(
                "Matching done: %(n)d enterprise newly invited.",
                "Matching done: %(n)d enterprises newly invited.",
                invited,
            )
            % {"n": invited},
        )
    return HttpResponseRedirect(_detail_url(policy))
