"""Excel export of the registry list.

The columns are the import's columns with headings the import recognises (in either
language), so an administrator can export, correct and import into another
installation. Text cells are written as text: a credit code or account number
never turns into a number or a formula (a cell starting with "=" stays text).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .labels import format_labels
from .models import Enterprise

# Headings carry a context: they must stay words the import recognises, whatever
# another app translates "Name" or "Status" to.
# Excel's limit is 1,048,576 rows, one of them the header.
MAX_ROWS = 1_048_575

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


def write_enterprises_xlsx(
    out: IO[bytes], enterprises: Iterable[Enterprise], *, full_bank_accounts: bool
) -> int:
    """Write the enterprises to `out` as one sheet; return the number of rows written."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(str(_("Enterprises")))
    bold = workbook.add_format({"bold": True})
    formats = {
        MONEY: workbook.add_format({"num_format": "#,##0.00"}),
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        INTEGER: workbook.add_format({"num_format": "0"}),
    }
    for col, (_key, heading, _kind, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, str(heading), bold)
    sheet.freeze_panes(1, 0)
    rows = 0
    iterator = enterprises.iterator(chunk_size=2000) if hasattr(enterprises, "iterator") else enterprises
    for enterprise in iterator:
        if rows >= MAX_ROWS:
            break
        rows += 1
        for col, (key, _heading, kind, _width) in enumerate(COLUMNS):
            value = _value(enterprise, key, full_bank_accounts)
            if value is None or value == "":
                continue
            if kind == TEXT:
                sheet.write_string(rows, col, str(value))
            elif kind == MONEY:
                sheet.write_number(rows, col, float(value), formats[MONEY])
            elif kind == DATE:
                sheet.write_datetime(rows, col, value, formats[DATE])
            else:
                sheet.write_number(rows, col, int(value), formats[INTEGER])
    workbook.close()
    return rows
