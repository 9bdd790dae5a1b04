from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list_view, name="list"),
    path("export.xlsx", views.enterprise_export_view, name="export"),
    path("mine/", views.enterprise_mine_view, name="mine"),
    path("import/", views.enterprise_import_view, name="import"),
    path("import/<uuid:public_id>/", views.enterprise_import_detail_view, name="import_detail"),
    path("<uuid:public_id>/", views.enterprise_detail_view, name="detail"),
    path(
        "<uuid:public_id>/verify-bank-account/",
        views.enterprise_verify_bank_account_view,
        name="verify_bank_account",
    ),
    path("<uuid:public_id>/pinyin/", views.enterprise_set_pinyin_view, name="set_pinyin"),
    path("<uuid:public_id>/labels/", views.enterprise_set_labels_view, name="set_labels"),
]
