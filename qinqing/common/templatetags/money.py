"""Amounts of money in tables: yuan with thousands separated by commas and two places,
the same in every language (Django's zh-hans format groups nothing), as the platform's
other money columns show them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """8000000 → "8,000,000.00"; None or anything not a number → "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return "—"
