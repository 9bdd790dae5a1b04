"""My objections (我的异议): someone who objects to an award under notice while signed
in finds their objections listed — the page, its Excel export and `GET
/notices/objections/mine` — with what the follow page shows of each (state, decide-by
date, decision, the department's reply), without the receipt code; theirs alone, never
another's, and never who decided."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.policies.models import Case, Objection, ObjectionStatus, Policy
from qinqing.policies.services.cases import case_approve, invitation_confirm, objection_decide
from qinqing.policies.services.notice_objections import notice_objection_lodge, notice_objections_of
from qinqing.policies.views import notices

from .workflow import World

pytestmark = pytest.mark.django_db

PAGE = "/policies/notices/objection/mine/"
EXPORT = "/policies/notices/objection/mine/export/"
API = "/api/v1/policies/notices/objections/mine"
NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
]
MINE = "该景区尚未取得3A评级。"
THEIRS = "该企业存在欠薪投诉。"
ANONYMOUS = "该景区去年曾被通报。"
REPLY = "经核实，该景区已于今年取得3A评级，异议不成立。"
PHONE = "13800000000"


@pytest.fixture
def noticed(world: World) -> Case:
    Policy.objects.filter(pk=world.policy.pk).update(steps=NOTICE_STEPS)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    return case_approve(actor=world.officer, case=case)


@pytest.fixture
def neighbour(world: World) -> User:
    user: Any = UserFactory(username="neighbour")
    return give_role(user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)


@pytest.fixture
def resident() -> User:
    """Signed in, with no role at all: anyone may object."""
    user: Any = UserFactory(username="resident")
    return user  # type: ignore[no-any-return]


def _signed_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def lodged(world: World, noticed: Case, neighbour: User, resident: User) -> dict[str, Objection]:
    """The neighbour's two objections (one decided), the resident's one, an anonymous one."""
    first, _code = notice_objection_lodge(actor=neighbour, case=noticed, text=MINE)
    second, _code = notice_objection_lodge(actor=neighbour, case=noticed, text="第二条异议理由。")
    objection_decide(actor=world.officer_b, objection=first, uphold=False, reply=REPLY)
    theirs, _code = notice_objection_lodge(actor=resident, case=noticed, text=THEIRS)
    anonymous, _code = notice_objection_lodge(actor=None, case=noticed, text=ANONYMOUS, contact=PHONE)
    return {"first": first, "second": second, "theirs": theirs, "anonymous": anonymous}


# --- The link --------------------------------------------------------------------------------


def test_an_objection_lodged_signed_in_is_linked_to_its_objector_and_an_anonymous_one_to_no_one(
    lodged: dict[str, Objection], neighbour: User
) -> None:
    assert Objection.objects.get(pk=lodged["first"].pk).lodged_by == neighbour
    assert Objection.objects.get(pk=lodged["anonymous"].pk).lodged_by is None
    assert list(notice_objections_of(neighbour)) == [lodged["second"], lodged["first"]]


# --- The page --------------------------------------------------------------------------------


def test_my_objections_lists_mine_newest_first_with_what_the_follow_page_shows(
    world: World, noticed: Case, lodged: dict[str, Objection], neighbour: User
) -> None:
    response = _signed_in(neighbour).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    first, second = lodged["first"], lodged["second"]
    # Both of mine, the newest first
    assert html.index(f'data-testid="objection-{second.public_id}"') < html.index(
        f'data-testid="objection-{first.public_id}"'
    )
    assert MINE in html and "第二条异议理由。" in html
    assert f">{noticed.reference}<" in html and noticed.enterprise.name in html
    # The open one: its state and the day it is to be decided by
    assert second.due_date is not None and second.due_date.isoformat() in html
    # The decided one: the decision and the reply as written for the public
    assert "Dismissed: the award stands." in html
    assert REPLY in html
    assert html.count('data-testid="objection-status">Open<') == 1
    assert html.count('data-testid="objection-status">Dismissed<') == 1
    # Nobody else's, and no official named
    assert THEIRS not in html and ANONYMOUS not in html and PHONE not in html
    for official in (world.officer_b, world.officer, world.head):
        assert f">{official}<" not in html
    assert 'data-testid="my-objections-export"' in html


def test_one_user_never_sees_another_users_objections(
    lodged: dict[str, Objection], resident: User, world: World
) -> None:
    html = _signed_in(resident).get(PAGE).content.decode()
    assert THEIRS in html
    assert MINE not in html and "第二条异议理由。" not in html and ANONYMOUS not in html
    assert f"objection-{lodged['first'].public_id}" not in html
    # Someone who objected to nothing sees an empty list
    html = _signed_in(world.officer).get(PAGE).content.decode()
    assert 'data-testid="no-objections"' in html
    assert 'data-testid="my-objections-export"' not in html


def test_my_objections_asks_a_visitor_to_sign_in(lodged: dict[str, Objection]) -> None:
    for url in (PAGE, EXPORT):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_my_objections_speaks_chinese_by_default(lodged: dict[str, Objection], neighbour: User) -> None:
    client = Client()
    client.force_login(neighbour)
    html = client.get(PAGE).content.decode()
    assert "我的异议" in html
    assert "异议不成立" in html


def test_my_objections_is_paginated(
    monkeypatch: Any, lodged: dict[str, Objection], neighbour: User, noticed: Case
) -> None:
    monkeypatch.setattr(notices, "PAGE_SIZE", 1)
    client = _signed_in(neighbour)
    one = client.get(PAGE).content.decode()
    two = client.get(PAGE, {"page": 2}).content.decode()
    assert (
        f"objection-{lodged['second'].public_id}" in one
        and f"objection-{lodged['first'].public_id}" not in one
    )
    assert (
        f"objection-{lodged['first'].public_id}" in two
        and f"objection-{lodged['second'].public_id}" not in two
    )
    assert "?page=2" in one


def test_my_objections_reads_in_a_fixed_number_of_queries(
    django_assert_num_queries: Any, world: World, noticed: Case, neighbour: User
) -> None:
    client = _signed_in(neighbour)
    client.get(PAGE)  # the first request of a session writes it
    for n in (1, 6):
        while Objection.objects.filter(lodged_by=neighbour).count() < n:
            notice_objection_lodge(actor=neighbour, case=noticed, text="理由")
        # The session, the user, the count, the page of objections with their cases,
        # the user's roles and unread messages (the navigation): however many rows
        with django_assert_num_queries(6):
            assert client.get(PAGE).status_code == 200


# --- Excel -----------------------------------------------------------------------------------


def test_my_objections_export_to_excel_mine_only(lodged: dict[str, Objection], neighbour: User) -> None:
    response = _signed_in(neighbour).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-objections-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Case number", "Enterprise", "Policy")
    body = rows[1:]
    assert len(body) == 2
    grounds = {row[6] for row in body}
    assert grounds == {MINE, "第二条异议理由。"}
    decided = next(row for row in body if row[6] == MINE)
    assert decided[7] == "Dismissed" and decided[10] == REPLY and decided[8] is None
    still_open = next(row for row in body if row[6] != MINE)
    assert still_open[7] == "Open" and still_open[8] is not None and still_open[10] is None
    assert THEIRS not in json.dumps(rows, default=str)


def test_the_export_is_in_chinese_by_default(lodged: dict[str, Objection], neighbour: User) -> None:
    client = Client()
    client.force_login(neighbour)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(EXPORT).content)).active
    assert sheet is not None and sheet.title == "我的异议"
    assert next(sheet.iter_rows(values_only=True))[0] == "办件编号"


# --- Over JSON -------------------------------------------------------------------------------


def test_the_api_lists_my_objections_only(
    lodged: dict[str, Objection], neighbour: User, resident: User
) -> None:
    body = _signed_in(neighbour).get(API).json()
    assert body["count"] == 2
    first, second = lodged["first"], lodged["second"]
    assert [item["public_id"] for item in body["items"]] == [str(second.public_id), str(first.public_id)]
    decided = body["items"][1]
    assert (decided["status"], decided["reply"], decided["due_date"]) == (
        ObjectionStatus.DISMISSED,
        REPLY,
        None,
    )
    assert decided["decided_at"] is not None and decided["text"] == MINE
    still_open = body["items"][0]
    assert still_open["status"] == ObjectionStatus.OPEN and still_open["due_date"] is not None
    assert still_open["reply"] == "" and still_open["decided_at"] is None
    # Nothing that names who decided or how to reach anyone
    assert set(still_open) == {
        "public_id",
        "case_reference",
        "policy_title",
        "department",
        "enterprise_name",
        "award",
        "lodged_at",
        "text",
        "status",
        "status_label",
        "due_date",
        "decided_at",
        "reply",
    }
    # Another user gets their own, and pages work
    theirs = _signed_in(resident).get(API).json()
    assert [item["text"] for item in theirs["items"]] == [THEIRS]
    paged = _signed_in(neighbour).get(API, {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 2 and [i["public_id"] for i in paged["items"]] == [str(first.public_id)]


def test_the_api_wants_a_signed_in_user(lodged: dict[str, Objection]) -> None:
    response = Client().get(API)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_api_takes_a_token_and_speaks_the_language_asked_for(
    lodged: dict[str, Objection], neighbour: User
) -> None:
    from qinqing.accounts.services import api_token_create

    _token, key = api_token_create(actor=neighbour, user=neighbour, name="mine")
    body = Client().get(API, headers={"Authorization": f"Bearer {key}", "Accept-Language": "zh-hans"}).json()
    with translation.override("zh-hans"):
        labels = {str(ObjectionStatus.OPEN.label), str(ObjectionStatus.DISMISSED.label)}
    assert labels.isdisjoint({"Open", "Dismissed"})
    assert {item["status_label"] for item in body["items"]} == labels


# --- Where it is found -----------------------------------------------------------------------


def test_the_pages_an_objector_looks_at_link_to_my_objections(
    world: World, noticed: Case, neighbour: User
) -> None:
    client = _signed_in(neighbour)
    for url in ("/policies/notices/", "/policies/notices/objection/follow/", "/policies/mine/"):
        html = client.get(url).content.decode()
        assert 'data-testid="my-objections-link"' in html, url
        assert PAGE in html, url
    # And the receipt page after an objection
    notice_html = client.get("/policies/notices/").content.decode()
    key = re.search(rf'name="n-{noticed.public_id}-form_key" value="([^"]+)"', notice_html)
    assert key is not None
    prefix = f"n-{noticed.public_id}"
    sent = client.post(
        f"/policies/notices/{noticed.public_id}/objection/",
        {f"{prefix}-text": MINE, f"{prefix}-contact": "", f"{prefix}-form_key": key.group(1)},
    )
    assert sent.status_code == 303
    assert PAGE in client.get(sent["Location"]).content.decode()
    # A visitor is not offered the list
    visitor = Client().get("/policies/notices/").content.decode()
    assert 'data-testid="my-objections-link"' not in visitor
