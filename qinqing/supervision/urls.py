from django.urls import path

from . import policy_views, redflag_views, views

app_name = "supervision"

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("audit/status/", views.audit_status, name="audit_status"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/checkpoints.jsonl", views.checkpoints_export, name="checkpoints_export"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/export.xlsx", views.timeline_export, name="timeline_export"),
    path("policies/late/", policy_views.overdue, name="policy_overdue"),
    path("policies/late/export.xlsx", policy_views.overdue_export, name="policy_overdue_export"),
    path("policies/alerts/", policy_views.alerts, name="policy_alerts"),
    path("policies/alerts/export.xlsx", policy_views.alerts_export, name="policy_alerts_export"),
    path("policies/cases/", policy_views.cases, name="policy_cases"),
    path("policies/cases/<uuid:public_id>/", policy_views.case_detail, name="policy_case"),
    path("policies/cases/<uuid:public_id>/export.xlsx", policy_views.case_export, name="policy_case_export"),
    path(
        "policies/cases/<uuid:public_id>/dossier.pdf", policy_views.case_dossier, name="policy_case_dossier"
    ),
    path("policies/time-to-cash/", policy_views.time_to_cash_page, name="policy_cash"),
    path("policies/time-to-cash/export.xlsx", policy_views.time_to_cash_export, name="policy_cash_export"),
    path("policies/red-flags/", redflag_views.redflags, name="redflags"),
    path("policies/red-flags/export.xlsx", redflag_views.redflags_export, name="redflags_export"),
]
