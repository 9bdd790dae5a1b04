"""See `urls`: the write side (authoring for the management committee, project events,
and the loop's actions on an obligation, evidence downloads)."""

from django.urls import URLPattern, path

from .views import actions, authoring, authoring_obligations

urlpatterns: list[URLPattern] = [
    path("projects/new/", authoring.project_new, name="project_new"),
    path("projects/<uuid:public_id>/edit/", authoring.project_edit, name="project_edit"),
    path("projects/<uuid:public_id>/contracts/new/", authoring.contract_new, name="contract_new"),
    path("projects/<uuid:public_id>/events/", authoring.event_record, name="event_record"),
    path("contracts/<uuid:public_id>/clauses/new/", authoring.clause_new, name="clause_new"),
    path(
        "contracts/<uuid:public_id>/clauses/<int:clause_id>/obligations/new/",
        authoring_obligations.obligation_new,
        name="obligation_new",
    ),
    path("obligations/<uuid:public_id>/rule/", authoring_obligations.obligation_rule, name="obligation_rule"),
    path("obligations/<uuid:public_id>/claim/", actions.obligation_claim_view, name="obligation_claim"),
    path("obligations/<uuid:public_id>/plan/", actions.plan_submit_view, name="plan_submit"),
    path("obligations/<uuid:public_id>/cancel/", actions.obligation_cancel_view, name="obligation_cancel"),
    path("claims/<uuid:public_id>/withdraw/", actions.claim_withdraw_view, name="claim_withdraw"),
    path("claims/<uuid:public_id>/confirm/", actions.claim_confirm_view, name="claim_confirm"),
    path("claims/<uuid:public_id>/dispute/", actions.claim_dispute_view, name="claim_dispute"),
    path("claims/<uuid:public_id>/decide/", actions.claim_decide_view, name="claim_decide"),
    path("plans/<uuid:public_id>/decide/", actions.plan_decide_view, name="plan_decide"),
    path("evidence/<uuid:public_id>/", actions.evidence_download, name="evidence"),
]
