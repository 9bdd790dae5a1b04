"""Records found by the references people quote: a case number (ZC…), a problem's
number (TZ…) or its 16-digit receipt, a project number, a contract number, a policy's
code, an enterprise's unified social credit code, a user name. What the supervisor's
timeline search turns into the record's events, always within the reader's reach.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinqing.accounts.models import Organisation, User
from qinqing.accounts.scoping import scope_records
from qinqing.audit.models import AuditEvent, AuditVerification
from qinqing.common.once import receipt_hash
from qinqing.contracts.models import Clause, Contract, FulfilmentClaim, Obligation, Project, RemedyPlan
from qinqing.contracts.selectors import projects_visible
from qinqing.deadlines.models import Alert, Deadline, RungName
from qinqing.enterprises.models import Enterprise
from qinqing.ledger.models import Problem
from qinqing.ledger.selectors import problems_for
from qinqing.payments.models import PaymentInstruction
from qinqing.policies.models import Case, CaseStep, Invitation, Objection, Policy

from .policy_cases import CASE_SOURCE, CASE_TYPE, INSTRUCTION_TYPE, is_case_reader
from .readable import record_type_name
from .selectors import SHANGHAI

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
    (else its name, else its id) and the supervisor's page for it. A record known by
    what it is about (a payment instruction by its case, a notification by its event)
    is named by that: `about`."""

    kind: str
    label: str
    url: str
    about: bool = False

    def __str__(self) -> str:
        return f"{self.kind} · {self.label}" if self.about else f"{self.kind} {self.label}"


def _case_label(case: Case) -> str:
    return case.reference or ""


def _obligation_label(obligation: Obligation) -> str:
    return f"{obligation.clause.contract.number} · {obligation.title}"


def _verification_label(run: AuditVerification) -> str:
    """A verification run by when it was asked for and what it found (not by its id,
    which no one quotes): "2026-03-08 22:14 · Intact · 12,345 events checked"."""
    parts = [f"{run.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}", str(run.get_status_display())]
    if run.events_checked:
        n = run.events_checked
        parts.append(ngettext("%(n)s event checked", "%(n)s events checked", n) % {"n": f"{n:,}"})
    return " · ".join(parts)


PROBLEM_TYPE = Problem._meta.label_lower
POLICY_TYPE = Policy._meta.label_lower
OBLIGATION_TYPE = Obligation._meta.label_lower
DEADLINE_TYPE = Deadline._meta.label_lower
# What qinqing.notifications records its events under, the object id being the event's
# key (cut to 64 characters), or "batch" for several events at once.
NOTIFICATION_TYPE = "notifications.event"
BATCH = "batch"
DIGEST_PREFIX = "notifications.digest:"
# Ids beyond a bigint are no ids (and would fail the query on PostgreSQL).
MAX_ID_DIGITS = 18

# Per record type: the model, what to read of it (select_related, only) and its label.
_SUBJECTS: dict[str, tuple[type[models.Model], tuple[str, ...], tuple[str, ...], Callable[[Any], str]]] = {
    CASE_TYPE: (Case, (), ("id", "reference", "public_id"), _case_label),
    PROBLEM_TYPE: (Problem, (), ("id", "reference"), lambda p: p.reference or ""),
    Project._meta.label_lower: (Project, (), ("id", "reference"), lambda p: p.reference),
    Contract._meta.label_lower: (Contract, (), ("id", "number"), lambda c: c.number),
    Clause._meta.label_lower: (
        Clause,
        ("contract",),
        ("id", "number", "contract__number"),
        lambda c: f"{c.contract.number} {c.number}",
    ),
    OBLIGATION_TYPE: (
        Obligation,
        ("clause__contract",),
        ("id", "title", "clause__contract__number"),
        _obligation_label,
    ),
    POLICY_TYPE: (Policy, (), ("id", "code"), lambda p: p.code),
    Enterprise._meta.label_lower: (Enterprise, (), ("id", "name"), lambda e: e.name),
    Organisation._meta.label_lower: (Organisation, (), ("id", "name"), lambda o: o.name),
    User._meta.label_lower: (User, (), ("id", "username"), lambda u: u.username),
    DEADLINE_TYPE: (Deadline, (), ("id", "title"), lambda d: d.title),
    AuditVerification._meta.label_lower: (
        AuditVerification,
        (),
        ("id", "created_at", "status", "events_checked"),
        _verification_label,
    ),
}

