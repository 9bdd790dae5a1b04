"""Authoring for the zone's management committee: a project, its contracts, their
clauses (with a ladder of their own if the clause says so), the obligations of both
sides with their due rules, a changed due rule; and project events, recorded or moved
by the committee or (for its own applications) by the enterprise.

Each page is a form posting to itself: valid input is one service call, then a redirect
with a message; a refusal is the same form again with the reason beside what was typed.
Pages show only what the services would allow; the services check again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError, NotFound, PermissionDenied
from qinqing.enterprises.models import Enterprise

from .. import selectors, services
from ..forms import (
    NEW_EVENT,
    ClauseForm,
    ContractForm,
    EventForm,
    ProjectForm,
    apply_errors,
)
from ..models import Contract, EventKey, Project, ProjectEvent
from ..services.common import is_committee_for, is_enterprise_of

GET_POST = require_http_methods(["GET", "POST"])

# Which field shows which other (see static/contracts/forms.js); the server checks the same.
SHOW_IF: dict[str, tuple[str, str]] = {
    "obligor_department": ("obligor_side", "government"),
    "due_fixed": ("due_mode", "absolute"),
    "offset": ("due_mode", "relative"),
    "offset_unit": ("due_mode", "relative"),
    "anchor": ("due_mode", "relative"),
    "new_event_key": ("anchor", NEW_EVENT),
    "new_event_label": ("anchor", NEW_EVENT),
    "new_event_code": ("new_event_key", "custom"),
    "ladder_reminder": ("own_ladder", "on"),
    "ladder_warning": ("own_ladder", "on"),
    "ladder_alarm": ("own_ladder", "on"),
    "ladder_escalation": ("own_ladder", "on"),
    "ladder_unit": ("own_ladder", "on"),
    "code": ("key", "custom"),
}


def form_rows(form: forms.Form) -> list[dict[str, Any]]:
    rows = []
    for field in form:
        control, values = SHOW_IF.get(field.name, ("", ""))
        rows.append({"field": field, "show_if": control, "show_values": values})
    return rows


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    cancel_url: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The form page; `extra` holds its heading, submit label, lead and breadcrumb."""
    context = {"form": form, "rows": form_rows(form), "cancel_url": cancel_url, **extra}
    return render(request, "contracts/forms/page.html", context, status=status)


def raise_refusal(exc: ApplicationError) -> None:
    """A refusal that is no fault of the input: 403 / 404 pages."""
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message)) from exc
    if isinstance(exc, NotFound):
        raise Http404 from exc


# --- Who may author ---------------------------------------------------------------------------


def _committee_paths(user: Any) -> tuple[str, ...]:
    return scope_for(user).paths_for(Role.COMMITTEE)


def _committees(user: Any) -> list[Organisation]:
    paths = _committee_paths(user)
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(Organisation.objects.filter(condition, kind=OrganisationKind.COMMITTEE).order_by("path"))


def _project(user: Any, public_id: uuid.UUID, *, author: bool = True) -> Project:
    try:
        project = selectors.access_project_by_public_id(user, public_id)
    except (NotFound, Project.DoesNotExist) as exc:
        raise Http404 from exc
    if author and not is_committee_for(user, project):
        raise DjangoPermissionDenied
    return project


def load_contract(user: Any, public_id: uuid.UUID) -> Contract:
    contract = (
        Contract.objects.select_related("project__committee", "project__enterprise")
        .filter(public_id=public_id, project__in=selectors.projects_visible(user))
        .first()
    )
    if contract is None:
        raise Http404
    if not is_committee_for(user, contract.project):
        raise DjangoPermissionDenied
    return contract


def project_url(project: Project) -> str:
    return reverse("contracts:project", args=[project.public_id])


# --- Project ------------------------------------------------------------------------------------


