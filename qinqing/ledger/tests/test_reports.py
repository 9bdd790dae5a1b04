"""Report figures against a small ledger built through the real services at chosen
times, and computed by hand; reproducibility of a past period; bad requests.

The loop services read the clock through `services.common.now` (imported by name into
`loop` and `intake`): `clock` sets it, so each step happens at the moment the fixture
says. Problems are reported with `at=` directly."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.common.errors import PermissionDenied, ValidationFailed
from qinqing.ledger import services
from qinqing.ledger.models import Category, Channel, LedgerReport, ReportKind, ReportStatus, Severity
from qinqing.ledger.services import common as common_services
from qinqing.ledger.services import intake as intake_services
from qinqing.ledger.services import loop as loop_services
from qinqing.ledger.services.reports import figures_digest, report_generate, report_run

from .conftest import pdf

BEIJING = ZoneInfo("Asia/Shanghai")
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
JULY = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))


def moment(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BEIJING)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    @contextmanager
    def at(self, when: dt.datetime):
        for module in (common_services, loop_services, intake_services):
            self.monkeypatch.setattr(module, "now", lambda when=when: when)
            if hasattr(module, "today"):
                self.monkeypatch.setattr(module, "today", lambda when=when: when.astimezone(BEIJING).date())
        yield


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def report(world, when, **overrides):
    fields = {
        "channel": Channel.COMPLAINT,
        "title": "审批材料反复补正",
        "description": "同一份材料被要求补正三次。",
        "category": Category.GOVERNMENT,
    }
    fields.update(overrides)
    return services.problem_report(actor=world.city.enterprise_user, at=when, **fields)


def assign(world, clock, problem, when, department, days=5):
    with clock.at(when):
        return services.problem_assign(
            actor=world.city.city_supervisor, problem=problem, department=department, deadline_days=days
        )


def fix(world, clock, problem, submitted, verified, *, officer, group):
    with clock.at(submitted):
        problem = services.problem_submit(actor=officer, problem=problem, text="已整改", files=[pdf()])
    with clock.at(verified):
        return services.problem_verify(actor=group, problem=problem)


def visit(world, clock, problem, when, score, fixed=True):
    with clock.at(when):
        services.problem_return_visit(
            actor=world.city.enterprise_user,
            problem=problem,
            score=score,
            fixed=fixed,
            comment="" if fixed else "还没改好",
        )
    problem.refresh_from_db()
    return problem


@pytest.fixture
def quarter(ledger, clock):
    return build_quarter(ledger, clock)


def build_quarter(ledger, clock):
    """Q3 2026 at the city (hand-computed figures in the tests below):

    P1 drc  07-02 closed on time, visit 5      P5 commerce 07-20 withdrawal asked, agreed
    P2 drc  07-03 verified late (serious)      P6 (unassigned) 08-05 registered only
    P3 drc  07-10 open, overdue, institutional P7 drc 06-20 (before) closed in July, visit 4
    P4 commerce 07-15 sent back once, closed on time, visit 3
    P8 drc  07-06 visit "not fixed" (2) reopened, verified again on time
    A rule issued 08-10 by drc answers P2 and P3.
    """
    c = ledger.city
    drc, commerce = c.drc, c.commerce
    officer, group = c.officer, c.supervisor  # the group watches drc
    com_officer, com_group = c.other_officer, c.city_supervisor  # no group: the commission

    p7 = report(ledger, moment(6, 20))
    p7 = assign(ledger, clock, p7, moment(6, 20), drc)
    p7 = fix(ledger, clock, p7, moment(7, 5), moment(7, 6), officer=officer, group=group)
    p7 = visit(ledger, clock, p7, moment(7, 7), 4)

    p1 = report(ledger, moment(7, 2))
    p1 = assign(ledger, clock, p1, moment(7, 2), drc)
    p1 = fix(ledger, clock, p1, moment(7, 6), moment(7, 8), officer=officer, group=group)
    p1 = visit(ledger, clock, p1, moment(7, 9), 5)

    p2 = report(ledger, moment(7, 3), severity=Severity.SERIOUS)
    p2 = assign(ledger, clock, p2, moment(7, 3), drc, days=2)
    with clock.at(moment(7, 6)):
        p2 = services.problem_progress(actor=officer, problem=p2, text="正在梳理")
    p2 = fix(ledger, clock, p2, moment(7, 20), moment(7, 21), officer=officer, group=group)

    p8 = report(ledger, moment(7, 6))
    p8 = assign(ledger, clock, p8, moment(7, 6), drc)
    p8 = fix(ledger, clock, p8, moment(7, 8), moment(7, 9), officer=officer, group=group)
    p8 = visit(ledger, clock, p8, moment(7, 10), 2, fixed=False)
    p8 = fix(ledger, clock, p8, moment(7, 13), moment(7, 14), officer=officer, group=group)

    p3 = report(ledger, moment(7, 10), category=Category.LEGAL, institutional="structural")
    p3 = assign(ledger, clock, p3, moment(7, 10), drc, days=3)
    with clock.at(moment(7, 11)):
        p3 = services.problem_progress(actor=officer, problem=p3, text="研究中")

    p4 = report(ledger, moment(7, 15), category=Category.MARKET)
    p4 = assign(ledger, clock, p4, moment(7, 15), commerce)
    with clock.at(moment(7, 16)):
        p4 = services.problem_submit(actor=com_officer, problem=p4, text="已整改", files=[pdf()])
    with clock.at(moment(7, 17)):
        p4 = services.problem_send_back(actor=com_group, problem=p4, reason="证据不足")
    p4 = fix(ledger, clock, p4, moment(7, 18), moment(7, 20), officer=com_officer, group=com_group)
    p4 = visit(ledger, clock, p4, moment(7, 21), 3)

    p5 = report(ledger, moment(7, 20))
    p5 = assign(ledger, clock, p5, moment(7, 20), commerce)
    with clock.at(moment(7, 22)):
        p5 = services.problem_request_withdrawal(actor=com_officer, problem=p5, reason="企业已自行解决")
    with clock.at(moment(7, 23)):
        services.problem_check_withdrawal(actor=com_group, problem=p5, agrees=True)

    p6 = report(ledger, moment(8, 5))

    services.rule_outcome_record(
        actor=c.city_supervisor,
        title="审批材料一次性告知制度",
        organisation=drc,
        issued_on=dt.date(2026, 8, 10),
        problems=[p2, p3],
    )
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6, "p7": p7, "p8": p8}


def generate(world, kind, period, *, actor=None, scope=None):
    made = report_generate(
        actor=actor or world.city.city_supervisor,
        kind=kind,
        scope=scope or world.city.city,
        period_start=period[0],
        period_end=period[1],
    )
    return report_run(report_id=made.public_id)


def row(rows, key):
    found = [r for r in rows if r[0] == key]
    assert len(found) == 1, (key, rows)
    return dict(zip(["key", *COLUMNS], found[0], strict=True))


COLUMNS = (
    "registered",
    "assigned",
    "rectified",
    "closed",
    "on_time",
    "overdue",
    "send_backs",
    "reopened",
    "withdrawals_asked",
    "withdrawals_agreed",
    "withdrawals_refused",
    "withdrawals_pending",
    "visits",
    "visit_score_sum",
)


def test_the_quarterly_report_counts_the_quarter_as_it_stood_at_its_end(ledger, quarter):
    c = ledger.city
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    assert done.status == ReportStatus.READY, done.error
    f = done.figures
    t = f["totals"]
    # P1..P6 and P8 registered in Q3 (P7 in June); all but P6 assigned.
    assert (t["registered"], t["assigned"]) == (7, 6)
    # Rectified: P1, P2, P4, P8; closed by return visit: P1, P4; on time: P1, P4, P8 (P2 late).
    assert (t["rectified"], t["closed"], t["on_time"]) == (4, 2, 3)
    assert t["on_time_rate"] == 0.75
    assert t["overdue"] == 1  # P3, due 07-15, still being rectified
    assert (t["send_backs"], t["reopened"]) == (1, 1)  # P4; P8 by its return visit
    assert (t["withdrawals_asked"], t["withdrawals_agreed"], t["withdrawals_pending"]) == (1, 1, 0)
    # Visits in Q3: P7 4, P1 5, P8 2, P4 3.
    assert (t["visits"], t["visit_score_sum"], t["mean_satisfaction"]) == (4, 14, 3.5)

    drc = row(f["by_department"], c.drc.name)
    assert (drc["registered"], drc["rectified"], drc["closed"], drc["on_time"], drc["overdue"]) == (
        4,
        3,
        1,
        2,
        1,
    )
    assert (drc["reopened"], drc["visits"], drc["visit_score_sum"]) == (1, 3, 11)
    commerce = row(f["by_department"], c.commerce.name)
    assert (commerce["registered"], commerce["rectified"], commerce["send_backs"]) == (2, 1, 1)
    assert (commerce["withdrawals_asked"], commerce["withdrawals_agreed"]) == (1, 1)
    unassigned = row(f["by_department"], c.commission.name)
    assert (unassigned["registered"], unassigned["assigned"]) == (1, 0)
    assert row(f["by_channel"], Channel.COMPLAINT)["registered"] == 7

    assert f["rules"] == {
        "rules": 1,
        "problems": 2,
        "institutional": 1,
        "rows": [[c.drc.name, 1, 2, 1]],
        "by_channel": {},  # the rule came out of no campaign
    }
    assert f["channels"][Channel.COMPLAINT] == [7, 1]  # P3 is institutional
    assert f["walkthroughs"]["processes"] == 0
    zh, en = f["headlines"]["zh-hans"], f["headlines"]["en"]
    assert any("7" in s and "4" in s for s in zh)
    assert en[0] == (
        "泉州市 registered 7 problems in the period; 4 were rectified by its end, 75.0% of those on time."
    )


def test_a_later_reopening_or_closing_does_not_change_a_past_quarter(ledger, quarter, clock):
    c = ledger.city
    first = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    first_circular = generate(ledger, ReportKind.CIRCULAR, Q3)
    # After the quarter: P1 reopened by its group, P3 finally fixed and closed, P2 closed.
    with clock.at(moment(10, 12)):
        services.problem_reopen(actor=c.supervisor, problem=quarter["p1"], reason="又出现了")
    fix(ledger, clock, quarter["p3"], moment(10, 13), moment(10, 14), officer=c.officer, group=c.supervisor)
    visit(ledger, clock, quarter["p3"], moment(10, 15), 5)
    visit(ledger, clock, quarter["p2"], moment(10, 15), 1)
    again = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    again_circular = generate(ledger, ReportKind.CIRCULAR, Q3)
    assert again.pk != first.pk
    assert again.figures == first.figures
    assert again.figures_sha256 == first.figures_sha256 == figures_digest(first.figures)
    assert again_circular.figures_sha256 == first_circular.figures_sha256
    # The fourth quarter does see what happened (so the test could fail).
    # (To date while the quarter is under way: a quarterly report covers a calendar quarter.)
    q4_end = min(timezone.localdate(), dt.date(2026, 12, 31))
    q4 = generate(ledger, ReportKind.QUARTERLY_PROGRESS, (dt.date(2026, 10, 1), q4_end))
    assert q4.figures["totals"]["reopened"] == 1
    assert q4.figures["totals"]["visits"] == 2


def test_a_later_reclassification_does_not_change_a_past_month(ledger, quarter, clock):
    """Category, severity and the institutional flag are counted as they stood at the
    period's end: a reclassification writes a transition row, as a move does."""
    c = ledger.city
    first = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    with clock.at(moment(8, 20)):
        services.problem_classify(
            actor=c.city_supervisor, problem=quarter["p3"], category=Category.MARKET, severity="serious"
        )
    again = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    assert again.figures == first.figures
    assert again.figures["by_category"] == [["government", 4], ["legal", 1], ["market", 1]]
    # July and August together end after it: there P3 is a serious market problem, not institutional.
    summer = generate(ledger, ReportKind.MONTHLY_CLUES, (JULY[0], dt.date(2026, 8, 31))).figures
    assert summer["by_category"] == [["government", 5], ["market", 2]]
    assert summer["by_severity"] == [["minor", 5], ["serious", 2]]
    assert summer["totals"]["institutional"] == 0
    # On the problem's page the reclassification is a row of its history, the status kept.
    reclassified = quarter["p3"].transitions.get(action="classify")
    assert reclassified.from_status == reclassified.to_status == "rectifying"
    client = Client()
    client.force_login(c.city_supervisor)
    page = client.get(reverse("ledger:problem", args=[quarter["p3"].public_id]), HTTP_ACCEPT_LANGUAGE="en")
    history = page.content.decode().split('data-testid="history"')[1]
    assert "Reclassified: Market environment" in history


