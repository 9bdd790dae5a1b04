"""Projects, their contracts and clauses, and the project events due rules count from.

The management committee of the project's zone writes all of these; an enterprise
records the events of its own applications (`ENTERPRISE_EVENT_KEYS`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, OrganisationKind
from qinqing.common.errors import PermissionDenied, ValidationFailed
from qinqing.deadlines.ladders import rungs_from_json
from qinqing.deadlines.services import hold_scan_lock
from qinqing.enterprises.models import Enterprise

from ..models import (
    Clause,
    Contract,
    ContractKind,
    EventKey,
    Project,
    ProjectEvent,
    ProjectStatus,
)
from .common import (
    ENTERPRISE_EVENT_KEYS,
    audit,
    clean_text,
    is_committee_for,
    is_committee_node,
    is_enterprise_of,
    lock_project,
    require_committee,
    require_user,
    user_or_none,
)
from .common import today as current_day
from .missed import Move, missed_dates, moved_misses, moves_extra, moves_in_words, record_moves
from .recompute import recompute_dependents


def _money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationFailed(fields={field: [str(_("This field is required."))]})
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: [str(_("Enter a number."))]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ValidationFailed(fields={field: [str(_("Enter an amount of zero or more."))]})
    return amount


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(fields={field: [str(_("Enter a date."))]})
    return value


def _project_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the editable fields of a project; returns them cleaned."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("name", "industry"):
            out[name] = clean_text(value, name, limit=200 if name == "name" else 100)
        elif name in ("land_parcel",):
            out[name] = clean_text(value, name, required=False, limit=100)
        elif name == "location":
            out[name] = clean_text(value, name, required=False, limit=200)
        elif name == "description":
            out[name] = clean_text(value, name, required=False, limit=10000)
        elif name == "planned_investment":
            out[name] = _money(value, name)
        elif name == "land_area_mu":
            out[name] = _money(value, name, required=False)
        elif name == "signed_on":
            out[name] = _date(value, name)
        elif name == "status":
            if value not in ProjectStatus.values:
                raise ValidationFailed(fields={name: [str(_("Choose a listed status."))]})
            out[name] = value
        else:
            raise ValidationFailed(fields={name: [str(_("This field cannot be changed here."))]})
    return out


def project_create(
    *,
    actor: Any,
    enterprise: Enterprise,
    committee: Organisation,
    reference: str,
    name: str,
    industry: str,
    planned_investment: Decimal | int | str,
    signed_on: dt.date,
    land_parcel: str = "",
    land_area_mu: Decimal | int | str | None = None,
    location: str = "",
    description: str = "",
) -> Project:
    """An investment project of `committee`'s zone, created by one of its members."""
    user = require_user(actor)
    if committee is None or committee.kind != OrganisationKind.COMMITTEE:
        raise ValidationFailed(fields={"committee": [str(_("Choose a zone's management committee."))]})
    if not is_committee_node(user, committee.path):
        raise PermissionDenied(_("Only a member of the zone's management committee may do this."))
    if enterprise is None:
        raise ValidationFailed(fields={"enterprise": [str(_("This field is required."))]})
    reference = clean_text(reference, "reference", limit=32)
    cleaned = _project_fields(
        {
            "name": name,
            "industry": industry,
            "planned_investment": planned_investment,
            "signed_on": signed_on,
            "land_parcel": land_parcel,
            "land_area_mu": land_area_mu,
            "location": location,
            "description": description,
        }
    )
    with transaction.atomic(durable=True):
        if Project.objects.filter(reference=reference).exists():
            raise ValidationFailed(fields={"reference": [str(_("A project with this number exists."))]})
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    enterprise=enterprise,
                    committee=committee,
                    reference=reference,
                    created_by=user,
                    **cleaned,
                )
        except IntegrityError:
            raise ValidationFailed(
                fields={"reference": [str(_("A project with this number exists."))]}
            ) from None
        audit(
            actor=user,
            action="project.create",
            obj=project,
            project=project,
            after={"reference": reference, "enterprise": enterprise.pk, **cleaned},
        )
    return project


