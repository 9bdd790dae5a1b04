"""A policy's award told in words, for the public pages and the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qinqing.enterprises.labels import display_name as label_display_name
from qinqing.enterprises.models import EnterpriseStatus
from qinqing.policies.models import Policy, PolicyVersion
from qinqing.policies.services.catalogue import version_changes


def yuan(raw: Any) -> str:
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return _("%(amount)s yuan") % {"amount": text}


def award_lines(rule: dict[str, Any]) -> list[str]:
    """One line per amount: "3A: 600,000 yuan", "fixed: 1,000 yuan", … (rule already validated)."""
    award = rule.get("award") or {}
    kind = award.get("kind")
    if kind == "fixed":
        return [_("Fixed award of %(amount)s") % {"amount": yuan(award.get("amount"))}]
    if kind == "tiered":
        lines = []
        for tier in award.get("tiers", []):
            step = tier.get("value") if tier.get("value") is not None else tier.get("start")
            lines.append(_("%(step)s: %(amount)s") % {"step": step, "amount": yuan(tier.get("amount"))})
        return lines
    if kind == "rate":
        rate = Decimal(str(award.get("rate", "0"))) * 100
        if award.get("fact") is not None:
            figure = _("the declared %(fact)s") % {"fact": award["fact"]}
        else:
            figure = _subjects().get(str(award.get("attr")), str(award.get("attr")))
        line = _("%(rate)s%% of %(figure)s") % {"rate": f"{rate.normalize():f}", "figure": figure}
        if award.get("cap") is not None:
            line += _(", at most %(cap)s") % {"cap": yuan(award.get("cap"))}
        return [line]
    if kind == "per_employee":
        return [_("%(amount)s per insured employee") % {"amount": yuan(award.get("amount"))}]
    return []


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
        "between": _("is between %(value)s"),
        "in": _("is one of %(value)s"),
        "not_in": _("is none of %(value)s"),
        "prefix": _("starts with %(value)s"),
        "age_ge": _("is at least %(value)s years ago"),
        "age_lt": _("is less than %(value)s years ago"),
        "exists": _("is recorded"),
    }


def _value(raw: Any, attr: str | None = None) -> str:
    if isinstance(raw, list):
        return "、".join(_value(v, attr) for v in raw)
    if attr == "status" and raw in EnterpriseStatus.values:
        return str(EnterpriseStatus(raw).label)
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    return str(raw)


def condition_lines(rule: dict[str, Any]) -> list[tuple[int, str]]:
    """The conditions as (depth, sentence) lines, in the rule's order (rule already validated)."""
    return [(depth, line) for depth, line, _clause in condition_rows(rule)]


def condition_rows(rule: dict[str, Any]) -> list[tuple[int, str, dict[str, str] | None]]:
    """The conditions as (depth, sentence, clause) rows: each condition with the clause of
    the basis it rests on (document, text, link), where the rule names one."""
    lines: list[tuple[int, str, dict[str, str] | None]] = []
    subjects, ops = _subjects(), _ops()

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
        if "attr" in node:
            subject = subjects.get(node["attr"], node["attr"])
        elif "label" in node:
            subject = _("Label %(key)s") % {"key": label_display_name(str(node["label"]))}
        else:
            subject = _("Applicant's %(fact)s") % {"fact": node.get("fact", "")}
        template = ops.get(str(node.get("op", "")), "%(value)s")
        predicate = template % {"value": _value(node.get("value"), node.get("attr"))}
        clause = node.get("clause") if isinstance(node.get("clause"), dict) else None
        lines.append(
            (depth, _("%(subject)s %(predicate)s") % {"subject": subject, "predicate": predicate}, clause)
        )

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
