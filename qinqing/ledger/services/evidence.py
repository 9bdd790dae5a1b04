"""Evidence files of a problem: checked by content (PDF, PNG, JPEG), stored under a
generated name, only ever sent back as attachments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import User
from qinqing.common.errors import ValidationFailed
from qinqing.policies.uploads import CheckedFile, check_upload, store

from ..models import Problem, ProblemFile, ProblemUpdate

EVIDENCE_TYPES = ["pdf", "png", "jpg"]
MAX_FILES = 10


def check_files(files: Sequence[IO[bytes]], *, required: bool) -> list[CheckedFile]:
    uploads = list(files or [])
    if required and not uploads:
        raise ValidationFailed(
            fields={"files": [str(_("Attach at least one document or photo as evidence."))]}
        )
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(fields={"files": [str(_("At most %(count)d files.") % {"count": MAX_FILES})]})
    return [
        check_upload(upload, name=getattr(upload, "name", "") or "", accepted=EVIDENCE_TYPES, field="files")
        for upload in uploads
    ]


def attach_files(
    problem: Problem,
    update: ProblemUpdate | None,
    files: Sequence[IO[bytes]],
    *,
    actor: User | None,
    required: bool,
) -> list[ProblemFile]:
    """Check every file first, then store them: a bad file stores none."""
    checked = check_files(files, required=required)
    return [
        ProblemFile.objects.create(
            problem=problem,
            update=update,
            original_name=(f.original_name or "evidence")[:200],
            content_type=f.content_type,
            storage_name=store(f),
            size=len(f.data),
            sha256=f.sha256,
            uploaded_by=actor,
        )
        for f in checked
    ]
