"""The enterprise's pages (phone-first) and the public award notices (公示)."""

from django.urls import path

from .views import dossier, enterprise, notices

urlpatterns = [
    path("for-me/", enterprise.fit, name="fit"),
    path("invitations/", enterprise.invitations, name="invitations"),
    path("invitations/<uuid:public_id>/", enterprise.invitation_detail, name="invitation"),
    path(
        "invitations/<uuid:public_id>/confirm/",
        enterprise.invitation_confirm_view,
        name="invitation_confirm",
    ),
    path(
        "invitations/<uuid:public_id>/decline/",
        enterprise.invitation_decline_view,
        name="invitation_decline",
    ),
    path("<uuid:public_id>/apply/", enterprise.apply, name="apply"),
    path("mine/", enterprise.my_cases, name="my_cases"),
    path("cases/<uuid:public_id>/", enterprise.case_detail, name="case"),
    path("cases/<uuid:public_id>/dossier.pdf", dossier.enterprise_dossier, name="case_dossier"),
    path("cases/<uuid:public_id>/answer/", enterprise.case_answer_view, name="case_answer"),
    path("cases/<uuid:public_id>/withdraw/", enterprise.case_withdraw_view, name="case_withdraw"),
    path("cases/<uuid:public_id>/objection/", enterprise.case_objection_view, name="case_objection"),
    path(
        "cases/<uuid:public_id>/materials/<uuid:material_id>/",
        enterprise.material_download,
        name="material_download",
    ),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<uuid:public_id>/objection/", notices.notice_objection, name="notice_objection"),
    path("notices/objection/receipt/", notices.notice_objection_receipt, name="notice_objection_receipt"),
    path("notices/objection/follow/", notices.notice_objection_follow, name="notice_objection_follow"),
    path("notices/objection/mine/", notices.my_objections, name="my_objections"),
    path("notices/objection/mine/export/", notices.my_objections_export, name="my_objections_export"),
]
