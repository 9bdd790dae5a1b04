"""Each kind of red flag, found and not found, within the supervisor's reach."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import override

from qinqing.common.errors import PermissionDenied
from qinqing.policies.models import StepOutcome
from qinqing.supervision.redflags import FlagKind, Reach, Severity, flag_counts, flag_list

from .redflag_world import YEAR, beijing

pytestmark = pytest.mark.django_db


def flags(world, kind, **reach):
    return list(flag_list(world.reach(**reach), kind))


def counts(world, **reach):
    return flag_counts(world.reach(**reach))


# --- Decided outside working hours ---------------------------------------------------------------


def test_a_decision_on_a_rest_day_or_at_night_is_flagged(flag_world):
    w = flag_world
    ent = w.enterprise()
    sunday_night = w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 8, 22, 14))
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 23, 40))  # Tuesday night
    w.decide(
        w.case(ent), actor=w.head, at=beijing(2026, 10, 2, 10, 0), outcome=StepOutcome.REJECTED
    )  # National Day
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 18, 30))  # Tuesday, just after closing
    with override("en"):
        found = flags(w, FlagKind.AFTER_HOURS)
    assert [f.fact for f in found] == [
        "Acceptance rejected on Friday 2026-10-02 at 10:00: a public holiday (National Day)",
        "Acceptance approved on Tuesday 2026-03-10 at 23:40: outside office hours (08:30–18:00)",
        "Acceptance approved on Tuesday 2026-03-10 at 18:30: outside office hours (08:30–18:00)",
        "Acceptance approved on Sunday 2026-03-08 at 22:14: a rest day; outside office hours (08:30–18:00)",
    ]
    assert [f.severity for f in found] == [Severity.MEDIUM, Severity.MEDIUM, Severity.LOW, Severity.HIGH]
    last = found[-1]
    assert last.official == "张三"
    assert last.cases[0].url.endswith(f"/supervision/policies/cases/{sunday_night.case.public_id}/")
    assert last.data["local_time"] == "2026-03-08T22:14"
    # In Chinese.
    zh = flags(w, FlagKind.AFTER_HOURS)[-1].fact
    assert zh == "2026-03-08（星期日）22:14 批准“受理”环节：休息日；办公时间（08:30–18:00）以外"


def test_working_hours_on_a_working_day_and_a_make_up_saturday_are_not_flagged(flag_world):
    w = flag_world
    ent = w.enterprise()
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 8, 30))  # Tuesday, opening
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 17, 59))
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 2, 14, 10, 0))  # Saturday, a make-up working day
    # A step the case's withdrawal closed is nobody's decision.
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 8, 22, 0), outcome="closed")
    assert flags(w, FlagKind.AFTER_HOURS) == []
    assert counts(w)[FlagKind.AFTER_HOURS] == 0


def test_office_hours_come_from_the_settings(flag_world, settings):
    w = flag_world
    w.decide(w.case(w.enterprise()), actor=w.officer, at=beijing(2026, 3, 10, 18, 30))
    assert counts(w)[FlagKind.AFTER_HOURS] == 1
    settings.QINQING_OFFICE_HOURS = ("08:00", "19:00")
    assert counts(w)[FlagKind.AFTER_HOURS] == 0


# --- One bank account, several enterprises -------------------------------------------------------


def test_one_account_for_several_enterprises_is_flagged_masked(flag_world):
    w = flag_world
    a = w.enterprise("6216 6101 0001 2345 678")
    b = w.enterprise("6216610100012345678")
    c = w.enterprise("6216-6101-0001-2345-678")
    alone = w.enterprise("6222000011112222")
    cases = [w.case(e) for e in (a, b, c, alone)]
    found = flags(w, FlagKind.SHARED_BANK_ACCOUNT)
    assert len(found) == 1
    flag = found[0]
    assert {e.id for e in flag.enterprises} == {a.pk, b.pk, c.pk}
    assert {r.public_id for r in flag.cases} == {x.public_id for x in cases[:3]}
    assert flag.data["account_masked"] == "***************5678"
    assert "6216610100012345678" not in flag.fact and "5678" in flag.fact
    assert flag.severity == Severity.HIGH  # three enterprises


def test_an_account_paid_to_for_another_enterprise_counts(flag_world):
    from qinqing.payments.models import PaymentInstruction

    w = flag_world
    a, b = w.enterprise("111122223333"), w.enterprise("999988887777")
    case_b = w.case(b)
    w.case(a)
    # b's award went to a's account (b's account in the registry changed since).
    PaymentInstruction.objects.create(
        key=f"case-{case_b.pk}",
        source_type="policies.case",
        source_id=str(case_b.pk),
        organisation=case_b.organisation,
        payee_name=b.name,
        payee_account="1111 2222 3333",
        amount=Decimal("1000"),
        purpose="x",
    )
    found = flags(w, FlagKind.SHARED_BANK_ACCOUNT)
    assert [
        (f.data["account_masked"], f.data["enterprises"], f.data["enterprises_paid_to_it"]) for f in found
    ] == [("********3333", 2, 1)]
    assert found[0].severity == Severity.MEDIUM


def test_distinct_accounts_and_enterprises_without_cases_are_not_flagged(flag_world):
    w = flag_world
    w.case(w.enterprise("111122223333"))
    w.case(w.enterprise("111122224444"))
    w.enterprise("111122223333")  # same account, but no case
    w.case(w.enterprise(""))
    w.case(w.enterprise(""))  # two enterprises without an account share nothing
    assert flags(w, FlagKind.SHARED_BANK_ACCOUNT) == []
    assert counts(w)[FlagKind.SHARED_BANK_ACCOUNT] == 0


def test_an_enterprise_of_another_department_is_not_seen_by_the_group(flag_world):
    w = flag_world
    w.case(w.enterprise("111122223333"))
    w.case(w.enterprise("111122223333"), policy=w.other_policy)
    assert counts(w)[FlagKind.SHARED_BANK_ACCOUNT] == 0
    city_wide = counts(w, user=w.city.city_supervisor)
    assert city_wide[FlagKind.SHARED_BANK_ACCOUNT] == 1


# --- Amount just under a threshold ---------------------------------------------------------------


def test_amounts_just_under_the_caps_and_a_rule_maximum_are_flagged(flag_world):
    w = flag_world
    under_cap = w.case(
        w.enterprise(), award_computed="290000", facts={"rd_expense": "2900000.00", "staff": 10}
    )
    under_rule_cap = w.case(w.enterprise(), award_computed="480000", facts={"staff": 10})
    staff_max = w.case(w.enterprise(), award_computed="1000", facts={"rd_expense": "10000.00", "staff": 100})
    expense_max = w.case(
        w.enterprise(), award_computed="195000", facts={"rd_expense": "1950000.00", "staff": 50}
    )
    # Not flagged: at the cap (capped), well under, over the margin, under the maximum by more.
    w.case(w.enterprise(), award_computed="300000", facts={"staff": 10})
    w.case(w.enterprise(), award_computed="250000", facts={"staff": 94})
    w.case(w.enterprise(), award_computed="500000", facts={"rd_expense": "1800000.00", "staff": 20})
    with override("en"):
        found = {f.cases[0].public_id: f for f in flags(w, FlagKind.JUST_UNDER_THRESHOLD)}
    assert set(found) == {c.public_id for c in (under_cap, under_rule_cap, staff_max, expense_max)}
    assert found[under_cap.public_id].fact == (
        "The award by the rule, 290,000 yuan, is 3.3% under the policy's cap per enterprise of 300,000 yuan"
    )
    assert found[under_rule_cap.public_id].fact == (
        "The award by the rule, 480,000 yuan, is 4.0% under the award formula's cap of 500,000 yuan"
    )
    assert found[staff_max.public_id].fact == "Staff given as 100: the most the rule allows"
    assert "R&D expense given as 1,950,000 yuan, 2.5% under the most the rule allows (2,000,000 yuan)" in (
        found[expense_max.public_id].fact
    )
    assert [t["source"] for t in found[expense_max.public_id].data["thresholds"]] == ["fact_maximum"]
    assert {f.severity for f in found.values()} == {Severity.LOW}


def test_the_margin_comes_from_the_settings(flag_world, settings):
    w = flag_world
    w.case(w.enterprise(), award_computed="270000", facts={"staff": 10})
    assert counts(w)[FlagKind.JUST_UNDER_THRESHOLD] == 0
    settings.QINQING_RED_FLAGS = {"threshold_margin": "0.1"}
    assert counts(w)[FlagKind.JUST_UNDER_THRESHOLD] == 1


def test_several_for_one_enterprise_and_one_official_weigh_more(flag_world):
    w = flag_world
    ent = w.enterprise()
    repeated = []
    for n in range(3):
        case = w.case(ent if n < 2 else w.enterprise(), award_computed="295000", facts={"staff": 10})
        w.decide(case, actor=w.officer_b, at=beijing(2026, 3, 10 + n, 10, 0))
        repeated.append(case)
    with override("en"):
        found = {f.cases[0].public_id: f for f in flags(w, FlagKind.JUST_UNDER_THRESHOLD)}
    both = found[repeated[0].public_id]
    assert both.severity == Severity.HIGH
    assert "2 such cases for this enterprise" in both.fact and "李四 approved 3 such cases" in both.fact
    assert both.official == "李四"
    assert found[repeated[2].public_id].severity == Severity.MEDIUM


def test_a_fact_of_the_same_name_but_another_type_is_not_read_as_a_number(flag_world):
    """Another policy's rule may call a code "staff": it is never cast to a number."""
    w = flag_world
    coded = make_coded_policy(w)
    w.case(w.enterprise(), policy=coded, facts={"staff": "C39"})
    w.case(w.enterprise(), award_computed="1000", facts={"rd_expense": "1000.00", "staff": 99})
    assert counts(w, user=w.city.city_supervisor)[FlagKind.JUST_UNDER_THRESHOLD] == 1


