"""The shapes compiled for the planners select what the evaluator selects.

A label condition every match needs becomes `id IN (the label's rows)`, a whole code an
equality and a shorter code prefix a range (`rules/compile.py`): the property test of
`test_rules_agreement.py` is run again with such conditions forced into every rule, and
with prefix ranges on and off, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.rules import decide, eligible_enterprises, evaluate, parse_facts, parse_rule
from qinqing.policies.rules.compile import orders_text_by_code_point

from .test_rules_agreement import (
    AWARDS,
    CONDITIONS,
    ENTERPRISES,
    FACT_TYPES,
    FACTS,
    LABEL_KEYS,
    LABEL_VALUES,
    REFERENCE_DATES,
)

ON = datetime.date(2026, 6, 1)
FIXED = {"kind": "fixed", "amount": "1000"}

# Positive label conditions: the ones compiled as `id IN (…)` when every match needs them.
REQUIRED_LABELS = st.one_of(
    st.builds(lambda k: {"label": k, "op": "exists"}, LABEL_KEYS),
    st.builds(lambda k, v: {"label": k, "op": "eq", "value": v}, LABEL_KEYS, LABEL_VALUES),
    st.builds(
        lambda k, vs: {"label": k, "op": "in", "value": vs},
        LABEL_KEYS,
        st.lists(LABEL_VALUES, min_size=1, max_size=3),
    ),
)
# Prefixes of every length against codes around their range's ends.
REGIONS = st.sampled_from(["350500", "350503", "350599", "350600", "35050", "3505", "350", "", "3505A0"])
INDUSTRIES = st.sampled_from(["C3911", "C39", "C3", "C40", "C4", "c3911", "C391Z", "C39Z", "D", "CZ"])
PREFIXES = st.one_of(
    st.builds(
        lambda vs: {"attr": "region_code", "op": "prefix", "value": vs},
        st.lists(st.sampled_from(["3505", "350503", "35050", "350599", "35", "3"]), min_size=1, max_size=2),
    ),
    st.builds(
        lambda vs: {"attr": "industry_code", "op": "prefix", "value": vs},
        st.lists(st.sampled_from(["C", "C39", "C3911", "C391", "C39Z", "CZ", "Z"]), min_size=1, max_size=2),
    ),
)
# A required label with other conditions, possibly nested in a required `all`; two
# required labels; a required label alone; a prefix among other conditions.
SHAPED = st.one_of(
    st.builds(lambda lab, rest: {"all": [lab, *rest]}, REQUIRED_LABELS, st.lists(CONDITIONS, max_size=2)),
    st.builds(lambda lab, rest: {"all": [{"all": [rest, lab]}]}, REQUIRED_LABELS, CONDITIONS),
    st.builds(lambda a, b, rest: {"all": [a, rest, b]}, REQUIRED_LABELS, REQUIRED_LABELS, CONDITIONS),
    REQUIRED_LABELS,
    st.builds(lambda p, rest: {"all": [p, *rest]}, PREFIXES, st.lists(CONDITIONS, max_size=2)),
    st.builds(lambda p, lab: {"any": [p, {"not": lab}]}, PREFIXES, REQUIRED_LABELS),
)
CODED = st.lists(
    st.fixed_dictionaries({"region_code": REGIONS, "industry_code": INDUSTRIES}), min_size=0, max_size=4
)


def _ranges_options() -> list[bool]:
    # Ranges are exact only where text is ordered by code point (as the test databases are).
    return [False, True] if orders_text_by_code_point() else [False]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    conditions=SHAPED,
    award=AWARDS,
    enterprises=ENTERPRISES,
    coded=CODED,
    on=REFERENCE_DATES,
    given_facts=FACTS,
)
def test_label_led_and_ranged_queries_select_exactly_whom_the_evaluator_finds_eligible(
    city, conditions, award, enterprises, coded, on, given_facts
):
    rule = parse_rule({"facts": FACT_TYPES, "conditions": conditions, "award": award})
    facts = parse_facts(rule, given_facts)
    with transaction.atomic():
        for data in enterprises:
            fields = dict(data)
            labels = fields.pop("labels")
            firm = EnterpriseFactory(region=city.district, **fields)
            for key, value in labels.items():
                EnterpriseLabel.objects.create(enterprise=firm, key=key, value=value)
        for codes in coded:
            EnterpriseFactory(region=city.district, **codes)

        expected = {}
        for firm in Enterprise.objects.prefetch_related("labels"):
            decision = evaluate(rule, firm, on=on, facts=facts)
            # The re-match's shortcut gives the same answer without the explanation.
            assert decide(rule, firm, on=on, facts=facts) == (decision.eligible, decision.award)
            if decision.eligible:
                expected[firm.pk] = decision.award
        for ranges in _ranges_options():
            found = eligible_enterprises(rule, on=on, facts=facts, prefix_ranges=ranges)
            assert {e.pk: e.award for e in found} == expected
        transaction.set_rollback(True)


def _sql(conditions, *, ranges=True):
    rule = parse_rule({"conditions": conditions, "award": FIXED})
    sql, _params = eligible_enterprises(rule, on=ON, prefix_ranges=ranges).query.sql_with_params()
    return sql.upper()


def test_a_label_every_match_needs_is_a_set_to_start_from_and_elsewhere_an_exists():
    needed = {"label": "scenic_grade", "op": "in", "value": ["3A", "4A"]}
    sql = _sql({"all": [{"attr": "status", "op": "eq", "value": "active"}, needed]})
    assert "EXISTS" not in sql
    assert '"ENTERPRISES_ENTERPRISE"."ID" IN (SELECT' in sql
    # Under `any` or `not` the label is a correlated test of each row.
    for elsewhere in ({"any": [needed, {"label": "high_tech", "op": "exists"}]}, {"not": needed}):
        sql = _sql(elsewhere)
        assert "EXISTS" in sql
        assert "IN (SELECT" not in sql
    # A negative label condition needs the label's absence: never a set to start from.
    assert "IN (SELECT" not in _sql({"all": [{"label": "scenic_grade", "op": "ne", "value": "2A"}]})


def test_a_whole_code_is_an_equality_and_a_shorter_prefix_a_range():
    assert "SUBSTR" not in _sql({"attr": "region_code", "op": "prefix", "value": "350503"}, ranges=False)
    assert '"REGION_CODE" = ' in _sql({"attr": "region_code", "op": "prefix", "value": "350503"})
    ranged = _sql({"attr": "region_code", "op": "prefix", "value": "3505"})
    assert '"REGION_CODE" >= ' in ranged
    assert '"REGION_CODE" < ' in ranged
    assert "SUBSTR" not in ranged
    assert "SUBSTR" in _sql({"attr": "region_code", "op": "prefix", "value": "3505"}, ranges=False)


@pytest.mark.parametrize("ranges", [False, True])
def test_prefix_range_ends(city, ranges):
    ranges = ranges and orders_text_by_code_point()
    made = []
    for code in ["350499", "3505", "350500", "350599", "3506", "35050", "350"]:
        made.append(
            EnterpriseFactory(region=city.district, name=code, region_code=code, industry_code="A0111").pk
        )
    for code in ["C39", "C3911", "C39Z", "C3A", "C40", "c3911", "CZ", "D"]:
        made.append(
            EnterpriseFactory(region=city.district, name=code, industry_code=code, region_code="110105").pk
        )

    def names(attr, prefix):
        rule = parse_rule({"conditions": {"attr": attr, "op": "prefix", "value": prefix}, "award": FIXED})
        mine = Enterprise.objects.filter(pk__in=made)
        return {e.name for e in eligible_enterprises(rule, on=ON, queryset=mine, prefix_ranges=ranges)}

    assert names("region_code", "3505") == {"3505", "350500", "350599", "35050"}
    assert names("region_code", "350500") == {"350500"}
    assert names("region_code", "35050") == {"35050", "350500"}
    assert names("industry_code", "C39") == {"C39", "C3911", "C39Z"}
    assert names("industry_code", "C3") == {"C39", "C3911", "C39Z", "C3A"}
    assert names("industry_code", "CZ") == {"CZ"}
    assert names("industry_code", ["C39", "D"]) == {"C39", "C3911", "C39Z", "D"}


def test_awards_by_a_label_every_match_needs(city):
    for grade in ["3A", "4A", "5A", "2A"]:
        firm = EnterpriseFactory(region=city.district, name=grade, status="active")
        EnterpriseLabel.objects.create(enterprise=firm, key="scenic_grade", value=grade)
    EnterpriseFactory(region=city.district, name="none", status="active")
    from .rules_examples import SCENIC_AWARD

    found = {e.name: e.award for e in eligible_enterprises(parse_rule(SCENIC_AWARD), on=ON)}
    found = {name: award for name, award in found.items() if name in ("3A", "4A", "5A", "2A", "none")}
    assert found == {"3A": Decimal("600000"), "4A": Decimal("1000000"), "5A": Decimal("2000000")}
