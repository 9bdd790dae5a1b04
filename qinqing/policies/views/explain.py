"""A decision's explanation told in words for the enterprise's pages: per condition,
the condition, the enterprise's value, held or not, and the clause it rests on.

The stored explanation (`rules.evaluate`) and the rule's sentences
(`summaries.condition_lines`) walk the same tree in the same order, so the two are
read side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from qinqing.enterprises.labels import display_name as label_display_name
from qinqing.enterprises.models import EnterpriseStatus
from qinqing.policies.summaries import condition_lines, count, fact_kinds, fact_labels, fact_value, yuan

_MONEY_ATTRS = frozenset({"revenue", "tax_paid", "registered_capital"})
_GROUPS = ("all", "any", "not")


def _walk(node: Any, depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    yield depth, node
    for kind in ("all", "any"):
        if kind in node:
            for member in node.get(kind) or []:
                yield from _walk(member, depth + 1)
    if "not" in node:
        yield from _walk(node["not"], depth + 1)


def _money(raw: Any) -> str:
    try:
        Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    return yuan(raw)


def actual_text(node: dict[str, Any], kinds: dict[str, str] | None = None) -> str:
    """The enterprise's value in the reader's language; "not recorded" when missing.
    `kinds` are the rule's facts' types: an amount given is shown in yuan."""
    actual = node.get("actual")
    if "fact" in node:
        return _("not given") if actual is None else fact_value(actual, (kinds or {}).get(str(node["fact"])))
    if actual is None:
        return _("not recorded")
    attr = node.get("attr")
    if attr == "status" and actual in EnterpriseStatus.values:
        return str(EnterpriseStatus(actual).label)
    if isinstance(actual, bool):
        return _("yes") if actual else _("no")
    if attr in _MONEY_ATTRS:
        return _money(actual)
    return count(actual)


def explanation_rows(rule: dict[str, Any], explanation: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per node of the condition tree, in the rule's order."""
    lines = condition_lines(rule) if isinstance(rule, dict) else []
    kinds = fact_kinds(rule) if isinstance(rule, dict) else {}
    labels = fact_labels(rule) if isinstance(rule, dict) else {}
    rows: list[dict[str, Any]] = []
    for i, (depth, node) in enumerate(_walk((explanation or {}).get("conditions"))):
        group = any(kind in node for kind in _GROUPS)
        if i < len(lines):
            text = lines[i][1]
        elif "label" in node:
            text = str(label_display_name(str(node["label"])))
        elif "fact" in node:
            text = labels.get(str(node["fact"]), str(node["fact"]).replace("_", " "))
        else:
            text = str(node.get("attr") or "").replace("_", " ")
        clause = node.get("clause") if isinstance(node.get("clause"), dict) else None
        rows.append(
            {
                "depth": min(depth, 2),
                "text": text,
                "group": group,
                "held": bool(node.get("held")),
                "fact": "fact" in node,
                # A figure the application has not given yet: neither met nor failed.
                "pending": "fact" in node and node.get("actual") is None,
                "actual": "" if group else actual_text(node, kinds),
                "clause": clause,
            }
        )
    return rows


def undecided_by_facts(rows: list[dict[str, Any]]) -> bool:
    """Not held only for want of the application's figures: every failing leaf is a fact."""
    failing = [r for r in rows if not r["group"] and not r["held"]]
    return bool(failing) and all(r["pending"] for r in failing)


def _rule_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """The rule's condition nodes in the order `condition_lines` tells them."""
    if not isinstance(node, dict):
        return
    yield node
    for kind in ("all", "any"):
        if kind in node:
            for member in node.get(kind) or []:
                yield from _rule_nodes(member)
    if "not" in node:
        yield from _rule_nodes(node["not"])


def fact_hints(rule: dict[str, Any]) -> dict[str, list[str]]:
    """For each fact an application asks, what the rule requires of it and the clause
    that says so: the help under its input."""
    hints: dict[str, list[str]] = {}
    lines = condition_lines(rule) if isinstance(rule, dict) else []
    for (_depth, text), node in zip(lines, _rule_nodes(rule.get("conditions")), strict=False):
        name = node.get("fact")
        if not isinstance(name, str):
            continue
        hint = [text]
        clause = node.get("clause")
        if isinstance(clause, dict) and clause.get("document"):
            hint.append(" ".join(str(clause.get(k, "")) for k in ("document", "text")).strip())
        hints.setdefault(name, []).append("；".join(hint))
    return hints
