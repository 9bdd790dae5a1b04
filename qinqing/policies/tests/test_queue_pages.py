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
from qinqing.deadlines.models import Deadline
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import Case, CaseStatus, CaseStep, Invitation, Policy
from qinqing.policies.services.cases import case_approve, invitation_confirm
from qinqing.policies.services.catalogue import policy_amend
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


def test_queue_leaves_out_what_four_eyes_and_recusal_bar(client, world):
    """The queue offers only steps the user may take (services.cases.step_refusal): not
    a case whose enterprise they declared a relation to, nor one they returned at an
    earlier step; the step they returned themselves stays theirs to decide."""
    from qinqing.integrity.models import RelationDeclaration
    from qinqing.policies.services.cases import case_answer, case_return

    returned_here = _confirmed(world)
    related = _spot_case(world, "景区乙")
    case_return(actor=world.officer, case=returned_here, request="请补充")
    case_answer(actor=world.spot_user, case=Case.objects.get(pk=returned_here.pk), answer="已补充")
    client.force_login(world.officer)
    html = client.get(QUEUE).content.decode()
    assert returned_here.reference in html and related.reference in html
    RelationDeclaration.objects.create(
        official=world.officer,
        enterprise=related.enterprise,
        kind="relative_employee",
        description="亲属在该企业工作",
    )
    html = client.get(QUEUE).content.decode()
    assert related.reference not in html
    assert returned_here.reference in html
    # The officer returned the first step; another officer approved it and the head the
    # second: the payment step is not the first officer's to take (four eyes).
    case = case_approve(actor=world.officer_b, case=Case.objects.get(pk=returned_here.pk))
    case_approve(actor=world.head, case=case)
    assert returned_here.reference not in client.get(QUEUE).content.decode()


def test_queue_query_count_is_pinned(client, world, django_assert_num_queries, steady_calendar):
    _confirmed(world)
    client.force_login(world.officer)
    client.get(QUEUE)  # warm the per-process caches (calendar, content types)
    # Session, user, role assignments (with their organisations and the subtrees'
    # organisations, in one statement), the cases four eyes and recusal bar the user
    # from, the warning rung, the count, the page, the filter's policies, the unread count.
    with django_assert_num_queries(9):
        assert client.get(QUEUE).content.decode().count('data-testid="queue-row"') == 1
    for n in range(4):
        _spot_case(world, f"景区{n}")
    with django_assert_num_queries(9):
        assert client.get(QUEUE).content.decode().count('data-testid="queue-row"') == 5


def test_queue_rows_show_each_cell_escaped(client, world):
    """The rows are built as HTML in Python (views/officer_cases.queue_rows_html) from
    one-row subqueries (selectors.work_queue_rows): every cell is there, and what people
    typed is escaped."""
    case = _confirmed(world)
    Enterprise.objects.filter(pk=world.spot.pk).update(name='<b>景区</b> & "A"')
    step = case.steps.get()
    world.officer.display_name = "<i>王</i>"
    world.officer.save(update_fields=["display_name"])
    CaseStep.objects.filter(pk=step.pk).update(assignee=world.officer)
    Deadline.objects.filter(pk=step.deadline_id).update(paused=True)
    client.force_login(world.officer)
    html = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html[
        html.index('data-testid="queue-row"') : html.index("</tr>", html.index('data-testid="queue-row"'))
    ]
    assert f'data-reference="{case.reference}"' in row
    assert f'href="/policies/office/cases/{case.public_id}/"' in row
    assert "&lt;b&gt;景区&lt;/b&gt; &amp; &quot;A&quot;" in row
    assert "<b>" not in row
    assert world.policy.title in row
    assert "&lt;i&gt;王&lt;/i&gt;" in row
    assert '<span class="badge text-bg-secondary">paused</span>' in row
    assert step.due_date.isoformat() in row
    assert timezone.localtime(step.started_at).strftime("%Y-%m-%d %H:%M") in row


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


def test_my_cases_rows_show_each_cell_escaped(client, world):
    """The rows are built as HTML in Python (views/enterprise.my_cases_rows_html) from
    tuples: the policy, the status, the award, the day paid (in local time), the
    enterprise when the user has several; what people typed is escaped."""
    case = _confirmed(world)
    paid_at = timezone.make_aware(timezone.datetime(2026, 3, 1, 17, 30), timezone.get_fixed_timezone(0))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PAID, paid_at=paid_at)
    Policy.objects.filter(pk=world.policy.pk).update(title='<script>x</script> "奖"')
    client.force_login(world.spot_user)
    html = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html[
        html.index(f'data-testid="case-{case.reference}"') : html.index(
            "</a>", html.index("list-group-item-action")
        )
    ]
    assert f'href="/policies/cases/{case.public_id}/"' in html
    assert "&lt;script&gt;x&lt;/script&gt; &quot;奖&quot;" in row
    assert "<script>x" not in html
    assert '<span class="badge text-bg-success align-self-start">Paid</span>' in row
    # 01:30 in Beijing; each piece on one line on a phone
    assert (
        f'<span class="text-nowrap">{case.reference}</span> · <span class="text-nowrap">600,000 yuan</span>'
        ' · <span class="text-nowrap">paid 2026-03-02</span>'
    ) in row
    assert world.spot.name not in row  # one enterprise: its name is not repeated
    other = EnterpriseFactory(region=world.city.district, name="另一家")
    give_role(world.spot_user, Role.ENTERPRISE, enterprise=other)
    again = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'paid 2026-03-02</span> · <span class="text-nowrap">{world.spot.name}</span>' in again


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


def test_a_step_an_amendment_removed_stays_a_filter_choice_while_cases_hold_it(client, world):
    # Given a case waiting at the policy's first step, 受理 ("accept")
    case = _confirmed(world)
    assert case.steps.get(ended_at__isnull=True).key == "accept"
    client.force_login(world.officer)
    assert ("accept", "Acceptance") in _step_choices(client)
    # When an amendment drops that step (cases already opened keep theirs)
    policy_amend(actor=world.head, policy=world.policy, reason="简化流程", steps=THREE_STEPS[1:])
    # Then the filter still offers it, and filtering by it finds the case
    assert ("accept", "Acceptance") in _step_choices(client)
    html = client.get(QUEUE, {"step": "accept"}).content.decode()
    assert html.count('data-testid="queue-row"') == 1
    assert case.reference in html


def _step_choices(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return list(client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").context["step_keys"])
