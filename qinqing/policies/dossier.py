"""The case dossier (案卷): one policy case as the printable record a city files and an
auditor reads, the OpenFisca users' "exportable trace" — what the case was judged by
(the rule version and its legal basis, clause by clause), the decision trace (each
condition with the enterprise's value, the expected value, held or not; the award and
the cap), the materials (names, sizes, hashes; never the files), and the timeline
(steps, pauses, objections, the public notice, the payment).

One dossier per audience, each holding no more than that audience's case page shows:

- `ENTERPRISE`: its own page's view — no official's name, no internal comment, no
  payment instruction or account, no public objection's grounds or contact;
- `OFFICIALS`: the officials' page — who acted, comments, the payment instruction;
- `COMMISSION`: the officials' dossier and the case's audit events with their sequence
  numbers and hashes, as the supervision case page lists them, so the paper can be
  checked against the chain. The caller (supervision) reads the events and passes
  them as an `AuditTrail`: the policies app does not reach into supervision.

`case_dossier` reads a case the caller has already fetched through the audience's own
access function, in a fixed number of queries whatever the number of steps;
`dossier_pdf` lays it out (`policies/dossier.html` on `common/report_base.html`).
Times are shown in Beijing time whatever the active time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from qinqing.accounts.models import Role
from qinqing.enterprises.labels import display_name as label_display_name
from qinqing.enterprises.models import EnterpriseStatus
from qinqing.payments.models import PaymentInstruction

from .models import (
    Case,
    CaseMaterial,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Objection,
    ObjectionKind,
    PeriodKind,
    StepKind,
)
from .services.cases import payment_key
from .steps import step_label
from .summaries import award_kind_label, award_lines, given_facts, yuan
from .views.explain import explanation_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATE = "policies/dossier.html"
PDF_CONTENT_TYPE = "application/pdf"
_MONEY_ATTRS = frozenset({"revenue", "tax_paid", "registered_capital"})
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


class Audience(StrEnum):
    ENTERPRISE = "enterprise"
    OFFICIALS = "officials"
    COMMISSION = "commission"


@dataclass(frozen=True)
class Clause:
    document: str
    text: str = ""
    url: str = ""


@dataclass(frozen=True)
class Condition:
    """One row of the decision trace, in the rule's order (the case pages' rows)."""

    depth: int
    text: str
    group: bool
    held: bool
    pending: bool
    actual: str
    expected: str
    clause: Clause | None


@dataclass(frozen=True)
class Pause:
    """Returned for materials: the step's clock stood still from asking to answering."""

    asked_at: dt.datetime
    request: str
    answered_at: dt.datetime | None
    answer: str
    asked_by: str = ""


@dataclass(frozen=True)
class Step:
    label: str
    attempt: int
    role: str
    kind: str
    limit_days: int
    started_at: dt.datetime
    due_date: dt.date
    ended_at: dt.datetime | None
    outcome: str
    # Ended (or, while open, today) after its due date, by China's calendar date.
    late: bool
    pauses: list[Pause]
    actor: str = ""
    assignee: str = ""
    comment: str = ""
    notice_until: dt.date | None = None


@dataclass(frozen=True)
class ObjectionEntry:
    kind: str
    lodged_at: dt.datetime
    status: str
    text: str
    decide_by: dt.date | None
    handled_at: dt.datetime | None
    reply: str
    lodged_by: str = ""
    contact: str = ""
    handled_by: str = ""


@dataclass(frozen=True)
class Payment:
    amount: str
    status: str
    paid_at: dt.datetime | None
    key: str = ""
    instructed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    attempts: int = 0
    failure: str = ""
    payee: str = ""


@dataclass(frozen=True)
class Material:
    name: str
    file_name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    seq: int | None
    at: dt.datetime
    subject: str
    action: str
    actor: str
    organisation: str
    hash: str


@dataclass(frozen=True)
class AuditTrail:
    """The case's audit events in chain order, as the supervision case page shows them,
    with the result of checking their stretch of the chain (`check`, in words)."""

    entries: list[AuditEntry]
    pending: int
    check: str
    intact: bool | None


