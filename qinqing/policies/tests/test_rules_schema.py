"""A rule is checked when saved; each fault is reported under the JSON path of the
faulty part, in a message that names that path."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.utils import translation

from qinqing.policies.rules import InvalidRule, parse_rule
from qinqing.policies.rules.schema import AllOf, LabelCondition
from qinqing.policies.tests.rules_examples import SCENIC_AWARD

FIXED = {"kind": "fixed", "amount": "1000"}


@pytest.fixture(autouse=True)
def _english():
    # The default language is Chinese; the wording checks below read the English msgids.
    with translation.override("en"):
        yield


def _fault(rule):
    with pytest.raises(InvalidRule) as caught:
        parse_rule(rule)
    return caught.value


def test_the_scenic_award_parses_into_a_tree():
    rule = parse_rule(SCENIC_AWARD)

    assert isinstance(rule.conditions, AllOf)
    third = rule.conditions.members[2]
    assert isinstance(third, LabelCondition)
    assert third.path == "conditions.all[2]"
    assert third.value == ("3A", "4A", "5A")
    assert third.clause is not None and third.clause.document == "泉政文〔2023〕15号"
    assert [t.amount for t in rule.award.tiers] == [Decimal("600000"), Decimal("1000000"), Decimal("2000000")]


@pytest.mark.parametrize(
    ("conditions", "path", "words"),
    [
        ({"attr": "password", "op": "eq", "value": 1}, "conditions.attr", "not an attribute"),
        ({"attr": "industry_code", "op": "lt", "value": "C39"}, "conditions.op", "does not apply"),
        ({"attr": "employees", "op": "ge", "value": "10"}, "conditions.value", "whole number"),
        ({"attr": "employees", "op": "ge", "value": True}, "conditions.value", "whole number"),
        ({"attr": "revenue", "op": "ge", "value": 1000.5}, "conditions.value", "never as a JSON number"),
        ({"attr": "revenue", "op": "ge", "value": "12.345"}, "conditions.value", "decimal places"),
        ({"attr": "revenue", "op": "ge", "value": "lots"}, "conditions.value", "not a number"),
        ({"attr": "revenue", "op": "ge", "value": "NaN"}, "conditions.value", "not a number"),
        ({"attr": "revenue", "op": "ge", "value": "10000000000000"}, "conditions.value", "too large"),
        ({"attr": "revenue", "op": "between", "value": ["5", "1"]}, "conditions.value", "low bound"),
        ({"attr": "revenue", "op": "between", "value": ["5"]}, "conditions.value", "two bounds"),
        ({"attr": "employees", "op": "between", "value": [1, "x"]}, "conditions.value[1]", "whole number"),
        ({"attr": "founded_on", "op": "ge", "value": "2020-02-30"}, "conditions.value", "YYYY-MM-DD"),
        ({"attr": "founded_on", "op": "age_ge", "value": -1}, "conditions.value", "number of years"),
        ({"attr": "industry_code", "op": "prefix", "value": "c39"}, "conditions.value[0]", "upper-case"),
        ({"attr": "industry_code", "op": "in", "value": []}, "conditions.value", "at least one"),
        ({"attr": "status", "op": "eq", "value": "dormant"}, "conditions.value", "one of"),
        ({"attr": "bank_account_verified", "op": "eq", "value": "yes"}, "conditions.value", "true or false"),
        ({"attr": "employees", "op": "eq", "value": 1, "weight": 2}, "conditions.weight", "unknown part"),
        ({"label": "High Tech", "op": "exists"}, "conditions.label", "label name"),
        ({"label": "high_tech", "op": "gt", "value": "x"}, "conditions.op", "does not apply to labels"),
        ({"label": "high_tech", "op": "exists", "value": "yes"}, "conditions.value", "takes no value"),
        ({"label": "scenic_grade", "op": "in", "value": "3A"}, "conditions.value", "list"),
        ({"all": []}, "conditions.all", "at least one condition"),
        ({"any": [{"attr": "employees", "op": "eq", "value": 1}], "not": {}}, "conditions", "stand alone"),
        ({"not": {"nothing": 1}}, "conditions.not", "needs"),
        ([], "conditions", "JSON object"),
        (
            {
                "attr": "employees",
                "op": "eq",
                "value": 1,
                "clause": {"document": "x", "url": "javascript:alert(1)"},
            },
            "conditions.clause.url",
            "https://",
        ),
        (
            {"attr": "employees", "op": "eq", "value": 1, "clause": {"text": "第三条"}},
            "conditions.clause",
            "document number",
        ),
    ],
)
def test_a_faulty_condition_is_reported_under_its_path(conditions, path, words):
    fault = _fault({"conditions": conditions, "award": FIXED})

    assert list(fault.fields) == [path]
    assert fault.fields[path][0].startswith(path + ":")
    assert words in fault.fields[path][0]
    assert fault.code == "invalid_rule"
    assert str(fault.message) == fault.fields[path][0]


def test_a_fault_deep_in_the_tree_names_its_full_path():
    rule = copy.deepcopy(SCENIC_AWARD)
    rule["conditions"]["all"].append(
        {
            "any": [
                {"label": "high_tech", "op": "exists"},
                {"not": {"attr": "employees", "op": "ge", "value": "9"}},
            ]
        }
    )

    fault = _fault(rule)

    assert list(fault.fields) == ["conditions.all[3].any[1].not.value"]


def test_every_fault_is_listed_not_only_the_first():
    fault = _fault(
        {
            "conditions": {
                "all": [
                    {"attr": "revenue", "op": "ge", "value": 5},
                    {"attr": "employees", "op": "eq", "value": 1},
                    {"attr": "tax_paid", "op": "xx", "value": "1"},
                ]
            },
            "award": {"kind": "fixed", "amount": 600000},
            "note": "x",
        }
    )

    assert set(fault.fields) == {"note", "conditions.all[0].value", "conditions.all[2].op", "award.amount"}


@pytest.mark.parametrize(
    ("award", "path", "words"),
    [
        ({"kind": "lottery"}, "award.kind", "fixed, tiered"),
        ({"kind": "fixed", "amount": "-1"}, "award.amount", "not negative"),
        ({"kind": "fixed", "amount": "1", "cap": "2"}, "award.cap", "unknown part"),
        ({"kind": "rate", "attr": "employees", "rate": "0.05"}, "award.attr", "money figure"),
        ({"kind": "rate", "attr": "tax_paid", "rate": "1.5"}, "award.rate", "too large"),
        ({"kind": "rate", "attr": "tax_paid", "rate": "0.00001"}, "award.rate", "decimal places"),
        ({"kind": "rate", "attr": "tax_paid", "rate": "0.05", "cap": 5}, "award.cap", "JSON number"),
        ({"kind": "per_employee", "amount": "1000", "cap": "x"}, "award.cap", "not a number"),
        ({"kind": "tiered", "tiers": [{"value": "3A", "amount": "1"}]}, "award", "either one"),
        ({"kind": "tiered", "label": "scenic_grade", "tiers": []}, "award.tiers", "at least one tier"),
        (
            {"kind": "tiered", "label": "scenic_grade", "tiers": [{"from": 1, "amount": "1"}]},
            "award.tiers[0]",
            "a tier is",
        ),
        (
            {
                "kind": "tiered",
                "attr": "employees",
                "tiers": [{"from": 10, "amount": "2"}, {"from": 5, "amount": "1"}],
            },
            "award.tiers",
            "tiers go up",
        ),
        (
            {
                "kind": "tiered",
                "label": "g",
                "tiers": [{"value": "3A", "amount": "1"}, {"value": "3A", "amount": "2"}],
            },
            "award.tiers",
            "appears once",
        ),
        (
            {"kind": "tiered", "attr": "founded_on", "tiers": [{"from": 1, "amount": "1"}]},
            "award.attr",
            "tiers read",
        ),
    ],
)
def test_a_faulty_award_is_reported_under_its_path(award, path, words):
    fault = _fault({"conditions": {"attr": "employees", "op": "ge", "value": 1}, "award": award})

    assert list(fault.fields) == [path]
    assert words in fault.fields[path][0]


def test_a_rule_that_is_not_an_object_is_refused():
    fault = _fault("employees > 10")

    assert list(fault.fields) == ["$"]


def test_messages_are_translated():
    with translation.override("zh-hans"):
        fault = _fault({"conditions": {"attr": "password", "op": "eq", "value": 1}, "award": FIXED})

    assert fault.fields["conditions.attr"][0].startswith("conditions.attr：“password”不是规则可用的属性")


def test_nesting_is_bounded():
    deep = {"attr": "employees", "op": "ge", "value": 1}
    for _ in range(25):
        deep = {"not": deep}

    fault = _fault({"conditions": deep, "award": FIXED})

    [path] = fault.fields
    assert path == "conditions" + ".not" * 21
    assert "nested more than 20 deep" in fault.fields[path][0]
    parse_rule(
        {"conditions": {"not": {"all": [{"attr": "employees", "op": "ge", "value": 1}]}}, "award": FIXED}
    )


def test_rate_of_a_declared_money_fact() -> None:
    rule = parse_rule(
        {
            "facts": {"rd_expense": "money"},
            "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
            "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1", "cap": "500000"},
        }
    )
    assert rule.award.fact == "rd_expense"


def test_rate_of_an_undeclared_fact_names_the_part() -> None:
    with pytest.raises(InvalidRule) as exc:
        parse_rule(
            {
                "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
                "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1"},
            }
        )
    assert "award.fact" in exc.value.fields