def make_coded_policy(w):
    from qinqing.policies.models import PolicyMode
    from qinqing.policies.tests.factories import make_policy

    rule = {
        "facts": {"staff": "code"},
        "conditions": {"fact": "staff", "op": "eq", "value": "C39"},
        "award": {"kind": "fixed", "amount": "1000"},
    }
    return make_policy(
        actor=w.officer, department=w.city.drc, publish=True, rule=rule, mode=PolicyMode.APPLICATION
    )


# --- Official related to the enterprise ----------------------------------------------------------


def test_a_relation_declared_after_deciding_is_flagged(flag_world):
    w = flag_world
    ent = w.enterprise()
    step = w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 10, 0))
    w.declare(w.officer, ent, declared=beijing(2026, 5, 9, 9, 0))
    with override("en"):
        (flag,) = flags(w, FlagKind.RELATED_APPROVER)
    assert flag.fact == (
        "张三 decided the step “Acceptance” on 2026-03-10 and declared a relation to the enterprise 59 days "
        "later, on 2026-05-09 (My spouse or a close relative is a shareholder)"
    )
    assert flag.severity == Severity.HIGH
    assert flag.official_id == w.officer.pk
    assert flag.cases[0].public_id == step.case.public_id
    assert flag.data["timing"] == "declared_after"


