"""The officials' case pages: the work queue (办件队列), the department's cases, and one
case with its explanation, materials, timeline and the action panel.

Reads go through the selectors (scoped by role); every action is one service call that
names the case revision the official saw, so a case that moved meanwhile is a clear
message on the fresh page, never a 500. Supervisors read the same pages and see
nothing they could act on; their POSTs are refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError, Conflict, NotFound
from qinqing.common.permissions import require_roles
from qinqing.deadlines.ladders import Rung, effective_rungs
from qinqing.deadlines.models import LadderOverride, RungName
from qinqing.enterprises.labels import display_name as label_display_name
from qinqing.policies.forms import ApproveForm, ObjectionDecideForm, RejectForm, ReturnForm, apply_errors
from qinqing.policies.ladders import STEP_DEADLINE_KIND
from qinqing.policies.models import (
    Case,
    CaseStatus,
    CaseStep,
    Objection,
    ObjectionKind,
    ObjectionStatus,
    Policy,
    PolicyVersion,
    StepKind,
)
from qinqing.policies.selectors import (
    case_for_official,
    case_status_counts,
    department_cases,
    policies_in_scope,
    work_queue_counted,
    work_queue_page,
    work_queue_rows,
)
from qinqing.policies.services.cases import (
    case_actor_ids,
    case_approve,
    case_payment_retry,
    case_payment_retry_blocker,
    case_reject,
    case_return,
    objection_decide,
    recusal_refusal,
    step_refusal,
)
from qinqing.policies.steps import step_label
from qinqing.policies.summaries import award_lines, condition_lines, fact_kinds, given_facts, yuan
from qinqing.workdays.calendar import CalendarYearNotSeeded, WorkCalendar, current_calendar

from .enterprise import uuid_url
from .explain import actual_text
from .officer_export import MAX_ROWS, cases_workbook, queue_workbook, xlsx_response

PAGE_SIZE = 50

require_officials = require_roles(Role.OFFICER, Role.DEPARTMENT_HEAD)
# A row's colour by its urgency ("overdue", "near"), in every list with deadlines.
ROW_CLASSES = {"overdue": "table-danger", "near": "table-warning"}
require_case_readers = require_roles(Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR)


# --- The work queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    step: CaseStep
    case: Case
    label: str
    days_left: int | None  # working days from today to the due date; negative when overdue
    urgency: str  # "overdue", "near" or ""
    paused: bool
    url: str = ""

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def row_class(self) -> str:
        return ROW_CLASSES.get(self.urgency, "")


def warning_rung(kind: str = STEP_DEADLINE_KIND) -> Rung | None:
    """The warning rung in force of a ladder (the step's by default; an admin may have
    moved it)."""
    override = LadderOverride.objects.filter(kind=kind).first()
    rungs = effective_rungs(kind, kind_override=override.rungs if override else None)
    return next((r for r in rungs if r.name == RungName.WARNING), None)


def urgency(due: dt.date, today: dt.date, calendar: WorkCalendar, warning: Rung | None) -> str:
    """Overdue past the due date; near when due today or tomorrow or once the warning
    rung's day has come."""
    if due < today:
        return "overdue"
    if (due - today).days <= 1:
        return "near"
    if warning is not None:
        try:
            if calendar.add_days(due, warning.offset, warning.unit) <= today:
                return "near"
        except CalendarYearNotSeeded:
            return ""
    return ""


def deadline_state(
    due: dt.date, today: dt.date, calendar: WorkCalendar, warning: Rung | None
) -> tuple[int | None, str]:
    """Working days from today to `due` (negative when overdue; None past the seeded
    calendar) and the urgency ("overdue", "near" or "")."""
    try:
        days_left: int | None = calendar.working_days_between(today, due)
    except CalendarYearNotSeeded:
        days_left = None
    return days_left, urgency(due, today, calendar, warning)


