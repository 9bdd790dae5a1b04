from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.payment_list, name="list"),
    path("<uuid:public_id>/", views.payment_detail, name="detail"),
    path("<uuid:public_id>/retry/", views.payment_retry_view, name="retry"),
]