def test_a_relation_in_force_or_ended_before_deciding_is_flagged(flag_world):
    w = flag_world
    ent, other = w.enterprise(), w.enterprise()
    w.declare(w.officer_b, ent, declared=beijing(2025, 1, 1, 9, 0))
    w.decide(w.case(ent), actor=w.officer_b, at=beijing(2026, 3, 10, 10, 0))
    w.declare(w.head, other, declared=beijing(2024, 1, 1, 9, 0), ended=beijing(2026, 1, 10, 9, 0))
    w.decide(w.case(other), actor=w.head, at=beijing(2026, 3, 11, 10, 0))
    with override("en"):
        ended, in_force = flags(w, FlagKind.RELATED_APPROVER)
    assert "while a declared relation to the enterprise was in force (declared 2025-01-01" in in_force.fact
    assert in_force.severity == Severity.HIGH
    assert "60 days after ending a declared relation" in ended.fact and "ended 2026-01-10" in ended.fact
    assert ended.severity == Severity.MEDIUM


def test_a_relation_to_another_enterprise_or_by_another_official_is_not_flagged(flag_world):
    w = flag_world
    ent, other = w.enterprise(), w.enterprise()
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 10, 10, 0))
    w.declare(w.officer, other, declared=beijing(2026, 1, 1, 9, 0))
    w.declare(w.officer_b, ent, declared=beijing(2026, 1, 1, 9, 0))
    assert flags(w, FlagKind.RELATED_APPROVER) == []


