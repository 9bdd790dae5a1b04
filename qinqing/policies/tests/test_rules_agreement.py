"""The database and the evaluator agree: over random rules and random enterprises, the
one query selects exactly the enterprises the per-enterprise evaluator finds eligible,
with the same awards — on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qinqing.enterprises.models import Enterprise, EnterpriseLabel, EnterpriseStatus
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.rules import decide, eligible_enterprises, evaluate, parse_facts, parse_rule

# Small pools, so that random constants often meet random enterprise values (equality,
# boundaries of between and of ages) rather than missing them all.
COUNTS = st.integers(0, 60)
CENTS = st.one_of(st.integers(0, 3000), st.integers(0, 10**14)).map(lambda c: Decimal(c) / 100)
DATES = st.dates(datetime.date(2000, 1, 1), datetime.date(2026, 12, 31))
INDUSTRY = st.sampled_from(["C3911", "C3912", "C1811", "A0111", "c3911", "C39", "I6510"])
REGION = st.sampled_from(["350500", "350503", "350582", "350100", "110105"])
PREFIX_INDUSTRY = st.sampled_from(["C", "C39", "C391", "C3911", "A", "I65"])
PREFIX_REGION = st.sampled_from(["35", "3505", "350503", "11"])
LABEL_KEYS = st.sampled_from(["high_tech", "scenic_grade", "above_scale"])
LABEL_VALUES = st.sampled_from(["yes", "3A", "4A", "5A"])
STATUS = st.sampled_from(EnterpriseStatus.values)


def _money(d: Decimal) -> str:
    return str(d)


def _ordered(attr, values, encode):
    ops = ["eq", "ne", "lt", "le", "gt", "ge"]
    single = st.builds(
        lambda op, v: {"attr": attr, "op": op, "value": encode(v)}, st.sampled_from(ops), values
    )
    between = st.tuples(values, values).map(
        lambda p: {"attr": attr, "op": "between", "value": [encode(min(p)), encode(max(p))]}
    )
    return single | between


def _sets(attr, values, encode=lambda v: v):
    return st.builds(
        lambda op, vs: {"attr": attr, "op": op, "value": [encode(v) for v in vs]},
        st.sampled_from(["in", "not_in"]),
        st.lists(values, min_size=1, max_size=3),
    )


LEAVES = st.one_of(
    _ordered("employees", COUNTS, int),
    _sets("employees", COUNTS),
    _ordered("insured_employees", COUNTS, int),
    _ordered("revenue", CENTS, _money),
    _ordered("tax_paid", CENTS, _money),
    _ordered("registered_capital", CENTS, _money),
    _ordered("founded_on", DATES, datetime.date.isoformat),
    st.builds(
        lambda op, n: {"attr": "founded_on", "op": op, "value": n},
        st.sampled_from(["age_ge", "age_lt"]),
        st.integers(0, 30),
    ),
    st.builds(
        lambda op, v: {"attr": "industry_code", "op": op, "value": v},
        st.sampled_from(["eq", "ne"]),
        INDUSTRY.filter(str.isupper),
    ),
    _sets("industry_code", INDUSTRY.filter(str.isupper)),
    st.builds(
        lambda vs: {"attr": "industry_code", "op": "prefix", "value": vs},
        st.lists(PREFIX_INDUSTRY, min_size=1, max_size=2),
    ),
    st.builds(
        lambda vs: {"attr": "region_code", "op": "prefix", "value": vs},
        st.lists(PREFIX_REGION, min_size=1, max_size=2),
    ),
    _sets("region_code", REGION),
    st.builds(lambda op, v: {"attr": "status", "op": op, "value": v}, st.sampled_from(["eq", "ne"]), STATUS),
    _sets("status", STATUS),
    st.builds(
        lambda op, v: {"attr": "bank_account_verified", "op": op, "value": v},
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    ),
    # Facts come with the application: the same for every enterprise, constants in SQL.
    _ordered("export_value", CENTS, _money).map(lambda c: {"fact": c.pop("attr"), **c}),
    st.builds(lambda v: {"fact": "first_export", "op": "eq", "value": v}, st.booleans()),
    st.builds(lambda k: {"label": k, "op": "exists"}, LABEL_KEYS),
    st.builds(
        lambda k, op, v: {"label": k, "op": op, "value": v},
        LABEL_KEYS,
        st.sampled_from(["eq", "ne"]),
        LABEL_VALUES,
    ),
    st.builds(
        lambda k, op, vs: {"label": k, "op": op, "value": vs},
        LABEL_KEYS,
        st.sampled_from(["in", "not_in"]),
        st.lists(LABEL_VALUES, min_size=1, max_size=3),
    ),
)

CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda ms: {"all": ms}),
        st.lists(inner, min_size=1, max_size=3).map(lambda ms: {"any": ms}),
        inner.map(lambda m: {"not": m}),
    ),
    max_leaves=8,
)

AMOUNTS = CENTS.filter(lambda d: d < 10**9).map(_money)
AWARDS = st.one_of(
    st.builds(lambda a: {"kind": "fixed", "amount": a}, AMOUNTS),
    st.builds(
        lambda attr, rate, cap: (
            {"kind": "rate", "attr": attr, "rate": str(Decimal(rate) / 10000)} | ({"cap": cap} if cap else {})
        ),
        st.sampled_from(["revenue", "tax_paid", "registered_capital"]),
        st.integers(0, 10000),
        st.none() | AMOUNTS,
    ),
    st.builds(
        lambda a, cap: {"kind": "per_employee", "amount": a} | ({"cap": cap} if cap else {}),
        AMOUNTS,
        st.none() | AMOUNTS,
    ),
    st.builds(
        lambda key, amounts: {
            "kind": "tiered",
            "label": key,
            "tiers": [
                {"value": v, "amount": a} for v, a in zip(["3A", "4A", "5A", "yes"], amounts, strict=False)
            ],
        },
        LABEL_KEYS,
        st.lists(AMOUNTS, min_size=1, max_size=4),
    ),
    st.builds(
        lambda starts, amount: {
            "kind": "tiered",
            "attr": "employees",
            "tiers": [{"from": s, "amount": amount} for s in sorted(set(starts))],
        },
        st.lists(COUNTS, min_size=1, max_size=3),
        AMOUNTS,
    ),
)

ENTERPRISES = st.lists(
    st.fixed_dictionaries(
        {
            "employees": COUNTS,
            "insured_employees": COUNTS,
            "revenue": CENTS,
            "tax_paid": CENTS,
            "registered_capital": CENTS,
            "founded_on": st.none() | DATES,
            "industry_code": INDUSTRY,
            "region_code": REGION,
            "status": STATUS,
            "bank_account_verified": st.booleans(),
            "labels": st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=3),
        }
    ),
    min_size=1,
    max_size=6,
)

FACT_TYPES = {"export_value": "money", "first_export": "bool"}
FACTS = st.fixed_dictionaries({}, optional={"export_value": CENTS.map(_money), "first_export": st.booleans()})

REFERENCE_DATES = st.sampled_from([datetime.date(2024, 2, 29), datetime.date(2026, 3, 1)]) | DATES


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(conditions=CONDITIONS, award=AWARDS, enterprises=ENTERPRISES, on=REFERENCE_DATES, given_facts=FACTS)
def test_the_query_selects_exactly_whom_the_evaluator_finds_eligible(
    city, conditions, award, enterprises, on, given_facts
):
    rule = parse_rule({"facts": FACT_TYPES, "conditions": conditions, "award": award})
    facts = parse_facts(rule, given_facts)
    # Each example's enterprises are rolled back, so examples do not see each other's.
    with transaction.atomic():
        for data in enterprises:
            fields = dict(data)
            labels = fields.pop("labels")
            firm = EnterpriseFactory(region=city.district, **fields)
            for key, value in labels.items():
                EnterpriseLabel.objects.create(enterprise=firm, key=key, value=value)

        selected = {e.pk: e.award for e in eligible_enterprises(rule, on=on, facts=facts)}
        expected = {}
        for firm in Enterprise.objects.prefetch_related("labels"):
            decision = evaluate(rule, firm, on=on, facts=facts)
            # The re-match's shortcut gives the same answer without the explanation.
            assert decide(rule, firm, on=on, facts=facts) == (decision.eligible, decision.award)
            if decision.eligible:
                expected[firm.pk] = decision.award

        assert set(selected) == set(expected)
        assert selected == expected
        transaction.set_rollback(True)
