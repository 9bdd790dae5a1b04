"""A rule compiled to one SQL query over Enterprise: matching without a loop in Python.

Eligibility and awards are both set-based: `eligible_q` is a filter (labels through
EXISTS subqueries), `award_expression` an annotation (CASE for tiers, LEAST for caps).
Every leaf compiles to an expression that is TRUE or FALSE, never NULL (nullable fields
are guarded with IS NOT NULL), so NOT means what it means in `evaluate.py`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable, ExpressionWrapper, Func
from django.db.models.functions import Cast, Least, Round, Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ValidationFailed
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.policies.rules.evaluate import CENT, attr_holds, years_before
from qinqing.policies.rules.schema import (
    NULLABLE,
    AllOf,
    AnyOf,
    AttrCondition,
    Award,
    Condition,
    LabelCondition,
    NotOf,
    Rule,
)

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
_RATE_SCALE = 10**4


_ALWAYS = Q(pk__isnull=False)
_NEVER = Q(pk__isnull=True)


class FactsNeeded(ValidationFailed):
    code = "rule_needs_facts"
    default_message = _("This rule reads facts from an application; it cannot be matched without them.")


def eligible_q(rule: Rule, *, on: datetime.date, facts: Mapping[str, Any] | None = None) -> Q:
    """The filter selecting the enterprises that meet `rule` on the reference date `on`.

    Facts are one application's, the same for every row, so a condition on a fact
    compiles to a constant; a rule that declares facts needs them (FactsNeeded).
    """
    if rule.facts and facts is None:
        raise FactsNeeded()
    return _q(rule.conditions, on, facts or {})


def eligible_enterprises(
    rule: Rule,
    *,
    on: datetime.date,
    queryset: QuerySet[Enterprise] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> QuerySet[Enterprise]:
    """Every eligible enterprise with its award annotated as `award`: one query."""
    base = queryset if queryset is not None else Enterprise.objects.all()
    return base.filter(eligible_q(rule, on=on, facts=facts)).annotate(award=award_expression(rule.award))


def _label_exists(key: str, values: tuple[str, ...] = (), *, negate: bool = False) -> Exists:
    rows = EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"), key=key)
    if values:
        rows = rows.exclude(value__in=values) if negate else rows.filter(value__in=values)
    return Exists(rows)


def _q(node: Condition, on: datetime.date, facts: Mapping[str, Any]) -> Q:  # noqa: PLR0911
    if isinstance(node, AllOf):
        return reduce(and_, (_q(m, on, facts) for m in node.members))
    if isinstance(node, AnyOf):
        return reduce(or_, (_q(m, on, facts) for m in node.members))
    if isinstance(node, NotOf):
        return ~_q(node.member, on, facts)
    if isinstance(node, LabelCondition):
        if node.op == "exists":
            return Q(_label_exists(node.key))
        return Q(_label_exists(node.key, node.value, negate=node.op in ("ne", "not_in")))
    if node.fact:
        return _ALWAYS if attr_holds(node, facts.get(node.attr), on) else _NEVER
    leaf = _attr_q(node, on)
    if node.attr in NULLABLE:
        return Q(**{node.attr + "__isnull": False}) & leaf
    return leaf


def _attr_q(node: AttrCondition, on: datetime.date) -> Q:  # noqa: PLR0911
    attr, op, value = node.attr, node.op, node.value
    if op == "eq":
        return Q(**{attr: value})
    if op == "ne":
        return ~Q(**{attr: value})
    if op in ("lt", "gt"):
        return Q(**{attr + "__" + op: value})
    if op in ("le", "ge"):
        return Q(**{attr + "__" + op[0] + "te": value})
    if op == "between":
        return Q(**{attr + "__gte": value[0], attr + "__lte": value[1]})
    if op == "in":
        return Q(**{attr + "__in": value})
    if op == "not_in":
        return ~Q(**{attr + "__in": value})
    if op == "prefix":
        # SUBSTR and =, not LIKE: SQLite's LIKE ignores case, so "c39" would match "C39".
        return reduce(or_, (Q(Exact(Substr(F(attr), 1, len(p)), Value(p))) for p in value))
    if op == "age_ge":
        return Q(**{attr + "__lte": years_before(on, value)})
    if op == "age_lt":
        return Q(**{attr + "__gt": years_before(on, value)})
    raise AssertionError(op)


def _money(amount: Decimal) -> Value:
    return Value(amount, output_field=MONEY)


def award_expression(award: Award) -> Combinable:
    """The award before the eligibility test, as a Decimal(18, 2) SQL expression."""
    if award.fact is not None:
        # An application's figure: known only once someone applies (evaluate.py computes it).
        raise FactsNeeded()
    if award.kind == "fixed":
        return _money(award.amount)
    if award.kind == "tiered":
        whens = []
        for tier in reversed(award.tiers):  # the highest reached tier wins: test it first
            if award.label is not None:
                test = Q(_label_exists(award.label, (tier.value or "",)))
            elif tier.value is not None:
                test = Q(**{award.attr or "": tier.value})
            else:
                test = Q(**{(award.attr or "") + "__gte": tier.start})
            whens.append(When(test, then=_money(tier.amount)))
        return Case(*whens, default=_money(Decimal("0")), output_field=MONEY)
    if award.kind == "per_employee":
        amount: Combinable = ExpressionWrapper(
            F("insured_employees") * _money(award.amount), output_field=MONEY
        )
    else:
        amount = _rate_amount(award.attr or "", award.rate)
    if award.cap is not None:
        amount = Least(amount, _money(award.cap), output_field=MONEY)
    return amount


def _rate_amount(attr: str, rate: Decimal) -> Combinable:
    """figure × rate, rounded half up to the cent, in integers.

    SQLite holds decimals as doubles, where 0.005 may be stored just below a half; whole
    cents times a rate in ten-thousandths are exact integers on both databases, and
    (x + 5000) / 10000 on non-negative integers is rounding half up. The cents are split
    as q × 10000 + r so that no product passes 64 bits even at the field's largest
    figure (10^16 yuan): cents × rate = q × rate + (r × rate + 5000) / 10000.
    """
    big: BigIntegerField[int, int] = BigIntegerField()
    cents = Cast(Round(F(attr) * Value(100)), big)
    scale = Value(_RATE_SCALE, output_field=big)
    scaled = Value(int(rate * _RATE_SCALE), output_field=big)
    whole = ExpressionWrapper(_IntDiv(cents, scale) * scaled, output_field=big)
    rest = ExpressionWrapper(_IntMod(cents, scale) * scaled + Value(_RATE_SCALE // 2), output_field=big)
    award_cents = ExpressionWrapper(whole + _IntDiv(rest, scale), output_field=big)
    return ExpressionWrapper(award_cents * _money(CENT), output_field=MONEY)


class _IntDiv(Func):
    """Integer division truncating toward zero (PostgreSQL and SQLite agree on bigints)."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = BigIntegerField()


class _IntMod(Func):
    """Integer remainder with `%`: Django's Mod is a float fmod on SQLite."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BigIntegerField()