def test_through_the_real_services_a_later_declaration_is_caught(two_cases):
    """Recusal bars deciding while a relation is declared; one declared afterwards is
    what the flag finds."""
    from qinqing.integrity.services import relation_declare
    from qinqing.policies.services.cases import case_approve

    world = two_cases.world
    case = case_approve(actor=world.officer, case=two_cases.drc_case)
    relation_declare(actor=world.officer, enterprise=case.enterprise, kind=RelationKind_former())
    today = dt.date.today()
    reach = Reach(
        user=world.city.supervisor, since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=1)
    )
    (flag,) = list(flag_list(reach, FlagKind.RELATED_APPROVER))
    assert flag.cases[0].public_id == case.public_id
    assert flag.data["timing"] == "declared_after"


def RelationKind_former():  # noqa: N802
    from qinqing.integrity.models import RelationKind

    return RelationKind.FORMER_EMPLOYMENT


# --- One official, most of an enterprise's cases -------------------------------------------------


def _routine(w, cases: int):
    """Other enterprises' cases, accepted by 李四 and rechecked by the head."""
    for n in range(cases):
        case = w.case(w.enterprise())
        w.decide(case, actor=w.officer_b, at=beijing(2026, 4, 1 + n, 10, 0))
        w.decide(case, actor=w.head, position=1, at=beijing(2026, 4, 1 + n, 15, 0))


def test_one_official_deciding_most_of_an_enterprises_cases_is_flagged(flag_world):
    w = flag_world
    ent = w.enterprise()
    cases = [w.case(ent) for _ in range(5)]
    for n, case in enumerate(cases):
        # 张三 accepts four of five; 李四 the fifth; the head rechecks them all.
        w.decide(case, actor=w.officer if n < 4 else w.officer_b, at=beijing(2026, 3, 2 + n, 10, 0))
        w.decide(case, actor=w.head, position=1, at=beijing(2026, 3, 2 + n, 15, 0))
    _routine(w, 10)
    with override("en"):
        found = flags(w, FlagKind.SAME_OFFICIAL_SAME_FIRM)
    # The head rechecks every case of the department: 5 of 5 is routine, not a pattern.
    assert [(f.official_id, f.data["cases_decided_by_official"], f.data["cases_decided"]) for f in found] == [
        (w.officer.pk, 4, 5)
    ]
    assert found[0].fact == (
        f"张三 decided a step of 4 of the 5 cases of {ent.name} decided in the period (80%), "
        "against 27% of all the cases of their department"
    )
    assert found[0].severity == Severity.MEDIUM
    assert len(found[0].cases) == 4
    assert found[0].data["share_of_all_cases_of_their_department"] == round(4 / 15, 4)


def test_every_case_of_an_enterprise_by_one_hand_weighs_more(flag_world):
    w = flag_world
    ent = w.enterprise()
    for n in range(6):
        w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 2 + n, 10, 0))
    _routine(w, 12)
    (flag,) = flags(w, FlagKind.SAME_OFFICIAL_SAME_FIRM)
    assert (flag.official_id, flag.severity) == (w.officer.pk, Severity.HIGH)
    assert flag.fact == (
        f"期间内{ent.name}已办理的 6 件办件中，张三 办理了其中 6 件的环节（100%），而其在本部门全部办件中仅占 33%"
    )


def test_few_cases_a_small_share_or_the_departments_routine_are_not_flagged(flag_world, settings):
    w = flag_world
    ent, other = w.enterprise(), w.enterprise()
    for n in range(2):  # two cases only
        w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 2 + n, 10, 0))
    for n in range(5):  # 3 of 5: 60%
        w.decide(w.case(other), actor=w.officer_b if n < 3 else w.head, at=beijing(2026, 3, 2 + n, 10, 0))
    assert counts(w)[FlagKind.SAME_OFFICIAL_SAME_FIRM] == 0
    # 张三 decided 2 of the department's 7 cases (29%): both of this enterprise's are 100%.
    # 李四 decided 3 of 7 (43%): 60% of this enterprise's is not 1.5 times that.
    settings.QINQING_RED_FLAGS = {"same_official_min_cases": 2, "same_official_min_share": "0.6"}
    assert [f.official_id for f in flags(w, FlagKind.SAME_OFFICIAL_SAME_FIRM)] == [w.officer.pk]
    settings.QINQING_RED_FLAGS |= {"same_official_min_lift": "1"}
    assert counts(w)[FlagKind.SAME_OFFICIAL_SAME_FIRM] == 2


