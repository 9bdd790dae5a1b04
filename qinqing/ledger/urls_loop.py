"""See `urls`: the loop's pages (reporters, departments, supervising groups), one URL per
action on a problem (POST only), evidence downloads, and the two pages without login (a
monitoring point's own link, following by receipt code)."""

from django.urls import URLPattern, path

from .views import actions, department, group, problem, reporter

urlpatterns: list[URLPattern] = [
    path("mine/", reporter.mine, name="mine"),
    path("mine/export/", reporter.mine_export, name="mine_export"),
    path("report/", reporter.report, name="report"),
    path("point/<str:token>/", reporter.point_report, name="point_report"),
    path("point/<str:token>/receipt/", reporter.point_receipt, name="point_receipt"),
    path("follow/", reporter.follow, name="follow"),
    path("follow/visit/", reporter.follow_visit, name="follow_visit"),
    path("follow/reopen/", reporter.follow_reopen, name="follow_reopen"),
    path("queue/", department.queue, name="queue"),
    path("queue/export/", department.queue_export, name="queue_export"),
    path("group/", group.group, name="group"),
    path("group/export/", group.group_export, name="group_export"),
    path("problems/<uuid:public_id>/", problem.problem_page, name="problem"),
    path("files/<uuid:public_id>/", problem.problem_file, name="problem_file"),
    path("problems/<uuid:public_id>/assign/", actions.assign, name="problem_assign"),
    path("problems/<uuid:public_id>/progress/", actions.progress, name="problem_progress"),
    path("problems/<uuid:public_id>/submit/", actions.submit, name="problem_submit"),
    path("problems/<uuid:public_id>/verify/", actions.verify, name="problem_verify"),
    path("problems/<uuid:public_id>/send-back/", actions.send_back, name="problem_send_back"),
    path("problems/<uuid:public_id>/return-visit/", actions.return_visit, name="problem_return_visit"),
    path("problems/<uuid:public_id>/reopen/", actions.reopen, name="problem_reopen"),
    path("problems/<uuid:public_id>/withdraw/", actions.withdraw, name="problem_withdraw"),
    path(
        "problems/<uuid:public_id>/request-withdrawal/",
        actions.request_withdrawal,
        name="problem_request_withdrawal",
    ),
    path(
        "problems/<uuid:public_id>/check-withdrawal/",
        actions.check_withdrawal,
        name="problem_check_withdrawal",
    ),
    path("problems/<uuid:public_id>/merge/", actions.merge, name="problem_merge"),
    path("problems/<uuid:public_id>/refer/", actions.refer, name="problem_refer"),
    path("problems/<uuid:public_id>/classify/", actions.classify, name="problem_classify"),
    path("problems/<uuid:public_id>/note/", actions.note, name="problem_note"),
]
