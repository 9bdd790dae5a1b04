"""Upload limits held while the request is read, not after Django has spooled it.

`UploadLimitHandler` comes first in `FILE_UPLOAD_HANDLERS`. It passes each file's bytes
on to Django's own handlers (memory, then a temporary file) until the file grows past
the largest file its view accepts, or the request's files together past
`UPLOAD_MAX_REQUEST_BYTES`. From then on nothing more of that file is kept: what the
handlers after it hold is freed at once and the rest of the part is read off the
connection and dropped. The file stays in `request.FILES` as a `RefusedUpload`, which
names the limit and keeps no content, so the service checking the upload refuses it
with the field's usual message ("The file is larger than 10 MB.") and the form keeps
every other answer.

Why neither of Django's exceptions for this: `StopUpload` ends the parsing, so every
field after the file in the body is lost (the enterprise's answers, the CSRF token);
`SkipFile` drops the file from `request.FILES` without a trace, so the page would say
a required material is missing, or nothing at all for an optional one. Both still read
the rest of the body off the connection (unless the connection is reset, which the
browser shows as a network error instead of the page); so does this handler, but it
keeps none of it.

The largest file per view: `POLICY_UPLOAD_MAX_BYTES` (materials and evidence: policies,
ledger, contracts all check through `qinqing.policies.uploads.check_upload`), or the
setting `UPLOAD_LIMIT_SETTINGS` names for the view's URL name (a registry import's
`ENTERPRISE_IMPORT_MAX_BYTES`). Each setting is read per request.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .errors import ValidationFailed

DEFAULT_LIMIT_SETTING = "POLICY_UPLOAD_MAX_BYTES"
DEFAULT_FILE_LIMIT = 10 * 1024 * 1024
DEFAULT_REQUEST_LIMIT = 100 * 1024 * 1024
MB = 1024 * 1024

# Why a file was refused.
TOO_LARGE = "file"
REQUEST_TOO_LARGE = "request"


def _setting_bytes(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def file_limit(request: HttpRequest | None) -> int:
    """The largest file the request's view accepts. Before the view is known (nothing
    in the project reads a body that early), the largest of all: the view's own check
    still applies."""
    names: dict[str, str] = getattr(settings, "UPLOAD_LIMIT_SETTINGS", {})
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return _setting_bytes(names.get(match.view_name, DEFAULT_LIMIT_SETTING), DEFAULT_FILE_LIMIT)
    return max(_setting_bytes(name, DEFAULT_FILE_LIMIT) for name in {DEFAULT_LIMIT_SETTING, *names.values()})


def request_limit() -> int:
    """The most bytes the files of one request may carry together."""
    return _setting_bytes("UPLOAD_MAX_REQUEST_BYTES", DEFAULT_REQUEST_LIMIT)


class RefusedUpload(UploadedFile):
    """A file the upload handler stopped keeping: larger than `limit` by itself
    (`reason` TOO_LARGE), or beyond the `limit` of the request's files together
    (REQUEST_TOO_LARGE). `size` is the bytes that arrived; the content is gone, and
    reading it is a `ValidationFailed` with `message`."""

    def __init__(self, *, name: str, content_type: str, size: int, reason: str, limit: int) -> None:
        super().__init__(file=io.BytesIO(), name=name, content_type=content_type, size=size)
        self.reason = reason
        self.limit = limit

    @property
    def message(self) -> str:
        mb = self.limit // MB
        if self.reason == REQUEST_TOO_LARGE:
            return _("The files sent together are larger than %(mb)d MB; send fewer at once.") % {"mb": mb}
        return _("The file is larger than %(mb)d MB.") % {"mb": mb}

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise ValidationFailed(self.message)

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        raise ValidationFailed(self.message)


class UploadLimitHandler(FileUploadHandler):
    """Keeps no byte of a file past its limit (see the module's docstring)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.file_limit = file_limit(request)
        self.request_limit = request_limit()
        self.kept = 0  # bytes of this request's files passed on to the other handlers
        self.seen = 0  # bytes of the current file that arrived
        self.file_kept = 0  # of them, passed on
        self.refused = ""  # why the current file is refused; "" while it is kept

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.file_kept = 0
        self.refused = ""
        declared = self.content_length  # the part's own Content-Length, rarely sent
        if declared is not None and declared > self.file_limit:
            self.refused = TOO_LARGE
        elif self.kept >= self.request_limit:
            self.refused = REQUEST_TOO_LARGE
        if self.refused:
            # Refused before its first byte: the other handlers never open a file for it.
            raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.refused:
            return None
        if self.seen > self.file_limit:
            self._refuse(TOO_LARGE)
            return None
        if self.kept + len(raw_data) > self.request_limit:
            self._refuse(REQUEST_TOO_LARGE)
            return None
        self.kept += len(raw_data)
        self.file_kept += len(raw_data)
        return raw_data

    def _refuse(self, reason: str) -> None:
        self.refused = reason
        # The handlers after this one hold the file's first part (in memory or in a
        # temporary file): free it now, as Django's parser does on SkipFile.
        handlers = list(getattr(self.request, "upload_handlers", []))
        later = handlers[handlers.index(self) + 1 :] if self in handlers else []
        for handler in later:
            partial = getattr(handler, "file", None)
            if partial is not None:
                partial.close()
        self.kept -= self.file_kept  # nothing of this file is kept after all
        self.file_kept = 0

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None  # the next handler returns the file it kept
        limit = self.request_limit if self.refused == REQUEST_TOO_LARGE else self.file_limit
        return RefusedUpload(
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=self.seen,
            reason=self.refused,
            limit=limit,
        )
