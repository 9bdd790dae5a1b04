"""Big imports go to a worker: checked for kind and columns at once, stored, imported
by the job, safe to run twice; what the worker finds ends up on the record."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.enterprises.importing import ImportFileRejected
from qinqing.enterprises.models import Enterprise, EnterpriseImport
from qinqing.enterprises.services import enterprise_import, enterprise_import_run
from qinqing.enterprises.tasks import run_enterprise_import
from qinqing.enterprises.tests.factories import random_credit_code

HEADER = ["credit_code", "name", "industry_code", "employees"]


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def _rows(n, **overrides):
    return [
        [random_credit_code("350503"), f"晋江第{i}鞋业有限公司", "C1952", overrides.get("employees", "10")]
        for i in range(n)
    ]


def _stored_files(file_storage):
    return [p for p in file_storage.rglob("*") if p.is_file()]


def test_a_big_file_is_queued_then_imported_by_the_worker(
    city, file_storage, django_capture_on_commit_callbacks
):
    data = _csv(_rows(30))
    with django_capture_on_commit_callbacks(execute=True):
        record = enterprise_import(actor=city.admin, file_name="big.csv", data=data, background=True)
    assert record.status == "queued"
    assert record.row_count == 0
    assert len(_stored_files(file_storage)) == 1
    assert AuditEvent.objects.filter(action="enterprise.import_queued", object_id=str(record.pk)).exists()
    job = DBTaskResult.objects.get()
    assert job.task_path == "qinqing.enterprises.tasks.run_enterprise_import"
    assert job.args_kwargs["kwargs"] == {"import_id": record.pk}
    assert not Enterprise.objects.filter(source_import=record).exists()

    assert run_enterprise_import.call(import_id=record.pk) == "imported"
    record.refresh_from_db()
    assert (record.status, record.row_count, record.created_count) == ("imported", 30, 30)
    assert record.finished_at is not None
    assert record.stored_file == ""
    assert _stored_files(file_storage) == []  # the file with its bank accounts is not kept
    assert Enterprise.objects.filter(source_import=record).count() == 30
    # Run again (a retried job): nothing changes.
    assert run_enterprise_import.call(import_id=record.pk) == "imported"
    assert Enterprise.objects.filter(source_import=record).count() == 30
    assert AuditEvent.objects.filter(action="enterprise.import", object_id=str(record.pk)).count() == 1


def test_big_files_go_to_the_worker_by_size(city, file_storage, settings):
    settings.ENTERPRISE_IMPORT_INLINE_MAX_BYTES = 100
    assert enterprise_import(actor=city.admin, file_name="big.csv", data=_csv(_rows(5))).status == "queued"
    settings.ENTERPRISE_IMPORT_INLINE_MAX_BYTES = 10_000
    assert (
        enterprise_import(actor=city.admin, file_name="small.csv", data=_csv(_rows(5))).status == "imported"
    )


def test_rows_with_errors_are_reported_by_the_worker(city, file_storage):
    rows = _rows(3)
    rows[1][3] = "many"
    record = enterprise_import(actor=city.admin, file_name="big.csv", data=_csv(rows), background=True)
    record = enterprise_import_run(import_id=record.pk)
    assert (record.status, record.error_count, record.created_count) == ("rejected", 1, 0)
    assert [(i["row"], i["field"]) for i in record.report["issues"]] == [(3, "employees")]
    assert not Enterprise.objects.filter(name__startswith="晋江第").exists()


def test_the_report_is_in_the_uploaders_language(city, file_storage):
    city.admin.language = "en"
    city.admin.save()
    record = enterprise_import(
        actor=city.admin, file_name="big.csv", data=_csv(_rows(1, employees="x")), background=True
    )
    record = enterprise_import_run(import_id=record.pk)
    assert record.report["issues"][0]["message"] == "Enter a whole number of people."


def test_a_file_problem_found_by_the_worker_is_kept_on_the_record(city, file_storage, settings):
    record = enterprise_import(actor=city.admin, file_name="big.csv", data=_csv(_rows(4)), background=True)
    settings.ENTERPRISE_IMPORT_MAX_ROWS = 2
    record = enterprise_import_run(import_id=record.pk)
    assert record.status == "rejected"
    assert record.report["file_error"]["code"] == "too_many_rows"
    assert record.created_count == 0
    assert _stored_files(file_storage) == []
    event = AuditEvent.objects.get(action="enterprise.import", object_id=str(record.pk))
    assert event.after["error"] == "too_many_rows"


def test_a_lost_file_fails_the_import(city, file_storage):
    record = enterprise_import(actor=city.admin, file_name="big.csv", data=_csv(_rows(2)), background=True)
    for path in _stored_files(file_storage):
        path.unlink()
    record = enterprise_import_run(import_id=record.pk)
    assert record.status == "failed"
    assert record.report["file_error"]["code"] == "failed"


def test_wrong_columns_are_refused_at_once_and_nothing_is_stored(city, file_storage):
    data = b"colour,name\r\nred,x\r\n"
    with pytest.raises(ImportFileRejected):
        enterprise_import(actor=city.admin, file_name="big.csv", data=data, background=True)
    with pytest.raises(ImportFileRejected) as excinfo:
        enterprise_import(actor=city.admin, file_name="big.csv", data=_csv([]), background=True)
    assert excinfo.value.code == "file_empty"
    assert _stored_files(file_storage) == []
    assert not EnterpriseImport.objects.exists()


def test_the_page_of_a_queued_import_polls_until_done(city, file_storage, client, settings):
    settings.ENTERPRISE_IMPORT_INLINE_MAX_BYTES = 100
    client.force_login(city.admin)
    upload = io.BytesIO(_csv(_rows(5)))
    upload.name = "big.csv"
    response = client.post(reverse("enterprises:import"), {"file": upload})
    record = EnterpriseImport.objects.get()
    assert record.status == "queued"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="load delay:3s"' in page
    enterprise_import_run(import_id=record.pk)
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'id="import-result"' in body
    assert "hx-trigger" not in body
    assert 'data-testid="import-status"' in body


def test_the_api_answers_202_and_the_import_can_be_followed(city, file_storage, client, settings):
    settings.ENTERPRISE_IMPORT_INLINE_MAX_BYTES = 100
    client.force_login(city.admin)
    upload = io.BytesIO(_csv(_rows(5)))
    upload.name = "big.csv"
    response = client.post("/api/v1/enterprises/import", {"file": upload})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    enterprise_import_run(import_id=EnterpriseImport.objects.get().pk)
    followed = client.get(f"/api/v1/enterprises/imports/{body['public_id']}").json()
    assert (followed["status"], followed["created_count"]) == ("imported", 5)
    client.force_login(city.officer)
    denied = client.get(f"/api/v1/enterprises/imports/{body['public_id']}")
    assert denied.status_code == 403
