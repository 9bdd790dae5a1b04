"""Records found by the references people quote: a case number (ZC…), a problem's
number (TZ…) or its 16-digit receipt, a project number, a contract number, a policy's
code, an enterprise's unified social credit code, a user name. What the supervisor's
timeline search turns into the record's events, always within the reader's reach.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse

from qinqing.accounts.models import Organisation, User
from qinqing.accounts.scoping import scope_records
from qinqing.contracts.models import Clause, Contract, Obligation, Project
from qinqing.contracts.selectors import projects_visible
from qinqing.deadlines.models import Deadline
from qinqing.enterprises.models import Enterprise
from qinqing.ledger.models import Problem
from qinqing.ledger.selectors import problems_for
from qinqing.ledger.services.intake import receipt_hash
from qinqing.policies.models import Case, Policy

from .policy_cases import is_case_reader
from .readable import record_type_name

# A reference is short; anything longer is not one (and is not looked up).
MAX_REFERENCE = 64
RECEIPT_DIGITS = 16
# Several records may share a contract number (one per project): at most this many.
MAX_FOUND = 20


@dataclass(frozen=True)
class Found:
    """A record answering to a reference: what it is, how it is named, where its
    events are (a policy case's supervision page, or the record's timeline)."""

    kind: str
    label: str
    object_type: str
    object_id: str
    case_url: str = ""

    @property
    def url(self) -> str:
        if self.case_url:
            return self.case_url
        return reverse("supervision:timeline") + "?" + _query(self.object_type, self.object_id)


def _query(object_type: str, object_id: str) -> str:
    return urlencode({"type": object_type, "id": object_id})


def _found(obj: models.Model, label: str, **extra: Any) -> Found:
    return Found(
        kind=record_type_name(obj._meta.label_lower),
        label=label,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        **extra,
    )


def find_records(user: Any, text: str) -> list[Found]:
    """The records in the user's reach that `text` names, each once."""
    ref = (text or "").strip()
    if not ref or len(ref) > MAX_REFERENCE:
        return []
    found: list[Found] = []
    if is_case_reader(user):
        cases = scope_records(
            user, Case.objects.all(), organisation_field="organisation", enterprise_field=None
        ).filter(reference__iexact=ref)
        found += [
            _found(
                c,
                f"{c.reference} · {c.enterprise.name} · {c.policy.title}",
                case_url=reverse("supervision:policy_case", args=[c.public_id]),
            )
            for c in cases.select_related("enterprise", "policy")[:MAX_FOUND]
        ]
    problems = problems_for(user)
    digits = "".join(ch for ch in ref if ch.isdigit())
    by_receipt = (
        models.Q(receipt_hash=receipt_hash(digits))
        if len(digits) == RECEIPT_DIGITS and not ref.upper().startswith("TZ")
        else models.Q(pk__in=[])
    )
    found += [
        _found(p, f"{p.reference} · {p.title}")
        for p in problems.filter(models.Q(reference__iexact=ref) | by_receipt)[:MAX_FOUND]
    ]
    projects = projects_visible(user)
    found += [_found(p, str(p)) for p in projects.filter(reference__iexact=ref)[:MAX_FOUND]]
    found += [
        _found(c, f"{c.number} · {c.title} · {c.project.reference}")
        for c in Contract.objects.filter(project__in=projects.values("pk"), number__iexact=ref)
        .select_related("project")
        .order_by("project__reference")[:MAX_FOUND]
    ]
    found += [_found(p, f"{p.code} · {p.title}") for p in Policy.objects.filter(code__iexact=ref)[:MAX_FOUND]]
    found += [
        _found(e, f"{e.credit_code} · {e.name}")
        for e in Enterprise.objects.filter(credit_code__iexact=ref)[:MAX_FOUND]
    ]
    found += [_found(u, str(u)) for u in User.objects.filter(username__iexact=ref)[:MAX_FOUND]]
    return found


@dataclass(frozen=True)
class Subject:
    """A record as a list of events names it: its type, the reference people quote
    (else its name, else its id) and the supervisor's page for it."""

    kind: str
    label: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind} {self.label}"


def _case_label(case: Case) -> str:
    return case.reference or ""


def _obligation_label(obligation: Obligation) -> str:
    return f"{obligation.clause.contract.number} · {obligation.title}"


# Per record type: the model, what to read of it (select_related, only) and its label.
_SUBJECTS: dict[str, tuple[type[models.Model], tuple[str, ...], tuple[str, ...], Callable[[Any], str]]] = {
    Case._meta.label_lower: (Case, (), ("id", "reference", "public_id"), _case_label),
    Problem._meta.label_lower: (Problem, (), ("id", "reference"), lambda p: p.reference or ""),
    Project._meta.label_lower: (Project, (), ("id", "reference"), lambda p: p.reference),
    Contract._meta.label_lower: (Contract, (), ("id", "number"), lambda c: c.number),
    Clause._meta.label_lower: (
        Clause,
        ("contract",),
        ("id", "number", "contract__number"),
        lambda c: f"{c.contract.number} {c.number}",
    ),
    Obligation._meta.label_lower: (
        Obligation,
        ("clause__contract",),
        ("id", "title", "clause__contract__number"),
        _obligation_label,
    ),
    Policy._meta.label_lower: (Policy, (), ("id", "code"), lambda p: p.code),
    Enterprise._meta.label_lower: (Enterprise, (), ("id", "name"), lambda e: e.name),
    Organisation._meta.label_lower: (Organisation, (), ("id", "name"), lambda o: o.name),
    User._meta.label_lower: (User, (), ("id", "username"), lambda u: u.username),
    Deadline._meta.label_lower: (Deadline, (), ("id", "title"), lambda d: d.title),
}


def record_subjects(user: Any, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    """The records named by (object type, object id) pairs as `Subject`s: one query
    per type of record among them, whatever their number. A policy case links to its
    supervision page for a reader of cases, every other record to its timeline."""
    wanted: dict[str, set[int]] = defaultdict(set)
    keys = list(dict.fromkeys(keys))
    for object_type, object_id in keys:
        if object_type in _SUBJECTS and object_id.isdigit():
            wanted[object_type].add(int(object_id))
    found: dict[tuple[str, str], tuple[str, str]] = {}
    case_pages = is_case_reader(user) if user is not None else False
    for object_type, ids in wanted.items():
        model, related, fields, label_of = _SUBJECTS[object_type]
        rows = model._default_manager.filter(pk__in=sorted(ids)).only(*fields).order_by()
        if related:
            # select_related() without names would follow every foreign key.
            rows = rows.select_related(*related)
        for obj in rows:
            url = ""
            if case_pages and isinstance(obj, Case):
                url = reverse("supervision:policy_case", args=[obj.public_id])
            found[(object_type, str(obj.pk))] = (label_of(obj), url)
    out = {}
    for object_type, object_id in keys:
        label, url = found.get((object_type, object_id), ("", ""))
        out[(object_type, object_id)] = Subject(
            kind=record_type_name(object_type),
            label=label or f"#{object_id}",
            url=url or reverse("supervision:timeline") + "?" + _query(object_type, object_id),
        )
    return out


def record_label(object_type: str, object_id: str) -> str:
    """How the timeline's heading names a record reached by a link: its type and the
    reference people quote, else its name; never the database id unless nothing else."""
    return str(record_subjects(None, [(object_type, object_id)])[(object_type, object_id)])
