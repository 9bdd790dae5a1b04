"""The problem ledger's demo (问题台账) as `seed_demo` loads it through the ledger's
services: the article's figures, computed here from the ledger by queries; the loop's
states and turns; the days things happened; and the walk it leaves ready (an
enterprise reports on a phone, the department fixes, the group verifies, the
enterprise scores)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, User
from qinqing.deadlines.models import Alert, RungName
from qinqing.demo.ledger import LEDGER_USERS, OBSERVER_LOGIN, STORY_DEPARTMENT
from qinqing.demo.seeding import DEMO_PASSWORD, SCENIC_SPOT_CODE, logins
from qinqing.ledger import ladders, services
from qinqing.ledger.models import (
    DEPARTMENT_STATUSES,
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    Category,
    Channel,
    DeadlineMode,
    Institutional,
    Observer,
    Outcome,
    Problem,
    ProblemStatus,
    ProblemTransition,
    ReferralLevel,
    ReturnVisit,
    ReturnVisitPurpose,
    RuleOutcome,
    WalkThrough,
)
from qinqing.ledger.selectors import department_queue, group_queue, problems_for, reported_by

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(file_storage: Any) -> None:
    """Every test here stores its files in a folder of its own."""


@pytest.fixture
def demo_city() -> None:
    call_command("seed_demo", "--enterprises", "60")


def _user(name: str) -> User:
    return User.objects.get(username=name)


# Loading the demo costs a minute or two: one test reads the loaded ledger through the
# checks below, then walks what the demo leaves ready.


def test_the_ledger_demo(demo_city):
    # Given the demo loaded through the services, then:
    check_city_level_39_departments_walked_87_processes_and_found_46_problems_all_rectified()
    check_in_the_counties_102_departments_walked_and_found_186_problems()
    check_the_inspection_found_231_problems_6_institutional_and_25_rules_came_of_it()
    check_the_topic_campaign_on_the_four_environments_gave_38_institutional_results()
    check_the_year_s_report_tells_the_article_s_figures_computed()
    check_every_status_of_the_loop_stands_somewhere()
    check_the_loop_s_turns_are_there()
    check_the_ladder_climbed_on_the_days_it_would_have()
    check_the_history_carries_the_days_over_the_year()
    check_the_ledger_logins_are_in_the_banner_and_work()
    check_each_login_reads_its_own_part()
    # And the walk:
    walk_an_enterprise_reports_the_department_fixes_the_group_verifies_the_enterprise_scores()


def _city_walks() -> Any:
    return WalkThrough.objects.filter(department__parent__kind=OrganisationKind.CITY)


def _county_walks() -> Any:
    return WalkThrough.objects.filter(department__parent__kind=OrganisationKind.DISTRICT)


def check_city_level_39_departments_walked_87_processes_and_found_46_problems_all_rectified() -> None:
    walks = _city_walks()
    assert walks.values("department").distinct().count() == 39
    assert walks.count() == 87
    found = Problem.objects.filter(channel=Channel.WALK, walk_through__in=walks)
    assert found.count() == 46
    assert found.filter(status__in=RECTIFIED_STATUSES).count() == 46
    # Each walk names its steps and the minutes they took; the programme is the city's.
    assert all(w.steps and w.total_minutes == sum(s["minutes"] for s in w.steps) for w in walks)
    assert set(walks.values_list("campaign__organisation__code", flat=True)) == {"jw"}
    # The demo's department head walked processes of his own bureau and found problems.
    head = _user("zhujian-head")
    assert walks.filter(walker=head, department__code=STORY_DEPARTMENT).exists()
    assert found.filter(walk_through__walker=head).exists()


def check_in_the_counties_102_departments_walked_and_found_186_problems() -> None:
    walks = _county_walks()
    assert walks.values("department").distinct().count() == 102
    found = Problem.objects.filter(channel=Channel.WALK, walk_through__in=walks)
    assert found.count() == 186
    assert found.filter(status__in=RECTIFIED_STATUSES).count() == 186
    # Each county's own commission ran its programme; its stationed group verified.
    assert walks.exclude(campaign__organisation__parent=models_f("department__parent")).count() == 0
    assert not found.exclude(supervising_group__parent__parent=models_f("organisation__parent")).exists()
    # Every walk-through found and every problem lies at the city or county level.
    assert Problem.objects.filter(channel=Channel.WALK).count() == 46 + 186


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def check_the_inspection_found_231_problems_6_institutional_and_25_rules_came_of_it() -> None:
    inspection = Problem.objects.filter(channel=Channel.INSPECTION)
    assert inspection.count() == 231
    assert inspection.exclude(institutional=Institutional.NONE).count() == 6
    assert inspection.values("campaign").distinct().count() == 1
    rules = RuleOutcome.objects.filter(campaign__channel=Channel.INSPECTION)
    assert rules.count() == 25
    # Every rule answers problems of the round, and each institutional one has its rule.
    linked = Problem.objects.filter(rule_outcomes__in=rules).distinct()
    assert set(linked.values_list("channel", flat=True)) == {Channel.INSPECTION}
    assert linked.exclude(institutional=Institutional.NONE).count() == 6
    assert inspection.filter(status__in=RECTIFIED_STATUSES).count() == 231
    # The shoe and textile city's cross-border customs service: fixed at once.
    shoes = inspection.get(title__contains="跨境通关服务")
    assert shoes.deadline_mode == DeadlineMode.IMMEDIATE
    assert shoes.status == ProblemStatus.CLOSED
    assert shoes.organisation.code == "jj-swj"


def check_the_topic_campaign_on_the_four_environments_gave_38_institutional_results() -> None:
    results = RuleOutcome.objects.filter(campaign__channel=Channel.TOPIC)
    assert results.count() == 38
    campaign = results.first().campaign
    assert sorted(campaign.topics.values_list("category", flat=True)) == sorted(Category.values)
    assert all(r.problems.exists() for r in results)
    # The rules of the year are those two campaigns' and no others.
    assert RuleOutcome.objects.count() == 25 + 38
    # Topic problems come from the commission's people and from enterprises.
    topic = Problem.objects.filter(channel=Channel.TOPIC)
    assert topic.filter(reporter_enterprise__isnull=False).exists()
    assert topic.filter(reporter_enterprise__isnull=True).exists()
    # The other channels feed the ledger too.
    for channel in (Channel.MONITORING, Channel.OBSERVER, Channel.VISIT, Channel.COMPLAINT):
        assert Problem.objects.filter(channel=channel).exists(), channel
    check_the_problems_the_topic_results_answer_are_institutional(results)


def check_the_problems_the_topic_results_answer_are_institutional(results: Any) -> None:
    """The problems behind the topic campaign's institutional results are flagged 机制性;
    with the inspection round's six they are the demo's institutional problems, and the
    ledger's filter lists exactly them."""
    answered = Problem.objects.filter(rule_outcomes__in=results).distinct()
    assert answered.count() >= 20
    assert set(answered.values_list("channel", flat=True)) == {Channel.TOPIC}
    assert set(answered.values_list("institutional", flat=True)) == {Institutional.MECHANISM}
    topic = Problem.objects.filter(channel=Channel.TOPIC)
    single = topic.exclude(pk__in=answered)
    assert single.exists() and set(single.values_list("institutional", flat=True)) == {Institutional.NONE}
    institutional = Problem.objects.exclude(institutional=Institutional.NONE)
    inspection = institutional.filter(channel=Channel.INSPECTION)
    assert inspection.count() == 6
    assert set(institutional) == set(answered) | set(inspection)
    # Both kinds stand in the demo: the round's 体制性 and 机制性, the campaign's 机制性.
    assert set(institutional.values_list("institutional", flat=True)) == {
        Institutional.STRUCTURAL,
        Institutional.MECHANISM,
    }
    # The ledger's filter, as the commission's list, its export and drill-down links read it.
    from qinqing.ledger.filters import ProblemFilters

    commission = _user("shijiwei")
    listed = ProblemFilters.from_query({"institutional": "mechanism", "channel": "topic"}).apply(commission)
    assert set(listed) == set(answered)
    mechanism = ProblemFilters.from_query({"institutional": "mechanism"}).apply(commission)
    assert set(mechanism) == set(institutional.filter(institutional=Institutional.MECHANISM))


