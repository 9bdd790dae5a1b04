"""The daily scan: every rung that has come fires, exactly once, set-based.

One transaction, three statements whatever the number of items:

1. INSERT INTO alert ... SELECT the rungs due by `today` of the open, running items
   whose `next_rung_on` has come (the partial index `deadline_scan` finds them), ON
   CONFLICT (deadline, rung, due_date) DO NOTHING RETURNING the new rows. The UNIQUE
   constraint is what makes each alert exactly once: a repeated scan, a concurrent
   scan or a scan after a clock jump inserts nothing twice.
2. UPDATE those items: `next_rung_on` to the first rung still ahead, `last_rung` to the
   last reached. The rung dates were computed when the item was opened, moved or
   resumed, so no calendar arithmetic happens here.
3. One job enqueued, in the same transaction, to tell people about the new alerts
   (`alerts_notify`, run by a worker seconds later): alarms and escalations reach the
   inbox (and e-mail) at once; reminders and warnings wait for the recipients' daily
   digest. Enqueued in the scan's transaction, the job commits or rolls back with the
   alerts, so no alert is left untold and none is told twice (the notifications are
   keyed by alert). Telling people is the one step whose cost grows with the number of
   recipients and their languages; kept out of the scan, it never holds the scan lock.

An item that missed several rungs (the scan did not run for days, or the clock jumped)
gets one alert for EACH missed rung, in ladder order, not only the highest: the trail
shows every stage, and an escalation after an alarm is never lost.

The cost is proportional to the items crossing today, not to the items open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_noop

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.notifications.services import NotificationSpec, notify_many

from .ladders import find_ladder, item_titles
from .models import URGENT_RUNGS, Alert, Deadline, DeadlineRungDate, DeadlineStatus, RungName, deadline_label
from .services import hold_scan_lock

_CHUNK = 500

SUBJECT = gettext_noop("%(rung)s: %(title)s (due %(due)s)")
BODY = gettext_noop(
    "%(title)s is due on %(due)s. Its deadline has reached the %(rung)s stage, which fell on %(on)s."
)


@dataclass(frozen=True)
class ScanResult:
    today: dt.date
    alerts: int = 0
    by_rung: dict[str, int] = field(default_factory=dict)
    advanced: int = 0
    alert_ids: tuple[int, ...] = ()
    # The job telling people about the new alerts (empty when there were none).
    notify_job_id: str = ""


def _crossing(today: dt.date) -> Q:
    return Q(status=DeadlineStatus.OPEN, paused=False, next_rung_on__lte=today)


def _insert_alerts(today: dt.date, now: dt.datetime) -> list[tuple[int, int, str]]:
    qn = connection.ops.quote_name
    alert = qn(Alert._meta.db_table)
    deadline = qn(Deadline._meta.db_table)
    rung_date = qn(DeadlineRungDate._meta.db_table)
    # Table names come from model metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {alert} (deadline_id, rung, due_date, rung_on, fired_on, fired_at) "  # noqa: S608
        f"SELECT d.id, r.rung, d.due_date, r.on_date, %s, %s "
        f"FROM {deadline} d JOIN {rung_date} r ON r.deadline_id = d.id "
        f"WHERE d.status = %s AND d.paused = %s AND d.next_rung_on <= %s "
        f"AND r.on_date <= %s AND r.spent = %s "
        f"ORDER BY d.id, r.position "
        f"ON CONFLICT (deadline_id, rung, due_date) DO NOTHING "
        f"RETURNING id, deadline_id, rung"
    )
    day = connection.ops.adapt_datefield_value(today)
    params = [
        day,
        connection.ops.adapt_datetimefield_value(now),
        DeadlineStatus.OPEN.value,
        False,
        day,
        day,
        False,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return sorted((int(pk), int(deadline_id), str(rung)) for pk, deadline_id, rung in rows)


def _advance(today: dt.date, now: dt.datetime) -> int:
    ahead = DeadlineRungDate.objects.filter(deadline=OuterRef("pk"), on_date__gt=today, spent=False).order_by(
        "position"
    )
    reached = (
        DeadlineRungDate.objects.filter(deadline=OuterRef("pk"))
        .filter(Q(on_date__lte=today) | Q(spent=True))
        .order_by("-position")
    )
    return Deadline.objects.filter(_crossing(today)).update(
        next_rung_on=Subquery(ahead.values("on_date")[:1]),
        next_rung=Coalesce(Subquery(ahead.values("rung")[:1]), Value("")),
        last_rung=Coalesce(Subquery(reached.values("rung")[:1]), F("last_rung")),
        updated_at=now,
    )


def deadlines_scan(*, today: dt.date | None = None) -> ScanResult:
    """Fire every rung due by `today` (default: today, Asia/Shanghai) exactly once."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic(durable=True):
        # Waits for deadline writes in flight and keeps new ones out until commit;
        # a second scan waits here and then finds nothing left to fire.
        hold_scan_lock(exclusive=True)
        new = _insert_alerts(today, now)
        advanced = _advance(today, now)
        if not new and not advanced:
            return ScanResult(today=today)
        by_rung: dict[str, int] = {}
        for _pk, _deadline_id, rung in new:
            by_rung[rung] = by_rung.get(rung, 0) + 1
        notify_job_id = _enqueue_notify(new[0][0], new[-1][0]) if new else ""
        audit_record(
            actor=None,
            action="deadline.scan",
            object_type="deadlines.scan",
            object_id=today.isoformat(),
            after={
                "today": today.isoformat(),
                "alerts": len(new),
                "by_rung": by_rung,
                "advanced": advanced,
                "notify_job": notify_job_id,
                "first_alert": new[0][0] if new else None,
                "last_alert": new[-1][0] if new else None,
            },
        )
    return ScanResult(
        today=today,
        alerts=len(new),
        by_rung=by_rung,
        advanced=advanced,
        alert_ids=tuple(pk for pk, _d, _r in new),
        notify_job_id=notify_job_id,
    )


