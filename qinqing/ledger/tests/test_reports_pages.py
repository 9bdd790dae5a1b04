"""The reports' pages: ask for a report, read its figures, download its files; only
supervisors whose reach covers the report; bad input answered on the form."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from qinqing.ledger.models import LedgerReport, ReportKind, ReportStatus
from qinqing.ledger.services.reports import report_run

from .test_reports import JULY, Q3, Clock, build_quarter, generate


@pytest.fixture
def quarter(ledger, monkeypatch):
    """The figures tests' third quarter (see test_reports.build_quarter)."""
    return build_quarter(ledger, Clock(monkeypatch))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(pdf: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: install poppler-utils (./run test does it on Debian)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, str(path), "-"], capture_output=True, check=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_supervisor_asks_for_a_report_and_reads_it(ledger, quarter, django_capture_on_commit_callbacks):
    c = ledger.city
    client = client_for(c.city_supervisor)
    page = client.get(reverse("ledger:reports"))
    assert page.status_code == 200
    assert 'data-testid="report-form"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ledger:reports"),
            {
                "kind": ReportKind.QUARTERLY_PROGRESS,
                "scope": str(c.city.public_id),
                "period_start": "2026-07-01",
                "period_end": "2026-09-30",
            },
        )
    made = LedgerReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:report_detail", args=[made.public_id])
    pending = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 3s"' in pending
    report_run(report_id=made.public_id)
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    made.refresh_from_db()
    assert made.figures_sha256 in detail
    assert "every 3s" not in detail
    for sentence in made.figures["headlines"]["zh-hans"]:
        assert sentence in detail
    listing = client.get(reverse("ledger:reports")).content.decode()
    assert reverse("ledger:report_file", args=[made.public_id, "pdf"]) in listing


def test_the_excel_file_has_a_sheet_per_table_and_a_chart(ledger, quarter):
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    response = client_for(ledger.city.city_supervisor).get(
        reverse("ledger:report_file", args=[done.public_id, "xlsx"])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    assert len(book.sheetnames) == 7  # the summary and six tables
    summary = book.worksheets[0]
    assert summary._charts, "the summary sheet has a native chart"
    departments = book.worksheets[2]
    values = list(departments.iter_rows(values_only=True))
    drc = next(r for r in values if r[0] == ledger.city.drc.name)
    assert tuple(drc[1:5]) == (4, 4, 3, 1)  # registered, assigned, rectified, closed


def test_the_pdf_carries_the_chinese_headline(ledger, quarter, tmp_path):
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    response = client_for(ledger.city.city_supervisor).get(
        reverse("ledger:report_file", args=[done.public_id, "pdf"])
    )
    content = body(response)
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    for sentence in done.figures["headlines"]["zh-hans"][:2]:
        assert re.sub(r"\s+", "", sentence) in text
    assert "市发改委" in text


def test_the_circular_pdf_prints_its_formula(ledger, quarter, tmp_path):
    done = generate(ledger, ReportKind.CIRCULAR, Q3)
    assert done.status == ReportStatus.READY
    response = client_for(ledger.city.city_supervisor).get(
        reverse("ledger:report_file", args=[done.public_id, "pdf"])
    )
    text = pdf_text(body(response), tmp_path)
    assert "÷(n+m)" in text
    assert "m=10" in text  # the default prior weight, printed


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user", "admin"])
def test_others_may_not_open_the_reports(ledger, quarter, who):
    done = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    client = client_for(getattr(ledger.city, who))
    assert client.get(reverse("ledger:reports")).status_code == 403
    assert client.get(reverse("ledger:report_detail", args=[done.public_id])).status_code == 403
    assert client.get(reverse("ledger:report_file", args=[done.public_id, "pdf"])).status_code == 403


def test_a_supervisor_outside_the_reach_gets_a_404(ledger, quarter):
    done = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)  # the whole city
    client = client_for(ledger.city.supervisor)  # the group reaches drc only
    assert client.get(reverse("ledger:report_detail", args=[done.public_id])).status_code == 404
    assert client.get(reverse("ledger:report_file", args=[done.public_id, "xlsx"])).status_code == 404
    # Nor may it ask for the city's report: the city is not among the offered scopes.
    response = client.post(
        reverse("ledger:reports"),
        {
            "kind": ReportKind.MONTHLY_CLUES,
            "scope": str(ledger.city.city.public_id),
            "period_start": "2026-07-01",
            "period_end": "2026-07-31",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-scope"' in response.content.decode()
    assert LedgerReport.objects.count() == 1


def test_an_unknown_file_format_is_a_404(ledger, quarter):
    done = generate(ledger, ReportKind.MONTHLY_CLUES, JULY)
    client = client_for(ledger.city.city_supervisor)
    assert client.get(reverse("ledger:report_file", args=[done.public_id, "docx"])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "weekly"}, "kind"),
        ({"period_end": "2026-06-01"}, "period_end"),
        ({"period_start": "七月"}, "period_start"),
    ],
)
def test_bad_input_is_answered_on_the_form(ledger, data, field):
    c = ledger.city
    form = {
        "kind": ReportKind.MONTHLY_CLUES,
        "scope": str(c.city.public_id),
        "period_start": "2026-07-01",
        "period_end": "2026-07-31",
        **data,
    }
    response = client_for(c.city_supervisor).post(
        reverse("ledger:reports"), form, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not LedgerReport.objects.exists()


def test_a_report_of_a_period_not_over_is_marked_provisional_everywhere(ledger, tmp_path):
    from django.utils import timezone

    today = timezone.localdate()
    done = generate(ledger, ReportKind.MONTHLY_CLUES, (today.replace(day=1), today))
    client = client_for(ledger.city.city_supervisor)
    page = client.get(reverse("ledger:report_detail", args=[done.public_id])).content.decode()
    assert 'data-testid="report-provisional"' in page
    assert "临时数据：统计期间尚未结束" in page
    as_of = timezone.localtime(timezone.datetime.fromisoformat(done.figures["as_of"]))
    assert as_of.strftime("%Y-%m-%d %H:%M") in page
    book = openpyxl.load_workbook(
        io.BytesIO(body(client.get(reverse("ledger:report_file", args=[done.public_id, "xlsx"]))))
    )
    summary_text = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("临时数据") for c in summary_text)
    pdf = body(client.get(reverse("ledger:report_file", args=[done.public_id, "pdf"])))
    assert "临时数据：统计期间尚未结束" in pdf_text(pdf, tmp_path)


def test_a_report_of_a_past_period_is_not_marked_provisional(ledger, quarter):
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    page = client_for(ledger.city.city_supervisor).get(reverse("ledger:report_detail", args=[done.public_id]))
    assert 'data-testid="report-provisional"' not in page.content.decode()


def test_the_list_of_reports_exports_to_excel(ledger, quarter):
    done = generate(ledger, ReportKind.QUARTERLY_PROGRESS, Q3)
    client = client_for(ledger.city.city_supervisor)
    assert reverse("ledger:reports_export") in client.get(reverse("ledger:reports")).content.decode()
    response = client.get(reverse("ledger:reports_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    row = next(r for r in rows if done.figures_sha256 in r)
    assert ledger.city.city.name in row
    assert client_for(ledger.city.officer).get(reverse("ledger:reports_export")).status_code == 403
