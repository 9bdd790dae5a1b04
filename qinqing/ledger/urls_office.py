"""See `urls`: the commission's and the departments' office (dashboard, the problem
list, campaigns, walk-throughs, monitoring points, observers, rules established) and
the Excel export of each of their tables."""

from django.urls import URLPattern, path

from .views import campaigns, dashboard, findings, office, outcomes, points, walks

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard.dashboard_export, name="dashboard_export"),
    path("problems/", office.problems, name="problems"),
    path("problems/export.xlsx", office.problems_export, name="problems_export"),
    path("problems/new/", findings.finding_new, name="finding_new"),
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/export.xlsx", campaigns.campaigns_export, name="campaigns_export"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<uuid:public_id>/", campaigns.campaign, name="campaign"),
    path("campaigns/<uuid:public_id>/export.xlsx", campaigns.campaign_export, name="campaign_export"),
    path("walks/", walks.walks, name="walks"),
    path("walks/export.xlsx", walks.walks_export, name="walks_export"),
    path("walks/new/", walks.walk_new, name="walk_new"),
    path("points/", points.points, name="points"),
    path("points/export.xlsx", points.points_export, name="points_export"),
    path("points/new/", points.point_new, name="point_new"),
    path("points/<uuid:public_id>/", points.point, name="point"),
    path("observers/", points.observers, name="observers"),
    path("observers/export.xlsx", points.observers_export, name="observers_export"),
    path("observers/new/", points.observer_new, name="observer_new"),
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes/export.xlsx", outcomes.outcomes_export, name="outcomes_export"),
    path("outcomes/new/", outcomes.outcome_new, name="outcome_new"),
]
