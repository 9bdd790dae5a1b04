"""See `urls`: the read side (projects, a project's timeline, an obligation, the
committee's alarms and dashboard, the enterprise's phone page)."""

from django.urls import URLPattern, path

from .views import browse, claims
from .views.dashboards import dashboard

urlpatterns: list[URLPattern] = [
    path("", browse.projects, name="projects"),
    path("projects/<uuid:public_id>/", browse.project, name="project"),
    path("obligations/<uuid:public_id>/", browse.obligation, name="obligation"),
    path("alarms/", browse.alarms, name="alarms"),
    path("claims/", claims.claims, name="claims"),
    path("mine/", browse.mine, name="mine"),
    path("dashboard/", dashboard, name="dashboard"),
]
