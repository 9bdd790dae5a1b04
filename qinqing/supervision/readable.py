"""Audit events as a supervisor reads them: fields by their names, values by their
labels (a status by its choice, a person by name, an organisation by its name), and who
acted with their own organisation (an enterprise user's enterprise).

Only the reading changes: the recorded event (hash-chained) is never touched, and its
raw field names and values stay available next to the readable ones.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import Organisation, RoleAssignment, User
from qinqing.audit.models import AuditEvent
from qinqing.deadlines.ladders import find_ladder
from qinqing.enterprises.models import Enterprise
from qinqing.policies.models import Case
from qinqing.policies.steps import step_label

from .actions import action_label
from .selectors import TimelineEntry

# What audit_record writes for an event without a user.
SYSTEM_LABEL = "system"

# Keys of the recorded snapshots that are not fields of the record's model: what an
# action adds (a case's step, a pause's days…). A key named here with a model is a
# related record whose id is shown by its name.
_EXTRA: dict[str, tuple[Any, type[models.Model] | None]] = {
    "advanced": (gettext_lazy("Moved to their next rung"), None),
    "agrees": (gettext_lazy("Agrees"), None),
    "alerts": (gettext_lazy("Alerts"), None),
    "anchor_met_on": (gettext_lazy("Starting point met on"), None),
    "answer": (gettext_lazy("Answer"), None),
    "assignee": (gettext_lazy("Assignee"), User),
    "at_login": (gettext_lazy("Stored at login"), None),
    "attempt": (gettext_lazy("Attempt"), None),
    "award_by_rule": (gettext_lazy("Award by the rule"), None),
    "by_rung": (gettext_lazy("By rung"), None),
    "calendar_due_date": (gettext_lazy("Date under the new calendar"), None),
    "calendar_years": (gettext_lazy("Calendar years changed"), None),
    "cause": (gettext_lazy("Cause"), None),
    "claim": (gettext_lazy("Claim"), None),
    "claim_achieved_value": (gettext_lazy("Value claimed"), None),
    "claim_met_on": (gettext_lazy("Met on (claimed)"), None),
    "claim_status": (gettext_lazy("Claim status"), None),
    "clause": (gettext_lazy("Clause"), None),
    "co": (gettext_lazy("Co-responsible departments"), Organisation),
    "comment": (gettext_lazy("Comment"), None),
    "contract": (gettext_lazy("Contract"), None),
    "count": (gettext_lazy("Count"), None),
    "deliveries_enqueued": (gettext_lazy("Deliveries queued"), None),
    "deliveries_new": (gettext_lazy("New deliveries"), None),
    "digest_items_new": (gettext_lazy("New digest items"), None),
    "due": (gettext_lazy("Due date"), None),
    "due_date": (gettext_lazy("Due date"), None),
    "due_rule": (gettext_lazy("Due rule"), None),
    "end": (gettext_lazy("Resumed on"), None),
    "ended": (gettext_lazy("Ended"), None),
    "enterprise": (gettext_lazy("Enterprise"), None),
    "enterprises": (gettext_lazy("Enterprises"), None),
    "event_count": (gettext_lazy("Events"), None),
    "event_keys": (gettext_lazy("Event keys"), None),
    "evidence": (gettext_lazy("Evidence"), None),
    "files": (gettext_lazy("Files"), None),
    "first_alert": (gettext_lazy("First alert"), None),
    "fixed": (gettext_lazy("Really fixed"), None),
    "inbox_new": (gettext_lazy("New inbox messages"), None),
    "into": (gettext_lazy("Merged into"), None),
    "invited": (gettext_lazy("Invited"), None),
    "kind": (gettext_lazy("Kind"), None),
    "kinds": (gettext_lazy("Kinds"), None),
    "labels": (gettext_lazy("Labels"), None),
    "lapsed": (gettext_lazy("Lapsed"), None),
    "last_alert": (gettext_lazy("Last alert"), None),
    "level": (gettext_lazy("Level"), None),
    "mode": (gettext_lazy("Mode"), None),
    "note": (gettext_lazy("Note"), None),
    "notify_job": (gettext_lazy("Notification job"), None),
    "objection": (gettext_lazy("Objection"), None),
    "on": (gettext_lazy("On"), None),
    "organisation": (gettext_lazy("Organisation"), Organisation),
    "outcome": (gettext_lazy("Outcome"), None),
    "parent": (gettext_lazy("Parent organisation"), None),
    "pause": (gettext_lazy("Pause"), None),
    "plan": (gettext_lazy("Remedy plan"), None),
    "plan_due_date": (gettext_lazy("New due date (plan)"), None),
    "plan_status": (gettext_lazy("Plan status"), None),
    "policy": (gettext_lazy("Policy"), None),
    "position": (gettext_lazy("Step number"), None),
    "problems": (gettext_lazy("Problems"), None),
    "process": (gettext_lazy("Process"), None),
    "proposed_date": (gettext_lazy("Proposed date"), None),
    "pushed_days": (gettext_lazy("Days added"), None),
    "pushed_unit": (gettext_lazy("Days counted in"), None),
    "reason": (gettext_lazy("Reason"), None),
    "recipients_new": (gettext_lazy("New recipients"), None),
    "reference": (gettext_lazy("Reference"), None),
    "refreshed": (gettext_lazy("Refreshed"), None),
    "remedy": (gettext_lazy("Remedy"), None),
    "reply": (gettext_lazy("Reply"), None),
    "request": (gettext_lazy("Request for materials"), None),
    "revision": (gettext_lazy("Revision"), None),
    "rule": (gettext_lazy("Rule"), None),
    "scenic_grade": (gettext_lazy("Scenic-spot grade"), None),
    "score": (gettext_lazy("Score"), None),
    "seed": (gettext_lazy("Random seed"), None),
    "since": (gettext_lazy("Since"), None),
    "source": (gettext_lazy("Source"), None),
    "start": (gettext_lazy("Paused from"), None),
    "status": (gettext_lazy("Status"), None),
    "step": (gettext_lazy("Step"), None),
    "superseded": (gettext_lazy("Earlier messages settled"), None),
    "text": (gettext_lazy("Text"), None),
    "today": (gettext_lazy("Day"), None),
    "topics": (gettext_lazy("Topics"), None),
    "upheld": (gettext_lazy("Upheld"), None),
    "user": (gettext_lazy("User"), User),
    "users": (gettext_lazy("Users"), None),
    "version": (gettext_lazy("Version"), None),
    "via": (gettext_lazy("Via"), None),
    "year": (gettext_lazy("Year"), None),
}
# Record types whose model has no name of its own.
_TYPE_NAMES = {
    "policies.casestep": gettext_lazy("Approval step"),
    "notifications.event": gettext_lazy("Notification"),
}
# Related records whose ids the snapshots hold, shown by name.
_NAMED: tuple[Any, ...] = (User, Organisation, Enterprise)
# Fields whose value names a record type or a deadline's kind.
_TYPE_FIELDS = {"object_type"}
_KIND_FIELD = ("deadlines.deadline", "kind")
CASE_TYPE = Case._meta.label_lower


@dataclass(frozen=True)
class ReadableChange:
    field: str
    label: str
    before: str
    after: str
    raw_before: Any
    raw_after: Any
    changed: bool


@dataclass(frozen=True)
class ReadableEvent:
    entry: TimelineEntry
    actor: str
    actor_organisation: str
    changes: list[ReadableChange]

    @property
    def event(self) -> AuditEvent:
        return self.entry.event

    @property
    def action(self) -> str:
        """The action in the reader's language (the recorded name is `event.action`)."""
        return action_label(self.entry.event.action)

    @property
    def changed_only(self) -> list[ReadableChange]:
        return [c for c in self.changes if c.changed]


