"""The officials' pages (officers, department heads; supervisors read cases and the
department overview), under /policies/office/."""

from django.urls import path

from .views import dossier, officer_cases, officer_objections, officer_overview, officer_policies

urlpatterns = [
    path("office/queue/", officer_cases.queue, name="officer_queue"),
    path("office/queue/export/", officer_cases.queue_export, name="officer_queue_export"),
    path("office/overview/", officer_overview.overview, name="officer_overview"),
    path("office/overview/export/", officer_overview.overview_export, name="officer_overview_export"),
    path("office/cases/", officer_cases.department, name="officer_cases"),
    path("office/cases/export/", officer_cases.department_export, name="officer_cases_export"),
    path("office/cases/<uuid:public_id>/", officer_cases.case_detail, name="officer_case"),
    path("office/cases/<uuid:public_id>/dossier.pdf", dossier.officer_dossier, name="officer_case_dossier"),
    path(
        "office/cases/<uuid:public_id>/approve/", officer_cases.case_approve_view, name="officer_case_approve"
    ),
    path("office/cases/<uuid:public_id>/reject/", officer_cases.case_reject_view, name="officer_case_reject"),
    path("office/cases/<uuid:public_id>/return/", officer_cases.case_return_view, name="officer_case_return"),
    path(
        "office/cases/<uuid:public_id>/retry-payment/",
        officer_cases.case_retry_payment_view,
        name="officer_case_retry_payment",
    ),
    path(
        "office/cases/<uuid:public_id>/objections/<uuid:objection_id>/decide/",
        officer_cases.objection_decide_view,
        name="officer_objection_decide",
    ),
    path("office/objections/", officer_objections.objection_list, name="officer_objections"),
    path("office/objections/export/", officer_objections.objection_export, name="officer_objections_export"),
    path("office/policies/", officer_policies.policy_list, name="officer_policies"),
    path("office/policies/new/", officer_policies.policy_create_view, name="officer_policy_create"),
    path("office/policies/<uuid:public_id>/", officer_policies.policy_detail, name="officer_policy"),
    path("office/policies/<uuid:public_id>/edit/", officer_policies.policy_edit, name="officer_policy_edit"),
    path(
        "office/policies/<uuid:public_id>/publish/",
        officer_policies.policy_publish_view,
        name="officer_policy_publish",
    ),
    path(
        "office/policies/<uuid:public_id>/withdraw/",
        officer_policies.policy_withdraw_view,
        name="officer_policy_withdraw",
    ),
    path(
        "office/policies/<uuid:public_id>/match/",
        officer_policies.policy_match_view,
        name="officer_policy_match",
    ),
]
