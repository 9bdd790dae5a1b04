"""The loop's pages: my problems, reporting (logged in, at a monitoring point), following by
receipt code, the department's queue, the supervisor's page, one problem with its action
panel, every action, evidence downloads and the Excel exports. Each: the allowed path,
the denied path (out of reach 404, wrong role 403), bad input (a clear error, what was
typed kept, nothing changed) and a stale revision (409)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.ledger import services
from qinqing.ledger.models import (
    Category,
    Channel,
    Outcome,
    Problem,
    ProblemStatus,
    ReturnVisit,
    UpdateKind,
)
from qinqing.workdays.calendar import add_working_days

from .conftest import PDF, World, assigned, complaint, pdf

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"ledger:{name}", args=args)


def reload(problem: Problem) -> Problem:
    return Problem.objects.get(pk=problem.pk)


def html(response: Any) -> str:
    return response.content.decode()


def post_action(user: Any, problem: Problem, action: str, data: dict[str, Any], **kw: Any) -> Any:
    """POST one action's form as the panel sends it (prefixed names, the revision shown)."""
    fresh = reload(problem)
    body: dict[str, Any] = {}
    if action != "note":
        body[f"{action}-revision"] = fresh.revision
    body.update({f"{action}-{k}": v for k, v in data.items()})
    return login(user).post(url(f"problem_{action}", fresh.public_id), body, **kw)


def submitted(world: World) -> Problem:
    c = world.city
    problem = assigned(world)
    return services.problem_submit(actor=c.officer, problem=problem, text="已整改", files=[pdf()])


def verified(world: World) -> Problem:
    problem = submitted(world)
    return services.problem_verify(actor=world.city.supervisor, problem=problem)


def other_enterprise_user(world: World) -> Any:
    return give_role(UserFactory(username="ent-b"), Role.ENTERPRISE, enterprise=world.city.other_enterprise)


def other_group_supervisor(world: World) -> Any:
    """A supervisor of a second group that also watches the department: reads its
    problems, but is not the group that verifies them."""
    c = world.city
    group2 = OrganisationFactory(
        code="jw-g2", name="派驻第二纪检监察组", kind=OrganisationKind.SUPERVISION_GROUP, parent=c.commission
    )
    group2.supervised.set([c.drc, c.commerce])
    return give_role(UserFactory(username="sup2"), Role.SUPERVISOR, organisation=group2)


# --- My problems -----------------------------------------------------------------------------


def test_mine_lists_the_enterprises_problems_and_asks_for_the_return_visit(ledger: World) -> None:
    problem = verified(ledger)
    response = login(ledger.city.enterprise_user).get(url("mine"))
    assert response.status_code == 200
    page = html(response)
    assert problem.reference in page
    assert 'data-testid="todo"' in page
    assert url("report") in page
    assert html(login(other_enterprise_user(ledger)).get(url("mine"))).count('data-testid="problem-row"') == 0


def test_an_observer_follows_only_what_it_reported(ledger: World) -> None:
    complaint(ledger)
    own = services.problem_report(
        actor=ledger.observer_user,
        channel=Channel.OBSERVER,
        title="窗口午休不办件",
        description="中午十二点至两点窗口关闭。",
        category=Category.GOVERNMENT,
    )
    page = html(login(ledger.observer_user).get(url("mine")))
    assert page.count('data-testid="problem-row"') == 1
    assert own.reference in page


