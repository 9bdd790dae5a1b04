"""Links into the supervisor's pages, for other apps' pages and notifications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import models
from django.urls import reverse


def timeline_url(obj: models.Model | None = None, *, object_type: str = "", object_id: str | int = "") -> str:
    """The supervisor's timeline of a record: pass the record, or its audit
    `object_type` (the model label, e.g. "policies.application") and id."""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, obj.pk
    return reverse("supervision:timeline") + "?" + urlencode({"type": object_type, "id": object_id})


def policy_case_url(case: models.Model) -> str:
    """The supervisor's whole-process page of a policy case (timeline, steps, chain check)."""
    return reverse("supervision:policy_case", args=[case.public_id])  # type: ignore[attr-defined]
