"""Objections to an award under public notice come with a receipt code: shown once on
the page after (Post/Redirect/Get, sent once), and the follow page (and the API) shows
with it the objection's state and, once decided, the decision and the department's
reply, never who decided nor the objector's contact."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.test import Client

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.policies.models import Case, Objection, ObjectionKind, ObjectionStatus, Policy
from qinqing.policies.services.cases import (
    case_approve,
    invitation_confirm,
    objection_decide,
    objection_lodge,
)
from qinqing.policies.services.notice_objections import notice_objection_lodge

from .workflow import World

pytestmark = pytest.mark.django_db

API = "/api/v1/policies"
FOLLOW = "/policies/notices/objection/follow/"
RECEIPT = "/policies/notices/objection/receipt/"
NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
]
GROUNDS = "该景区尚未取得3A评级。"
PHONE = "13800000000"
REPLY = "经核实，该景区已于今年取得3A评级，异议不成立。"


@pytest.fixture
def noticed(world: World) -> Case:
    Policy.objects.filter(pk=world.policy.pk).update(steps=NOTICE_STEPS)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    return case_approve(actor=world.officer, case=case)


def _form_key(client: Client, case: Case) -> str:
    """The signed one-time key the notice page puts in the case's objection form."""
    html = client.get("/policies/notices/").content.decode()
    found = re.search(rf'name="n-{case.public_id}-form_key" value="([^"]+)"', html)
    assert found is not None, "the objection form carries no key"
    return found.group(1)


def _object(client: Client, case: Case, key: str, *, text: str = GROUNDS, contact: str = PHONE) -> Any:
    prefix = f"n-{case.public_id}"
    return client.post(
        f"/policies/notices/{case.public_id}/objection/",
        {f"{prefix}-text": text, f"{prefix}-contact": contact, f"{prefix}-form_key": key},
    )


def _shown_receipt(client: Client) -> str:
    html = client.get(RECEIPT).content.decode()
    found = re.search(r'data-testid="receipt">([\d ]+)<', html)
    assert found is not None, html
    return found.group(1).replace(" ", "")


def _follow(client: Client, code: str) -> Any:
    return client.post(FOLLOW, {"receipt": code}, HTTP_ACCEPT_LANGUAGE="en")


# --- The receipt ------------------------------------------------------------------------------


def test_an_anonymous_objector_is_shown_a_receipt_code_after_the_objection(noticed: Case) -> None:
    # Given a visitor, not logged in, on the award notices
    client = Client()
    key = _form_key(client, noticed)
    # When they object, with a way to reach them
    response = _object(client, noticed, key)
    # Then the answer is a redirect to the receipt page (Post/Redirect/Get)
    assert response.status_code == 303
    assert response["Location"] == RECEIPT
    # And the page shows a 16-digit code, of which only the hash is kept
    code = _shown_receipt(client)
    assert re.fullmatch(r"\d{16}", code)
    objection = Objection.objects.get()
    assert objection.kind == ObjectionKind.NOTICE
    assert objection.receipt_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in json.dumps(list(Objection.objects.values()), default=str)
    # And reloading the page shows it again and lodges nothing
    assert _shown_receipt(client) == code
    assert Objection.objects.count() == 1


def test_the_receipt_is_shown_only_in_the_browser_that_objected(noticed: Case) -> None:
    client = Client()
    _object(client, noticed, _form_key(client, noticed))
    html = Client().get(RECEIPT).content.decode()
    assert 'data-testid="receipt-gone"' in html
    assert 'data-testid="receipt"' not in html


