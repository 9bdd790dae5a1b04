"""Excel export of a record's timeline (`qinqing.common.xlsx`: cells never become formulas)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from qinqing.common.xlsx import ExcelBook

from .readable import ReadableChange, ReadableEvent


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def timeline_workbook(*, label: str, entries: list[ReadableEvent]) -> bytes:
    """One row per changed field (one row for an event without changes), by the names
    and labels the page shows, with the recorded action, field and values beside them."""
    book = ExcelBook()
    headers = [
        _("No."),
        _("Time (Asia/Shanghai)"),
        _("Actor"),
        _("Organisation"),
        _("Action"),
        _("Recorded action"),
        _("Field"),
        _("Before"),
        _("After"),
        _("Recorded field"),
        _("Recorded before"),
        _("Recorded after"),
        _("Request id"),
        _("Hash"),
    ]
    widths = [8, 20, 16, 22, 26, 26, 18, 30, 30, 18, 30, 30, 34, 66]
    sheet = book.sheet(
        _("Timeline"),
        list(zip(headers, widths, strict=True)),
        title=label,
        autofilter=True,
    )
    # Before and after values can be long JSON: wrapped in their columns.
    wrap = book.workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.worksheet.set_column(7, 8, 30, wrap)
    sheet.worksheet.set_column(10, 11, 30, wrap)
    for item in entries:
        event = item.event
        common = [
            event.seq if event.seq is not None else _("awaiting seal"),
            item.entry.local_time.strftime("%Y-%m-%d %H:%M:%S"),
            item.actor,
            item.actor_organisation,
            # The label in the reader's language, the recorded name beside it to filter on.
            item.action,
            event.action,
        ]
        tail = [event.request_id, event.hash or ""]
        changes: list[ReadableChange | None] = list(item.changed_only) or [None]
        for change in changes:
            middle = (
                [""] * 6
                if change is None
                else [
                    change.label,
                    change.before,
                    change.after,
                    change.field,
                    _cell(change.raw_before),
                    _cell(change.raw_after),
                ]
            )
            sheet.add([*common, *middle, *tail])
    return book.close_bytes()
