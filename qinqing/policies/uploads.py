"""Uploaded materials: size and type checked by content, stored under generated names.

The name and the declared content type of an upload are the sender's claims; the
first bytes decide. Files go to the default storage under `cases/`, which is never
served as static or media: they are read back only through a view that sends them
as attachments (`Content-Disposition: attachment`, `nosniff`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ValidationFailed
from qinqing.common.upload_handlers import TOO_LARGE, RefusedUpload

# type → (signature at offset 0, content type, extension)
SIGNATURES: dict[str, tuple[bytes, str, str]] = {
    "pdf": (b"%PDF-", "application/pdf", "pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg", "jpg"),
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "POLICY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    kind: str
    content_type: str
    data: bytes
    sha256: str


def sniff(data: bytes) -> str | None:
    for kind, (signature, _type, _ext) in SIGNATURES.items():
        if data.startswith(signature):
            return kind
    return None


def check_upload(upload: IO[bytes], *, name: str, accepted: list[str], field: str) -> CheckedFile:
    """Read and check one upload; ValidationFailed naming `field` otherwise."""
    limit = max_upload_bytes()
    too_large = ValidationFailed(
        fields={field: [str(_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)})]}
    )
    if isinstance(upload, RefusedUpload):
        # The upload handler kept none of it (qinqing/common/upload_handlers.py).
        if upload.reason == TOO_LARGE:
            raise too_large
        raise ValidationFailed(fields={field: [upload.message]})
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large
    data = upload.read(limit + 1)
    if not data:
        raise ValidationFailed(fields={field: [str(_("The file is empty."))]})
    if len(data) > limit:
        raise too_large
    kind = sniff(data)
    if kind is None or kind not in accepted:
        raise ValidationFailed(
            fields={
                field: [
                    str(
                        _("The file's content is not of an accepted type (%(types)s).")
                        % {"types": ", ".join(t.upper() for t in accepted)}
                    )
                ]
            }
        )
    safe_name = (name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200] or "file"
    return CheckedFile(
        original_name=safe_name,
        kind=kind,
        content_type=SIGNATURES[kind][1],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def store(checked: CheckedFile) -> str:
    """Save under a generated name; returns the storage name."""
    day = timezone.localdate()
    name = f"cases/{day:%Y/%m}/{uuid.uuid4().hex}.{SIGNATURES[checked.kind][2]}"
    return default_storage.save(name, ContentFile(checked.data))
