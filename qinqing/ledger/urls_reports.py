"""See `urls`: the reports (the list with the request form, one report's figures, its
Excel and PDF files)."""

from django.urls import URLPattern, path

from .views import reports

urlpatterns: list[URLPattern] = [
    path("reports/", reports.reports, name="reports"),
    path("reports/export.xlsx", reports.reports_export, name="reports_export"),
    path("reports/<uuid:public_id>/", reports.report_detail, name="report_detail"),
    path("reports/<uuid:public_id>/<str:fmt>/", reports.report_file, name="report_file"),
]