def test_a_signed_in_objector_gets_a_receipt_too(world: World, noticed: Case) -> None:
    neighbour: Any = UserFactory(username="neighbour")
    user = give_role(neighbour, Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    client = Client()
    client.force_login(user)
    response = _object(client, noticed, _form_key(client, noticed), contact="")
    assert response.status_code == 303
    code = _shown_receipt(client)
    objection = Objection.objects.get()
    assert objection.lodged_by == user
    assert objection.receipt_hash == hashlib.sha256(code.encode()).hexdigest()


def test_the_same_form_sent_twice_lodges_one_objection_with_one_receipt(noticed: Case) -> None:
    # Given a visitor who sent the objection and read the receipt
    client = Client()
    key = _form_key(client, noticed)
    assert _object(client, noticed, key).status_code == 303
    first = _shown_receipt(client)
    # When the same form is sent again (the back button, a double click)
    again = _object(client, noticed, key)
    # Then it answers the same objection and the same receipt code
    assert again.status_code == 303
    assert _shown_receipt(client) == first
    assert Objection.objects.count() == 1


def test_a_form_sent_again_with_other_grounds_is_refused_and_can_be_sent_anew(noticed: Case) -> None:
    client = Client()
    key = _form_key(client, noticed)
    _object(client, noticed, key)
    response = _object(client, noticed, key, text="另一条理由")
    assert response.status_code == 409
    html = response.content.decode()
    assert "另一条理由" in html  # what was typed is kept
    assert Objection.objects.count() == 1
    fresh = re.search(rf'name="n-{noticed.public_id}-form_key" value="([^"]+)"', html)
    assert fresh is not None and fresh.group(1) != key
    assert _object(client, noticed, fresh.group(1), text="另一条理由").status_code == 303
    assert Objection.objects.count() == 2


def test_a_forged_form_key_is_refused(noticed: Case) -> None:
    response = _object(Client(), noticed, "forged-key-0123456789")
    assert response.status_code == 400
    assert not Objection.objects.exists()


# --- Following ------------------------------------------------------------------------------


def _lodged(noticed: Case) -> tuple[Objection, str]:
    return notice_objection_lodge(actor=None, case=noticed, text=GROUNDS, contact=PHONE)


def test_the_follow_page_shows_an_open_objection_by_its_code(noticed: Case) -> None:
    objection, code = _lodged(noticed)
    assert Client().get(FOLLOW).status_code == 200
    response = _follow(Client(), " ".join(code[i : i + 4] for i in range(0, 16, 4)))
    assert response.status_code == 200
    html = response.content.decode()
    assert noticed.reference in html
    assert GROUNDS in html
    assert 'data-testid="objection-status">Open<' in html
    assert objection.due_date is not None and objection.due_date.isoformat() in html
    assert 'data-testid="objection-reply"' not in html


def test_a_decided_objection_shows_the_decision_and_reply_without_officials_or_contact(
    world: World, noticed: Case
) -> None:
    # Given an objection the department dismissed, with a reply for the public
    objection, code = _lodged(noticed)
    for official, name in ((world.officer_b, "王审核"), (world.officer, "张经办"), (world.head, "李局长")):
        official.display_name = name
        official.save(update_fields=["display_name"])
    decider = world.officer_b
    objection_decide(actor=decider, objection=objection, uphold=False, reply=REPLY)
    # When the objector looks it up by the code
    html = _follow(Client(), code).content.decode()
    # Then the page says it was dismissed, with the reply as written
    assert 'data-testid="objection-status">Dismissed<' in html
    assert "Dismissed: the award stands." in html
    assert REPLY in html
    # And names no official (who decided, who answered for it) and not the contact
    assert objection.assignee in (world.head, world.officer_b)
    assert decider.username not in html
    for name in ("王审核", "张经办", "李局长"):
        assert name not in html
    assert PHONE not in html


def test_an_upheld_objection_says_the_award_was_rejected(world: World, noticed: Case) -> None:
    objection, code = _lodged(noticed)
    objection_decide(actor=world.officer_b, objection=objection, uphold=True, reply="该景区评级证书已过期。")
    html = _follow(Client(), code).content.decode()
    assert "Upheld: the department rejected the award." in html
    assert "该景区评级证书已过期。" in html


def test_a_wrong_code_gets_the_same_answer_as_an_unknown_one(noticed: Case) -> None:
    _objection, code = _lodged(noticed)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)  # one digit off a real code
    unknown = "0000000000000000"
    answers = [_follow(Client(), c) for c in (wrong, unknown)]
    assert [a.status_code for a in answers] == [404, 404]
    bodies = [a.content.decode() for a in answers]
    assert "No objection has this receipt code. Check the 16 digits." in bodies[0]
    # The same answer whatever the code
    said = [re.findall(r'data-testid="error-receipt">([^<]*)<', body) for body in bodies]
    assert said[0] == said[1] == ["No objection has this receipt code. Check the 16 digits."]


