"""The commission's and the departments' office pages: the dashboard's figures and who
reads them, the problem list and its filters, campaigns, walk-throughs, monitoring
points, observers and rules established, their forms on good and bad input, and the
Excel export of every table."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from qinqing.accounts.tests.factories import UserFactory
from qinqing.ledger import services
from qinqing.ledger.models import (
    Campaign,
    Category,
    Channel,
    MonitoringPoint,
    Observer,
    Problem,
    ProblemStatus,
    RuleOutcome,
    WalkThrough,
)

from .conftest import World, assigned, complaint, pdf

pytestmark = pytest.mark.django_db


@dataclass
class Office:
    w: World
    closed: Problem
    overdue: Problem
    flagged: Problem
    waiting: Problem
    district: Problem

    @property
    def c(self) -> Any:
        return self.w.city


def build_office(ledger: World) -> Office:
    """Five problems: at the development and reform commission (watched by the group)
    one closed on time with a score of 4, one overdue, one whose withdrawal the
    department asked for; one topic-campaign report still waiting at the commission;
    one assigned to the district's market regulator."""
    c = ledger.city
    closed = assigned(ledger, days=5)
    closed = services.problem_progress(actor=c.officer, problem=closed, text="整改中")
    closed = services.problem_submit(actor=c.officer, problem=closed, text="已整改", files=[pdf()])
    closed = services.problem_verify(actor=c.supervisor, problem=closed)
    services.problem_return_visit(actor=c.enterprise_user, problem=closed, score=4, fixed=True)
    closed.refresh_from_db()

    overdue = assigned(ledger, days=5, title="企业开办跑多次")
    # Its due date has passed: what the ladder would find days later.
    Problem.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    overdue.refresh_from_db()

    flagged = assigned(ledger, days=5, title="水电报装慢")
    flagged = services.problem_request_withdrawal(actor=c.officer, problem=flagged, reason="企业已搬迁")

    topic = ledger.topic_campaign.topics.get()
    waiting = complaint(
        ledger,
        channel=Channel.TOPIC,
        topic=topic,
        title="乱收费",
        category=Category.MARKET,
        subcategory="fees",
    )

    district = complaint(ledger, title="执法检查过多", category=Category.LEGAL, subcategory="enforcement")
    district = services.problem_assign(
        actor=c.city_supervisor, problem=district, department=c.district_dept, deadline_days=10
    )
    return Office(ledger, closed, overdue, flagged, waiting, district)


@pytest.fixture
def office(ledger: World) -> Office:
    return build_office(ledger)