# A notification's event key, chosen by the app that tells, starts with what the event
# is about: "case:51:paid:7", "ledger.problem:3:verify:2", "step:8:assigned",
# "hand-over:objection-4:12", "contracts.claim:6:made", "deadline-alert:77".
_EVENT_KEY = re.compile(
    r"(?:hand-over:(?P<handed>step|objection)-|(?P<name>[a-z][a-z._-]*):)"
    rf"(?P<id>[0-9]{{1,{MAX_ID_DIGITS}}})(?::|$)"
)
# Keys naming a record of a type above.
_KEY_RECORDS = {"case": CASE_TYPE, "ledger.problem": PROBLEM_TYPE}
# Keys naming a record that leads to one: its model, the field naming that record, its type.
_KEY_THROUGH: dict[str, tuple[type[models.Model], str, str]] = {
    "step": (CaseStep, "case_id", CASE_TYPE),
    "objection": (Objection, "case_id", CASE_TYPE),
    "invitation": (Invitation, "policy_id", POLICY_TYPE),
    "contracts.claim": (FulfilmentClaim, "obligation_id", OBLIGATION_TYPE),
    "contracts.plan": (RemedyPlan, "obligation_id", OBLIGATION_TYPE),
    "deadline-alert": (Alert, "deadline_id", DEADLINE_TYPE),
}


@dataclass(frozen=True)
class _About:
    """What a record named through another is about: that record, else words of its own."""

    target: tuple[str, str] | None = None
    text: str = ""


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


def _instructions_about(ids: list[str]) -> dict[str, _About]:
    """Payment instructions by the case they pay (their source), in one query."""
    numeric = sorted({int(i) for i in ids if _is_id(i)})
    out: dict[str, _About] = {}
    rows = (
        PaymentInstruction.objects.filter(pk__in=numeric)
        .values_list("pk", "source_type", "source_id", "purpose")
        .order_by()
    )
    for pk, source_type, source_id, purpose in rows:
        if source_type == CASE_SOURCE and _is_id(source_id):
            out[str(pk)] = _About(target=(CASE_TYPE, str(int(source_id))))
        else:
            out[str(pk)] = _About(text=purpose)
    return out


def _notification_text(key: str) -> str:
    if key == BATCH:
        # What each batch held is in its event (`batch_label`); the key alone says no more.
        return _("several events")
    if key.startswith(DIGEST_PREFIX):
        return _("daily digest of %(day)s") % {"day": key.removeprefix(DIGEST_PREFIX)}
    return _("another event")


def _notifications_about(ids: list[str]) -> dict[str, _About]:
    """Notification events by the record their key names: one query per kind of record
    leading to it (a step, an objection, a claim…), none for a case or a problem."""
    out: dict[str, _About] = {}
    through: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key in ids:
        match = _EVENT_KEY.match(key)
        name = (match["handed"] or match["name"]) if match else ""
        if match and name in _KEY_RECORDS:
            out[key] = _About(target=(_KEY_RECORDS[name], str(int(match["id"]))))
        elif match and name in _KEY_THROUGH:
            through[name][int(match["id"])].append(key)
        else:
            out[key] = _About(text=_notification_text(key))
    for name, wanted in through.items():
        model, field, target_type = _KEY_THROUGH[name]
        leads = dict(model._default_manager.filter(pk__in=sorted(wanted)).values_list("pk", field).order_by())
        for pk, keys in wanted.items():
            lead = leads.get(pk)
            about = (
                _About(target=(target_type, str(lead)))
                if lead is not None
                else _About(text=f"{record_type_name(model._meta.label_lower)} #{pk}")
            )
            out |= dict.fromkeys(keys, about)
    return out


# Record types named by what they are about, and how that is read (in bulk).
_THROUGH: dict[str, Callable[[list[str]], dict[str, _About]]] = {
    INSTRUCTION_TYPE: _instructions_about,
    NOTIFICATION_TYPE: _notifications_about,
}