def project_update(*, actor: Any, project: Project, **fields: Any) -> Project:
    """Change a project's details (not its enterprise, zone or number)."""
    user = require_user(actor)
    cleaned = _project_fields(fields)
    with transaction.atomic(durable=True):
        locked = lock_project(project.pk)
        require_committee(user, locked)
        before = {name: getattr(locked, name) for name in cleaned}
        for name, value in cleaned.items():
            setattr(locked, name, value)
        if cleaned:
            locked.save(update_fields=[*cleaned, "updated_at"])
            audit(
                actor=user, action="project.update", obj=locked, project=locked, before=before, after=cleaned
            )
    return locked


def contract_add(
    *,
    actor: Any,
    project: Project,
    kind: str,
    number: str,
    title: str,
    government_party: Organisation,
    signed_on: dt.date,
    value: Decimal | int | str | None = None,
    amends: Contract | None = None,
) -> Contract:
    user = require_user(actor)
    if kind not in ContractKind.values:
        raise ValidationFailed(fields={"kind": [str(_("Choose a listed kind of contract."))]})
    number = clean_text(number, "number", limit=64)
    title = clean_text(title, "title", limit=200)
    signed_on = _date(signed_on, "signed_on")
    amount = _money(value, "value", required=False)
    if government_party is None:
        raise ValidationFailed(fields={"government_party": [str(_("This field is required."))]})
    with transaction.atomic(durable=True):
        locked = lock_project(project.pk)
        require_committee(user, locked)
        if amends is not None and amends.project_id != locked.pk:
            raise ValidationFailed(fields={"amends": [str(_("Choose a contract of the same project."))]})
        if Contract.objects.filter(project=locked, number=number).exists():
            raise ValidationFailed(
                fields={"number": [str(_("This project has a contract with this number."))]}
            )
        contract = Contract.objects.create(
            project=locked,
            kind=kind,
            number=number,
            title=title,
            government_party=government_party,
            signed_on=signed_on,
            value=amount,
            amends=amends,
        )
        audit(
            actor=user,
            action="contract.add",
            obj=contract,
            project=locked,
            after={"kind": kind, "number": number, "title": title, "value": amount, "signed_on": signed_on},
        )
    return contract


def clause_add(
    *,
    actor: Any,
    contract: Contract,
    number: str,
    text: str,
    title: str = "",
    ladder: list[dict[str, Any]] | None = None,
) -> Clause:
    """A clause; `ladder` (JSON rungs) replaces the kinds' ladders for its obligations."""
    user = require_user(actor)
    number = clean_text(number, "number", limit=32)
    text = clean_text(text, "text", limit=10000)
    title = clean_text(title, "title", required=False, limit=200)
    rungs = [r.as_json() for r in rungs_from_json(ladder)] if ladder else None
    with transaction.atomic(durable=True):
        project = lock_project(contract.project_id)
        require_committee(user, project)
        if Clause.objects.filter(contract=contract, number=number).exists():
            raise ValidationFailed(
                fields={"number": [str(_("This contract has a clause with this number."))]}
            )
        position = Clause.objects.filter(contract=contract).count()
        clause = Clause.objects.create(
            contract=contract, number=number, title=title, text=text, ladder=rungs, position=position
        )
        audit(
            actor=user,
            action="clause.add",
            obj=clause,
            project=project,
            after={"contract": contract.pk, "number": number, "title": title, "ladder": rungs},
        )
    return clause


def _event_key(key: str) -> str:
    cleaned = slugify(str(key or "")).replace("-", "_")[:64]
    if not cleaned:
        raise ValidationFailed(fields={"key": [str(_("Name the event."))]})
    return cleaned


def _event_label(key: str, label: str) -> str:
    label = clean_text(label, "label", required=False, limit=200)
    if label:
        return label
    return str(EventKey(key).label) if key in EventKey.values else key


def _require_event_writer(user: Any, project: Project, key: str) -> None:
    if is_committee_for(user, project):
        return
    if is_enterprise_of(user, project) and key in ENTERPRISE_EVENT_KEYS:
        return
    raise PermissionDenied(_("You may not record this event of the project."))


