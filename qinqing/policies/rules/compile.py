"""A rule compiled to one SQL query over Enterprise: matching without a loop in Python.

Eligibility and awards are both set-based: `eligible_q` is a filter (labels through
EXISTS subqueries), `award_expression` an annotation (CASE for tiers, LEAST for caps).
Every leaf compiles to an expression that is TRUE or FALSE, never NULL (nullable fields
are guarded with IS NOT NULL), so NOT means what it means in `evaluate.py`.

Shapes chosen for the planners (the matching bench measured them):

- A positive label condition (`exists`, `eq`, `in`) that must hold for the whole rule (a
  member of the top-level `all`, or the rule itself) compiles to `id IN (SELECT
  enterprise_id FROM labels WHERE key = … [AND value IN …])`, not to a correlated
  `EXISTS`: SQLite then starts from the label rows (the `(key, value)` index) and looks
  the enterprises up by primary key, where it would run the `EXISTS` once per enterprise
  row; PostgreSQL plans both as a semi-join. Elsewhere (under `any` or `not`) a label
  stays an `EXISTS`, which PostgreSQL turns into an anti-join or a per-row probe.
- A code prefix that is a whole code (as long as the column) is an equality. A shorter
  one, with `prefix_ranges`, is a range (`>= '3505' AND < '3506'`) that the column's
  B-tree index serves; otherwise `SUBSTR(…) = '…'`, which agrees with `str.startswith`
  whatever the collation. A range is exactly "starts with" only where the database
  orders text by code point (`orders_text_by_code_point()`), and it helps only a
  planner that estimates ranges from the data: `prefix_ranges_pay()` says yes for
  PostgreSQL under a `C` or `C.UTF-8` collation (the matching service passes its
  answer) and no for SQLite, whose planner, without statistics on ranges, took the
  range for industry prefixes "C" and "I" (half the table) for a narrow one and walked
  that index rather than the division's equality.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
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


def eligible_q(
    rule: Rule,
    *,
    on: datetime.date,
    facts: Mapping[str, Any] | None = None,
    prefix_ranges: bool = False,
) -> Q:
    """The filter selecting the enterprises that meet `rule` on the reference date `on`.

    Facts are one application's, the same for every row, so a condition on a fact
    compiles to a constant; a rule that declares facts needs them (FactsNeeded).
    `prefix_ranges`: compile code prefixes as ranges (see above; only where
    `orders_text_by_code_point()`).
    """
    if rule.facts and facts is None:
        raise FactsNeeded()
    return _q(rule.conditions, _Context(on, facts or {}, prefix_ranges), required=True)


@dataclass(frozen=True)
class _Context:
    on: datetime.date
    facts: Mapping[str, Any]
    prefix_ranges: bool


def eligible_enterprises(
    rule: Rule,
    *,
    on: datetime.date,
    queryset: QuerySet[Enterprise] | None = None,
    facts: Mapping[str, Any] | None = None,
    prefix_ranges: bool = False,
) -> QuerySet[Enterprise]:
    """Every eligible enterprise with its award annotated as `award`: one query."""
    base = queryset if queryset is not None else Enterprise.objects.all()
    where = eligible_q(rule, on=on, facts=facts, prefix_ranges=prefix_ranges)
    return base.filter(where).annotate(award=award_expression(rule.award))


def _label_exists(key: str, values: tuple[str, ...] = (), *, negate: bool = False) -> Exists:
    rows = EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"), key=key)
    if values:
        rows = rows.exclude(value__in=values) if negate else rows.filter(value__in=values)
    return Exists(rows)


def _label_led(node: LabelCondition) -> Q:
    """`id IN (the label's rows)`: a set the planner can start from (see the module's text)."""
    rows = EnterpriseLabel.objects.filter(key=node.key)
    if node.op != "exists":
        rows = rows.filter(value__in=node.value)
    return Q(pk__in=rows.values("enterprise_id"))


def _q(node: Condition, ctx: _Context, *, required: bool = False) -> Q:  # noqa: PLR0911
    """`required`: the node must hold for the whole rule to hold (the rule itself, or a
    member of an `all` that is itself required)."""
    if isinstance(node, AllOf):
        return reduce(and_, (_q(m, ctx, required=required) for m in node.members))
    if isinstance(node, AnyOf):
        return reduce(or_, (_q(m, ctx) for m in node.members))
    if isinstance(node, NotOf):
        return ~_q(node.member, ctx)
    if isinstance(node, LabelCondition):
        if required and node.op in ("exists", "eq", "in"):
            return _label_led(node)
        if node.op == "exists":
            return Q(_label_exists(node.key))
        return Q(_label_exists(node.key, node.value, negate=node.op in ("ne", "not_in")))
    if node.fact:
        return _ALWAYS if attr_holds(node, ctx.facts.get(node.attr), ctx.on) else _NEVER
    leaf = _attr_q(node, ctx)
    if node.attr in NULLABLE:
        return Q(**{node.attr + "__isnull": False}) & leaf
    return leaf


def _attr_q(node: AttrCondition, ctx: _Context) -> Q:  # noqa: PLR0911
    attr, op, value, on = node.attr, node.op, node.value, ctx.on
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
        return reduce(or_, (_prefix_q(attr, p, ranges=ctx.prefix_ranges) for p in value))
    if op == "age_ge":
        return Q(**{attr + "__lte": years_before(on, value)})
    if op == "age_lt":
        return Q(**{attr + "__gt": years_before(on, value)})
    raise AssertionError(op)


def _prefix_q(attr: str, prefix: str, *, ranges: bool) -> Q:
    """`attr` starts with `prefix`, in a form an index on `attr` serves where it can."""
    if len(prefix) >= _max_length(attr):
        return Q(**{attr: prefix})  # a whole code: nothing longer fits in the column
    if ranges:
        # Exactly the strings that start with the prefix, in code-point order.
        return Q(**{attr + "__gte": prefix, attr + "__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})
    # SUBSTR and =, not LIKE: SQLite's LIKE ignores case, so "c39" would match "C39".
    return Q(Exact(Substr(F(attr), 1, len(prefix)), Value(prefix)))


def _max_length(attr: str) -> int:
    field = Enterprise._meta.get_field(attr)
    return int(getattr(field, "max_length", None) or 0) or 10**9


_CODE_POINT_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"})
_collation_of: dict[str, bool] = {}


def orders_text_by_code_point() -> bool:
    """Whether the default database compares text by code point (then a range is a prefix).

    SQLite's default BINARY collation does; PostgreSQL's depends on the database's
    collation, read once per database name and process (one query the first time).
    """
    if connection.vendor != "postgresql":
        return connection.vendor == "sqlite"
    name = str(connection.settings_dict["NAME"])
    if name not in _collation_of:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            row = cursor.fetchone()
        _collation_of[name] = bool(row) and row[0] in _CODE_POINT_COLLATIONS
    return _collation_of[name]


def prefix_ranges_pay() -> bool:
    """Whether to compile code prefixes as ranges on the default database (see above)."""
    return connection.vendor == "postgresql" and orders_text_by_code_point()


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
        # The head count as a decimal first: the amount reaches PostgreSQL as a literal,
        # and a whole one (500) is an integer there, so integer × integer would overflow
        # past 2^31 (1,000,000 yuan × 3,000 employees) instead of giving the award.
        amount: Combinable = ExpressionWrapper(
            Cast(F("insured_employees"), MONEY) * _money(award.amount), output_field=MONEY
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