def _read(keys: Iterable[tuple[str, str]], *, case_pages: bool) -> dict[tuple[str, str], tuple[str, str]]:
    """(label, page) of the records of the types above, one query per type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for object_type, object_id in keys:
        if object_type in _SUBJECTS and _is_id(object_id):
            wanted[object_type].add(int(object_id))
    found: dict[tuple[str, str], tuple[str, str]] = {}
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
    return found


def _timeline(object_type: str, object_id: str) -> str:
    return reverse("supervision:timeline") + "?" + _query(object_type, object_id)


def record_subjects(user: Any, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    """The records named by (object type, object id) pairs as `Subject`s: one query
    per type of record among them, whatever their number. A policy case links to its
    supervision page for a reader of cases, every other record to its timeline.

    A payment instruction is named by the case it pays (and links to that case's page,
    which shows its events, for a reader of cases); a notification event by what its key
    names, else by the kind of event, never by the key itself."""
    keys = list(dict.fromkeys(keys))
    # Records known through another are read first, so that the records they lead to
    # are read with the others of their type.
    about: dict[tuple[str, str], _About] = {}
    for object_type, read in _THROUGH.items():
        ids = [object_id for t, object_id in keys if t == object_type]
        if ids:
            about |= {(object_type, i): a for i, a in read(ids).items()}
    targets = [a.target for a in about.values() if a.target is not None]
    case_pages = is_case_reader(user) if user is not None else False
    found = _read([*keys, *targets], case_pages=case_pages)

    def subject(key: tuple[str, str]) -> Subject:
        label, url = found.get(key, ("", ""))
        return Subject(kind=record_type_name(key[0]), label=label or f"#{key[1]}", url=url or _timeline(*key))

    out = {}
    for key in keys:
        lead = about.get(key)
        if lead is None or not (lead.target or lead.text):
            out[key] = subject(key)
            continue
        url = _timeline(*key)
        label = lead.text
        if lead.target is not None:
            target = subject(lead.target)
            label = str(target)
            if key[0] == INSTRUCTION_TYPE and found.get(lead.target, ("", ""))[1]:
                # The case's page shows its payment instruction's events.
                url = target.url
        out[key] = Subject(kind=record_type_name(key[0]), label=label, url=url, about=True)
    return out


# The kinds of notification the apps send (`notify(kind=…)`), by the record type or the
# rung they are about; a kind not known here reads as recorded.
_KIND_TYPES = {
    "policy_case": CASE_TYPE,
    "policy_payment": CASE_TYPE,
    "policy_step": "policies.casestep",
    "policy_invitation": "policies.invitation",
    "policy_objection": "policies.objection",
}
_KIND_PREFIX_TYPES = {"ledger.": PROBLEM_TYPE, "contracts.": OBLIGATION_TYPE}
_CONTRACT_KINDS = frozenset({"claim", "dispute", "decision", "confirmation", "plan", "plan_decision"})


def _notification_kind(kind: str) -> str:
    if kind.startswith("deadline.") and kind.removeprefix("deadline.") in RungName.values:
        return str(RungName(kind.removeprefix("deadline.")).label)
    if kind == "notifications.digest":
        return _("daily digest")
    if kind in _KIND_TYPES:
        return record_type_name(_KIND_TYPES[kind])
    if kind in _CONTRACT_KINDS:
        return record_type_name(OBLIGATION_TYPE)
    for prefix, object_type in _KIND_PREFIX_TYPES.items():
        if kind.startswith(prefix):
            return record_type_name(object_type)
    return kind


def batch_label(after: Any) -> str:
    """A batch of notifications by what its event recorded: how many events, of which
    kinds ("12 events: Alarm, Warning"); "several events" when it recorded neither."""
    data = after if isinstance(after, dict) else {}
    count, kinds = data.get("event_count"), data.get("kinds")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return _notification_text(BATCH)
    listed = kinds if isinstance(kinds, list) else []
    names = list(dict.fromkeys(_notification_kind(k) for k in listed if isinstance(k, str)))
    if not names:
        return ngettext("%(n)s event", "%(n)s events", count) % {"n": count}
    return ngettext("%(n)s event: %(kinds)s", "%(n)s events: %(kinds)s", count) % {
        "n": count,
        "kinds": _(", ").join(names),
    }


def event_subjects(user: Any, events: Iterable[AuditEvent]) -> list[Subject]:
    """`record_subjects` for a list of events, in their order: a batch of notifications
    (whose key, "batch", names nothing) reads by what its own event recorded."""
    events = list(events)
    subjects = record_subjects(user, [(e.object_type, e.object_id) for e in events])
    out = []
    for event in events:
        subject = subjects[(event.object_type, event.object_id)]
        if event.object_type == NOTIFICATION_TYPE and event.object_id == BATCH:
            subject = Subject(kind=subject.kind, label=batch_label(event.after), url=subject.url, about=True)
        out.append(subject)
    return out


def record_label(object_type: str, object_id: str) -> str:
    """How the timeline's heading names a record reached by a link: its type and the
    reference people quote, else its name; never the database id unless nothing else."""
    return str(record_subjects(None, [(object_type, object_id)])[(object_type, object_id)])
