"""What the contract API accepts: the one error format, pages, filters, the bodies of
the writes (a due rule is a tagged object, `mode` telling which), and the multipart
reading of a claim's evidence.

Records are named by their public ids; a clause by its number within its contract and
a project event by its key within its project (neither leaves the system on its own);
organisations by their codes."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import IO, Annotated, Any, Literal

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from qinqing.common.api import MAX_OFFSET
from qinqing.common.errors import ValidationFailed
from qinqing.deadlines.models import RungName

from ..models import (
    ClaimOutcome,
    ContractKind,
    DueUnit,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    ProjectStatus,
)

MAX_REVISION = 2**31 - 1
# Far beyond any real contract term, near enough that every date stays in the calendar.
MAX_OFFSET_DAYS = 3660
MAX_TEXT = 5000
SLUG = r"^[-a-zA-Z0-9_]+$"


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


class TextIn(Schema):
    """Refuses control characters (a NUL the database would not store, a stray escape)
    in any text field, naming the field, instead of failing at the database."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and any(ch in CONTROL for ch in value):
            raise ValueError("control characters")
        return value


# Control characters other than tab and line breaks, which text may hold.
CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))


class PageQuery(TextIn):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Filters --------------------------------------------------------------------------------


class ProjectQuery(PageQuery):
    status: ProjectStatus | None = None
    q: str = Field("", max_length=100, description="Part of the name, the number or the enterprise's name")
    has_alarm: bool | None = Field(None, description="An obligation with an alarm, answered or not")


AlarmFilter = Literal["open", "answered", "none"]


class ObligationQuery(PageQuery):
    side: ObligorSide | None = None
    status: ObligationStatus | None = None
    kind: ObligationKind | None = None
    overdue: bool | None = Field(None, description="Still owed and past its due date")
    alarm_state: AlarmFilter | None = Field(None, description="open: unanswered; answered: a plan awaits")
    department: str = Field("", max_length=64, description="Code of the obligor department (its subtree)")
    project: uuid.UUID | None = None


class AlarmQuery(PageQuery):
    state: Literal["open", "answered"] | None = None


class ClaimQuery(PageQuery):
    stage: Literal["claimed", "disputed", "all"] = Field(
        "claimed",
        description="claimed: awaiting the other side's confirmation; disputed: awaiting the committee's decision",
    )
    side: ObligorSide | None = Field(None, description="The side that owes the obligation")
    q: str = Field(
        "",
        max_length=100,
        description="Part of the project's number or name, the enterprise's name or the obligation's title",
    )


class MineQuery(PageQuery):
    side: ObligorSide | None = None
    status: ObligationStatus | None = None


# --- Projects, contracts, clauses, events ----------------------------------------------------


class ProjectIn(TextIn):
    enterprise: uuid.UUID
    committee: str = Field(..., min_length=1, max_length=64, description="Code of the management committee")
    reference: str = Field(..., min_length=1, max_length=32, description="Project number")
    name: str = Field(..., min_length=1, max_length=200)
    industry: str = Field(..., min_length=1, max_length=100)
    planned_investment: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2, description="Yuan")
    signed_on: dt.date
    land_parcel: str = Field("", max_length=100)
    land_area_mu: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    location: str = Field("", max_length=200)
    description: str = Field("", max_length=MAX_TEXT)