def check_the_year_s_report_tells_the_article_s_figures_computed() -> None:
    """The quarterly progress report over the past year, for the whole city: its headline
    sentences, computed from the ledger, carry the article's figures."""
    import re

    from qinqing.ledger.reports import compute
    from qinqing.ledger.reports.figures import Period

    city = Organisation.objects.get(kind=OrganisationKind.CITY)
    today = timezone.localdate()
    figures = compute(
        "quarterly_progress", Period(scope=city, start=today - dt.timedelta(days=364), end=today)
    )
    english = figures["headlines"]["en"]
    assert (
        f"In {city.name}, 39 departments walked 87 processes and found 46 problems, all rectified." in english
    )
    county = [s for s in english if s.startswith(f"In the districts and counties of {city.name}, ")]
    assert len(county) == 1
    assert re.fullmatch(
        r".*, 102 departments walked \d+ processes and found 186 problems, all rectified\.", county[0]
    )
    assert (
        "Inspections found 231 problems, 6 of them institutional, and led to 25 rules established." in english
    )
    topic = [s for s in english if s.startswith("Topic campaigns found ")]
    assert len(topic) == 1 and topic[0].endswith("and led to 38 rules established.")
    answered = Problem.objects.filter(rule_outcomes__campaign__channel=Channel.TOPIC).distinct().count()
    assert f", {answered} of them institutional, " in topic[0]
    chinese = figures["headlines"]["zh-hans"]
    assert any("39个部门" in s and "87项" in s and "全部整改" in s for s in chinese), chinese


