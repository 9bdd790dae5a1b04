"""The supervisor's list of declared relations as an Excel workbook (the page's rows,
unpaged), written with the project's streaming workbook: a description starting with
"=" is not a formula."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from qinqing.common.xlsx import MAX_ROWS, ExcelBook

from .models import RelationDeclaration
from .selectors import official_organisation_names

__all__ = ["MAX_ROWS", "declarations_workbook"]


def declarations_workbook(declarations: Iterable[RelationDeclaration]) -> bytes:
    book = ExcelBook()
    headers = [
        _("Official"),
        _("Organisation"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Kind of relation"),
        _("Description"),
        _("Declared at"),
        _("Ended at"),
        _("Reason for ending"),
    ]
    widths = [14, 24, 32, 22, 30, 40, 16, 16, 30]
    sheet = book.sheet(_("Declared relations"), list(zip(headers, widths, strict=True)))
    sheet.add_rows(
        [
            str(d.official),
            "、".join(official_organisation_names(d)),
            d.enterprise.name,
            d.enterprise.credit_code,
            str(d.get_kind_display()),
            d.description,
            d.declared_at,
            d.ended_at,
            d.ended_reason if d.ended_at is not None else None,
        ]
        for d in declarations
    )
    return book.close_bytes()
