"""What the ledger API accepts: the one error format, pages, filters, the bodies of the
loop's actions and of intake, and the multipart reading of forms that carry evidence.

Records are named by their public ids; organisations by their codes; a campaign's
topic by its title within the campaign (topics do not leave the system on their own).
Every action on a problem names the problem's `revision` it was taken on."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO, Any, Literal, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from qinqing.common.api import MAX_OFFSET
from qinqing.common.errors import ValidationFailed

from ..models import (
    Category,
    Channel,
    DeadlineMode,
    Institutional,
    OutcomeKind,
    ProblemStatus,
    ReferralLevel,
    ReturnVisitMode,
    Severity,
)

MAX_REVISION = 2**31 - 1
MAX_TEXT = 4000
CODE = r"^[-a-zA-Z0-9_]+$"
# A monitoring point's link token (secrets.token_urlsafe).
POINT_LINK = r"^[-_A-Za-z0-9]{1,64}$"


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    extra: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int | str, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}

# Control characters other than tab and line breaks, which text may hold.
CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))


def _no_control(value: Any) -> Any:
    if isinstance(value, str) and any(ch in CONTROL for ch in value):
        raise ValueError("control characters")
    if isinstance(value, list):
        for item in value:
            _no_control(item)
    return value


class TextIn(Schema):
    """Refuses control characters (a NUL the database would not store, a stray escape)
    in any text field, naming the field, instead of failing at the database."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _no_control(value)


class PageQuery(TextIn):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Filters --------------------------------------------------------------------------------


STATUS_FILTER = "^(" + "|".join(["open", "rectified", *ProblemStatus.values]) + ")$"


class ProblemQuery(PageQuery):
    status: str | None = Field(
        None,
        pattern=STATUS_FILTER,
        description="A status, `open` for all open ones, or `rectified` (verified or closed)",
        json_schema_extra={"enum": ["open", "rectified", *ProblemStatus.values]},
    )
    channel: Channel | None = None
    category: Category | None = None
    severity: Severity | None = None
    institutional: Literal["structural", "mechanism"] | None = None
    campaign: uuid.UUID | None = None
    department: str = Field("", max_length=64, description="Code of the responsible department")
    overdue: bool | None = Field(None, description="Open and past its due date")
    q: str = Field("", max_length=100, description="Part of the title, or the exact reference")
    walk: uuid.UUID | None = Field(None, description="Found on this walk-through")
    area: str = Field(
        "",
        max_length=40,
        description="A district's or county's public id, or `city` for the city's own departments",
    )
    date_from: dt.date | None = Field(None, alias="from", description="Registered on or after")
    date_to: dt.date | None = Field(None, alias="to", description="Registered on or before")
    flagged: bool = Field(False, description="Only withdrawals the department asked for (撤单质检)")
    reopened: bool = Field(False, description="Only problems reopened at least once")


class QueueQuery(PageQuery):
    show: Literal["over", "near"] | None = Field(
        None, description="`over`: past the due date; `near`: due within two working days"
    )


class WalkQuery(PageQuery):
    department: str = Field("", max_length=64, description="Code of the department (its subtree)")
    campaign: uuid.UUID | None = None


class CampaignQuery(PageQuery):
    channel: Channel | None = None
    status: Literal["active", "closed"] | None = None


class OutcomeQuery(PageQuery):
    kind: OutcomeKind | None = None
    campaign: uuid.UUID | None = None


# --- The loop -------------------------------------------------------------------------------


class RevisionIn(TextIn):
    revision: int = Field(
        ..., ge=0, le=MAX_REVISION, description="The problem's revision the action was taken on"
    )


class AssignIn(RevisionIn):
    department: str = Field(..., min_length=1, max_length=64, pattern=CODE, description="Organisation code")
    deadline_mode: DeadlineMode = DeadlineMode.WORKING_DAYS
    deadline_days: int | None = Field(None, ge=1, le=365, description="Working days (not for 立行立改)")
    co_departments: list[str] = Field(
        default_factory=list, max_length=20, description="Codes of co-responsible departments"
    )
    supervising_group: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=CODE,
        description="Code; the group watching the department by default",
    )
    note: str = Field("", max_length=MAX_TEXT)


class ProgressIn(RevisionIn):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)
    public: bool = Field(True, description="Shown to the reporter")


class SubmitIn(RevisionIn):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)


