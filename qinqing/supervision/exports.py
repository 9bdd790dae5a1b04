"""Excel export of a record's timeline (XlsxWriter; cells never become formulas)."""

from __future__ import annotations

import io
import json
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from .selectors import Change, TimelineEntry


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def timeline_workbook(*, object_type: str, object_id: str, entries: list[TimelineEntry]) -> bytes:
    """One row per changed field (one row for an event without changes)."""
    output = io.BytesIO()
    # Text from users and enterprises must stay text: "=HYPERLINK(...)" is not run.
    book = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(_("Timeline")[:31])
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, [_("Record"), f"{object_type} #{object_id}"], bold)
    headers = [
        _("No."),
        _("Time (Asia/Shanghai)"),
        _("Actor"),
        _("Organisation"),
        _("Action"),
        _("Field"),
        _("Before"),
        _("After"),
        _("Request id"),
        _("Hash"),
    ]
    sheet.write_row(2, 0, headers, bold)
    widths = [8, 20, 16, 22, 26, 18, 30, 30, 34, 66]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width, wrap if column in {6, 7} else None)
    row = 3
    for entry in entries:
        event = entry.event
        common = [
            event.seq if event.seq is not None else _("awaiting seal"),
            entry.local_time.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.organisation.name if event.organisation else "",
            event.action,
        ]
        tail = [event.request_id, event.hash or ""]
        changes: list[Change | None] = list(entry.changed_only) or [None]
        for change in changes:
            middle = (
                ["", "", ""] if change is None else [change.field, _cell(change.before), _cell(change.after)]
            )
            sheet.write_row(row, 0, [*common, *middle, *tail])
            row += 1
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, max(row - 1, 2), len(headers) - 1)
    book.close()
    return output.getvalue()
