"""The supervisor's pages: the audit trail's integrity and any record's timeline."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from qinqing.audit.models import AuditCheckpoint, VerificationStatus
from qinqing.audit.selectors import (
    audit_checkpoint_export,
    audit_checkpoints_latest,
    audit_pending_count,
    audit_verification_latest,
    audit_verification_latest_finished,
)
from qinqing.audit.services import audit_seal_pending, audit_verification_request
from qinqing.audit.signing import key_id, trusted_public_key
from qinqing.audit.verify import describe, describe_warning
from qinqing.common.errors import ApplicationError
from qinqing.common.permissions import require_supervisor

from .exports import timeline_workbook
from .readable import readable_events
from .references import MAX_REFERENCE, Found, event_subjects, find_records, record_label
from .selectors import (
    SHANGHAI,
    TIMELINE_PAGE,
    TimelineEntry,
    audit_events_recent,
    is_city_wide_supervisor,
    timeline_for,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TimelineQueryForm(forms.Form):
    """A record named by the reference people quote (`ref`); links from other pages name
    it by its type and id instead (`type`, `id`: the URL only, never the page)."""

    ref = forms.CharField(label=gettext_lazy("Reference"), max_length=MAX_REFERENCE, required=False)
    type = forms.CharField(max_length=100, required=False)
    id = forms.CharField(max_length=64, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("ref", "type", "id"):
            data[name] = str(data.get(name) or "").strip()
        if not data["ref"] and not (data["type"] and data["id"]):
            self.add_error(
                "ref",
                _(
                    "Enter a reference: a case number, a problem number or receipt, a project or contract number…"
                ),
            )
        return data


def _run_context(run: Any) -> dict[str, Any] | None:
    """A verification run as the page shows it: texts in the reader's language."""
    if run is None:
        return None
    first = run.first_break
    return {
        "run": run,
        "requested_local": run.created_at.astimezone(SHANGHAI),
        "finished_local": run.finished_at.astimezone(SHANGHAI) if run.finished_at else None,
        "first_break": describe(first["kind"], first["seq"], first.get("detail", {})) if first else "",
        "findings": [describe(f["kind"], f["seq"], f.get("detail", {})) for f in run.findings[:20]],
        "warnings": [describe_warning(code) for code in run.warnings],
        "in_progress": run.status in {VerificationStatus.QUEUED, VerificationStatus.RUNNING},
    }


def _verification_context() -> dict[str, Any]:
    latest = audit_verification_latest()
    finished = latest if latest is None or latest.finished_at else audit_verification_latest_finished()
    return {"latest": _run_context(latest), "finished": _run_context(finished)}


def _recent_events(user: Any) -> list[dict[str, Any]]:
    """The latest events as the timeline reads them: the action's label, the record by
    the reference people quote (linked to its page), who acted with their organisation.
    A bounded number of queries: one per type of record, one for the actors' roles."""
    events = audit_events_recent(user=user)
    subjects = event_subjects(user, events)
    readable = readable_events([TimelineEntry(event=e, local_time=e.at.astimezone(SHANGHAI)) for e in events])
    return [{"item": r, "subject": subject} for r, subject in zip(readable, subjects, strict=True)]


@require_GET
@login_required
@require_supervisor
def audit(request: HttpRequest) -> HttpResponse:
    trusted = trusted_public_key()
    context = {
        **_verification_context(),
        "checkpoints": [
            {"cp": cp, "local": cp.created_at.astimezone(SHANGHAI)}
            for cp in audit_checkpoints_latest(limit=10)
        ],
        "checkpoint_count": AuditCheckpoint.objects.count(),
        "key_id": key_id(trusted) if trusted else "",
        "pending": audit_pending_count(),
        "recent": _recent_events(request.user),
        "city_wide": is_city_wide_supervisor(request.user),
        "form": TimelineQueryForm(),
    }
    return render(request, "supervision/audit.html", context)


