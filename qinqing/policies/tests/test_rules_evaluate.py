"""One enterprise judged by one rule: the decision, the award and the explanation."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from qinqing.enterprises.models import EnterpriseLabel, EnterpriseStatus
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.rules import evaluate, parse_rule
from qinqing.policies.rules.evaluate import years_before
from qinqing.policies.tests.rules_examples import CLAUSE_3A, SCENIC_AWARD

ON = datetime.date(2026, 6, 1)
FIXED = {"kind": "fixed", "amount": "1000"}


def _rule(conditions, award=FIXED):
    return parse_rule({"conditions": conditions, "award": award})


def test_a_new_3a_scenic_spot_is_eligible_for_600000_yuan_and_told_why(city):
    spot = city.enterprise
    EnterpriseLabel.objects.create(enterprise=spot, key="scenic_grade", value="3A")

    decision = evaluate(parse_rule(SCENIC_AWARD), spot, on=ON)

    assert decision.eligible is True
    assert decision.award == Decimal("600000.00")
    assert str(decision.award) == "600000.00"
    grade = decision.explanation["conditions"]["all"][2]
    assert grade == {
        "path": "conditions.all[2]",
        "label": "scenic_grade",
        "op": "in",
        "expected": ["3A", "4A", "5A"],
        "actual": "3A",
        "held": True,
        "clause": CLAUSE_3A,
    }
    assert decision.explanation["award"] == {
        "amount": "600000.00",
        "trace": {
            "kind": "tiered",
            "label": "scenic_grade",
            "value": "3A",
            "tier": "3A",
            "amount": "600000.00",
        },
    }
    # Stored as JSON with the decision: it must survive a round trip unchanged.
    assert json.loads(json.dumps(decision.explanation)) == decision.explanation


def test_an_enterprise_without_a_grade_is_told_which_condition_failed(city):
    decision = evaluate(parse_rule(SCENIC_AWARD), city.enterprise, on=ON)

    assert decision.eligible is False
    assert decision.award == Decimal("0.00")
    failed = [c for c in decision.explanation["conditions"]["all"] if not c["held"]]
    assert [(c["path"], c["actual"]) for c in failed] == [("conditions.all[2]", None)]


def test_a_deregistered_scenic_spot_is_not_eligible(city):
    spot = EnterpriseFactory(region=city.district, status=EnterpriseStatus.DEREGISTERED)
    EnterpriseLabel.objects.create(enterprise=spot, key="scenic_grade", value="5A")

    assert evaluate(parse_rule(SCENIC_AWARD), spot, on=ON).eligible is False


@pytest.mark.parametrize(
    ("conditions", "held"),
    [
        ({"attr": "employees", "op": "ge", "value": 50}, True),
        ({"attr": "employees", "op": "gt", "value": 50}, False),
        ({"attr": "employees", "op": "between", "value": [10, 50]}, True),
        ({"attr": "employees", "op": "not_in", "value": [1, 50]}, False),
        ({"attr": "revenue", "op": "le", "value": "12000000.00"}, True),
        ({"attr": "revenue", "op": "lt", "value": "12000000"}, False),
        ({"attr": "industry_code", "op": "prefix", "value": ["C39", "C18"]}, True),
        ({"attr": "industry_code", "op": "prefix", "value": "C39"}, False),
        ({"attr": "industry_code", "op": "in", "value": ["C1811"]}, True),
        ({"attr": "status", "op": "ne", "value": "active"}, False),
        ({"attr": "bank_account_verified", "op": "eq", "value": False}, True),
        (
            {"any": [{"attr": "employees", "op": "lt", "value": 10}, {"label": "high_tech", "op": "exists"}]},
            True,
        ),
        ({"not": {"label": "high_tech", "op": "exists"}}, False),
        ({"label": "high_tech", "op": "eq", "value": "yes"}, True),
        ({"label": "high_tech", "op": "ne", "value": "yes"}, False),
    ],
)
def test_conditions(city, conditions, held):
    firm = city.enterprise  # 50 employees, revenue 12,000,000.00, industry C1811, active
    EnterpriseLabel.objects.create(enterprise=firm, key="high_tech", value="yes")

    assert evaluate(_rule(conditions), firm, on=ON).eligible is held


def test_a_missing_value_holds_no_condition_and_its_negation_holds(city):
    firm = EnterpriseFactory(region=city.district, founded_on=None)

    for op, value in [
        ("ge", "2000-01-01"),
        ("lt", "2000-01-01"),
        ("ne", "2000-01-01"),
        ("age_ge", 0),
        ("age_lt", 1),
    ]:
        leaf = {"attr": "founded_on", "op": op, "value": value}
        assert evaluate(_rule(leaf), firm, on=ON).eligible is False, op
        assert evaluate(_rule({"not": leaf}), firm, on=ON).eligible is True, op
    absent = {"label": "scenic_grade", "op": "not_in", "value": ["5A"]}
    assert evaluate(_rule(absent), firm, on=ON).eligible is False
    assert evaluate(_rule({"not": absent}), firm, on=ON).eligible is True


def test_age_counts_whole_years_to_the_reference_date(city):
    firm = EnterpriseFactory(region=city.district, founded_on=datetime.date(2023, 6, 1))
    three_years = _rule({"attr": "founded_on", "op": "age_ge", "value": 3})

    assert evaluate(three_years, firm, on=datetime.date(2026, 6, 1)).eligible is True
    assert evaluate(three_years, firm, on=datetime.date(2026, 5, 31)).eligible is False
    decision = evaluate(three_years, firm, on=datetime.date(2026, 6, 1))
    assert decision.explanation["conditions"]["founded_by"] == "2023-06-01"


def test_a_year_before_29_february_is_28_february():
    assert years_before(datetime.date(2024, 2, 29), 1) == datetime.date(2023, 2, 28)
    assert years_before(datetime.date(2024, 2, 29), 4) == datetime.date(2020, 2, 29)


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        ({"kind": "fixed", "amount": "600000"}, "600000.00"),
        ({"kind": "rate", "attr": "tax_paid", "rate": "0.05"}, "30000.00"),
        ({"kind": "rate", "attr": "tax_paid", "rate": "0.05", "cap": "20000"}, "20000.00"),
        # 123.45 × 0.0001 = 0.012345 → 0.01; 100.10 × 0.05 = 5.005 → 5.01 (half up, not half even)
        ({"kind": "rate", "attr": "revenue", "rate": "0.05"}, "5.01"),
        ({"kind": "per_employee", "amount": "1500.50"}, "67522.50"),
        ({"kind": "per_employee", "amount": "1500", "cap": "50000"}, "50000.00"),
        (
            {
                "kind": "tiered",
                "attr": "employees",
                "tiers": [
                    {"from": 0, "amount": "1"},
                    {"from": 45, "amount": "2"},
                    {"from": 100, "amount": "3"},
                ],
            },
            "2.00",
        ),
        ({"kind": "tiered", "attr": "employees", "tiers": [{"from": 100, "amount": "3"}]}, "0.00"),
        ({"kind": "tiered", "attr": "industry_code", "tiers": [{"value": "C1811", "amount": "7"}]}, "7.00"),
    ],
)
def test_awards(city, award, expected):
    firm = EnterpriseFactory(region=city.district, revenue=Decimal("100.10"))  # 45 insured, tax 600,000

    decision = evaluate(_rule({"attr": "employees", "op": "ge", "value": 0}, award), firm, on=ON)

    assert str(decision.award) == expected
    assert decision.explanation["award"]["trace"]["amount"] == expected


def test_a_capped_award_says_so_in_its_trace(city):
    rule = _rule(
        {"attr": "employees", "op": "ge", "value": 0},
        {"kind": "per_employee", "amount": "1500", "cap": "50000"},
    )

    trace = evaluate(rule, city.enterprise, on=ON).explanation["award"]["trace"]

    assert trace == {
        "kind": "per_employee",
        "per_employee": "1500",
        "insured_employees": 45,
        "cap": "50000",
        "capped": True,
        "amount": "50000.00",
    }


def test_labels_passed_in_are_used_without_a_query(city, django_assert_num_queries):
    rule = parse_rule(SCENIC_AWARD)

    with django_assert_num_queries(0):
        decision = evaluate(rule, city.enterprise, on=ON, labels={"scenic_grade": "4A"})

    assert decision.award == Decimal("1000000.00")
