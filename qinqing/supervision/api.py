"""The supervisor's audit endpoints: verification status, checkpoints, record timelines.

Supervisors only; a timeline holds the events of the supervisor's organisations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from qinqing.audit.models import AuditCheckpoint, AuditVerification
from qinqing.audit.selectors import (
    audit_checkpoint_export,
    audit_checkpoints_latest,
    audit_verification_latest,
    audit_verification_latest_finished,
)
from qinqing.audit.services import audit_seal_pending, audit_verification_request
from qinqing.audit.verify import describe, describe_warning

from .selectors import SHANGHAI, TIMELINE_PAGE, require_supervisor, timeline_for

router = Router(tags=["supervision"])


class FindingOut(Schema):
    kind: str
    seq: int | None
    message: str
    detail: dict[str, Any]


class WarningOut(Schema):
    code: str
    message: str


class VerificationOut(Schema):
    id: UUID
    status: str
    status_label: str
    trigger: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    events_checked: int
    last_seq: int | None
    pending_events: int
    checkpoints_checked: int
    duration_ms: int | None
    first_break: FindingOut | None
    findings: list[FindingOut]
    findings_total: int
    warnings: list[WarningOut]
    guards_installed: bool | None

    @staticmethod
    def of(run: AuditVerification) -> VerificationOut:
        def finding(item: dict[str, Any]) -> FindingOut:
            detail = item.get("detail") or {}
            return FindingOut(
                kind=item["kind"],
                seq=item["seq"],
                detail=detail,
                message=describe(item["kind"], item["seq"], detail),
            )

        return VerificationOut(
            id=run.public_id,
            status=run.status,
            status_label=str(run.get_status_display()),
            trigger=run.trigger,
            requested_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            events_checked=run.events_checked,
            last_seq=run.last_seq,
            pending_events=run.pending_events,
            checkpoints_checked=run.checkpoints_checked,
            duration_ms=run.duration_ms,
            first_break=finding(run.first_break) if run.first_break else None,
            findings=[finding(f) for f in run.findings],
            findings_total=run.findings_total,
            warnings=[WarningOut(code=w, message=describe_warning(w)) for w in run.warnings],
            guards_installed=run.guards_installed,
        )


class VerificationStatusOut(Schema):
    latest: VerificationOut | None = Field(description="The most recent run, finished or not")
    latest_finished: VerificationOut | None = Field(description="The most recent finished run")


class CheckpointOut(Schema):
    seq: int
    hash: str
    signed_at: dt.datetime
    key_id: str
    public_key: str
    signature: str

    @staticmethod
    def of(cp: AuditCheckpoint) -> CheckpointOut:
        return CheckpointOut(
            seq=cp.seq,
            hash=cp.hash,
            signed_at=cp.created_at,
            key_id=cp.key_id,
            public_key=cp.public_key,
            signature=cp.signature,
        )


class CheckpointsQuery(Schema):
    limit: int = Field(20, ge=1, le=500)


class ChangeOut(Schema):
    field: str
    before: Any
    after: Any
    changed: bool


class TimelineEventOut(Schema):
    seq: int | None = Field(description="Place in the chain; null while waiting to be sealed")
    at: dt.datetime
    at_local: str = Field(description="The time in Asia/Shanghai, YYYY-MM-DD HH:MM:SS")
    actor_id: int | None
    actor: str
    organisation_id: int | None
    organisation: str | None
    action: str
    before: Any
    after: Any
    changes: list[ChangeOut]
    request_id: str
    prev_hash: str
    hash: str | None


# Printable text only: PostgreSQL refuses NUL in text, and no record id holds a control.
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


class TimelineQuery(Schema):
    type: str = Field(
        ...,
        min_length=1,
        max_length=100,
        pattern=_PRINTABLE,
        description="Record type, e.g. accounts.organisation",
    )
    id: str = Field(..., min_length=1, max_length=64, pattern=_PRINTABLE, description="Record id")
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(TIMELINE_PAGE, ge=1, le=1000)


class TimelineOut(Schema):
    object_type: str
    object_id: str
    count: int
    events: list[TimelineEventOut]


@router.get(
    "/audit/verification", response=VerificationStatusOut, summary="The audit trail's latest verification"
)
def verification_status(request: HttpRequest) -> VerificationStatusOut:
    require_supervisor(request.user)
    latest = audit_verification_latest()
    finished = latest if latest is None or latest.finished_at else audit_verification_latest_finished()
    return VerificationStatusOut(
        latest=VerificationOut.of(latest) if latest else None,
        latest_finished=VerificationOut.of(finished) if finished else None,
    )


@router.post(
    "/audit/verification",
    response={200: VerificationOut, 202: VerificationOut},
    summary="Start a verification of the whole chain (or join the one under way)",
)
def verification_start(request: HttpRequest) -> Status[VerificationOut]:
    require_supervisor(request.user)
    run = audit_verification_request(actor=request.user)
    # 200 with the result when the chain was short enough to check at once; 202 while a
    # worker checks it (poll GET /audit/verification).
    return Status(200 if run.finished_at else 202, VerificationOut.of(run))


@router.get("/audit/checkpoints", response=list[CheckpointOut], summary="The latest signed checkpoints")
def checkpoints(request: HttpRequest, query: Query[CheckpointsQuery]) -> list[CheckpointOut]:
    require_supervisor(request.user)
    return [CheckpointOut.of(cp) for cp in audit_checkpoints_latest(limit=query.limit)]


@router.get(
    "/audit/checkpoints/export",
    summary="Every checkpoint as a signed JSON Lines file, with the public key",
    description=(
        "A header line with the public key, one line per checkpoint, and a trailer signing the "
        "SHA-256 of everything before it. Check a database against it with "
        "`manage.py verify_audit --checkpoints FILE`."
    ),
    response={200: None},
)
def checkpoints_export(request: HttpRequest) -> StreamingHttpResponse:
    require_supervisor(request.user)
    stamp = timezone.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        audit_checkpoint_export(), content_type="application/jsonl; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="qinqing-audit-checkpoints-{stamp}.jsonl"'
    return response


@router.get("/audit/timeline", response=TimelineOut, summary="A record's audit events, oldest first")
def timeline(request: HttpRequest, query: Query[TimelineQuery]) -> TimelineOut:
    require_supervisor(request.user)
    audit_seal_pending(wait=False)
    entries, total = timeline_for(
        user=request.user, object_type=query.type, object_id=query.id, offset=query.offset, limit=query.limit
    )
    return TimelineOut(
        object_type=query.type,
        object_id=query.id,
        count=total,
        events=[
            TimelineEventOut(
                seq=e.event.seq,
                at=e.event.at,
                at_local=e.local_time.strftime("%Y-%m-%d %H:%M:%S"),
                actor_id=e.event.actor_id,
                actor=e.event.actor_label,
                organisation_id=e.event.organisation_id,
                organisation=e.event.organisation.name if e.event.organisation else None,
                action=e.event.action,
                before=e.event.before,
                after=e.event.after,
                changes=[
                    ChangeOut(field=c.field, before=c.before, after=c.after, changed=c.changed)
                    for c in e.changes
                ],
                request_id=e.event.request_id,
                prev_hash=e.event.prev_hash,
                hash=e.event.hash,
            )
            for e in entries
        ],
    )
