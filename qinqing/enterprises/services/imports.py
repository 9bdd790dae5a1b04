"""Batch import of the registry: all rows or none.

A small file is imported while the administrator waits; a big one (over
ENTERPRISE_IMPORT_INLINE_MAX_BYTES, 1 MB by default: some 5,000 rows, a few
seconds) is checked for its kind and columns at once, kept in storage, and imported
by a worker (`enterprise_import_run`), because 200,000 rows take minutes and a web
request is cut off long before.

Either way every row is checked first (fields, duplicates within the file, then
codes already registered); if any row fails nothing is created, and the import is
recorded with its report. Rows are then written in batches with bulk_create, with one
audit event for the whole import.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import Organisation, User
from qinqing.audit.services import audit_record
from qinqing.common.errors import ApplicationError, Conflict, NotFound

from .. import credit_code as cc
from ..importing import (
    REPORT_MAX_ISSUES,
    ImportFileRejected,
    Issue,
    RowChecker,
    SourceFile,
    duplicate_issue,
    read_upload,
    records,
)
from ..models import Enterprise, EnterpriseImport, EnterpriseLabel, ImportStatus
from ..pinyin_keys import name_keys
from .registry import RegionResolver, require_registry_writer

logger = logging.getLogger(__name__)

IMPORT_BATCH = 1000
DEFAULT_INLINE_MAX_BYTES = 1024 * 1024
_DB_LOOKUP_BATCH = 500
_STORAGE_PREFIX = "enterprise-imports/"


class ImportConflict(Conflict):
    code = "import_conflict"
    default_message = gettext_lazy(
        "Some of these enterprises were registered by someone else meanwhile; nothing was "
        "imported. Upload the file again to see which."
    )


def inline_limit() -> int:
    return int(getattr(settings, "ENTERPRISE_IMPORT_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX_BYTES))


def lock_enterprise_import(pk: int) -> EnterpriseImport:
    record = EnterpriseImport.objects.select_for_update().filter(pk=pk).first()
    if record is None:
        raise NotFound
    return record


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _region_keys(resolver: RegionResolver) -> dict[str, Organisation]:
    """A region column may name a node by organisation code or by name."""
    keys: dict[str, Organisation] = {}
    for node in resolver.nodes:
        keys.setdefault(node.code, node)
        keys.setdefault(node.name, node)
    return keys


def enterprise_import(
    *, actor: User | None, file_name: str, data: bytes, background: bool | None = None
) -> EnterpriseImport:
    """Import enterprises from a CSV or .xlsx file, now or (big files) by a worker.

    File-level problems found at once (size, type, encoding, columns, no rows) raise
    ImportFileRejected and record nothing. Returns the import: `imported` or
    `rejected` when done inline, `queued` when a worker will do it.
    """
    require_registry_writer(actor)
    source = read_upload(file_name, data)
    if background is None:
        background = len(data) > inline_limit()
    if not background:
        return _import_source(actor=actor, source=source, record=None)
    # The header and the first row are read now, so a wrong file is refused while the
    # administrator is still on the page.
    if next(records(source), None) is None:
        raise _no_rows()
    stored = default_storage.save(f"{_STORAGE_PREFIX}{uuid.uuid4().hex}.upload", ContentFile(data))
    try:
        with transaction.atomic(durable=True):
            record = EnterpriseImport.objects.create(
                actor=actor,
                file_name=file_name[:255],
                file_size=len(data),
                sha256=source.sha256,
                file_format=source.file_format,
                status=ImportStatus.QUEUED,
                stored_file=stored,
            )
            audit_record(
                actor=actor,
                action="enterprise.import_queued",
                obj=record,
                after={"file_name": record.file_name, "sha256": record.sha256, "status": record.status},
            )
            transaction.on_commit(lambda: _enqueue(record.pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return record


def _enqueue(import_id: int) -> None:
    from ..tasks import run_enterprise_import

    run_enterprise_import.enqueue(import_id=import_id)


def enterprise_import_run(*, import_id: int) -> EnterpriseImport:
    """Do a queued import to its end (the worker's job). Safe to run twice: an import
    that is no longer queued is returned as it is."""
    record = EnterpriseImport.objects.select_related("actor").filter(pk=import_id).first()
    if record is None:
        raise NotFound
    if record.status != ImportStatus.QUEUED:
        return record
    # Messages in the report are written in the language of the person who uploaded.
    language = getattr(record.actor, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            with default_storage.open(record.stored_file, "rb") as stored:
                data = stored.read()
            source = read_upload(record.file_name, data)
            record = _import_source(actor=record.actor, source=source, record=record)
        except ApplicationError as exc:
            # The file as a whole was refused (too many rows, damaged, a race with
            # another import): nothing written, the reason kept on the record.
            record = _finish_without_rows(record, ImportStatus.REJECTED, exc.code, _error_text(exc))
        except (OSError, DatabaseError):
            # The stored file is gone or the database refused mid-way: nothing was
            # written (one transaction), so the import ends failed, not half done.
            logger.exception("enterprise import %s could not run", import_id)
            message = str(_("The import could not be finished; upload the file again."))
            record = _finish_without_rows(record, ImportStatus.FAILED, "failed", message)
    if record.status != ImportStatus.QUEUED and record.stored_file:
        _discard_stored_file(record)
    return record


def _error_text(exc: ApplicationError) -> str:
    details = [str(m) for messages in exc.fields.values() for m in messages]
    return " ".join([str(exc.message), *details])


def _no_rows() -> ImportFileRejected:
    return ImportFileRejected(_("The file has a header row but no enterprises."), code="file_empty")


def _finish_without_rows(record: EnterpriseImport, status: str, code: str, message: str) -> EnterpriseImport:
    with transaction.atomic(durable=True):
        locked = lock_enterprise_import(record.pk)
        if locked.status != ImportStatus.QUEUED:
            return locked
        locked.status = status
        locked.report = {
            "issues": [],
            "issue_count": 0,
            "truncated": False,
            "file_error": {"code": code, "message": message},
        }
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "report", "finished_at", "updated_at"])
        audit_record(
            actor=locked.actor,
            action="enterprise.import",
            obj=locked,
            after={"file_name": locked.file_name, "sha256": locked.sha256, "status": status, "error": code},
        )
    return locked


def _discard_stored_file(record: EnterpriseImport) -> None:
    # The file holds bank account numbers; once imported (or refused) only its
    # SHA-256 is kept, which is enough to recognise it again.
    try:
        default_storage.delete(record.stored_file)
    except OSError:
        logger.warning("could not delete stored import file %s", record.stored_file)
        return
    EnterpriseImport.objects.filter(pk=record.pk).update(stored_file="")
    record.stored_file = ""


@dataclass
class _Checked:
    row_count: int = 0
    issues: list[Issue] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)
    note_rows: set[int] = field(default_factory=set)


def _check_rows(source: SourceFile, checker: RowChecker) -> _Checked:
    result = _Checked()
    for number, raw in records(source):
        result.row_count += 1
        checked = checker.check(number, raw)
        result.issues.extend(checked.issues)
        if not checked.ok:
            result.error_rows.add(number)
        elif checked.issues:
            result.note_rows.add(number)
    if result.row_count == 0:
        raise _no_rows()
    return result


def _import_source(
    *, actor: User | None, source: SourceFile, record: EnterpriseImport | None
) -> EnterpriseImport:
    resolver = RegionResolver()
    checker = RowChecker(resolver=resolver, regions_by_key=_region_keys(resolver))
    result = _check_rows(source, checker)
    try:
        with transaction.atomic(durable=True):
            if record is not None:
                record = lock_enterprise_import(record.pk)
                if record.status != ImportStatus.QUEUED:
                    return record  # another worker finished it meanwhile
            # Checked inside the transaction: on SQLite (IMMEDIATE) the write lock is
            # already held, on PostgreSQL the unique index catches what slips through.
            first_row_of = checker.first_row_of
            for chunk in _chunks(sorted(first_row_of), _DB_LOOKUP_BATCH):
                existing = Enterprise.objects.filter(credit_code__in=chunk).values_list(
                    "credit_code", flat=True
                )
                for code in existing:
                    row = first_row_of[code]
                    result.issues.append(duplicate_issue(row, code))
                    result.error_rows.add(row)
                    result.note_rows.discard(row)
            record = _save_outcome(actor, source, record, result)
            if record.status == ImportStatus.IMPORTED:
                _write_rows(source, resolver, checker.regions_by_key, record)
            audit_record(
                actor=actor,
                action="enterprise.import",
                obj=record,
                after={
                    "file_name": record.file_name,
                    "sha256": record.sha256,
                    "status": record.status,
                    "rows": record.row_count,
                    "created": record.created_count,
                    "errors": record.error_count,
                    "notes": record.note_count,
                },
            )
    except IntegrityError as exc:
        raise ImportConflict from exc
    return record


def _save_outcome(
    actor: User | None, source: SourceFile, record: EnterpriseImport | None, result: _Checked
) -> EnterpriseImport:
    rejected = bool(result.error_rows)
    issues = sorted(result.issues, key=lambda i: (i.row, i.status != "error", i.field))
    values: dict[str, Any] = {
        "status": ImportStatus.REJECTED if rejected else ImportStatus.IMPORTED,
        "row_count": result.row_count,
        "created_count": 0 if rejected else result.row_count,
        "error_count": len(result.error_rows),
        "note_count": len(result.note_rows),
        "report": {
            "issues": [i.as_dict() for i in issues[:REPORT_MAX_ISSUES]],
            "issue_count": len(issues),
            "truncated": len(issues) > REPORT_MAX_ISSUES,
        },
        "finished_at": timezone.now(),
    }
    if record is None:
        return EnterpriseImport.objects.create(
            actor=actor,
            file_name=source.name[:255],
            file_size=len(source.data),
            sha256=source.sha256,
            file_format=source.file_format,
            **values,
        )
    for key, value in values.items():
        setattr(record, key, value)
    record.save()
    return record


def _write_rows(
    source: SourceFile,
    resolver: RegionResolver,
    regions_by_key: dict[str, Organisation],
    record: EnterpriseImport,
) -> None:
    """The second pass: build and insert the rows in batches (the first found no error)."""
    checker = RowChecker(resolver=resolver, regions_by_key=regions_by_key)
    batch: list[tuple[Enterprise, dict[str, str]]] = []
    for number, raw in records(source):
        checked = checker.check(number, raw, track_duplicates=False)
        if not checked.ok or checked.region is None:
            # The same bytes were checked a moment ago; a difference is a bug, not bad data.
            raise RuntimeError(f"row {number} changed between the check and the write")
        values = dict(checked.values)
        labels: dict[str, str] = values.pop("labels", {})
        keys = name_keys(values["name"])
        enterprise = Enterprise(
            **values,
            region=checked.region,
            region_code=cc.region_code(values["credit_code"]),
            name_pinyin=keys.full,
            name_initials=keys.initials,
            source_import=record,
        )
        batch.append((enterprise, labels))
        if len(batch) >= IMPORT_BATCH:
            _flush(batch)
            batch = []
    if batch:
        _flush(batch)


def _flush(batch: list[tuple[Enterprise, dict[str, str]]]) -> None:
    created = Enterprise.objects.bulk_create([e for e, _labels in batch])
    if any(e.pk is None for e in created):
        # A backend that does not return keys from a bulk insert: look them up.
        ids = dict(
            Enterprise.objects.filter(credit_code__in=[e.credit_code for e in created]).values_list(
                "credit_code", "pk"
            )
        )
        for e in created:
            e.pk = ids[e.credit_code]
    EnterpriseLabel.objects.bulk_create(
        [
            EnterpriseLabel(enterprise_id=e.pk, key=key, value=value)
            for e, labels in batch
            for key, value in labels.items()
        ]
    )