def test_a_code_of_the_wrong_shape_is_said_so(noticed: Case) -> None:
    response = _follow(Client(), "12345")
    assert response.status_code == 400
    assert "A receipt code has 16 digits." in response.content.decode()


def test_the_notice_form_never_lodges_an_objection_to_a_rejection(world: World, noticed: Case) -> None:
    # Given a notice the enterprise's user read, and the case rejected meanwhile
    from qinqing.common.errors import InvalidTransition

    Case.objects.filter(pk=noticed.pk).update(status="rejected")
    # When that user objects through the notice, then it is refused: an objection to a
    # rejection is the enterprise's own, lodged on its case page
    with pytest.raises(InvalidTransition):
        notice_objection_lodge(actor=world.spot_user, case=noticed, text=GROUNDS)
    assert not Objection.objects.exists()
    # Whereas on the case page it is an appeal, which keeps no receipt
    objection_lodge(actor=world.spot_user, case=noticed, text=GROUNDS)
    assert Objection.objects.get().kind == ObjectionKind.APPEAL


# --- Over JSON ------------------------------------------------------------------------------


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_api_answers_a_receipt_and_a_retry_gets_the_same(noticed: Case) -> None:
    url = f"{API}/notices/{noticed.public_id}/objections"
    body = {"text": GROUNDS, "contact": PHONE}
    key = "6f1c1a56-2b47-4f5e-9a1e-8c0d1b2e3f40"
    first = _post(Client(), url, body, **{"Idempotency-Key": key})
    assert first.status_code == 201
    receipt = first.json()["receipt"]
    assert re.fullmatch(r"\d{16}", receipt)
    again = _post(Client(), url, body, **{"Idempotency-Key": key})
    assert again.status_code == 201
    assert (again.json()["public_id"], again.json()["receipt"]) == (first.json()["public_id"], receipt)
    assert Objection.objects.count() == 1
    other = _post(Client(), url, {**body, "text": "另一条"}, **{"Idempotency-Key": key})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "objection_key_reused"
    # Without a key each call lodges one, each with its own code
    third = _post(Client(), url, body)
    assert third.status_code == 201 and third.json()["receipt"] != receipt
    assert Objection.objects.count() == 2


def test_the_api_follows_an_objection_by_its_receipt(world: World, noticed: Case) -> None:
    created = _post(
        Client(), f"{API}/notices/{noticed.public_id}/objections", {"text": GROUNDS, "contact": PHONE}
    )
    receipt = created.json()["receipt"]
    url = f"{API}/notices/objections/follow"
    open_one = _post(Client(), url, {"receipt": receipt})
    assert open_one.status_code == 200
    assert (open_one.json()["status"], open_one.json()["reply"], open_one.json()["decided_at"]) == (
        ObjectionStatus.OPEN,
        "",
        None,
    )
    assert open_one.json()["due_date"] is not None
    objection_decide(actor=world.officer_b, objection=Objection.objects.get(), uphold=False, reply=REPLY)
    decided = _post(Client(), url, {"receipt": receipt})
    body = decided.json()
    assert (body["status"], body["reply"], body["case_reference"]) == (
        ObjectionStatus.DISMISSED,
        REPLY,
        noticed.reference,
    )
    assert body["decided_at"] is not None and body["due_date"] is None
    text = decided.content.decode()
    assert world.officer_b.username not in text and str(world.officer_b) not in text and PHONE not in text
    # A code that follows nothing is 404, one of the wrong shape 400
    assert _post(Client(), url, {"receipt": "0000000000000000"}).status_code == 404
    assert _post(Client(), url, {"receipt": "123"}).status_code == 400
