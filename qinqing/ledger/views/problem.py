"""One problem: its facts, deadline, story and history, its evidence (downloaded only as
attachments), and the action panel with the forms of the actions the user may take now
(the actions' views are in `actions`, which re-render this page when they refuse).

The reporter sees the public story only; the department does not see who reported a
problem whose reporter asked to be hidden.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.downloads import stored_download
from qinqing.common.errors import NotFound

from .. import selectors
from ..filters import near_until
from ..forms import (
    AssignForm,
    CheckWithdrawalForm,
    ClassifyForm,
    MergeForm,
    NoteForm,
    OptionalReasonForm,
    ProgressForm,
    ReasonForm,
    ReferForm,
    ReturnVisitForm,
    SubmitForm,
    VerifyForm,
)
from ..models import Category, Problem, ProblemStatus, UpdateKind, subcategory_label
from .loop import (
    Roles,
    allowed_actions,
    is_official,
    load_problem,
    roles_on,
    sees_reporter,
    tone,
)

# key → the action's form: (problem, how the user stands to it, POST data, files).
FormFactory = Callable[[Problem, Roles, Any, Any], forms.Form]


def _visit_reporter(roles: Roles) -> bool:
    """The reporter answers online; the supervising group records a call or a visit."""
    return roles.reporter and not roles.supervising


FACTORIES: dict[str, FormFactory] = {
    "assign": lambda p, r, data, files: AssignForm(
        data, problem=p, user=r.user, prefix="assign", initial=_initial(p)
    ),
    "progress": lambda p, r, data, files: ProgressForm(data, files, prefix="progress", initial=_initial(p)),
    "submit": lambda p, r, data, files: SubmitForm(data, files, prefix="submit", initial=_initial(p)),
    "request_withdrawal": lambda p, r, data, files: ReasonForm(
        data, prefix="request_withdrawal", initial=_initial(p)
    ),
    "verify": lambda p, r, data, files: VerifyForm(data, prefix="verify", initial=_initial(p)),
    "send_back": lambda p, r, data, files: ReasonForm(data, prefix="send_back", initial=_initial(p)),
    "return_visit": lambda p, r, data, files: ReturnVisitForm(
        data, reporter=_visit_reporter(r), prefix="return_visit", initial=_initial(p)
    ),
    "check_withdrawal": lambda p, r, data, files: CheckWithdrawalForm(
        data, reporter=_visit_reporter(r), prefix="check_withdrawal", initial=_initial(p)
    ),
    "reopen": lambda p, r, data, files: ReasonForm(data, prefix="reopen", initial=_initial(p)),
    "withdraw": lambda p, r, data, files: OptionalReasonForm(data, prefix="withdraw", initial=_initial(p)),
    "merge": lambda p, r, data, files: MergeForm(data, prefix="merge", initial=_initial(p)),
    "refer": lambda p, r, data, files: ReferForm(data, prefix="refer", initial=_initial(p)),
    "classify": lambda p, r, data, files: ClassifyForm(
        data,
        prefix="classify",
        initial={
            **_initial(p),
            "category": p.category,
            "subcategory": p.subcategory,
            "severity": p.severity,
            "institutional": p.institutional,
        },
    ),
    "note": lambda p, r, data, files: NoteForm(data, prefix="note"),
}
# The order the panel shows them in: what moves the problem forward first.
PANEL_ORDER = (
    "return_visit",
    "check_withdrawal",
    "verify",
    "send_back",
    "assign",
    "progress",
    "submit",
    "reopen",
    "request_withdrawal",
    "withdraw",
    "merge",
    "refer",
    "classify",
    "note",
)


def _labels() -> dict[str, tuple[str, str, str]]:
    """Per action: the panel's heading, the button, and the button's colour."""
    return {
        "return_visit": (_("Return visit: is it really fixed?"), _("Send the answer"), "btn-success"),
        "check_withdrawal": (
            _("Withdrawal check: does the reporter agree?"),
            _("Record the answer"),
            "btn-primary",
        ),
        "verify": (_("Verify the rectification"), _("Verify"), "btn-success"),
        "send_back": (
            _("Send back to the department"),
            _("Send back with these reasons"),
            "btn-outline-danger",
        ),
        "assign": (_("Assign to a department"), _("Assign"), "btn-primary"),
        "progress": (_("Report progress"), _("Record progress"), "btn-primary"),
        "submit": (_("Submit as fixed, with evidence"), _("Submit for verification"), "btn-success"),
        "reopen": (_("Reopen: it is not fixed"), _("Reopen"), "btn-outline-danger"),
        "request_withdrawal": (
            _("Ask for the problem to be withdrawn"),
            _("Ask for withdrawal"),
            "btn-outline-secondary",
        ),
        "withdraw": (_("Withdraw my problem"), _("Withdraw"), "btn-outline-secondary"),
        "merge": (_("Merge into the problem it repeats"), _("Merge"), "btn-outline-secondary"),
        "refer": (_("Cannot be fixed here: refer it"), _("Refer"), "btn-outline-secondary"),
        "classify": (_("Correct the classification"), _("Save the classification"), "btn-outline-secondary"),
        "note": (_("Add a note to the story"), _("Add the note"), "btn-outline-secondary"),
    }


def _initial(problem: Problem) -> dict[str, Any]:
    return {"revision": problem.revision}


# --- The page ----------------------------------------------------------------------------------


def _story(user: Any, problem: Problem, *, official: bool, reporter_visible: bool) -> list[dict[str, Any]]:
    entries = []
    for update in selectors.problem_story(user, problem):
        if not official:
            author = ""
        elif (
            not reporter_visible
            and update.author_id is not None
            and update.author_id == problem.reporter_user_id
        ):
            author = _("the reporter")
        else:
            author = update.author_label
        entries.append(
            {
                "update": update,
                "author": author,
                "files": list(update.files.all()),
                "registered": update.kind == UpdateKind.REGISTERED,
            }
        )
    return entries


def _history(problem: Problem, *, reporter_visible: bool) -> list[dict[str, Any]]:
    rows = []
    for t in problem.transitions.select_related("organisation", "actor").order_by("at", "id"):
        hidden = not reporter_visible and t.actor_id is not None and t.actor_id == problem.reporter_user_id
        if t.action == "classify":
            # The status stays; the row records the new category (and severity, flag).
            category = Category(t.category).label if t.category in Category.values else t.category
            moved: dict[str, Any] = {
                "from": "",
                "to": _("Reclassified: %(category)s") % {"category": category},
            }
        else:
            moved = {
                "from": ProblemStatus(t.from_status).label if t.from_status in ProblemStatus.values else "",
                "to": ProblemStatus(t.to_status).label
                if t.to_status in ProblemStatus.values
                else t.to_status,
            }
        rows.append(
            {
                "at": t.at,
                **moved,
                "organisation": t.organisation.name,
                "due_date": t.due_date,
                "actor": _("the reporter") if hidden else (str(t.actor) if t.actor else ""),
            }
        )
    return rows


def problem_context(
    request: HttpRequest,
    problem: Problem,
    *,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    files_lost: bool = False,
) -> dict[str, Any]:
    user = request.user
    official = is_official(user)
    reporter_visible = sees_reporter(user, problem)
    roles = roles_on(user, problem)
    actions = allowed_actions(user, problem, roles)
    bound = bound or {}
    labels = _labels()
    panel: list[dict[str, Any]] = []
    for key in PANEL_ORDER:
        if key in actions:
            form = bound.get(key) or FACTORIES[key](problem, roles, None, None)
            heading, button, css = labels[key]
            panel.append(
                {
                    "key": key,
                    "form": form,
                    "url": reverse(f"ledger:problem_{key}", args=[problem.public_id]),
                    "heading": heading,
                    "button": button,
                    "css": css,
                    "open": key in bound or not panel,
                }
            )
    today = timezone.localdate()
    return {
        "problem": problem,
        "official": official,
        "reporter_visible": reporter_visible,
        "subcategory": subcategory_label(problem.category, problem.subcategory)
        if problem.subcategory
        else "",
        "tone": tone(problem, today, near_until(today)),
        "today": today,
        "clock_stopped": problem.status in (ProblemStatus.SUBMITTED, ProblemStatus.WITHDRAWAL_REQUESTED),
        "story": _story(user, problem, official=official, reporter_visible=reporter_visible),
        "intake_files": [f for f in problem.files.all() if f.update_id is None],
        "history": _history(problem, reporter_visible=reporter_visible) if official else [],
        "ladder": _ladder(problem) if official else None,
        "visits": list(problem.return_visits.select_related("visited_by")) if official else [],
        "co_departments": list(problem.co_departments.all()),
        "panel": panel,
        "action_notice": notice,
        "files_lost": files_lost,
        "is_reporter": roles.reporter,
        "back": _back(user),
    }


def _ladder(problem: Problem) -> dict[str, Any] | None:
    """Where the problem's time limit stands on its ladder (officials only): the rungs
    already reached, with the day each fired, and the next one with its day."""
    from qinqing.deadlines.models import RungName

    from ..services.common import open_deadline_of

    deadline = open_deadline_of(problem)
    if deadline is None:
        return None
    labels = dict(RungName.choices)
    fired = [
        {"rung": labels.get(a.rung, a.rung), "on": a.fired_on}
        for a in deadline.alerts.filter(due_date=deadline.due_date).order_by("rung_on", "pk")
    ]
    return {
        "fired": fired,
        "next": labels.get(deadline.next_rung, "") if deadline.next_rung else "",
        "next_on": deadline.next_rung_on,
        "paused": deadline.paused,
    }


def _back(user: Any) -> tuple[str, str]:
    """Where "back" goes: the list this person works from."""
    scope = scope_for(user)
    if scope.has_role(Role.OFFICER, Role.DEPARTMENT_HEAD):
        return reverse("ledger:queue"), _("Problems to fix")
    if scope.is_supervisor:
        return reverse("ledger:group"), _("Problems to supervise")
    return reverse("ledger:mine"), _("My reported problems")


def render_problem(
    request: HttpRequest,
    public_id: Any,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    files_lost: bool = False,
) -> HttpResponse:
    """The problem page as the database has it now (after a refused action too)."""
    problem = load_problem(request.user, public_id)
    context = problem_context(request, problem, bound=bound, notice=notice, files_lost=files_lost)
    return render(request, "ledger/loop/problem.html", context, status=status)


@require_GET
@login_required
def problem_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render_problem(request, public_id)


@require_GET
@login_required
def problem_file(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """An evidence file, for whoever may read it; always an attachment, never shown
    inline, whatever its type claims."""
    try:
        evidence = selectors.access_problem_file_by_id(request.user, public_id)
        return stored_download(
            evidence.storage_name, filename=evidence.original_name, content_type=evidence.content_type
        )
    except (NotFound, FileNotFoundError) as exc:
        raise Http404 from exc