@require_GET
@login_required
@require_supervisor
def audit_status(request: HttpRequest) -> HttpResponse:
    """The verification card alone, polled by the page while a run is under way."""
    return render(request, "supervision/audit.html#verification", _verification_context())


@require_POST
@login_required
@require_supervisor
def audit_verify(request: HttpRequest) -> HttpResponse:
    run = audit_verification_request(actor=request.user)
    if run.status == VerificationStatus.INTACT:
        messages.success(request, _("The audit trail is intact."))
    elif run.status == VerificationStatus.BROKEN:
        messages.error(request, _("The audit trail is broken. See the first broken event below."))
    elif run.status == VerificationStatus.FAILED:
        messages.error(request, _("The verification could not run. Try again later."))
    else:
        messages.info(
            request, _("The verification runs in the background; this page updates when it is done.")
        )
    if request.headers.get("HX-Request"):
        return render(request, "supervision/audit.html#verification", _verification_context())
    return redirect("supervision:audit")


@require_GET
@login_required
@require_supervisor
def checkpoints_export(request: HttpRequest) -> HttpResponse:
    stamp = timezone.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    try:
        # A few hundred bytes per hourly checkpoint: a year's worth is a few megabytes.
        content = "".join(audit_checkpoint_export())
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("supervision:audit")
    response = HttpResponse(content, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qinqing-audit-checkpoints-{stamp}.jsonl"'
    return response


def _timeline_query(request: HttpRequest) -> TimelineQueryForm | None:
    if not any(request.GET.get(name) for name in ("ref", "type", "id")):
        return None
    return TimelineQueryForm(request.GET)


def _record(request: HttpRequest, form: TimelineQueryForm) -> tuple[str, str, str, list[Found]]:
    """(object type, object id, heading label, candidates) of the record the form names;
    empty type and id when the reference names none or several."""
    data = form.cleaned_data
    if data["ref"]:
        found = find_records(request.user, data["ref"])
        if len(found) == 1:
            one = found[0]
            return one.object_type, one.object_id, f"{one.kind} {one.label}", found
        return "", "", "", found
    return data["type"], data["id"], record_label(data["type"], data["id"]), []


@require_GET
@login_required
@require_supervisor
def timeline(request: HttpRequest) -> HttpResponse:
    form = _timeline_query(request)
    context: dict[str, Any] = {"form": form or TimelineQueryForm()}
    if form is not None and form.is_valid():
        object_type, object_id, label, found = _record(request, form)
        if len(found) == 1 and found[0].case_url:
            # A policy case's events are read on its supervision page (steps, chain check).
            return redirect(found[0].case_url)
        context |= {"found": found, "asked": form.cleaned_data["ref"], "searched": bool(object_type)}
        if object_type:
            # The hash must be in place before a supervisor relies on an event.
            audit_seal_pending(wait=False)
            page = form.cleaned_data.get("page") or 1
            entries, total = timeline_for(
                user=request.user,
                object_type=object_type,
                object_id=object_id,
                offset=(page - 1) * TIMELINE_PAGE,
            )
            context |= {
                "entries": readable_events(entries),
                "total": total,
                "query": urlencode({"type": object_type, "id": object_id}),
                "record_label": label,
                "page": page,
                "pages": max(1, -(-total // TIMELINE_PAGE)),
            }
    return render(request, "supervision/timeline.html", context)


@require_GET
@login_required
@require_supervisor
def timeline_export(request: HttpRequest) -> HttpResponse:
    form = _timeline_query(request)
    object_type = object_id = label = ""
    if form is not None and form.is_valid():
        object_type, object_id, label, _found = _record(request, form)
    if not object_type:
        messages.error(request, _("Name one record to export its timeline."))
        return redirect("supervision:timeline")
    audit_seal_pending(wait=False)
    entries, _total = timeline_for(
        user=request.user, object_type=object_type, object_id=object_id, limit=100_000
    )
    content = timeline_workbook(label=label, entries=readable_events(entries))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{object_type}-{object_id}")[:80]
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="timeline-{safe}.xlsx"'
    return response
