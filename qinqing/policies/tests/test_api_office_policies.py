"""GET /api/v1/policies/office/policies: the department's policies in any status, as the
officials' policy page lists them, for officers, heads and supervisors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qinqing.policies.models import Policy, PolicyStatus
from qinqing.policies.services import policy_withdraw
from qinqing.policies.services.cases import case_approve, invitation_confirm

from .factories import make_policy
from .workflow import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/policies/office/policies"
PAGE = "/policies/office/policies/"


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def policies(world: World) -> dict[str, Policy]:
    """The world's published policy (with one approved case), a draft and a withdrawn
    one of the DRC, and a draft of the commerce bureau."""
    city = world.city
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case_approve(actor=world.officer, case=case)  # reserves the award
    draft = make_policy(actor=city.officer, department=city.drc, code="drc-draft", title="外贸出口奖励")
    withdrawn = make_policy(actor=city.officer, department=city.drc, publish=True, code="drc-old")
    withdrawn = policy_withdraw(actor=city.officer, policy=withdrawn, reason="政策到期")
    commerce = make_policy(actor=city.other_officer, department=city.commerce, code="commerce-draft")
    return {"published": world.policy, "draft": draft, "withdrawn": withdrawn, "commerce": commerce}


def _ids(body: dict[str, Any]) -> set[str]:
    return {item["public_id"] for item in body["items"]}


def test_officer_lists_the_department_policies_in_every_status(world, policies):
    response = as_user(world.officer).get(URL)

    assert response.status_code == 200, response.content
    body = response.json()
    drc = {str(policies[k].public_id) for k in ("published", "draft", "withdrawn")}
    assert body["count"] == 3
    assert _ids(body) == drc
    item = next(i for i in body["items"] if i["public_id"] == str(world.policy.public_id))
    assert item["code"] == world.policy.code
    assert item["title"] == "A级旅游景区创建奖励"
    assert item["department"] == "市发改委"
    assert item["department_code"] == "drc"
    assert item["status"] == "published"
    assert item["status_label"]
    assert item["valid_from"] == str(world.policy.valid_from)
    assert item["valid_until"] == str(world.policy.valid_until)
    # Money as decimal strings, in yuan: the first approval reserved the 3A award.
    assert item["budget_total"] == "5000000.00"
    assert item["budget_reserved"] == "600000.00"
    assert item["mode"] == "proactive"
    assert item["version"] == 1
    assert item["published_at"] is not None
    assert item["withdrawn_at"] is None
    assert item["case_count"] == 1
    withdrawn = next(i for i in body["items"] if i["public_id"] == str(policies["withdrawn"].public_id))
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["case_count"] == 0
    draft = next(i for i in body["items"] if i["public_id"] == str(policies["draft"].public_id))
    assert (draft["status"], draft["published_at"], draft["budget_reserved"]) == ("draft", None, "0.00")


def test_the_api_lists_what_the_officials_page_lists(world, policies):
    for user in (world.officer, world.head, world.city.other_officer):
        client = as_user(user)
        page = client.get(PAGE)
        assert page.status_code == 200
        shown = {str(row["policy"].public_id) for row in page.context["rows"]}
        assert _ids(client.get(URL).json()) == shown
    assert _ids(as_user(world.city.other_officer).get(URL).json()) == {str(policies["commerce"].public_id)}


def test_most_recently_changed_first(world, policies):
    Policy.objects.filter(pk=policies["draft"].pk).update(
        updated_at=policies["draft"].updated_at.replace(year=2099)
    )
    body = as_user(world.officer).get(URL).json()
    assert body["items"][0]["public_id"] == str(policies["draft"].public_id)


def test_filters_by_status_and_text(world, policies):
    client = as_user(world.officer)
    for status, key in (("draft", "draft"), ("published", "published"), ("withdrawn", "withdrawn")):
        body = client.get(URL, {"status": status}).json()
        assert _ids(body) == {str(policies[key].public_id)}
        assert body["count"] == 1
    # q: a part of the title or of the code, any case.
    assert _ids(client.get(URL, {"q": "外贸"}).json()) == {str(policies["draft"].public_id)}
    assert _ids(client.get(URL, {"q": "DRC-OLD"}).json()) == {str(policies["withdrawn"].public_id)}
    assert client.get(URL, {"q": "nothing like it"}).json() == {"count": 0, "items": []}
    assert client.get(URL, {"status": "deleted"}).status_code in (400, 422)


def test_pages(world, policies):
    client = as_user(world.officer)
    first = client.get(URL, {"limit": 2}).json()
    second = client.get(URL, {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert _ids(first) | _ids(second) == {
        str(policies[k].public_id) for k in ("published", "draft", "withdrawn")
    }
    assert client.get(URL, {"limit": 101}).status_code in (400, 422)


def test_supervisors_read_the_policies_in_their_reach(world, policies):
    # The first group supervises the DRC; the commission reads the whole city.
    assert _ids(as_user(world.city.supervisor).get(URL).json()) == {
        str(policies[k].public_id) for k in ("published", "draft", "withdrawn")
    }
    assert as_user(world.city.city_supervisor).get(URL).json()["count"] == Policy.objects.count() == 4


@pytest.mark.parametrize("who", ["enterprise_user", "admin", "committee_member"])
def test_others_are_refused_as_on_the_page(world, policies, who):
    client = as_user(getattr(world.city, who))
    assert client.get(PAGE).status_code == 403
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "officials and the supervisors" in response.json()["error"]["message"]


def test_anonymous_is_told_to_log_in(policies):
    response = Client().get(URL)
    assert response.status_code == 401


def test_query_count_does_not_grow_with_the_policies(world, policies, django_assert_max_num_queries):
    client = as_user(world.officer)
    client.get(URL)  # the session and scope warm
    for i in range(5):
        make_policy(actor=world.officer, department=world.city.drc, code=f"more-{i}", budget_total=Decimal(1))
    with django_assert_max_num_queries(8):
        body = client.get(URL).json()
    assert body["count"] == 8
    assert PolicyStatus.DRAFT in {i["status"] for i in body["items"]}
