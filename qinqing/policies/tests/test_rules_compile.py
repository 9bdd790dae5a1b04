"""The rule as one query: the same enterprises the evaluator finds, with their awards."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.rules import eligible_enterprises, parse_rule
from qinqing.policies.tests.rules_examples import SCENIC_AWARD

ON = datetime.date(2026, 6, 1)
FIXED = {"kind": "fixed", "amount": "1000"}


def _names(rule, **kwargs):
    return {e.name for e in eligible_enterprises(rule, on=ON, **kwargs)}


def _make(city, name, labels=None, **fields):
    firm = EnterpriseFactory(region=city.district, name=name, **fields)
    for key, value in (labels or {}).items():
        EnterpriseLabel.objects.create(enterprise=firm, key=key, value=value)
    return firm


def test_the_scenic_award_selects_graded_spots_with_their_awards_in_one_query(
    city, django_assert_num_queries
):
    _make(city, "三A", {"scenic_grade": "3A"})
    _make(city, "五A", {"scenic_grade": "5A", "high_tech": "yes"})
    _make(city, "二A", {"scenic_grade": "2A"})
    _make(city, "外地三A", {"scenic_grade": "3A"}, region_code="110100")
    _make(city, "注销三A", {"scenic_grade": "3A"}, status="deregistered")

    with django_assert_num_queries(1):
        found = {e.name: e.award for e in eligible_enterprises(parse_rule(SCENIC_AWARD), on=ON)}

    assert found == {"三A": Decimal("600000"), "五A": Decimal("2000000")}


def test_prefix_is_case_sensitive_on_every_database(city):
    _make(city, "upper", industry_code="C3911")
    _make(city, "lower", industry_code="c3911")

    rule = parse_rule(
        {"conditions": {"attr": "industry_code", "op": "prefix", "value": "C39"}, "award": FIXED}
    )

    assert _names(rule) == {"upper"}


def test_not_of_a_condition_on_a_missing_date_selects_the_enterprise(city):
    _make(city, "old", founded_on=datetime.date(2010, 1, 1))
    _make(city, "young", founded_on=datetime.date(2025, 1, 1))
    _make(city, "unknown", founded_on=None)
    at_least_three = {"attr": "founded_on", "op": "age_ge", "value": 3}
    others = Enterprise.objects.filter(name__in=["old", "young", "unknown"])

    assert _names(parse_rule({"conditions": at_least_three, "award": FIXED}), queryset=others) == {"old"}
    not_three = parse_rule({"conditions": {"not": at_least_three}, "award": FIXED})
    assert _names(not_three, queryset=others) == {"young", "unknown"}
    ne = parse_rule({"conditions": {"attr": "founded_on", "op": "ne", "value": "2010-01-01"}, "award": FIXED})
    assert _names(ne, queryset=others) == {"young"}


def test_label_value_conditions_need_the_label(city):
    _make(city, "high", {"high_tech": "yes"})
    _make(city, "revoked", {"high_tech": "revoked"})
    _make(city, "none")
    firms = Enterprise.objects.filter(name__in=["high", "revoked", "none"])

    def names(leaf):
        return _names(parse_rule({"conditions": leaf, "award": FIXED}), queryset=firms)

    assert names({"label": "high_tech", "op": "exists"}) == {"high", "revoked"}
    assert names({"label": "high_tech", "op": "ne", "value": "yes"}) == {"revoked"}
    assert names({"not": {"label": "high_tech", "op": "eq", "value": "yes"}}) == {"revoked", "none"}


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        ({"kind": "rate", "attr": "revenue", "rate": "0.05"}, Decimal("5.01")),
        ({"kind": "rate", "attr": "tax_paid", "rate": "0.05", "cap": "20000"}, Decimal("20000")),
        ({"kind": "per_employee", "amount": "1500.50"}, Decimal("67522.50")),
        ({"kind": "per_employee", "amount": "1500", "cap": "50000"}, Decimal("50000")),
        (
            {
                "kind": "tiered",
                "attr": "employees",
                "tiers": [{"from": 0, "amount": "1"}, {"from": 45, "amount": "2"}],
            },
            Decimal("2"),
        ),
        (
            {"kind": "tiered", "attr": "status", "tiers": [{"value": "suspended", "amount": "9"}]},
            Decimal("0"),
        ),
    ],
)
def test_awards_are_computed_in_the_query(city, award, expected):
    firm = _make(city, "firm", revenue=Decimal("100.10"))
    rule = parse_rule({"conditions": {"attr": "employees", "op": "ge", "value": 0}, "award": award})

    [found] = eligible_enterprises(rule, on=ON, queryset=Enterprise.objects.filter(pk=firm.pk))

    assert found.award == expected


def test_a_rate_of_a_huge_figure_does_not_overflow_64_bits(city):
    # 10^16 cents × a rate of 10^4 ten-thousandths would pass 2^63 if multiplied at once.
    # (Figures near the field's 10^16-yuan limit cannot be read back on SQLite at all.)
    firm = _make(city, "giant", tax_paid=Decimal("99999999999999.99"))
    rule = parse_rule(
        {
            "conditions": {"attr": "employees", "op": "ge", "value": 0},
            "award": {"kind": "rate", "attr": "tax_paid", "rate": "1", "cap": "500000"},
        }
    )

    [found] = eligible_enterprises(rule, on=ON, queryset=Enterprise.objects.filter(pk=firm.pk))

    assert found.award == Decimal("500000")


def test_a_per_employee_award_past_two_to_the_31_does_not_overflow(city):
    # 1,000,000 yuan × 3,000 insured employees: a whole amount reaches PostgreSQL as an
    # integer literal, and integer × integer overflowed there (found by the agreement
    # property on PostgreSQL). The evaluator's answer is the query's.
    from qinqing.policies.rules import evaluate

    firm = _make(city, "big-employer", insured_employees=3000)
    rule = parse_rule(
        {
            "conditions": {"attr": "employees", "op": "ge", "value": 0},
            "award": {"kind": "per_employee", "amount": "1000000"},
        }
    )

    [found] = eligible_enterprises(rule, on=ON, queryset=Enterprise.objects.filter(pk=firm.pk))

    assert found.award == Decimal("3000000000")
    assert evaluate(rule, firm, on=ON).award == found.award