@GET_POST
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    committees = [(str(c.pk), c.zone_name or c.name) for c in _committees(request.user)]
    if not committees:
        raise DjangoPermissionDenied
    form = ProjectForm(request.POST or None, committees=committees)
    page = {"heading": _("New investment project"), "submit": _("Create the project")}
    cancel = reverse("contracts:projects")
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    enterprise = Enterprise.objects.filter(credit_code=form.cleaned_data["credit_code"]).first()
    if enterprise is None:
        form.add_error("credit_code", _("No enterprise with this code is in the registry."))
        return form_page(request, form, cancel_url=cancel, status=400, **page)
    try:
        project = services.project_create(
            actor=request.user,
            enterprise=enterprise,
            committee=Organisation.objects.get(pk=int(form.cleaned_data["committee"])),
            reference=form.cleaned_data["reference"],
            **form.changes(),
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(request, _("Project %(reference)s created.") % {"reference": project.reference})
    return HttpResponseRedirect(project_url(project))


@GET_POST
@login_required
def project_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    project = _project(request.user, public_id)
    initial = {name: getattr(project, name) for name in ProjectForm.EDITABLE}
    form = ProjectForm(request.POST or None, initial=initial)
    page = {"heading": _("Edit the project"), "submit": _("Save"), "project": project}
    cancel = project_url(project)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    try:
        services.project_update(actor=request.user, project=project, **form.changes())
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(request, _("Project saved."))
    return HttpResponseRedirect(cancel)


# --- Contract and clause ------------------------------------------------------------------------

GOVERNMENT_PARTIES = (
    OrganisationKind.COMMITTEE,
    OrganisationKind.DEPARTMENT,
    OrganisationKind.DISTRICT,
    OrganisationKind.CITY,
)


def _parties(project: Project) -> list[tuple[str, str]]:
    orgs = Organisation.objects.filter(kind__in=GOVERNMENT_PARTIES).order_by("path")
    committee_first = sorted(orgs, key=lambda o: o.pk != project.committee_id)
    return [(str(o.pk), o.name) for o in committee_first]


@GET_POST
@login_required
def contract_new(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    project = _project(request.user, public_id)
    existing = {str(c.public_id): c for c in project.contracts.all()}
    form = ContractForm(
        request.POST or None,
        parties=_parties(project),
        contracts=[(key, str(c)) for key, c in existing.items()],
        initial={"government_party": str(project.committee_id), "signed_on": project.signed_on},
    )
    page = {"heading": _("Add a contract"), "submit": _("Add the contract"), "project": project}
    cancel = project_url(project)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    data = form.cleaned_data
    try:
        contract = services.contract_add(
            actor=request.user,
            project=project,
            kind=data["kind"],
            number=data["number"],
            title=data["title"],
            government_party=Organisation.objects.get(pk=int(data["government_party"])),
            signed_on=data["signed_on"],
            value=data["value"],
            amends=existing.get(data["amends"]) if data["amends"] else None,
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(
        request, _("Contract %(number)s added; now add its clauses.") % {"number": contract.number}
    )
    return HttpResponseRedirect(reverse("contracts:clause_new", args=[contract.public_id]))


@GET_POST
@login_required
def clause_new(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    contract = load_contract(request.user, public_id)
    project = contract.project
    form = ClauseForm(request.POST or None, initial={"ladder_alarm": 1, "ladder_unit": "calendar"})
    page = {
        "heading": _("Add a clause to %(contract)s") % {"contract": contract},
        "submit": _("Add the clause"),
        "project": project,
        "lead": _(
            "A clause may carry its own reminder ladder; otherwise its obligations follow "
            "the usual ladder of their kind."
        ),
    }
    cancel = project_url(project)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    data = form.cleaned_data
    try:
        clause = services.clause_add(
            actor=request.user,
            contract=contract,
            number=data["number"],
            text=data["text"],
            title=data["title"],
            ladder=data["ladder"],
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(
        request, _("Clause %(number)s added; now add its obligations.") % {"number": clause.number}
    )
    return HttpResponseRedirect(reverse("contracts:obligation_new", args=[contract.public_id, clause.pk]))


# --- Project events -----------------------------------------------------------------------------


def _event_keys(project: Project, *, committee: bool) -> list[tuple[str, Any]]:
    """The committee records any event; an enterprise those of its own applications."""
    known = {ev.key: ev.label for ev in ProjectEvent.objects.filter(project=project)}
    keys: dict[str, Any] = dict(EventKey.choices)
    keys.update(known)
    if not committee:
        keys = {key: label for key, label in keys.items() if key.endswith("_applied")}
    return list(keys.items())


@GET_POST
@login_required
def event_record(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    project = _project(request.user, public_id, author=False)
    committee = is_committee_for(request.user, project)
    if not committee and not is_enterprise_of(request.user, project):
        raise DjangoPermissionDenied
    keys = _event_keys(project, committee=committee)
    existing = {ev.key: ev for ev in ProjectEvent.objects.filter(project=project)}
    wanted = request.GET.get("key", "")
    initial: dict[str, Any] = {}
    if wanted in dict(keys):
        initial["key"] = wanted
        if wanted in existing:
            initial.update(occurred_on=existing[wanted].occurred_on, note=existing[wanted].note)
    form = EventForm(request.POST or None, keys=keys, allow_custom=committee, initial=initial)
    page = {
        "heading": _("Record a project event"),
        "submit": _("Record the event"),
        "project": project,
        "lead": _("Due dates counted from the event are recomputed when it is recorded or moved."),
    }
    cancel = project_url(project)
    if request.method == "GET" or not form.is_valid():
        return form_page(request, form, cancel_url=cancel, status=400 if form.is_bound else 200, **page)
    key = form.event_key()
    label = form.cleaned_data["label"] or (
        existing[key].label if key in existing else str(dict(keys).get(key, key))
    )
    try:
        services.event_record(
            actor=request.user,
            project=project,
            key=key,
            occurred_on=form.cleaned_data["occurred_on"],
            label=label,
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        return form_page(request, form, cancel_url=cancel, status=exc.http_status, **page)
    messages.success(request, _("Event recorded; the due dates counted from it were recomputed."))
    return HttpResponseRedirect(cancel)


__all__: list[str] = [
    "clause_new",
    "contract_new",
    "event_record",
    "form_rows",
    "project_edit",
    "project_new",
]


# --- Links for the read side's pages ------------------------------------------------------------


def authoring_links(request: HttpRequest, project: Project) -> dict[str, Any]:
    """What the project page may offer to write (`contracts/forms/_project_links.html`):
    the committee everything, the enterprise its application events, others nothing."""
    committee = is_committee_for(request.user, project)
    enterprise = is_enterprise_of(request.user, project)
    if not (committee or enterprise):
        return {"authoring": None}
    links: dict[str, Any] = {
        "event": reverse("contracts:event_record", args=[project.public_id]),
        "committee": committee,
        "contracts": [],
    }
    if committee:
        links["edit"] = reverse("contracts:project_edit", args=[project.public_id])
        links["contract"] = reverse("contracts:contract_new", args=[project.public_id])
        for contract in project.contracts.prefetch_related("clauses").order_by("signed_on", "id"):
            links["contracts"].append(
                {
                    "contract": contract,
                    "clause": reverse("contracts:clause_new", args=[contract.public_id]),
                    "clauses": [
                        {
                            "clause": clause,
                            "obligation": reverse(
                                "contracts:obligation_new", args=[contract.public_id, clause.pk]
                            ),
                        }
                        for clause in contract.clauses.all()
                    ],
                }
            )
    return {"authoring": links}


def can_create_projects(user: Any) -> bool:
    """Whether the projects list may offer "New project" (`contracts:project_new`)."""
    return bool(_committees(user))
