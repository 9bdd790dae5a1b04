"""A policy's award told in words, for the public pages and the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qinqing.enterprises.labels import display_name as label_display_name
from qinqing.enterprises.models import EnterpriseStatus
from qinqing.policies.models import Policy, PolicyVersion
from qinqing.policies.rules.schema import ATTRIBUTES, fact_label
from qinqing.policies.services.catalogue import version_changes


def yuan(raw: Any) -> str:
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return _("%(amount)s yuan") % {"amount": text}


_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)


def _figure(amount: Decimal) -> str:
    """A round figure of a rule as its documents write it: 500万 and 3亿 in Chinese
    (the policy texts' own 500万元), 5,000,000 otherwise."""
    chinese = (translation.get_language() or "").lower().startswith("zh")
    if chinese and amount and amount % _YI == 0:
        return f"{(amount / _YI).normalize():f}亿"
    if chinese and amount and amount % _WAN == 0:
        return f"{(amount / _WAN).normalize():f}万"
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _decimal(raw: Any) -> Decimal | None:
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rule_yuan(raw: Any) -> str:
    """A threshold of a rule in yuan: "5,000,000 yuan", "500万元"."""
    amount = _decimal(raw)
    if amount is None:
        return str(raw)
    return pgettext("an amount a rule compares with", "%(amount)s yuan") % {"amount": _figure(amount)}


def count(raw: Any) -> str:
    """A whole number with its thousands separated: 12,000."""
    return f"{raw:,}" if isinstance(raw, int) and not isinstance(raw, bool) else str(raw)


def fact_kinds(rule: dict[str, Any]) -> dict[str, str]:
    """The rule's facts and their types, declared as a type or as {"type", "label"}."""
    facts = rule.get("facts") if isinstance(rule, dict) else None
    if not isinstance(facts, dict):
        return {}
    return {
        str(name): str(declared.get("type") if isinstance(declared, dict) else declared)
        for name, declared in facts.items()
    }


def fact_labels(rule: dict[str, Any]) -> dict[str, str]:
    """The rule's facts by name, each with its label in the reader's language (its name,
    made readable, when the rule gives none)."""
    facts = rule.get("facts") if isinstance(rule, dict) else None
    if not isinstance(facts, dict):
        return {}
    labels: dict[str, str] = {}
    for name, declared in facts.items():
        raw = declared.get("label") if isinstance(declared, dict) else None
        texts = {"": raw} if isinstance(raw, str) else raw if isinstance(raw, dict) else None
        labels[str(name)] = fact_label(texts, str(name))
    return labels


def given_facts(rule: dict[str, Any], given: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """An application's facts as (name, label, value shown), in the rule's order; a fact
    the rule does not declare (any more) keeps its name, made readable."""
    labels, kinds = fact_labels(rule), fact_kinds(rule)
    values = given or {}
    names = [n for n in labels if n in values] + sorted(n for n in values if n not in labels)
    return [(n, labels.get(n) or fact_label(None, n), fact_value(values[n], kinds.get(n))) for n in names]


def fact_value(raw: Any, kind: str | None) -> str:
    """A value an application gave, as a person writes it; "—" when missing."""
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool) or kind == "bool":
        return _("yes") if raw is True or raw == "yes" else _("no")
    if kind == "money":
        return yuan(raw)
    return count(raw)


def _attr_kind(node: dict[str, Any], kinds: dict[str, str]) -> str | None:
    if "attr" in node:
        return ATTRIBUTES.get(str(node["attr"]))
    if "fact" in node:
        return kinds.get(str(node["fact"]))
    return None


def award_lines(rule: dict[str, Any]) -> list[str]:
    """One line per amount: "Tax paid 5,000,000–10,000,000 yuan: 200,000 yuan",
    "Graded scenic area 3A: 600,000 yuan", … (rule already validated)."""
    award = rule.get("award") or {}
    kind = award.get("kind")
    if kind == "fixed":
        return [_("Fixed award of %(amount)s") % {"amount": yuan(award.get("amount"))}]
    if kind == "tiered":
        return _tier_lines(award)
    if kind == "rate":
        rate = Decimal(str(award.get("rate", "0"))) * 100
        if award.get("fact") is not None:
            name = str(award["fact"])
            figure = _("the declared %(fact)s") % {
                "fact": fact_labels(rule).get(name, fact_label(None, name))
            }
        else:
            figure = _subjects().get(str(award.get("attr")), str(award.get("attr")))
        line = _("%(rate)s%% of %(figure)s") % {"rate": f"{rate.normalize():f}", "figure": figure}
        if award.get("cap") is not None:
            line += _(", at most %(cap)s") % {"cap": yuan(award.get("cap"))}
        return [line]
    if kind == "per_employee":
        line = _("%(amount)s per insured employee") % {"amount": yuan(award.get("amount"))}
        if award.get("cap") is not None:
            line += _(", at most %(cap)s") % {"cap": yuan(award.get("cap"))}
        return [line]
    return []


def _tier_lines(award: dict[str, Any]) -> list[str]:
    """A tier by value names its value; a tier by a figure names its range, from its
    own start to the next tier's (a count's range ends one below it), the last one open."""
    attr = award.get("attr")
    if award.get("label") is not None:
        subject = str(label_display_name(str(award["label"])))
    else:
        subject = _subjects().get(str(attr), str(attr))
    tiers = [t for t in award.get("tiers") or [] if isinstance(t, dict)]
    lines = []
    for i, tier in enumerate(tiers):
        amount = yuan(tier.get("amount"))
        if tier.get("value") is not None:
            step = _value(tier["value"], attr)
        else:
            low = _decimal(tier.get("from"))
            high = _decimal(tiers[i + 1].get("from")) if i + 1 < len(tiers) else None
            step = _tier_range(low, high, money=ATTRIBUTES.get(str(attr)) == "money")
        lines.append(
            _("%(subject)s %(step)s: %(amount)s") % {"subject": subject, "step": step, "amount": amount}
        )
    return lines


def _tier_range(low: Decimal | None, high: Decimal | None, *, money: bool) -> str:
    if low is None:
        return ""
    if high is None:
        figure = rule_yuan(low) if money else count(int(low))
        return _("%(figure)s or more") % {"figure": figure}
    if money:
        return pgettext("a range of amounts a rule names", "%(low)s–%(high)s yuan") % {
            "low": _figure(low),
            "high": _figure(high),
        }
    # Counts are whole: the next tier starts at `high`, so this one ends one below.
    last = int(high) - 1
    return count(int(low)) if last <= int(low) else f"{count(int(low))}–{count(last)}"


def award_kind_label(rule: dict[str, Any]) -> str:
    labels = {
        "fixed": _("Fixed amount"),
        "tiered": _("Tiered"),
        "rate": _("Rate of a figure"),
        "per_employee": _("Per insured employee"),
    }
    return labels.get(str((rule.get("award") or {}).get("kind", "")), "")


def _subjects() -> dict[str, str]:
    return {
        "employees": _("Employees"),
        "insured_employees": _("Insured employees"),
        "revenue": _("Revenue"),
        "tax_paid": _("Tax paid"),
        "registered_capital": _("Registered capital"),
        "founded_on": _("Date founded"),
        "industry_code": _("Industry code"),
        "region_code": _("Region code"),
        "status": pgettext("enterprise attribute", "Status"),
        "bank_account_verified": _("Bank account verified"),
    }


def _ops() -> dict[str, str]:
    return {
        "eq": _("is %(value)s"),
        "ne": _("is not %(value)s"),
        "lt": _("is below %(value)s"),
        "le": _("is at most %(value)s"),
        "gt": _("is above %(value)s"),
        "ge": _("is at least %(value)s"),
        "between": _("is between %(low)s and %(high)s"),
        "in": _("is one of %(value)s"),
        "not_in": _("is none of %(value)s"),
        "prefix": _("starts with %(value)s"),
        "age_ge": _("is at least %(value)s years ago"),
        "age_lt": _("is less than %(value)s years ago"),
        "exists": _("is recorded"),
    }


def _one(raw: Any, attr: str | None, kind: str | None) -> str:
    if attr == "status" and raw in EnterpriseStatus.values:
        return str(EnterpriseStatus(raw).label)
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    if kind == "money":
        return rule_yuan(raw)
    return count(raw)


def _value(raw: Any, attr: str | None = None, kind: str | None = None) -> str:
    if isinstance(raw, list):
        # "3A、4A、5A" in Chinese, "3A, 4A, 5A" in English.
        return pgettext("between the items of a list", ", ").join(_one(v, attr, kind) for v in raw)
    return _one(raw, attr, kind)


def condition_lines(rule: dict[str, Any]) -> list[tuple[int, str]]:
    """The conditions as (depth, sentence) lines, in the rule's order (rule already validated)."""
    return [(depth, line) for depth, line, _clause in condition_rows(rule)]


def condition_rows(rule: dict[str, Any]) -> list[tuple[int, str, dict[str, str] | None]]:
    """The conditions as (depth, sentence, clause) rows: each condition with the clause of
    the basis it rests on (document, text, link), where the rule names one."""
    lines: list[tuple[int, str, dict[str, str] | None]] = []
    subjects, ops = _subjects(), _ops()
    kinds, labels = fact_kinds(rule), fact_labels(rule)

    def walk(node: Any, depth: int) -> None:
        if not isinstance(node, dict):
            return
        if "all" in node or "any" in node:
            members = node.get("all") or node.get("any") or []
            lines.append((depth, _("All of:") if "all" in node else _("Any of:"), None))
            for member in members:
                walk(member, depth + 1)
            return
        if "not" in node:
            lines.append((depth, _("None of:"), None))
            walk(node["not"], depth + 1)
            return
        attr = node.get("attr")
        if "attr" in node:
            subject = subjects.get(str(attr), str(attr))
        elif "label" in node:
            subject = _("Label %(key)s") % {"key": label_display_name(str(node["label"]))}
        else:
            name = str(node.get("fact", ""))
            subject = _("%(fact)s (declared)") % {"fact": labels.get(name, fact_label(None, name))}
        kind = _attr_kind(node, kinds)
        op = str(node.get("op", ""))
        raw = node.get("value")
        template = ops.get(op, "%(value)s")
        if op == "between" and isinstance(raw, list) and len(raw) == 2:
            predicate = template % {"low": _one(raw[0], attr, kind), "high": _one(raw[1], attr, kind)}
        elif op in ("age_ge", "age_lt"):
            predicate = template % {"value": count(raw)}
        else:
            predicate = template % {"value": _value(raw, attr, kind)}
        clause = node.get("clause") if isinstance(node.get("clause"), dict) else None
        sentence = _("%(subject)s %(predicate)s") % {"subject": subject, "predicate": predicate}
        lines.append((depth, str(capfirst(sentence)), clause))

    walk(rule.get("conditions"), 0)
    return lines


def choice_label(choices: Any, value: Any) -> str:
    """A choice's label, or the value itself if it is not one of the choices."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def term_label(name: str) -> str:
    """A versioned term (or "rule") as the policy's fields name it."""
    model = PolicyVersion if name == "rule" else Policy
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(capfirst(getattr(field, "verbose_name", name)))


def version_rows(versions: list[Any]) -> list[dict[str, Any]]:
    """Versions newest first, each with what it changed against the one before it (in
    words); the first version changed nothing."""
    return [
        {
            "version": version,
            "changed": [
                term_label(name)
                for name in version_changes(versions[k + 1] if k + 1 < len(versions) else None, version)
            ],
        }
        for k, version in enumerate(versions)
    ]
