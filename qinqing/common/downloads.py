"""Stored files handed out as downloads: uploaded materials and evidence, generated
reports. One place for the headers that keep a file an attachment, never a page."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

OCTET_STREAM = "application/octet-stream"


def stored_download(stored_name: str, *, filename: str, content_type: str = "") -> FileResponse:
    """The stored file `stored_name` as an attachment called `filename`: never shown
    inline whatever its type claims (`nosniff`, a sandboxing CSP), never cached by a
    shared cache. Raises FileNotFoundError when the stored file is gone; each caller
    answers that in its own way (a 404 page, a 404 JSON error)."""
    handle = default_storage.open(stored_name, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type or OCTET_STREAM
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