def check_every_status_of_the_loop_stands_somewhere() -> None:
    statuses = set(Problem.objects.values_list("status", flat=True))
    assert statuses == set(ProblemStatus.values)
    counts = dict(Problem.objects.values_list("status").annotate(n=Count("id")))
    # Most are closed, with the reporter's score.
    assert counts[ProblemStatus.CLOSED] > Problem.objects.count() * 0.8
    assert not Problem.objects.filter(status=ProblemStatus.CLOSED, satisfaction__isnull=True).exists()
    scores = set(Problem.objects.filter(status=ProblemStatus.CLOSED).values_list("satisfaction", flat=True))
    assert {3, 4, 5} <= scores


def check_the_loop_s_turns_are_there() -> None:
    # Sent back once by the group, then verified.
    assert Problem.objects.filter(send_back_count=1, status=ProblemStatus.CLOSED).exists()
    # Reopened by the reporter after closure: back with the department.
    reopened = Problem.objects.get(reopen_count=1, status=ProblemStatus.RECTIFYING)
    assert reopened.transitions.filter(action="reopen", actor=reopened.reporter_user).exists()
    # Not fixed at the first return visit, fixed at the second.
    again = Problem.objects.get(transitions__action="reopen_by_visit")
    assert again.status == ProblemStatus.CLOSED
    assert again.return_visits.filter(fixed=False).exists()
    # A withdrawal the department asked for, refused by the reporter called back.
    refused = ReturnVisit.objects.get(purpose=ReturnVisitPurpose.WITHDRAWAL_CHECK, agrees=False)
    assert refused.problem.withdrawal_flagged
    assert refused.problem.status == ProblemStatus.RECTIFYING
    # Another waits for the call back.
    assert Problem.objects.get(status=ProblemStatus.WITHDRAWAL_REQUESTED).withdrawal_flagged
    # A duplicate merged into the problem it repeats; one referred to the province.
    merged = Problem.objects.get(status=ProblemStatus.MERGED)
    assert merged.duplicate_of.status in OPEN_STATUSES
    assert Problem.objects.get(status=ProblemStatus.REFERRED).referred_level == ReferralLevel.PROVINCE
    # Partly fixed, said so by the group, and scored by the reporter.
    partly = Problem.objects.get(outcome=Outcome.PARTLY_FIXED)
    assert partly.status == ProblemStatus.CLOSED
    assert partly.reason


def check_the_ladder_climbed_on_the_days_it_would_have() -> None:
    today = timezone.localdate()
    alerts = Alert.objects.filter(deadline__kind=ladders.KIND)
    # Overdue with the department's clock running: the alarm fired (and the escalation).
    overdue = Problem.objects.filter(status__in=DEPARTMENT_STATUSES, due_date__lt=today)
    assert overdue.count() >= 3
    for problem in overdue:
        assert alerts.filter(deadline__object_id=str(problem.pk), rung=RungName.ALARM).exists(), problem
    # Problems fixed late heard the alarm first, on the day after their due date.
    late = Problem.objects.filter(status=ProblemStatus.CLOSED, rectified_on__gt=models_f("due_date"))
    assert late.count() > 10
    fired = alerts.filter(
        rung=RungName.ALARM, deadline__object_id__in=[str(p) for p in late.values_list("pk", flat=True)]
    )
    assert fired.count() >= late.count() // 2
    assert all(a.fired_on < today for a in fired)


