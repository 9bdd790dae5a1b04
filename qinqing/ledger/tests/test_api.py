"""The ledger's JSON API (/api/v1/ledger): every endpoint's allowed and denied path, the
whole loop through the API, bad input answered with the fields in the user's language,
stale revisions, and the two endpoints that need no login (a monitoring point's report
link and following by receipt code).

The world is the ledger's (conftest) plus a supervision group watching the whole city
(it reads the department's problems but does not supervise them) and a user of the
other enterprise."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.ledger import services
from qinqing.ledger.models import (
    Category,
    Channel,
    MonitoringPoint,
    Observer,
    Problem,
    ProblemStatus,
    RuleOutcome,
    WalkThrough,
)

from .conftest import PDF, World, assigned, complaint, pdf

BASE = "/api/v1/ledger"


@dataclass
class ApiWorld:
    w: World
    wide_supervisor: User  # a group watching the whole city: reads, does not supervise drc's problems
    other_enterprise_user: User

    @property
    def c(self) -> Any:
        return self.w.city


@pytest.fixture
def world(ledger: World) -> ApiWorld:
    c = ledger.city
    wide = cast(
        Organisation,
        OrganisationFactory(
            code="jw-g9",
            name="派驻第九纪检监察组",
            kind=OrganisationKind.SUPERVISION_GROUP,
            parent=c.commission,
        ),
    )
    wide.supervised.set([c.city])
    return ApiWorld(
        w=ledger,
        wide_supervisor=give_role(person("widesup"), Role.SUPERVISOR, organisation=wide),
        other_enterprise_user=give_role(person("ent-b"), Role.ENTERPRISE, enterprise=c.other_enterprise),
    )


def person(username: str) -> User:
    return cast(User, UserFactory(username=username))


def upload(name: str = "evidence.pdf", data: bytes = PDF) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def post(client: Any, user: User | None, path: str, body: dict[str, Any], **headers: Any) -> Any:
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(f"{BASE}{path}", body, content_type="application/json", **headers)


def form(client: Any, user: User | None, path: str, data: dict[str, Any], **headers: Any) -> Any:
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(f"{BASE}{path}", data, **headers)


def get(
    client: Any, user: User | None, path: str, params: dict[str, Any] | None = None, **headers: Any
) -> Any:
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(f"{BASE}{path}", params or {}, **headers)


def reload(problem: Problem) -> Problem:
    return Problem.objects.get(pk=problem.pk)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["public_id"] for item in response.json()["items"]]


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


def act(problem: Problem, action: str) -> str:
    return f"/problems/{problem.public_id}/{action}"


# --- Anonymous ------------------------------------------------------------------------------


def _operations() -> list[tuple[str, str]]:
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path)
        for path, item in paths.items()
        if path.startswith(f"{BASE}/")
        for method in item
        if (method, path)
        not in {
            ("post", f"{BASE}/follow"),
            ("post", f"{BASE}/follow/visit"),
            ("post", f"{BASE}/follow/reopen"),
            ("post", f"{BASE}/points/{{token}}/report"),
        }
    ]


def test_anonymous_is_asked_to_log_in_everywhere_but_the_open_endpoints(client, world: ApiWorld):
    problem = assigned(world.w)
    operations = _operations()
    assert len(operations) >= 27
    for method, path in operations:
        url = (
            path.replace("{problem_id}", str(problem.public_id))
            .replace("{campaign_id}", str(world.w.topic_campaign.public_id))
            .replace("{walk_id}", str(problem.public_id))
            .replace("{file_id}", str(problem.public_id))
            .replace("{report_id}", str(problem.public_id))
            .replace("{point_id}", str(problem.public_id))
            .replace("{fmt}", "pdf")
        )
        response = getattr(client, method)(
            url, {} if method == "get" else "{}", content_type="application/json"
        )
        assert error(response, 401)["code"] == "unauthenticated", (method, path)


def test_a_monitoring_point_reports_without_login_and_follows_by_receipt(client, world: ApiWorld):
    w = world.w
    response = form(
        client,
        None,
        f"/points/{w.point.token}/report",
        {
            "title": "窗口午休不办理",
            "description": "中午十二点到两点窗口无人。",
            "category": "government",
            "subcategory": "efficiency",
            "reporter_name": "王先生",
            "files": [upload("photo.pdf")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered"
    assert len(body["receipt"]) == 16 and body["receipt"].isdigit()
    problem = Problem.objects.get(reference=body["reference"])
    assert problem.channel == Channel.MONITORING
    assert problem.monitoring_point == w.point
    assert problem.files.count() == 1
    assert body["receipt"] not in problem.receipt_hash  # stored hashed only

    followed = post(client, None, "/follow", {"receipt": body["receipt"]})
    assert followed.status_code == 200, followed.content
    assert followed.json()["reference"] == body["reference"]
    assert followed.json()["status"] == "registered"
    assert [s["kind"] for s in followed.json()["story"]] == ["registered"]
    assert "reporter" not in followed.json()

    # Assigned and progressed: the follower sees the public story only.
    services.problem_assign(
        actor=w.city.city_supervisor, problem=problem, department=w.city.drc, deadline_days=5
    )
    services.problem_progress(actor=w.city.officer, problem=reload(problem), text="内部沟通", public=False)
    story = post(client, None, "/follow", {"receipt": body["receipt"]}).json()["story"]
    assert [s["kind"] for s in story] == ["registered", "assigned"]


def test_the_open_endpoints_refuse_bad_input_clearly(client, world: ApiWorld):
    w = world.w
    assert error(post(client, None, "/follow", {"receipt": "123"}), 400)["fields"] == {
        "receipt": ["A receipt code has 16 digits."]
    }
    assert error(post(client, None, "/follow", {"receipt": "1234567890123456"}), 404)["code"] == "not_found"
    assert "receipt" in error(post(client, None, "/follow", {}), 422)["fields"]
    assert error(form(client, None, "/points/not-a-real-token/report", {"title": "x"}), 422)["fields"]
    response = form(
        client,
        None,
        "/points/unknown-token/report",
        {"title": "t", "description": "d", "category": "government"},
    )
    assert error(response, 404)["code"] == "not_found"
    w.point.active = False
    w.point.save()
    response = form(
        client,
        None,
        f"/points/{w.point.token}/report",
        {"title": "t", "description": "d", "category": "market"},
    )
    assert error(response, 404)["code"] == "not_found"
    w.point.active = True
    w.point.save()
    response = form(client, None, f"/points/{w.point.token}/report", {"title": "t", "category": "weather"})
    assert set(error(response, 422)["fields"]) == {"description", "category"}
    response = form(
        client,
        None,
        f"/points/{w.point.token}/report",
        {"title": "t", "description": "d", "category": "market", "files": [upload("x.pdf", b"MZ\x90\x00")]},
    )
    assert set(error(response, 400)["fields"]) == {"files"}
    assert Problem.objects.filter(channel=Channel.MONITORING).count() == 0


def test_a_body_that_is_not_json_is_refused_in_the_users_language(client, world: ApiWorld):
    """ninja's parser refuses it in its own English words; the API says it as every
    other error, translated."""
    for language, message in (
        ("en", "The request body is not valid JSON."),
        ("zh-hans", "请求内容不是有效的 JSON。"),
    ):
        response = client.post(
            f"{BASE}/follow", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert error(response, 400) == {"code": "invalid_body", "message": message}


# --- Reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("enterprise_user", True),
        ("other_enterprise_user", False),
        ("officer", True),
        ("head", True),
        ("other_officer", False),
        ("supervisor", True),
        ("city_supervisor", True),
        ("wide_supervisor", True),
        ("admin", False),
        ("observer_user", False),
    ],
)
def test_who_reads_a_problem(client, world: ApiWorld, who: str, sees: bool):
    problem = assigned(world.w)
    user = getattr(world, who, None) or getattr(world.w, who, None) or getattr(world.c, who)
    listed = ids(get(client, user, "/problems"))
    assert (str(problem.public_id) in listed) is sees
    response = get(client, user, f"/problems/{problem.public_id}")
    if sees:
        assert response.status_code == 200, response.content
        assert response.json()["reference"] == problem.reference
    else:
        assert error(response, 404)["code"] == "not_found"


def test_the_admin_reads_nothing_and_acts_on_nothing(client, world: ApiWorld):
    problem = assigned(world.w)
    admin = world.c.admin
    for path in ("/problems", "/mine", "/walk-throughs", "/outcomes"):
        assert get(client, admin, path).json()["count"] == 0, path
    assert get(client, admin, "/campaigns").json()["count"] == 0
    for path in ("/queue/department", "/queue/group", "/points"):
        assert error(get(client, admin, path), 403)["code"] == "forbidden"
    for action, body in (
        ("assign", {"revision": problem.revision, "department": "drc", "deadline_days": 3}),
        ("withdraw", {"revision": problem.revision}),
        ("verify", {"revision": problem.revision}),
    ):
        assert error(post(client, admin, act(problem, action), body), 403)["code"] == "forbidden"
    response = form(client, admin, "/problems", {"channel": "complaint", "title": "t", "description": "d"})
    assert error(response, 403)["code"] == "forbidden"


def test_problem_detail_has_story_files_and_actions(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    services.problem_progress(
        actor=c.officer, problem=problem, text="内部：约谈窗口", public=False, files=[pdf()]
    )
    services.problem_progress(actor=c.officer, problem=reload(problem), text="已梳理补正清单", files=[pdf()])
    officer = get(client, c.officer, f"/problems/{problem.public_id}").json()
    assert officer["status"] == "rectifying"
    assert officer["department"] == "drc"
    assert officer["supervising_group"] == "jw-g1"
    assert officer["revision"] == reload(problem).revision
    assert [s["kind"] for s in officer["story"]] == ["registered", "assigned", "progress", "progress"]
    assert officer["story"][2]["author"]  # officials see who did what
    assert len(officer["files"]) == 2
    assert set(officer["actions"]) == {"progress", "submit", "request-withdrawal", "note"}
    assert "id" not in officer

    reporter = get(client, c.enterprise_user, f"/problems/{problem.public_id}").json()
    assert [s["kind"] for s in reporter["story"]] == ["registered", "assigned", "progress"]
    assert reporter["story"][2]["author"] == ""
    assert len(reporter["files"]) == 1
    assert reporter["actions"] == ["withdraw"]

    group = get(client, c.supervisor, f"/problems/{problem.public_id}").json()
    assert {"assign", "merge", "refer", "classify", "note"} <= set(group["actions"])
    assert "verify" not in group["actions"]

    # Files: the reporter downloads the public one, not the internal one.
    internal, public = officer["files"]
    assert public["public_id"] in {f["public_id"] for f in reporter["files"]}
    response = get(client, c.enterprise_user, f"/files/{public['public_id']}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert (
        error(get(client, c.enterprise_user, f"/files/{internal['public_id']}"), 404)["code"] == "not_found"
    )
    assert get(client, c.officer, f"/files/{internal['public_id']}").status_code == 200
    assert error(get(client, world.other_enterprise_user, f"/files/{public['public_id']}"), 404)


def test_a_hidden_reporter_is_hidden_from_the_department_only(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w, hide_reporter=True)
    assert get(client, c.officer, f"/problems/{problem.public_id}").json()["reporter"] is None
    seen = get(client, c.supervisor, f"/problems/{problem.public_id}").json()["reporter"]
    assert seen["enterprise"] == str(c.enterprise.public_id)
    assert get(client, c.enterprise_user, f"/problems/{problem.public_id}").json()["reporter"] is not None


def test_problem_list_filters(client, world: ApiWorld):
    c = world.c
    first = assigned(world.w, days=1)
    second = complaint(world.w, title="水电报装慢", category=Category.MARKET, subcategory="factors")
    sup = c.city_supervisor

    def listed(**params: Any) -> list[str]:
        return ids(get(client, sup, "/problems", params))

    everything = listed()
    assert everything[:2] == [str(second.public_id), str(first.public_id)]
    assert listed(status="registered") == [str(second.public_id)]
    assert listed(status="open") == everything
    assert listed(status="closed") == []
    assert listed(category="market") == [str(second.public_id)]
    assert listed(department="drc") == [str(first.public_id)]
    assert listed(q="水电") == [str(second.public_id)]
    assert listed(q=first.reference) == [str(first.public_id)]
    assert listed(channel="observer") == []
    assert listed(limit=1, offset=1) == [str(first.public_id)]
    assert listed(overdue="true") == []
    Problem.objects.filter(pk=first.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert listed(overdue="true") == [str(first.public_id)]
    assert str(first.public_id) not in listed(overdue="false")
    overdue_row = get(client, sup, "/problems", {"overdue": "true"}).json()["items"][0]
    assert overdue_row["overdue"] is True

    response = get(client, sup, "/problems", {"status": "sleeping", "limit": 0})
    assert {"status", "limit"} <= set(error(response, 422)["fields"])
    assert set(error(get(client, sup, "/problems", {"department": "nowhere"}), 400)["fields"]) == {
        "department"
    }
    assert "campaign" in error(get(client, sup, "/problems", {"campaign": "nope"}), 422)["fields"]
    assert "q" in error(get(client, sup, "/problems", {"q": "a\x00b"}), 422)["fields"]

    # The page's other filters (the dashboard's drill-downs): flags, period, area, walk.
    Problem.objects.filter(pk=first.pk).update(withdrawal_flagged=True, reopen_count=1)
    assert listed(flagged="true") == [str(first.public_id)]
    assert listed(reopened="true") == [str(first.public_id)]
    assert listed(status="rectified") == []
    today = timezone.localdate()
    assert set(listed(**{"from": str(today), "to": str(today)})) >= {
        str(first.public_id),
        str(second.public_id),
    }
    assert listed(**{"to": str(today - dt.timedelta(days=400))}) == []
    # Both lie outside any district: drc is a city department, the other waits at the commission.
    assert set(listed(area="city")) == {str(first.public_id), str(second.public_id)}
    assert listed(area=str(c.district.public_id)) == []
    assert set(error(get(client, sup, "/problems", {"area": "somewhere"}), 400)["fields"]) == {"area"}
    assert listed(walk=str(first.public_id)) == []


def test_queues_and_my_reports(client, world: ApiWorld):
    c = world.c
    soon = assigned(world.w, days=2)
    later = assigned(world.w, days=9)
    waiting = complaint(world.w)
    assert ids(get(client, c.officer, "/queue/department")) == [str(soon.public_id), str(later.public_id)]
    assert ids(get(client, c.other_officer, "/queue/department")) == []
    assert error(get(client, c.enterprise_user, "/queue/department"), 403)["code"] == "forbidden"
    assert error(get(client, c.supervisor, "/queue/department"), 403)["code"] == "forbidden"

    assert str(waiting.public_id) in ids(get(client, c.city_supervisor, "/queue/group"))
    services.problem_submit(actor=c.officer, problem=soon, text="done", files=[pdf()])
    assert str(soon.public_id) in ids(get(client, c.supervisor, "/queue/group"))
    assert error(get(client, c.officer, "/queue/group"), 403)["code"] == "forbidden"

    mine = ids(get(client, c.enterprise_user, "/mine"))
    assert set(mine) == {str(soon.public_id), str(later.public_id), str(waiting.public_id)}
    assert ids(get(client, world.other_enterprise_user, "/mine")) == []
    assert ids(get(client, c.officer, "/mine")) == []


def test_the_department_queue_filters_over_and_near_as_the_page(client, world: ApiWorld):
    c = world.c
    soon = assigned(world.w, days=1)
    later = assigned(world.w, days=20)
    late = assigned(world.w, days=9)
    Problem.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert ids(get(client, c.officer, "/queue/department", {"show": "over"})) == [str(late.public_id)]
    assert ids(get(client, c.officer, "/queue/department", {"show": "near"})) == [str(soon.public_id)]
    assert str(later.public_id) in ids(get(client, c.officer, "/queue/department"))
    assert "show" in error(get(client, c.officer, "/queue/department", {"show": "soon"}), 422)["fields"]


def test_a_problems_history_is_in_its_detail(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    services.problem_classify(actor=c.city_supervisor, problem=reload(problem), category=Category.LEGAL)
    history = get(client, c.city_supervisor, f"/problems/{problem.public_id}").json()["history"]
    assert [h["action"] for h in history] == ["register", "assign", "classify"]
    assert history[1]["department"] == "drc" and history[1]["to_status"] == "assigned"
    assert (history[0]["category"], history[2]["category"]) == ("government", "legal")


# --- The loop -------------------------------------------------------------------------------


def test_the_whole_loop_through_the_api(client, world: ApiWorld):
    c = world.c
    reported = form(
        client,
        c.enterprise_user,
        "/problems",
        {
            "channel": "complaint",
            "title": "施工许可审批材料反复补正",
            "description": "同一份材料被要求补正三次。",
            "category": "government",
            "subcategory": "approval",
            "files": [upload("补正通知.pdf")],
        },
    )
    assert reported.status_code == 201, reported.content
    problem = reported.json()
    pid = problem["public_id"]
    assert problem["status"] == "registered"
    assert problem["department"] == "jw"
    assert [f["name"] for f in problem["files"]] == ["补正通知.pdf"]

    def step(
        user: User, action: str, body: dict[str, Any], status: int = 200, multipart: bool = False
    ) -> Any:
        nonlocal problem
        body = {"revision": problem["revision"], **body}
        path = f"/problems/{pid}/{action}"
        response = form(client, user, path, body) if multipart else post(client, user, path, body)
        assert response.status_code == status, (action, response.content)
        problem = response.json()
        return problem

    step(
        c.city_supervisor, "assign", {"department": "drc", "deadline_days": 5, "co_departments": ["commerce"]}
    )
    assert problem["status"] == "assigned"
    assert problem["co_departments"] == ["commerce"]
    assert problem["due_date"] is not None
    step(c.officer, "progress", {"text": "已约谈窗口", "files": [upload()]}, status=201, multipart=True)
    assert problem["status"] == "rectifying"
    step(
        c.officer, "submit", {"text": "一次性告知清单已上线", "files": [upload()]}, status=201, multipart=True
    )
    assert problem["status"] == "submitted"
    step(c.supervisor, "send-back", {"reason": "清单未在窗口公示"})
    assert problem["status"] == "rectifying"
    assert problem["send_back_count"] == 1
    step(c.officer, "submit", {"text": "已公示", "files": [upload()]}, status=201, multipart=True)
    step(c.supervisor, "verify", {"outcome": "fixed"})
    assert problem["status"] == "verified"
    assert problem["outcome"] == "fixed"
    step(c.enterprise_user, "return-visit", {"score": 4, "fixed": True}, status=201)
    assert problem["status"] == "closed"
    assert problem["satisfaction"] == 4
    assert problem["return_visits"][0]["score"] == 4
    assert "reopen" in problem["actions"]
    refused = post(
        client, c.officer, f"/problems/{pid}/reopen", {"revision": problem["revision"], "reason": "x"}
    )
    assert error(refused, 403)["code"] == "forbidden"  # only the reporter or the supervising group
    step(c.enterprise_user, "reopen", {"reason": "窗口又要求补正"})
    assert problem["status"] == "rectifying"
    assert problem["reopen_count"] == 1
    statuses = list(Problem.objects.get(public_id=pid).transitions.values_list("to_status", flat=True))
    assert statuses == [
        "registered",
        "assigned",
        "rectifying",
        "submitted",
        "rectifying",
        "submitted",
        "verified",
        "closed",
        "rectifying",
    ]


def test_not_fixed_at_the_return_visit_reopens_and_the_group_may_visit_by_phone(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="done", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    body = {"revision": problem.revision, "score": 2, "fixed": False}
    assert error(post(client, c.enterprise_user, act(problem, "return-visit"), body), 400)["fields"] == {
        "comment": ["This field is required."]
    }
    refused = post(client, c.officer, act(problem, "return-visit"), {**body, "comment": "x"})
    assert error(refused, 403)["code"] == "forbidden"
    by_phone = post(
        client, c.supervisor, act(problem, "return-visit"), {**body, "comment": "仍未解决", "mode": "phone"}
    )
    assert by_phone.status_code == 201, by_phone.content
    assert by_phone.json()["status"] == "rectifying"


def test_a_withdrawal_asked_by_the_department_is_checked(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    response = post(
        client,
        c.officer,
        act(problem, "request-withdrawal"),
        {"revision": problem.revision, "reason": "企业已不需要"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawal_requested"
    assert response.json()["withdrawal_flagged"] is True
    problem = reload(problem)
    assert "check-withdrawal" in get(client, c.supervisor, f"/problems/{problem.public_id}").json()["actions"]
    body = {"revision": problem.revision, "agrees": False, "comment": "企业仍需解决"}
    assert error(post(client, c.officer, act(problem, "check-withdrawal"), body), 403)["code"] == "forbidden"
    response = post(client, c.supervisor, act(problem, "check-withdrawal"), body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "rectifying"
    problem = reload(problem)
    response = post(
        client,
        c.officer,
        act(problem, "request-withdrawal"),
        {"revision": problem.revision, "reason": "再次申请"},
    )
    problem = reload(problem)
    response = post(
        client,
        c.enterprise_user,
        act(problem, "check-withdrawal"),
        {"revision": problem.revision, "agrees": True, "mode": "online"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "withdrawn"


def test_the_reporter_withdraws_and_nobody_else(client, world: ApiWorld):
    c = world.c
    problem = complaint(world.w)
    body = {"revision": problem.revision, "reason": "已自行解决"}
    assert error(post(client, c.city_supervisor, act(problem, "withdraw"), body), 403)["code"] == "forbidden"
    assert error(post(client, world.other_enterprise_user, act(problem, "withdraw"), body), 404)
    response = post(client, c.enterprise_user, act(problem, "withdraw"), body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    again = post(client, c.enterprise_user, act(problem, "withdraw"), {"revision": reload(problem).revision})
    assert error(again, 409)["code"] == "invalid_transition"


def test_merge_refer_classify_and_note(client, world: ApiWorld):
    c = world.c
    original = assigned(world.w)
    duplicate = complaint(world.w)
    other = complaint(world.w)
    sup = c.city_supervisor

    response = post(
        client,
        sup,
        act(duplicate, "merge"),
        {"revision": duplicate.revision, "into": str(duplicate.public_id)},
    )
    assert set(error(response, 400)["fields"]) == {"into"}
    response = post(
        client, sup, act(duplicate, "merge"), {"revision": duplicate.revision, "into": str(c.city.public_id)}
    )
    assert set(error(response, 400)["fields"]) == {"into"}
    response = post(
        client,
        sup,
        act(duplicate, "merge"),
        {"revision": duplicate.revision, "into": str(original.public_id), "reason": "重复"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "merged"
    assert response.json()["duplicate_of"] == str(original.public_id)

    body = {
        "revision": other.revision,
        "level": "province",
        "referred_to": "省发改委",
        "reason": "需省级协调",
    }
    assert error(post(client, c.officer, act(other, "refer"), body), 403)["code"] == "forbidden"
    assert set(error(post(client, sup, act(other, "refer"), {**body, "level": "moon"}), 422)["fields"]) == {
        "level"
    }
    response = post(client, sup, act(other, "refer"), body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "referred"
    assert response.json()["referred_to"] == "省发改委"

    body = {
        "revision": original.revision,
        "category": "legal",
        "subcategory": "enforcement",
        "severity": "grave",
        "institutional": "mechanism",
    }
    assert error(post(client, c.enterprise_user, act(original, "classify"), body), 403)["code"] == "forbidden"
    bad = post(client, sup, act(original, "classify"), {**body, "subcategory": "fees"})
    assert set(error(bad, 400)["fields"]) == {"subcategory"}
    response = post(client, sup, act(original, "classify"), body)
    assert response.status_code == 200, response.content
    assert (response.json()["category"], response.json()["institutional"]) == ("legal", "mechanism")

    original = reload(original)
    note = {"revision": original.revision, "text": "已电话督促"}
    assert error(post(client, c.enterprise_user, act(original, "note"), note), 403)["code"] == "forbidden"
    assert error(post(client, c.other_officer, act(original, "note"), note), 404)["code"] == "not_found"
    response = post(client, c.officer, act(original, "note"), note)
    assert response.status_code == 201, response.content
    assert response.json()["story"][-1]["kind"] == "note"
    assert response.json()["story"][-1]["public"] is False
    assert (
        get(client, c.enterprise_user, f"/problems/{original.public_id}").json()["story"][-1]["kind"]
        != "note"
    )


def test_roles_that_can_never_act_are_refused_before_the_problem_is_looked_at(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    nowhere = "/problems/00000000-0000-4000-8000-000000000000"
    rev = {"revision": problem.revision}
    cases: list[tuple[User, str, dict[str, Any], bool]] = [
        (c.supervisor, "progress", {"text": "x"}, True),  # a supervisor never does the department's work
        (c.city_supervisor, "submit", {"text": "x"}, True),
        (c.supervisor, "request-withdrawal", {"reason": "x"}, False),
        (c.officer, "verify", {}, False),  # a department never verifies itself
        (c.officer, "send-back", {"reason": "x"}, False),
        (c.officer, "assign", {"department": "drc", "deadline_days": 3}, False),
        (c.enterprise_user, "merge", {"into": str(problem.public_id)}, False),
        (c.enterprise_user, "progress", {"text": "x"}, True),
    ]
    for user, action, extra, multipart in cases:
        for path in (f"/problems/{problem.public_id}/{action}", f"{nowhere}/{action}"):
            send = form if multipart else post
            response = send(client, user, path, {**rev, **extra})
            assert error(response, 403)["code"] == "forbidden", (user, action, path)


def test_another_department_cannot_act_on_the_problem(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    # Not responsible at all: the problem is not even there.
    response = form(
        client,
        c.other_officer,
        act(problem, "submit"),
        {"revision": problem.revision, "text": "x", "files": [upload()]},
    )
    assert error(response, 404)["code"] == "not_found"
    # Co-responsible: it reads the problem and adds progress, but the lead department submits.
    problem = services.problem_assign(
        actor=c.city_supervisor,
        problem=problem,
        department=c.drc,
        deadline_days=5,
        co_departments=[c.commerce],
        revision=problem.revision,
    )
    response = form(
        client,
        c.other_officer,
        act(problem, "submit"),
        {"revision": problem.revision, "text": "x", "files": [upload()]},
    )
    assert error(response, 403)["code"] == "forbidden"
    response = post(
        client,
        c.other_officer,
        act(problem, "request-withdrawal"),
        {"revision": problem.revision, "reason": "x"},
    )
    assert error(response, 403)["code"] == "forbidden"
    response = form(
        client,
        c.other_officer,
        act(problem, "progress"),
        {"revision": problem.revision, "text": "商务局已配合"},
    )
    assert response.status_code == 201, response.content
    assert reload(problem).files.count() == 0


def test_a_supervisor_outside_the_supervising_group_cannot_verify(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="done", files=[pdf()])
    wide = world.wide_supervisor
    assert get(client, wide, f"/problems/{problem.public_id}").status_code == 200  # reads it
    for action, body in (("verify", {}), ("send-back", {"reason": "x"})):
        response = post(client, wide, act(problem, action), {"revision": problem.revision, **body})
        assert error(response, 403)["code"] == "forbidden", action
    assert reload(problem).status == ProblemStatus.SUBMITTED
    response = post(
        client,
        c.supervisor,
        act(problem, "verify"),
        {"revision": problem.revision, "outcome": "partly_fixed"},
    )
    assert error(response, 400)["fields"] == {"text": ["This field is required."]}
    response = post(
        client,
        c.supervisor,
        act(problem, "verify"),
        {"revision": problem.revision, "outcome": "partly_fixed", "text": "尚余一项"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "partly_fixed"


def test_a_stale_revision_is_a_conflict(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    stale = problem.revision
    services.problem_progress(actor=world.w.officer2, problem=problem, text="先到一步", revision=stale)
    current = reload(problem)
    for user, action, body, multipart in (
        (c.officer, "progress", {"text": "我也来"}, True),
        (c.officer, "submit", {"text": "done", "files": [upload()]}, True),
        (c.officer, "request-withdrawal", {"reason": "x"}, False),
        (c.officer, "note", {"text": "x"}, False),
        (c.city_supervisor, "assign", {"department": "drc", "deadline_days": 3}, False),
        (c.city_supervisor, "classify", {"category": "market"}, False),
        (c.city_supervisor, "refer", {"level": "central", "referred_to": "x", "reason": "y"}, False),
        (c.city_supervisor, "merge", {"into": str(complaint(world.w).public_id)}, False),
        (c.enterprise_user, "withdraw", {}, False),
    ):
        send = form if multipart else post
        response = send(
            client, user, act(problem, action), {"revision": stale, **body}, HTTP_ACCEPT_LANGUAGE="en"
        )
        err = error(response, 409)
        assert err["code"] == "problem_changed", action
        assert err["extra"] == {"revision": current.revision, "status": "rectifying"}
        assert "Reload" in err["message"]
    assert reload(problem).revision == current.revision
    assert reload(problem).files.count() == 0


def test_a_transition_the_status_does_not_allow_is_refused(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    response = post(client, c.supervisor, act(problem, "verify"), {"revision": problem.revision})
    assert error(response, 409)["code"] == "invalid_transition"
    response = post(
        client, c.enterprise_user, act(problem, "reopen"), {"revision": problem.revision, "reason": "x"}
    )
    assert error(response, 409)["code"] == "invalid_transition"


# --- Bad input ------------------------------------------------------------------------------


def test_bad_input_names_the_fields_in_the_users_language(client, world: ApiWorld):
    c = world.c
    problem = complaint(world.w)
    body = {"revision": problem.revision, "department": "nowhere", "deadline_days": 3}
    english = error(
        post(client, c.city_supervisor, act(problem, "assign"), body, HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    chinese = error(
        post(client, c.city_supervisor, act(problem, "assign"), body, HTTP_ACCEPT_LANGUAGE="zh-hans"), 400
    )
    assert english["fields"] == {"department": ["No such organisation."]}
    assert chinese["fields"] == {"department": ["没有这个单位。"]}

    body = {"department": "drc"}
    english = error(
        post(client, c.city_supervisor, act(problem, "assign"), body, HTTP_ACCEPT_LANGUAGE="en"), 422
    )
    chinese = error(
        post(client, c.city_supervisor, act(problem, "assign"), body, HTTP_ACCEPT_LANGUAGE="zh-hans"), 422
    )
    assert english["fields"] == {"revision": ["This field is required."]}
    assert chinese["fields"] == {"revision": ["此项为必填项。"]}
    assert chinese["message"] == "部分数据不符合要求。"
    client.force_login(c.city_supervisor)
    by_default = client.post(f"{BASE}{act(problem, 'assign')}", body, content_type="application/json")
    assert error(by_default, 422)["fields"] == {
        "revision": ["此项为必填项。"]
    }  # zh-hans unless asked otherwise

    response = post(
        client,
        c.city_supervisor,
        act(problem, "assign"),
        {"revision": -1, "department": "drc", "deadline_days": 999},
    )
    assert set(error(response, 422)["fields"]) == {"revision", "deadline_days"}
    response = client.post(f"{BASE}{act(problem, 'assign')}", "{not json", content_type="application/json")
    assert error(response, 400)["code"] == "invalid_body"
    assert reload(problem).status == ProblemStatus.REGISTERED


def test_bad_uploads_are_refused_and_store_nothing(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    path = act(problem, "submit")
    rev = problem.revision
    assert error(form(client, c.officer, path, {"revision": rev, "text": "done"}), 400)["fields"] == {
        "files": ["Attach at least one document or photo as evidence."]
    }
    response = form(
        client, c.officer, path, {"revision": rev, "text": "done", "files": [upload("a.pdf", b"<html>")]}
    )
    assert set(error(response, 400)["fields"]) == {"files"}
    response = form(client, c.officer, path, {"revision": rev, "text": upload(), "files": [upload()]})
    assert set(error(response, 422)["fields"]) == {"text"}
    response = form(
        client, c.officer, path, {"revision": rev, "text": "done", "files": [upload() for _ in range(11)]}
    )
    assert set(error(response, 400)["fields"]) == {"files"}
    response = form(client, c.officer, path, {"revision": "x", "text": "a\x07b", "files": [upload()]})
    assert set(error(response, 422)["fields"]) == {"revision", "text"}
    response = client.post(f"{BASE}{path}", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert response.status_code in {400, 422}, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert reload(problem).status == ProblemStatus.ASSIGNED
    assert reload(problem).files.count() == 0


# --- Intake ---------------------------------------------------------------------------------


def test_reports_from_each_channel(client, world: ApiWorld):
    w, c = world.w, world.c
    topic = form(
        client,
        c.enterprise_user,
        "/problems",
        {
            "channel": "topic",
            "campaign": str(w.topic_campaign.public_id),
            "topic": "涉企收费",
            "title": "检测费重复收取",
            "description": "同一项目两次收费。",
            "category": "market",
            "hide_reporter": "true",
        },
    )
    assert topic.status_code == 201, topic.content
    assert topic.json()["topic"] == "涉企收费"
    assert Problem.objects.get(public_id=topic.json()["public_id"]).hide_reporter is True
    bad_topic = form(
        client,
        c.enterprise_user,
        "/problems",
        {
            "channel": "topic",
            "campaign": str(w.topic_campaign.public_id),
            "topic": "无此专题",
            "title": "t",
            "description": "d",
            "category": "market",
        },
    )
    assert set(error(bad_topic, 400)["fields"]) == {"topic"}
    other = form(
        client,
        c.enterprise_user,
        "/problems",
        {
            "channel": "complaint",
            "enterprise": str(c.other_enterprise.public_id),
            "title": "t",
            "description": "d",
            "category": "market",
        },
    )
    assert error(other, 403)["code"] == "forbidden"

    observed = form(
        client,
        w.observer_user,
        "/problems",
        {"channel": "observer", "title": "办事大厅排长队", "description": "d", "category": "government"},
    )
    assert observed.status_code == 201, observed.content
    assert error(
        form(
            client,
            world.other_enterprise_user,
            "/problems",
            {"channel": "observer", "title": "t", "description": "d", "category": "government"},
        ),
        403,
    )

    inspection_campaign = services.campaign_create(
        actor=c.city_supervisor,
        channel=Channel.INSPECTION,
        title="第一轮巡察",
        organisation=c.commission,
        starts_on=dt.date(2026, 1, 1),
    )
    found = form(
        client,
        c.city_supervisor,
        "/problems",
        {
            "channel": "inspection",
            "campaign": str(inspection_campaign.public_id),
            "title": "审批超时",
            "description": "d",
            "category": "government",
            "institutional": "structural",
            "department": "drc",
            "co_departments": ["commerce", "fz-scjg"],
            "deadline_mode": "immediate",
        },
    )
    assert found.status_code == 201, found.content
    assert found.json()["status"] == "assigned"
    assert found.json()["co_departments"] == ["commerce", "fz-scjg"]
    assert found.json()["deadline_mode"] == "immediate"
    response = form(
        client,
        c.city_supervisor,
        "/problems",
        {
            "channel": "inspection",
            "campaign": "00000000-0000-4000-8000-000000000000",
            "title": "t",
            "description": "d",
            "category": "legal",
        },
    )
    assert set(error(response, 400)["fields"]) == {"campaign"}


def test_walk_throughs_are_recorded_by_the_department_and_read_back(client, world: ApiWorld):
    c = world.c
    body = {
        "department": "drc",
        "process_name": "企业投资项目备案",
        "walked_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "steps": [{"name": "取号排队", "minutes": 25}, {"name": "窗口受理", "minutes": 40}],
        "problems": [
            {
                "title": "取号机故障",
                "description": "取号机经常故障。",
                "category": "government",
                "deadline_mode": "immediate",
            },
            {
                "title": "材料清单不一致",
                "description": "线上线下清单不同。",
                "category": "government",
                "deadline_days": 10,
            },
        ],
    }
    assert error(post(client, c.supervisor, "/walk-throughs", body), 403)["code"] == "forbidden"
    assert error(post(client, c.other_officer, "/walk-throughs", body), 403)["code"] == "forbidden"
    response = post(client, c.head, "/walk-throughs", body)
    assert response.status_code == 201, response.content
    walk = response.json()
    assert walk["total_minutes"] == 65
    assert [p["status"] for p in walk["problems"]] == ["assigned", "assigned"]
    assert WalkThrough.objects.count() == 1

    detail = get(client, c.city_supervisor, f"/walk-throughs/{walk['public_id']}").json()
    assert [p["title"] for p in detail["problems"]] == ["取号机故障", "材料清单不一致"]
    assert ids(get(client, c.officer, "/walk-throughs")) == [walk["public_id"]]
    assert ids(get(client, c.officer, "/walk-throughs", {"department": "commerce"})) == []
    assert ids(get(client, c.enterprise_user, "/walk-throughs")) == []
    assert error(get(client, c.other_officer, f"/walk-throughs/{walk['public_id']}"), 404)

    future = {**body, "walked_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}
    assert set(error(post(client, c.head, "/walk-throughs", future), 400)["fields"]) == {"walked_on"}
    assert "steps" in error(post(client, c.head, "/walk-throughs", {**body, "steps": []}), 422)["fields"]
    bad = {
        **body,
        "problems": [
            {"title": "x", "description": "y", "category": "government", "deadline_mode": "working_days"}
        ],
    }
    assert set(error(post(client, c.head, "/walk-throughs", bad), 400)["fields"]) == {
        "problems.0.deadline_days"
    }
    assert WalkThrough.objects.count() == 1


def test_campaigns_are_the_commissions(client, world: ApiWorld):
    c, w = world.c, world.w
    body = {
        "channel": "topic",
        "title": "优化营商环境点题整治",
        "organisation": "jw",
        "starts_on": "2026-04-01",
        "topics": [
            {"title": "审批提速", "category": "government"},
            {"title": "公平竞争", "category": "market"},
        ],
    }
    assert error(post(client, c.officer, "/campaigns", body), 403)["code"] == "forbidden"
    assert error(post(client, c.enterprise_user, "/campaigns", body), 403)["code"] == "forbidden"
    assert set(
        error(post(client, c.city_supervisor, "/campaigns", {**body, "topics": []}), 400)["fields"]
    ) == {"topics"}
    twice = {
        **body,
        "topics": [{"title": "同题", "category": "legal"}, {"title": "同题", "category": "legal"}],
    }
    assert set(error(post(client, c.city_supervisor, "/campaigns", twice), 400)["fields"]) == {
        "topics.1.title"
    }
    backwards = {**body, "ends_on": "2026-03-01"}
    assert set(error(post(client, c.city_supervisor, "/campaigns", backwards), 400)["fields"]) == {"ends_on"}
    response = post(client, c.city_supervisor, "/campaigns", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert [t["title"] for t in created["topics"]] == ["审批提速", "公平竞争"]

    assert get(client, c.officer, f"/campaigns/{created['public_id']}").json()["title"] == body["title"]
    enterprise_sees = ids(get(client, c.enterprise_user, "/campaigns"))
    assert set(enterprise_sees) == {created["public_id"], str(w.topic_campaign.public_id)}
    assert ids(get(client, c.city_supervisor, "/campaigns", {"channel": "walk"})) == []
    assert error(get(client, c.admin, f"/campaigns/{created['public_id']}"), 404)

    # Its progress, as its page shows it: to officials, not to enterprises.
    campaign = w.topic_campaign
    topic = campaign.topics.get()
    services.problem_report(
        actor=c.enterprise_user,
        channel="topic",
        title="涉企收费不透明",
        description="收费项目未公示。",
        category="market",
        topic=topic,
    )
    detail = get(client, c.city_supervisor, f"/campaigns/{campaign.public_id}").json()
    assert detail["figures"]["registered"] == 1
    assert detail["topic_counts"] == [{"title": topic.title, "registered": 1, "closed": 0}]
    assert (detail["walk_throughs"], detail["outcomes"]) == (0, 0)
    seen = get(client, c.enterprise_user, f"/campaigns/{campaign.public_id}").json()
    assert seen["figures"] is None and seen["topic_counts"] is None


def test_monitoring_points_and_observers(client, world: ApiWorld):
    c, w = world.c, world.w
    body = {
        "name": "台商区企业服务中心",
        "organisation": "jw",
        "appointed_on": "2026-02-01",
        "enterprise": str(c.other_enterprise.public_id),
    }
    assert error(post(client, c.officer, "/points", body), 403)["code"] == "forbidden"
    response = post(client, c.city_supervisor, "/points", body)
    assert response.status_code == 201, response.content
    point = MonitoringPoint.objects.get(public_id=response.json()["public_id"])
    assert response.json()["report_url"] == f"{BASE}/points/{point.token}/report"
    assert set(
        error(post(client, c.city_supervisor, "/points", {**body, "enterprise": str(c.city.public_id)}), 400)[
            "fields"
        ]
    ) == {"enterprise"}
    listed = ids(get(client, c.city_supervisor, "/points"))
    assert set(listed) == {str(w.point.public_id), str(point.public_id)}
    assert error(get(client, c.enterprise_user, "/points"), 403)["code"] == "forbidden"

    newcomer = person("new-observer")
    body = {
        "user": str(newcomer.public_id),
        "organisation": "jw",
        "appointed_on": "2026-02-01",
        "affiliation": "市工商联",
    }
    assert error(post(client, c.officer, "/observers", body), 403)["code"] == "forbidden"
    response = post(client, c.city_supervisor, "/observers", body)
    assert response.status_code == 201, response.content
    assert Observer.objects.filter(user=newcomer).exists()
    assert set(error(post(client, c.city_supervisor, "/observers", body), 400)["fields"]) == {"user"}
    unknown = {**body, "user": str(c.city.public_id)}
    assert set(error(post(client, c.city_supervisor, "/observers", unknown), 400)["fields"]) == {"user"}

    # Read back as the pages show them: the point's page link (its QR code's), counts.
    complaint_at = services.problem_report_at_point(
        token=w.point.token,
        title="窗口午休不办理",
        description="中午无人",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
    )
    assert complaint_at is not None
    one = get(client, c.city_supervisor, f"/points/{w.point.public_id}").json()
    assert one["page_url"] == f"http://testserver/ledger/point/{w.point.token}/"
    assert one["problem_count"] == 1
    assert error(get(client, c.enterprise_user, f"/points/{w.point.public_id}"), 403)["code"] == "forbidden"
    assert error(get(client, c.city_supervisor, f"/points/{c.city.public_id}"), 404)["code"] == "not_found"
    observers = get(client, c.city_supervisor, "/observers").json()
    assert {o["public_id"] for o in observers["items"]} == {
        str(w.observer.public_id),
        str(Observer.objects.get(user=newcomer).public_id),
    }
    assert error(get(client, c.officer, "/observers"), 403)["code"] == "forbidden"


def test_rules_established_link_the_problems_they_answer(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    hidden = assigned(world.w)
    Problem.objects.filter(pk=hidden.pk).update(organisation=c.commerce)
    body = {
        "title": "审批材料一次性告知制度",
        "organisation": "drc",
        "issued_on": "2026-03-10",
        "problems": [str(problem.public_id)],
        "kind": "rule",
        "document_number": "泉发改〔2026〕12号",
        "url": "https://example.test/rule",
    }
    assert error(post(client, c.enterprise_user, "/outcomes", body), 403)["code"] == "forbidden"
    response = post(
        client, c.officer, "/outcomes", {**body, "problems": [str(problem.public_id), str(hidden.public_id)]}
    )
    assert set(error(response, 400)["fields"]) == {"problems"}
    assert set(
        error(post(client, c.officer, "/outcomes", {**body, "url": "javascript:x"}), 400)["fields"]
    ) == {"url"}
    response = post(client, c.officer, "/outcomes", body)
    assert response.status_code == 201, response.content
    assert response.json()["problems"] == [str(problem.public_id)]
    assert RuleOutcome.objects.count() == 1
    assert ids(get(client, c.city_supervisor, "/outcomes")) == [response.json()["public_id"]]
    assert ids(get(client, c.city_supervisor, "/outcomes", {"kind": "document"})) == []
    assert ids(get(client, c.enterprise_user, "/outcomes")) == []
    detail = get(client, c.officer, f"/problems/{problem.public_id}").json()
    assert detail["rule_outcomes"] == [response.json()["public_id"]]
    # The counts per campaign and per department, as the outcomes page shows them.
    listed = get(client, c.city_supervisor, "/outcomes").json()
    assert [(d["name"], d["outcomes"], d["problems"]) for d in listed["by_department"]] == [
        (c.drc.name, 1, 1)
    ]
    assert [(d["public_id"], d["outcomes"]) for d in listed["by_campaign"]] == [(None, 1)]


def test_the_apis_own_refusals_speak_the_users_language(client, world: ApiWorld):
    problem = assigned(world.w)
    body = {"revision": problem.revision, "text": "x"}
    path = act(problem, "progress")
    english = error(form(client, world.c.supervisor, path, body), 403)
    chinese = error(form(client, world.c.supervisor, path, body, HTTP_ACCEPT_LANGUAGE="zh-hans"), 403)
    assert english["message"] == "Only a department's officers and heads do this."
    assert chinese["message"] == "只有部门的工作人员和负责人可以办理此事项。"


def test_an_action_that_takes_the_problem_out_of_sight_still_answers_it(client, world: ApiWorld):
    c = world.c
    problem = assigned(world.w)
    body = {"revision": problem.revision, "department": "commerce", "deadline_days": 4}
    response = post(client, c.supervisor, act(problem, "assign"), body)
    assert response.status_code == 200, response.content
    assert response.json()["department"] == "commerce"
    assert response.json()["supervising_group"] == "jw-g9"  # the group watching the whole city
    assert error(get(client, c.supervisor, f"/problems/{problem.public_id}"), 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("city_supervisor", "/problems"),
        ("enterprise_user", "/mine"),
        ("officer", "/queue/department"),
        ("city_supervisor", "/queue/group"),
    ],
)
def test_lists_cost_the_same_queries_whatever_their_length(client, world: ApiWorld, who: str, path: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = getattr(world.c, who)
    assigned(world.w)
    complaint(world.w)
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}{path}")
        assert response.status_code == 200, response.content
        assert response.json()["count"] > 0
        return len(queries)

    count()  # the first request after logging in also saves the session
    few = count()
    for _ in range(3):
        assigned(world.w)
        complaint(world.w)
    assert count() == few


def test_a_receipt_holder_answers_the_return_visit_over_the_api(client, world: ApiWorld):
    c = world.c
    problem, receipt = services.problem_report_at_point(
        token=world.w.point.token, title="园区道路积水", description="雨后积水严重。", category="cultural"
    )
    problem = services.problem_assign(
        actor=c.city_supervisor, problem=problem, department=c.drc, deadline_days=5
    )
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已疏通", files=[pdf()])
    services.problem_verify(actor=c.supervisor, problem=problem)
    client.logout()
    path = "/api/v1/ledger/follow/visit"
    body = {"receipt": receipt, "fixed": False, "score": 2}
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400 and "comment" in response.json()["error"]["fields"]
    response = client.post(path, {**body, "comment": "仍有积水"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rectifying"  # not fixed: back to the department
    problem.refresh_from_db()
    assert (problem.reopen_count, problem.satisfaction) == (1, 2)
