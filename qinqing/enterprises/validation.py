"""Cleaning of registry fields, shared by the services and the batch import.

Each cleaner takes what a person or a spreadsheet supplies (text, a number, a date
cell) and returns the stored value, or raises FieldProblem naming the field, a stable
code and a message in the user's language. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import credit_code as cc
from . import industry as industry_codes
from . import labels as label_rules
from .models import Enterprise, EnterpriseStatus

MONEY_MAX_DIGITS = 18
MONEY_PLACES = 2
PEOPLE_MAX = 10_000_000
EARLIEST_FOUNDING = dt.date(1900, 1, 1)
BANK_ACCOUNT_MIN = 6
BANK_ACCOUNT_MAX = 32


class FieldProblem(Exception):  # noqa: N818 - a problem with one field, collected per row
    def __init__(self, field: str, code: str, message: str) -> None:
        self.field = field
        self.code = code
        self.message = message
        super().__init__(field, code, message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def has_unsafe_characters(text: str) -> bool:
    """Control characters and lone surrogates: never part of a name, and PostgreSQL
    refuses NUL outright, so they are turned away here rather than by the database."""
    return any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text)


def strip_unsafe_characters(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cs"})


def _max_length(field: str) -> int:
    return int(getattr(Enterprise._meta.get_field(field), "max_length", 0) or 0)


def clean_credit_code(value: Any) -> str:
    try:
        return cc.validate(_text(value))
    except cc.InvalidCreditCode as exc:
        raise FieldProblem("credit_code", exc.reason, str(exc.message)) from exc


def clean_name(value: Any) -> str:
    name = _text(value)
    if not name:
        raise FieldProblem("name", "required", _("The name is required."))
    if has_unsafe_characters(name):
        raise FieldProblem("name", "characters", _("This value contains characters that cannot be stored."))
    if len(name) > _max_length("name"):
        raise FieldProblem("name", "too_long", _("The name is too long."))
    return name


def clean_industry_code(value: Any) -> str:
    try:
        return industry_codes.normalise(_text(value))
    except industry_codes.InvalidIndustryCode as exc:
        raise FieldProblem("industry_code", "industry_code", str(exc.message)) from exc


_STATUS_WORDS = {
    "active": EnterpriseStatus.ACTIVE,
    "存续": EnterpriseStatus.ACTIVE,
    "在业": EnterpriseStatus.ACTIVE,
    "开业": EnterpriseStatus.ACTIVE,
    "suspended": EnterpriseStatus.SUSPENDED,
    "停业": EnterpriseStatus.SUSPENDED,
    "吊销": EnterpriseStatus.SUSPENDED,
    "deregistered": EnterpriseStatus.DEREGISTERED,
    "注销": EnterpriseStatus.DEREGISTERED,
}


def clean_status(value: Any) -> str:
    text = _text(value).lower()
    if not text:
        return EnterpriseStatus.ACTIVE
    status = _STATUS_WORDS.get(text)
    if status is None:
        for choice in EnterpriseStatus:
            if text == str(choice.label).lower():
                return choice.value
        raise FieldProblem("status", "status", _("Unknown status: use active, suspended or deregistered."))
    return status.value


def clean_optional_text(field: str, value: Any) -> str:
    text = _text(value)
    if len(text) > _max_length(field):
        raise FieldProblem(field, "too_long", _("This value is too long."))
    if has_unsafe_characters(text):
        raise FieldProblem(field, "characters", _("This value contains characters that cannot be stored."))
    return text


def clean_people(field: str, value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise FieldProblem(field, "number", _("Enter a whole number of people."))
    try:
        number = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise FieldProblem(field, "number", _("Enter a whole number of people.")) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise FieldProblem(field, "number", _("Enter a whole number of people."))
    if number < 0 or number > PEOPLE_MAX:
        raise FieldProblem(field, "range", _("The number of people is out of range."))
    return int(number)


_CENT = Decimal("0.01")
_MONEY_LIMIT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_PLACES)
_MONEY_NOISE = re.compile(r"[,\s¥￥元，]")


def clean_money(field: str, value: Any) -> Decimal:
    """An amount in yuan: not negative, at most two decimal places (never rounded)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, bool):
        raise FieldProblem(field, "amount", _("Enter an amount in yuan, e.g. 1200000.00."))
    text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise FieldProblem(field, "amount", _("Enter an amount in yuan, e.g. 1200000.00.")) from exc
    if not amount.is_finite():
        raise FieldProblem(field, "amount", _("Enter an amount in yuan, e.g. 1200000.00."))
    if amount < 0:
        raise FieldProblem(field, "negative", _("An amount cannot be negative."))
    # Checked before rounding: quantize() itself fails on numbers beyond the context.
    if amount >= _MONEY_LIMIT:
        raise FieldProblem(field, "range", _("The amount is too large."))
    if amount != amount.quantize(_CENT):
        raise FieldProblem(field, "places", _("An amount has at most two decimal places."))
    return amount.quantize(_CENT)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def clean_founded_on(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        # A spreadsheet's "2001-03-05 00:00:00" is a date with a midnight attached.
        text = text.split(" ")[0].split("T")[0]
        parsed: dt.date | None = None
        if len(text) == 10 and text[4] == "-":
            # The common case, without strptime's cost (an import parses 200,000 twice).
            try:
                parsed = dt.date.fromisoformat(text)
            except ValueError:
                parsed = None
        for fmt in () if parsed else _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
            break
        if parsed is None:
            raise FieldProblem("founded_on", "date", _("Enter the founding date as YYYY-MM-DD."))
        day = parsed
    if day < EARLIEST_FOUNDING or day > timezone.localdate():
        raise FieldProblem(
            "founded_on", "date_range", _("The founding date cannot be in the future or before 1900.")
        )
    return day


def clean_bank_account_number(value: Any) -> str:
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", _text(value)))
    if not text:
        return ""
    if not text.isdigit() or not BANK_ACCOUNT_MIN <= len(text) <= BANK_ACCOUNT_MAX:
        raise FieldProblem(
            "bank_account_number", "bank_account", _("A bank account number is 6 to 32 digits.")
        )
    return text


def clean_labels(value: Any) -> dict[str, str]:
    try:
        if isinstance(value, Mapping):
            return label_rules.clean_labels(value)
        return label_rules.parse_labels(_text(value))
    except label_rules.InvalidLabel as exc:
        raise FieldProblem("labels", "label", exc.message) from exc


# The cleaners of the fields that the services and the import both accept.
CLEANERS: dict[str, Callable[[Any], Any]] = {
    "credit_code": clean_credit_code,
    "name": clean_name,
    "industry_code": clean_industry_code,
    "status": clean_status,
    "legal_representative": lambda v: clean_optional_text("legal_representative", v),
    "address": lambda v: clean_optional_text("address", v),
    "employees": lambda v: clean_people("employees", v),
    "insured_employees": lambda v: clean_people("insured_employees", v),
    "revenue": lambda v: clean_money("revenue", v),
    "tax_paid": lambda v: clean_money("tax_paid", v),
    "registered_capital": lambda v: clean_money("registered_capital", v),
    "founded_on": clean_founded_on,
    "bank_name": lambda v: clean_optional_text("bank_name", v),
    "bank_account_number": clean_bank_account_number,
    "bank_account_name": lambda v: clean_optional_text("bank_account_name", v),
    "labels": clean_labels,
}


def clean_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Clean every field present in `data`; return the values and all problems found."""
    cleaned: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for field, value in data.items():
        cleaner = CLEANERS.get(field)
        if cleaner is None:
            raise KeyError(field)
        try:
            cleaned[field] = cleaner(value)
        except FieldProblem as problem:
            problems.append(problem)
    return cleaned, problems