# --- Unusually fast or slow ----------------------------------------------------------------------


def test_the_fastest_and_slowest_of_a_policys_cases_are_flagged(flag_world, settings):
    settings.QINQING_RED_FLAGS = {"duration_min_cases": 10, "duration_share": "0.1"}
    w = flag_world
    ent = w.enterprise()
    fast = w.approved(ent, hours=0.5)
    slow = w.approved(ent, hours=24 * 40)
    middle = [w.approved(ent, hours=24 * d) for d in (3, 4, 5, 5, 6, 6, 7, 8)]
    with override("en"):
        found = {f.cases[0].public_id: f for f in flags(w, FlagKind.UNUSUAL_DURATION)}
    assert set(found) == {fast.public_id, slow.public_id}
    assert found[fast.public_id].fact == (
        "Approved 0 h 30 min after submission: among the fastest 10% of the 10 cases approved under this "
        "policy in the period (median 5.5 days)"
    )
    assert found[fast.public_id].severity == Severity.HIGH  # under a tenth of the median
    assert found[slow.public_id].data["direction"] == "slow"
    assert found[slow.public_id].severity == Severity.MEDIUM  # 40 / 5.5 days: over three times
    assert middle


def test_a_policy_with_too_few_approved_cases_has_no_norm(flag_world, settings):
    settings.QINQING_RED_FLAGS = {"duration_share": "0.1"}  # 20 cases at least
    w = flag_world
    ent = w.enterprise()
    for hours in (0.5, 24 * 40, *(24 * d for d in (3, 4, 5, 5, 6, 6, 7, 8))):
        w.approved(ent, hours=hours)
    assert counts(w)[FlagKind.UNUSUAL_DURATION] == 0


def test_a_slow_case_says_it_was_returned_for_materials(flag_world, settings):
    from qinqing.policies.models import CaseReturn

    settings.QINQING_RED_FLAGS = {"duration_min_cases": 10, "duration_share": "0.1"}
    w = flag_world
    ent = w.enterprise()
    slow = w.approved(ent, hours=24 * 40)
    for d in (3, 4, 5, 5, 6, 6, 7, 8, 9):
        w.approved(ent, hours=24 * d)
    step = w.decide(slow, actor=w.officer, at=beijing(2026, 3, 3, 10, 0))
    for n in range(2):
        CaseReturn.objects.create(
            case=slow,
            step=step,
            requested_by=w.officer,
            requested_at=beijing(2026, 3, 3 + n, 10, 0),
            request="补",
        )
    with override("en"):
        (flag,) = [f for f in flags(w, FlagKind.UNUSUAL_DURATION) if f.data["direction"] == "slow"]
    assert flag.fact.endswith("; returned 2 times for materials")
    assert flag.data["returns_for_materials"] == 2


# --- Reach and the period ------------------------------------------------------------------------


def test_the_group_sees_none_of_another_departments_flags(flag_world, settings):
    # The one clerk of 市商务局 decides all its cases: no lift asked.
    settings.QINQING_RED_FLAGS = {
        "duration_min_cases": 3,
        "duration_share": "0.34",
        "same_official_min_lift": "1",
    }
    w = flag_world
    other = w.city.other_officer
    ent = w.enterprise("111122223333")
    for n in range(3):
        case = w.case(ent, policy=w.other_policy, award_computed="295000", facts={"staff": 10})
        w.decide(case, actor=other, at=beijing(2026, 3, 8, 22, n))
    w.case(w.enterprise("111122223333"), policy=w.other_policy)
    w.declare(other, ent, declared=beijing(2026, 6, 1, 9, 0))
    for hours in (1, 100, 1000):
        w.approved(ent, hours=hours, policy=w.other_policy)
    assert set(counts(w).values()) == {0}
    city_wide = counts(w, user=w.city.city_supervisor)
    assert all(city_wide[kind] > 0 for kind in FlagKind.values), dict(city_wide)


