"""GET /api/v1/policies/mine/invitations/{id}: one invitation with the policy and why the
enterprise qualifies, condition by condition, as the invitation page shows it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.policies.models import Invitation, Policy
from qinqing.policies.services.cases import invitation_confirm

from .rules_examples import CLAUSE_3A
from .workflow import World

pytestmark = pytest.mark.django_db

BASE = "/api/v1/policies/mine/invitations"


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(invitation: Invitation) -> str:
    return f"{BASE}/{invitation.public_id}"


def _page(invitation: Invitation) -> str:
    return f"/policies/invitations/{invitation.public_id}/"


def test_the_invitation_with_the_policy_and_the_explanation(world: World):
    invitation = world.invite()

    response = as_user(world.spot_user).get(_url(invitation))

    assert response.status_code == 200, response.content
    body = response.json()
    # The fields of the list, unchanged.
    listed = as_user(world.spot_user).get(BASE).json()["items"][0]
    assert {k: body[k] for k in listed} == listed
    assert body["public_id"] == str(invitation.public_id)
    assert body["status"] == "open"
    assert body["award"] == "600000.00"
    # The policy.
    policy = body["policy_summary"]
    assert policy["public_id"] == str(world.policy.public_id)
    assert policy["code"] == world.policy.code
    assert policy["department"] == "市发改委"
    assert policy["basis_number"] == "泉政文〔2023〕15号"
    assert policy["mode"] == "proactive"
    assert policy["valid_until"] == str(world.policy.valid_until)
    assert len(policy["award_lines"]) == 3
    # Why: each condition with the enterprise's value, held or not, and its clause.
    explanation = body["explanation"]
    assert explanation["eligible"] is True
    assert explanation["award"] == "600000.00"
    assert explanation["version"] == 1
    conditions = [c for c in explanation["conditions"] if c["kind"] == "condition"]
    assert [c["subject"] for c in conditions] == ["status", "region_code", "scenic_grade"]
    grade = conditions[2]
    assert grade["held"] is True
    assert grade["actual"] == "3A"
    assert grade["expected"] == ["3A", "4A", "5A"]
    assert grade["clause"] == {**CLAUSE_3A, "url": ""}
    assert all(c["text"] for c in explanation["conditions"])
    # Not confirmed yet: no case.
    assert body["case"] is None
    assert body["case_reference"] is None


def test_a_condition_no_longer_held_is_shown_as_the_page_shows_it(world: World):
    invitation = world.invite()
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").update(value="2A")

    body = as_user(world.spot_user).get(_url(invitation)).json()

    assert body["explanation"]["eligible"] is False
    grade = next(c for c in body["explanation"]["conditions"] if c.get("subject") == "scenic_grade")
    assert (grade["held"], grade["actual"]) == (False, "2A")
    page = as_user(world.spot_user).get(_page(invitation))
    assert page.context["eligible_now"] is False
    assert [r["held"] for r in page.context["rows"]] == [c["held"] for c in body["explanation"]["conditions"]]


def test_award_now_is_what_confirming_grants_today(world: World):
    invitation = world.invite()
    client = as_user(world.spot_user)
    assert client.get(_url(invitation)).json()["award_now"] == "600000.00"
    # The registry rates the spot 5A and the policy caps one enterprise at 1,000,000:
    # the invitation keeps its award until the daily pass, `award_now` is today's.
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").update(value="5A")
    Policy.objects.filter(pk=world.policy.pk).update(cap_per_enterprise=Decimal("1000000.00"))
    body = client.get(_url(invitation)).json()
    assert (body["award"], body["award_now"]) == ("600000.00", "1000000.00")
    page = client.get(_page(invitation), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On today's registry data: 1,000,000" in page
    invitation.refresh_from_db()
    assert invitation_confirm(actor=world.spot_user, invitation=invitation).award == Decimal("1000000.00")


def test_award_now_is_null_once_the_enterprise_no_longer_qualifies(world: World):
    invitation = world.invite()
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").update(value="2A")

    assert as_user(world.spot_user).get(_url(invitation)).json()["award_now"] is None


def test_once_confirmed_it_names_its_case(world: World):
    invitation = world.invite()
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)

    body = as_user(world.spot_user).get(_url(invitation)).json()

    assert body["status"] == "confirmed"
    assert body["answered_at"] is not None
    assert body["case"] == str(case.public_id)
    assert body["case_reference"] == case.reference


def test_another_enterprise_gets_404_as_on_the_page(world: World):
    invitation = world.invite()
    stranger = give_role(
        UserFactory(username="stranger"), Role.ENTERPRISE, enterprise=world.city.other_enterprise
    )
    client = as_user(stranger)

    assert client.get(_page(invitation)).status_code == 404
    response = client.get(_url(invitation))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_invitation_is_404(world: World):
    response = as_user(world.spot_user).get(f"{BASE}/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["officer", "supervisor", "admin"])
def test_officials_are_refused_as_on_the_page(world: World, who: str):
    invitation = world.invite()
    client = as_user(getattr(world.city, who))
    assert client.get(_page(invitation)).status_code == 403
    assert client.get(_url(invitation)).status_code == 403


def test_anonymous_is_told_to_log_in(world: World):
    assert Client().get(_url(world.invite())).status_code == 401
