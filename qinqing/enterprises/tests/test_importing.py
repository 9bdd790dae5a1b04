"""Batch import: all rows or none, a report per row, files checked by content."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import PermissionDenied
from qinqing.enterprises.importing import ImportFileRejected
from qinqing.enterprises.models import Enterprise, EnterpriseImport, EnterpriseLabel
from qinqing.enterprises.services import enterprise_import
from qinqing.enterprises.services import imports as imports_module
from qinqing.enterprises.tests.factories import random_credit_code

ZH_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "从业人数",
    "营业收入（元）",
    "成立日期",
    "标签",
    "银行账号",
]
EN_HEADER = [
    "credit_code",
    "name",
    "industry_code",
    "employees",
    "revenue",
    "founded_on",
    "labels",
    "bank_account_number",
]


def _csv(rows, *, encoding="utf-8", bom=False, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    data = out.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(code=None, name="晋江鸿盛鞋业有限公司", **extra):
    row = [
        code or random_credit_code("350503"),
        name,
        "C1952",
        "120",
        "1,200,000.00",
        "2015-06-01",
        "high_tech=yes",
        "",
    ]
    for index, value in extra.items():
        row[int(index[1:])] = value
    return row


def _import(city, name, data):
    return enterprise_import(actor=city.admin, file_name=name, data=data)


def _before(city):
    return set(Enterprise.objects.values_list("pk", flat=True))


def test_utf8_csv_with_chinese_headers(city):
    rows = [
        ZH_HEADER,
        _row(name="晋江鸿盛鞋业有限公司"),
        _row(name="石狮华兴服装有限公司", c6="scenic_grade=4A"),
    ]
    data = _csv(rows)
    record = _import(city, "registry.csv", data)
    assert record.status == "imported"
    assert (record.row_count, record.created_count, record.error_count) == (2, 2, 0)
    assert record.file_format == "csv_utf8"
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.actor == city.admin
    created = Enterprise.objects.filter(source_import=record).order_by("name_pinyin")
    assert [e.name for e in created] == ["晋江鸿盛鞋业有限公司", "石狮华兴服装有限公司"]
    first = created[0]
    assert first.name_pinyin == "jinjianghongshengxieyeyouxiangongsi"
    assert first.region == city.district
    assert first.employees == 120
    assert first.revenue == Decimal("1200000.00")
    assert first.founded_on == dt.date(2015, 6, 1)
    assert dict(created[1].labels.values_list("key", "value")) == {"scenic_grade": "4A"}
    (event,) = AuditEvent.objects.filter(action="enterprise.import")
    assert event.object_id == str(record.pk)
    assert event.after["created"] == 2
    assert event.after["sha256"] == record.sha256
    assert not AuditEvent.objects.filter(action="enterprise.create").exists()  # one event per import


def test_utf8_with_bom_and_english_headers(city):
    record = _import(city, "registry.csv", _csv([EN_HEADER, _row()], bom=True))
    assert record.status == "imported"
    assert record.created_count == 1


def test_gb18030_csv(city):
    data = _csv(
        [ZH_HEADER, _row(name="德化瓷业有限公司"), _row(name="安溪铁观音茶业有限公司")], encoding="gb18030"
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    record = _import(city, "导出.csv", data)
    assert record.file_format == "csv_gb18030"
    assert set(Enterprise.objects.filter(source_import=record).values_list("name", flat=True)) == {
        "德化瓷业有限公司",
        "安溪铁观音茶业有限公司",
    }


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters(city, delimiter):
    record = _import(city, "registry.csv", _csv([EN_HEADER, _row()], delimiter=delimiter))
    assert record.created_count == 1


def test_xlsx_with_number_and_date_cells(city):
    code = random_credit_code("350503")
    rows = [
        [
            "统一社会信用代码",
            "企业名称",
            "行业代码",
            "从业人数",
            "营业收入",
            "成立日期",
            "开户银行",
            "银行账号",
        ],
        [
            code.lower(),
            "南安石材有限公司",
            3032,
            45,
            987654.32,
            dt.datetime(2010, 1, 2),
            "泉州银行",
            "6222021234567890",
        ],
    ]
    record = _import(city, "registry.xlsx", _xlsx(rows))
    assert record.status == "imported"
    assert record.file_format == "xlsx"
    e = Enterprise.objects.get(source_import=record)
    assert (e.credit_code, e.industry_code, e.employees) == (code, "C3032", 45)
    assert e.revenue == Decimal("987654.32")
    assert e.founded_on == dt.date(2010, 1, 2)
    assert (e.bank_name, e.bank_account_number, e.bank_account_verified) == (
        "泉州银行",
        "6222021234567890",
        False,
    )


def test_bad_rows_write_nothing_and_the_report_names_rows_fields_and_reasons(city):
    before = _before(city)
    good = _row()
    bad_code = _row(code=good[0][:-1] + ("0" if good[0][-1] != "0" else "1"))
    rows = [ZH_HEADER, good, bad_code, _row(name=""), _row(c3="lots", c4="-5"), _row(c6="scenic_grade=9A")]
    with translation.override("en"):
        record = _import(city, "registry.csv", _csv(rows))
    assert record.status == "rejected"
    assert (record.row_count, record.created_count, record.error_count) == (5, 0, 4)
    assert _before(city) == before
    assert not EnterpriseLabel.objects.filter(enterprise__source_import=record).exists()
    issues = [(i["row"], i["status"], i["field"], i["code"]) for i in record.report["issues"]]
    assert issues == [
        (3, "error", "credit_code", "checksum"),
        (4, "error", "name", "required"),
        (5, "error", "employees", "number"),
        (5, "error", "revenue", "negative"),
        (6, "error", "labels", "label"),
    ]
    by_row = {i["row"]: i for i in record.report["issues"]}
    assert "mistyped" in by_row[3]["message"]
    assert by_row[3]["credit_code"] == bad_code[0]
    (event,) = AuditEvent.objects.filter(action="enterprise.import")
    assert event.after["status"] == "rejected"
    assert event.after["created"] == 0


def test_report_messages_are_in_the_users_language(city):
    with translation.override("zh-hans"):
        record = _import(city, "registry.csv", _csv([ZH_HEADER, _row(name="")]))
    assert record.report["issues"][0]["message"] == "必须填写。"


def test_duplicates_within_the_file_by_width_or_case(city):
    code = random_credit_code("350503")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    rows = [ZH_HEADER, _row(code=code), _row(code=code.lower()), _row(code=full_width)]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.status == "rejected"
    dupes = [(i["row"], i["code"]) for i in record.report["issues"]]
    assert dupes == [(3, "duplicate_in_file"), (4, "duplicate_in_file")]
    assert (
        "row 2" in record.report["issues"][0]["message"] or "第 2 行" in record.report["issues"][0]["message"]
    )
    assert not Enterprise.objects.filter(credit_code=code).exists()


def test_duplicates_against_the_database(city):
    existing = city.enterprise.credit_code
    rows = [ZH_HEADER, _row(), _row(code=existing.lower())]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.status == "rejected"
    assert [(i["row"], i["code"]) for i in record.report["issues"]] == [(3, "duplicate_credit_code")]
    assert Enterprise.objects.count() == 2


def test_region_fallback_is_reported_as_a_note(city):
    rows = [ZH_HEADER, _row(code=random_credit_code("350599"))]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.status == "imported"
    assert record.note_count == 1
    (issue,) = record.report["issues"]
    assert (issue["status"], issue["code"]) == ("ok", "region_fallback")
    assert "350599" in issue["message"]
    assert Enterprise.objects.get(source_import=record).region == city.city


def test_region_column_by_code_or_name(city):
    header = [*EN_HEADER, "区域"]
    rows = [header, [*_row(), "泉州市"], [*_row(), "fz"], [*_row(), "nowhere"]]
    record = _import(city, "registry.csv", _csv(rows))
    assert [(i["row"], i["field"]) for i in record.report["issues"]] == [(4, "region")]
    rows.pop()
    record = _import(city, "registry2.csv", _csv(rows))
    regions = list(
        Enterprise.objects.filter(source_import=record).order_by("pk").values_list("region", flat=True)
    )
    assert regions == [city.city.pk, city.district.pk]


def test_values_under_no_heading_are_refused(city):
    rows = [EN_HEADER, [*_row(), "stray"]]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.status == "rejected"
    assert record.report["issues"][0]["code"] == "extra_cells"


def test_blank_rows_are_skipped_and_numbering_follows_the_sheet(city):
    rows = [EN_HEADER, ["", "", "", "", "", "", "", ""], _row(name="")]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.row_count == 1
    assert record.report["issues"][0]["row"] == 3


def test_many_rows_are_written_in_batches(city, monkeypatch):
    monkeypatch.setattr(imports_module, "IMPORT_BATCH", 40)
    rows = [EN_HEADER] + [_row(name=f"晋江第{n}鞋业有限公司", c6="high_tech=yes") for n in range(150)]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.created_count == 150
    assert Enterprise.objects.filter(source_import=record).count() == 150
    assert EnterpriseLabel.objects.filter(enterprise__source_import=record, key="high_tech").count() == 150


def test_the_stored_report_is_capped_but_counts_are_complete(city, monkeypatch):
    monkeypatch.setattr(imports_module, "REPORT_MAX_ISSUES", 3)
    rows = [EN_HEADER] + [_row(name="") for _ in range(10)]
    record = _import(city, "registry.csv", _csv(rows))
    assert record.error_count == 10
    assert len(record.report["issues"]) == 3
    assert record.report["issue_count"] == 10
    assert record.report["truncated"] is True


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([["统一社会信用代码", "企业名称"], ["x", "y"]], "columns"),  # 行业代码 missing
        ([[*EN_HEADER, "favourite_colour"], [*_row(), "red"]], "columns"),
        ([[*EN_HEADER, "企业名称"], [*_row(), "x"]], "columns"),  # name given twice
        ([EN_HEADER], "file_empty"),
        ([], "file_empty"),
    ],
)
def test_file_level_problems_record_nothing(city, rows, code):
    data = _csv(rows) if rows else b"\r\n"
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.csv", data)
    assert excinfo.value.code == code
    assert not EnterpriseImport.objects.exists()
    assert not AuditEvent.objects.filter(action="enterprise.import").exists()


def test_column_problems_name_the_columns(city):
    with translation.override("en"), pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.csv", _csv([["企业名称", "colour"], ["x", "y"]]))
    messages = " ".join(excinfo.value.fields["columns"])
    assert "colour" in messages
    assert "统一社会信用代码" in messages
    assert "行业代码" in messages


def test_too_large(city, settings):
    settings.ENTERPRISE_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.csv", _csv([EN_HEADER, _row(), _row()]))
    assert excinfo.value.code == "file_too_large"
    assert not EnterpriseImport.objects.exists()


def test_too_many_rows(city, settings):
    settings.ENTERPRISE_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.csv", _csv([EN_HEADER, _row(), _row(), _row()]))
    assert excinfo.value.code == "too_many_rows"
    assert Enterprise.objects.count() == 2


def test_a_zip_bomb_is_refused_before_opening(city, settings):
    settings.ENTERPRISE_IMPORT_MAX_BYTES = 20_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * 1_000_000)
    assert len(out.getvalue()) < 20_000
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.xlsx", out.getvalue())
    assert excinfo.value.code == "file_too_large"


def _zip_of_something_else():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("registry.xlsx", b"credit_code,name\r\n", "file_type"),  # CSV named .xlsx
        ("registry.csv", None, "file_type"),  # a workbook named .csv
        ("registry.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "file_type"),  # old .xls
        ("registry.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "file_type"),
        ("registry.pdf", b"%PDF-1.7", "file_type"),
        ("registry.csv", b"a,b\x00,c", "file_type"),
        ("registry.csv", "统一社会信用代码".encode("utf-16"), "file_encoding"),
        ("registry.xlsx", "zip", "file_type"),  # a zip that is not a workbook
        ("registry.xlsx", b"PK\x03\x04 not really a zip", "file_type"),
        ("registry.csv", b"", "file_empty"),
    ],
)
def test_content_is_checked_not_the_name(city, name, data, code):
    if data is None:
        data = _xlsx([EN_HEADER, _row()])
    elif data == "zip":
        data = _zip_of_something_else()
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, name, data)
    assert excinfo.value.code == code
    assert excinfo.value.message


def test_a_damaged_workbook_is_refused(city):
    good = _xlsx([EN_HEADER, _row()])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]  # cut the sheet's XML in half
            target.writestr(item, content)
    with pytest.raises(ImportFileRejected) as excinfo:
        _import(city, "registry.xlsx", out.getvalue())
    assert excinfo.value.code == "file_type"
    assert not EnterpriseImport.objects.exists()


@pytest.mark.parametrize("who", ["officer", "supervisor", "enterprise_user"])
def test_only_the_admin_imports(city, who):
    with pytest.raises(PermissionDenied):
        enterprise_import(actor=getattr(city, who), file_name="registry.csv", data=_csv([EN_HEADER, _row()]))
    assert not EnterpriseImport.objects.exists()
