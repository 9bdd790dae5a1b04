from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts.xlsx", views.alerts_export, name="alerts_export"),
    path("ladders/", views.ladders, name="ladders"),
    path("ladders/<str:kind>/", views.ladder_set, name="ladder_set"),
    path("ladders/<str:kind>/reset/", views.ladder_reset, name="ladder_reset"),
]