def test_the_monthly_clue_report_lists_the_months_new_problems(ledger, quarter):
    c = ledger.city
    done = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    assert done.status == ReportStatus.READY, done.error
    f = done.figures
    # July: P1, P2, P8, P3, P4, P5 (P7 is June's, P6 August's).
    assert f["totals"] == {"new": 6, "institutional": 1, "assigned": 6, "rectified": 4}
    assert f["by_channel"] == [["complaint", 6]]
    assert f["by_category"] == [["government", 4], ["legal", 1], ["market", 1]]
    assert f["by_severity"] == [["minor", 5], ["serious", 1]]
    assert f["by_institutional"] == [["structural", 1]]
    assert f["by_department"] == [[c.drc.name, 4, 1], [c.commerce.name, 2, 0]]
    references = [clue[0] for clue in f["clues"]]
    expected = [quarter[k].reference for k in ("p1", "p2", "p8", "p3", "p4", "p5")]
    assert references == expected
    p5 = f["clues"][-1]
    assert p5[1] == "2026-07-20" and p5[7] == c.commerce.name and p5[8] == "withdrawn"
    assert f["headlines"]["en"][0] == (
        "From 2026-07-01 to 2026-07-31, 泉州市 registered 6 new problems, 1 of them institutional."
    )


@override_settings(LEDGER_CIRCULAR_MIN_VOLUME=2, LEDGER_CIRCULAR_PRIOR_WEIGHT=2)
def test_the_circular_ranks_with_shrunk_rates_and_a_minimum_volume(ledger, quarter):
    c = ledger.city
    done = generate(ledger, ReportKind.CIRCULAR, Q3)
    f = done.figures
    m = 2
    # Counted (new in Q3, not merged, referred or withdrawn by the reporter):
    # drc P1 P2 P3 P8; commerce P4 P5 (the withdrawal the department asked for counts);
    # the commission P6 (1, below the minimum of 2).
    closure_mean = Fraction(2, 7)  # closed P1, P4 of 7
    timely_mean = Fraction(3, 5)  # on time P1 P8 P4 of due P1 P2 P8 P3 P4
    # Satisfaction as (score - 1) / 4 over the counted problems' visits: P1 5, P8 2, P4 3.
    satisfied = {"drc": Fraction(4 + 1, 4), "commerce": Fraction(2, 4)}
    satisfaction_mean = (satisfied["drc"] + satisfied["commerce"]) / 3

    def shrink(k, trials, mean):
        return (k + m * mean) / (trials + m)

    drc = 100 * (
        Fraction(2, 5) * shrink(1, 4, closure_mean)
        + Fraction(3, 10) * shrink(2, 4, timely_mean)
        + Fraction(3, 10) * shrink(satisfied["drc"], 2, satisfaction_mean)
    )
    commerce = 100 * (
        Fraction(2, 5) * shrink(1, 2, closure_mean)
        + Fraction(3, 10) * shrink(1, 1, timely_mean)
        + Fraction(3, 10) * shrink(satisfied["commerce"], 1, satisfaction_mean)
    )
    assert [(r[0], r[1], r[-1]) for r in f["ranked"]] == [
        (1, c.commerce.name, round(float(commerce), 2)),
        (2, c.drc.name, round(float(drc), 2)),
    ]
    assert f["not_ranked"] == [[c.commission.name, 1]]
    assert f["parameters"] == {
        "min_volume": 2,
        "prior_weight": 2,
        "weights": {"closure": 0.4, "timeliness": 0.3, "satisfaction": 0.3},
    }
    assert f["means"]["closure"] == round(float(closure_mean), 4)
    assert "2 departments are ranked; 1 with fewer than 2 counted problems are not." in f["headlines"]["en"]


