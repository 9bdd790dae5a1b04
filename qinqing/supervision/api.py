"""The supervisor's audit endpoints: verification status, checkpoints, record timelines;
the policy cases' supervision; the red flags.

Supervisors only (officials also read the policy cases of their department); a
timeline holds the events of the supervisor's organisations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
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
from qinqing.common.errors import ValidationFailed
from qinqing.policies.dossier import OPENAPI_PDF

from .policy_cases import (
    CashFigures,
    access_policy_case,
    alert_rows,
    case_timeline,
    policy_step_alerts,
    policy_steps_late,
    step_rows,
    time_to_cash,
)
from .policy_views import MAX_PERIOD_DAYS, case_dossier_response
from .redflag_views import kind_descriptions
from .redflag_views import period as red_flag_period
from .redflags import FlagKind, Reach, RedFlag, flag_counts, flag_list, require_red_flag_reader
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


# --- Policy cases (全程督) -------------------------------------------------------------------
# Officials read their department's subtree, supervisors their reach; enterprises and
# admins are refused (403).


class LateStepOut(Schema):
    case_id: UUID
    case_reference: str | None
    policy: str
    enterprise: str
    department: str
    step: str
    attempt: int
    assignee: str | None
    started_at: dt.datetime
    due_date: dt.date
    state: str = Field(
        description="overdue | due_today | due_soon | paused (returned for materials: the clock stands "
        "still and the due date moves by the paused working days when it resumes)"
    )
    working_days_overdue: int = Field(
        description="Working days past the due date; for a paused step, those it was late when paused"
    )
    paused: bool
    paused_since: dt.date | None = Field(None, description="The day the step's clock stopped")


class LateStepsQuery(Schema):
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    overdue_only: bool = False
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(200, ge=1, le=1000)


class LateStepsOut(Schema):
    count: int
    steps: list[LateStepOut]


@router.get("/policies/steps/late", response=LateStepsOut, summary="Open policy steps overdue or due soon")
def policy_steps_late_list(request: HttpRequest, query: Query[LateStepsQuery]) -> LateStepsOut:
    steps = policy_steps_late(request.user, department=query.department, overdue_only=query.overdue_only)
    total = steps.count()
    rows = step_rows(steps[query.offset : query.offset + query.limit])
    return LateStepsOut(
        count=total,
        steps=[
            LateStepOut(
                case_id=r.case.public_id,
                case_reference=r.case.reference,
                policy=r.case.policy.title,
                enterprise=r.case.enterprise.name,
                department=r.case.organisation.name,
                step=r.step_label,
                attempt=r.step.attempt,
                assignee=str(r.step.assignee) if r.step.assignee else None,
                started_at=r.step.started_at,
                due_date=r.step.due_date,
                state=r.state,
                working_days_overdue=r.days_overdue,
                paused=r.paused,
                paused_since=r.paused_since,
            )
            for r in rows
        ],
    )


class StepAlertOut(Schema):
    rung: str
    rung_label: str
    case_id: UUID | None
    case_reference: str | None
    enterprise: str | None
    department: str
    step: str
    owner: str | None
    due_date: dt.date
    rung_on: dt.date
    fired_at: dt.datetime
    step_ended_at: dt.datetime | None


class StepAlertsQuery(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    rung: str = Field("", max_length=16, pattern=r"^(|reminder|warning|alarm|escalation)$")
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(200, ge=1, le=1000)


class StepAlertsOut(Schema):
    since: dt.date
    until: dt.date
    count: int
    alerts: list[StepAlertOut]


@router.get("/policies/steps/alerts", response=StepAlertsOut, summary="Alerts fired for policy steps")
def policy_step_alerts_list(request: HttpRequest, query: Query[StepAlertsQuery]) -> StepAlertsOut:
    until = query.until or timezone.localdate()
    since = query.since or until - dt.timedelta(days=90)
    if since > until:
        raise ValidationFailed(fields={"since": [_("The period ends before it starts.")]})
    qs = policy_step_alerts(
        request.user, since=since, until=until, rung=query.rung, department=query.department
    )
    total = qs.count()
    return StepAlertsOut(
        since=since,
        until=until,
        count=total,
        alerts=[
            StepAlertOut(
                rung=r.alert.rung,
                rung_label=r.rung_label,
                case_id=r.case.public_id if r.case else None,
                case_reference=r.case.reference if r.case else None,
                enterprise=r.case.enterprise.name if r.case else None,
                department=r.alert.deadline.organisation.name,
                step=r.step_label,
                owner=str(r.alert.deadline.owner) if r.alert.deadline.owner else None,
                due_date=r.alert.due_date,
                rung_on=r.alert.rung_on,
                fired_at=r.alert.fired_at,
                step_ended_at=r.step.ended_at if r.step else None,
            )
            for r in alert_rows(qs[query.offset : query.offset + query.limit])
        ],
    )


class CaseStepOut(Schema):
    step: str
    position: int
    attempt: int
    kind: str
    started_at: dt.datetime
    due_date: dt.date
    ended_at: dt.datetime | None
    outcome: str
    assignee: str | None
    actor: str | None
    paused: bool


class CaseEventOut(Schema):
    seq: int | None
    at: dt.datetime
    about: str
    object_type: str
    object_id: str
    actor: str
    organisation: str | None
    action: str
    changes: list[ChangeOut]
    hash: str | None


class SegmentOut(Schema):
    first_seq: int
    last_seq: int
    checked: bool = Field(description="False when the stretch is too long to check here")
    intact: bool
    events_checked: int
    first_break: str


class CaseTimelineOut(Schema):
    case_id: UUID
    reference: str | None
    status: str
    submitted_at: dt.datetime
    paid_at: dt.datetime | None
    steps: list[CaseStepOut]
    events: list[CaseEventOut]
    pending_events: int
    segment: SegmentOut | None


@router.get(
    "/policies/cases/{public_id}/timeline",
    response=CaseTimelineOut,
    summary="A policy case's audit events (case, step deadlines, payment) and steps",
)
def policy_case_timeline(request: HttpRequest, public_id: UUID) -> CaseTimelineOut:
    case = access_policy_case(request.user, public_id)
    audit_seal_pending(wait=False)
    timeline = case_timeline(request.user, case)
    seg = timeline.segment
    return CaseTimelineOut(
        case_id=case.public_id,
        reference=case.reference,
        status=case.status,
        submitted_at=case.submitted_at,
        paid_at=case.paid_at,
        steps=[
            CaseStepOut(
                step=name,
                position=s.position,
                attempt=s.attempt,
                kind=s.kind,
                started_at=s.started_at,
                due_date=s.due_date,
                ended_at=s.ended_at,
                outcome=s.outcome,
                assignee=str(s.assignee) if s.assignee else None,
                actor=str(s.actor) if s.actor else None,
                paused=bool(s.deadline and s.deadline.paused),
            )
            for s, name in timeline.labelled_steps
        ],
        events=[
            CaseEventOut(
                seq=e.event.seq,
                at=e.event.at,
                about=e.subject,
                object_type=e.event.object_type,
                object_id=e.event.object_id,
                actor=e.event.actor_label,
                organisation=e.event.organisation.name if e.event.organisation else None,
                action=e.event.action,
                changes=[
                    ChangeOut(field=c.field, before=c.before, after=c.after, changed=c.changed)
                    for c in e.entry.changes
                ],
                hash=e.event.hash,
            )
            for e in timeline.events
        ],
        pending_events=timeline.pending,
        segment=SegmentOut(
            first_seq=seg.first_seq,
            last_seq=seg.last_seq,
            checked=seg.checked,
            intact=seg.intact,
            events_checked=seg.events_checked,
            first_break=seg.first_break,
        )
        if seg
        else None,
    )


class CashQuery(Schema):
    since: dt.date | None = None
    until: dt.date | None = None


class CashFiguresOut(Schema):
    id: int | None = Field(description="The policy's or department's id; null for the total")
    name: str
    department: str
    paid_cases: int
    median_seconds: float | None
    p90_seconds: float | None
    median_days: float | None
    p90_days: float | None
    paid_within_1_day: int
    share_paid_within_1_day: float


class CashOut(Schema):
    since: dt.date
    until: dt.date
    by_policy: list[CashFiguresOut]
    by_department: list[CashFiguresOut]
    total: CashFiguresOut


def _figures_out(f: CashFigures) -> CashFiguresOut:
    return CashFiguresOut(
        id=f.key,
        name=f.label,
        department=f.department,
        paid_cases=f.count,
        median_seconds=f.median,
        p90_seconds=f.p90,
        median_days=f.median_days,
        p90_days=f.p90_days,
        paid_within_1_day=f.within_day,
        share_paid_within_1_day=round(f.share_within_day, 4),
    )


@router.get(
    "/policies/cases/{public_id}/dossier",
    response={200: None},
    summary="A policy case's dossier (案卷) as a PDF, with its audit events' sequence numbers and hashes",
    openapi_extra=OPENAPI_PDF,
)
def policy_case_dossier(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return case_dossier_response(request.user, access_policy_case(request.user, public_id))


@router.get(
    "/policies/time-to-cash",
    response=CashOut,
    summary="Time from submission to payment: median and 90th percentile per policy and department",
)
def policy_time_to_cash(request: HttpRequest, query: Query[CashQuery]) -> CashOut:
    until = query.until or timezone.localdate()
    since = query.since or until.replace(month=1, day=1)
    if since > until:
        raise ValidationFailed(fields={"since": [_("The period ends before it starts.")]})
    if (until - since).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(fields={"since": [_("Choose a period of at most three years.")]})
    report = time_to_cash(request.user, since=since, until=until)
    return CashOut(
        since=report.since,
        until=report.until,
        by_policy=[_figures_out(f) for f in report.by_policy],
        by_department=[_figures_out(f) for f in report.by_department],
        total=_figures_out(report.total),
    )


# --- Red flags (风险提示) -----------------------------------------------------------------------
# Supervisors only (flags name officials), within their reach; read-only.


class RedFlagsQuery(Schema):
    since: dt.date | None = Field(None, description="First day (Beijing); default: a year before `until`")
    until: dt.date | None = Field(None, description="Last day (Beijing); default: today")
    department: int | None = Field(None, ge=1, le=2**31 - 1)


class RedFlagPageQuery(RedFlagsQuery):
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=500)


class RedFlagKindOut(Schema):
    kind: str
    label: str
    description: str
    count: int


class RedFlagSummaryOut(Schema):
    since: dt.date
    until: dt.date
    department: int | None
    kinds: list[RedFlagKindOut]


class RedFlagCaseOut(Schema):
    id: UUID = Field(description="The case's public id (GET /supervision/policies/cases/{id}/timeline)")
    reference: str
    url: str = Field(description="The case's timeline page")


class RedFlagEnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str


class RedFlagOut(Schema):
    kind: str
    kind_label: str
    severity: str = Field(description="high | medium | low")
    severity_label: str
    fact: str = Field(description="What triggered the flag, in plain words")
    at: dt.datetime | None = Field(description="When it happened, where it has one instant")
    cases: list[RedFlagCaseOut]
    more_cases: int = Field(description="Cases of the flag not listed")
    enterprises: list[RedFlagEnterpriseOut]
    official: str | None
    official_id: int | None
    department: str
    policy: str
    data: dict[str, Any] = Field(description="The facts behind the flag as values, by kind")


class RedFlagListOut(Schema):
    kind: str
    label: str
    since: dt.date
    until: dt.date
    count: int
    flags: list[RedFlagOut]


def _red_flag_reach(request: HttpRequest, query: RedFlagsQuery) -> Reach:
    require_red_flag_reader(request.user)
    try:
        since, until = red_flag_period(query.since, query.until)
    except ValueError as exc:
        raise ValidationFailed(fields={"since": [str(exc)]}) from exc
    return Reach(user=request.user, since=since, until=until, department=query.department)


def _red_flag_out(flag: RedFlag) -> RedFlagOut:
    return RedFlagOut(
        kind=flag.kind,
        kind_label=flag.kind_label,
        severity=flag.severity,
        severity_label=flag.severity_label,
        fact=flag.fact,
        at=flag.at,
        cases=[RedFlagCaseOut(id=c.public_id, reference=c.reference, url=c.url) for c in flag.cases],
        more_cases=flag.more_cases,
        enterprises=[
            RedFlagEnterpriseOut(id=e.id, name=e.name, credit_code=e.credit_code) for e in flag.enterprises
        ],
        official=flag.official or None,
        official_id=flag.official_id,
        department=flag.department,
        policy=flag.policy,
        data=flag.data,
    )


@router.get("/red-flags", response=RedFlagSummaryOut, summary="How many red flags of each kind are in reach")
def red_flags_summary(request: HttpRequest, query: Query[RedFlagsQuery]) -> RedFlagSummaryOut:
    reach = _red_flag_reach(request, query)
    counts = flag_counts(reach)
    descriptions = kind_descriptions()
    return RedFlagSummaryOut(
        since=reach.since,
        until=reach.until,
        department=reach.department,
        kinds=[
            RedFlagKindOut(
                kind=kind, label=str(label), description=str(descriptions[kind]), count=counts[kind]
            )
            for kind, label in FlagKind.choices
        ],
    )


@router.get("/red-flags/{kind}", response=RedFlagListOut, summary="One kind's red flags, a page at a time")
def red_flags_list(request: HttpRequest, kind: FlagKind, query: Query[RedFlagPageQuery]) -> RedFlagListOut:
    reach = _red_flag_reach(request, query)
    flags = flag_list(reach, kind)
    return RedFlagListOut(
        kind=kind,
        label=str(FlagKind(kind).label),
        since=reach.since,
        until=reach.until,
        count=flags.count(),
        flags=[_red_flag_out(f) for f in flags[query.offset : query.offset + query.limit]],
    )
