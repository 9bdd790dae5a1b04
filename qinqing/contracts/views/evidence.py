"""A claim's evidence as a download, shared by the page and the JSON API."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from ..models import ClaimEvidence


def evidence_response(evidence: ClaimEvidence) -> FileResponse:
    """The stored file, always as an attachment and never shown inline, whatever its
    type claims. Raises FileNotFoundError when the stored file is gone; each caller
    answers that in its own way (404 page, 404 JSON error)."""
    handle = default_storage.open(evidence.stored_name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
