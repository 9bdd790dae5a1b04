"""One enterprise against one rule, with the reasons: the explanation stored with a decision.

This is the reference semantics; the SQL compilation (`compile.py`) must select exactly
the enterprises this module finds eligible (a property test holds them to it).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qinqing.enterprises.models import Enterprise
from qinqing.policies.rules.schema import (
    AllOf,
    AnyOf,
    AttrCondition,
    Award,
    Condition,
    LabelCondition,
    NotOf,
    Rule,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Decision:
    eligible: bool
    award: Decimal  # 0.00 when not eligible
    explanation: dict[str, Any]  # JSON-serialisable, stored with the decision


def years_before(on: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def enterprise_labels(enterprise: Enterprise) -> dict[str, str]:
    """Label key → value; reads the prefetch cache when the caller prefetched `labels`."""
    return {label.key: label.value for label in enterprise.labels.all()}


def evaluate(
    rule: Rule,
    enterprise: Enterprise,
    *,
    on: datetime.date,
    labels: Mapping[str, str] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Decision:
    """Whether `enterprise` qualifies on the reference date `on`, the award, and why.

    `facts` are the application's, as returned by `parse_facts`; a fact not given is
    missing, and a condition on it is not held.
    """
    known = labels if labels is not None else enterprise_labels(enterprise)
    held, tree = _check(rule.conditions, _Subject(enterprise, known, facts or {}), on)
    award, trace = _award(rule.award, enterprise, known, facts or {})
    if not held:
        award = Decimal("0.00")
    return Decision(
        eligible=held,
        award=award,
        explanation={
            "eligible": held,
            "on": on.isoformat(),
            "conditions": tree,
            "award": {"amount": str(award), "trace": trace},
        },
    )


def decide(
    rule: Rule,
    enterprise: Enterprise,
    *,
    on: datetime.date,
    labels: Mapping[str, str] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> tuple[bool, Decimal]:
    """`evaluate`'s eligibility and award without its explanation, stopping at the first
    condition that settles an `all` or an `any`: for re-matching one enterprise against
    every policy, where nothing is stored and building fifty explanations was half the
    time. The property tests hold it to `evaluate`."""
    known = labels if labels is not None else enterprise_labels(enterprise)
    given = facts or {}
    if not _holds(rule.conditions, enterprise, known, given, on):
        return False, Decimal("0.00")
    return True, _award(rule.award, enterprise, known, given)[0]


def _holds(
    node: Condition,
    enterprise: Enterprise,
    labels: Mapping[str, str],
    facts: Mapping[str, Any],
    on: datetime.date,
) -> bool:
    if isinstance(node, AllOf):
        return all(_holds(m, enterprise, labels, facts, on) for m in node.members)
    if isinstance(node, AnyOf):
        return any(_holds(m, enterprise, labels, facts, on) for m in node.members)
    if isinstance(node, NotOf):
        return not _holds(node.member, enterprise, labels, facts, on)
    if isinstance(node, LabelCondition):
        return _label_holds(node, labels.get(node.key))
    actual = facts.get(node.attr) if node.fact else getattr(enterprise, node.attr)
    return attr_holds(node, actual, on)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)  # a TextChoices member becomes its plain value
    if isinstance(value, Decimal | datetime.date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


@dataclass(frozen=True)
class _Subject:
    enterprise: Enterprise
    labels: Mapping[str, str]
    facts: Mapping[str, Any]


def _check(node: Condition, subject: _Subject, on: datetime.date) -> tuple[bool, dict[str, Any]]:
    if isinstance(node, AllOf | AnyOf):
        results = [_check(m, subject, on) for m in node.members]
        combine = all if isinstance(node, AllOf) else any
        held = combine(r[0] for r in results)
        kind = "all" if isinstance(node, AllOf) else "any"
        return held, {"path": node.path, kind: [r[1] for r in results], "held": held}
    if isinstance(node, NotOf):
        inner, tree = _check(node.member, subject, on)
        return not inner, {"path": node.path, "not": tree, "held": not inner}
    if isinstance(node, LabelCondition):
        actual = subject.labels.get(node.key)
        held = _label_holds(node, actual)
        entry: dict[str, Any] = {
            "path": node.path,
            "label": node.key,
            "op": node.op,
            "expected": list(node.value),
        }
    else:
        actual = subject.facts.get(node.attr) if node.fact else getattr(subject.enterprise, node.attr)
        held = attr_holds(node, actual, on)
        entry = {
            "path": node.path,
            "fact" if node.fact else "attr": node.attr,
            "op": node.op,
            "expected": _json(node.value),
        }
        if node.op in ("age_ge", "age_lt"):
            entry["founded_by"] = years_before(on, node.value).isoformat()
    entry.update(actual=_json(actual), held=held)
    if node.clause is not None:
        entry["clause"] = node.clause.as_json()
    return held, entry


def _label_holds(node: LabelCondition, actual: str | None) -> bool:
    if actual is None:
        return False
    if node.op == "exists":
        return True
    if node.op in ("eq", "in"):
        return actual in node.value
    return actual not in node.value


def attr_holds(node: AttrCondition, actual: Any, on: datetime.date) -> bool:  # noqa: PLR0911, PLR0912
    if actual is None:
        return False
    op, value = node.op, node.value
    if op == "eq":
        return bool(actual == value)
    if op == "ne":
        return bool(actual != value)
    if op == "lt":
        return bool(actual < value)
    if op == "le":
        return bool(actual <= value)
    if op == "gt":
        return bool(actual > value)
    if op == "ge":
        return bool(actual >= value)
    if op == "between":
        return bool(value[0] <= actual <= value[1])
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if op == "prefix":
        return any(actual.startswith(p) for p in value)
    if op == "age_ge":
        return bool(actual <= years_before(on, value))
    if op == "age_lt":
        return bool(actual > years_before(on, value))
    raise AssertionError(op)


def _award(
    award: Award, enterprise: Enterprise, labels: Mapping[str, str], facts: Mapping[str, Any]
) -> tuple[Decimal, dict[str, Any]]:
    trace: dict[str, Any] = {"kind": award.kind}
    if award.kind == "fixed":
        amount = award.amount
    elif award.kind == "tiered":
        if award.label is not None:
            basis: Any = labels.get(award.label)
            trace["label"] = award.label
        else:
            basis = getattr(enterprise, award.attr or "")
            trace["attr"] = award.attr
        trace["value"] = _json(basis)
        amount = Decimal("0")
        for tier in award.tiers:
            if tier.value is not None and basis == tier.value:
                amount = tier.amount
                trace["tier"] = tier.value
            elif tier.start is not None and basis is not None and basis >= tier.start:
                # Tiers ascend, so the last one reached is the highest that applies.
                amount = tier.amount
                trace["tier"] = str(tier.start)
    elif award.kind == "rate" and award.fact is not None:
        figure = facts.get(award.fact)
        amount = (figure or Decimal("0")) * award.rate
        trace.update(fact=award.fact, value=_json(figure), rate=str(award.rate), raw=str(amount))
    elif award.kind == "rate":
        figure = getattr(enterprise, award.attr or "")
        amount = figure * award.rate
        trace.update(attr=award.attr, value=str(figure), rate=str(award.rate), raw=str(amount))
    else:
        amount = award.amount * enterprise.insured_employees
        trace.update(per_employee=str(award.amount), insured_employees=enterprise.insured_employees)
    if award.cap is not None:
        trace["cap"] = str(award.cap)
        if amount > award.cap:
            amount = award.cap
            trace["capped"] = True
    result = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    trace["amount"] = str(result)
    return result, trace
