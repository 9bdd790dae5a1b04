"""Report PDFs: a Django template rendered to HTML, laid out by WeasyPrint.

Report templates extend `common/report_base.html` (A4, a running header with the
report's title, "第 x 页 / 共 y 页" at the foot, tables whose header row repeats on
every page, charts from `qinqing.common.svgcharts` inline as SVG).

Two rules make a stored report trustworthy:

- **Nothing is fetched.** WeasyPrint would otherwise fetch any URL a template (or a
  value in it) names. The fetcher here serves the project's own static files from disk
  and refuses everything else, and a refusal stops the rendering instead of leaving a
  silent gap in the document.
- **Same inputs, same bytes.** The document's dates come from `created_at`, never from
  the clock, and WeasyPrint 70 writes no random identifiers for a plain PDF, so the
  same template, context and `created_at` give byte-identical files on one machine
  (pinned by `tests/test_pdf.py`). The fonts are whatever fontconfig finds, so another
  machine with another build of Noto Sans CJK may embed different glyph outlines.

    pdf = render_pdf(
        "ledger/reports/quarterly.html",
        {"report_tables": [ReportTable(caption="按部门", headers=["部门", "问题数"], rows=rows)]},
        title="2026年第四季度工作进展季报",
        created_at=report.created_at,
        language="zh-hans",
    )
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

# The document's own address. ".invalid" can never resolve (RFC 6761): even if a URL
# slipped past the fetcher, no lookup could leave the machine.
BASE_URL = "http://report.invalid/"
PDF_CONTENT_TYPE = "application/pdf"


class ReportResourceRefused(Exception):
    """A report named a URL other than one of the project's static files."""

    def __init__(self, url: str) -> None:
        super().__init__(f"A report may use the project's static files only; refused: {url[:200]}")
        self.url = url


@dataclass(frozen=True)
class ReportTable:
    """A table for the base template's `tables` block. `numeric` holds the indexes of
    the columns aligned right (figures); rows may be any iterable, read once."""

    caption: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    numeric: frozenset[int] = field(default_factory=frozenset)
    note: str = ""


@dataclass(frozen=True)
class ReportChart:
    """A chart for the base template's `charts` block: `svg` from `svgcharts`."""

    caption: str
    svg: SafeString
    note: str = ""


class StaticFilesFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `{% static %}` URLs from disk (the staticfiles finders, then the collected
    files) and refuses every other URL: http(s), file:, data:, anything."""

    def __init__(self) -> None:
        # fail_on_errors: a refused URL stops the rendering rather than being logged
        # and left out, so a report never silently lacks a part.
        super().__init__(fail_on_errors=True)
        # Kept as well as raised: WeasyPrint's SVG drawing swallows even fatal errors
        # (it logs "Failed to render SVG image"), so render_pdf checks this list.
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        path = static_file_for(url)
        if path is None:
            self.refused.append(url)
            raise ReportResourceRefused(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # urllib's opener machinery is never used: every request goes through fetch.
        return self.fetch(url if isinstance(url, str) else url.full_url)


def static_file_for(url: str) -> Path | None:
    """The file on disk behind a static URL of the report, or None when `url` is not
    one of the project's static files."""
    prefix = urlsplit(urljoin(BASE_URL, settings.STATIC_URL))
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or not parts.path.startswith(
        prefix.path
    ):
        return None
    name = unquote(parts.path[len(prefix.path) :])
    # The finders refuse paths outside their folders too; this keeps odd names from
    # reaching them at all.
    if not name or "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in name.split("/")):
        return None
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    try:
        # After collectstatic, {% static %} may name a hashed copy only STATIC_ROOT has.
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:
        return None
    return collected if collected.is_file() else None


# --- CSS strings for the page margins -----------------------------------------------------------

_CSS_PLAIN = re.compile(r"[^\W_]| ", re.UNICODE)
_COUNTER = re.compile(r"(\{page\}|\{pages\})")


def css_string(text: str) -> str:
    """`text` as a CSS string literal. Anything but letters, digits and spaces is a hex
    escape, so no quote, backslash or `</style>` in a title can end the string or the
    style element it sits in."""
    return '"' + "".join(c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in text) + '"'


def page_counter_content(pattern: str) -> str:
    """The CSS `content` for a page-number pattern such as "第 {page} 页 / 共 {pages} 页"."""
    pieces = []
    for piece in _COUNTER.split(pattern):
        if piece == "{page}":
            pieces.append("counter(page)")
        elif piece == "{pages}":
            pieces.append("counter(pages)")
        elif piece:
            pieces.append(css_string(piece))
    return " ".join(pieces) or '""'


def _html_lang(language: str) -> str:
    # BCP 47 spelling: the PDF's /Lang, and Pango picks Simplified glyph forms by it.
    return "zh-Hans" if language.lower() in ("zh-hans", "zh-cn") else language


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    title: str,
    created_at: dt.datetime,
    language: str,
) -> bytes:
    """Render `template_name` (extending `common/report_base.html`) in `language` and
    return the PDF. `created_at` (aware) is the report's creation and modification date
    in the file and on its cover; passing the stored report's time keeps re-renders
    identical. Raises `ReportResourceRefused` when the HTML names a URL other than one of
    the project's static files."""
    if timezone.is_naive(created_at):
        raise ValueError("created_at must be time zone aware")
    local = timezone.localtime(created_at)
    with translation.override(language):
        report = {
            "title": title,
            "created_at": created_at,
            "created_w3c": local.isoformat(timespec="seconds"),
            "lang": _html_lang(language),
            # Built from escaped CSS strings only (css_string), so marked safe: inside
            # <style> an HTML-escaped quote would not be unescaped but read literally.
            "header_css": mark_safe(css_string(title)),  # noqa: S308
            "page_css": mark_safe(page_counter_content(_("Page {page} of {pages}"))),  # noqa: S308
        }
        html = render_to_string(template_name, {**context, "report": report})
    fetcher = StaticFilesFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    try:
        pdf: bytes = document.write_pdf()
    except FatalURLFetchingError as error:
        # A BaseException in WeasyPrint; callers get an ordinary one.
        cause = error.__cause__
        if isinstance(cause, ReportResourceRefused):
            raise cause from None
        raise
    if fetcher.refused:
        raise ReportResourceRefused(fetcher.refused[0])
    return pdf
