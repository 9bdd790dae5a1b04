"""Obligations written by the management committee: a new obligation of a clause with
its due rule (a fixed date, or counted from another obligation of the project or a
project event, possibly one declared on the way), and a changed due rule."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from qinqing.accounts.models import Organisation, OrganisationKind
from qinqing.common.errors import ApplicationError, Conflict

from .. import selectors, services
from ..forms import (
    NEW_EVENT,
    DueRuleForm,
    ObligationForm,
    RuleChangeForm,
    apply_errors,
)
from ..models import Clause, DueMode, Obligation, Project, ProjectEvent
from .actions import load_obligation, obligation_url
from .authoring import GET_POST, form_page, load_contract, project_url, raise_refusal

# --- Due rules ----------------------------------------------------------------------------------


def anchor_choices(project: Project, *, exclude: Obligation | None = None) -> list[tuple[str, Any]]:
    """The project's obligations and events a due date may count from, as two groups."""
    obligations = Obligation.objects.filter(project=project).order_by("position", "id")
    if exclude is not None:
        obligations = obligations.exclude(pk=exclude.pk)
    ob_choices = [
        (
            f"o:{ob.public_id}",
            _("%(title)s (due %(due)s)") % {"title": ob.title, "due": ob.due_date.isoformat()}
            if ob.due_date
            else ob.title,
        )
        for ob in obligations
    ]
    events = ProjectEvent.objects.filter(project=project).order_by("occurred_on", "id")
    ev_choices = [
        (
            f"e:{ev.pk}",
            _("%(label)s (happened %(date)s)") % {"label": ev.label, "date": ev.occurred_on.isoformat()}
            if ev.occurred_on
            else _("%(label)s (not yet happened)") % {"label": ev.label},
        )
        for ev in events
    ]
    groups: list[tuple[str, Any]] = []
    if ob_choices:
        groups.append((_("Met date of an obligation"), ob_choices))
    if ev_choices:
        groups.append((_("Date of a project event"), ev_choices))
    return groups


def rule_initial(obligation: Obligation) -> dict[str, Any]:
    anchor = ""
    if obligation.anchor_obligation_id is not None:
        anchor_ob = Obligation.objects.only("public_id").get(pk=obligation.anchor_obligation_id)
        anchor = f"o:{anchor_ob.public_id}"
    elif obligation.anchor_event_id is not None:
        anchor = f"e:{obligation.anchor_event_id}"
    return {
        "due_mode": obligation.due_mode,
        "due_fixed": obligation.due_fixed,
        "offset": obligation.offset if obligation.due_mode == DueMode.RELATIVE else None,
        "offset_unit": obligation.offset_unit,
        "anchor": anchor,
        "revision": obligation.revision,
    }


def due_rule(request: HttpRequest, project: Project, form: DueRuleForm) -> dict[str, Any]:
    """The service's due rule from a valid form; a new event is declared first (and, if
    the obligation is then refused, stays declared and chosen on the form shown again)."""
    data = form.cleaned_data
    if data["due_mode"] == DueMode.ABSOLUTE:
        return {"mode": DueMode.ABSOLUTE, "date": data["due_fixed"]}
    rule: dict[str, Any] = {
        "mode": DueMode.RELATIVE,
        "anchor_obligation": None,
        "anchor_event": None,
        "offset": data["offset"],
        "unit": data["offset_unit"],
    }
    declared = form.new_event()
    if declared is not None:
        key, label = declared
        event = services.event_declare(actor=request.user, project=project, key=key, label=label)
        rule["anchor_event"] = event
        return rule
    kind, _sep, ident = str(data["anchor"]).partition(":")
    if kind == "o":
        rule["anchor_obligation"] = Obligation.objects.get(project=project, public_id=ident)
    else:
        rule["anchor_event"] = ProjectEvent.objects.get(project=project, pk=int(ident))
    return rule


@GET_POST
@login_required
def obligation_new(request: HttpRequest, public_id: uuid.UUID, clause_id: int) -> HttpResponse:
    contract = load_contract(request.user, public_id)
    project = contract.project
    clause = Clause.objects.filter(contract=contract, pk=clause_id).first()
    if clause is None:
        raise Http404
    departments = [
        (str(o.pk), o.name)
        for o in Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).order_by("path")
    ]

    def make(data: Any = None) -> ObligationForm:
        return ObligationForm(
            data,
            anchors=anchor_choices(project),
            departments=departments,
            initial={"due_mode": DueMode.ABSOLUTE},
        )

    form = make(request.POST or None)
    page = {
        "heading": _("Add an obligation to clause %(clause)s") % {"clause": clause},
        "submit": _("Add the obligation"),
        "project": project,
        "lead": clause.text,
    }
    cancel = project_url(project)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    data = form.cleaned_data
    rule: dict[str, Any] | None = None
    try:
        rule = due_rule(request, project, form)
        obligation = services.obligation_add(
            actor=request.user,
            clause=clause,
            obligor_side=data["obligor_side"],
            kind=data["kind"],
            title=data["title"],
            due_rule=rule,
            obligor_department=Organisation.objects.get(pk=int(data["obligor_department"]))
            if data["obligor_side"] == "government"
            else None,
            target_value=data["target_value"],
            target_unit=data["target_unit"],
            description=data["description"],
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        if rule is not None and rule.get("anchor_event") is not None and data.get("anchor") == NEW_EVENT:
            post = request.POST.copy()
            post["anchor"] = f"e:{rule['anchor_event'].pk}"
            form = make(post)
            form.is_valid()
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(request, _("Obligation added: %(title)s.") % {"title": obligation.title})
    return HttpResponseRedirect(obligation_url(obligation))


@GET_POST
@login_required
def obligation_rule(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    obligation = load_obligation(request.user, public_id)
    if "edit" not in selectors.allowed_actions(request.user, obligation):
        raise DjangoPermissionDenied
    project = obligation.project

    def make(data: Any = None, initial: dict[str, Any] | None = None) -> RuleChangeForm:
        return RuleChangeForm(data, anchors=anchor_choices(project, exclude=obligation), initial=initial)

    form = make(request.POST or None, rule_initial(obligation))
    page: dict[str, Any] = {
        "heading": _("Change the due rule of %(title)s") % {"title": obligation.title},
        "submit": _("Change the rule"),
        "project": project,
        "obligation": obligation,
    }
    late = services.missed_contract_date(obligation)
    if late is not None:
        page["notice"] = _(
            "This obligation was due on %(date)s under the contract and is late: its due rule may be "
            "restated, but that date cannot move. A new date comes through a remedy plan accepted by "
            "the committee."
        ) % {"date": late.isoformat()}
    cancel = obligation_url(obligation)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    try:
        rule = due_rule(request, project, form)
        services.obligation_change_rule(
            actor=request.user,
            obligation=obligation,
            due_rule=rule,
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    except Conflict as exc:
        # Someone acted meanwhile: the rule as it stands now, the reason kept.
        fresh = load_obligation(request.user, public_id)
        initial = {**rule_initial(fresh), "reason": form.cleaned_data["reason"]}
        page["notice"] = (
            _(
                "Someone else changed this obligation meanwhile. This is its current rule: check it and try again."
            )
            if exc.code == "obligation_changed"
            else str(exc.message)
        )
        return form_page(request, make(None, initial), cancel_url=cancel, status=409, **page)
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(request, _("Due rule changed; the due dates were recomputed."))
    return HttpResponseRedirect(cancel)
