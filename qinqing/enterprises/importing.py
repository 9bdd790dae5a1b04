"""Reading and checking a registry upload (CSV or Excel) before anything is written.

The file is checked by its content, never by its name alone: an .xlsx must be a zip
holding a workbook, a .csv must decode as text (UTF-8 with or without BOM, else
GB18030, which Excel on a Chinese Windows writes). Headers may be Chinese or English.

Rows are checked one by one (`RowChecker`); the service `enterprise_import` reads
the file twice: once to check every row and collect the report, and, only if no row
failed, once more to write. Two passes keep memory flat for 200,000 rows: only
the credit codes seen are held between rows, not the rows themselves.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import Organisation
from qinqing.common.errors import ValidationFailed

from .models import ImportFormat
from .validation import CLEANERS, FieldProblem, clean_fields

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
# Issues kept in the stored report; the counts always cover every row.
REPORT_MAX_ISSUES = 1000
# A zip whose members inflate beyond this many times the upload limit is refused
# before openpyxl opens it (a "zip bomb" would otherwise fill memory).
_MAX_INFLATION = 25

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_EXTENSIONS = (".csv", ".txt")
_XLSX_EXTENSIONS = (".xlsx",)

REQUIRED_FIELDS = ("credit_code", "name", "industry_code")

_ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "credit_code",
        "unified_social_credit_code",
        "uscc",
    ),
    "name": ("企业名称", "名称", "单位名称", "name", "enterprise_name", "company_name"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业", "industry_code", "industry"),
    "employees": ("从业人数", "从业人员", "职工人数", "employees"),
    "insured_employees": ("参保人数", "参保职工人数", "insured_employees"),
    "revenue": ("营业收入", "营收", "revenue"),
    "tax_paid": ("纳税额", "纳税总额", "纳税", "tax_paid", "tax"),
    "registered_capital": ("注册资本", "registered_capital", "capital"),
    "founded_on": ("成立日期", "成立时间", "founded_on", "founded", "date_founded"),
    "labels": ("标签", "labels", "label"),
    "bank_name": ("开户银行", "开户行", "bank_name", "bank"),
    "bank_account_number": ("银行账号", "开户账号", "账号", "bank_account_number", "bank_account"),
    "bank_account_name": ("账户名称", "开户名称", "户名", "bank_account_name"),
    "status": ("状态", "登记状态", "经营状态", "status"),
    "legal_representative": ("法定代表人", "法人代表", "legal_representative"),
    "address": ("地址", "住所", "注册地址", "address"),
    "region": ("区域", "所属区域", "区县", "region"),
}


def normalise_header(raw: Any) -> str:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().lower()
    # "营业收入（元）" and "*企业名称" are the same columns as 营业收入 and 企业名称.
    text = re.sub(r"\(.*?\)$", "", text).strip()
    return re.sub(r"[\s_\-*]", "", text)


HEADER_FIELDS: dict[str, str] = {
    normalise_header(alias): field_name for field_name, aliases in _ALIASES.items() for alias in aliases
}


class ImportFileRejected(ValidationFailed):
    """The file as a whole cannot be imported (size, type, encoding, columns)."""

    code = "import_file_rejected"
    default_message = gettext_lazy("The file cannot be imported.")


def import_limits() -> tuple[int, int]:
    """(bytes, rows): settings ENTERPRISE_IMPORT_MAX_BYTES and _MAX_ROWS, read per call."""
    return (
        int(getattr(settings, "ENTERPRISE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)),
        int(getattr(settings, "ENTERPRISE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
    )


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes
    file_format: str
    sha256: str
    text: str = ""  # the decoded text of a CSV


def _reject(code: str, message: str) -> ImportFileRejected:
    return ImportFileRejected(message, code=code)


def file_too_large(max_bytes: int) -> ImportFileRejected:
    return _reject(
        "file_too_large",
        _("The file is larger than %(limit)s; split it into smaller files.")
        % {"limit": filesizeformat(max_bytes)},
    )


def read_upload(name: str, data: bytes) -> SourceFile:
    """Check an upload's size and kind by content; decode a CSV."""
    max_bytes, _rows = import_limits()
    if len(data) > max_bytes:
        raise file_too_large(max_bytes)
    if not data:
        raise _reject("file_empty", _("The file is empty."))
    lower = name.lower()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_OLE_MAGIC):
        raise _reject(
            "file_type", _("This is an old Excel (.xls) file; save it as .xlsx or CSV and upload again.")
        )
    if lower.endswith(_XLSX_EXTENSIONS):
        if not data.startswith(_ZIP_MAGIC):
            raise _reject("file_type", _("The file is named .xlsx but is not an Excel workbook."))
        _check_workbook_zip(data, max_bytes)
        return SourceFile(name=name, data=data, file_format=ImportFormat.XLSX, sha256=digest)
    if lower.endswith(_TEXT_EXTENSIONS):
        if data.startswith(_ZIP_MAGIC):
            raise _reject("file_type", _("The file is named .csv but is not a text file."))
        text, file_format = _decode(data)
        return SourceFile(name=name, data=data, file_format=file_format, sha256=digest, text=text)
    raise _reject("file_type", _("Upload a CSV (.csv) or Excel (.xlsx) file."))