def due_text(urgency: str, days_left: int | None) -> str:
    """What the queue says under a due date: overdue by n working days, due today, or n
    working days left."""
    if urgency == "overdue":
        late = -days_left if days_left is not None and days_left < 0 else 0
        if late:
            return ngettext("overdue by %(n)s working day", "overdue by %(n)s working days", late) % {
                "n": late
            }
        return _("overdue")
    if days_left == 0:
        return _("due today")
    if days_left is not None:
        return ngettext("%(n)s working day left", "%(n)s working days left", days_left) % {"n": days_left}
    return ""


def queue_rows(steps: Any, *, today: dt.date, warning: Rung | None) -> list[QueueRow]:
    """Rows of model instances, for the export (which reads the steps' own fields)."""
    calendar = current_calendar()
    url = uuid_url("policies:officer_case")
    rows = []
    for step in steps:
        days_left, urgent = deadline_state(step.due_date, today, calendar, warning)
        rows.append(
            QueueRow(
                step=step,
                case=step.case,
                label=step_label(step),
                days_left=days_left,
                urgency=urgent,
                paused=bool(step.deadline and step.deadline.paused),
                url=url(step.case.public_id),
            )
        )
    return rows


def queue_rows_html(tuples: Any, *, today: dt.date, warning: Rung | None) -> SafeString:
    """The queue page's table rows from `work_queue_rows` tuples, as HTML with every value
    escaped (`html.escape`, quotes included): a template loop over fifty rows of a dozen
    variables cost more than the rest of the page (docs/benchmarks.md, "Pages under
    load"). What depends only on the due date or the step is worked out once per
    distinct value. The Excel export keeps its model rows (`queue_rows`)."""
    calendar = current_calendar()
    url = uuid_url("policies:officer_case")
    zone = timezone.get_current_timezone()
    paused_badge = f' <span class="badge text-bg-secondary">{escape(_("paused"))}</span>'
    by_due: dict[dt.date, tuple[str, str]] = {}  # due date -> (row's opening tag, due cell)
    labels: dict[tuple[str, str], str] = {}
    parts = []
    for (
        key,
        name,
        started_at,
        due,
        public_id,
        reference,
        policy,
        enterprise,
        username,
        display,
        paused,
    ) in tuples:
        by_date = by_due.get(due)
        if by_date is None:
            days_left, urgent = deadline_state(due, today, calendar, warning)
            text = escape(due_text(urgent, days_left))
            by_date = by_due[due] = (
                f'class="{ROW_CLASSES.get(urgent, "")}" data-testid="queue-row"'
                f' data-urgency="{urgent or "normal"}"',
                f'<td><span class="qq-mono">{due.isoformat()}</span>'
                f'<div class="small">{f"<strong>{text}</strong>" if urgent == "overdue" else text}</div></td>',
            )
        label = labels.get((key, name))
        if label is None:
            label = labels[(key, name)] = escape(step_label({"key": key, "name": name}))
        ref = escape(reference)
        started = started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if started_at else ""
        # The user's __str__: the display name, or else the username.
        assignee = escape(display or username) if username is not None else "—"
        parts.append(
            f'<tr {by_date[0]} data-reference="{ref}">'
            f'<td class="qq-mono"><a href="{url(public_id)}">{ref}</a></td>'
            f"<td>{escape(enterprise)}</td>"
            f'<td class="d-none d-md-table-cell">{escape(policy)}</td>'
            f"<td>{label}{paused_badge if paused else ''}</td>"
            f'<td class="d-none d-lg-table-cell">{started}</td>'
            f"{by_date[1]}"
            f'<td class="d-none d-md-table-cell">{assignee}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


@dataclass(frozen=True)
class QueueFilters:
    policy: str
    step: str
    overdue: bool

    @classmethod
    def from_request(cls, request: HttpRequest) -> QueueFilters:
        return cls(
            policy=_uuid_or_blank(request.GET.get("policy", "")),
            step=request.GET.get("step", "")[:32],
            overdue=request.GET.get("overdue", "") == "1",
        )

    def apply(self, queryset: QuerySet[CaseStep, Any], today: dt.date) -> QuerySet[CaseStep, Any]:
        if self.policy:
            queryset = queryset.filter(case__policy__public_id=self.policy)
        if self.step:
            queryset = queryset.filter(key=self.step)
        if self.overdue:
            queryset = queryset.filter(due_date__lt=today)
        return queryset

    def query(self) -> str:
        pairs = (("policy", self.policy), ("step", self.step), ("overdue", "1" if self.overdue else ""))
        return urlencode({k: v for k, v in pairs if v})


def _uuid_or_blank(value: str) -> str:
    try:
        return str(uuid.UUID(value)) if value else ""
    except ValueError:
        return ""


def _filter_policies(user: Any) -> list[Policy]:
    # The choices need the title, the public id and the steps (for the step choices), and
    # whether the policy was amended (its earlier versions may list other steps).
    return list(
        policies_in_scope(user)
        .select_related(None)
        .prefetch_related(None)
        .only("public_id", "title", "steps")
        .annotate(amended=Exists(PolicyVersion.objects.filter(policy=OuterRef("pk"), number__gt=1)))
        .order_by("title", "id")
    )


@require_GET
@login_required
@require_officials
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = QueueFilters.from_request(request)
    steps = filters.apply(work_queue_rows(request.user), today)
    paginator = Paginator(steps, PAGE_SIZE)
    # The same steps counted through the covering indexes (see `work_queue_counted`).
    paginator.count = filters.apply(work_queue_counted(request.user), today).count()
    page = paginator.get_page(request.GET.get("page"))
    rows_html = queue_rows_html(page.object_list, today=today, warning=warning_rung())
    policies = _filter_policies(request.user)
    step_keys = sorted(
        {(key, step_label({"key": key, "name": name})) for key, name in _step_names(policies)},
        key=lambda pair: pair[1],
    )
    query = filters.query()
    return render_results(
        request,
        "policies/officer/queue.html",
        {
            "rows_html": rows_html,
            "page": page,
            "filters": filters,
            "policies": policies,
            "step_keys": step_keys,
            "query": query,
            "export_url": reverse("policies:officer_queue_export") + (f"?{query}" if query else ""),
            "today": today,
        },
    )


def render_results(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or (an htmx request from the filters) only the results."""
    if request.headers.get("HX-Request") == "true":
        response = render(request, f"{template}#results", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _step_names(policies: list[Policy]) -> set[tuple[str, str]]:
    """The steps officials take under these policies: from the policies' own step lists,
    not a DISTINCT over the whole queue (which cost as much as the queue itself). Cases
    keep the steps they opened with, so a step an amendment removed is still in the queue:
    the amended policies' versions' steps are read too (one query, only if one was)."""
    lists: list[Any] = [policy.steps for policy in policies]
    amended = [policy.pk for policy in policies if getattr(policy, "amended", False)]
    if amended:
        lists += PolicyVersion.objects.filter(policy__in=amended).values_list("terms__steps", flat=True)
    return {
        (step["key"], step.get("name", ""))
        for steps in lists
        for step in steps or ()
        if step.get("kind") != StepKind.NOTICE
    }


@require_GET
@login_required
@require_officials
def queue_export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = QueueFilters.from_request(request)
    steps = filters.apply(work_queue_page(request.user), today)[:MAX_ROWS]
    rows = queue_rows(steps, today=today, warning=warning_rung())
    return xlsx_response(queue_workbook(rows), f"queue-{today.isoformat()}.xlsx")


# --- The department's cases -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    status: str
    policy: str
    reference: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> CaseFilters:
        status = request.GET.get("status", "")
        return cls(
            status=status if status in CaseStatus.values else "",
            policy=_uuid_or_blank(request.GET.get("policy", "")),
            reference=request.GET.get("q", "").strip()[:32],
        )

    def cases(self, user: Any, *, with_status: bool = True) -> QuerySet[Case]:
        return department_cases(
            user,
            status=self.status if with_status else "",
            policy_public_id=self.policy or None,
            reference=self.reference,
        )

    def query(self, **override: str) -> str:
        pairs = {"status": self.status, "policy": self.policy, "q": self.reference, **override}
        return urlencode({k: v for k, v in pairs.items() if v})


def current_step_label(case: Case) -> str:
    if case.status not in (CaseStatus.IN_REVIEW, CaseStatus.RETURNED):
        return ""
    plan = case.steps_plan
    if 0 <= case.current_step < len(plan):
        return step_label(plan[case.current_step])
    return ""


@require_GET
@login_required
@require_case_readers
def department(request: HttpRequest) -> HttpResponse:
    filters = CaseFilters.from_request(request)
    counts = case_status_counts(filters.cases(request.user, with_status=False))
    page = Paginator(filters.cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": c, "step": current_step_label(c), "award": yuan(c.award)} for c in page.object_list]
    statuses = [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "url": "?" + filters.query(status=value),
            "active": value == filters.status,
        }
        for value, label in CaseStatus.choices
    ]
    query = filters.query()
    return render_results(
        request,
        "policies/officer/department.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "statuses": statuses,
            "total": sum(counts.values()),
            "all_url": "?" + filters.query(status=""),
            "policies": _filter_policies(request.user),
            "query": query,
            "export_url": reverse("policies:officer_cases_export") + (f"?{query}" if query else ""),
        },
    )


@require_GET
@login_required
@require_case_readers
def department_export(request: HttpRequest) -> HttpResponse:
    filters = CaseFilters.from_request(request)
    cases = list(filters.cases(request.user)[:MAX_ROWS])
    rows = [(c, current_step_label(c)) for c in cases]
    return xlsx_response(cases_workbook(rows), f"cases-{timezone.localdate().isoformat()}.xlsx")


# --- One case -------------------------------------------------------------------------------


def _load(user: Any, public_id: uuid.UUID) -> Case:
    try:
        return case_for_official(user, public_id)
    except (NotFound, Case.DoesNotExist) as exc:
        raise Http404 from exc


def _open_step(case: Case) -> CaseStep | None:
    for step in case.steps.all():
        if step.position == case.current_step and step.ended_at is None:
            return step
    return None


def _actual(node: dict[str, Any], kinds: dict[str, str]) -> str:
    """What the enterprise had (or gave, for a fact), as a person writes it."""
    if node.get("actual") is None or node.get("actual") == "":
        return "—"
    return actual_text(node, kinds)


def explanation_rows(case: Case) -> list[dict[str, Any]]:
    """Each condition of the rule the case was judged by, in words, beside what the
    enterprise had, whether it held, and the clause it rests on."""
    leaves: list[dict[str, Any]] = []
    kinds = fact_kinds(case.version.rule)

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if "all" in node or "any" in node:
            leaves.append({"group": True, "held": node.get("held")})
            for member in node.get("all") or node.get("any") or []:
                walk(member)
        elif "not" in node:
            leaves.append({"group": True, "held": node.get("held")})
            walk(node["not"])
        else:
            leaves.append(
                {
                    "group": False,
                    "held": node.get("held"),
                    "actual": _actual(node, kinds),
                    "clause": node.get("clause") or {},
                    "path": node.get("path", ""),
                }
            )

    walk((case.explanation or {}).get("conditions"))
    lines = condition_lines(case.version.rule)
    rows = []
    for (depth, text), leaf in zip(lines, leaves, strict=False):
        rows.append({"depth": depth, "indent": f"ps-{min(depth * 3, 5)}", "text": text, **leaf})
    return rows


def _applied_tier(case: Case, trace: dict[str, Any]) -> dict[str, Any]:
    """The award's trace with the tier applied told as the policy page tells it."""
    award = (case.version.rule or {}).get("award") or {}
    if "tier" not in trace or award.get("kind") != "tiered":
        return trace
    tiers = award.get("tiers") or []
    for tier, line in zip(tiers, award_lines(case.version.rule), strict=False):
        start = tier.get("value", tier.get("from"))
        if str(start) == str(trace["tier"]) or _same_number(start, trace["tier"]):
            return {**trace, "tier": line}
    return trace


def _same_number(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return False


def _registry_facts(case: Case) -> list[tuple[str, str]]:
    e = case.enterprise
    return [
        (_("Unified social credit code"), e.credit_code),
        (_("Status"), e.get_status_display()),
        (_("Region"), f"{e.region.name if e.region_id else ''} {e.region_code}".strip()),
        (_("Industry (GB/T 4754)"), e.industry_code),
        (_("Legal representative"), e.legal_representative or "—"),
        (_("Founded on"), e.founded_on.isoformat() if e.founded_on else "—"),
        (_("Employees"), str(e.employees)),
        (_("Employees with social insurance"), str(e.insured_employees)),
        (_("Revenue"), yuan(e.revenue) if e.revenue is not None else "—"),
        (_("Tax paid"), yuan(e.tax_paid) if e.tax_paid is not None else "—"),
        (_("Registered capital"), yuan(e.registered_capital) if e.registered_capital is not None else "—"),
        (
            _("Bank account"),
            (
                f"{e.bank_name} ···{e.bank_account_number[-4:]} · "
                + (_("verified") if e.bank_account_verified else _("not verified"))
            )
            if e.bank_account_number
            else _("none recorded"),
        ),
    ]


def _is_official_of(user: Any, case: Case) -> bool:
    paths = scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    return any(case.organisation.path.startswith(p) for p in paths)


def _objection_refusal(user: Any, case: Case, objection: Objection) -> str | None:
    """Why `user` may not decide the objection (the service checks the same again)."""
    if objection.status != ObjectionStatus.OPEN:
        return _("Decided.")
    if not _is_official_of(user, case):
        return _("An official of the issuing department decides objections.")
    if objection.kind == ObjectionKind.APPEAL and case.status != CaseStatus.APPEALED:
        return _("The case is not waiting for an objection decision.")
    if user.pk in case_actor_ids(case):
        return _("An objection goes to an official who took no part in the case.")
    return recusal_refusal(user, case.enterprise_id)


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    objection_form: tuple[int, ObjectionDecideForm] | None = None,
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    step = _open_step(case)
    official = _is_official_of(user, case)
    deciding = case.status == CaseStatus.IN_REVIEW and step is not None and step.kind != StepKind.NOTICE
    retrying = official and case.status == CaseStatus.PAYMENT_FAILED
    retry_refusal = case_payment_retry_blocker(user, case) if retrying else None
    refusal = step_refusal(user, case, step) if deciding and official else retry_refusal
    can_act = deciding and official and refusal is None
    initial = {"revision": case.revision}
    objections = []
    for objection in case.objections.all():
        why_not = _objection_refusal(user, case, objection) if official else None
        form = (
            objection_form[1]
            if objection_form and objection_form[0] == objection.pk
            else ObjectionDecideForm(prefix=f"o{objection.pk}")
        )
        objections.append(
            {
                "objection": objection,
                "can_decide": official and why_not is None,
                "why_not": why_not,
                "form": form,
            }
        )
    steps = list(case.steps.all())
    material_names = {
        str(m.get("key")): str(m.get("name")) for m in case.policy.materials if isinstance(m, dict)
    }
    return {
        "case": case,
        "enterprise": case.enterprise,
        "labels": [(label_display_name(lb.key), lb.value) for lb in case.enterprise.labels.all()],
        "registry": _registry_facts(case),
        "explanation": explanation_rows(case),
        "eligible": (case.explanation or {}).get("eligible"),
        "award": yuan(case.award),
        "award_computed": yuan(case.award_computed),
        "capped": case.award != case.award_computed,
        "reserved": yuan(case.reserved),
        "trace": _applied_tier(case, ((case.explanation or {}).get("award") or {}).get("trace") or {}),
        "facts": [(label, value) for _name, label, value in given_facts(case.version.rule, case.facts)],
        "materials": [
            {"material": m, "name": material_names.get(m.key, m.key)} for m in case.materials.all()
        ],
        "steps": [{"step": s, "label": step_label(s), "pauses": _pauses(s)} for s in steps],
        "open_step": step,
        "open_step_label": step_label(step) if step else "",
        "returns": list(case.returns.all()),
        "objections": objections,
        "official": official,
        "read_only": not official,
        "refusal": refusal,
        "can_act": can_act,
        "can_return": can_act and step is not None and step.kind == StepKind.REVIEW,
        "is_payment_step": step is not None and step.kind == StepKind.PAYMENT,
        "in_notice": case.status == CaseStatus.IN_REVIEW
        and step is not None
        and step.kind == StepKind.NOTICE,
        "can_retry": retrying and retry_refusal is None,
        "approve_form": bound.get("approve") or ApproveForm(initial=initial),
        "reject_form": bound.get("reject") or RejectForm(initial=initial),
        "return_form": bound.get("return") or ReturnForm(initial=initial),
        "notice": notice,
        "today": timezone.localdate(),
    }


def _pauses(step: CaseStep) -> list[Any]:
    if step.deadline is None:
        return []
    return list(step.deadline.pauses.all())


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **kwargs: Any) -> HttpResponse:
    return render(
        request, "policies/officer/case.html", _case_context(request, case, **kwargs), status=status
    )


@require_GET
@login_required
@require_case_readers
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _render_case(request, _load(request.user, public_id))


_ACTIONS: dict[str, type[forms.Form]] = {"approve": ApproveForm, "reject": RejectForm, "return": ReturnForm}


def _case_url(case: Case) -> str:
    return reverse("policies:officer_case", args=[case.public_id])


def _act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    case = _load(request.user, public_id)
    form = _ACTIONS[action](request.POST)
    if not form.is_valid():
        return _render_case(request, case, bound={action: form}, status=400)
    data = form.cleaned_data
    try:
        if action == "approve":
            done = case_approve(
                actor=request.user, case=case, revision=data["revision"], comment=data["comment"]
            )
        elif action == "reject":
            done = case_reject(
                actor=request.user, case=case, reason=data["reason"], revision=data["revision"]
            )
        else:
            done = case_return(
                actor=request.user, case=case, request=data["request"], revision=data["revision"]
            )
    except Conflict as exc:
        if exc.code != "case_changed":
            form.add_error(None, str(exc.message))
            return _render_case(
                request, _load(request.user, public_id), bound={action: form}, status=exc.http_status
            )
        # Someone else acted first: the fresh case, with fresh forms, and why.
        return _render_case(request, _load(request.user, public_id), notice=str(exc.message), status=409)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_case(
            request, _load(request.user, public_id), bound={action: form}, status=exc.http_status
        )
    messages.success(request, _done_message(action, done))
    return HttpResponseRedirect(_case_url(done))


def _done_message(action: str, case: Case) -> str:
    if action == "reject":
        return _("Case %(reference)s rejected.") % {"reference": case.reference}
    if action == "return":
        return _("Case %(reference)s returned to the enterprise for materials.") % {
            "reference": case.reference
        }
    if case.status == CaseStatus.PAYING:
        return _("Case %(reference)s approved; the payment instruction was created.") % {
            "reference": case.reference
        }
    return _("Step approved; case %(reference)s moves on.") % {"reference": case.reference}


@require_POST
@login_required
@require_officials
def case_approve_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "approve")


@require_POST
@login_required
@require_officials
def case_reject_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "reject")