def check_the_history_carries_the_days_over_the_year() -> None:
    today = timezone.localdate()
    first = ProblemTransition.objects.order_by("at").first().at
    assert (today - timezone.localtime(first).date()).days > 250
    days = {timezone.localtime(at).date() for at in ProblemTransition.objects.values_list("at", flat=True)}
    assert len(days) > 150
    assert max(days) < today
    # Walks were recorded on the day they were walked.
    for walk in WalkThrough.objects.all()[:20]:
        assert timezone.localtime(walk.created_at).date() == walk.walked_on


def check_the_ledger_logins_are_in_the_banner_and_work() -> None:
    names = {username for _role, username, _password in logins()}
    wanted = {u.username for u in LEDGER_USERS} | {OBSERVER_LOGIN[0], "shijiwei", "jijian", "qiye"}
    assert wanted <= names
    assert Observer.objects.filter(user__username=OBSERVER_LOGIN[0], active=True).exists()
    for name in wanted:
        client = Client()
        response = client.post("/accounts/login/", {"username": name, "password": DEMO_PASSWORD})
        assert response.status_code == 302, name
        assert client.get("/").status_code == 200, name


def check_each_login_reads_its_own_part() -> None:
    officer = _user("zhujian1")
    queue = department_queue(officer)
    assert queue.exists()
    assert set(queue.values_list("organisation__code", flat=True)) == {STORY_DEPARTMENT}
    group = group_queue(_user("jijian"))
    assert group.filter(status=ProblemStatus.SUBMITTED, organisation__code=STORY_DEPARTMENT).exists()
    assert group.filter(status=ProblemStatus.WITHDRAWAL_REQUESTED).exists()
    observer = _user(OBSERVER_LOGIN[0])
    mine = problems_for(observer)
    assert mine.count() == Problem.objects.filter(channel=Channel.OBSERVER).count() > 0
    assert mine.filter(status=ProblemStatus.VERIFIED).exists()  # waits for his score
    assert problems_for(_user("shijiwei")).count() == Problem.objects.count()
    assert reported_by(_user("qiye")).filter(status=ProblemStatus.CLOSED).exists()


def walk_an_enterprise_reports_the_department_fixes_the_group_verifies_the_enterprise_scores() -> None:
    qiye, commission = _user("qiye"), _user("shijiwei")
    officer, group = _user("zhujian1"), _user("jijian")
    bureau = Organisation.objects.get(code=STORY_DEPARTMENT)
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    problem = services.problem_report(
        actor=qiye,
        channel=Channel.COMPLAINT,
        title="景区游客中心改造工程消防验收预约排不上",
        description="游客中心改造完工两周，消防验收网上预约一直显示无号。",
        category=Category.GOVERNMENT,
        subcategory="efficiency",
        files=[photo],
    )
    assert problem.reporter_enterprise.credit_code == SCENIC_SPOT_CODE
    problem = services.problem_assign(
        actor=commission, problem=problem, department=bureau, deadline_days=5, revision=problem.revision
    )
    assert problem.supervising_group.code == "jw-g2"
    assert problem in department_queue(officer)
    services.problem_progress(actor=officer, problem=problem, text="已安排本周内现场验收。")
    services.problem_submit(
        actor=officer,
        problem=problem,
        text="已完成消防验收，出具验收意见书。",
        files=[SimpleUploadedFile("yanshou.pdf", PDF, content_type="application/pdf")],
    )
    assert group_queue(group).filter(pk=problem.pk).exists()
    services.problem_verify(actor=group, problem=problem)
    visit = services.problem_return_visit(actor=qiye, problem=problem, score=5, fixed=True, comment="很快")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    assert visit.score == problem.satisfaction == 5
    assert timezone.localdate(problem.registered_at) == timezone.localdate()
    # Today's problem is on today's ledger, next to the year's.
    today = timezone.localdate()
    closed_today = Problem.objects.filter(
        Q(closed_at__date__gte=today - dt.timedelta(days=1)), status=ProblemStatus.CLOSED
    )
    assert problem in closed_today
