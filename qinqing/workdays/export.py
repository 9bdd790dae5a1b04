"""A year's listed days as an Excel workbook (the table of the calendar page), written
with the project's workbook: a note that starts with "=" stays text."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from qinqing.common.xlsx import ExcelBook

from .models import CalendarDay


def days_workbook(year: int, days: list[CalendarDay]) -> bytes:
    book = ExcelBook()
    headers = [_("Date"), _("Weekday"), _("Kind"), _("Festival"), _("Note")]
    sheet = book.sheet(str(year), list(zip(headers, [12, 10, 14, 24, 40], strict=True)))
    sheet.add_rows(
        [
            day.date,
            formats.date_format(day.date, "D"),
            str(day.get_kind_display()),
            str(day.get_name_display()),
            day.note,
        ]
        for day in days
    )
    return book.close_bytes()
