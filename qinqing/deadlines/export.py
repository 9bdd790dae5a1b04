"""The open-alerts table as an Excel workbook (the same rows as the page, unpaged)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

import xlsxwriter  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from .selectors import AlertRow

# A worksheet holds 1,048,576 rows; far fewer make a usable download.
MAX_ROWS = 100_000


def alerts_workbook(rows: Iterable[AlertRow]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet(_("Alerts")[:31])
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = [
        _("Rung"),
        _("Item"),
        _("Kind"),
        _("Organisation"),
        _("Owner"),
        _("Due date"),
        _("Days overdue"),
        _("Rung date"),
        _("Fired on"),
        _("Paused"),
        _("Provisional"),
    ]
    widths = [10, 40, 18, 24, 14, 12, 10, 12, 12, 8, 8]
    for col, (title, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write(0, col, title, bold)
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS:
            break
        deadline = row.deadline
        sheet.write(n, 0, row.rung_label)
        sheet.write(n, 1, str(deadline))
        sheet.write(n, 2, row.kind_label)
        sheet.write(n, 3, deadline.organisation.name)
        sheet.write(n, 4, str(deadline.owner) if deadline.owner else "")
        sheet.write_datetime(n, 5, _midnight(deadline.due_date), date)
        sheet.write_number(n, 6, row.days_overdue)
        sheet.write_datetime(n, 7, _midnight(row.alert.rung_on), date)
        sheet.write_datetime(n, 8, _midnight(row.alert.fired_on), date)
        sheet.write(n, 9, _("yes") if deadline.paused else "")
        sheet.write(n, 10, _("yes") if deadline.provisional else "")
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())  # noqa: DTZ001 - a calendar date, no time zone
