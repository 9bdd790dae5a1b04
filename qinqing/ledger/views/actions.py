"""The actions on a problem, one POST view each, naming the revision the user was shown.

Success redirects to the problem with a message; bad input re-renders the problem page
with what was typed beside the error (400); a refusal is the 403 page; a problem that
moved meanwhile is shown as it is now with the conflict's message (409), the form kept
with what was typed when the action is still possible; never a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinqing.common.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed

from .. import selectors, services
from ..forms import apply_errors
from ..models import Problem
from ..services.common import problem_url
from .loop import allowed_actions, forbidden, load_problem, roles_on
from .problem import FACTORIES, render_problem

CHANGED = "problem_changed"


# --- One action --------------------------------------------------------------------------------


def _rebound(form: forms.Form, revision: int) -> forms.Form:
    """The same form with what was typed and the current revision, after a conflict."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix("revision")] = str(revision)
    form.data = data
    form._errors = None  # type: ignore[attr-defined]  # recomputed by full_clean
    form.full_clean()
    return form


def _act(
    request: HttpRequest,
    public_id: uuid.UUID,
    *,
    key: str,
    call: Callable[[Problem, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    problem = load_problem(request.user, public_id)
    roles = roles_on(request.user, problem)
    form = FACTORIES[key](problem, roles, request.POST, request.FILES)
    files_sent = bool(request.FILES)
    if not form.is_valid():
        return render_problem(request, public_id, status=400, bound={key: form}, files_lost=files_sent)
    try:
        call(problem, form.cleaned_data)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except NotFound as exc:
        raise Http404 from exc
    except Conflict as exc:
        bound: dict[str, forms.Form] = {}
        if exc.code == CHANGED and "revision" in form.fields:
            current = load_problem(request.user, public_id)
            if key in allowed_actions(request.user, current):
                # Still possible: keep what was typed, against the problem as it is now.
                bound[key] = _rebound(form, current.revision)
        return render_problem(
            request,
            public_id,
            status=409,
            bound=bound,
            notice=str(exc.message),
            files_lost=files_sent and bool(bound),
        )
    except ApplicationError as exc:
        apply_errors(form, exc)
        return render_problem(
            request, public_id, status=exc.http_status, bound={key: form}, files_lost=files_sent
        )
    messages.success(request, done)
    return HttpResponseRedirect(problem_url(problem))


def _revision(data: dict[str, Any]) -> int:
    return int(data["revision"])


@require_POST
@login_required
def assign(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_assign(
            actor=request.user,
            problem=problem,
            department=data["department"],
            deadline_mode=data["deadline_mode"],
            deadline_days=data.get("deadline_days"),
            co_departments=list(data.get("co_departments") or []),
            supervising_group=data.get("supervising_group"),
            note=data.get("note", ""),
            revision=_revision(data),
        )

    return _act(request, public_id, key="assign", call=call, done=_("Assigned; the department's clock runs."))


@require_POST
@login_required
def progress(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_progress(
            actor=request.user,
            problem=problem,
            text=data["text"],
            files=data["files"],
            public=bool(data.get("public")),
            revision=_revision(data),
        )

    return _act(request, public_id, key="progress", call=call, done=_("Progress recorded."))


@require_POST
@login_required
def submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_submit(
            actor=request.user,
            problem=problem,
            text=data["text"],
            files=data["files"],
            revision=_revision(data),
        )

    return _act(
        request,
        public_id,
        key="submit",
        call=call,
        done=_("Submitted with evidence; the supervising group will verify it."),
    )


@require_POST
@login_required
def request_withdrawal(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_request_withdrawal(
            actor=request.user, problem=problem, reason=data["reason"], revision=_revision(data)
        )

    return _act(
        request,
        public_id,
        key="request_withdrawal",
        call=call,
        done=_("Withdrawal requested; the supervising group will check it with the reporter."),
    )


@require_POST
@login_required
def verify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_verify(
            actor=request.user,
            problem=problem,
            outcome=data["outcome"],
            text=data.get("text", ""),
            revision=_revision(data),
        )

    return _act(
        request,
        public_id,
        key="verify",
        call=call,
        done=_("Verified; the reporter is asked for a return visit."),
    )


@require_POST
@login_required
def send_back(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_send_back(
            actor=request.user, problem=problem, reason=data["reason"], revision=_revision(data)
        )

    return _act(
        request,
        public_id,
        key="send_back",
        call=call,
        done=_("Sent back to the department with your reasons."),
    )


@require_POST
@login_required
def return_visit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_return_visit(
            actor=request.user,
            problem=problem,
            score=data["score"],
            fixed=bool(data["fixed"]),
            comment=data.get("comment", ""),
            mode=data["mode"],
            revision=_revision(data),
        )

    return _act(
        request, public_id, key="return_visit", call=call, done=_("Thank you: your answer is recorded.")
    )


@require_POST
@login_required
def check_withdrawal(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_check_withdrawal(
            actor=request.user,
            problem=problem,
            agrees=bool(data["agrees"]),
            comment=data.get("comment", ""),
            mode=data["mode"],
            revision=_revision(data),
        )

    return _act(
        request, public_id, key="check_withdrawal", call=call, done=_("The withdrawal check is recorded.")
    )


@require_POST
@login_required
def reopen(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_reopen(
            actor=request.user, problem=problem, reason=data["reason"], revision=_revision(data)
        )

    return _act(
        request, public_id, key="reopen", call=call, done=_("Reopened: the department must fix it again.")
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_withdraw(
            actor=request.user, problem=problem, reason=data.get("reason", ""), revision=_revision(data)
        )

    return _act(request, public_id, key="withdraw", call=call, done=_("Your problem was withdrawn."))


@require_POST
@login_required
def merge(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        reference = str(data["into"]).strip()
        into = selectors.problems_for(request.user).filter(reference__iexact=reference).first()
        if into is None:
            raise ValidationFailed(
                fields={"into": [_("No problem with this reference is within your reach.")]}
            )
        return services.problem_merge(
            actor=request.user,
            problem=problem,
            into=into,
            reason=data.get("reason", ""),
            revision=_revision(data),
        )

    return _act(request, public_id, key="merge", call=call, done=_("Merged into the problem it repeats."))


@require_POST
@login_required
def refer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_refer(
            actor=request.user,
            problem=problem,
            level=data["level"],
            referred_to=data["referred_to"],
            reason=data["reason"],
            revision=_revision(data),
        )

    return _act(request, public_id, key="refer", call=call, done=_("Referred, with the reason recorded."))


@require_POST
@login_required
def classify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_classify(
            actor=request.user,
            problem=problem,
            category=data["category"],
            subcategory=data.get("subcategory", ""),
            severity=data["severity"],
            institutional=data.get("institutional", ""),
            revision=_revision(data),
        )

    return _act(request, public_id, key="classify", call=call, done=_("Classification saved."))


@require_POST
@login_required
def note(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def call(problem: Problem, data: dict[str, Any]) -> Any:
        return services.problem_note(
            actor=request.user, problem=problem, text=data["text"], public=bool(data.get("public"))
        )

    return _act(request, public_id, key="note", call=call, done=_("Note added to the story."))