@dataclass(frozen=True)
class Dossier:
    audience: Audience
    reference: str
    public_id: str
    policy_title: str
    policy_code: str
    department: str
    enterprise_name: str
    credit_code: str
    period: str
    origin: str
    status: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    version_number: int
    version_published_at: dt.datetime | None
    basis_number: str
    basis_title: str
    basis_url: str
    # The clauses the conditions rest on, in the rule's order: (condition, clause).
    clauses: list[tuple[str, Clause]]
    judged_on: str
    eligible: bool
    conditions: list[Condition]
    award_kind: str
    award_lines: list[str]
    award_trace: list[str]
    award_computed: str
    cap: str
    capped: bool
    award: str
    reason: str
    facts: list[tuple[str, str]]
    materials: list[Material]
    steps: list[Step]
    objections: list[ObjectionEntry]
    payments: list[Payment]
    reserved: str = ""
    applicant: str = ""
    audit: AuditTrail | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def officials(self) -> bool:
        """Officials' and the commission's copies name people and hold internal notes."""
        return self.audience != Audience.ENTERPRISE

    @property
    def title(self) -> str:
        return _("Case dossier %(reference)s") % {"reference": self.reference}

    @property
    def copy_label(self) -> str:
        return {
            Audience.ENTERPRISE: _("The enterprise's copy"),
            Audience.OFFICIALS: _("The issuing department's copy"),
            Audience.COMMISSION: _("The supervisors' copy, with the audit trail"),
        }[self.audience]

    @property
    def filename(self) -> str:
        return f"case-{_UNSAFE_FILENAME.sub('_', self.reference)}.pdf"


# --- Reading the case ----------------------------------------------------------------------------


def _dossier_case(case: Case, audience: Audience) -> Case:
    """The case with everything a dossier shows, in one query per relation."""
    officials = audience != Audience.ENTERPRISE
    people = ("actor", "assignee") if officials else ()
    return (
        Case.objects.select_related(
            "policy__department",
            "enterprise",
            "organisation",
            "version",
            *(("applicant",) if officials else ()),
        )
        .prefetch_related(
            Prefetch(
                "steps", queryset=CaseStep.objects.select_related(*people).order_by("position", "attempt")
            ),
            Prefetch(
                "returns",
                queryset=CaseReturn.objects.select_related(
                    *(("requested_by",) if officials else ())
                ).order_by("requested_at", "pk"),
            ),
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related(
                    *(("lodged_by", "handled_by") if officials else ())
                ).order_by("lodged_at", "pk"),
            ),
            Prefetch("materials", queryset=CaseMaterial.objects.order_by("uploaded_at", "pk")),
        )
        .get(pk=case.pk)
    )


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


def _local_date(moment: dt.datetime) -> dt.date:
    # China's date, not UTC's: 00:30 in Beijing is still the day before in UTC.
    return moment.astimezone(SHANGHAI).date()


def _expected_text(node: dict[str, Any]) -> str:
    """The value a condition asks for, in the reader's language ("" for a group)."""
    op = node.get("op")
    if op == "exists":
        return _("recorded")
    if op in ("age_ge", "age_lt") and node.get("founded_by"):
        template = _("founded on or before %(day)s") if op == "age_ge" else _("founded after %(day)s")
        return template % {"day": node["founded_by"]}
    if "expected" not in node:
        return ""
    attr = node.get("attr")

    def one(value: Any) -> str:
        if attr == "status" and value in EnterpriseStatus.values:
            return str(EnterpriseStatus(value).label)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if attr in _MONEY_ATTRS:
            try:
                Decimal(str(value))
            except InvalidOperation:
                return str(value)
            return yuan(value)
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    expected = node["expected"]
    if isinstance(expected, list):
        return (" – " if op == "between" else "、").join(one(v) for v in expected)
    return one(expected)