def get(client: Any, user: Any, name: str, *args: Any, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def post(client: Any, user: Any, name: str, data: dict[str, Any]) -> Any:
    client.force_login(user)
    return client.post(reverse(name), data)


def book(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column(sheet: Any, heading: str) -> list[Any]:
    """The cells under `heading` (given in English, looked for as the page shows it)."""
    with translation.override("zh-hans"):
        heading = translation.gettext(heading)
    rows = values(sheet)
    header = next(i for i, row in enumerate(rows) if heading in row)
    at = rows[header].index(heading)
    return [row[at] for row in rows[header + 1 :]]


# --- The dashboard ------------------------------------------------------------------------------


@override_settings(LEDGER_CIRCULAR_MIN_VOLUME=2)
def test_the_city_supervisor_reads_every_figure(client: Any, office: Office) -> None:
    response = get(client, office.c.city_supervisor, "ledger:dashboard")
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["registered"], totals["open"], totals["overdue"]) == (5, 4, 1)
    assert (totals["rectified"], totals["closed"], totals["flagged"], totals["reopened"]) == (1, 1, 1, 0)
    # Closed 1 of 5 kept on the ledger; on time: 1 fixed on time, 1 open past its date.
    assert totals["closure_percent"] == 20.0
    assert totals["on_time_percent"] == 50.0
    assert totals["satisfaction"] == 4.0
    channels = {row["channel"]: row["registered"] for row in response.context["channels"]}
    assert channels == {Channel.TOPIC: 1, Channel.COMPLAINT: 4}
    categories = {row["category"]: row["registered"] for row in response.context["categories"]}
    assert categories == {Category.GOVERNMENT: 3, Category.MARKET: 1, Category.LEGAL: 1}
    ranking = [(row["rank"], row["name"], row["registered"]) for row in response.context["departments"]]
    # The commission's waiting problem is not a department's: not ranked. A department
    # below the minimum volume (2 here) follows, unranked: one problem does not top a list.
    assert ranking == [(1, office.c.drc.name, 3), (None, office.c.district_dept.name, 1)]
    campaigns = response.context["campaigns"]
    assert [(row["name"], row["registered"]) for row in campaigns] == [(office.w.topic_campaign.title, 1)]
    html = response.content.decode()
    assert 'id="ledger-dashboard-data"' in html
    assert 'data-chart="channels"' in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline script (CSP)
    # Drill-down links into the problem list.
    assert reverse("ledger:problems") + "?overdue=1" in html
    assert f"department={office.c.drc.public_id}" in html
    assert reverse("ledger:dashboard_export") in html
    chart = response.context["chart"]
    assert chart["departments"]["names"] == [office.c.drc.name, office.c.district_dept.name]
    assert chart["departments"]["series"][0]["data"] == [33.3, 0.0]


def test_a_stationed_group_reads_only_its_departments(client: Any, office: Office) -> None:
    ctx = get(client, office.c.supervisor, "ledger:dashboard").context
    assert ctx["totals"]["registered"] == 3
    assert [row["name"] for row in ctx["departments"]] == [office.c.drc.name]
    assert ctx["campaigns"] == []
    assert ctx["totals"]["closure_percent"] == 33.3


def test_the_dashboard_filters_by_area_and_period(client: Any, office: Office) -> None:
    c = office.c
    ctx = get(client, c.city_supervisor, "ledger:dashboard", area=str(c.district.public_id)).context
    assert ctx["totals"]["registered"] == 1
    assert ctx["departments"][0]["name"] == c.district_dept.name
    ctx = get(client, c.city_supervisor, "ledger:dashboard", area="city").context
    assert ctx["totals"]["registered"] == 4
    today = timezone.localdate()
    ctx = get(
        client, c.city_supervisor, "ledger:dashboard", **{"from": str(today + dt.timedelta(days=1))}
    ).context
    assert ctx["totals"]["registered"] == 0
    assert ctx["totals"]["closure_percent"] is None


def test_a_bad_period_is_shown_and_left_out(client: Any, office: Office) -> None:
    response = get(client, office.c.city_supervisor, "ledger:dashboard", **{"from": "2026-13-45", "to": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["totals"]["registered"] == 5
    html = response.content.decode()
    assert 'data-testid="error-from"' in html
    assert 'value="2026-13-45"' in html  # what was typed stays


@pytest.mark.parametrize("who", ["enterprise_user", "officer", "head", "admin", "committee_member"])
def test_the_dashboard_is_the_commissions(client: Any, office: Office, who: str) -> None:
    assert get(client, getattr(office.c, who), "ledger:dashboard").status_code == 403
    assert get(client, getattr(office.c, who), "ledger:dashboard_export").status_code == 403


def test_the_dashboard_is_not_for_anonymous_users(client: Any, office: Office) -> None:
    response = client.get(reverse("ledger:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dashboard_costs_a_fixed_number_of_queries(
    client: Any, office: Office, django_assert_num_queries: Any
) -> None:
    """Figures are aggregates: more problems, no more queries."""
    client.force_login(office.c.city_supervisor)
    url = reverse("ledger:dashboard")
    client.get(url)  # warm the session
    # Five around the figures (session, user, role assignments with their organisations,
    # the districts, the inbox badge), the look for a snapshot (services/dashboard.py)
    # and five aggregates: totals, per channel, per category, per department, per
    # campaign.
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(4):
        complaint(office.w, title=f"问题{n}")
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.context["totals"]["registered"] == 9


def test_the_dashboard_export_holds_the_figures(client: Any, office: Office) -> None:
    workbook = book(get(client, office.c.city_supervisor, "ledger:dashboard_export"))
    assert len(workbook.sheetnames) == 5
    totals = values(workbook.worksheets[0])
    assert any(row[1] == 5 for row in totals if row and len(row) > 1)
    ranking = workbook.worksheets[3]
    assert column(ranking, "Department")[:2] == [office.c.drc.name, office.c.district_dept.name]


# --- The problem list ---------------------------------------------------------------------------


def test_the_problem_list_filters_and_links(client: Any, office: Office) -> None:
    c = office.c
    response = get(client, c.city_supervisor, "ledger:problems")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5
    refs = {row["problem"].reference for row in response.context["rows"]}
    assert office.waiting.reference in refs
    html = response.content.decode()
    try:
        problem = reverse("ledger:problem", args=[office.closed.public_id])
    except NoReverseMatch:
        problem = f"/ledger/problems/{office.closed.public_id}/"
    assert problem in html

    def count(**params: Any) -> int:
        return int(
            get(client, c.city_supervisor, "ledger:problems", **params).context["page"].paginator.count
        )

    assert count(overdue="1") == 1
    assert count(status="open") == 4
    assert count(status="rectified") == 1
    assert count(status=ProblemStatus.CLOSED) == 1
    assert count(flagged="1") == 1
    assert count(channel=Channel.TOPIC) == 1
    assert count(campaign=str(office.w.topic_campaign.public_id)) == 1
    assert count(department=str(c.drc.public_id)) == 3
    assert count(area=str(c.district.public_id)) == 1
    assert count(area="city") == 4
    assert count(q=office.overdue.reference) == 1
    # What cannot be read is dropped, never an error page.
    assert count(status="nonsense", campaign="not-a-uuid", **{"from": "yesterday"}) == 5


def test_the_problem_list_answers_htmx_with_the_results_only(client: Any, office: Office) -> None:
    client.force_login(office.c.city_supervisor)
    response = client.get(reverse("ledger:problems"), {"overdue": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="problem-results"' in html
    assert "<html" not in html
    assert office.overdue.reference in html
    assert "overdue=1" in html  # the export link follows the filters


def test_a_stationed_group_lists_only_its_departments_problems(client: Any, office: Office) -> None:
    response = get(client, office.c.supervisor, "ledger:problems")
    refs = {row["problem"].reference for row in response.context["rows"]}
    assert refs == {office.closed.reference, office.overdue.reference, office.flagged.reference}
    # A drill-down link naming another department finds nothing for it.
    other = get(
        client, office.c.supervisor, "ledger:problems", department=str(office.c.district_dept.public_id)
    )
    assert other.context["page"].paginator.count == 0


def test_a_reopened_problem_counts_as_reopened_not_closed(client: Any, office: Office) -> None:
    services.problem_reopen(actor=office.c.enterprise_user, problem=office.closed, reason="窗口又要求补正")
    totals = get(client, office.c.city_supervisor, "ledger:dashboard").context["totals"]
    assert (totals["reopened"], totals["closed"], totals["rectified"], totals["open"]) == (1, 0, 0, 5)
    assert totals["closure_percent"] == 0.0
    listed = get(client, office.c.city_supervisor, "ledger:problems", reopened="1").context["rows"]
    assert [row["problem"].reference for row in listed] == [office.closed.reference]


def test_a_department_lists_only_its_own_problems(client: Any, office: Office) -> None:
    response = get(client, office.c.officer, "ledger:problems")
    assert response.status_code == 200
    refs = {row["problem"].reference for row in response.context["rows"]}
    assert refs == {office.closed.reference, office.overdue.reference, office.flagged.reference}
    assert 'href="/ledger/dashboard/"' not in response.content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "admin", "committee_member"])
def test_the_problem_list_is_refused(client: Any, office: Office, who: str) -> None:
    assert get(client, getattr(office.c, who), "ledger:problems").status_code == 403
    assert get(client, getattr(office.c, who), "ledger:problems_export").status_code == 403


def test_the_problem_export_holds_the_filtered_rows(client: Any, office: Office) -> None:
    workbook = book(get(client, office.c.city_supervisor, "ledger:problems_export", status="open"))
    sheet = workbook.worksheets[0]
    refs = [r for r in column(sheet, "Reference") if r]
    assert sorted(refs) == sorted(
        [
            office.overdue.reference,
            office.flagged.reference,
            office.waiting.reference,
            office.district.reference,
        ]
    )
    workbook = book(get(client, office.c.officer, "ledger:problems_export"))
    sheet = workbook.worksheets[0]
    assert len([r for r in column(sheet, "Reference") if r]) == 3


def test_the_problem_export_says_where_a_problem_left_the_ledger(client: Any, office: Office) -> None:
    from qinqing.ledger.models import ReferralLevel

    from .conftest import complaint

    c = office.c
    duplicate = complaint(office.w, title="同一问题的重复反映")
    services.problem_merge(actor=c.city_supervisor, problem=duplicate, into=office.waiting)
    referred = complaint(office.w, title="需省级审批的事项")
    services.problem_refer(
        actor=c.city_supervisor,
        problem=referred,
        level=ReferralLevel.PROVINCE,
        referred_to="省住建厅",
        reason="审批权限在省级",
    )
    sheet = book(get(client, c.city_supervisor, "ledger:problems_export")).worksheets[0]
    refs = column(sheet, "Reference")
    merged_into = dict(zip(refs, column(sheet, "Merged into"), strict=True))
    referred_to = dict(zip(refs, column(sheet, "Referred to"), strict=True))
    reasons = dict(zip(refs, column(sheet, "Reason"), strict=True))
    assert merged_into[duplicate.reference] == office.waiting.reference
    assert "省住建厅" in referred_to[referred.reference]
    assert reasons[referred.reference] == "审批权限在省级"
    outcomes = dict(zip(refs, column(sheet, "Outcome"), strict=True))
    assert outcomes[office.closed.reference]  # verified as fixed (or partly)


# --- Campaigns ----------------------------------------------------------------------------------


def test_campaigns_list_and_one_campaign(client: Any, office: Office) -> None:
    campaign = office.w.topic_campaign
    response = get(client, office.c.city_supervisor, "ledger:campaigns")
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["campaign"] == campaign)
    assert row["figures"]["registered"] == 1
    response = get(client, office.c.city_supervisor, "ledger:campaign", campaign.public_id)
    assert response.status_code == 200
    html = response.content.decode()
    assert "涉企收费" in html
    assert office.waiting.reference in html
    assert response.context["topics"][0]["registered"] == 1
    # A group that supervises none of its problems sees the campaign, not the problems.
    response = get(client, office.c.supervisor, "ledger:campaign", campaign.public_id)
    assert response.status_code == 200
    assert response.context["figures"]["registered"] == 0
    assert office.waiting.reference not in response.content.decode()


def test_campaign_pages_are_refused_to_enterprises(client: Any, office: Office) -> None:
    user = office.c.enterprise_user
    assert get(client, user, "ledger:campaigns").status_code == 403
    assert get(client, user, "ledger:campaign", office.w.topic_campaign.public_id).status_code == 403
    assert (
        get(
            client, office.c.city_supervisor, "ledger:campaign", "0" * 8 + "-0000-0000-0000-" + "0" * 12
        ).status_code
        == 404
    )


def test_the_commission_creates_a_topic_campaign(client: Any, office: Office) -> None:
    c = office.c
    assert get(client, c.city_supervisor, "ledger:campaign_new").status_code == 200
    data = {
        "channel": Channel.TOPIC,
        "title": "营商环境点题整治",
        "organisation": str(c.commission.public_id),
        "starts_on": "2026-04-01",
        "ends_on": "",
        "description": "",
        "topics-TOTAL_FORMS": "3",
        "topics-INITIAL_FORMS": "0",
        "topics-MIN_NUM_FORMS": "0",
        "topics-MAX_NUM_FORMS": "30",
        "topics-0-title": "审批慢",
        "topics-0-category": Category.GOVERNMENT,
        "topics-1-title": "",
        "topics-1-category": Category.GOVERNMENT,
        "topics-2-title": "融资难",
        "topics-2-category": Category.MARKET,
    }
    response = post(client, c.city_supervisor, "ledger:campaign_new", data)
    assert response.status_code == 302
    created = Campaign.objects.get(title="营商环境点题整治")
    assert response["Location"] == reverse("ledger:campaign", args=[created.public_id])
    assert list(created.topics.values_list("title", flat=True)) == ["审批慢", "融资难"]


def test_a_bad_campaign_keeps_what_was_typed(client: Any, office: Office) -> None:
    c = office.c
    data = {
        "channel": Channel.TOPIC,
        "title": "点题整治二期",
        "organisation": str(c.commission.public_id),
        "starts_on": "2026-04-01",
        "ends_on": "2026-03-01",
        "topics-TOTAL_FORMS": "1",
        "topics-INITIAL_FORMS": "0",
        "topics-MIN_NUM_FORMS": "0",
        "topics-MAX_NUM_FORMS": "30",
        "topics-0-title": "",
        "topics-0-category": Category.GOVERNMENT,
    }
    response = post(client, c.city_supervisor, "ledger:campaign_new", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-ends_on"' in html
    assert 'value="点题整治二期"' in html
    # A topic campaign with no topic: the service's reason, on the page.
    data["ends_on"] = ""
    response = post(client, c.city_supervisor, "ledger:campaign_new", data)
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    assert response.context["form"].non_field_errors()
    # The same topic twice: the error sits on the second topic's row.
    data.update(
        {
            "topics-TOTAL_FORMS": "2",
            "topics-0-title": "审批慢",
            "topics-1-title": "审批慢",
            "topics-1-category": Category.GOVERNMENT,
        }
    )
    response = post(client, c.city_supervisor, "ledger:campaign_new", data)
    assert response.status_code == 400
    assert 'data-testid="error-topics-1-title"' in response.content.decode()
    assert not Campaign.objects.filter(title="点题整治二期").exists()


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user"])
def test_only_the_commission_creates_campaigns(client: Any, office: Office, who: str) -> None:
    assert get(client, getattr(office.c, who), "ledger:campaign_new").status_code == 403


def test_campaign_exports(client: Any, office: Office) -> None:
    workbook = book(get(client, office.c.city_supervisor, "ledger:campaigns_export"))
    sheet = workbook.worksheets[0]
    assert office.w.topic_campaign.title in column(sheet, "Campaign")
    workbook = book(
        get(client, office.c.city_supervisor, "ledger:campaign_export", office.w.topic_campaign.public_id)
    )
    problems = workbook.worksheets[2]
    assert office.waiting.reference in column(problems, "Reference")
    assert get(client, office.c.enterprise_user, "ledger:campaigns_export").status_code == 403


# --- Walk-throughs ------------------------------------------------------------------------------


def walk_data(c: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "department": str(c.drc.public_id),
        "process_name": "企业投资项目备案",
        "walked_on": str(timezone.localdate()),
        "campaign": "",
        "notes": "",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
        "steps-0-name": "网上申报",
        "steps-0-minutes": "20",
        "steps-1-name": "窗口核验",
        "steps-1-minutes": "45",
        "steps-2-name": "",
        "steps-2-minutes": "",
        "problems-TOTAL_FORMS": "2",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "30",
        "problems-0-title": "系统需重复填报",
        "problems-0-description": "同一信息须在两个系统填写",
        "problems-0-category": Category.GOVERNMENT,
        "problems-0-subcategory": "online",
        "problems-0-severity": "minor",
        "problems-0-institutional": "mechanism",
        "problems-0-deadline_mode": "working_days",
        "problems-0-deadline_days": "10",
        "problems-1-title": "窗口排队久",
        "problems-1-description": "高峰期排队超过一小时",
        "problems-1-category": Category.GOVERNMENT,
        "problems-1-subcategory": "",
        "problems-1-severity": "minor",
        "problems-1-institutional": "",
        "problems-1-deadline_mode": "immediate",
        "problems-1-deadline_days": "",
    }
    data.update(overrides)
    return data


def test_a_head_records_a_walk_through_with_several_problems(client: Any, office: Office) -> None:
    c = office.c
    assert get(client, c.head, "ledger:walk_new").status_code == 200
    response = post(client, c.head, "ledger:walk_new", walk_data(c))
    assert response.status_code == 302, response.content.decode()[:2000]
    walk = WalkThrough.objects.get(process_name="企业投资项目备案")
    assert walk.steps == [{"name": "网上申报", "minutes": 20}, {"name": "窗口核验", "minutes": 45}]
    assert walk.total_minutes == 65
    found = list(walk.problems.order_by("id"))
    assert [p.title for p in found] == ["系统需重复填报", "窗口排队久"]
    assert all(p.status == ProblemStatus.ASSIGNED and p.organisation == c.drc for p in found)
    response = get(client, c.city_supervisor, "ledger:walks")
    html = response.content.decode()
    assert "企业投资项目备案" in html and "窗口核验" in html
    assert f"walk={walk.public_id}" in html
    listed = get(client, c.city_supervisor, "ledger:problems", walk=str(walk.public_id))
    assert listed.context["page"].paginator.count == 2


def test_a_bad_walk_through_shows_the_error_on_its_problem(client: Any, office: Office) -> None:
    c = office.c
    data = walk_data(c, **{"problems-1-deadline_mode": "working_days", "problems-1-deadline_days": ""})
    response = post(client, c.head, "ledger:walk_new", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-problems-1-deadline_days"' in html
    assert 'data-testid="error-problems-0-' not in html
    assert "系统需重复填报" in html and "高峰期排队超过一小时" in html  # kept
    assert not WalkThrough.objects.exists()
    # Bad minutes and a walk in the future.
    tomorrow = str(timezone.localdate() + dt.timedelta(days=1))
    response = post(
        client, c.head, "ledger:walk_new", walk_data(c, walked_on=tomorrow, **{"steps-1-minutes": "-5"})
    )
    html = response.content.decode()
    assert 'data-testid="error-walked_on"' in html
    assert 'data-testid="error-steps-1-minutes"' in html
    # No step at all.
    response = post(
        client,
        c.head,
        "ledger:walk_new",
        walk_data(
            c, **{"steps-0-name": "", "steps-0-minutes": "", "steps-1-name": "", "steps-1-minutes": ""}
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Problem.objects.filter(walk_through__isnull=False).exists()


def test_a_service_error_on_a_problem_lands_on_its_row(client: Any, office: Office, monkeypatch: Any) -> None:
    """The service names the problem by its position among those given: with an empty
    row between, the error must still reach the right form."""
    from qinqing.common.errors import ValidationFailed

    def refuse(**kwargs: Any) -> Any:
        assert len(kwargs["problems"]) == 1
        raise ValidationFailed(fields={"problems.0.title": ["题目不合适"]})

    monkeypatch.setattr(services, "walkthrough_record", refuse)
    data = walk_data(
        office.c,
        **{
            "problems-TOTAL_FORMS": "2",
            "problems-0-title": "",
            "problems-0-description": "",
            "problems-0-deadline_days": "",
        },
    )
    response = post(client, office.c.head, "ledger:walk_new", data)
    assert response.status_code == 400
    assert 'data-testid="error-problems-1-title"' in response.content.decode()


@pytest.mark.parametrize("who", ["city_supervisor", "enterprise_user", "admin"])
def test_only_departments_record_walk_throughs(client: Any, office: Office, who: str) -> None:
    assert get(client, getattr(office.c, who), "ledger:walk_new").status_code == 403


def test_walks_export(client: Any, office: Office) -> None:
    services.walkthrough_record(
        actor=office.c.head,
        department=office.c.drc,
        process_name="施工许可",
        walked_on=timezone.localdate(),
        steps=[{"name": "受理", "minutes": 30}],
    )
    workbook = book(get(client, office.c.city_supervisor, "ledger:walks_export"))
    assert "施工许可" in column(workbook.worksheets[0], "Process walked")
    steps = workbook.worksheets[1]
    assert "受理" in column(steps, "Step")
    # The commerce bureau's officer does not see the development commission's walk.
    workbook = book(get(client, office.c.other_officer, "ledger:walks_export"))
    assert "施工许可" not in str(values(workbook.worksheets[0]))
    assert get(client, office.c.enterprise_user, "ledger:walks").status_code == 403


# --- Monitoring points and observers ------------------------------------------------------------


def report_path(token: str) -> str:
    return reverse("ledger:point_report", args=[token])


def test_points_show_their_link_and_qr_code(client: Any, office: Office) -> None:
    point = office.w.point
    response = get(client, office.c.city_supervisor, "ledger:points")
    assert response.status_code == 200
    html = response.content.decode()
    assert report_path(point.token) in html
    assert "<svg" in html and 'class="qq-qr"' in html
    response = get(client, office.c.city_supervisor, "ledger:point", point.public_id)
    html = response.content.decode()
    assert response.status_code == 200
    assert "http://testserver" + report_path(point.token) in html
    assert 'data-testid="point-qr"' in html and "<svg" in html
    workbook = book(get(client, office.c.city_supervisor, "ledger:points_export"))
    sheet = workbook.worksheets[0]
    assert point.name in column(sheet, "Name")
    assert "http://testserver" + report_path(point.token) in str(values(sheet))


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user", "admin"])
def test_points_and_observers_are_the_commissions(client: Any, office: Office, who: str) -> None:
    user = getattr(office.c, who)
    for name in ("ledger:points", "ledger:point_new", "ledger:observers", "ledger:observer_new"):
        assert get(client, user, name).status_code == 403, name
    assert get(client, user, "ledger:point", office.w.point.public_id).status_code == 403


def test_a_group_does_not_see_the_commissions_points(client: Any, office: Office) -> None:
    response = get(client, office.c.supervisor, "ledger:point", office.w.point.public_id)
    assert response.status_code == 404


def test_appointing_a_monitoring_point(client: Any, office: Office) -> None:
    c = office.c
    data = {
        "name": "洛江区监测点",
        "organisation": str(c.commission.public_id),
        "credit_code": "91350500XXXXXXXXX0",
        "address": "洛江区万安街道",
        "appointed_on": "2026-02-01",
    }
    response = post(client, c.city_supervisor, "ledger:point_new", data)
    assert response.status_code == 400
    assert 'data-testid="error-credit_code"' in response.content.decode()
    assert 'value="洛江区万安街道"' in response.content.decode()
    data["credit_code"] = c.other_enterprise.credit_code
    response = post(client, c.city_supervisor, "ledger:point_new", data)
    assert response.status_code == 302
    point = MonitoringPoint.objects.get(name="洛江区监测点")
    assert point.enterprise == c.other_enterprise
    assert response["Location"] == reverse("ledger:point", args=[point.public_id])
    response = post(
        client, c.city_supervisor, "ledger:point_new", {**data, "name": "", "appointed_on": "soon"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-name"' in html and 'data-testid="error-appointed_on"' in html


def test_appointing_an_observer(client: Any, office: Office) -> None:
    c = office.c
    person = UserFactory(username="newobserver")
    data = {
        "username": "nobody-here",
        "organisation": str(c.commission.public_id),
        "affiliation": "市个私协会",
        "appointed_on": "2026-02-01",
    }
    response = post(client, c.city_supervisor, "ledger:observer_new", data)
    assert response.status_code == 400
    assert 'data-testid="error-username"' in response.content.decode()
    assert 'value="市个私协会"' in response.content.decode()
    # Already an observer: the service's reason, under the user name.
    response = post(
        client,
        c.city_supervisor,
        "ledger:observer_new",
        {**data, "username": office.w.observer_user.username},
    )
    assert response.status_code == 400
    assert 'data-testid="error-username"' in response.content.decode()
    response = post(client, c.city_supervisor, "ledger:observer_new", {**data, "username": person.username})
    assert response.status_code == 302
    assert Observer.objects.get(user=person).affiliation == "市个私协会"
    response = get(client, c.city_supervisor, "ledger:observers")
    assert "市个私协会" in response.content.decode()
    workbook = book(get(client, c.city_supervisor, "ledger:observers_export"))
    sheet = workbook.worksheets[0]
    assert set(column(sheet, "User name")) >= {"newobserver", "observer"}


# --- Rules established --------------------------------------------------------------------------


def test_recording_a_rule_established(client: Any, office: Office) -> None:
    c = office.c
    assert get(client, c.head, "ledger:outcome_new").status_code == 200
    data = {
        "title": "投资项目备案一次办好工作规程",
        "kind": "rule",
        "document_number": "泉发改〔2026〕12号",
        "issued_on": "2026-03-01",
        "organisation": str(c.drc.public_id),
        "campaign": "",
        "references": f"{office.closed.reference}, TZ20269999999",
        "summary": "",
        "url": "",
    }
    response = post(client, c.head, "ledger:outcome_new", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-references"' in html and "TZ20269999999" in html
    assert "投资项目备案一次办好工作规程" in html
    response = post(client, c.head, "ledger:outcome_new", {**data, "references": "not a ref"})
    assert 'data-testid="error-references"' in response.content.decode()
    response = post(
        client,
        c.head,
        "ledger:outcome_new",
        {**data, "references": f"{office.closed.reference} {office.overdue.reference.lower()}"},
    )
    assert response.status_code == 302
    outcome = RuleOutcome.objects.get()
    assert set(outcome.problems.all()) == {office.closed, office.overdue}
    response = get(client, c.city_supervisor, "ledger:outcomes")
    assert response.status_code == 200
    assert "投资项目备案一次办好工作规程" in response.content.decode()
    per_department = response.context["counts"]["departments"]
    assert [(r["organisation__name"], r["outcome_count"], r["problem_count"]) for r in per_department] == [
        (c.drc.name, 1, 2)
    ]
    workbook = book(get(client, c.city_supervisor, "ledger:outcomes_export"))
    sheet = workbook.worksheets[0]
    assert "泉发改〔2026〕12号" in column(sheet, "Document number")
    # Another department does not see it, nor may it link the first one's problems.
    assert get(client, c.other_officer, "ledger:outcomes").context["rows"] == []
    response = post(
        client,
        c.other_officer,
        "ledger:outcome_new",
        {**data, "organisation": str(c.commerce.public_id), "references": office.closed.reference},
    )
    assert response.status_code == 400
    assert 'data-testid="error-references"' in response.content.decode()


def test_rules_established_are_refused_to_enterprises(client: Any, office: Office) -> None:
    assert get(client, office.c.enterprise_user, "ledger:outcomes").status_code == 403
    assert get(client, office.c.enterprise_user, "ledger:outcome_new").status_code == 403
