"""The department head's overview (policies/overview.py, views/officer_overview.py, the
API's /office/overview): who may read it, every figure on a small department with cases
in every state, the workbook and the API giving the same figures, and the page's query
count pinned."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.integrity.models import RelationDeclaration
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import Case, CaseStatus, CaseStep, Invitation, Policy
from qinqing.policies.overview import department_overview, due_soon_until, overview_departments
from qinqing.policies.selectors import work_queue_counted
from qinqing.policies.services import policy_withdraw
from qinqing.policies.services.cases import case_approve, case_reject, case_return, invitation_confirm
from qinqing.policies.services.matching import policy_match
from qinqing.policies.views.officer_cases import urgency, warning_rung
from qinqing.supervision.policy_cases import time_to_cash
from qinqing.workdays.calendar import current_calendar

from .factories import make_policy
from .workflow import THREE_STEPS, World, scenic_spot

pytestmark = pytest.mark.django_db

PAGE = "/policies/office/overview/"
EXPORT = "/policies/office/overview/export/"
API = "/api/v1/policies/office/overview"
HOUR = 3600
AWARD = Decimal("600000.00")


# --- A department with cases in every state --------------------------------------------------


@dataclass
class Office:
    world: World
    cases: dict[str, Case]
    withdrawn: Policy
    draft: Policy
    other_policy: Policy
    other_case: Case

    @property
    def policy(self) -> Policy:
        return self.world.policy


def _spot_case(world: World, name: str, policy: Policy | None = None, matcher: User | None = None) -> Case:
    enterprise = scenic_spot(cast(Enterprise, EnterpriseFactory(region=world.city.district, name=name)))
    user = give_role(cast(User, UserFactory()), Role.ENTERPRISE, enterprise=enterprise)
    policy = policy or world.policy
    policy_match(actor=matcher or world.officer, policy=policy)
    return invitation_confirm(
        actor=user, invitation=Invitation.objects.get(policy=policy, enterprise=enterprise)
    )


def _took(case: Case, key: str, *, hours: float, days_ago: float = 1) -> None:
    """The step `key` of the case ended `days_ago` days ago, `hours` after it started."""
    ended = timezone.now() - dt.timedelta(days=days_ago)
    CaseStep.objects.filter(case=case, key=key).update(
        started_at=ended - dt.timedelta(hours=hours), ended_at=ended
    )


def _open(case: Case, *, due: dt.date, assignee: User | None) -> None:
    CaseStep.objects.filter(case=case, ended_at__isnull=True).update(due_date=due, assignee=assignee)


def _approve_all(world: World, case: Case) -> Case:
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    return case_approve(actor=world.officer_b, case=case)


def _paid(world: World, case: Case, *, paid_days_ago: float, waited_hours: float) -> Case:
    case = _approve_all(world, case)
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)
    paid_at = timezone.now() - dt.timedelta(days=paid_days_ago)
    Case.objects.filter(pk=case.pk).update(
        paid_at=paid_at, submitted_at=paid_at - dt.timedelta(hours=waited_hours)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    return case


@pytest.fixture
def office(world: World) -> Office:
    """The DRC's 3A award policy (budget 5,000,000; 600,000 a case) with eight cases:

    c1 under review at 受理, overdue, assigned to the officer (officer_b declared a
       relation to its enterprise: recusal);
    c2 under review at 复核 (the head's), due today, assigned to the head;
    c3, c6 paid (waited 48 and 10 hours); c7 approved, its payment under way;
    c8 under review at 拨付, due in 20 days: the officer took 受理, so only officer_b may;
    c4 returned for materials; c5 rejected 40 days ago.

    Besides: a withdrawn and a draft policy of the DRC, and a case of the commerce bureau.
    """
    w = world
    today = timezone.localdate()
    c = {name: _spot_case(w, f"景区{name}") for name in ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")}
    _open(c["c1"], due=today - dt.timedelta(days=3), assignee=w.officer)
    RelationDeclaration.objects.create(
        official=w.officer_b, enterprise=c["c1"].enterprise, kind="relative_employee", description="亲属任职"
    )
    c["c2"] = case_approve(actor=w.officer, case=c["c2"])
    _took(c["c2"], "accept", hours=1)
    _open(c["c2"], due=today, assignee=w.head)
    c["c3"] = _paid(w, c["c3"], paid_days_ago=5, waited_hours=48)
    _took(c["c3"], "accept", hours=2)
    _took(c["c3"], "recheck", hours=1)
    _took(c["c3"], "disburse", hours=0.5)
    c["c4"] = case_return(actor=w.officer, case=c["c4"], request="请补充景区评定文件")
    _open(c["c4"], due=today - dt.timedelta(days=9), assignee=w.officer_b)
    c["c5"] = case_reject(actor=w.officer, case=c["c5"], reason="不符合条件")
    _took(c["c5"], "accept", hours=1, days_ago=40)
    c["c6"] = _paid(w, c["c6"], paid_days_ago=3, waited_hours=10)
    _took(c["c6"], "accept", hours=3)
    _took(c["c6"], "recheck", hours=5)
    _took(c["c6"], "disburse", hours=0.5)
    c["c7"] = _approve_all(w, c["c7"])
    _took(c["c7"], "accept", hours=4)
    _took(c["c7"], "recheck", hours=6)
    _took(c["c7"], "disburse", hours=1.5)
    c["c8"] = case_approve(actor=w.head, case=case_approve(actor=w.officer, case=c["c8"]))
    _took(c["c8"], "accept", hours=2)
    _took(c["c8"], "recheck", hours=3)
    _open(c["c8"], due=today + dt.timedelta(days=20), assignee=w.officer_b)
    withdrawn = make_policy(
        actor=w.officer, department=w.city.drc, publish=True, title="已撤回的政策", valid_until=today
    )
    withdrawn = policy_withdraw(actor=w.officer, policy=withdrawn)
    draft = make_policy(actor=w.officer, department=w.city.drc, title="草稿政策")
    other_policy = make_policy(
        actor=w.city.other_officer,
        department=w.city.commerce,
        publish=True,
        steps=THREE_STEPS,
        title="商务局的政策",
        valid_until=today.replace(month=12, day=31),
    )
    other_case = _spot_case(w, "商务局的景区", other_policy, matcher=w.city.other_officer)
    return Office(
        world=w, cases=c, withdrawn=withdrawn, draft=draft, other_policy=other_policy, other_case=other_case
    )


# What the DRC's figures must be (see `office`).
CASES = {
    CaseStatus.IN_REVIEW: 3,
    CaseStatus.RETURNED: 1,
    CaseStatus.PAYING: 1,
    CaseStatus.PAID: 2,
    CaseStatus.PAYMENT_FAILED: 0,
    CaseStatus.REJECTED: 1,
    CaseStatus.APPEALED: 0,
    CaseStatus.WITHDRAWN: 0,
}
RESERVED = 5 * AWARD  # c2, c3, c6, c7, c8: reserved at their first approval
PAID = 2 * AWARD
BEING_PAID = AWARD
BUDGET = Decimal("5000000.00")
# Per step: (open, overdue, due soon).
STEPS = {"accept": (1, 1, 0), "recheck": (1, 0, 1), "disburse": (1, 0, 0)}
# Per official: open (assigned or theirs to take), assigned, overdue, completed, median seconds.
OFFICIALS = {
    "officer": (1, 1, 1, 5, 2 * HOUR),  # c1 (c8: four eyes); 1, 2, 2, 3, 4 hours (c5: 40 days ago)
    "officer-b": (1, 1, 0, 3, 0.5 * HOUR),  # c8 (c1: recusal); 0.5, 0.5, 1.5 hours
    "head": (1, 1, 0, 4, 4 * HOUR),  # c2; 1, 3, 5, 6 hours: the mean of the two middle ones
}
# Time to cash over c3 (48 h) and c6 (10 h): percentile_cont's median and 90th percentile.
MEDIAN = (10 + 48) / 2 * HOUR
P90 = (10 + 0.9 * (48 - 10)) * HOUR


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_anonymous_is_sent_to_login(client, office, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["officer", "other_officer", "enterprise_user", "committee_member", "admin"])
@pytest.mark.parametrize("url", [PAGE, EXPORT, API])
def test_officers_enterprises_and_others_are_refused(office, who, url):
    response = as_user(getattr(office.world.city, who)).get(url)
    assert response.status_code == 403
    if url == API:
        assert response.json()["error"]["code"] == "forbidden"
    else:
        assert "Department overview" not in response.content.decode()


def test_anonymous_api_call_is_refused(client, office):
    response = client.get(API)
    assert response.status_code in (401, 403)
    assert "policies" not in response.json()


def test_head_sees_the_own_departments_only(office):
    overview = department_overview(office.world.head)
    assert [d.pk for d in overview.departments] == [office.world.city.drc.pk]
    assert overview.department is None
    assert [r.policy.code for r in overview.policies if r.policy] == [
        office.policy.code,
        office.withdrawn.code,
    ]
    html = as_user(office.world.head).get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert office.other_policy.title not in html
    assert office.draft.title not in html
    assert 'data-testid="department-filter"' not in html  # one department: no filter


def test_supervisors_read_their_reach(office):
    group = department_overview(office.world.city.supervisor)  # supervises the DRC
    assert {r.policy.code for r in group.policies if r.policy} == {office.policy.code, office.withdrawn.code}
    city = department_overview(office.world.city.city_supervisor)
    codes = {r.policy.code for r in city.policies if r.policy}
    assert codes == {office.policy.code, office.withdrawn.code, office.other_policy.code}
    response = as_user(office.world.city.city_supervisor).get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="department-filter"' in html
    # A supervisor has no policy page or work queue to go to: no links there.
    assert f"/policies/office/policies/{office.policy.public_id}/" not in html
    assert "/policies/office/queue/" not in html
    assert f"/policies/office/cases/?policy={office.policy.public_id}" in html


def test_a_head_of_two_departments_filters_by_department(office):
    head = office.world.head
    give_role(head, Role.DEPARTMENT_HEAD, organisation=office.world.city.commerce)
    client = as_user(head)
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="department-filter"' in html
    assert office.other_policy.title in html and office.policy.title in html
    commerce = office.world.city.commerce
    response = client.get(PAGE, {"department": commerce.pk})
    overview = response.context["overview"]
    assert overview.department == commerce
    assert [r.policy.code for r in overview.policies if r.policy] == [office.other_policy.code]
    assert overview.total.cases[CaseStatus.IN_REVIEW] == 1
    assert {o.user.username for o in overview.officials} == {"officer2", "head"}
    assert f'href="/policies/office/overview/export/?department={commerce.pk}"' in response.content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get(EXPORT, {"department": commerce.pk}).content))
    codes = [r[0] for r in book.worksheets[0].iter_rows(values_only=True)]
    assert office.other_policy.code in codes and office.policy.code not in codes
    # The filter narrows within reach and never beyond it.
    assert client.get(PAGE, {"department": office.world.city.district_dept.pk}).status_code == 404
    assert client.get(PAGE, {"department": "drc"}).status_code == 404
    assert client.get(API, {"department": office.world.city.district_dept.pk}).status_code == 404


# --- The figures -----------------------------------------------------------------------------


def test_figures_per_policy(office):
    overview = department_overview(office.world.head)
    award, withdrawn = overview.policies
    assert award.policy == office.policy
    assert award.budget_total == BUDGET
    assert award.reserved == RESERVED
    assert award.paid == PAID
    assert award.paying == BEING_PAID
    assert award.remaining == BUDGET - RESERVED
    assert award.cases == CASES
    assert award.cases_total == 8
    assert (award.steps.open_steps, award.steps.overdue, award.steps.due_soon) == (3, 1, 1)
    assert withdrawn.policy == office.withdrawn
    assert (withdrawn.paid, withdrawn.reserved, withdrawn.cases_total) == (Decimal(0), Decimal(0), 0)
    assert overview.total.budget_total == BUDGET + office.withdrawn.budget_total
    assert overview.total.cases == CASES
    assert overview.total.paid == PAID


def test_figures_per_step(office):
    overview = department_overview(office.world.head)
    got = {s.key: (s.steps.open_steps, s.steps.overdue, s.steps.due_soon) for s in overview.steps}
    assert got == STEPS
    assert [s.key for s in overview.steps] == ["accept", "recheck", "disburse"]  # in the steps' order


def test_figures_per_official(office):
    overview = department_overview(office.world.head)
    got = {
        o.user.username: (o.open_steps, o.assigned, o.overdue, o.completed, o.median_seconds)
        for o in overview.officials
    }
    assert got.keys() == OFFICIALS.keys()
    for name, (open_steps, assigned, overdue, completed, median) in OFFICIALS.items():
        assert got[name][:4] == (open_steps, assigned, overdue, completed), name
        assert got[name][4] == pytest.approx(median, abs=0.01), name
    roles = {o.user.username: o.roles for o in overview.officials}
    assert roles["head"] == (Role.DEPARTMENT_HEAD,)


def test_what_an_official_may_take_is_their_work_queue(office):
    """ "Theirs to take" is the queue's rule (role, subtree, four eyes, recusal): for each
    official not assigned a step outside their queue, the two counts agree."""
    overview = department_overview(office.world.head)
    for person in overview.officials:
        queue = work_queue_counted(User.objects.get(pk=person.user.pk)).count()
        assert person.open_steps == queue, person.user.username
    # Then officer_b ends the declaration: c1 becomes theirs too.
    RelationDeclaration.objects.filter(official=office.world.officer_b).update(
        ended_at=timezone.now(), ended_reason="亲属离职"
    )
    again = {o.user.username: o for o in department_overview(office.world.head).officials}
    assert (again["officer-b"].open_steps, again["officer-b"].overdue) == (2, 1)


def test_due_soon_is_what_the_queue_marks_near(office):
    today = timezone.localdate()
    soon = due_soon_until(today)
    calendar, warning = current_calendar(), warning_rung()
    for offset in range(-3, 40):
        day = today + dt.timedelta(days=offset)
        assert (today <= day <= soon) == (urgency(day, today, calendar, warning) == "near"), day


def test_time_to_cash_is_the_supervision_figure(office):
    head = office.world.head
    overview = department_overview(head)
    total = overview.cash_total
    assert (total.count, total.within_day) == (2, 1)
    assert total.median == pytest.approx(MEDIAN, abs=0.01)
    assert total.p90 == pytest.approx(P90, abs=0.01)
    [row] = overview.cash_by_policy
    assert row.key == office.policy.pk
    supervision = time_to_cash(head, since=overview.cash_since, until=overview.cash_until)
    [same] = [f for f in supervision.by_policy if f.key == office.policy.pk]
    assert (row.count, row.within_day, row.median, row.p90) == (
        same.count,
        same.within_day,
        same.median,
        same.p90,
    )
    # A case paid before the 90 days is left out of time to cash (but still counted as paid).
    Case.objects.filter(pk=office.cases["c3"].pk).update(paid_at=timezone.now() - dt.timedelta(days=95))
    later = department_overview(head)
    assert (later.cash_total.count, later.policies[0].cases[CaseStatus.PAID]) == (1, 2)
    assert later.cash_total.median == pytest.approx(10 * HOUR, abs=0.01)


# --- The page, the workbook, the API ---------------------------------------------------------


def test_page_shows_the_figures_with_links(office):
    response = as_user(office.world.head).get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    pid = office.policy.public_id
    assert f'href="/policies/office/policies/{pid}/"' in html
    assert f'href="/policies/office/cases/?policy={pid}&amp;status=paid">2</a>' in html
    assert f'href="/policies/office/cases/?policy={pid}&amp;status=in_review">3</a>' in html
    assert "3,000,000.00" in html  # reserved
    assert "2,000,000.00" in html  # remaining
    assert "1,200,000.00" in html  # paid
    assert 'href="/policies/office/queue/?step=accept"' in html
    assert (
        f'href="/supervision/policies/late/?department={office.world.city.drc.pk}&amp;overdue=on">1</a>'
        in html
    )
    assert html.count('data-testid="official-row"') == 3
    assert 'href="/policies/office/overview/export/"' in html
    assert 'href="/policies/office/overview/">Department overview</a>' in html  # the menu


def test_the_filter_answers_htmx_with_the_results_only(office):
    give_role(office.world.head, Role.DEPARTMENT_HEAD, organisation=office.world.city.commerce)
    response = as_user(office.world.head).get(
        PAGE, {"department": office.world.city.drc.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="overview-results">')
    assert office.policy.title in html and office.other_policy.title not in html


def _sheet_rows(book: Any, name: str, first_heading: str) -> list[list[Any]]:
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_heading)
    return rows[start:]


def test_export_holds_the_same_figures(office):
    response = as_user(office.world.head).get(EXPORT, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="overview-')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Budgets", "Cases", "Approval steps", "Officials", "Time to cash"]
    budgets = _sheet_rows(book, "Budgets", "Code")
    award = next(r for r in budgets if r[0] == office.policy.code)
    assert award[4:9] == [
        float(BUDGET),
        float(RESERVED),
        float(PAID),
        float(BEING_PAID),
        float(BUDGET - RESERVED),
    ]
    assert budgets[-1][0] == "All"
    cases = _sheet_rows(book, "Cases", "Code")
    header, award_cases = cases[0], next(r for r in cases if r[0] == office.policy.code)
    assert award_cases[3] == 8
    assert dict(zip(header[4:12], award_cases[4:12], strict=True)) == {
        str(CaseStatus(s).label): n for s, n in CASES.items()
    }
    assert award_cases[12:15] == [3, 1, 1]
    steps = {r[1]: tuple(r[2:5]) for r in _sheet_rows(book, "Approval steps", "Step")[1:]}
    assert steps == STEPS
    officials = _sheet_rows(book, "Officials", "Official")[1:]
    by_name = {str(User.objects.get(username=u)): u for u in OFFICIALS}
    for row in officials:
        open_steps, assigned, overdue, completed, median = OFFICIALS[by_name[row[0]]]
        assert row[2:6] == [open_steps, assigned, overdue, completed]
        assert row[6] == round(median / 3600, 1)
    cash = _sheet_rows(book, "Time to cash", "Policy")
    total = cash[-1]
    assert total[2] == 2
    assert total[3] == round(MEDIAN / 86400, 2)
    assert total[4] == round(P90 / 86400, 2)
    assert total[5] == 1


def test_an_enterprise_name_that_looks_like_a_formula_stays_text(office):
    Policy.objects.filter(pk=office.policy.pk).update(title='=HYPERLINK("http://x","y")')
    response = as_user(office.world.head).get(EXPORT, HTTP_ACCEPT_LANGUAGE="en")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [r[1] for r in _sheet_rows(book, "Budgets", "Code")]
    assert '=HYPERLINK("http://x","y")' in titles
    cell = next(
        c for row in book["Budgets"].iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")'
    )
    assert cell.data_type == "s"


def test_api_gives_the_same_figures(office):
    response = as_user(office.world.head).get(API, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body["policies"]] == [office.policy.code, office.withdrawn.code]
    award = body["policies"][0]
    assert award["public_id"] == str(office.policy.public_id)
    assert (
        award["budget_total"],
        award["reserved"],
        award["paid"],
        award["being_paid"],
        award["remaining"],
    ) == (
        "5000000.00",
        "3000000.00",
        "1200000.00",
        "600000.00",
        "2000000.00",
    )
    assert award["cases"] == {str(k): v for k, v in CASES.items()}
    assert award["steps"] == {"open": 3, "overdue": 1, "due_soon": 1}
    assert body["total"]["paid"] == "1200000.00"
    assert {s["key"]: tuple(s["steps"].values()) for s in body["steps"]} == STEPS
    names = {str(User.objects.get(username=u)): u for u in OFFICIALS}
    for person in body["officials"]:
        open_steps, assigned, overdue, completed, median = OFFICIALS[names[person["name"]]]
        assert (person["open_steps"], person["assigned"], person["overdue"], person["completed"]) == (
            open_steps,
            assigned,
            overdue,
            completed,
        )
        assert person["median_handling_seconds"] == pytest.approx(median, abs=0.01)
    cash = body["time_to_cash"]
    assert cash["total"]["paid_cases"] == 2
    assert cash["total"]["median_seconds"] == pytest.approx(MEDIAN, abs=0.01)
    assert cash["total"]["p90_seconds"] == pytest.approx(P90, abs=0.01)
    assert cash["by_policy"][0]["policy"] == str(office.policy.public_id)
    assert body["department"] is None
    assert body["departments"] == [{"id": office.world.city.drc.pk, "name": office.world.city.drc.name}]


def test_api_for_a_supervisor_and_one_department(office):
    city = office.world.city
    client = as_user(city.city_supervisor)
    everything = client.get(API).json()
    assert {p["code"] for p in everything["policies"]} == {
        office.policy.code,
        office.withdrawn.code,
        office.other_policy.code,
    }
    commerce = client.get(API, {"department": city.commerce.pk}).json()
    assert commerce["department"] == {"id": city.commerce.pk, "name": city.commerce.name}
    assert [p["code"] for p in commerce["policies"]] == [office.other_policy.code]
    assert commerce["total"]["cases"][CaseStatus.IN_REVIEW] == 1
    assert client.get(API, {"department": "x"}).status_code in (400, 422)


# --- Cost ------------------------------------------------------------------------------------


def test_page_query_count_is_pinned(office, django_assert_num_queries, steady_calendar):
    client = as_user(office.world.head)
    client.get(PAGE)  # warm the per-process caches (calendar, content types)
    # Session, user, role assignments; the departments, the warning rung, the policies,
    # their cases per status, their payments, their open steps; the steps per step; the
    # officials' roles, their counts, their medians; time to cash per policy and in all
    # (PostgreSQL: one statement each; SQLite: counted, then the durations streamed);
    # the unread count.
    expected = 16 if connection.vendor == "postgresql" else 18
    with django_assert_num_queries(expected):
        assert client.get(PAGE).status_code == 200
    # More cases, more officials, another policy: the same number of statements.
    world = office.world
    for n in range(3):
        case = _spot_case(world, f"又一景区{n}")
        _paid(world, case, paid_days_ago=n + 1, waited_hours=n + 2)
    give_role(cast(User, UserFactory(username="officer-c")), Role.OFFICER, organisation=world.city.drc)
    more = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
    )
    _spot_case(world, "新政策的景区", more)
    with django_assert_num_queries(expected):
        response = client.get(PAGE)
    assert len(response.context["overview"].policies) == 3
    assert len(response.context["overview"].officials) == 4


# --- Navigation ------------------------------------------------------------------------------


def test_menu_entries_for_heads_and_supervisors(office):
    city = office.world.city
    head = as_user(city.head).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    supervisor = as_user(city.supervisor).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    officer = as_user(city.officer).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/policies/office/overview/">Department overview</a>' in head
    assert 'href="/policies/office/overview/">Department overview</a>' in supervisor
    assert 'href="/policies/office/overview/"' not in officer
    assert 'href="/policies/office/cases/">Department cases</a>' in supervisor


def test_supervisors_read_the_department_cases_page(office):
    """The supervisor's menu entry leads to a page that lets them in, with what they
    supervise and nothing else."""
    response = as_user(office.world.city.supervisor).get("/policies/office/cases/")
    assert response.status_code == 200
    html = response.content.decode()
    assert office.cases["c1"].reference in html
    assert office.other_case.reference not in html


def test_the_department_filter_lists_the_tree_in_order(office):
    """By the path's numbers: ordered as text, "/…/100000/" came before "/…/99998/" and
    the city's departments interleaved with the counties'."""
    from qinqing.accounts.models import Organisation
    from qinqing.accounts.tests.factories import OrganisationFactory

    city = office.world.city.city
    made = []
    for number in (99998, 99999, 100000):
        department = OrganisationFactory(parent=city, kind="department", name=f"局{number}")
        Organisation.objects.filter(pk=department.pk).update(path=f"{city.path}{number}/")
        made.append(department.pk)
    listed = [d.pk for d in overview_departments(office.world.city.city_supervisor)]
    assert [pk for pk in listed if pk in made] == made