def _nodes(node: Any) -> list[dict[str, Any]]:
    """The explanation's nodes in the order `explanation_rows` reads them."""
    if not isinstance(node, dict):
        return []
    out = [node]
    for kind in ("all", "any"):
        for member in node.get(kind) or []:
            out.extend(_nodes(member))
    if "not" in node:
        out.extend(_nodes(node["not"]))
    return out


def _clause(raw: Any) -> Clause | None:
    if not isinstance(raw, dict) or not raw.get("document"):
        return None
    return Clause(
        document=str(raw["document"]), text=str(raw.get("text") or ""), url=str(raw.get("url") or "")
    )


def _conditions(case: Case) -> list[Condition]:
    explanation = case.explanation or {}
    rows = explanation_rows(case.version.rule, explanation)
    nodes = _nodes(explanation.get("conditions"))
    return [
        Condition(
            depth=row["depth"],
            text=row["text"],
            group=row["group"],
            held=row["held"],
            pending=row["pending"],
            actual=row["actual"],
            expected="" if row["group"] or i >= len(nodes) else _expected_text(nodes[i]),
            clause=_clause(row["clause"]),
        )
        for i, row in enumerate(rows)
    ]


def _award_trace(trace: dict[str, Any]) -> list[str]:
    """How the rule's amount came about, from the trace stored with the decision."""
    lines = []
    kind = trace.get("kind")
    if kind == "tiered" and trace.get("tier") is not None:
        basis = label_display_name(str(trace["label"])) if trace.get("label") else trace.get("attr", "")
        lines.append(
            _("Tier applied: %(tier)s (%(basis)s: %(value)s)")
            % {"tier": trace["tier"], "basis": basis, "value": trace.get("value")}
        )
    elif kind == "rate":
        lines.append(
            _("%(rate)s × %(value)s = %(raw)s")
            % {"rate": trace.get("rate"), "value": trace.get("value"), "raw": trace.get("raw")}
        )
    elif kind == "per_employee":
        lines.append(
            _("%(amount)s per insured employee × %(count)s")
            % {"amount": yuan(trace.get("per_employee")), "count": trace.get("insured_employees")}
        )
    if trace.get("cap") is not None:
        lines.append(
            (_("Capped by the rule at %(cap)s") if trace.get("capped") else _("The rule's own cap: %(cap)s"))
            % {"cap": yuan(trace["cap"])}
        )
    return lines


def _cap(case: Case) -> Decimal | None:
    """The per-enterprise cap the case was judged under (its version's terms; the policy's
    own field for versions made before terms were kept)."""
    terms = case.version.terms or {}
    raw = terms.get("cap_per_enterprise", case.policy.cap_per_enterprise)
    if raw in (None, ""):
        return None
    return Decimal(str(raw))


def _basis(case: Case) -> tuple[str, str, str]:
    terms = case.version.terms or {}
    policy = case.policy
    return (
        str(terms.get("basis_number") or policy.basis_number),
        str(terms.get("basis_title") or policy.basis_title),
        str(terms.get("basis_url") or policy.basis_url or ""),
    )


