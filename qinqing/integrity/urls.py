from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("relations/", views.mine, name="mine"),
    path("relations/declare/", views.declare, name="declare"),
    path("relations/<uuid:public_id>/end/", views.end, name="end"),
    path("supervision/relations/", views.supervised, name="supervised"),
    path("supervision/relations.xlsx", views.supervised_export, name="supervised_export"),
]
