"""A claim's evidence as a download, shared by the page and the JSON API."""

from __future__ import annotations

from django.http import FileResponse

from qinqing.common.downloads import stored_download

from ..models import ClaimEvidence


def evidence_response(evidence: ClaimEvidence) -> FileResponse:
    """The stored file, always as an attachment and never shown inline, whatever its
    type claims. Raises FileNotFoundError when the stored file is gone; each caller
    answers that in its own way (404 page, 404 JSON error)."""
    return stored_download(
        evidence.stored_name, filename=evidence.original_name, content_type=evidence.content_type
    )