@require_POST
@login_required
@require_officials
def case_return_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "return")


@require_POST
@login_required
@require_officials
def case_retry_payment_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _load(request.user, public_id)
    try:
        case_payment_retry(actor=request.user, case=case)
    except ApplicationError as exc:
        return _render_case(
            request, _load(request.user, public_id), notice=str(exc.message), status=exc.http_status
        )
    messages.success(request, _("The payment is being sent again."))
    return HttpResponseRedirect(_case_url(case))


@require_POST
@login_required
@require_officials
def objection_decide_view(
    request: HttpRequest, public_id: uuid.UUID, objection_id: uuid.UUID
) -> HttpResponse:
    case = _load(request.user, public_id)
    objection = next((o for o in case.objections.all() if o.public_id == objection_id), None)
    if objection is None:
        raise Http404
    form = ObjectionDecideForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        try:
            objection_decide(
                actor=request.user,
                objection=objection,
                uphold=form.cleaned_data["uphold"],
                reply=form.cleaned_data["reply"],
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
            return _render_case(
                request,
                _load(request.user, public_id),
                objection_form=(objection.pk, form),
                status=exc.http_status,
            )
        messages.success(request, _("The objection was decided."))
        return HttpResponseRedirect(_case_url(case))
    return _render_case(request, case, objection_form=(objection.pk, form), status=400)
