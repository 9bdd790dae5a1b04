from django.urls import path

from . import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("calendar.xlsx", views.calendar_export, name="calendar_export"),
    path("days/add/", views.day_add, name="day_add"),
    path("days/<int:day_id>/edit/", views.day_edit, name="day_edit"),
    path("days/<int:day_id>/delete/", views.day_delete, name="day_delete"),
    path("years/<int:year>/", views.year_set, name="year_set"),
]