def test_a_tiny_department_cannot_top_the_circular(ledger, quarter):
    """With the defaults (minimum 5) none of the fixture's departments is ranked."""
    f = generate(ledger, ReportKind.CIRCULAR, Q3).figures
    assert f["ranked"] == []
    assert {r[0] for r in f["not_ranked"]} == {
        ledger.city.drc.name,
        ledger.city.commerce.name,
        ledger.city.commission.name,
    }


def test_walk_through_headlines_say_all_only_when_all_were_rectified(ledger, clock):
    c = ledger.city
    with clock.at(moment(8, 3)):
        walk = services.walkthrough_record(
            actor=c.head,
            department=c.drc,
            process_name="企业投资项目备案",
            walked_on=dt.date(2026, 8, 3),
            steps=[{"name": "取号", "minutes": 10}],
            problems=[
                {
                    "title": "备案材料重复提交",
                    "description": "纸质与网上各一份",
                    "category": "government",
                    "deadline_days": 5,
                },
                {
                    "title": "窗口解释不一",
                    "description": "两个窗口说法不同",
                    "category": "government",
                    "deadline_days": 5,
                },
            ],
            at=moment(8, 3),
        )
    with clock.at(moment(8, 4)):
        services.walkthrough_record(
            actor=c.head,
            department=c.drc,
            process_name="价格认定",
            walked_on=dt.date(2026, 8, 4),
            steps=[{"name": "受理", "minutes": 5}],
            at=moment(8, 4),
        )
    first, second = walk.problems.order_by("id")
    fix(ledger, clock, first, moment(8, 5), moment(8, 6), officer=c.officer, group=c.supervisor)
    f = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3).figures
    assert f["walkthroughs"] == {
        "departments": 1,
        "processes": 2,
        "problems": 2,
        "rectified": 1,
        "rows": [[c.drc.name, 2, 2, 1]],
        "levels": [{"level": "own", "departments": 1, "processes": 2, "problems": 2, "rectified": 1}],
    }
    assert (
        "In 泉州市, 1 department walked 2 processes and found 2 problems, 1 of them rectified."
        in (f["headlines"]["en"])
    )
    fix(ledger, clock, second, moment(8, 7), moment(8, 8), officer=c.officer, group=c.supervisor)
    f = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3).figures
    assert (
        "In 泉州市, 1 department walked 2 processes and found 2 problems, all rectified."
        in f["headlines"]["en"]
    )
    assert "泉州市跟进督促1个部门走流程2项，发现问题2个，已全部整改。" in f["headlines"]["zh-hans"]

    # A county department walks too: the city's departments and the counties' are told apart.
    county_head = give_role(
        UserFactory(username="fz-head"), Role.DEPARTMENT_HEAD, organisation=c.district_dept
    )
    with clock.at(moment(8, 10)):
        services.walkthrough_record(
            actor=county_head,
            department=c.district_dept,
            process_name="食品经营许可",
            walked_on=dt.date(2026, 8, 10),
            steps=[{"name": "受理", "minutes": 15}],
            at=moment(8, 10),
        )
    f = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3).figures
    assert [level["level"] for level in f["walkthroughs"]["levels"]] == ["own", "below"]
    english = f["headlines"]["en"]
    assert "In 泉州市, 1 department walked 2 processes and found 2 problems, all rectified." in english
    assert (
        "In the districts and counties of 泉州市, 1 department walked 1 process and found no problems."
        in english
    )


