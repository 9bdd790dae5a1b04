"""Stored files handed out as downloads (common/downloads.py): always an attachment,
never a page, never in a shared cache; a file gone from storage is the caller's 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from qinqing.common.downloads import stored_download


@pytest.fixture(autouse=True)
def _storage_in_tmp(file_storage: Any) -> None:
    """The files of these tests in a folder of their own."""


def test_a_stored_file_goes_out_as_an_attachment_that_no_browser_renders() -> None:
    # An "image" that is really HTML: whatever its type claims, it must not run.
    name = default_storage.save("a1b2c3.bin", ContentFile(b"<script>alert(1)</script>"))
    response = stored_download(name, filename="整改证明.png", content_type="image/png")
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("整改证明.png") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    response.file_to_stream.close()  # not response.close(): that signals a request ended


def test_an_unknown_type_is_sent_as_bytes() -> None:
    name = default_storage.save("d4e5.bin", ContentFile(b"\x00\x01"))
    response = stored_download(name, filename="x", content_type="")
    assert response["Content-Type"] == "application/octet-stream"
    response.file_to_stream.close()  # not response.close(): that signals a request ended


def test_a_file_gone_from_storage_is_for_the_caller_to_answer() -> None:
    with pytest.raises(FileNotFoundError):
        stored_download("never-stored.pdf", filename="x.pdf", content_type="application/pdf")
