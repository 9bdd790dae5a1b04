"""Projects over JSON: the list (status, search, alarms), one project with its
contracts, clauses, events and both sides' obligations, and the committee's writes
(project, contract, clause, obligation, project events). The OCDS exports sit here too.

Every write goes to a service, which decides who may; a user who holds no acting role
(a supervisor, an administrator) is refused before anything is looked at."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from qinqing.accounts.models import Organisation
from qinqing.common.errors import NotFound, ValidationFailed
from qinqing.enterprises.selectors import enterprise_scope

from .. import services
from ..models import Contract, Obligation, Project
from ..selectors import (
    access_project_by_public_id,
    obligations_visible,
    project_obligations,
    projects_visible,
    with_alarm_state,
)
from .acting import require_acting, resolve_due_rule
from .out import (
    ContractOut,
    EventOut,
    ObligationDetailOut,
    PageOfProjects,
    ProjectOut,
    contract_out,
    event_out,
    project_out,
    project_summary,
)
from .reading import obligation_reloaded
from .schemas import (
    ERRORS,
    NULLABLE_PROJECT_FIELDS,
    ClauseIn,
    ContractIn,
    EventDeclareIn,
    EventIn,
    ObligationIn,
    ProjectIn,
    ProjectQuery,
    ProjectUpdateIn,
)

router = Router(tags=["contracts: projects"])


def _organisation(code: str, field: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise ValidationFailed(fields={field: [_("No such organisation.")]})
    return organisation


def _contracts(project: Project) -> list[Contract]:
    return list(
        project.contracts.select_related("government_party", "amends", "project").prefetch_related("clauses")
    )


def _project(request: HttpRequest, project: Project) -> dict[str, Any]:
    project = access_project_by_public_id(request.user, project.public_id)
    obligations = with_alarm_state(project_obligations(project)).select_related(
        "project__enterprise", "obligor_department", "anchor_obligation", "anchor_event", "clause__contract"
    )
    return project_out(project, _contracts(project), list(obligations))


def _visible_contract(request: HttpRequest, contract_id: uuid.UUID) -> Contract:
    contract = (
        Contract.objects.filter(project__in=projects_visible(request.user), public_id=contract_id)
        .select_related("project__enterprise", "project__committee", "government_party", "amends")
        .first()
    )
    if contract is None:
        raise NotFound()
    return contract


# --- Reads ----------------------------------------------------------------------------------


@router.get(
    "/projects",
    response={200: PageOfProjects, **ERRORS},
    summary="Projects I may see, newest signed first (status, search, with an alarm)",
)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]) -> dict[str, Any]:
    qs = projects_visible(request.user).select_related("enterprise", "committee")
    if filters.status:
        qs = qs.filter(status=filters.status)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(reference__icontains=q) | Q(enterprise__name__icontains=q))
    if filters.has_alarm is not None:
        alarmed = with_alarm_state(obligations_visible(request.user)).exclude(alarm_state="")
        condition = Q(pk__in=alarmed.values("project_id"))
        qs = qs.filter(condition) if filters.has_alarm else qs.exclude(condition)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [project_summary(p) for p in items]}


@router.get(
    "/projects/{uuid:project_id}",
    response={200: ProjectOut, **ERRORS},
    summary="One project: contracts with clauses, events, both sides' obligations on one timeline",
)
def get_project(request: HttpRequest, project_id: uuid.UUID) -> dict[str, Any]:
    return _project(request, access_project_by_public_id(request.user, project_id))


# --- Writes ---------------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectOut, **ERRORS}, summary="Create a project (committee)")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    require_acting(request)
    data = payload.dict()
    enterprise = enterprise_scope(request.user).filter(public_id=data.pop("enterprise")).first()
    if enterprise is None:
        raise ValidationFailed(fields={"enterprise": [_("No such enterprise.")]})
    committee = _organisation(data.pop("committee"), "committee")
    project = services.project_create(actor=request.user, enterprise=enterprise, committee=committee, **data)
    return Status(201, _project(request, project))


@router.patch(
    "/projects/{uuid:project_id}",
    response={200: ProjectOut, **ERRORS},
    summary="Change a project's particulars (only the fields sent)",
)
def update_project(request: HttpRequest, project_id: uuid.UUID, payload: ProjectUpdateIn) -> dict[str, Any]:
    require_acting(request)
    project = access_project_by_public_id(request.user, project_id)
    fields = payload.dict(exclude_unset=True)
    empty = [k for k, v in fields.items() if v is None and k not in NULLABLE_PROJECT_FIELDS]
    if empty:
        raise ValidationFailed(fields={k: [_("This field may not be empty.")] for k in empty})
    # Even with nothing sent: the service says whether this user may change the project.
    project = services.project_update(actor=request.user, project=project, **fields)
    return _project(request, project)


@router.post(
    "/projects/{uuid:project_id}/contracts",
    response={201: ContractOut, **ERRORS},
    summary="Add a contract to a project (committee)",
)
def add_contract(request: HttpRequest, project_id: uuid.UUID, payload: ContractIn) -> Status[dict[str, Any]]:
    require_acting(request)
    project = access_project_by_public_id(request.user, project_id)
    data = payload.dict()
    party = _organisation(data.pop("government_party"), "government_party")
    amends = None
    if data["amends"] is not None:
        amends = project.contracts.filter(public_id=data["amends"]).first()
        if amends is None:
            raise ValidationFailed(fields={"amends": [_("No such contract in this project.")]})
    data["amends"] = amends
    contract = services.contract_add(actor=request.user, project=project, government_party=party, **data)
    return Status(201, contract_out(_visible_contract(request, contract.public_id)))


@router.post(
    "/contracts/{uuid:contract_id}/clauses",
    response={201: ContractOut, **ERRORS},
    summary="Add a clause to a contract (committee); answers the contract with its clauses",
)
def add_clause(request: HttpRequest, contract_id: uuid.UUID, payload: ClauseIn) -> Status[dict[str, Any]]:
    require_acting(request)
    contract = _visible_contract(request, contract_id)
    ladder = [r.dict() for r in payload.ladder] if payload.ladder is not None else None
    services.clause_add(
        actor=request.user,
        contract=contract,
        number=payload.number,
        text=payload.text,
        title=payload.title,
        ladder=ladder,
    )
    return Status(201, contract_out(_visible_contract(request, contract_id)))


@router.post(
    "/contracts/{uuid:contract_id}/obligations",
    response={201: ObligationDetailOut, **ERRORS},
    summary="Add an obligation under one of the contract's clauses (committee)",
)
def add_obligation(
    request: HttpRequest, contract_id: uuid.UUID, payload: ObligationIn
) -> Status[dict[str, Any]]:
    require_acting(request)
    contract = _visible_contract(request, contract_id)
    clause = contract.clauses.filter(number=payload.clause).first()
    if clause is None:
        raise ValidationFailed(fields={"clause": [_("No such clause in this contract.")]})
    department = None
    if payload.obligor_department is not None:
        department = _organisation(payload.obligor_department, "obligor_department")
    obligation: Obligation = services.obligation_add(
        actor=request.user,
        clause=clause,
        obligor_side=payload.obligor_side,
        kind=payload.kind,
        title=payload.title,
        due_rule=resolve_due_rule(request, contract.project, payload.due_rule),
        obligor_department=department,
        target_value=payload.target_value,
        target_unit=payload.target_unit,
        description=payload.description,
    )
    return Status(201, obligation_reloaded(request, obligation))


@router.post(
    "/projects/{uuid:project_id}/events",
    response={200: EventOut, **ERRORS},
    summary="Record that a project event happened, or move its date (due dates counted from it follow)",
)
def record_event(request: HttpRequest, project_id: uuid.UUID, payload: EventIn) -> dict[str, Any]:
    require_acting(request)
    project = access_project_by_public_id(request.user, project_id)
    event = services.event_record(actor=request.user, project=project, **payload.dict())
    return event_out(event)


@router.post(
    "/projects/{uuid:project_id}/events/declare",
    response={200: EventOut, **ERRORS},
    summary="Declare an event that has not happened yet, so obligations can count from it",
)
def declare_event(request: HttpRequest, project_id: uuid.UUID, payload: EventDeclareIn) -> dict[str, Any]:
    require_acting(request)
    project = access_project_by_public_id(request.user, project_id)
    event = services.event_declare(actor=request.user, project=project, key=payload.key, label=payload.label)
    return event_out(event)
