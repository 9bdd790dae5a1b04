"""Facts an application supplies (the value exported, a first export): declared in the
rule with their types, checked when given, and constants for the query."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from qinqing.enterprises.models import Enterprise
from qinqing.policies.rules import (
    FactsNeeded,
    InvalidRule,
    eligible_enterprises,
    evaluate,
    parse_facts,
    parse_rule,
)

ON = datetime.date(2026, 6, 1)
EXPORT_AWARD = {
    "facts": {"export_value": "money", "first_export": "bool"},
    "conditions": {
        "all": [
            {"fact": "first_export", "op": "eq", "value": True, "clause": {"document": "泉商务〔2024〕3号"}},
            {"fact": "export_value", "op": "ge", "value": "500000"},
            {"attr": "status", "op": "eq", "value": "active"},
        ]
    },
    "award": {"kind": "fixed", "amount": "50000"},
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_facts_are_checked_against_their_declared_types():
    rule = parse_rule(EXPORT_AWARD)

    assert parse_facts(rule, {"export_value": "800000.00", "first_export": True}) == {
        "export_value": Decimal("800000.00"),
        "first_export": True,
    }
    assert parse_facts(rule, {}) == {}
    with pytest.raises(InvalidRule) as caught:
        parse_facts(rule, {"export_value": 800000, "imported": "x"})
    assert set(caught.value.fields) == {"facts.export_value", "facts.imported"}
    assert "never as a JSON number" in caught.value.fields["facts.export_value"][0]


@pytest.mark.parametrize(
    ("rule", "path", "words"),
    [
        ({"facts": {"export_value": "float"}}, "facts.export_value", "type is one of"),
        ({"facts": {"employees": "int"}}, "facts.employees", "not an attribute"),
        ({"facts": ["export_value"]}, "facts", "JSON object"),
        (
            {"facts": {}, "conditions": {"fact": "export_value", "op": "ge", "value": "1"}},
            "conditions.fact",
            "not declared",
        ),
    ],
)
def test_faulty_fact_declarations_are_reported_under_their_path(rule, path, words):
    data = {
        "conditions": {"attr": "employees", "op": "ge", "value": 0},
        "award": {"kind": "fixed", "amount": "1"},
    }
    data.update(rule)

    with pytest.raises(InvalidRule) as caught:
        parse_rule(data)

    assert path in caught.value.fields
    assert words in caught.value.fields[path][0]


def test_the_evaluator_reads_the_applications_facts(city):
    rule = parse_rule(EXPORT_AWARD)
    facts = parse_facts(rule, {"export_value": "800000", "first_export": True})

    decision = evaluate(rule, city.enterprise, on=ON, facts=facts)

    assert decision.eligible is True
    first = decision.explanation["conditions"]["all"][0]
    assert first == {
        "path": "conditions.all[0]",
        "fact": "first_export",
        "op": "eq",
        "expected": True,
        "actual": True,
        "held": True,
        "clause": {"document": "泉商务〔2024〕3号"},
    }
    missing = evaluate(rule, city.enterprise, on=ON, facts={"first_export": True})
    assert missing.eligible is False
    assert missing.explanation["conditions"]["all"][1]["actual"] is None


def test_a_rule_with_facts_is_not_matched_without_them(city):
    rule = parse_rule(EXPORT_AWARD)

    with pytest.raises(FactsNeeded):
        eligible_enterprises(rule, on=ON)


def test_given_facts_the_query_agrees_with_the_evaluator(city):
    rule = parse_rule(EXPORT_AWARD)
    both = Enterprise.objects.filter(pk__in=[city.enterprise.pk, city.other_enterprise.pk])

    held = parse_facts(rule, {"export_value": "500000", "first_export": True})
    not_held = parse_facts(rule, {"export_value": "499999.99", "first_export": True})

    assert set(eligible_enterprises(rule, on=ON, facts=held, queryset=both)) == set(both)
    assert list(eligible_enterprises(rule, on=ON, facts=not_held, queryset=both)) == []
    negated = parse_rule({**EXPORT_AWARD, "conditions": {"not": EXPORT_AWARD["conditions"]}})
    assert list(eligible_enterprises(negated, on=ON, facts=held, queryset=both)) == []
    assert set(eligible_enterprises(negated, on=ON, facts=not_held, queryset=both)) == set(both)
