"""Excel export of the registry list.

The columns are the import's columns with headings the import recognises (in either
language), so an administrator can export, correct and import into another
installation. Written with the project's streaming workbook (`qinqing.common.xlsx`):
a credit code or account number never turns into a number or a formula (a cell
starting with "=" stays text), amounts carry the money format, dates the date format.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.xlsx import EXCEL_MAX_ROWS, ExcelBook

from .labels import format_labels
from .models import Enterprise

# Headings carry a context: they must stay words the import recognises, whatever
# another app translates "Name" or "Status" to.
# The whole registry, up to Excel's limit (1,048,576 rows, one of them the header).
MAX_ROWS = EXCEL_MAX_ROWS

TEXT, INTEGER, MONEY, DATE = "text", "integer", "money", "date"

COLUMNS: tuple[tuple[str, Promise, str, int], ...] = (
    ("credit_code", pgettext_lazy("registry column", "Unified social credit code"), TEXT, 22),
    ("name", pgettext_lazy("registry column", "Name"), TEXT, 36),
    ("region", pgettext_lazy("registry column", "Region"), TEXT, 12),
    ("industry_code", pgettext_lazy("registry column", "Industry code"), TEXT, 10),
    ("status", pgettext_lazy("registry column", "Status"), TEXT, 8),
    ("legal_representative", pgettext_lazy("registry column", "Legal representative"), TEXT, 12),
    ("address", pgettext_lazy("registry column", "Address"), TEXT, 30),
    ("employees", pgettext_lazy("registry column", "Employees"), INTEGER, 10),
    ("insured_employees", pgettext_lazy("registry column", "Insured employees"), INTEGER, 10),
    ("revenue", pgettext_lazy("registry column", "Revenue (yuan)"), MONEY, 18),
    ("tax_paid", pgettext_lazy("registry column", "Tax paid (yuan)"), MONEY, 16),
    ("registered_capital", pgettext_lazy("registry column", "Registered capital (yuan)"), MONEY, 18),
    ("founded_on", pgettext_lazy("registry column", "Founded on"), DATE, 12),
    ("bank_name", pgettext_lazy("registry column", "Bank name"), TEXT, 22),
    ("bank_account_number", pgettext_lazy("registry column", "Bank account number"), TEXT, 24),
    ("bank_account_name", pgettext_lazy("registry column", "Bank account name"), TEXT, 30),
    ("labels", pgettext_lazy("registry column", "Labels"), TEXT, 30),
)


def _value(enterprise: Enterprise, key: str, full_bank_accounts: bool) -> Any:
    if key == "region":
        return enterprise.region.name
    if key == "status":
        return str(enterprise.get_status_display())
    if key == "labels":
        return format_labels({lb.key: lb.value for lb in enterprise.labels.all()})
    if key == "bank_account_number" and not full_bank_accounts:
        return enterprise.bank_account_masked
    return getattr(enterprise, key)


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    # A code column is text even if a value ever arrives as a number.
    return str(value) if kind == TEXT else value


def write_enterprises_xlsx(
    out: IO[bytes], enterprises: Iterable[Enterprise], *, full_bank_accounts: bool
) -> int:
    """Write the enterprises to `out` as one sheet; return the number of rows written."""
    book = ExcelBook(out, max_rows=MAX_ROWS)
    sheet = book.sheet(
        str(_("Enterprises")), [(str(heading), width) for _key, heading, _kind, width in COLUMNS]
    )
    iterator = enterprises.iterator(chunk_size=2000) if hasattr(enterprises, "iterator") else enterprises
    sheet.add_rows(
        [_cell(_value(enterprise, key, full_bank_accounts), kind) for key, _heading, kind, _width in COLUMNS]
        for enterprise in iterator
    )
    book.close()
    return sheet.rows
