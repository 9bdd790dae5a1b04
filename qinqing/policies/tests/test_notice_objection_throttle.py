"""Looking objections up by receipt code, and objecting without an account, are
throttled per client address (common/throttle.py): past the limit the follow page, the
notice's form and their JSON endpoints answer 429 with Retry-After and a message in the
user's language, keep what was typed, lodge nothing and lose nothing already lodged.
Signed-in objectors are not throttled."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.accounts.services import api_token_create
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.common.models import ThrottleCount
from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP
from qinqing.policies.models import Case, Objection, Policy
from qinqing.policies.services.cases import case_approve, invitation_confirm
from qinqing.policies.services.notice_objections import notice_objection_lodge

from .workflow import World

pytestmark = pytest.mark.django_db

FOLLOW = "/policies/notices/objection/follow/"
API = "/api/v1/policies"
NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
]
GROUNDS = "该景区尚未取得3A评级。"
PHONE = "13800000000"
ZH_MESSAGE = re.compile(r"您所在地址在短时间内的请求过多，请在 \d+ 分钟后再试。")
EN_MESSAGE = re.compile(
    r"Too many requests from your address in a short time\. Please try again in \d+ minutes?\."
)


@pytest.fixture(autouse=True)
def limits(settings: Any) -> None:
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (2, 600), ANONYMOUS_SUBMIT: (1, 3600)}


@pytest.fixture
def noticed(world: World) -> Case:
    Policy.objects.filter(pk=world.policy.pk).update(steps=NOTICE_STEPS)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    return case_approve(actor=world.officer, case=case)


@pytest.fixture
def neighbour(world: World) -> User:
    user: Any = UserFactory(username="neighbour")
    return give_role(user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)


def _retry_after(response: Any) -> int:
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 3600
    return seconds


def _post_json(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


# --- Following by receipt code ---------------------------------------------------------------


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ZH_MESSAGE), ("en", EN_MESSAGE)])
def test_the_follow_page_refuses_lookups_past_the_limit_and_keeps_the_code(
    noticed: Case, language: str, message: re.Pattern[str]
) -> None:
    objection, code = notice_objection_lodge(actor=None, case=noticed, text=GROUNDS, contact=PHONE)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    # Showing the empty form counts nothing
    for _ in range(3):
        assert client.get(FOLLOW).status_code == 200
    # Two lookups are answered (a wrong code, then the right one)
    assert client.post(FOLLOW, {"receipt": "0000000000000000"}).status_code == 404
    assert client.post(FOLLOW, {"receipt": code}).status_code == 200
    # When the third comes, even with the right code
    refused = client.post(FOLLOW, {"receipt": code})
    # Then it is refused with 429, when to try again, and the code typed kept in the form
    assert refused.status_code == 429
    _retry_after(refused)
    html = refused.content.decode()
    assert message.search(html)
    assert 'data-testid="follow-error"' in html
    assert f'value="{code}"' in html
    assert 'data-testid="found"' not in html
    # And nothing already lodged is touched
    assert Objection.objects.get() == objection


def test_other_addresses_still_look_up(noticed: Case) -> None:
    _objection, code = notice_objection_lodge(actor=None, case=noticed, text=GROUNDS, contact=PHONE)
    for _ in range(3):
        Client().post(FOLLOW, {"receipt": code})
    assert Client(REMOTE_ADDR="198.51.100.20").post(FOLLOW, {"receipt": code}).status_code == 200


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ZH_MESSAGE), ("en", EN_MESSAGE)])
def test_the_follow_api_refuses_past_the_limit_with_retry_after(
    noticed: Case, language: str, message: re.Pattern[str]
) -> None:
    _objection, code = notice_objection_lodge(actor=None, case=noticed, text=GROUNDS, contact=PHONE)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    url = f"{API}/notices/objections/follow"
    assert _post_json(client, url, {"receipt": code}).status_code == 200
    assert _post_json(client, url, {"receipt": "123"}).status_code == 400
    refused = _post_json(client, url, {"receipt": code})
    assert refused.status_code == 429
    seconds = _retry_after(refused)
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert message.fullmatch(error["message"])
    assert error["extra"] == {"retry_after": seconds}
    # The page and the API count together: the same lookups from the same address
    assert Client(HTTP_ACCEPT_LANGUAGE=language).post(FOLLOW, {"receipt": code}).status_code == 429


# --- Objecting without an account ------------------------------------------------------------


def _form_key(client: Client, case: Case) -> str:
    html = client.get("/policies/notices/").content.decode()
    found = re.search(rf'name="n-{case.public_id}-form_key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _object(client: Client, case: Case, *, text: str, contact: str = PHONE) -> Any:
    prefix = f"n-{case.public_id}"
    return client.post(
        f"/policies/notices/{case.public_id}/objection/",
        {f"{prefix}-text": text, f"{prefix}-contact": contact, f"{prefix}-form_key": _form_key(client, case)},
    )


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ZH_MESSAGE), ("en", EN_MESSAGE)])
def test_an_anonymous_objection_past_the_limit_is_refused_with_what_was_typed(
    noticed: Case, language: str, message: re.Pattern[str]
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert _object(client, noticed, text=GROUNDS).status_code == 303
    # When the same visitor objects again within the hour
    refused = _object(client, noticed, text="另一条异议理由。")
    # Then nothing is lodged, the page says when to try again and keeps the grounds
    assert refused.status_code == 429
    _retry_after(refused)
    html = refused.content.decode()
    assert message.search(html)
    assert 'data-testid="notice-error"' in html
    assert "另一条异议理由。" in html
    assert list(Objection.objects.values_list("text", flat=True)) == [GROUNDS]


def test_a_signed_in_objector_is_not_throttled(noticed: Case, neighbour: User) -> None:
    client = Client()
    client.force_login(neighbour)
    for n in range(3):
        assert _object(client, noticed, text=f"理由 {n}", contact="").status_code == 303
    assert Objection.objects.filter(lodged_by=neighbour).count() == 3
    assert not ThrottleCount.objects.filter(scope=ANONYMOUS_SUBMIT).exists()


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ZH_MESSAGE), ("en", EN_MESSAGE)])
def test_the_objection_api_throttles_anonymous_callers_only(
    noticed: Case, neighbour: User, language: str, message: re.Pattern[str]
) -> None:
    url = f"{API}/notices/{noticed.public_id}/objections"
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert _post_json(client, url, {"text": GROUNDS, "contact": PHONE}).status_code == 201
    refused = _post_json(client, url, {"text": "另一条", "contact": PHONE})
    assert refused.status_code == 429
    _retry_after(refused)
    assert refused.json()["error"]["code"] == "throttled"
    assert message.fullmatch(refused.json()["error"]["message"])
    assert Objection.objects.count() == 1
    # An API client with its user's token, from the same address, is not throttled
    _token, key = api_token_create(actor=neighbour, user=neighbour, name="objections")
    for n in range(2):
        sent = _post_json(client, url, {"text": f"理由 {n}"}, Authorization=f"Bearer {key}")
        assert sent.status_code == 201
    assert Objection.objects.filter(lodged_by=neighbour).count() == 2
    # And a token that does not authenticate is refused, not taken for anonymous
    forged = _post_json(client, url, {"text": "x", "contact": PHONE}, Authorization="Bearer qq_forged")
    assert forged.status_code == 401
    assert Objection.objects.count() == 3