class VerifyIn(RevisionIn):
    outcome: Literal["fixed", "partly_fixed"] = "fixed"
    text: str = Field("", max_length=MAX_TEXT, description="Required when partly fixed: what remains")


class ReasonIn(RevisionIn):
    reason: str = Field(..., min_length=1, max_length=MAX_TEXT)


class OptionalReasonIn(RevisionIn):
    reason: str = Field("", max_length=MAX_TEXT)


class ReturnVisitIn(RevisionIn):
    score: int = Field(..., ge=1, le=5)
    fixed: bool
    comment: str = Field("", max_length=MAX_TEXT, description="Required when not fixed")
    mode: ReturnVisitMode = Field(
        ReturnVisitMode.ONLINE, description="online: the reporter; phone / on_site: the supervising group"
    )


class CheckWithdrawalIn(RevisionIn):
    agrees: bool
    comment: str = Field("", max_length=MAX_TEXT)
    mode: ReturnVisitMode = ReturnVisitMode.PHONE


class MergeIn(RevisionIn):
    into: uuid.UUID = Field(..., description="The problem this one repeats")
    reason: str = Field("", max_length=MAX_TEXT)


class ReferIn(RevisionIn):
    level: ReferralLevel
    referred_to: str = Field(..., min_length=1, max_length=200)
    reason: str = Field(..., min_length=1, max_length=MAX_TEXT)


class ClassifyIn(RevisionIn):
    category: Category
    subcategory: str = Field("", max_length=32)
    severity: Severity = Severity.MINOR
    institutional: Institutional = Institutional.NONE


class NoteIn(RevisionIn):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)
    public: bool = Field(False, description="Shown to the reporter")


class ReceiptIn(TextIn):
    receipt: str = Field(..., min_length=1, max_length=40, description="The 16-digit receipt code")


class ReceiptVisitIn(TextIn):
    receipt: str = Field(..., min_length=1, max_length=40, description="The 16-digit receipt code")
    fixed: bool = Field(..., description="Is the problem really fixed?")
    score: int = Field(..., ge=1, le=5, description="Satisfaction, 1 (very unsatisfied) to 5")
    comment: str = Field("", max_length=4000, description="Required when not fixed: what is still wrong")


class ReceiptReopenIn(TextIn):
    receipt: str = Field(..., min_length=1, max_length=40, description="The 16-digit receipt code")
    reason: str = Field(..., min_length=1, max_length=4000, description="What is still wrong")


# --- Intake ---------------------------------------------------------------------------------


class ReportIn(TextIn):
    """A report by a logged-in person; see the operation for who may use which channel."""

    channel: Channel
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=MAX_TEXT)
    category: Category
    subcategory: str = Field("", max_length=32)
    severity: Severity = Severity.MINOR
    institutional: Institutional = Institutional.NONE
    location: str = Field("", max_length=200)
    campaign: uuid.UUID | None = None
    topic: str | None = Field(
        None, min_length=1, max_length=200, description="The topic's title (topic campaigns)"
    )
    enterprise: uuid.UUID | None = Field(None, description="The enterprise spoken for (enterprise users)")
    hide_reporter: bool = Field(False, description="Hide my name from the department")
    department: str | None = Field(
        None, min_length=1, max_length=64, pattern=CODE, description="Assign at once (commission, groups)"
    )
    co_departments: list[str] = Field(default_factory=list, max_length=20)
    deadline_mode: DeadlineMode | None = None
    deadline_days: int | None = Field(None, ge=1, le=365)


class PointReportIn(TextIn):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=MAX_TEXT)
    category: Category
    subcategory: str = Field("", max_length=32)
    location: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=100)
    reporter_contact: str = Field("", max_length=50)


class StepIn(TextIn):
    name: str = Field(..., min_length=1, max_length=100)
    minutes: int = Field(..., ge=0, le=60 * 24 * 60)


class FoundIn(TextIn):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=MAX_TEXT)
    category: Category
    subcategory: str = Field("", max_length=32)
    severity: Severity = Severity.MINOR
    institutional: Institutional = Institutional.NONE
    deadline_mode: DeadlineMode = DeadlineMode.WORKING_DAYS
    deadline_days: int | None = Field(None, ge=1, le=365)


