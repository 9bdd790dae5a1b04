"""The supervisor's list of declared relations as an Excel workbook (the page's rows,
unpaged). Text cells stay text: a description starting with "=" is not a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RelationDeclaration
from .selectors import official_organisation_names

MAX_ROWS = 100_000


def _local(moment: dt.datetime) -> dt.datetime:
    # Excel has no time zones: the reader's wall-clock time (Asia/Shanghai), naive.
    return timezone.localtime(moment).replace(tzinfo=None)


def declarations_workbook(declarations: Iterable[RelationDeclaration]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(_("Declared relations")[:31])
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
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
    for col, (title, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, bold)
    for n, d in enumerate(declarations, start=1):
        if n > MAX_ROWS:
            break
        sheet.write_string(n, 0, str(d.official))
        sheet.write_string(n, 1, "、".join(official_organisation_names(d)))
        sheet.write_string(n, 2, d.enterprise.name)
        sheet.write_string(n, 3, d.enterprise.credit_code)
        sheet.write_string(n, 4, str(d.get_kind_display()))
        sheet.write_string(n, 5, d.description)
        sheet.write_datetime(n, 6, _local(d.declared_at), when)
        if d.ended_at is not None:
            sheet.write_datetime(n, 7, _local(d.ended_at), when)
            sheet.write_string(n, 8, d.ended_reason)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
