from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<uuid:public_id>/", views.policy_detail, name="detail"),
]