def _enqueue_notify(first_alert_id: int, last_alert_id: int) -> str:
    from .tasks import notify_alerts

    # A scan's alerts are one range of ids: scans run one at a time under the scan lock
    # and nothing else inserts alerts. The job re-reads the range, so a gap is harmless.
    return str(notify_alerts.enqueue(first_alert_id, last_alert_id).id)


def alerts_notify(*, first_alert_id: int, last_alert_id: int) -> int:
    """Tell the recipients of the alerts with ids in [first, last]; what the scan's job
    runs. Safe to run twice: notifications are keyed by alert and recipient. Returns how
    many (alert, recipient) pairs got something new."""
    ids = list(
        Alert.objects.filter(pk__gte=first_alert_id, pk__lte=last_alert_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    told = 0
    for chunk in _chunks(ids, _NOTIFY_CHUNK):
        with transaction.atomic():
            told += _notify(chunk)
    return told


# --- notifications ----------------------------------------------------------------------------


def _render(template: str, params: dict[str, Any]) -> str:
    return gettext(template) % {key: str(value) for key, value in params.items()}


_lazy_render = lazy(_render, str)


@dataclass(frozen=True)
class AlertFacts:
    """What telling people about an alert needs, read as plain columns: a scan may
    fire tens of thousands of alerts, and model instances would cost most of its time."""

    alert_id: int
    rung: str
    due_date: dt.date
    rung_on: dt.date
    deadline_id: int
    kind: str
    object_type: str
    object_id: str
    # The item's name: the stored title, or what its kind calls it in the reader's
    # language (lazy) once `_named` has asked.
    label: str | Promise
    url: str
    owner_id: int | None
    organisation_path: str

    @classmethod
    def of(cls, alert: Alert) -> AlertFacts:
        deadline = alert.deadline
        return cls(
            alert_id=alert.pk,
            rung=alert.rung,
            due_date=alert.due_date,
            rung_on=alert.rung_on,
            deadline_id=deadline.pk,
            kind=deadline.kind,
            object_type=deadline.object_type,
            object_id=deadline.object_id,
            label=str(deadline),
            url=deadline.url,
            owner_id=deadline.owner_id,
            organisation_path=deadline.organisation.path,
        )


_FACT_COLUMNS = (
    "pk",
    "rung",
    "due_date",
    "rung_on",
    "deadline_id",
    "deadline__kind",
    "deadline__title",
    "deadline__object_type",
    "deadline__object_id",
    "deadline__url",
    "deadline__owner_id",
    "deadline__organisation__path",
)


def _facts(alert_ids: Sequence[int]) -> list[AlertFacts]:
    rows = Alert.objects.filter(pk__in=alert_ids).order_by("pk").values_list(*_FACT_COLUMNS)
    return [
        AlertFacts(
            alert_id=pk,
            rung=rung,
            due_date=due_date,
            rung_on=rung_on,
            deadline_id=deadline_id,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            label=deadline_label(title=title, kind=kind, object_type=object_type, object_id=object_id),
            url=url,
            owner_id=owner_id,
            organisation_path=path,
        )
        for (
            pk,
            rung,
            due_date,
            rung_on,
            deadline_id,
            kind,
            title,
            object_type,
            object_id,
            url,
            owner_id,
            path,
        ) in rows
    ]


def _named(facts: list[AlertFacts]) -> list[AlertFacts]:
    """The facts with each item named by its kind where the kind can (one call per kind):
    the names render in each recipient's language, as the rest of the message does."""
    by_kind: dict[str, list[str]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact.object_id)
    titles = {kind: item_titles(kind, sorted(set(ids))) for kind, ids in by_kind.items()}
    return [
        dataclasses.replace(fact, label=titles[fact.kind][fact.object_id])
        if fact.object_id in titles[fact.kind]
        else fact
        for fact in facts
    ]


def alert_subject(facts: AlertFacts) -> Promise | str:
    """The alert's subject, rendered later in each recipient's language."""
    return _lazy_render(
        SUBJECT, {"rung": RungName(facts.rung).label, "title": facts.label, "due": facts.due_date.isoformat()}
    )


def alert_body(facts: AlertFacts) -> Promise | str:
    return _lazy_render(
        BODY,
        {
            "rung": RungName(facts.rung).label,
            "title": facts.label,
            "due": facts.due_date.isoformat(),
            "on": facts.rung_on.isoformat(),
        },
    )


class AlertDirectory:
    """Who to tell by default, looked up once per batch of alerts rather than once per
    alert. Kinds' `recipients_batch` functions use it for the supervisors."""

    def __init__(self) -> None:
        self._heads: list[tuple[str, User]] | None = None
        self._supervisors: list[tuple[tuple[str, ...], User]] | None = None
        self._users: dict[int, User] = {}

    def users(self, ids: Iterable[int]) -> None:
        """Load the given users (the owners of a batch) in one query."""
        missing = sorted({i for i in ids if i not in self._users})
        if missing:
            self._users.update(User.objects.filter(is_active=True).in_bulk(missing))

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            self.users([user_id])
        return self._users.get(user_id)

    def heads(self, path: str) -> list[User]:
        if self._heads is None:
            self._heads = [
                (a.organisation.path, a.user)
                for a in RoleAssignment.objects.filter(
                    role=Role.DEPARTMENT_HEAD, user__is_active=True
                ).select_related("organisation", "user")
                if a.organisation is not None
            ]
        return [user for prefix, user in self._heads if path.startswith(prefix)]

    def supervisors(self, path: str) -> list[User]:
        if self._supervisors is None:
            users = {
                a.user_id: a.user
                for a in RoleAssignment.objects.filter(
                    role=Role.SUPERVISOR, user__is_active=True
                ).select_related("user")
            }
            self._supervisors = [(scope_for(u).paths_for(Role.SUPERVISOR), u) for u in users.values()]
        return [user for paths, user in self._supervisors if any(path.startswith(p) for p in paths)]


def _default_recipients(facts: AlertFacts, directory: AlertDirectory) -> list[User]:
    owner = directory.user(facts.owner_id)
    people = [owner] if owner is not None else []
    if facts.rung in (RungName.REMINDER, RungName.WARNING):
        return people or directory.heads(facts.organisation_path)
    people += directory.heads(facts.organisation_path)
    if facts.rung == RungName.ESCALATION:
        people += directory.supervisors(facts.organisation_path)
    return people


def supervisors_covering(path: str) -> list[User]:
    """Active supervisors whose reach covers the organisation at `path`."""
    return AlertDirectory().supervisors(path)


def default_recipients(alert: Alert) -> list[User]:
    """Who hears of an alert when its kind names no one: the owner (or, without one,
    the department heads) for reminders and warnings; owner and heads for an alarm;
    and the supervisors covering the organisation as well for an escalation. A kind's
    own `recipients` may call this and add people."""
    return _default_recipients(AlertFacts.of(alert), AlertDirectory())


def _chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Alerts told per transaction by the job: a crash loses at most one chunk's work, which
# the job's retry redoes without repeating what was committed.
_NOTIFY_CHUNK = 5000


def _notify(alert_ids: Sequence[int]) -> int:
    if not alert_ids:
        return 0
    directory = AlertDirectory()
    fallback_url = ""
    specs: list[NotificationSpec] = []
    for chunk in _chunks(alert_ids):
        facts = _named(_facts(chunk))
        directory.users(f.owner_id for f in facts if f.owner_id is not None)
        people = _recipients_by_alert(facts, directory)
        for fact in facts:
            recipients = people.get(fact.alert_id) or []
            if not recipients:
                continue
            if not fact.url and not fallback_url:
                fallback_url = reverse("deadlines:alerts")
            urgent = fact.rung in URGENT_RUNGS
            specs.append(
                NotificationSpec(
                    recipients=recipients,
                    event_key=f"deadline-alert:{fact.alert_id}",
                    kind=f"deadline.{fact.rung}",
                    subject=alert_subject(fact),
                    body=alert_body(fact),
                    url=fact.url or fallback_url,
                    urgent=urgent,
                    digest=not urgent,
                    channels=("inbox", "email") if urgent else ("inbox",),
                )
            )
    return notify_many(specs)


def _recipients_by_alert(facts: Sequence[AlertFacts], directory: AlertDirectory) -> dict[int, Sequence[User]]:
    """Who hears of each alert: a kind's batch function once per kind and chunk, a kind's
    per-alert function once per alert, else the default rule."""
    people: dict[int, Sequence[User]] = {}
    by_kind: dict[str, list[AlertFacts]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    for kind, group in by_kind.items():
        ladder = find_ladder(kind)
        if ladder is not None and ladder.recipients_batch is not None:
            people.update(ladder.recipients_batch(group))
        elif ladder is not None and ladder.recipients is not None:
            alerts = Alert.objects.select_related(
                "deadline", "deadline__organisation", "deadline__owner"
            ).in_bulk([f.alert_id for f in group])
            for fact in group:
                people[fact.alert_id] = list(ladder.recipients(alerts[fact.alert_id]))
        else:
            for fact in group:
                people[fact.alert_id] = _default_recipients(fact, directory)
    return people