def record_type_name(object_type: str) -> str:
    """A record type by its name ("case", "deadline"), never its label."""
    if object_type in _TYPE_NAMES:
        return str(_TYPE_NAMES[object_type])
    try:
        return str(capfirst(apps.get_model(object_type)._meta.verbose_name))
    except (LookupError, ValueError):
        return object_type


def actor_name(event: AuditEvent) -> str:
    if event.actor_id is None and event.actor_label in ("", SYSTEM_LABEL):
        return _("System")
    return event.actor_label


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


class _Reader:
    """Labels for one batch of events: one query per related model, whatever the count."""

    def __init__(self, entries: Sequence[TimelineEntry], cases: Sequence[Case] = ()) -> None:
        self.entries = entries
        self.wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self.names: dict[type[models.Model], dict[int, str]] = {}
        self.cases: dict[str, Case] = {str(c.pk): c for c in cases}

    def related(self, object_type: str, key: str) -> type[models.Model] | None:
        field = _field(_model(object_type), key)
        if field is not None and field.is_relation and field.related_model is not None:
            related = field.related_model
            # Only people, organisations and enterprises: a snapshot names other records
            # its own way (a policy version by its number, not its id).
            return related if isinstance(related, type) and related in _NAMED else None
        extra = _EXTRA.get(key)
        return extra[1] if extra and field is None else None

    def load(self) -> None:
        case_ids: set[str] = set()
        for entry in self.entries:
            event = entry.event
            for change in entry.changes:
                model = self.related(event.object_type, change.field)
                if model is not None:
                    for value in (change.before, change.after):
                        self.wanted[model].update(_ids(value))
            if (
                event.object_type == CASE_TYPE
                and event.object_id not in self.cases
                and any(c.field == "step" for c in entry.changes)
            ):
                case_ids.add(event.object_id)
        for model, ids in self.wanted.items():
            self.names[model] = {
                pk: self._name(obj) for pk, obj in model._default_manager.in_bulk(ids).items()
            }
        if case_ids:
            numeric = [int(i) for i in case_ids if i.isdigit()]
            self.cases |= {str(c.pk): c for c in Case.objects.filter(pk__in=numeric).only("id", "steps_plan")}

    @staticmethod
    def _name(obj: models.Model) -> str:
        name = getattr(obj, "name", None)
        return str(name) if isinstance(name, str) and name else str(obj)

    def label(self, object_type: str, key: str) -> str:
        field = _field(_model(object_type), key)
        # A field without a name of its own is named by Django after the attribute, in
        # English whatever the language: the list above names it then.
        named = field is not None and str(field.verbose_name) != field.name.replace("_", " ")
        if field is not None and (named or key not in _EXTRA):
            return str(capfirst(field.verbose_name))
        if key in _EXTRA:
            return str(_EXTRA[key][0])
        if not key:
            return _("Value")
        return capfirst(key.replace("_", " "))

    def value(self, event: AuditEvent, key: str, value: Any) -> str:  # noqa: PLR0911 - one per kind
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if key in _TYPE_FIELDS and isinstance(value, str):
            return record_type_name(value)
        if (event.object_type, key) == _KIND_FIELD and isinstance(value, str):
            ladder = find_ladder(value)
            return str(ladder.label) if ladder else value
        if key == "step" and event.object_type == CASE_TYPE:
            return self._step(event.object_id, value)
        model = self.related(event.object_type, key)
        if model is not None and _ids(value):
            names = self.names.get(model, {})
            values = value if isinstance(value, list) else [value]
            return "、".join(names.get(v, str(v)) if isinstance(v, int) else str(v) for v in values)
        field = _field(_model(event.object_type), key)
        if field is not None and field.choices and isinstance(value, str | int):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)

    def _step(self, case_id: str, value: Any) -> str:
        case = self.cases.get(case_id)
        plan = case.steps_plan if case is not None and isinstance(case.steps_plan, list) else []
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(plan):
            return step_label(plan[value])
        if isinstance(value, str):
            named = next((p for p in plan if isinstance(p, dict) and p.get("key") == value), None)
            return step_label(named or {"key": value, "name": ""})
        return str(value)