class WalkThroughIn(TextIn):
    department: str = Field(..., min_length=1, max_length=64, pattern=CODE)
    process_name: str = Field(..., min_length=1, max_length=200)
    walked_on: dt.date
    steps: list[StepIn] = Field(..., min_length=1, max_length=50)
    notes: str = Field("", max_length=MAX_TEXT)
    campaign: uuid.UUID | None = None
    problems: list[FoundIn] = Field(default_factory=list, max_length=50)


class TopicIn(TextIn):
    title: str = Field(..., min_length=1, max_length=200)
    category: Category


class CampaignIn(TextIn):
    channel: Literal["walk", "inspection", "topic", "visit"]
    title: str = Field(..., min_length=1, max_length=200)
    organisation: str = Field(..., min_length=1, max_length=64, pattern=CODE, description="The commission")
    starts_on: dt.date
    ends_on: dt.date | None = None
    description: str = Field("", max_length=MAX_TEXT)
    topics: list[TopicIn] = Field(default_factory=list, max_length=50)


class PointIn(TextIn):
    name: str = Field(..., min_length=1, max_length=200)
    organisation: str = Field(..., min_length=1, max_length=64, pattern=CODE)
    appointed_on: dt.date
    enterprise: uuid.UUID | None = None
    address: str = Field("", max_length=300)


class ObserverIn(TextIn):
    user: uuid.UUID = Field(..., description="The person's public id")
    organisation: str = Field(..., min_length=1, max_length=64, pattern=CODE)
    appointed_on: dt.date
    affiliation: str = Field("", max_length=200)


class OutcomeIn(TextIn):
    title: str = Field(..., min_length=1, max_length=200)
    organisation: str = Field(..., min_length=1, max_length=64, pattern=CODE, description="The issuing body")
    issued_on: dt.date
    problems: list[uuid.UUID] = Field(..., min_length=1, max_length=200)
    kind: OutcomeKind = OutcomeKind.RULE
    document_number: str = Field("", max_length=100)
    summary: str = Field("", max_length=MAX_TEXT)
    url: str = Field("", max_length=200)
    campaign: uuid.UUID | None = None


# --- Multipart: forms with evidence ---------------------------------------------------------

S = TypeVar("S", bound=Schema)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with its `$defs` references written in place (an OpenAPI request
    body given through openapi_extra cannot point into a model's own `$defs`)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def multipart_body(schema: type[Schema], *, files_required: bool, description: str) -> dict[str, Any]:
    """The OpenAPI request body of a form read by `read_form`: the schema's fields, and
    PDF, PNG or JPEG files under `files` (repeatable)."""
    document = schema.model_json_schema()
    defs = document.pop("$defs", {})
    properties = _inline(document["properties"], defs)
    properties["files"] = {"type": "array", "items": {"type": "string", "format": "binary"}}
    required = [*document.get("required", []), *(["files"] if files_required else [])]
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": properties, "required": required}
                }
            },
        }
    }


def _is_list(schema: type[Schema], name: str) -> bool:
    annotation = schema.model_fields[name].annotation
    return getattr(annotation, "__origin__", None) is list


def read_form(request: HttpRequest, schema: type[S]) -> tuple[S, list[IO[bytes]]]:
    """A multipart form's fields, validated by `schema` (empty fields count as not sent;
    a list field is the field repeated), and its files (any other file field). Bad
    fields are a 422 naming each, as for JSON bodies; the files are the service's to
    check."""
    try:
        post, uploaded = request.POST, request.FILES
    except (MultiPartParserError, RequestDataTooBig, SuspiciousOperation) as exc:
        raise ValidationFailed(_("The upload could not be read; send multipart/form-data.")) from exc
    raw: dict[str, Any] = {}
    for name in schema.model_fields:
        if _is_list(schema, name):
            values = [v.strip() for v in post.getlist(name) if v.strip()]
            if values:
                raw[name] = values
        elif post.get(name, "").strip():
            raw[name] = post.get(name, "").strip()
    errors: dict[str, list[str]] = {}
    files: list[IO[bytes]] = []
    for key in uploaded:
        if key in schema.model_fields:
            errors[key] = [_("This is a text field, not a file.")]
        files.extend(uploaded.getlist(key))
    try:
        data = schema.model_validate(raw)
    except PydanticValidationError as exc:
        raise NinjaValidationError([dict(e) for e in exc.errors(include_url=False)]) from exc
    if errors:
        raise ValidationFailed(fields=errors)
    return data, files
