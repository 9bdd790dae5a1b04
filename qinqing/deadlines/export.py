"""The open-alerts table as an Excel workbook (the same rows as the page, unpaged),
written with the project's streaming workbook: an item's name that starts with "="
stays text."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from qinqing.common.xlsx import MAX_ROWS, ExcelBook

from .selectors import AlertRow

__all__ = ["MAX_ROWS", "alerts_workbook"]


def alerts_workbook(rows: Iterable[AlertRow]) -> bytes:
    book = ExcelBook()
    headers = [
        _("Rung"),
        _("Item"),
        _("Kind"),
        _("Organisation"),
        _("Owner"),
        _("Due date"),
        _("Working days overdue"),
        _("Rung date"),
        _("Fired on"),
        _("Paused"),
        _("Provisional"),
    ]
    widths = [10, 40, 18, 24, 14, 12, 10, 12, 12, 8, 8]
    sheet = book.sheet(_("Alerts"), list(zip(headers, widths, strict=True)))
    sheet.add_rows(
        [
            row.rung_label,
            row.title,
            row.kind_label,
            row.deadline.organisation.name,
            str(row.deadline.owner) if row.deadline.owner else "",
            row.deadline.due_date,
            row.days_overdue,
            row.alert.rung_on,
            row.alert.fired_on,
            row.deadline.paused,
            row.deadline.provisional,
        ]
        for row in rows
    )
    return book.close_bytes()
