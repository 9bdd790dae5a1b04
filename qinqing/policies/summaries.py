"""A policy's award told in words, for the public pages and the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


def _yuan(raw: Any) -> str:
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    return _("%(amount)s yuan") % {"amount": f"{amount:,.2f}".rstrip("0").rstrip(".")}


def award_lines(rule: dict[str, Any]) -> list[str]:
    """One line per amount: "3A: 600,000 yuan", "fixed: 1,000 yuan", … (rule already validated)."""
    award = rule.get("award") or {}
    kind = award.get("kind")
    if kind == "fixed":
        return [_("Fixed award of %(amount)s") % {"amount": _yuan(award.get("amount"))}]
    if kind == "tiered":
        lines = []
        for tier in award.get("tiers", []):
            step = tier.get("value") if tier.get("value") is not None else tier.get("start")
            lines.append(_("%(step)s: %(amount)s") % {"step": step, "amount": _yuan(tier.get("amount"))})
        return lines
    if kind == "rate":
        line = _("%(rate)s of %(figure)s") % {"rate": award.get("rate"), "figure": award.get("attr")}
        if award.get("cap") is not None:
            line += _(", at most %(cap)s") % {"cap": _yuan(award.get("cap"))}
        return [line]
    if kind == "per_employee":
        return [_("%(amount)s per insured employee") % {"amount": _yuan(award.get("amount"))}]
    return []


def award_kind_label(rule: dict[str, Any]) -> str:
    labels = {
        "fixed": _("Fixed amount"),
        "tiered": _("Tiered"),
        "rate": _("Rate of a figure"),
        "per_employee": _("Per insured employee"),
    }
    return labels.get(str((rule.get("award") or {}).get("kind", "")), "")
