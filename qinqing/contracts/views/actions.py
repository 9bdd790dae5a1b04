"""The loop on an obligation's page: claim fulfilment with evidence, withdraw, confirm,
dispute, decide a dispute, submit a remedy plan, decide it, cancel; and the evidence
download.

`action_context` builds the forms of the actions the user may take now (the selectors'
`allowed_actions`); the obligation page includes `contracts/_actions.html` with it.
Every action is one service call naming the obligation revision the user saw: success
redirects to the obligation page with a message; bad input or a refusal shows the panel
again with what was typed and the reason, never a 500; an obligation that moved
meanwhile shows its current state and says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinqing.common.errors import ApplicationError, Conflict, NotFound, PermissionDenied

from .. import selectors, services
from ..forms import (
    ClaimForm,
    ConfirmForm,
    DecideForm,
    PlanDecideForm,
    PlanForm,
    ReasonForm,
    RevisionForm,
    apply_errors,
)
from ..models import ClaimStatus, FulfilmentClaim, Obligation, PlanStatus, RemedyPlan
from .evidence import evidence_response

CHANGED = "obligation_changed"


def _open_claim(obligation: Obligation, status: str) -> FulfilmentClaim | None:
    claims = [c for c in obligation.claims.all() if c.status == status]
    return claims[-1] if claims else None


def _open_plan(obligation: Obligation) -> RemedyPlan | None:
    return next((p for p in obligation.plans.all() if p.status == PlanStatus.SUBMITTED), None)


def action_context(
    request: HttpRequest,
    obligation: Obligation,
    *,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    files_lost: bool = False,
) -> dict[str, Any]:
    """The forms of the actions `request.user` may take on `obligation` now, and only those
    (a form absent from the context is an action the services would refuse)."""
    state = getattr(request, PANEL_STATE, None)
    if state is not None and bound is None:
        bound, notice, files_lost = state["bound"], state["notice"], state["files_lost"]
    bound = bound or {}
    actions = selectors.allowed_actions(request.user, obligation)
    initial = {"revision": obligation.revision}
    pending = _open_claim(obligation, ClaimStatus.PENDING)
    disputed = _open_claim(obligation, ClaimStatus.DISPUTED)
    plan = _open_plan(obligation)
    context: dict[str, Any] = {
        "actions": actions,
        "pending_claim": pending,
        "disputed_claim": disputed,
        "submitted_plan": plan,
        "action_notice": notice,
        "files_lost": files_lost,
    }

    def form(key: str, action: str, make: Callable[[], forms.Form], *, needs: object = True) -> None:
        if action in actions and needs is not None:
            context[f"{key}_form"] = bound.get(key) or make()

    form("claim", "claim", lambda: ClaimForm(initial=initial, target=obligation.target_value is not None))
    form(
        "withdraw", "withdraw_claim", lambda: RevisionForm(initial=initial, prefix="withdraw"), needs=pending
    )
    form("confirm", "confirm", lambda: ConfirmForm(initial=initial, prefix="confirm"), needs=pending)
    form("dispute", "dispute", lambda: ReasonForm(initial=initial, prefix="dispute"), needs=pending)
    form("decide", "decide", lambda: DecideForm(initial=initial, prefix="decide"), needs=disputed)
    form("plan", "plan", lambda: PlanForm(initial=initial, prefix="plan"))
    form(
        "plan_decide", "decide_plan", lambda: PlanDecideForm(initial=initial, prefix="plandecide"), needs=plan
    )
    form("cancel", "cancel", lambda: ReasonForm(initial=initial, prefix="cancel"))
    return context


# --- Loading ---------------------------------------------------------------------------------


def load_obligation(user: Any, public_id: uuid.UUID) -> Obligation:
    try:
        return selectors.access_obligation_by_public_id(user, public_id)
    except (NotFound, Obligation.DoesNotExist) as exc:
        raise Http404 from exc


def _load_claim(user: Any, public_id: uuid.UUID) -> FulfilmentClaim:
    try:
        return selectors.access_claim_by_public_id(user, public_id)
    except (NotFound, FulfilmentClaim.DoesNotExist) as exc:
        raise Http404 from exc


def _load_plan(user: Any, public_id: uuid.UUID) -> RemedyPlan:
    try:
        return selectors.access_plan_by_public_id(user, public_id)
    except (NotFound, RemedyPlan.DoesNotExist) as exc:
        raise Http404 from exc


def obligation_url(obligation: Obligation) -> str:
    return reverse("contracts:obligation", args=[obligation.public_id])


# An action refused re-renders the obligation page itself; the page's own view builds its
# context and calls `action_context`, which takes the bound form and notice from here.
PANEL_STATE = "_contracts_action_panel"


def render_obligation_panel(
    request: HttpRequest,
    obligation: Obligation,
    *,
    status: int,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    files_lost: bool = False,
) -> HttpResponse:
    """The obligation page (fresh from the database) with the bound form keeping what
    was typed beside the error, or the notice of why nothing was done."""
    setattr(request, PANEL_STATE, {"bound": bound or {}, "notice": notice, "files_lost": files_lost})
    page = resolve(obligation_url(obligation))
    method = request.method
    request.method = "GET"
    try:
        response: HttpResponse = page.func(request, *page.args, **page.kwargs)
    finally:
        request.method = method
        delattr(request, PANEL_STATE)
    if response.status_code == 200:
        response.status_code = status
    return response


# --- One action --------------------------------------------------------------------------------


def _act(
    request: HttpRequest,
    obligation: Obligation,
    *,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    done: str,
    files_sent: bool = False,
) -> HttpResponse:
    if not form.is_valid():
        return render_obligation_panel(
            request, obligation, status=400, bound={key: form}, files_lost=files_sent
        )
    try:
        call(form.cleaned_data)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404 from exc
    except Conflict as exc:
        if exc.code == CHANGED:
            notice = _(
                "Someone else acted on this obligation while you were looking at it. "
                "This is its current state: check it, and act again if it is still needed."
            )
            return render_obligation_panel(request, obligation, status=409, notice=notice)
        # The obligation is not where the action needs it: its current state, and why.
        return render_obligation_panel(request, obligation, status=409, notice=str(exc.message))
    except ApplicationError as exc:
        apply_errors(form, exc)
        return render_obligation_panel(
            request, obligation, status=exc.http_status, bound={key: form}, files_lost=files_sent
        )
    messages.success(request, done)
    return HttpResponseRedirect(obligation_url(obligation))


@require_POST
@login_required
def obligation_claim_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    obligation = load_obligation(request.user, public_id)
    form = ClaimForm(request.POST, request.FILES, target=obligation.target_value is not None)
    files_sent = bool(request.FILES)

    def call(data: dict[str, Any]) -> Any:
        return services.obligation_claim(
            actor=request.user,
            obligation=obligation,
            met_on=data["met_on"],
            achieved_value=data.get("achieved_value"),
            note=data["note"],
            files=data["files"],
            revision=data["revision"],
        )

    return _act(
        request,
        obligation,
        key="claim",
        form=form,
        call=call,
        done=_("Fulfilment claimed; the other side is asked to confirm it."),
        files_sent=files_sent,
    )


def _claim_action(
    request: HttpRequest,
    public_id: uuid.UUID,
    *,
    key: str,
    form_class: type[forms.Form],
    service: Callable[..., Any],
    done: str,
    fields: tuple[str, ...] = (),
) -> HttpResponse:
    claim = _load_claim(request.user, public_id)
    obligation = claim.obligation
    form = form_class(request.POST, prefix=key)

    def call(data: dict[str, Any]) -> Any:
        return service(
            actor=request.user, claim=claim, revision=data["revision"], **{f: data[f] for f in fields}
        )

    return _act(request, obligation, key=key, form=form, call=call, done=done)


@require_POST
@login_required
def claim_withdraw_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _claim_action(
        request,
        public_id,
        key="withdraw",
        form_class=RevisionForm,
        service=services.claim_withdraw,
        done=_("The claim was withdrawn; the obligation is open again."),
    )


@require_POST
@login_required
def claim_confirm_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _claim_action(
        request,
        public_id,
        key="confirm",
        form_class=ConfirmForm,
        service=services.claim_confirm,
        done=_("Fulfilment confirmed."),
        fields=("reason",),
    )


@require_POST
@login_required
def claim_dispute_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _claim_action(
        request,
        public_id,
        key="dispute",
        form_class=ReasonForm,
        service=services.claim_dispute,
        done=_("The claim is disputed; the management committee will decide."),
        fields=("reason",),
    )


@require_POST
@login_required
def claim_decide_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _claim_action(
        request,
        public_id,
        key="decide",
        form_class=DecideForm,
        service=services.claim_decide,
        done=_("The dispute was decided."),
        fields=("outcome", "reason"),
    )


@require_POST
@login_required
def plan_submit_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    obligation = load_obligation(request.user, public_id)
    form = PlanForm(request.POST, prefix="plan")

    def call(data: dict[str, Any]) -> Any:
        return services.plan_submit(
            actor=request.user,
            obligation=obligation,
            cause=data["cause"],
            remedy=data["remedy"],
            proposed_date=data["proposed_date"],
            revision=data["revision"],
        )

    return _act(
        request,
        obligation,
        key="plan",
        form=form,
        call=call,
        done=_("Remedy plan submitted; the management committee will accept or reject it."),
    )


@require_POST
@login_required
def plan_decide_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = _load_plan(request.user, public_id)
    obligation = plan.obligation
    form = PlanDecideForm(request.POST, prefix="plandecide")
    accepted = form.is_valid() and form.cleaned_data["accept"]

    def call(data: dict[str, Any]) -> Any:
        return services.plan_decide(
            actor=request.user,
            plan=plan,
            accept=data["accept"],
            reason=data["reason"],
            revision=data["revision"],
        )

    done = (
        _("Plan accepted: the due date is now %(date)s.") % {"date": plan.proposed_date.isoformat()}
        if accepted
        else _("Plan rejected: the alarm stays open until a better plan.")
    )
    return _act(request, obligation, key="plan_decide", form=form, call=call, done=done)


@require_POST
@login_required
def obligation_cancel_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    obligation = load_obligation(request.user, public_id)
    form = ReasonForm(request.POST, prefix="cancel")

    def call(data: dict[str, Any]) -> Any:
        return services.obligation_cancel(
            actor=request.user, obligation=obligation, reason=data["reason"], revision=data["revision"]
        )

    return _act(
        request, obligation, key="cancel", form=form, call=call, done=_("The obligation was cancelled.")
    )


# --- Evidence ----------------------------------------------------------------------------------


@require_GET
@login_required
def evidence_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """A claim's evidence, for whoever may read the obligation; always an attachment,
    never shown inline, whatever its type claims."""
    try:
        evidence = selectors.access_evidence_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        return evidence_response(evidence)
    except FileNotFoundError as exc:
        raise Http404 from exc
