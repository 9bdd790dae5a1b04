"""Schemas shared by the policy API's audiences: the one error format, pages, the
per-condition explanation of a decision, and the multipart reading of uploads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any, Literal

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from qinqing.common.api import MAX_OFFSET
from qinqing.common.errors import ValidationFailed

from ..summaries import condition_lines


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    extra: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int | str, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ClauseOut(Schema):
    document: str = ""
    text: str = ""
    url: str = ""


class ConditionOut(Schema):
    """One line of the explanation, in the rule's order; `depth` nests it under the
    group (all / any / not) above it."""

    depth: int
    kind: Literal["all", "any", "not", "condition"]
    text: str = Field(..., description="The condition in words")
    held: bool
    subject_kind: Literal["attr", "label", "fact"] | None = None
    subject: str | None = None
    op: str | None = None
    expected: Any = None
    actual: Any = None
    clause: ClauseOut | None = None


class ExplanationOut(Schema):
    eligible: bool
    on: dt.date | None = None
    version: int | None = None
    award: Decimal = Field(..., description="Yuan, a decimal string")
    award_trace: dict[str, Any] = {}
    conditions: list[ConditionOut]


def _flatten(node: Any, depth: int, out: list[dict[str, Any]]) -> None:
    if not isinstance(node, dict):
        return
    for group in ("all", "any"):
        if group in node:
            out.append({"depth": depth, "kind": group, "held": bool(node.get("held"))})
            for member in node.get(group) or []:
                _flatten(member, depth + 1, out)
            return
    if "not" in node:
        out.append({"depth": depth, "kind": "not", "held": bool(node.get("held"))})
        _flatten(node["not"], depth + 1, out)
        return
    subject_kind = next((k for k in ("attr", "label", "fact") if k in node), None)
    clause = node.get("clause")
    out.append(
        {
            "depth": depth,
            "kind": "condition",
            "held": bool(node.get("held")),
            "subject_kind": subject_kind,
            "subject": str(node[subject_kind]) if subject_kind else None,
            "op": node.get("op"),
            "expected": node.get("expected"),
            "actual": node.get("actual"),
            "clause": clause if isinstance(clause, dict) else None,
        }
    )


def explanation_out(explanation: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    """The stored explanation (qinqing.policies.rules.evaluate) as a flat list of lines,
    each with its sentence from the rule it was judged by."""
    lines: list[dict[str, Any]] = []
    _flatten(explanation.get("conditions"), 0, lines)
    texts = condition_lines(rule)
    for i, line in enumerate(lines):
        line["text"] = texts[i][1] if len(texts) == len(lines) else ""
    award = explanation.get("award") or {}
    return {
        "eligible": bool(explanation.get("eligible")),
        "on": explanation.get("on"),
        "version": explanation.get("version"),
        "award": Decimal(str(award.get("amount", "0"))),
        "award_trace": award.get("trace") or {},
        "conditions": lines,
    }


def unknown_facts_outcome(node: Any) -> bool | None:  # noqa: PLR0911 - three-valued logic, case by case
    """The conditions' outcome when every condition on an application fact is unknown:
    True held anyway, False fails whatever the facts, None depends on the facts."""
    if not isinstance(node, dict):
        return False
    if "all" in node or "any" in node:
        results = [unknown_facts_outcome(m) for m in node.get("all") or node.get("any") or []]
        if "all" in node:
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if "not" in node:
        inner = unknown_facts_outcome(node["not"])
        return None if inner is None else not inner
    if "fact" in node:
        return None
    return bool(node.get("held"))


# --- Multipart ------------------------------------------------------------------------------

MAX_FILES = 20


def multipart_body(description: str, fields: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    """The OpenAPI request body of an upload: named text fields, and one file field
    (repeatable) per material key of the policy."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": fields,
                        "required": list(required),
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        }
    }


def read_multipart(
    request: HttpRequest, text_fields: Sequence[str]
) -> tuple[dict[str, str], dict[str, list[IO[bytes]]]]:
    """The text fields and the files of a multipart request, or a 400 naming what is wrong."""
    try:
        post, uploaded = request.POST, request.FILES
    except (MultiPartParserError, RequestDataTooBig, SuspiciousOperation) as exc:
        raise ValidationFailed(_("The upload could not be read; send multipart/form-data.")) from exc
    texts = {name: post.get(name, "") for name in text_fields}
    files: dict[str, list[IO[bytes]]] = {}
    count = 0
    for key in uploaded:
        items = uploaded.getlist(key)
        count += len(items)
        if key in text_fields:
            raise ValidationFailed(fields={key: [_("This is a text field, not a file.")]})
        files[key] = list(items)
    if count > MAX_FILES:
        raise ValidationFailed(fields={"materials": [_("At most %(n)d files at once.") % {"n": MAX_FILES}]})
    return texts, files


def parse_facts_field(raw: str) -> dict[str, Any]:
    """The `facts` field of an application: a JSON object (empty when absent)."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed(fields={"facts": [_("The facts are not valid JSON.")]}) from exc
    if not isinstance(value, dict):
        raise ValidationFailed(fields={"facts": [_("The facts are a JSON object of name and value.")]})
    return value