def test_the_period_and_the_department_narrow_the_flags(flag_world):
    w = flag_world
    w.decide(w.case(w.enterprise()), actor=w.officer, at=beijing(2026, 3, 8, 22, 14))
    assert counts(w, since=dt.date(2026, 3, 9))[FlagKind.AFTER_HOURS] == 0
    assert counts(w, until=dt.date(2026, 3, 7))[FlagKind.AFTER_HOURS] == 0
    assert counts(w, since=dt.date(2026, 3, 8), until=dt.date(2026, 3, 8))[FlagKind.AFTER_HOURS] == 1
    assert counts(w, department=w.city.commerce.pk)[FlagKind.AFTER_HOURS] == 0
    assert counts(w, department=w.city.drc.pk)[FlagKind.AFTER_HOURS] == 1


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user", "admin", "committee_member"])
def test_only_supervisors_read_red_flags(flag_world, who):
    with pytest.raises(PermissionDenied):
        Reach(user=getattr(flag_world.city, who), **YEAR)


def test_the_beijing_clock_and_calendar_decide_not_utc(flag_world):
    """Monday 00:30 in Beijing is Sunday afternoon in UTC: outside office hours, not a
    rest day. Sunday 07:00 in Beijing is Saturday night in UTC: a rest day."""
    w = flag_world
    ent = w.enterprise()
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 9, 0, 30))
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 8, 7, 0))
    # Monday 09:00 in Beijing is Monday 01:00 UTC: inside office hours.
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 9, 9, 0))
    with override("en"):
        found = flags(w, FlagKind.AFTER_HOURS)
    assert [f.fact for f in found] == [
        "Acceptance approved on Monday 2026-03-09 at 00:30: outside office hours (08:30–18:00)",
        "Acceptance approved on Sunday 2026-03-08 at 07:00: a rest day; outside office hours (08:30–18:00)",
    ]
    # The period is of Beijing days: 00:30 on the 9th is not in a period ending on the 8th.
    assert counts(w, since=dt.date(2026, 3, 8), until=dt.date(2026, 3, 8))[FlagKind.AFTER_HOURS] == 1
    assert counts(w, since=dt.date(2026, 3, 9), until=dt.date(2026, 3, 9))[FlagKind.AFTER_HOURS] == 1


def test_a_holiday_on_a_weekday_and_a_make_up_sunday(flag_world):
    w = flag_world
    ent = w.enterprise()
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 2, 17, 10, 0))  # Tuesday, Spring Festival
    w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 1, 4, 10, 0))  # Sunday, a make-up working day
    with override("en"):
        (flag,) = flags(w, FlagKind.AFTER_HOURS)
    assert (
        flag.fact == "Acceptance approved on Tuesday 2026-02-17 at 10:00: a public holiday (Spring Festival)"
    )
    assert flag.severity == Severity.MEDIUM
    assert flag.data["holiday"] == "spring_festival"


@pytest.mark.parametrize(
    "overrides",
    [
        {"QINQING_OFFICE_HOURS": ("18:00", "08:30")},
        {"QINQING_OFFICE_HOURS": ("8h30", "18:00")},
        {"QINQING_OFFICE_HOURS": "08:30-18:00"},
        {"QINQING_RED_FLAGS": {"threshold_margin": "0.7"}},
        {"QINQING_RED_FLAGS": {"same_official_min_cases": 0}},
        {"QINQING_RED_FLAGS": {"same_official_min_lift": "0.5"}},
        {"QINQING_RED_FLAGS": {"duration_share": "x"}},
        {"QINQING_RED_FLAGS": {"typo": 1}},
    ],
)
def test_a_setting_that_cannot_be_read_is_named(settings, overrides):
    from django.core.exceptions import ImproperlyConfigured

    from qinqing.supervision.redflags import flag_settings

    for name, value in overrides.items():
        setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        flag_settings()


def test_the_default_settings():
    from qinqing.supervision.redflags import flag_settings

    tuning = flag_settings()
    assert (tuning.office_hours, tuning.threshold_margin, tuning.same_official_min_cases) == (
        "08:30–18:00",
        Decimal("0.05"),
        3,
    )
    assert (tuning.duration_share, tuning.duration_min_cases) == (Decimal("0.05"), 20)
