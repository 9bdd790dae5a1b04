"""Excel export of a record's timeline (`qinqing.common.xlsx`: cells never become formulas)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from qinqing.common.xlsx import ExcelBook

from .selectors import Change, TimelineEntry


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def timeline_workbook(*, object_type: str, object_id: str, entries: list[TimelineEntry]) -> bytes:
    """One row per changed field (one row for an event without changes)."""
    book = ExcelBook()
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
    widths = [8, 20, 16, 22, 26, 18, 30, 30, 34, 66]
    sheet = book.sheet(
        _("Timeline"),
        list(zip(headers, widths, strict=True)),
        title=f"{_('Record')} {object_type} #{object_id}",
        autofilter=True,
    )
    # Before and after values can be long JSON: wrapped in their columns.
    wrap = book.workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.worksheet.set_column(6, 7, 30, wrap)
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
            sheet.add([*common, *middle, *tail])
    return book.close_bytes()