def _actor_organisations(events: Sequence[AuditEvent]) -> dict[tuple[int, int | None], str]:
    """Who acted, by the organisation they act for: an enterprise user's enterprise; an
    official's node, the one covering the event's record first. Keyed by (actor, the
    event's organisation)."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    assignments: dict[int, list[RoleAssignment]] = defaultdict(list)
    for ra in (
        RoleAssignment.objects.filter(user_id__in=sorted(ids))
        .select_related("organisation", "enterprise")
        .order_by("user_id", "id")
    ):
        assignments[ra.user_id].append(ra)
    out: dict[tuple[int, int | None], str] = {}
    for event in events:
        if event.actor_id is None or (event.actor_id, event.organisation_id) in out:
            continue
        held = assignments.get(event.actor_id, [])
        enterprise = next((ra.enterprise for ra in held if ra.enterprise is not None), None)
        if enterprise is not None:
            out[(event.actor_id, event.organisation_id)] = enterprise.name
            continue
        nodes = [ra.organisation for ra in held if ra.organisation is not None]
        path = event.organisation.path if event.organisation is not None else ""
        covering = [n for n in nodes if path and path.startswith(n.path)]
        chosen = max(covering, key=lambda n: n.depth) if covering else (nodes[0] if nodes else None)
        out[(event.actor_id, event.organisation_id)] = chosen.name if chosen is not None else ""
    return out


def readable_events(entries: Sequence[TimelineEntry], *, cases: Sequence[Case] = ()) -> list[ReadableEvent]:
    """The entries with readable labels, in the same order: one query per kind of
    related record named in them, one for the actors' roles. `cases` already at hand
    (with their steps) are not read again."""
    reader = _Reader(entries, cases)
    reader.load()
    organisations = _actor_organisations([e.event for e in entries])
    out = []
    for entry in entries:
        event = entry.event
        actor = actor_name(event)
        organisation = (
            organisations.get((event.actor_id, event.organisation_id), "") if event.actor_id else ""
        )
        out.append(
            ReadableEvent(
                entry=entry,
                actor=actor,
                # A name recorded with its organisation ("凌经理（某某公司）") is not told it twice.
                actor_organisation="" if organisation and organisation in actor else organisation,
                changes=[
                    ReadableChange(
                        field=c.field,
                        label=reader.label(event.object_type, c.field),
                        before=reader.value(event, c.field, c.before),
                        after=reader.value(event, c.field, c.after),
                        raw_before=c.before,
                        raw_after=c.after,
                        changed=c.changed,
                    )
                    for c in entry.changes
                ],
            )
        )
    return out
