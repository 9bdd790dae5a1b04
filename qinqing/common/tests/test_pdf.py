"""Report PDFs: A4 with the CJK font embedded, the Chinese text really in the file
(read back with poppler's pdftotext), running title and page counter, nothing fetched
but the project's static files, and the same bytes for the same inputs.

pdftotext and pdffonts come from Debian's poppler-utils, which `./run test` and CI
install; without them these tests fail, they never skip."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils.safestring import mark_safe

from qinqing.common.pdf import (
    ReportChart,
    ReportResourceRefused,
    ReportTable,
    StaticFilesFetcher,
    css_string,
    page_counter_content,
    render_pdf,
    static_file_for,
)
from qinqing.common.svgcharts import Series, bar_chart

CREATED = dt.datetime(2026, 12, 7, 1, 2, 3, tzinfo=dt.UTC)
TITLE = '2026年第四季度工作进展季报 "</style><b>'
SENTENCE = "39个部门走了87个流程，发现46个问题，已全部整改。"
BASE = "common/report_base.html"
ROOT = Path(__file__).resolve().parents[3]


def poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (./run test does it on Debian)")
    return subprocess.run([path, *args], capture_output=True, check=True, text=True).stdout


def pdf_text(pdf: bytes, tmp_path, *, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    # pdftotext drops the spaces between CJK characters and digits; compare without any.
    return re.sub(r"\s+", "", poppler("pdftotext", *pages, str(path), "-"))


def context():
    rows = [[f"部门{i:03d}", i, f"{i / 2:.1f}"] for i in range(150)]
    return {
        "report_summary": [SENTENCE],
        "report_charts": [
            ReportChart(
                caption="图1 各部门问题数",
                svg=bar_chart(["税务局", "市场监管局"], [Series("问题", [3, 5])], title="各部门问题数"),
            )
        ],
        "report_tables": [
            ReportTable(
                caption="表1 问题明细",
                headers=["部门名称", "问题数", "比例"],
                rows=rows,
                numeric=frozenset({1, 2}),
            )
        ],
    }


@pytest.fixture(scope="module")
def report() -> bytes:
    return render_pdf(BASE, context(), title=TITLE, created_at=CREATED, language="zh-hans")


def test_the_report_is_an_a4_pdf_with_its_dates_and_title(report, tmp_path):
    assert report.startswith(b"%PDF-")
    path = tmp_path / "r.pdf"
    path.write_bytes(report)
    info = poppler("pdfinfo", "-isodates", str(path))
    assert "A4" in info
    assert re.search(r"CreationDate:\s+2026-12-07T09:02:03\+08", info)
    assert re.search(r"ModDate:\s+2026-12-07T09:02:03\+08", info)
    assert TITLE in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3  # 150 rows run over several pages


def test_the_cjk_font_is_embedded(report, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(report)
    fonts = poppler("pdffonts", str(path))
    embedded = [line for line in fonts.splitlines() if "Noto-Sans-CJK-SC" in line]
    assert embedded, fonts
    assert all(" yes " in line for line in embedded)  # emb / sub / uni


def test_the_chinese_text_is_in_the_file(report, tmp_path):
    text = pdf_text(report, tmp_path)
    assert SENTENCE in text
    assert "生成时间：2026-12-0709:02" in text  # Beijing time of 01:02 UTC
    assert "摘要" in text
    assert "各部门问题数" in text  # the chart's SVG title, drawn as text
    assert "市场监管局" in text
    assert "部门149" in text


def test_every_page_after_the_cover_has_the_running_title_header_row_and_counter(report, tmp_path):
    text_of_pages = [pdf_text(report, tmp_path, first=n, last=n) for n in (1, 2, 3)]
    total = int(re.search(r"共(\d+)页", text_of_pages[0]).group(1))
    assert total >= 3
    for n, text in enumerate(text_of_pages, start=1):
        assert f"第{n}页/共{total}页" in text
    # The title is escaped into the margin's CSS string, not cut at its quote.
    assert re.sub(r"\s+", "", TITLE) in text_of_pages[1]
    # The table's header row repeats on the pages it runs over to.
    assert "部门名称问题数比例" in text_of_pages[2]


def test_english_reports_count_pages_in_english(tmp_path):
    pdf = render_pdf(
        BASE, {"report_summary": ["One sentence."]}, title="Q4", created_at=CREATED, language="en"
    )
    text = pdf_text(pdf, tmp_path)
    assert "Page1of1" in text
    assert "Generatedat2026-12-0709:02" in text


def test_the_same_inputs_give_the_same_bytes(report):
    # WeasyPrint 70 writes no random identifiers and takes both dates from the
    # document: the same template, data and created_at give a byte-identical file.
    again = render_pdf(BASE, context(), title=TITLE, created_at=CREATED, language="zh-hans")
    assert again == report


def test_another_process_gives_the_same_bytes(report):
    # A stored report re-rendered later runs in another process, with another hash
    # seed: nothing in the output may depend on set or dict ordering of that run.
    script = (
        "import django, hashlib, sys; django.setup();"
        "from qinqing.common.tests.test_pdf import BASE, CREATED, TITLE, context;"
        "from qinqing.common.pdf import render_pdf;"
        "pdf = render_pdf(BASE, context(), title=TITLE, created_at=CREATED, language='zh-hans');"
        "sys.stdout.write(hashlib.sha256(pdf).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    assert result.stdout.strip().splitlines()[-1] == hashlib.sha256(report).hexdigest()


def test_another_creation_time_changes_the_file_and_only_its_dates(report, tmp_path):
    later = render_pdf(
        BASE, context(), title=TITLE, created_at=CREATED + dt.timedelta(days=1), language="zh-hans"
    )
    assert later != report
    assert pdf_text(later, tmp_path).replace("2026-12-08", "2026-12-07") == pdf_text(report, tmp_path)


def test_created_at_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        render_pdf(BASE, {}, title="t", created_at=dt.datetime(2026, 1, 1), language="zh-hans")  # noqa: DTZ001


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "test/report.html": (
                                '{% extends "common/report_base.html" %}'
                                "{% block summary %}<p>{{ sentence }}</p>{% endblock %}"
                                "{% block tables %}<p>自定义表格区</p>{% endblock %}"
                            )
                        },
                    ),
                    "django.template.loaders.app_directories.Loader",
                ]
            },
        }
    ]
)
def test_a_report_template_extends_the_base(tmp_path):
    pdf = render_pdf(
        "test/report.html",
        {"sentence": "<b>不是标签</b>"},
        title="月报",
        created_at=CREATED,
        language="zh-hans",
    )
    text = pdf_text(pdf, tmp_path)
    assert "<b>不是标签</b>" in text  # autoescaped, shown as typed
    assert "自定义表格区" in text
    assert "月报" in text


# --- Nothing is fetched ---------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Fails the test on any attempt to open a connection or a URL."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "http://example.com/static/qinqing/report.css",
        "http://report.invalid/media/upload.png",
        "http://report.invalid/static/../../../etc/passwd",
        "http://report.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "http://report.invalid/static/qinqing/nothing-here.css",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url, no_network):
    with pytest.raises(ReportResourceRefused):
        StaticFilesFetcher().fetch(url)
    assert static_file_for(url) is None
    assert no_network == []


def test_the_fetcher_serves_static_files_from_disk(no_network):
    response = StaticFilesFetcher().fetch("http://report.invalid/static/qinqing/report.css?v=1")
    try:
        assert b"@page" in response.read()
        assert response.content_type == "text/css"
    finally:
        response.close()
    assert no_network == []


def test_a_remote_image_stops_the_rendering_and_is_never_fetched(no_network):
    # Given a chart whose SVG names a remote image (SVG is inserted unescaped)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="https://example.com/x.png" width="10" height="10"/></svg>'
    chart = ReportChart(caption="c", svg=mark_safe(svg))

    # When it is rendered, then the rendering stops with the refusal
    with pytest.raises(ReportResourceRefused) as refused:
        render_pdf(BASE, {"report_charts": [chart]}, title="t", created_at=CREATED, language="zh-hans")
    assert refused.value.url == "https://example.com/x.png"
    # and no connection was attempted.
    assert no_network == []


# --- CSS strings in the page margins --------------------------------------------------------------


def test_css_strings_escape_everything_that_could_end_them():
    literal = css_string('季报 "</style>\\\n')
    assert literal.startswith('"') and literal.endswith('"')
    inner = literal[1:-1]
    assert '"' not in inner and "<" not in inner and "\n" not in inner
    assert "\\\\" not in inner.replace("\\5c ", "")
    assert inner.startswith("季报 ")


def test_the_page_counter_pattern_becomes_css_counters():
    expected = (
        f"{css_string('第 ')} counter(page) {css_string(' 页 / 共 ')} counter(pages) {css_string(' 页')}"
    )
    assert page_counter_content("第 {page} 页 / 共 {pages} 页") == expected
    assert page_counter_content("{page}") == "counter(page)"
