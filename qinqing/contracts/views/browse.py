"""The read side of contract fulfilment: projects, one project's timeline of both
sides' obligations, one obligation with its history, the committee's alarms, and the
enterprise's phone page.

Reads go through the contracts selectors (scoped per role: a committee its zone, a
department the projects it owes in, a supervisor all it supervises, an enterprise its
own); anything out of reach is a 404. The action panel on the obligation page is the
write side's (`contracts/_actions.html`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound
from qinqing.common.permissions import require_roles
from qinqing.contracts import selectors
from qinqing.contracts.export import days_overdue
from qinqing.contracts.ladders import OBJECT_TYPE
from qinqing.contracts.models import (
    Obligation,
    ObligationStatus,
    ObligorSide,
    Project,
    ProjectEvent,
    ProjectStatus,
)
from qinqing.contracts.services.common import is_committee_for, is_enterprise_of
from qinqing.deadlines.models import Alert
from qinqing.policies.summaries import yuan

from . import timeline
from .history import obligation_history

PAGE_SIZE = 50

GOVERNMENT_READERS = (Role.COMMITTEE, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR)
require_readers = require_roles(Role.ENTERPRISE, *GOVERNMENT_READERS)
require_enterprise = require_roles(Role.ENTERPRISE)
require_committee_or_supervisor = require_roles(Role.COMMITTEE, Role.SUPERVISOR)


def obligation_url(obligation: Obligation) -> str:
    return reverse("contracts:obligation", args=[obligation.public_id])


def optional_url(name: str, *args: Any) -> str:
    """A link to a page another engineer builds, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _render_results(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or (an htmx request from the filters) only the results."""
    if request.headers.get("HX-Request") == "true":
        response = render(request, f"{template}#results", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Projects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilters:
    status: str
    industry: str
    alarms: bool
    q: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> ProjectFilters:
        status = request.GET.get("status", "")
        return cls(
            status=status if status in ProjectStatus.values else "",
            industry=request.GET.get("industry", "")[:100],
            alarms=request.GET.get("alarms", "") == "1",
            q=request.GET.get("q", "").strip()[:100],
        )

    def apply(self, queryset: QuerySet[Project], user: Any) -> QuerySet[Project]:
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.industry:
            queryset = queryset.filter(industry=self.industry)
        if self.q:
            queryset = queryset.filter(
                Q(name__icontains=self.q)
                | Q(reference__icontains=self.q)
                | Q(enterprise__name__icontains=self.q)
                | Q(enterprise__credit_code__iexact=self.q)
            )
        if self.alarms:
            alarmed = selectors.with_alarm_state(Obligation.objects.all()).filter(alarm_state="open")
            queryset = queryset.filter(pk__in=alarmed.values("project_id"))
        return queryset

    def query(self) -> str:
        pairs = (
            ("status", self.status),
            ("industry", self.industry),
            ("alarms", "1" if self.alarms else ""),
            ("q", self.q),
        )
        return urlencode({k: v for k, v in pairs if v})


def _only_enterprise(user: Any) -> bool:
    scope = scope_for(user)
    return Role.ENTERPRISE in scope.roles and not scope.has_role(*GOVERNMENT_READERS)


def page_counts(project_ids: list[int], today: dt.date) -> dict[int, timeline.ProjectCounts]:
    """Obligations per project and side, on time, late and with alarms: one query."""
    rows = (
        selectors.with_alarm_state(Obligation.objects.filter(project_id__in=project_ids))
        .order_by()
        .values(
            "project_id",
            "obligor_side",
            "status",
            "due_date",
            "original_due_date",
            "days_early",
            "alarm_state",
        )
    )
    return timeline.count_rows(rows, today)


@require_GET
@login_required
@require_readers
def projects(request: HttpRequest) -> HttpResponse:
    if _only_enterprise(request.user):
        return HttpResponseRedirect(reverse("contracts:mine"))
    today = timezone.localdate()
    filters = ProjectFilters.from_request(request)
    visible = selectors.projects_visible(request.user)
    listed = (
        filters.apply(visible, request.user)
        .select_related("enterprise", "committee")
        .order_by("-signed_on", "reference")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    counts = page_counts([p.pk for p in items], today)
    rows = [(p, counts.get(p.pk, timeline.ProjectCounts())) for p in items]
    industries = list(visible.order_by("industry").values_list("industry", flat=True).distinct())
    scope = scope_for(request.user)
    return _render_results(
        request,
        "contracts/list.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "query": filters.query(),
            "industries": industries,
            "statuses": ProjectStatus.choices,
            "show_dashboard": scope.has_role(Role.COMMITTEE, Role.SUPERVISOR),
            "new_project_url": optional_url("contracts:project_new")
            if scope.has_role(Role.COMMITTEE)
            else "",
            "export_url": optional_url("contracts:export_projects")
            if scope.has_role(Role.COMMITTEE, Role.SUPERVISOR)
            else "",
        },
    )


# --- One project ----------------------------------------------------------------------------


def _project_or_404(user: Any, public_id: uuid.UUID) -> Project:
    try:
        return selectors.access_project_by_public_id(user, public_id)
    except NotFound as exc:
        raise Http404 from exc


def _obligation_or_404(user: Any, public_id: uuid.UUID) -> Obligation:
    try:
        return selectors.access_obligation_by_public_id(user, public_id)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
@login_required
@require_readers
def project(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    today = timezone.localdate()
    proj = _project_or_404(request.user, public_id)
    contracts = list(proj.contracts.select_related("government_party").prefetch_related("clauses"))
    events = list(ProjectEvent.objects.filter(project=proj).order_by("occurred_on", "id"))
    for event in events:
        event.display = timeline.event_label(event)  # type: ignore[attr-defined]
    obligations = list(selectors.with_alarm_state(selectors.project_obligations(proj)))
    rows = timeline.timeline_rows(
        obligations,
        events=events,
        signed_on={c.pk: c.signed_on for c in contracts},
        default_signed_on=proj.signed_on,
        today=today,
        url_for=obligation_url,
    )
    author = is_committee_for(request.user, proj)
    _with_ocds_links(contracts)
    if author:
        for contract in contracts:
            # Links the template shows beside each contract and clause.
            setattr(contract, "clause_url", optional_url("contracts:clause_new", contract.public_id))  # noqa: B010
            for clause in contract.clauses.all():
                url = optional_url("contracts:obligation_new", contract.public_id, clause.pk)
                setattr(clause, "obligation_url", url)  # noqa: B010
    counts = timeline.count_rows(
        (
            {
                "project_id": proj.pk,
                "obligor_side": ob.obligor_side,
                "status": ob.status,
                "due_date": ob.due_date,
                "original_due_date": ob.original_due_date,
                "days_early": ob.days_early,
                "alarm_state": getattr(ob, "alarm_state", ""),
            }
            for ob in obligations
        ),
        today,
    ).get(proj.pk, timeline.ProjectCounts())
    return render(
        request,
        "contracts/project.html",
        {
            "project": proj,
            "investment": yuan(proj.planned_investment),
            "contracts": contracts,
            "events": events,
            "enterprise_rows": [r for r in rows if r.obligation.obligor_side == ObligorSide.ENTERPRISE],
            "government_rows": [r for r in rows if r.obligation.obligor_side == ObligorSide.GOVERNMENT],
            "links": {
                "edit": optional_url("contracts:project_edit", proj.public_id) if author else "",
                "contract": optional_url("contracts:contract_new", proj.public_id) if author else "",
                "event": optional_url("contracts:event_record", proj.public_id)
                if author or is_enterprise_of(request.user, proj)
                else "",
                "export": optional_url("contracts:export_project", proj.public_id),
                "ocds": optional_url("contracts:ocds_project", proj.public_id),
            },
            "counts": counts,
            "gantt": timeline.gantt_data(rows, today=today),
            "legend": timeline.legend(),
            "today": today,
        },
    )


def _with_ocds_links(contracts: list[Any]) -> list[Any]:
    for contract in contracts:
        contract.ocds_url = optional_url("contracts:ocds_contract", contract.public_id)
        contract.value_text = yuan(contract.value) if contract.value is not None else ""
    return contracts


# --- One obligation -------------------------------------------------------------------------


def _action_context(request: HttpRequest, obligation: Obligation) -> dict[str, Any] | None:
    """The write side's action panel context, or None while it is not built."""
    try:
        from .actions import action_context  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    context: dict[str, Any] = action_context(request, obligation)
    return context


@require_GET
@login_required
@require_readers
def obligation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    today = timezone.localdate()
    ob = _obligation_or_404(request.user, public_id)
    annotated = selectors.with_alarm_state(Obligation.objects.filter(pk=ob.pk)).values_list(
        "alarm_state", flat=True
    )
    ob.alarm_state = annotated.first() or ""  # type: ignore[attr-defined]
    anchors = {}
    if ob.anchor_obligation_id is not None:
        anchor = Obligation.objects.filter(pk=ob.anchor_obligation_id).first()
        if anchor is not None:
            anchors[anchor.pk] = anchor
    events = {}
    if ob.anchor_event_id is not None:
        event = ProjectEvent.objects.filter(pk=ob.anchor_event_id).first()
        if event is not None:
            events[event.pk] = event
    alerts = list(
        Alert.objects.filter(deadline__object_type=OBJECT_TYPE, deadline__object_id=str(ob.pk)).order_by(
            "fired_at", "id"
        )
    )
    context: dict[str, Any] = {
        "obligation": ob,
        "project": ob.project,
        "rule": timeline.rule_in_words(ob, anchors=anchors, events=events),
        "anchor_url": obligation_url(anchors[ob.anchor_obligation_id])
        if ob.anchor_obligation_id in anchors
        else "",
        "tone": timeline.tone(ob, today),
        "badge": timeline.BADGES[timeline.tone(ob, today)],
        "status_label": timeline.status_label(ob.status),
        "days_overdue": days_overdue(ob, today) or 0,
        "days_late": -ob.days_early if ob.days_early is not None and ob.days_early < 0 else 0,
        "remedied": timeline.remedied_per_plan(ob),
        "history": obligation_history(ob, alerts=alerts),
        "alerts": alerts,
        "today": today,
        "actions": selectors.allowed_actions(request.user, ob),
        "has_action_panel": False,
    }
    extra = _action_context(request, ob)
    if extra is not None:
        context.update(extra)
        context["has_action_panel"] = True
    return render(request, "contracts/obligation.html", context)


# --- The committee's alarms -----------------------------------------------------------------


@require_GET
@login_required
@require_committee_or_supervisor
def alarms(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in ("open", "answered") else ""
    listed = (
        selectors.with_alarm_state(selectors.obligations_visible(request.user))
        .filter(Q(alarm_state=state) if state else Q(alarm_state="open") | Q(alarm_state="answered"))
        .select_related("project__enterprise", "obligor_department", "project__committee")
        .order_by("due_date", "project__reference", "id")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    plans = selectors_plans_awaiting([ob.pk for ob in items])
    rows = [
        {
            "obligation": ob,
            "days_overdue": days_overdue(ob, today) or 0,
            "plan": plans.get(ob.pk),
            "url": obligation_url(ob),
        }
        for ob in items
    ]
    return _render_results(
        request,
        "contracts/alarms.html",
        {
            "rows": rows,
            "page": page,
            "state": state,
            "query": urlencode({"state": state} if state else {}),
            "export_url": optional_url("contracts:export_alarms"),
        },
    )


def selectors_plans_awaiting(obligation_ids: list[int]) -> dict[int, Any]:
    """The submitted (awaiting) plan of each obligation, in one query."""
    from qinqing.contracts.models import PlanStatus, RemedyPlan

    plans = RemedyPlan.objects.filter(obligation_id__in=obligation_ids, status=PlanStatus.SUBMITTED)
    return {p.obligation_id: p for p in plans}


# --- The enterprise's phone page ------------------------------------------------------------

# What the enterprise is asked to do, per allowed action, most pressing first.
TODO_ORDER = ("plan", "confirm", "dispute", "claim", "withdraw_claim")


@require_GET
@login_required
@require_enterprise
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    my_projects = list(selectors.projects_visible(user).select_related("enterprise", "committee"))
    owed = list(
        selectors.with_alarm_state(selectors.obligations_visible(user))
        .exclude(status=ObligationStatus.CANCELLED)
        .select_related("project", "obligor_department")
        .prefetch_related("claims", "plans")
        .order_by("due_date", "position", "id")
    )
    own, theirs = [], []
    for ob in owed:
        tone = timeline.tone(ob, today)
        item = {
            "obligation": ob,
            "tone": tone,
            "badge": timeline.BADGES[tone],
            "status_label": timeline.status_label(ob.status),
            "url": obligation_url(ob),
            "days_left": (ob.due_date - today).days if ob.due_date else None,
            "days_overdue": days_overdue(ob, today) or 0,
        }
        if ob.obligor_side == ObligorSide.ENTERPRISE:
            item["todo"] = _todo(user, ob)
            own.append(item)
        else:
            item["todo"] = _todo(user, ob) if ob.status == ObligationStatus.CLAIMED else []
            theirs.append(item)
    own.sort(key=_mine_order)
    theirs.sort(key=_mine_order)
    return render(
        request,
        "contracts/mine.html",
        {"projects": my_projects, "own": own, "theirs": theirs, "today": today, "many": len(my_projects) > 1},
    )


def _mine_order(item: dict[str, Any]) -> tuple[int, dt.date, int]:
    """An alarm to answer first, then what is still owed (next due first, undated
    last), then partly met targets, then what is met."""
    ob: Obligation = item["obligation"]
    if "plan" in item["todo"]:
        group = 0
    elif ob.status == ObligationStatus.PARTLY_MET:
        group = 2
    elif ob.status == ObligationStatus.MET:
        group = 3
    else:
        group = 1
    return (group, ob.due_date or dt.date.max, ob.pk)


def _todo(user: Any, ob: Obligation) -> list[str]:
    if ob.status in (ObligationStatus.MET, ObligationStatus.PENDING):
        return []
    actions = selectors.allowed_actions(user, ob)
    todo = [a for a in TODO_ORDER if a in actions]
    # Confirming and disputing are one thing to do: answer the claim.
    return [a for a in todo if not (a == "dispute" and "confirm" in todo)]
