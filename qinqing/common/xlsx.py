"""Excel exports: the one way the project writes a workbook (XlsxWriter).

- **Streaming.** Workbooks are written in constant-memory mode into a temporary file
  (or a file the caller gives), one row in memory at a time, so a 100,000-row export
  costs no more memory than a 10-row one. Rows must therefore be written in order.
- **Text stays text.** Every `str` is written with `write_string` and the workbook has
  `strings_to_formulas`, `strings_to_urls` and `strings_to_numbers` off: an enterprise
  name "=HYPERLINK(...)" is not a formula, a credit code or phone number keeps its
  leading zeros and digits, a reference is not a link. Excel's "number stored as text"
  warning is switched off for those cells.
- **Typed cells.** `None`/"" blank, `bool` yes/blank, `Percent` 0.0%, `Decimal` (money,
  yuan with two places), `datetime` in Beijing wall-clock time, `date`, other numbers
  as numbers; anything else as its text.

    book = ExcelBook()
    sheet = book.sheet("问题", [("编号", 16), ("部门", 30)], title="问题台账", generated_at=now)
    sheet.add_rows([p.reference, p.department.name] for p in problems)
    return xlsx_response(book.close(), "problems.xlsx")
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any, Literal, overload

import xlsxwriter  # type: ignore[import-untyped]
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .svgcharts import PALETTE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A worksheet holds 1,048,576 rows; far fewer make a usable download.
MAX_ROWS = 100_000
EXCEL_MAX_ROWS = 1_048_575  # one row is the header

ChartKind = Literal["bar", "column", "pie"]

# Characters Excel refuses in a sheet name.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class Percent(float):
    """A share 0..1 shown as a percentage."""


def workbook_options(*, tmpdir: str | None = None) -> dict[str, Any]:
    return {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "tmpdir": tmpdir or tempfile.gettempdir(),
    }


class ExcelBook:
    """A workbook written sheet by sheet, row by row.

    `created_at` fixes the file's document dates, so that a stored report written
    twice from the same figures is the same file. `datetime_format` is Excel's
    number format for datetime cells."""

    def __init__(
        self,
        target: IO[bytes] | None = None,
        *,
        created_at: dt.datetime | None = None,
        datetime_format: str = "yyyy-mm-dd hh:mm",
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.file: IO[bytes] = target if target is not None else tempfile.TemporaryFile()  # noqa: SIM115 - returned by close()
        self.workbook = xlsxwriter.Workbook(self.file, workbook_options())
        if created_at is not None:
            self.workbook.set_properties({"created": _naive_local(created_at)})
        self.created_at = created_at
        self.max_rows = min(max_rows, EXCEL_MAX_ROWS)
        add = self.workbook.add_format
        self.bold = add({"bold": True})
        self.title_format = add({"bold": True, "font_size": 14})
        self.note_format = add({"font_color": "#666666"})
        self.date_format = add({"num_format": "yyyy-mm-dd"})
        self.datetime_format = add({"num_format": datetime_format})
        self.money_format = add({"num_format": "#,##0.00"})
        self.percent_format = add({"num_format": "0.0%"})
        self._names: set[str] = set()
        self._sheets: list[ExcelSheet] = []

    def sheet(
        self,
        name: str,
        columns: Sequence[tuple[str, int]],
        *,
        title: str | None = None,
        generated_at: dt.datetime | None = None,
        autofilter: bool = False,
    ) -> ExcelSheet:
        """A new sheet with `columns` as (heading, width) and its header row frozen.
        With `title`, the sheet opens with the title, the "generated at" line (from
        `generated_at`, else the book's `created_at`) and an empty row before the
        header. `autofilter` puts filter buttons on the header when the book closes."""
        sheet = ExcelSheet(
            self,
            self._sheet_name(name),
            columns,
            title=title,
            generated_at=generated_at if generated_at is not None else self.created_at,
            autofilter=autofilter,
        )
        self._sheets.append(sheet)
        return sheet

    def chart_sheet(
        self,
        name: str,
        *,
        title: str,
        category_heading: str,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[int | float | Decimal | None]]],
        kind: ChartKind = "column",
        generated_at: dt.datetime | None = None,
    ) -> ExcelSheet:
        """A summary sheet: the figures as a small table and, beside it, a native Excel
        chart of them (a pie charts the first series only)."""
        columns = [(category_heading, max(14, min(40, max((len(c) * 2 for c in categories), default=0))))]
        columns += [(series_name, 12) for series_name, _values in series]
        sheet = self.sheet(name, columns, title=title, generated_at=generated_at)
        for i, category in enumerate(categories):
            sheet.add([category, *(values[i] if i < len(values) else None for _name, values in series)])
        sheet.add_chart(kind, title=title, value_columns=range(1, len(series) + 1))
        return sheet

    def _sheet_name(self, name: str) -> str:
        # Excel allows 31 characters, none of []:*?/\, and each name once per book.
        base = _SHEET_NAME_FORBIDDEN.sub("_", str(name)).strip("'")[:31] or "Sheet"
        candidate, n = base, 1
        while candidate.lower() in self._names:
            n += 1
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)] + suffix
        self._names.add(candidate.lower())
        return candidate

    def close(self) -> IO[bytes]:
        """Finish the workbook; return its file, positioned at the start."""
        for sheet in self._sheets:
            sheet._finish()
        self.workbook.close()
        self.file.seek(0)
        return self.file

    def close_bytes(self) -> bytes:
        """Finish the workbook and return its bytes (for small books kept in memory)."""
        file = self.close()
        try:
            return file.read()
        finally:
            file.close()


class ExcelSheet:
    def __init__(
        self,
        book: ExcelBook,
        name: str,
        columns: Sequence[tuple[str, int]],
        *,
        title: str | None,
        generated_at: dt.datetime | None,
        autofilter: bool,
    ) -> None:
        self.book = book
        self.worksheet = book.workbook.add_worksheet(name)
        self.width = len(columns)
        self.autofilter = autofilter
        row = 0
        if title:
            self.worksheet.write_string(row, 0, title, book.title_format)
            row += 1
            if generated_at is not None:
                stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
                self.worksheet.write_string(
                    row, 0, _("Generated at %(time)s") % {"time": stamp}, book.note_format
                )
                row += 1
            row += 1
        for col, (heading, width) in enumerate(columns):
            self.worksheet.set_column(col, col, width)
            self.worksheet.write_string(row, col, str(heading), book.bold)
        self.header_row = row
        self.worksheet.freeze_panes(row + 1, 0)
        # Credit codes, phone numbers and references are text on purpose.
        self.worksheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        self.rows = 0
        self.truncated = False

    @property
    def last_row(self) -> int:
        return self.header_row + self.rows

    def add(self, values: Iterable[Any]) -> bool:
        """Write the next row; False (and nothing written) once the sheet holds
        `max_rows` rows."""
        if self.rows >= self.book.max_rows:
            self.truncated = True
            return False
        self.rows += 1
        n = self.header_row + self.rows
        for col, value in enumerate(values):
            self.cell(n, col, value)
        return True

    def add_rows(self, rows: Iterable[Iterable[Any]]) -> int:
        """Write rows until they run out or the sheet is full; return how many."""
        before = self.rows
        for values in rows:
            if not self.add(values):
                break
        return self.rows - before

    def cell(self, row: int, col: int, value: Any) -> None:
        sheet, book = self.worksheet, self.book
        if value is None or value == "" or value is False:
            return  # constant-memory mode ignores an unformatted blank anyway
        if value is True:
            sheet.write_string(row, col, _("yes"))
        elif isinstance(value, Percent):
            sheet.write_number(row, col, float(value), book.percent_format)
        elif isinstance(value, Decimal):
            sheet.write_number(row, col, float(value), book.money_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, _naive_local(value), book.datetime_format)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), book.date_format)  # noqa: DTZ001 - a calendar date
        else:
            sheet.write_string(row, col, str(value))

    def add_chart(
        self,
        kind: ChartKind,
        *,
        title: str,
        value_columns: Iterable[int],
        category_column: int = 0,
        anchor_column: int | None = None,
        height_rows: int = 20,
    ) -> None:
        """A native chart of this sheet's rows so far: categories from
        `category_column`, one series per column in `value_columns` (named by its
        heading), placed right of the table."""
        book = self.book.workbook
        chart = book.add_chart({"type": kind})
        first, last = self.header_row + 1, max(self.last_row, self.header_row + 1)
        name = self.worksheet.get_name()
        for k, col in enumerate(value_columns):
            spec: dict[str, Any] = {
                "name": [name, self.header_row, col],
                "categories": [name, first, category_column, last, category_column],
                "values": [name, first, col, last, col],
                "data_labels": {"value": True} if kind != "pie" else {"percentage": True},
            }
            if kind == "pie":
                spec["points"] = [
                    {"fill": {"color": PALETTE[i % len(PALETTE)]}} for i in range(last - first + 1)
                ]
                chart.add_series(spec)
                break  # a pie shows one series
            spec["fill"] = {"color": PALETTE[k % len(PALETTE)]}
            chart.add_series(spec)
        chart.set_title({"name": title})
        if kind != "pie":
            chart.set_legend({"position": "bottom"})
        # Excel sizes the chart in pixels: about 20 rows high, 8 default columns wide.
        chart.set_size({"width": 576, "height": height_rows * 20})
        column = anchor_column if anchor_column is not None else self.width + 1
        self.worksheet.insert_chart(self.header_row, column, chart)

    def _finish(self) -> None:
        # The filter's range is known only once the rows are written; XlsxWriter
        # writes it at the end of the sheet, so setting it last is fine when streaming.
        if self.autofilter:
            self.worksheet.autofilter(
                self.header_row, 0, max(self.last_row, self.header_row + 1), self.width - 1
            )


def _naive_local(moment: dt.datetime) -> dt.datetime:
    # Excel has no time zones: the reader's wall-clock time (Asia/Shanghai), naive.
    if timezone.is_naive(moment):
        return moment
    return timezone.localtime(moment).replace(tzinfo=None)


@overload
def xlsx_response(content: bytes, filename: str) -> HttpResponse: ...
@overload
def xlsx_response(content: IO[bytes], filename: str) -> FileResponse: ...
def xlsx_response(content: IO[bytes] | bytes, filename: str) -> HttpResponse | FileResponse:
    """A download of a workbook: a file is streamed, bytes are sent as they are."""
    if isinstance(content, bytes):
        response: HttpResponse | FileResponse = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            content, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response
