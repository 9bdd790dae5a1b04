"""See `urls`: open data (OCDS), Excel exports and the public figures."""

from django.urls import path

from .views import open_data

urlpatterns = [
    path("public/", open_data.public, name="public"),
    path("contracts/<uuid:public_id>/ocds.json", open_data.ocds_contract, name="ocds_contract"),
    path("projects/<uuid:public_id>/ocds.json", open_data.ocds_project, name="ocds_project"),
    path("ocds/extension/<str:name>", open_data.ocds_extension, name="ocds_extension"),
    path("export/projects.xlsx", open_data.export_projects, name="export_projects"),
    path("projects/<uuid:public_id>/export.xlsx", open_data.export_project, name="export_project"),
    path("export/dashboard.xlsx", open_data.export_dashboard, name="export_dashboard"),
    path("export/alarms.xlsx", open_data.export_alarms, name="export_alarms"),
    path("export/claims.xlsx", open_data.export_claims, name="export_claims"),
]
