"""The two busiest pages, the officer's work queue and the enterprise's "my cases": what
they read (a step's copied organisation, the department's subtree) and how many queries
they take, pinned so that a change that adds one is seen (see docs/benchmarks.md, "Pages
under load")."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import Case, CaseStatus, CaseStep, Invitation
from qinqing.policies.services.cases import case_approve, invitation_confirm
from qinqing.policies.services.matching import policy_match

from .factories import make_policy
from .workflow import THREE_STEPS, World, scenic_spot

pytestmark = pytest.mark.django_db

QUEUE = "/policies/office/queue/"
MINE = "/policies/mine/"


def _confirmed(world: World) -> Case:
    return invitation_confirm(actor=world.spot_user, invitation=world.invite())


def _spot_case(world: World, name: str) -> Case:
    enterprise = scenic_spot(cast(Enterprise, EnterpriseFactory(region=world.city.district, name=name)))
    user = give_role(cast(User, UserFactory()), Role.ENTERPRISE, enterprise=enterprise)
    world.invite()
    return invitation_confirm(actor=user, invitation=enterprise.invitations.get(policy=world.policy))


def _district_case(world: World) -> tuple[Case, User]:
    """A case under a policy of the district's market regulator (a department below the
    district), and an officer of the district itself."""
    district_officer = give_role(
        cast(User, UserFactory(username="district-officer")), Role.OFFICER, organisation=world.city.district
    )
    policy = make_policy(
        actor=district_officer,
        department=world.city.district_dept,
        publish=True,
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
        budget_total=Decimal("5000000"),
    )
    policy_match(actor=district_officer, policy=policy)
    invitation = Invitation.objects.get(policy=policy, enterprise=world.spot)
    return invitation_confirm(actor=world.spot_user, invitation=invitation), district_officer


# --- The step's organisation -----------------------------------------------------------------


def test_a_started_step_carries_its_case_organisation(world):
    case = _confirmed(world)
    case_approve(actor=world.officer, case=case)
    steps = list(CaseStep.objects.filter(case=case).order_by("position"))
    assert [s.key for s in steps] == ["accept", "recheck"]
    assert {s.organisation_id for s in steps} == {world.city.drc.pk}


# --- The work queue --------------------------------------------------------------------------


def test_queue_reaches_the_departments_below_the_officers_node(client, world):
    case, district_officer = _district_case(world)
    assert case.steps.get().organisation_id == world.city.district_dept.pk
    client.force_login(district_officer)
    assert case.reference in client.get(QUEUE).content.decode()
    for outsider in (world.officer, world.city.other_officer):
        client.force_login(outsider)
        assert case.reference not in client.get(QUEUE).content.decode()


def test_queue_leaves_out_returned_cases_and_the_step_of_another_role(client, world):
    waiting, returned = _confirmed(world), _spot_case(world, "景区乙")
    Case.objects.filter(pk=returned.pk).update(status=CaseStatus.RETURNED)
    client.force_login(world.officer)
    html = client.get(QUEUE).content.decode()
    assert waiting.reference in html
    assert returned.reference not in html
    client.force_login(world.head)  # the open steps are the officers' "accept"
    assert waiting.reference not in client.get(QUEUE).content.decode()


def test_queue_query_count_is_pinned(client, world, django_assert_num_queries):
    _confirmed(world)
    client.force_login(world.officer)
    client.get(QUEUE)  # warm the per-process caches (calendar, content types)
    # Session, user, role assignments (with their organisations and the subtrees'
    # organisations, in one statement), the warning rung, the count, the page, the
    # filter's policies, the unread count.
    with django_assert_num_queries(8):
        assert client.get(QUEUE).content.decode().count('data-testid="queue-row"') == 1
    for n in range(4):
        _spot_case(world, f"景区{n}")
    client.get(QUEUE)  # the calendar re-reads its revision every few seconds: warm it again
    with django_assert_num_queries(8):
        assert client.get(QUEUE).content.decode().count('data-testid="queue-row"') == 5


# --- My cases --------------------------------------------------------------------------------


def _many_cases(world: World, n: int) -> list[Case]:
    """n cases of the world's enterprise, under n policies of the same department."""
    cases = []
    for _ in range(n):
        policy = make_policy(
            actor=world.officer,
            department=world.city.drc,
            publish=True,
            steps=THREE_STEPS,
            valid_until=timezone.localdate().replace(month=12, day=31),
        )
        policy_match(actor=world.officer, policy=policy)
        invitation = Invitation.objects.get(policy=policy, enterprise=world.spot)
        cases.append(invitation_confirm(actor=world.spot_user, invitation=invitation))
    return cases


def test_my_cases_pages_with_the_totals_of_the_whole_list(client, world, django_assert_num_queries):
    cases = _many_cases(world, 22)  # two pages of 20
    oldest = min(cases, key=lambda c: (c.submitted_at, c.pk))
    Case.objects.filter(pk=oldest.pk).update(status=CaseStatus.PAID, paid_at=timezone.now())
    client.force_login(world.spot_user)
    client.get(MINE)
    # Session, user, role assignments, the page with the list's totals, the unread count.
    with django_assert_num_queries(5):
        first = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count("list-group-item-action") == 20
    assert "1 / 2" in first
    assert "600,000 yuan" in first  # the paid case is on page 2, its money counts on page 1
    with django_assert_num_queries(5):
        second = client.get(MINE + "?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert second.count("list-group-item-action") == 2
    assert oldest.reference in second
    assert "2 / 2" in second


@pytest.mark.parametrize(("asked", "shown"), [("9", "2 / 2"), ("0", "2 / 2"), ("x", "1 / 2")])
def test_my_cases_page_out_of_range_shows_the_last_or_the_first(client, world, asked, shown):
    _many_cases(world, 21)
    client.force_login(world.spot_user)
    response = client.get(MINE + f"?page={asked}")
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_my_cases_empty_list(client, world):
    client.force_login(world.spot_user)
    html = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No case yet." in html
    assert "list-group-item-action" not in html


# --- The frame around them -------------------------------------------------------------------


def test_the_navigation_built_once_follows_the_language_and_the_roles(client, world):
    """The navigation is built once per role set and language (accounts/navigation.py):
    a second language, and a role given later, still show on the next page."""
    client.force_login(world.spot_user)
    english = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'aria-current="page" href="/policies/mine/">My cases</a>' in english
    assert "My cases</a>" not in chinese
    assert 'href="/policies/office/queue/"' not in english
    give_role(world.spot_user, Role.OFFICER, organisation=world.city.drc)
    again = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/policies/office/queue/">Work queue</a>' in again
    assert 'aria-current="page" href="/policies/mine/">My cases</a>' in again
