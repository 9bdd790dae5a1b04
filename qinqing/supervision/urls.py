from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("audit/status/", views.audit_status, name="audit_status"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/checkpoints.jsonl", views.checkpoints_export, name="checkpoints_export"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/export.xlsx", views.timeline_export, name="timeline_export"),
]