class ProjectUpdateIn(TextIn):
    """Only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=200)
    industry: str | None = Field(None, min_length=1, max_length=100)
    planned_investment: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    signed_on: dt.date | None = None
    land_parcel: str | None = Field(None, max_length=100)
    land_area_mu: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    location: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=MAX_TEXT)
    status: ProjectStatus | None = None


# Fields that may be cleared by sending null; the others need a value when sent.
NULLABLE_PROJECT_FIELDS = frozenset({"land_area_mu"})


class ContractIn(TextIn):
    kind: ContractKind
    number: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=200)
    government_party: str = Field(..., min_length=1, max_length=64, description="Organisation code")
    signed_on: dt.date
    value: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="Yuan")
    amends: uuid.UUID | None = Field(None, description="The contract of the project this one amends")


class RungIn(TextIn):
    name: RungName
    offset: int = Field(..., ge=-MAX_OFFSET_DAYS, le=MAX_OFFSET_DAYS, description="From the due date")
    unit: Literal["calendar", "working"] = "working"


class ClauseIn(TextIn):
    number: str = Field(..., min_length=1, max_length=32)
    text: str = Field(..., min_length=1, max_length=10000)
    title: str = Field("", max_length=200)
    ladder: list[RungIn] | None = Field(
        None, min_length=1, max_length=8, description="Replaces the kinds' ladders for this clause"
    )


class EventIn(TextIn):
    key: str = Field(..., min_length=1, max_length=64, pattern=SLUG)
    occurred_on: dt.date
    label: str = Field("", max_length=200)
    note: str = Field("", max_length=500)
    reason: str = Field(
        "",
        max_length=500,
        description="Why the date is corrected: required (error code reason_required) when the "
        "correction moves the contract's due date of an obligation already missed",
    )


class EventDeclareIn(TextIn):
    key: str = Field(..., min_length=1, max_length=64, pattern=SLUG)
    label: str = Field("", max_length=200)


# --- Obligations ----------------------------------------------------------------------------


class AbsoluteRuleIn(TextIn):
    mode: Literal["absolute"]
    date: dt.date


class RelativeRuleIn(TextIn):
    """Counted from another obligation of the project being met, or from one of its
    events (by key); exactly one of the two."""

    mode: Literal["relative"]
    anchor_obligation: uuid.UUID | None = None
    anchor_event: str | None = Field(None, min_length=1, max_length=64, pattern=SLUG)
    offset: int = Field(..., ge=0, le=MAX_OFFSET_DAYS)
    unit: DueUnit = DueUnit.CALENDAR


DueRuleIn = Annotated[AbsoluteRuleIn | RelativeRuleIn, Field(discriminator="mode")]


class ObligationIn(TextIn):
    clause: str = Field(..., min_length=1, max_length=32, description="The clause's number in the contract")
    obligor_side: ObligorSide
    kind: ObligationKind
    title: str = Field(..., min_length=1, max_length=200)
    due_rule: DueRuleIn
    obligor_department: str | None = Field(
        None, min_length=1, max_length=64, description="Organisation code; the government's side only"
    )
    target_value: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    target_unit: str = Field("", max_length=20)
    description: str = Field("", max_length=MAX_TEXT)


class RevisionIn(TextIn):
    revision: int = Field(
        ..., ge=0, le=MAX_REVISION, description="The obligation's revision the action was taken on"
    )


class RuleChangeIn(RevisionIn):
    due_rule: DueRuleIn
    reason: str = Field(..., min_length=1, max_length=500)


class ClaimConfirmIn(RevisionIn):
    reason: str = Field(
        "",
        max_length=500,
        description="Required (error code reason_required) when confirming moves the contract's "
        "due date of an obligation already missed that counts from this one",
    )


class ReasonIn(RevisionIn):
    reason: str = Field(..., min_length=1, max_length=2000)


class ClaimDecideIn(RevisionIn):
    outcome: ClaimOutcome
    reason: str = Field(..., min_length=1, max_length=2000)


class PlanIn(RevisionIn):
    cause: str = Field(..., min_length=1, max_length=2000)
    remedy: str = Field(..., min_length=1, max_length=2000)
    proposed_date: dt.date


class PlanDecideIn(RevisionIn):
    accept: bool
    reason: str = Field("", max_length=2000, description="Required when rejecting")


# --- Multipart: a claim with its evidence ---------------------------------------------------

MAX_FILES = 20
MAX_NOTE = 2000
CLAIM_FIELDS = ("met_on", "achieved_value", "note", "revision")

CLAIM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The claim's fields and its evidence: one or more PDF, PNG or JPEG files "
        "under `files` (repeatable).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "met_on": {"type": "string", "format": "date"},
                        "achieved_value": {
                            "type": "string",
                            "description": "Decimal, when the obligation has a target",
                        },
                        "note": {"type": "string", "maxLength": MAX_NOTE},
                        "revision": {"type": "integer", "minimum": 0},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["met_on", "revision", "files"],
                }
            }
        },
    }
}


def read_claim(request: HttpRequest) -> tuple[dict[str, Any], list[IO[bytes]]]:
    """The claim's fields, parsed, and its files; a 400 naming each field that is wrong."""
    try:
        post, uploaded = request.POST, request.FILES
    except (MultiPartParserError, RequestDataTooBig, SuspiciousOperation) as exc:
        raise ValidationFailed(_("The upload could not be read; send multipart/form-data.")) from exc
    errors: dict[str, list[str]] = {}
    fields = _claim_fields({name: post.get(name, "").strip() for name in CLAIM_FIELDS}, errors)
    files: list[IO[bytes]] = []
    for key in uploaded:
        if key in CLAIM_FIELDS:
            errors[key] = [_("This is a text field, not a file.")]
        files.extend(uploaded.getlist(key))
    if not files:
        errors["files"] = [_("At least one document is needed as evidence.")]
    elif len(files) > MAX_FILES:
        errors["files"] = [_("At most %(n)d files at once.") % {"n": MAX_FILES}]
    if errors:
        raise ValidationFailed(fields=errors)
    return fields, files


def _claim_fields(raw: dict[str, str], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {"note": raw["note"], "achieved_value": None}
    if len(raw["note"]) > MAX_NOTE:
        errors["note"] = [_("This value is too long.")]
    elif any(ch in CONTROL for ch in raw["note"]):
        errors["note"] = [_("This value is not valid.")]
    try:
        out["met_on"] = dt.date.fromisoformat(raw["met_on"])
    except ValueError:
        errors["met_on"] = [
            _("A date as YYYY-MM-DD is needed.") if raw["met_on"] else _("This field is required.")
        ]
    if raw["achieved_value"]:
        out["achieved_value"] = parse_decimal(raw["achieved_value"])
        if out["achieved_value"] is None:
            errors["achieved_value"] = [_("A non-negative amount with at most two decimals is needed.")]
    # ASCII digits only: str.isdigit() would take "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,10}", raw["revision"]) and int(raw["revision"]) <= MAX_REVISION:
        out["revision"] = int(raw["revision"])
    else:
        errors["revision"] = [_("The obligation's revision (a whole number) is needed.")]
    return out


def parse_decimal(raw: str) -> Decimal | None:
    """A non-negative amount of at most 16 digits before and 2 after the point, or None."""
    from decimal import InvalidOperation

    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0:
        return None
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent < -2 or len(digits) + exponent > 16:  # noqa: PLR2004 - the model's decimal places
        return None
    return value