def test_a_scope_covers_its_subtree_only(ledger, quarter):
    f = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3, scope=ledger.city.drc).figures
    assert f["totals"]["registered"] == 4
    assert [r[0] for r in f["by_department"]] == [ledger.city.drc.name]


# --- requests ------------------------------------------------------------------------------------


def test_the_request_is_queued_and_the_job_is_safe_to_run_twice(
    ledger, quarter, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from qinqing.ledger.tasks import generate_ledger_report

    with django_capture_on_commit_callbacks(execute=True):
        made = report_generate(
            actor=ledger.city.city_supervisor,
            kind=ReportKind.QUARTERLY_PROGRESS,
            scope=ledger.city.city,
            period_start=Q3[0],
            period_end=Q3[1],
        )
    assert made.status == ReportStatus.PENDING
    job = DBTaskResult.objects.get(task_path="qinqing.ledger.tasks.generate_ledger_report")
    assert job.args_kwargs["kwargs"] == {"report_id": str(made.public_id)}
    assert generate_ledger_report.call(report_id=str(made.public_id)) == ReportStatus.READY
    made.refresh_from_db()
    names = (made.xlsx_name, made.pdf_name)
    assert generate_ledger_report.call(report_id=str(made.public_id)) == ReportStatus.READY
    made.refresh_from_db()
    assert (made.xlsx_name, made.pdf_name) == names
    assert made.generated_at is not None


def test_a_failure_is_recorded_with_its_error(ledger, quarter, monkeypatch):
    from qinqing.ledger.reports import render

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(render, "write_pdf", broken)
    done = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    assert done.status == ReportStatus.FAILED
    assert "no fonts" in done.error
    assert done.figures is None


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        ("weekly", Q3[0], Q3[1], "kind"),
        (ReportKind.MONTHLY_CLUES, dt.date(2026, 7, 31), dt.date(2026, 7, 1), "period_end"),
        (ReportKind.MONTHLY_CLUES, "2026-07-01", Q3[1], "period_start"),
        (ReportKind.MONTHLY_CLUES, dt.date(2025, 1, 1), dt.date(2026, 7, 1), "period_end"),
        (ReportKind.MONTHLY_CLUES, dt.date(2026, 7, 1), dt.date(2099, 7, 31), "period_end"),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(ledger, kind, start, end, field):
    with pytest.raises(ValidationFailed) as caught:
        report_generate(
            actor=ledger.city.city_supervisor,
            kind=kind,
            scope=ledger.city.city,
            period_start=start,
            period_end=end,
        )
    assert field in caught.value.fields
    assert not LedgerReport.objects.exists()


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user", "supervisor", "admin"])
def test_only_supervisors_whose_reach_covers_the_scope_may_ask(ledger, who):
    # The group's supervisor reaches drc only, not the whole city.
    with pytest.raises(PermissionDenied):
        report_generate(
            actor=getattr(ledger.city, who),
            kind=ReportKind.MONTHLY_CLUES,
            scope=ledger.city.city,
            period_start=JULY[0],
            period_end=JULY[1],
        )
    assert not LedgerReport.objects.exists()


def test_the_group_supervisor_may_report_on_the_department_it_watches(ledger, quarter):
    done = generate(
        ledger, ReportKind.MONTHLY_CLUES, JULY, actor=ledger.city.supervisor, scope=ledger.city.drc
    )
    assert done.status == ReportStatus.READY
    assert done.figures["totals"]["new"] == 4


# --- A period not over yet ---------------------------------------------------------------------


def test_a_period_ending_today_is_counted_as_of_an_instant_and_says_so(ledger):
    """A report whose period ends today is provisional: counted as of the moment it was
    computed, with that instant in its figures, so that it can be reproduced; a problem
    registered after the instant is not in it."""
    from qinqing.ledger.reports import Period, compute

    now = common_services.now()
    today = common_services.today()
    start = today - dt.timedelta(days=1)  # holds the last ten minutes, even just after midnight
    report(ledger, now - dt.timedelta(minutes=10))
    instant = now - dt.timedelta(minutes=5)
    report(ledger, now - dt.timedelta(minutes=1))  # after the instant
    period = Period(ledger.city.city, start, today, as_of=instant)
    first = compute(ReportKind.QUARTERLY_PROGRESS, period)
    assert first["as_of"] == instant.isoformat()
    assert first["totals"]["registered"] == 1
    assert compute(ReportKind.QUARTERLY_PROGRESS, period) == first  # the same instant, the same figures
    whole = compute(ReportKind.QUARTERLY_PROGRESS, Period(ledger.city.city, start, today))
    assert whole["totals"]["registered"] == 2
    assert "as_of" not in whole

    # Through the job (the monthly report: a quarterly one starts on a quarter's first day).
    done = generate(ledger, ReportKind.MONTHLY_CLUES, (start, today))
    assert done.status == ReportStatus.READY
    as_of = dt.datetime.fromisoformat(done.figures["as_of"])
    assert now <= as_of <= done.generated_at
    assert done.figures["totals"]["new"] == 2


def test_a_past_period_is_not_provisional(ledger, quarter):
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    assert "as_of" not in done.figures
