"""The export workbook: text stays text (formulas, codes, links), typed cells, the title
sheet, the row cap, native summary charts, and a file openpyxl reads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
from django.utils import translation

from qinqing.common.xlsx import ExcelBook, Percent, xlsx_response

CREATED = dt.datetime(2026, 12, 7, 1, 2, 3, tzinfo=dt.UTC)
CREDIT_CODE = "91350500MA2XYZ0012"
NUMERIC_CODE = "913505000000000012"  # all digits: would lose precision as a number


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes, n: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{n}.xml").decode()


def test_strings_stay_text_whatever_they_look_like():
    # Given values that Excel would turn into a formula, a link or a number
    book = ExcelBook()
    sheet = book.sheet("t", [("a", 10)])
    hostile = ['=HYPERLINK("http://evil.example","click")', "+1+1", "@SUM(A1)", "-2+3"]
    codes = [CREDIT_CODE, NUMERIC_CODE, "0595-22512345", "00123", "1e5", "http://example.com/x"]
    for value in [*hostile, *codes]:
        sheet.add([value])
    data = book.close_bytes()

    # Then each cell is the same string, with no formula and no hyperlink in the file
    ws = open_book(data).active
    cells = [ws.cell(row=n, column=1) for n in range(2, 2 + len(hostile) + len(codes))]
    assert [c.value for c in cells] == [*hostile, *codes]
    assert all(c.data_type == "s" for c in cells)
    xml = sheet_xml(data)
    assert "<f>" not in xml
    assert "<hyperlink" not in xml
    assert 'numberStoredAsText="1"' in xml  # Excel shows no green warning on codes


def test_cells_are_typed():
    book = ExcelBook()
    sheet = book.sheet("t", [("a", 10)] * 9)
    with translation.override("zh-hans"):
        sheet.add(
            [
                Decimal("1234.50"),
                Percent(0.256),
                7,
                2.5,
                dt.date(2026, 2, 1),
                dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC),  # 00:30 the next day in Beijing
                True,
                None,
                "",
            ]
        )
    sheet.add([False])
    data = book.close_bytes()

    ws = open_book(data).active
    row = [ws.cell(row=2, column=c) for c in range(1, 10)]
    assert row[0].value == 1234.5 and row[0].number_format == "#,##0.00"
    assert row[1].value == 0.256 and row[1].number_format == "0.0%"
    assert row[2].value == 7 and row[3].value == 2.5
    assert row[4].value == dt.datetime(2026, 2, 1) and row[4].number_format == "yyyy-mm-dd"
    assert row[5].value == dt.datetime(2026, 2, 1, 0, 30) and row[5].number_format == "yyyy-mm-dd hh:mm"
    assert row[6].value == "是"
    assert row[7].value is None and row[8].value is None
    assert ws.cell(row=3, column=1).value is None  # False is an empty cell


def test_a_titled_sheet_has_its_title_the_generation_time_and_a_frozen_header():
    with translation.override("zh-hans"):
        book = ExcelBook(created_at=CREATED)
        sheet = book.sheet("问题", [("编号", 16), ("部门", 30)], title="问题台账", autofilter=True)
    sheet.add_rows([["P-1", "税务局"], ["P-2", "市场监管局"]])
    data = book.close_bytes()

    ws = open_book(data)["问题"]
    assert ws["A1"].value == "问题台账"
    assert ws["A2"].value == "生成时间：2026-12-07 09:02"
    assert ws["A3"].value is None
    assert [ws["A4"].value, ws["B4"].value] == ["编号", "部门"]
    assert ws["A4"].font.bold
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:B6"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    assert ws["B6"].value == "市场监管局"


def test_rows_stop_at_the_cap():
    book = ExcelBook(max_rows=3)
    sheet = book.sheet("t", [("n", 6)])
    written = sheet.add_rows([i] for i in range(10))
    assert written == 3
    assert sheet.truncated
    assert sheet.add([99]) is False
    ws = open_book(book.close_bytes()).active
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == ["n", 0, 1, 2, None]


def test_sheet_names_are_made_valid_and_unique():
    book = ExcelBook()
    first = book.sheet("a/b:c*d?[e]" + "长" * 40, [("x", 5)])
    second = book.sheet("a/b:c*d?[e]" + "长" * 40, [("x", 5)])
    names = open_book(book.close_bytes()).sheetnames
    assert names == [first.worksheet.get_name(), second.worksheet.get_name()]
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] != names[1]


def test_a_summary_sheet_carries_its_figures_and_a_native_chart():
    book = ExcelBook(created_at=CREATED)
    book.chart_sheet(
        "汇总",
        title="各部门整改情况",
        category_heading="部门",
        categories=["税务局", "市场监管局"],
        series=[("已整改", [3, 5]), ("整改中", [1, None])],
        kind="bar",
    )
    book.chart_sheet(
        "类别",
        title="问题类别",
        category_heading="类别",
        categories=["政务环境", "市场环境"],
        series=[("数", [4, 2])],
        kind="pie",
    )
    data = book.close_bytes()

    ws = open_book(data)["汇总"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=4)] == [
        ["部门", "已整改", "整改中"],
        ["税务局", 3, 1],
        ["市场监管局", 5, None],
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        bar, pie = (z.read(n).decode() for n in charts)
    assert "<c:barChart>" in bar and '<c:barDir val="bar"/>' in bar
    assert "汇总!$A$5:$A$6" in bar and "汇总!$C$5:$C$6" in bar
    assert "<c:pieChart>" in pie


def test_the_same_book_written_twice_is_the_same_file():
    def write() -> bytes:
        book = ExcelBook(created_at=CREATED)
        sheet = book.sheet("t", [("a", 10), ("b", 10)], title="标题")
        sheet.add_rows([["x", Decimal("1.00")], ["y", dt.date(2026, 1, 1)]])
        book.chart_sheet("c", title="t", category_heading="k", categories=["a"], series=[("s", [1])])
        return book.close_bytes()

    assert write() == write()


def test_a_book_can_be_written_into_a_given_file():
    target = io.BytesIO()
    book = ExcelBook(target)
    book.sheet("t", [("a", 10)]).add([CREDIT_CODE])
    assert book.close() is target
    assert open_book(target.getvalue()).active["A2"].value == CREDIT_CODE


def test_the_download_response():
    book = ExcelBook()
    book.sheet("t", [("a", 10)])
    streamed = xlsx_response(book.close(), "问题.xlsx")
    assert streamed["Content-Type"].startswith("application/vnd.openxmlformats")
    assert streamed["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in streamed["Content-Disposition"]
    in_memory = xlsx_response(b"PK", "a.xlsx")
    assert in_memory.content == b"PK"
    assert in_memory["Content-Disposition"] == 'attachment; filename="a.xlsx"'
