from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<uuid:public_id>/read/", views.mark_read, name="read"),
    path("<uuid:public_id>/open/", views.open_link, name="open"),
]