def _check_workbook_zip(data: bytes, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _reject("file_type", _("The file is not a readable Excel workbook.")) from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _reject("file_type", _("The file is not a readable Excel workbook."))
    if sum(m.file_size for m in members) > _MAX_INFLATION * max_bytes:
        raise _reject("file_too_large", _("The workbook holds too much data; split it into smaller files."))


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _reject("file_encoding", _("The file is UTF-16 text; save it as CSV (UTF-8) and upload again."))
    if b"\x00" in data:
        raise _reject("file_type", _("The file is not a text file."))
    try:
        text = data.decode("utf-8-sig")
        file_format = ImportFormat.CSV_UTF8
    except UnicodeDecodeError:
        # Not UTF-8: Excel on a Chinese system saves CSV in the local code page, which
        # GB18030 contains (GBK, GB2312).
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _reject(
                "file_encoding",
                _("The file's text encoding is not UTF-8 or GB18030; save it as CSV (UTF-8)."),
            ) from exc
        file_format = ImportFormat.CSV_GB18030
    return text, file_format


def _csv_rows(text: str) -> Iterator[list[Any]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise _reject(
            "file_malformed",
            _("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num},
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _reject("file_type", _("The file is not a readable Excel workbook.")) from exc
    try:
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
        except (IndexError, AttributeError) as exc:  # no sheet, or only a chart sheet
            raise _reject("file_type", _("The file is not a readable Excel workbook.")) from exc
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # damaged sheet XML surfaces only while reading
                raise _reject("file_type", _("The file is not a readable Excel workbook.")) from exc
            yield list(row)
    finally:
        workbook.close()


def raw_rows(source: SourceFile) -> Iterator[list[Any]]:
    if source.file_format == ImportFormat.XLSX:
        return _xlsx_rows(source.data)
    return _csv_rows(source.text)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Columns:
    """Which field each column holds (None: a column left empty in the header)."""

    fields: tuple[str | None, ...]


def map_header(header: list[Any]) -> Columns:
    fields: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    duplicated: list[str] = []
    for cell in header:
        if _blank(cell):
            fields.append(None)
            continue
        field_name = HEADER_FIELDS.get(normalise_header(cell))
        if field_name is None:
            unknown.append(str(cell).strip())
        elif field_name in seen:
            duplicated.append(str(cell).strip())
        seen.add(field_name or "")
        fields.append(field_name)
    problems: dict[str, list[str]] = {}
    if unknown:
        problems["columns"] = [_("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)}]
    if duplicated:
        problems.setdefault("columns", []).append(
            _("Columns given twice: %(columns)s.") % {"columns": "、".join(duplicated)}
        )
    missing = [f for f in REQUIRED_FIELDS if f not in seen]
    if missing:
        names = "、".join(f"{_ALIASES[f][0]} ({f})" for f in missing)
        problems.setdefault("columns", []).append(
            _("Required columns missing: %(columns)s.") % {"columns": names}
        )
    if problems:
        raise ImportFileRejected(
            _("The header row does not match the registry's columns."), code="columns", fields=problems
        )
    return Columns(fields=tuple(fields))


def records(source: SourceFile) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as a spreadsheet shows it, {field: raw value}) for each non-blank row.

    The first non-blank row is the header. Raises ImportFileRejected when the file
    has more rows than allowed.
    """
    _bytes, max_rows = import_limits()
    columns: Columns | None = None
    count = 0
    for number, row in enumerate(raw_rows(source), start=1):
        if all(_blank(v) for v in row):
            continue
        if columns is None:
            columns = map_header(row)
            continue
        count += 1
        if count > max_rows:
            raise _reject(
                "too_many_rows",
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": max_rows},
            )
        values: dict[str, Any] = {}
        for index, value in enumerate(row):
            field_name = columns.fields[index] if index < len(columns.fields) else None
            if field_name is not None:
                values[field_name] = value
            elif not _blank(value):
                # A value under no heading: refused rather than silently dropped.
                values["__extra__"] = True
        yield number, values
    if columns is None:
        raise _reject("file_empty", _("The file has no header row and no data."))


@dataclass
class Issue:
    row: int
    status: str  # "error" or "ok" (an accepted row carrying a note)
    field: str
    code: str
    message: str
    credit_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "status": self.status,
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "credit_code": self.credit_code,
        }


@dataclass
class CheckedRow:
    row: int
    values: dict[str, Any]
    region: Organisation | None
    region_matched: bool
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(i.status == "error" for i in self.issues)


class RowChecker:
    """Checks rows one at a time, remembering the credit codes seen so far."""

    def __init__(self, *, resolver: Any, regions_by_key: dict[str, Organisation]) -> None:
        self.resolver = resolver
        self.regions_by_key = regions_by_key
        self.first_row_of: dict[str, int] = {}

    def check(self, row: int, raw: dict[str, Any], *, track_duplicates: bool = True) -> CheckedRow:
        raw = dict(raw)
        typed_code = "" if _blank(raw.get("credit_code")) else str(raw.get("credit_code")).strip()
        issues: list[Issue] = []

        def problem(field_name: str, code: str, message: str) -> None:
            issues.append(Issue(row, "error", field_name, code, message, typed_code))

        if raw.pop("__extra__", False):
            problem("", "extra_cells", _("The row has values in a column without a heading."))
        region_key = raw.pop("region", None)
        for required in REQUIRED_FIELDS:
            if _blank(raw.get(required)):
                problem(required, "required", _("This value is required."))
                raw.pop(required, None)
        values, problems = clean_fields({k: v for k, v in raw.items() if k in CLEANERS})
        for p in problems:
            problem(p.field, p.code, p.message)
        code: str | None = values.get("credit_code")
        if code and track_duplicates:
            first = self.first_row_of.get(code)
            if first is not None:
                problem(
                    "credit_code",
                    "duplicate_in_file",
                    _("The same credit code is already in row %(row)d.") % {"row": first},
                )
            else:
                self.first_row_of[code] = row
        region: Organisation | None = None
        matched = False
        if not _blank(region_key):
            region = self.regions_by_key.get(str(region_key).strip())
            matched = region is not None
            if region is None:
                problem("region", "region", _("No city, district or county has this code or name."))
        elif code:
            region, matched = self.resolver.resolve(code)
            if not matched:
                note = _(
                    "Region code %(code)s matches no district or county; the enterprise is placed under %(city)s."
                ) % {"code": code[2:8], "city": region.name}
                issues.append(Issue(row, "ok", "region", "region_fallback", note, typed_code))
        return CheckedRow(row=row, values=values, region=region, region_matched=matched, issues=issues)


def duplicate_issue(row: int, typed_code: str) -> Issue:
    return Issue(
        row,
        "error",
        "credit_code",
        "duplicate_credit_code",
        _("An enterprise with this credit code is already registered."),
        typed_code,
    )


__all__ = [
    "REPORT_MAX_ISSUES",
    "CheckedRow",
    "FieldProblem",
    "ImportFileRejected",
    "Issue",
    "RowChecker",
    "SourceFile",
    "duplicate_issue",
    "file_too_large",
    "import_limits",
    "read_upload",
    "records",
]