def _role(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _steps(case: Case, officials: bool, today: dt.date) -> list[Step]:
    returns: dict[int, list[Pause]] = {}
    for r in case.returns.all():
        returns.setdefault(r.step_id, []).append(
            Pause(
                asked_at=r.requested_at,
                request=r.request,
                answered_at=r.answered_at,
                answer=r.answer,
                asked_by=_name(r.requested_by) if officials else "",
            )
        )
    steps = []
    for s in case.steps.all():
        ended_on = _local_date(s.ended_at) if s.ended_at else today
        steps.append(
            Step(
                label=step_label(s),
                attempt=s.attempt,
                role=_role(s.role),
                kind=s.kind,
                limit_days=s.limit_days,
                started_at=s.started_at,
                due_date=s.due_date,
                ended_at=s.ended_at,
                outcome=str(s.get_outcome_display()) if s.outcome else "",
                # A notice ends by itself once its period has run: never late.
                late=s.kind != StepKind.NOTICE and ended_on > s.due_date,
                pauses=returns.get(s.pk, []),
                actor=_name(s.actor) if officials else "",
                assignee=_name(s.assignee) if officials and s.ended_at is None else "",
                comment=s.comment if officials else "",
                notice_until=case.notice_until if s.kind == StepKind.NOTICE else None,
            )
        )
    return steps


def _objections(case: Case, officials: bool) -> list[ObjectionEntry]:
    out = []
    for o in case.objections.all():
        # The enterprise's page shows the grounds of its own objection only: a public
        # objection's grounds may name whoever lodged it.
        shown = officials or o.kind == ObjectionKind.APPEAL
        out.append(
            ObjectionEntry(
                kind=str(o.get_kind_display()),
                lodged_at=o.lodged_at,
                status=str(o.get_status_display()),
                text=o.text if shown else "",
                decide_by=o.due_date,
                handled_at=o.handled_at,
                reply=o.reply,
                lodged_by=_name(o.lodged_by) if officials else "",
                contact=o.contact if officials else "",
                handled_by=_name(o.handled_by) if officials else "",
            )
        )
    return out


def _masked(account: str) -> str:
    return f"···{account[-4:]}" if account else ""


def _payments(case: Case, officials: bool) -> list[Payment]:
    if not officials:
        # The enterprise's page says what was paid and when, not the instruction.
        if case.status != CaseStatus.PAID:
            return []
        return [Payment(amount=yuan(case.award), status=str(case.get_status_display()), paid_at=case.paid_at)]
    return [
        Payment(
            amount=yuan(i.amount),
            status=str(i.get_status_display()),
            paid_at=i.settled_at,
            key=i.key,
            instructed_at=i.created_at,
            sent_at=i.sent_at,
            attempts=i.attempts,
            failure=i.failure_reason,
            payee=" ".join(p for p in (i.payee_name, i.payee_bank, _masked(i.payee_account)) if p),
        )
        for i in PaymentInstruction.objects.filter(key=payment_key(case))
    ]


def _period(case: Case) -> str:
    if case.period == "once":
        return str(PeriodKind.ONCE.label)
    return case.period


def case_dossier(
    case: Case,
    audience: Audience,
    *,
    audit: AuditTrail | None = None,
    today: dt.date | None = None,
) -> Dossier:
    """The dossier of `case` (already read through the audience's access function) in
    the active language. The commission's copy needs its `audit`."""
    if audience == Audience.COMMISSION and audit is None:
        raise ValueError("The commission's dossier holds the audit trail: pass `audit`.")
    officials = audience != Audience.ENTERPRISE
    case = _dossier_case(case, audience)
    today = today or timezone.localdate(timezone=SHANGHAI)
    explanation = case.explanation or {}
    award = explanation.get("award") or {}
    cap = _cap(case)
    conditions = _conditions(case)
    basis_number, basis_title, basis_url = _basis(case)
    names = {str(m.get("key")): str(m.get("name")) for m in case.policy.materials if isinstance(m, dict)}
    return Dossier(
        audience=audience,
        reference=case.reference or str(case.public_id),
        public_id=str(case.public_id),
        policy_title=case.policy.title,
        policy_code=case.policy.code,
        department=case.organisation.name,
        enterprise_name=case.enterprise.name,
        credit_code=case.enterprise.credit_code,
        period=_period(case),
        origin=str(case.get_origin_display()),
        status=str(case.get_status_display()),
        submitted_at=case.submitted_at,
        decided_at=case.decided_at,
        version_number=case.version.number,
        version_published_at=case.version.published_at,
        basis_number=basis_number,
        basis_title=basis_title,
        basis_url=basis_url,
        clauses=[(c.text, c.clause) for c in conditions if c.clause is not None],
        judged_on=str(explanation.get("on") or ""),
        eligible=bool(explanation.get("eligible")),
        conditions=conditions,
        award_kind=award_kind_label(case.version.rule),
        award_lines=award_lines(case.version.rule),
        award_trace=_award_trace(award.get("trace") or {}),
        award_computed=yuan(case.award_computed),
        cap=yuan(cap) if cap is not None else "",
        capped=case.award < case.award_computed,
        award=yuan(case.award),
        # The enterprise's page gives the reason once the case is decided.
        reason=case.reason if officials or case.status != CaseStatus.IN_REVIEW else "",
        # By the labels the rule gives them, their values as the pages show them.
        facts=[(label, value) for _name, label, value in given_facts(case.version.rule, case.facts)],
        materials=[
            Material(
                name=names.get(m.key, m.key),
                file_name=m.original_name,
                size=m.size,
                sha256=m.sha256,
                uploaded_at=m.uploaded_at,
            )
            for m in case.materials.all()
        ],
        steps=_steps(case, officials, today),
        objections=_objections(case, officials),
        payments=_payments(case, officials),
        reserved=yuan(case.reserved) if officials else "",
        applicant=_name(case.applicant) if officials else "",
        audit=audit if audience == Audience.COMMISSION else None,
        notes=[]
        if officials
        else [_("Prepared for the enterprise: officials' names and internal notes are left out.")],
    )


# --- The file ------------------------------------------------------------------------------------


def dossier_language(language: str | None) -> str:
    """One of the project's languages for `language` (the request's): English or the
    default, Simplified Chinese."""
    return "en" if (language or "").lower().startswith("en") else "zh-hans"


def dossier_pdf(dossier: Dossier, *, created_at: dt.datetime, language: str) -> bytes:
    """The dossier as a PDF in `language`. `created_at` is the generation time printed on
    the cover and in every page's footer: the same dossier, time and language give the
    same bytes. Build the dossier in the same language (`render_dossier` does both)."""
    # WeasyPrint loads Pango and HarfBuzz on import: only a request for a PDF pays for it.
    from qinqing.common.pdf import css_string, render_pdf

    if timezone.is_naive(created_at):
        raise ValueError("created_at must be time zone aware")
    local = created_at.astimezone(SHANGHAI)
    with translation.override(language), timezone.override(SHANGHAI):
        footer = _("%(reference)s · generated at %(time)s") % {
            "reference": dossier.reference,
            "time": local.strftime("%Y-%m-%d %H:%M"),
        }
        return render_pdf(
            TEMPLATE,
            {
                "dossier": dossier,
                # Escaped as a CSS string (css_string), so safe inside <style>.
                "footer_css": mark_safe(css_string(footer)),  # noqa: S308
            },
            title=dossier.title,
            created_at=created_at,
            language=language,
        )


def render_dossier(
    case: Case,
    audience: Audience,
    *,
    created_at: dt.datetime,
    language: str,
    audit: AuditTrail | None = None,
) -> tuple[Dossier, bytes]:
    """Build the dossier in `language` and lay it out."""
    with translation.override(language):
        dossier = case_dossier(case, audience, audit=audit, today=_local_date(created_at))
    return dossier, dossier_pdf(dossier, created_at=created_at, language=language)


def dossier_response(case: Case, audience: Audience, *, audit: AuditTrail | None = None) -> HttpResponse:
    """The dossier of `case` (read through the audience's access function) for `audience`,
    generated now in the request's language, as a download (the pages and the API)."""
    dossier, pdf = render_dossier(
        case,
        audience,
        created_at=timezone.now().replace(microsecond=0),
        language=dossier_language(translation.get_language()),
        audit=audit,
    )
    return pdf_attachment(pdf, dossier.filename)


# The API's description of a dossier download (each audience's endpoint).
OPENAPI_PDF: dict[str, Any] = {
    "responses": {
        "200": {
            "description": (
                "The case dossier as a PDF, an attachment named `case-<reference>.pdf`, in the "
                "request's language (Accept-Language: zh-hans or en); never cached."
            ),
            "content": {PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="case-<reference>.pdf"',
                    "schema": {"type": "string"},
                },
                "Cache-Control": {"description": "no-store, private", "schema": {"type": "string"}},
            },
        }
    }
}


def pdf_attachment(content: bytes, filename: str) -> HttpResponse:
    """A dossier as a download: an attachment, never sniffed into something else, never
    kept by any cache (it holds personal and financial data)."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response