def test_mine_needs_a_login(ledger: World) -> None:
    response = Client().get(url("mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Reporting on a phone ----------------------------------------------------------------------


def _report(user: Any, **overrides: Any) -> Any:
    data = {
        "title": "消防验收排队两个月",
        "description": "提交材料后两个月没有安排验收。",
        "category": Category.GOVERNMENT,
        "subcategory": "efficiency",
        "location": "丰泽区东海街道",
        **overrides,
    }
    return login(user).post(url("report"), data)


def test_the_enterprise_reports_with_a_photo_and_hidden_name(ledger: World) -> None:
    c = ledger.city
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    response = _report(c.enterprise_user, hide_reporter="on", photo=[photo])
    problem = Problem.objects.get(title="消防验收排队两个月")
    assert response.status_code == 302
    assert response["Location"] == url("problem", problem.public_id)
    assert problem.channel == Channel.COMPLAINT
    assert problem.reporter_enterprise == c.enterprise
    assert problem.hide_reporter
    assert problem.files.count() == 1
    page = html(login(c.enterprise_user).get(response["Location"]))
    assert problem.reference in page and "site.png" in page


def test_the_report_form_offers_the_topics_of_active_topic_campaigns(ledger: World) -> None:
    topic = ledger.topic_campaign.topics.get()
    page = html(login(ledger.city.enterprise_user).get(url("report")))
    assert "涉企收费" in page
    assert 'capture="environment"' in page
    _report(ledger.city.enterprise_user, topic=str(topic.pk), category=Category.MARKET, subcategory="fees")
    problem = Problem.objects.get(title="消防验收排队两个月")
    assert problem.channel == Channel.TOPIC
    assert problem.topic == topic and problem.campaign == ledger.topic_campaign


def test_an_observer_reports_through_the_observer_channel(ledger: World) -> None:
    response = _report(ledger.observer_user)
    assert response.status_code == 302
    problem = Problem.objects.get(title="消防验收排队两个月")
    assert problem.channel == Channel.OBSERVER and problem.observer == ledger.observer


def test_a_bad_report_keeps_what_was_typed_and_says_what_is_wrong(ledger: World) -> None:
    response = _report(ledger.city.enterprise_user, description="", subcategory="fees")
    assert response.status_code == 400
    page = html(response)
    assert "消防验收排队两个月" in page  # kept
    assert 'data-testid="error-description"' in page
    assert not Problem.objects.filter(title="消防验收排队两个月").exists()
    # The service's own check: the sub-type must belong to the category.
    response = _report(ledger.city.enterprise_user, subcategory="fees")
    assert response.status_code == 400
    assert 'data-testid="error-subcategory"' in html(response)
    assert "不属于" in html(response) or "does not belong" in html(response)
    # A file that is not what it claims to be.
    fake = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = _report(ledger.city.enterprise_user, evidence=[fake])
    assert response.status_code == 400
    assert 'data-testid="error-evidence"' in html(response)
    assert 'data-testid="files-lost"' in html(response)
    assert not Problem.objects.filter(title="消防验收排队两个月").exists()


@pytest.mark.parametrize("who", ["officer", "supervisor", "admin"])
def test_officials_do_not_report_here(ledger: World, who: str) -> None:
    assert login(getattr(ledger.city, who)).get(url("report")).status_code == 403


# --- A monitoring point and following by receipt ---------------------------------------------


def test_a_monitoring_point_reports_without_login_and_follows_by_receipt(ledger: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page_url = url("point_report", ledger.point.token)
    assert client.get(page_url).status_code == 200
    sent = client.post(
        page_url,
        {
            "title": "停车场收费不明",
            "description": "园区停车收费没有公示标准。",
            "category": Category.MARKET,
            "reporter_name": "王先生",
        },
    )
    assert sent.status_code == 303
    assert sent["Location"] == url("point_receipt", ledger.point.token)
    response = client.get(sent["Location"])
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    receipt = response.context["receipt"].replace(" ", "")
    assert len(receipt) == 16
    assert 'data-testid="receipt-note"' in html(response)
    problem = Problem.objects.get(title="停车场收费不明")
    assert problem.channel == Channel.MONITORING and problem.monitoring_point == ledger.point
    # An internal note never reaches whoever holds the receipt.
    services.problem_note(actor=ledger.city.city_supervisor, problem=problem, text="内部：核实收费主体")
    found = client.post(url("follow"), {"code": receipt})
    assert found.status_code == 200
    text = html(found)
    assert problem.reference in text and "停车场收费不明" in text
    assert "内部：核实收费主体" not in text
    assert "王先生" not in text


def test_a_monitoring_point_refuses_bad_input_and_unknown_links(ledger: World) -> None:
    client = Client()
    response = client.post(url("point_report", ledger.point.token), {"title": "只有标题"})
    assert response.status_code == 400
    assert "只有标题" in html(response)
    assert 'data-testid="error-description"' in html(response)
    assert client.get(url("point_report", "not-a-token")).status_code == 404
    ledger.point.active = False
    ledger.point.save(update_fields=["active"])
    assert client.get(url("point_report", ledger.point.token)).status_code == 404


def test_following_with_a_wrong_code_says_so(ledger: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    short = client.post(url("follow"), {"code": "1234"})
    assert short.status_code == 400
    assert 'data-testid="error-code"' in html(short)
    unknown = client.post(url("follow"), {"code": "1234 5678 1234 5678"})
    assert unknown.status_code == 404
    assert 'data-testid="form-errors"' in html(unknown)
    assert client.get(url("follow")).status_code == 200


# --- One problem -------------------------------------------------------------------------------


def test_who_reads_a_problem(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    for user in (c.enterprise_user, c.officer, c.head, c.supervisor, c.city_supervisor):
        assert login(user).get(url("problem", problem.public_id)).status_code == 200, user
    for user in (
        other_enterprise_user(ledger),
        c.other_officer,
        c.committee_member,
        c.admin,
        ledger.outsider,
    ):
        assert login(user).get(url("problem", problem.public_id)).status_code == 404, user
    assert login(c.officer).get("/ledger/problems/not-a-uuid/").status_code == 404
    assert Client().get(url("problem", problem.public_id)).status_code == 302


def test_the_department_does_not_see_a_hidden_reporter(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger, hide_reporter=True)
    officer_page = html(login(c.officer).get(url("problem", problem.public_id)))
    assert c.enterprise.name not in officer_page
    assert str(c.enterprise_user) not in officer_page
    assert "反映人要求对责任部门保密" in officer_page
    group_page = html(login(c.supervisor).get(url("problem", problem.public_id)))
    assert c.enterprise.name in group_page and str(c.enterprise_user) in group_page


def test_the_reporter_sees_only_the_public_story(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    services.problem_progress(actor=c.officer, problem=problem, text="已约谈窗口负责人")
    services.problem_note(actor=c.officer, problem=problem, text="内部：涉及人员调整", public=False)
    reporter_page = html(login(c.enterprise_user).get(url("problem", problem.public_id)))
    assert "已约谈窗口负责人" in reporter_page
    assert "内部：涉及人员调整" not in reporter_page
    assert 'data-testid="history"' not in reporter_page
    officer_page = html(login(c.officer).get(url("problem", problem.public_id)))
    assert "内部：涉及人员调整" in officer_page
    assert 'data-testid="history"' in officer_page


@pytest.mark.parametrize(
    ("who", "expected", "absent"),
    [
        ("officer", {"progress", "submit", "request_withdrawal", "note"}, {"verify", "assign"}),
        ("supervisor", {"assign", "merge", "refer", "classify", "note"}, {"verify", "submit"}),
        ("enterprise_user", {"withdraw"}, {"note", "submit", "assign"}),
    ],
)
def test_the_panel_offers_only_what_the_user_may_do_now(
    ledger: World, who: str, expected: set[str], absent: set[str]
) -> None:
    problem = assigned(ledger)
    page = html(login(getattr(ledger.city, who)).get(url("problem", problem.public_id)))
    for action in expected:
        assert f'data-testid="{action}-form"' in page, action
    for action in absent:
        assert f'data-testid="{action}-form"' not in page, action
    assert f'value="{problem.revision}"' in page


def test_the_panel_is_empty_for_a_reader_who_may_not_act(ledger: World) -> None:
    problem = submitted(ledger)
    page = html(login(other_group_supervisor(ledger)).get(url("problem", problem.public_id)))
    assert 'data-testid="no-actions"' in page
    assert 'data-testid="verify-form"' not in page


# --- Evidence ----------------------------------------------------------------------------------


def test_evidence_is_an_attachment_for_readers_only(ledger: World) -> None:
    c = ledger.city
    problem = submitted(ledger)
    evidence = problem.files.get()
    response = login(c.enterprise_user).get(url("problem_file", evidence.public_id))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert (
        login(other_enterprise_user(ledger)).get(url("problem_file", evidence.public_id)).status_code == 404
    )
    assert login(c.other_officer).get(url("problem_file", evidence.public_id)).status_code == 404
    assert login(c.admin).get(url("problem_file", evidence.public_id)).status_code == 404


def test_files_of_an_internal_progress_report_stay_with_officials(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    services.problem_progress(
        actor=c.officer, problem=problem, text="内部材料", public=False, files=[pdf("memo.pdf")]
    )
    memo = problem.files.get(original_name="memo.pdf")
    assert login(c.officer).get(url("problem_file", memo.public_id)).status_code == 200
    assert login(c.enterprise_user).get(url("problem_file", memo.public_id)).status_code == 404
    assert "memo.pdf" not in html(login(c.enterprise_user).get(url("problem", problem.public_id)))


# --- The department's queue --------------------------------------------------------------------


def _due(problem: Problem, day: dt.date) -> None:
    Problem.objects.filter(pk=problem.pk).update(due_date=day)


def test_the_queue_lists_the_departments_open_problems_by_deadline_coloured(ledger: World) -> None:
    c = ledger.city
    today = timezone.localdate()
    late = assigned(ledger, title="逾期问题")
    near = assigned(ledger, title="临期问题")
    far = assigned(ledger, title="宽裕问题")
    _due(late, today - dt.timedelta(days=3))
    _due(near, add_working_days(today, 2))
    _due(far, add_working_days(today, 10))
    other = complaint(ledger, title="商务局的问题")
    services.problem_assign(actor=c.city_supervisor, problem=other, department=c.commerce, deadline_days=5)
    response = login(c.officer).get(url("queue"))
    assert response.status_code == 200
    rows = [(r.title, r.tone) for r in response.context["rows"]]
    assert rows == [("逾期问题", "over"), ("临期问题", "near"), ("宽裕问题", "")]
    page = html(response)
    assert 'data-tone="over"' in page and 'data-tone="near"' in page
    assert 'data-testid="over-days"' in page
    assert url("queue_export") in page
    over_only = login(c.officer).get(url("queue"), {"show": "over"})
    assert [r.title for r in over_only.context["rows"]] == ["逾期问题"]
    # The export follows what the page shows.
    assert url("queue_export") + "?show=over" in html(over_only)
    exported = login(c.officer).get(url("queue_export"), {"show": "over"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    titles = {cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row}
    assert "逾期问题" in titles and "临期问题" not in titles
    near_only = login(c.officer).get(url("queue"), {"show": "near"}, HTTP_HX_REQUEST="true")
    assert [r.title for r in near_only.context["rows"]] == ["临期问题"]
    assert "<html" not in html(near_only) and 'id="queue-results"' in html(near_only)
    assert "商务局的问题" in html(login(c.other_officer).get(url("queue")))
    assert "逾期问题" not in html(login(c.other_officer).get(url("queue")))


def test_the_queue_escapes_what_people_typed_and_names_the_units(ledger: World) -> None:
    """The rows are built in Python (views/rows.py), not by the template's autoescaping:
    every typed value must still come out as text. A department with units names the
    unit on each row; one without does not."""
    c = ledger.city
    typed = assigned(ledger, title='<script>alert("x")</script> & 罚款')
    page = html(login(c.officer).get(url("queue")))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 罚款" in page
    assert f'href="{url("problem", typed.public_id)}"' in page
    assert c.drc.name not in page.split('data-testid="problems"')[1]
    unit = OrganisationFactory(name="<i>项目审批科</i>", parent=c.drc)
    there = complaint(ledger, title="科室的问题")
    services.problem_assign(actor=c.city_supervisor, problem=there, department=unit, deadline_days=5)
    rows = html(login(c.officer).get(url("queue"))).split('data-testid="problems"')[1]
    assert "科室的问题" in rows
    assert "&lt;i&gt;项目审批科&lt;/i&gt;" in rows and c.drc.name in rows


@pytest.mark.parametrize("who", ["enterprise_user", "supervisor", "admin", "committee_member"])
def test_the_queue_is_for_departments(ledger: World, who: str) -> None:
    user = getattr(ledger.city, who)
    assert login(user).get(url("queue")).status_code == 403
    assert login(user).get(url("queue_export")).status_code == 403


def test_the_queue_costs_a_fixed_number_of_queries(ledger: World, django_assert_num_queries: Any) -> None:
    client = login(ledger.city.officer)
    for n in range(2):
        assigned(ledger, title=f"问题{n}")
    client.get(url("queue"))  # warms the working-day calendar
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url("queue"))
    assert len(response.context["rows"]) == 2
    for n in range(2, 8):
        assigned(ledger, title=f"问题{n}")
    client.get(url("queue"))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url("queue"))
    assert len(response.context["rows"]) == 8


# Session, user, scope (role assignments with their organisations and the department's
# units, one statement), the inbox badge, the count, the page.
QUEUE_QUERIES = 6


# --- The supervisor's page ---------------------------------------------------------------------


def test_the_group_page_shows_what_waits_for_the_supervisor(ledger: World) -> None:
    c = ledger.city
    waiting = complaint(ledger, title="待分派")
    to_verify = submitted(ledger)
    to_visit = verified(ledger)
    withdrawal = assigned(ledger, title="撤单")
    services.problem_request_withdrawal(actor=c.officer, problem=withdrawal, reason="企业已不需要")
    response = login(c.city_supervisor).get(url("group"))
    assert response.status_code == 200
    sections = {s["key"]: [r.reference for r in s["rows"]] for s in response.context["sections"]}
    assert sections == {
        "assign": [waiting.reference],
        "verify": [to_verify.reference],
        "withdrawal": [withdrawal.reference],
        "visit": [to_visit.reference],
    }
    group_sections = {
        s["key"]: len(s["rows"]) for s in login(c.supervisor).get(url("group")).context["sections"]
    }
    assert group_sections["verify"] == 1


@pytest.mark.parametrize("who", ["enterprise_user", "officer", "admin"])
def test_the_group_page_is_for_supervisors(ledger: World, who: str) -> None:
    user = getattr(ledger.city, who)
    assert login(user).get(url("group")).status_code == 403
    assert login(user).get(url("group_export")).status_code == 403


# --- Exports -----------------------------------------------------------------------------------


def _sheet_rows(response: Any) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def test_the_exports(ledger: World) -> None:
    c = ledger.city
    problem = submitted(ledger)
    for user, name in (
        (c.enterprise_user, "mine_export"),
        (c.officer, "queue_export"),
        (c.supervisor, "group_export"),
    ):
        response = login(user).get(url(name))
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith("attachment")
        cells = [cell for row in _sheet_rows(response) for cell in row]
        assert problem.reference in cells, name
    assert problem.reference not in [
        cell
        for row in _sheet_rows(login(other_enterprise_user(ledger)).get(url("mine_export")))
        for cell in row
    ]


def test_the_group_export_hides_nothing_from_the_group_but_the_queue_has_no_reporter(ledger: World) -> None:
    c = ledger.city
    submitted_hidden = assigned(ledger, hide_reporter=True)
    services.problem_submit(actor=c.officer, problem=submitted_hidden, text="ok", files=[pdf()])
    group_cells = [x for row in _sheet_rows(login(c.supervisor).get(url("group_export"))) for x in row]
    assert c.enterprise.name in group_cells
    queue_cells = [x for row in _sheet_rows(login(c.officer).get(url("queue_export"))) for x in row]
    assert c.enterprise.name not in queue_cells


# --- The actions -------------------------------------------------------------------------------


def test_the_loop_through_the_pages(ledger: World) -> None:
    c = ledger.city
    problem = complaint(ledger)
    response = post_action(
        c.city_supervisor,
        problem,
        "assign",
        {"department": str(c.drc.public_id), "deadline_mode": "working_days", "deadline_days": "5"},
    )
    assert response.status_code == 302 and response["Location"] == url("problem", problem.public_id)
    assert reload(problem).status == ProblemStatus.ASSIGNED and reload(problem).organisation == c.drc
    assert post_action(c.officer, problem, "progress", {"text": "已约谈", "public": "on"}).status_code == 302
    assert reload(problem).status == ProblemStatus.RECTIFYING
    officer = login(c.officer)
    response = officer.post(
        url("problem_submit", problem.public_id),
        {
            "submit-revision": reload(problem).revision,
            "submit-text": "清单已上线",
            "submit-evidence": [pdf()],
        },
    )
    assert response.status_code == 302
    assert reload(problem).status == ProblemStatus.SUBMITTED
    followed = officer.get(response["Location"])
    assert "alert-success" in html(followed)
    assert post_action(c.supervisor, problem, "send_back", {"reason": "未在窗口公示"}).status_code == 302
    assert reload(problem).status == ProblemStatus.RECTIFYING
    post_action(c.officer, problem, "submit", {"text": "已公示", "photo": [SimpleUploadedFile("p.png", PNG)]})
    response = post_action(c.supervisor, problem, "verify", {"outcome": Outcome.FIXED})
    assert response.status_code == 302
    assert reload(problem).status == ProblemStatus.VERIFIED
    response = post_action(
        c.enterprise_user, problem, "return_visit", {"fixed": "1", "score": "5", "mode": "online"}
    )
    assert response.status_code == 302
    closed = reload(problem)
    assert closed.status == ProblemStatus.CLOSED and closed.satisfaction == 5
    page = html(login(c.enterprise_user).get(url("problem", problem.public_id)))
    assert 'data-testid="reopen-form"' in page
    assert post_action(c.enterprise_user, problem, "reopen", {"reason": "又出现了"}).status_code == 302
    assert reload(problem).status == ProblemStatus.RECTIFYING


def test_actions_are_post_only(ledger: World) -> None:
    problem = assigned(ledger)
    assert login(ledger.city.officer).get(url("problem_progress", problem.public_id)).status_code == 405


def test_the_withdrawal_check_and_the_reporters_own_withdrawal(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    assert (
        post_action(c.officer, problem, "request_withdrawal", {"reason": "企业已不需要"}).status_code == 302
    )
    assert reload(problem).withdrawal_flagged
    page = html(login(c.supervisor).get(url("problem", problem.public_id)))
    assert 'data-testid="check_withdrawal-form"' in page and 'data-testid="withdrawal-flag"' in page
    response = post_action(
        c.supervisor, problem, "check_withdrawal", {"agrees": "0", "comment": "问题仍在", "mode": "phone"}
    )
    assert response.status_code == 302
    assert reload(problem).status == ProblemStatus.RECTIFYING
    assert ReturnVisit.objects.filter(problem=problem, agrees=False).exists()
    own = complaint(ledger, title="自行撤回")
    assert post_action(c.enterprise_user, own, "withdraw", {"reason": "已解决"}).status_code == 302
    assert reload(own).status == ProblemStatus.WITHDRAWN and not reload(own).withdrawal_flagged


def test_merge_refer_classify_and_note(ledger: World) -> None:
    c = ledger.city
    first = complaint(ledger)
    second = complaint(ledger, title="重复的问题")
    response = post_action(c.city_supervisor, second, "merge", {"into": first.reference.lower()})
    assert response.status_code == 302
    assert reload(second).status == ProblemStatus.MERGED and reload(second).duplicate_of == first
    response = post_action(
        c.city_supervisor,
        first,
        "classify",
        {
            "category": Category.LEGAL,
            "subcategory": "enforcement",
            "severity": "serious",
            "institutional": "mechanism",
        },
    )
    assert response.status_code == 302
    assert reload(first).category == Category.LEGAL and reload(first).institutional == "mechanism"
    response = post_action(c.city_supervisor, first, "note", {"text": "已电话联系企业"})
    assert response.status_code == 302
    assert first.updates.filter(kind=UpdateKind.NOTE, public=False).exists()
    response = post_action(
        c.city_supervisor,
        first,
        "refer",
        {"level": "province", "referred_to": "省住建厅", "reason": "审批权限在省级"},
    )
    assert response.status_code == 302
    assert reload(first).status == ProblemStatus.REFERRED


def test_merging_into_an_unknown_reference_is_a_field_error(ledger: World) -> None:
    problem = complaint(ledger)
    response = post_action(
        ledger.city.city_supervisor, problem, "merge", {"into": "TZ20269999999", "reason": "重复"}
    )
    assert response.status_code == 400
    page = html(response)
    assert 'data-testid="error-into"' in page
    assert "TZ20269999999" in page
    assert reload(problem).status == ProblemStatus.REGISTERED


def test_bad_input_keeps_what_was_typed_and_shows_the_field_error(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    before = reload(problem).revision
    response = post_action(c.officer, problem, "submit", {"text": "整改说明保留"})
    assert response.status_code == 400
    page = html(response)
    assert "整改说明保留" in page
    assert 'data-testid="error-evidence"' in page
    assert reload(problem).revision == before
    # A file that is not what it claims: the service's error under the file field.
    fake = SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")
    response = post_action(c.officer, problem, "submit", {"text": "整改说明保留", "evidence": [fake]})
    assert response.status_code == 400
    assert 'data-testid="error-evidence"' in html(response) and 'data-testid="files-lost"' in html(response)
    # The assignment form: a limit in working days needs the days.
    other = complaint(ledger)
    response = post_action(
        c.city_supervisor,
        other,
        "assign",
        {"department": str(c.drc.public_id), "deadline_mode": "working_days"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-deadline_days"' in html(response)
    # Not fixed needs a word on what is still wrong.
    done = verified(ledger)
    response = post_action(
        c.enterprise_user, done, "return_visit", {"fixed": "0", "score": "2", "mode": "online"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-comment"' in html(response)
    assert reload(done).status == ProblemStatus.VERIFIED


def test_a_stale_revision_is_a_409_with_the_conflict_message(ledger: World) -> None:
    c = ledger.city
    problem = assigned(ledger)
    seen = reload(problem).revision
    services.problem_progress(actor=ledger.officer2, problem=problem, text="另一位经办人的进展")
    response = login(c.officer).post(
        url("problem_progress", problem.public_id),
        {"progress-revision": seen, "progress-text": "我的进展", "progress-public": "on"},
    )
    assert response.status_code == 409
    page = html(response)
    assert 'data-testid="action-notice"' in page
    assert "其他人" in page or "Someone else" in page
    assert "我的进展" in page  # kept, against the current revision
    assert f'value="{reload(problem).revision}"' in page
    assert not problem.updates.filter(text="我的进展").exists()


def test_an_action_the_state_no_longer_allows_is_a_409(ledger: World) -> None:
    c = ledger.city
    problem = verified(ledger)
    response = post_action(c.supervisor, problem, "send_back", {"reason": "再看看"})
    assert response.status_code == 409
    assert 'data-testid="action-notice"' in html(response)


def test_denied_actions(ledger: World) -> None:
    c = ledger.city
    problem = submitted(ledger)
    # Another department's officer does not even see it.
    assert post_action(c.other_officer, problem, "progress", {"text": "x"}).status_code == 404
    # The other enterprise neither.
    assert post_action(other_enterprise_user(ledger), problem, "withdraw", {}).status_code == 404
    # The admin sees nothing.
    assert post_action(c.admin, problem, "verify", {"outcome": Outcome.FIXED}).status_code == 404
    # The department cannot verify its own work.
    response = post_action(c.officer, problem, "verify", {"outcome": Outcome.FIXED})
    assert response.status_code == 403
    assert "只有督办组可以办理此事项" in html(response)  # says why
    # A supervisor who reads it but is not of the supervising group cannot verify.
    response = post_action(other_group_supervisor(ledger), problem, "verify", {"outcome": Outcome.FIXED})
    assert response.status_code == 403
    # The reporter cannot assign.
    response = post_action(
        c.enterprise_user,
        problem,
        "assign",
        {"department": str(c.drc.public_id), "deadline_mode": "immediate"},
    )
    assert response.status_code == 403
    assert reload(problem).status == ProblemStatus.SUBMITTED


def test_the_department_list_for_assignment_is_the_commissions_own(ledger: World) -> None:
    c = ledger.city
    problem = complaint(ledger)
    page = html(login(c.city_supervisor).get(url("problem", problem.public_id)))
    assert str(c.drc.public_id) in page and str(c.district_dept.public_id) in page
    assert str(c.committee.public_id) not in page
    elsewhere = Organisation.objects.create(code="xm", name="厦门市", kind=OrganisationKind.CITY)
    response = post_action(
        c.city_supervisor,
        problem,
        "assign",
        {"department": str(elsewhere.public_id), "deadline_mode": "immediate"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-department"' in html(response)


def test_the_pages_speak_english_when_asked(ledger: World) -> None:
    problem = assigned(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(ledger.city.officer)
    page = html(client.get(url("problem", problem.public_id)))
    assert "Report progress" in page and "报告整改进展" not in page
    chinese = html(login(ledger.city.officer).get(url("problem", problem.public_id)))
    assert "报告整改进展" in chinese


def test_a_monitoring_points_reporter_answers_the_return_visit_with_the_receipt(ledger: World) -> None:
    """Without an account: the code found the problem, and the same code answers the
    return visit once the group verified the fix (closed when fixed)."""
    from .conftest import pdf

    c = ledger.city
    problem, receipt = services.problem_report_at_point(
        token=ledger.point.token,
        title="园区道路积水",
        description="雨后积水严重。",
        category=Category.CULTURAL,
    )
    problem = services.problem_assign(
        actor=c.city_supervisor, problem=problem, department=c.drc, deadline_days=5
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="receipt-visit"' not in html(client.post(url("follow"), {"code": receipt}))
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已疏通排水", files=[pdf()])
    services.problem_verify(actor=c.supervisor, problem=problem)
    found = html(client.post(url("follow"), {"code": receipt}))
    assert 'data-testid="receipt-visit"' in found
    # Not fixed without saying what is wrong: refused, nothing recorded.
    refused = client.post(url("follow_visit"), {"code": receipt, "fixed": "0", "score": "2"})
    assert refused.status_code == 400 and 'data-testid="error-comment"' in html(refused)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.VERIFIED
    # A wrong code answers nothing.
    assert client.post(url("follow_visit"), {"code": "0" * 16, "fixed": "1", "score": "5"}).status_code == 404
    done = client.post(url("follow_visit"), {"code": receipt, "fixed": "1", "score": "5", "comment": ""})
    assert done.status_code == 200 and 'data-testid="visit-recorded"' in html(done)
    problem.refresh_from_db()
    assert (problem.status, problem.satisfaction) == (ProblemStatus.CLOSED, 5)
    visit = problem.return_visits.get()
    assert (visit.visited_by, visit.mode) == (None, "online")
    again = client.post(url("follow_visit"), {"code": receipt, "fixed": "1", "score": "4"})
    assert again.status_code == 409  # answered once
