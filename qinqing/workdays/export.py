"""A year's listed days as an Excel workbook (the table of the calendar page)."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter  # type: ignore[import-untyped]
from django.utils import formats
from django.utils.translation import gettext as _

from .models import CalendarDay


def days_workbook(year: int, days: list[CalendarDay]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(str(year))
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = [_("Date"), _("Weekday"), _("Kind"), _("Festival"), _("Note")]
    for col, (title, width) in enumerate(zip(headers, [12, 10, 14, 24, 40], strict=True)):
        sheet.set_column(col, col, width)
        sheet.write(0, col, title, bold)
    for row, day in enumerate(days, start=1):
        sheet.write_datetime(row, 0, dt.datetime.combine(day.date, dt.time()), date_format)  # noqa: DTZ001
        sheet.write(row, 1, formats.date_format(day.date, "D"))
        sheet.write(row, 2, str(day.get_kind_display()))
        sheet.write(row, 3, str(day.get_name_display()))
        sheet.write(row, 4, day.note)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