def event_record(
    *,
    actor: Any,
    project: Project,
    key: str,
    occurred_on: dt.date,
    label: str = "",
    note: str = "",
    reason: str = "",
    today: dt.date | None = None,
) -> ProjectEvent:
    """The event happened on `occurred_on` (or happened on another day than recorded):
    every due date counted from it is recomputed.

    A correction that moves the contract's date of an obligation already missed (passed
    unmet before `today`) would erase or shift that miss: it needs a `reason`, and each
    such obligation keeps a `MissedDateMove` with its own audit event; the committee and
    the supervisors are told once per correction (see `missed`)."""
    user = require_user(actor)
    key = _event_key(key)
    occurred_on = _date(occurred_on, "occurred_on")
    day = today or current_day()
    if occurred_on > day:
        raise ValidationFailed(fields={"occurred_on": [str(_("An event cannot happen in the future."))]})
    note = clean_text(note, "note", required=False, limit=500)
    reason = clean_text(reason, "reason", required=False, limit=500)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        locked = lock_project(project.pk)
        _require_event_writer(user, locked, key)
        event = ProjectEvent.objects.select_for_update().filter(project=locked, key=key).first()
        before = None
        previous_on: dt.date | None = None
        if event is None:
            event = ProjectEvent.objects.create(
                project=locked,
                key=key,
                label=_event_label(key, label),
                occurred_on=occurred_on,
                note=note,
                recorded_by=user,
            )
        else:
            previous_on = event.occurred_on
            before = {"occurred_on": event.occurred_on, "label": event.label, "note": event.note}
            if (
                event.occurred_on == occurred_on
                and (not label or _event_label(key, label) == event.label)
                and (not note or note == event.note)
            ):
                return event
            event.occurred_on = occurred_on
            if label:
                event.label = _event_label(key, label)
            if note:
                event.note = note
            event.recorded_by = user
            event.save(update_fields=["occurred_on", "label", "note", "recorded_by", "updated_at"])
        audit(
            actor=user,
            action="event.record",
            obj=event,
            project=locked,
            before=before,
            after={
                "key": key,
                "occurred_on": occurred_on,
                "label": event.label,
                "note": event.note,
                **({"reason": reason} if reason else {}),
            },
        )
        missed = missed_dates(locked, day)
        changed = recompute_dependents(actor=user, project=locked, events=[event.pk], note=event.label)
        moves = moved_misses(changed, missed)
        if moves:
            if not reason:
                # Raised inside the transaction: the event and every recomputed date roll back.
                raise _reason_needed(event, occurred_on, moves)
            record_moves(
                actor=user,
                project=locked,
                moves=moves,
                reason=reason,
                anchor_before=previous_on,
                anchor_after=occurred_on,
                event=event,
            )
    return event


def _reason_needed(event: ProjectEvent, occurred_on: dt.date, moves: list[Move]) -> ValidationFailed:
    message = _(
        "Recording “%(event)s” on %(date)s moves the contract's due date of obligations already "
        "missed (%(moves)s). Give the reason for the correction: it is kept on each of them and "
        "counted on the dashboards, and the committee and the supervisors are told."
    ) % {"event": event.label, "date": occurred_on.isoformat(), "moves": moves_in_words(moves)}
    return ValidationFailed(
        message, code="reason_required", fields={"reason": [message]}, extra=moves_extra(moves)
    )


def event_declare(*, actor: Any, project: Project, key: str, label: str = "") -> ProjectEvent:
    """An event that has not happened yet, so that obligations can count from it.
    Declaring an event already declared or recorded returns it unchanged."""
    user = require_user(actor)
    key = _event_key(key)
    with transaction.atomic(durable=True):
        locked = lock_project(project.pk)
        _require_event_writer(user, locked, key)
        event = ProjectEvent.objects.filter(project=locked, key=key).first()
        if event is not None:
            return event
        event = ProjectEvent.objects.create(
            project=locked,
            key=key,
            label=_event_label(key, label),
            occurred_on=None,
            recorded_by=user_or_none(user),
        )
        audit(
            actor=user,
            action="event.declare",
            obj=event,
            project=locked,
            after={"key": key, "label": event.label},
        )
    return event


__all__ = [
    "clause_add",
    "contract_add",
    "event_declare",
    "event_record",
    "project_create",
    "project_update",
]
