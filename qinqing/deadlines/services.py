"""The life of a deadline: open, move, pause, resume, close; and the admins' ladder
overrides. The daily scan lives in `scan.py` (`deadlines_scan`).

These services are building blocks for other apps' workflows (an approval step opens
and closes its deadline), so they join the caller's transaction rather than demand a
durable one. Each writes its audit event in that transaction.

Against the scan, every write here first takes a shared lock that the scan takes
exclusively (PostgreSQL advisory lock; SQLite's IMMEDIATE transactions already
serialise writers): a scan then sees no deadline change half-way through its
statements, so no rung can be skipped or fired twice by a race with a move.

Each write that computes rung dates also sets `Deadline.provisional`: whether the
item's dates reach into a provisional calendar year. An edit of the calendar enqueues
the `reladder` job for the years edited (`calendar_changed`, see receivers.py), which
recomputes the items reaching into them (`deadlines_reladder_years`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, User
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import (
    ApplicationError,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from qinqing.workdays.calendar import CalendarYearNotSeeded, DayUnit, WorkCalendar, current_calendar

from .ladders import Rung, RungDate, effective_rungs, get_ladder, rung_dates, rungs_from_json
from .models import (
    SEVERITY,
    STATUS_TRANSITIONS,
    Alert,
    Deadline,
    DeadlinePause,
    DeadlineRungDate,
    DeadlineStatus,
    LadderOverride,
)

# PostgreSQL advisory lock key shared by deadline writes (shared) and the scan
# (exclusive); the bytes spell "qqdlscan".
SCAN_LOCK_KEY = 0x7171_646C_7363_616E


def hold_scan_lock(*, exclusive: bool = False) -> None:
    """Take the deadline/scan lock for the rest of the current transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("the scan lock is held by a transaction; call inside transaction.atomic()")
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [SCAN_LOCK_KEY])


def lock_deadline(deadline_id: int) -> Deadline:
    deadline = Deadline.objects.select_for_update().filter(pk=deadline_id).first()
    if deadline is None:
        raise NotFound()
    return deadline


def _kind_override(kind: str) -> Any:
    return LadderOverride.objects.filter(kind=kind).values_list("rungs", flat=True).first()


def _rungs_for(deadline: Deadline) -> tuple[Rung, ...]:
    return effective_rungs(
        deadline.kind, item_override=deadline.ladder_override, kind_override=_kind_override(deadline.kind)
    )


def _write_rungs(
    deadline: Deadline,
    rungs: tuple[Rung, ...],
    calendar: WorkCalendar,
    *,
    spent: frozenset[str] = frozenset(),
    fresh: bool = False,
) -> None:
    """Replace the item's rung dates for its current due date, point `next_rung` at
    the earliest one not yet fired, and set `provisional`. A rung already due fires at
    the next scan. `fresh`: the item has no rung dates yet (just opened)."""
    dates = rung_dates(rungs, deadline.due_date, calendar)
    deadline.provisional = _is_provisional(deadline.due_date, dates, calendar)
    if not fresh:
        DeadlineRungDate.objects.filter(deadline=deadline).delete()
    DeadlineRungDate.objects.bulk_create(
        [
            DeadlineRungDate(
                deadline=deadline, rung=d.rung, position=d.position, on_date=d.on_date, spent=d.rung in spent
            )
            for d in dates
        ]
    )
    upcoming = [d for d in dates if d.rung not in spent]
    if upcoming and deadline.status == DeadlineStatus.OPEN:
        deadline.next_rung, deadline.next_rung_on = upcoming[0].rung, upcoming[0].on_date
    else:
        deadline.next_rung, deadline.next_rung_on = "", None


def _is_provisional(due_date: dt.date, dates: Sequence[RungDate], calendar: WorkCalendar) -> bool:
    """Whether the due date or a rung date lies in, or the dates span, a provisional
    year. The due date counts too: its caller may have counted it in working days."""
    span = [due_date, *(d.on_date for d in dates)]
    return bool(calendar.provisional_years_between(min(span), max(span)))


def _state(deadline: Deadline) -> dict[str, Any]:
    return {
        "due_date": deadline.due_date.isoformat(),
        "status": deadline.status,
        "paused": deadline.paused,
        "last_rung": deadline.last_rung,
        "next_rung": deadline.next_rung,
        "next_rung_on": deadline.next_rung_on.isoformat() if deadline.next_rung_on else None,
        "provisional": deadline.provisional,
    }


def _require_open(deadline: Deadline) -> None:
    if deadline.status != DeadlineStatus.OPEN:
        raise InvalidTransition(_("This deadline is closed."))


def _today() -> dt.date:
    return timezone.localdate()


def deadline_open(
    *,
    actor: Any,
    kind: str,
    object_type: str,
    object_id: str | int,
    organisation: Organisation,
    due_date: dt.date,
    owner: User | None = None,
    title: str = "",
    url: str = "",
    ladder_override: list[dict[str, Any]] | None = None,
) -> Deadline:
    """Start tracking a record's due date with the ladder of `kind`.

    One open deadline per (kind, record): opening a second raises Conflict. Rungs whose
    date has already come fire at the next scan. Raises CalendarYearNotSeeded when a
    working-day rung falls in a year the calendar does not know; an item whose dates
    reach into a provisional year opens marked `provisional`.
    """
    ladder = get_ladder(kind)
    rungs = rungs_from_json(ladder_override) if ladder_override else None
    if len(title) > 200 or len(url) > 500 or not object_type or len(str(object_id)) > 64:
        raise ValidationFailed(_("The record's type, id, title or link is too long or missing."))
    calendar = current_calendar()
    with transaction.atomic():
        hold_scan_lock()
        if Deadline.objects.filter(
            kind=kind, object_type=object_type, object_id=str(object_id), status=DeadlineStatus.OPEN
        ).exists():
            raise Conflict(
                _("This record already has an open deadline of this kind."), code="deadline_exists"
            )
        deadline = Deadline(
            kind=kind,
            object_type=object_type,
            object_id=str(object_id),
            organisation=organisation,
            owner=owner,
            title=title,
            url=url,
            due_date=due_date,
            original_due_date=due_date,
            clock_unit=ladder.clock_unit,
            ladder_override=[r.as_json() for r in rungs] if rungs else None,
        )
        try:
            with transaction.atomic():
                deadline.save()
        except IntegrityError as exc:
            raise Conflict(
                _("This record already has an open deadline of this kind."), code="deadline_exists"
            ) from exc
        _write_rungs(deadline, rungs or _rungs_for(deadline), calendar, fresh=True)
        deadline.save(update_fields=["next_rung", "next_rung_on", "provisional", "updated_at"])
        audit_record(
            actor=actor,
            action="deadline.open",
            obj=deadline,
            organisation=organisation,
            after={
                "kind": kind,
                "object_type": object_type,
                "object_id": str(object_id),
                "owner": owner.pk if owner else None,
                **_state(deadline),
            },
        )
    return deadline


def deadline_move(*, actor: Any, deadline: Deadline, due_date: dt.date, reason: str) -> Deadline:
    """Give the item a new due date. The ladder restarts for it: alerts are kept per
    due date, so each rung fires again (once) for the new date; rungs of the new date
    that have already come fire at the next scan. The old alerts stay as they were."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [str(_("Say why the due date moves."))]})
    calendar = current_calendar()
    with transaction.atomic():
        hold_scan_lock()
        locked = lock_deadline(deadline.pk)
        _require_open(locked)
        if locked.paused:
            # A resume pushes the due date by the days stopped; a date set meanwhile
            # would be pushed too. Resume first, then move.
            raise InvalidTransition(_("Restart the clock before moving the due date."))
        if due_date == locked.due_date:
            raise ValidationFailed(fields={"due_date": [str(_("This is already the due date."))]})
        before = _state(locked)
        locked.due_date = due_date
        locked.last_rung = ""
        _write_rungs(locked, _rungs_for(locked), calendar)
        locked.save(
            update_fields=["due_date", "last_rung", "next_rung", "next_rung_on", "provisional", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="deadline.move",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "reason": reason},
        )
    return locked


def deadline_hand_over(*, actor: Any, deadline: Deadline, owner: User | None, reason: str = "") -> Deadline:
    """Another person answers for an open deadline from now on: its next warnings and
    alarms go to them. Nothing changes (and nothing is recorded) if they already do."""
    with transaction.atomic():
        locked = lock_deadline(deadline.pk)
        _require_open(locked)
        before = locked.owner_id
        after = owner.pk if owner is not None else None
        if before == after:
            return locked
        locked.owner = owner
        locked.save(update_fields=["owner", "updated_at"])
        audit_record(
            actor=actor,
            action="deadline.hand_over",
            obj=locked,
            organisation=locked.organisation_id,
            before={"owner": before},
            after={"owner": after, "reason": reason},
        )
    return locked


def deadline_close(*, actor: Any, deadline: Deadline, status: str, reason: str = "") -> Deadline:
    """Close an item as met or cancelled; it climbs no further. An open pause ends."""
    if status not in STATUS_TRANSITIONS[DeadlineStatus.OPEN]:
        raise ValidationFailed(fields={"status": [str(_("Close a deadline as met or cancelled."))]})
    with transaction.atomic():
        hold_scan_lock()
        locked = lock_deadline(deadline.pk)
        if status not in STATUS_TRANSITIONS.get(locked.status, frozenset()):
            raise InvalidTransition(_("This deadline is closed."))
        before = _state(locked)
        if locked.paused:
            DeadlinePause.objects.filter(deadline=locked, end__isnull=True).update(
                end=max(_today(), _open_pause_start(locked)),
                resumed_by=_user_or_none(actor),
                updated_at=timezone.now(),
            )
        locked.status = status
        locked.paused = False
        locked.next_rung, locked.next_rung_on = "", None
        locked.closed_at = timezone.now()
        locked.save(
            update_fields=["status", "paused", "next_rung", "next_rung_on", "closed_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="deadline.close",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "reason": reason.strip()},
        )
    return locked


def _open_pause_start(deadline: Deadline) -> dt.date:
    start = (
        DeadlinePause.objects.filter(deadline=deadline, end__isnull=True)
        .values_list("start", flat=True)
        .first()
    )
    return start or _today()


def _user_or_none(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def deadline_pause(
    *, actor: Any, deadline: Deadline, reason: str, start: dt.date | None = None
) -> DeadlinePause:
    """Stop the clock from `start` (default today): the item neither climbs nor counts
    until resumed."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [str(_("Say why the clock stops."))]})
    if len(reason) > 500:
        raise ValidationFailed(fields={"reason": [str(_("At most 500 characters."))]})
    today = _today()
    start = start or today
    if start > today:
        raise ValidationFailed(fields={"start": [str(_("A pause cannot start in the future."))]})
    with transaction.atomic():
        hold_scan_lock()
        locked = lock_deadline(deadline.pk)
        _require_open(locked)
        if locked.paused:
            raise InvalidTransition(_("The clock of this deadline is already stopped."))
        last_end = (
            DeadlinePause.objects.filter(deadline=locked, end__isnull=False)
            .order_by("-end")
            .values_list("end", flat=True)
            .first()
        )
        if last_end is not None and start < last_end:
            raise ValidationFailed(
                fields={"start": [str(_("A pause cannot start before the previous one ended."))]}
            )
        before = _state(locked)
        pause = DeadlinePause.objects.create(
            deadline=locked, start=start, reason=reason, paused_by=_user_or_none(actor)
        )
        locked.paused = True
        locked.save(update_fields=["paused", "updated_at"])
        audit_record(
            actor=actor,
            action="deadline.pause",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "pause": pause.pk, "start": start.isoformat(), "reason": reason},
        )
    return pause


def paused_days(calendar: WorkCalendar, start: dt.date, end: dt.date, unit: str) -> int:
    """Days the clock stood still in [start, end), counted in `unit`."""
    if end <= start:
        return 0
    if unit == DayUnit.CALENDAR:
        return (end - start).days
    return len(calendar.working_days_in(start, end - dt.timedelta(days=1)))


def deadline_resume(*, actor: Any, deadline: Deadline, end: dt.date | None = None) -> Deadline:
    """Restart the clock on `end` (default today). The due date moves by the days the
    clock stood still (working or calendar days, as the item counts), the push is
    recorded on the pause, and rungs that fired before the pause do not fire again."""
    today = _today()
    end = end or today
    if end > today:
        raise ValidationFailed(fields={"end": [str(_("The clock cannot restart in the future."))]})
    calendar = current_calendar()
    with transaction.atomic():
        hold_scan_lock()
        locked = lock_deadline(deadline.pk)
        _require_open(locked)
        pause = DeadlinePause.objects.select_for_update().filter(deadline=locked, end__isnull=True).first()
        if not locked.paused or pause is None:
            raise InvalidTransition(_("The clock of this deadline is running."))
        if end < pause.start:
            raise ValidationFailed(fields={"end": [str(_("The clock cannot restart before it stopped."))]})
        before = _state(locked)
        pushed = paused_days(calendar, pause.start, end, locked.clock_unit)
        fired = set(
            Alert.objects.filter(deadline=locked, due_date=locked.due_date).values_list("rung", flat=True)
        )
        fired |= set(
            DeadlineRungDate.objects.filter(deadline=locked, spent=True).values_list("rung", flat=True)
        )
        locked.due_date = calendar.add_days(locked.due_date, pushed, locked.clock_unit)
        locked.paused = False
        _write_rungs(locked, _rungs_for(locked), calendar, spent=frozenset(fired))
        locked.save(
            update_fields=["due_date", "paused", "next_rung", "next_rung_on", "provisional", "updated_at"]
        )
        pause.end = end
        pause.pushed_days = pushed
        pause.pushed_unit = locked.clock_unit
        pause.resumed_by = _user_or_none(actor)
        pause.save(update_fields=["end", "pushed_days", "pushed_unit", "resumed_by", "updated_at"])
        audit_record(
            actor=actor,
            action="deadline.resume",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={
                **_state(locked),
                "pause": pause.pk,
                "end": end.isoformat(),
                "pushed_days": pushed,
                "pushed_unit": locked.clock_unit,
            },
        )
    return locked


# --- admins' ladder overrides ------------------------------------------------------------


def _require_admin(actor: Any) -> None:
    if not scope_for(actor).is_admin:
        raise PermissionDenied(_("Only an administrator may change a ladder."))


def ladder_override_set(
    *, actor: Any, kind: str, rungs: list[dict[str, Any]], note: str = ""
) -> LadderOverride:
    """Replace the rungs of `kind` for every item without its own. Open items get
    their rung dates recomputed by the `reladder` job after commit."""
    _require_admin(actor)
    get_ladder(kind)
    parsed = rungs_from_json(rungs)
    note = note.strip()
    if len(note) > 300:
        raise ValidationFailed(fields={"note": [str(_("At most 300 characters."))]})
    with transaction.atomic():
        override = LadderOverride.objects.select_for_update().filter(kind=kind).first()
        before = {"rungs": override.rungs, "note": override.note} if override else None
        value = [r.as_json() for r in parsed]
        if override is None:
            override = LadderOverride.objects.create(
                kind=kind, rungs=value, note=note, updated_by=_user_or_none(actor)
            )
        else:
            override.rungs, override.note, override.updated_by = value, note, _user_or_none(actor)
            override.save(update_fields=["rungs", "note", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="deadline.ladder.override",
            obj=override,
            before=before,
            after={"rungs": value, "note": note},
        )
        _enqueue_reladder(kind)
    return override


def ladder_override_clear(*, actor: Any, kind: str) -> None:
    """Return `kind` to the rungs declared in code."""
    _require_admin(actor)
    with transaction.atomic():
        override = LadderOverride.objects.select_for_update().filter(kind=kind).first()
        if override is None:
            return
        before = {"rungs": override.rungs, "note": override.note}
        pk = override.pk
        override.delete()
        audit_record(
            actor=actor,
            action="deadline.ladder.clear",
            object_type=LadderOverride._meta.label_lower,
            object_id=pk,
            before=before,
            after={"kind": kind},
        )
        _enqueue_reladder(kind)


def _enqueue_reladder(kind: str) -> None:
    from .tasks import reladder

    transaction.on_commit(lambda: reladder.enqueue(kind=kind))


def _rungs_done(batch: Sequence[Deadline]) -> dict[int, frozenset[str]]:
    """Per item, the rungs that fired for its current due date or were spent before:
    a recomputation must not fire them again."""
    ids = [d.pk for d in batch]
    fired = set(Alert.objects.filter(deadline__in=ids).values_list("deadline_id", "due_date", "rung"))
    spent = set(
        DeadlineRungDate.objects.filter(deadline__in=ids, spent=True).values_list("deadline_id", "rung")
    )
    return {
        d.pk: frozenset(
            rung for rung in SEVERITY if (d.pk, d.due_date, rung) in fired or (d.pk, rung) in spent
        )
        for d in batch
    }


def deadlines_reladder(*, kind: str, batch_size: int = 500) -> int:
    """Recompute the rung dates of the open items of `kind` after its ladder changed;
    returns how many items were recomputed. Rungs already fired for an item's due date
    stay fired. An item whose new rungs fall in a year the calendar does not know keeps
    its old dates (counted as skipped in the audit event). Safe to run twice; each
    batch is its own transaction."""
    calendar = current_calendar()
    done = 0
    last_id = 0
    while True:
        with transaction.atomic():
            hold_scan_lock()
            batch = list(
                Deadline.objects.select_for_update()
                .filter(kind=kind, status=DeadlineStatus.OPEN, ladder_override__isnull=True, pk__gt=last_id)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return done
            kind_rungs = effective_rungs(kind, kind_override=_kind_override(kind))
            ids = [d.pk for d in batch]
            done_rungs = _rungs_done(batch)
            skipped: list[int] = []
            for deadline in batch:
                try:
                    _write_rungs(deadline, kind_rungs, calendar, spent=done_rungs[deadline.pk])
                except CalendarYearNotSeeded:
                    skipped.append(deadline.pk)
                    continue
                deadline.save(update_fields=["next_rung", "next_rung_on", "provisional", "updated_at"])
            audit_record(
                actor=None,
                action="deadline.reladder",
                object_type="deadlines.kind",
                object_id=kind[:64],
                after={"deadlines": ids[:50], "count": len(batch), "skipped": skipped[:50]},
            )
            done += len(batch) - len(skipped)
            last_id = batch[-1].pk


def _reaching_into(year: int) -> Q:
    """Items whose due date or a rung date lies in `year`, or whose dates span it."""
    lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rungs = DeadlineRungDate.objects.filter(deadline=OuterRef("pk"))
    return (
        Q(due_date__range=(lo, hi))
        | Q(Exists(rungs.filter(on_date__range=(lo, hi))))
        | Q(Q(due_date__lt=lo), Exists(rungs.filter(on_date__gt=hi)))
        | Q(Q(due_date__gt=hi), Exists(rungs.filter(on_date__lt=lo)))
    )


def _rung_map(pairs: Sequence[tuple[str, dt.date]]) -> dict[str, str]:
    return {rung: on.isoformat() for rung, on in pairs}


def deadlines_reladder_years(*, years: Sequence[int], batch_size: int = 500) -> int:
    """Recompute the rung dates and the `provisional` mark of every open item whose
    dates reach into one of `years`, after the calendar of those years changed (a
    provisional year marked complete, a day entered or changed); returns how many items
    changed. Each changed item gets a `deadline.reladder.calendar` audit event with its
    dates before and after. Rungs already fired for an item's due date stay fired. The
    due date itself is kept: whoever computed it recomputes it (see
    `qinqing.workdays.calendar`). An item whose rungs now fall in a year the calendar
    does not know (the year was withdrawn), or whose kind is no longer declared, keeps
    its dates and is audited as skipped. Safe to run twice; each batch is its own
    transaction."""
    wanted = sorted(set(years))
    if not wanted:
        return 0
    # This job runs in a worker whose snapshot may predate the edit by a few seconds.
    calendar = current_calendar(max_age=0)
    reaching = Q()
    for year in wanted:
        reaching |= _reaching_into(year)
    changed = 0
    last_id = 0
    while True:
        with transaction.atomic():
            hold_scan_lock()
            batch = list(
                Deadline.objects.select_for_update()
                .filter(reaching, status=DeadlineStatus.OPEN, pk__gt=last_id)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return changed
            done_rungs = _rungs_done(batch)
            old: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
            for deadline_id, rung, on_date in (
                DeadlineRungDate.objects.filter(deadline__in=[d.pk for d in batch])
                .order_by("deadline_id", "position")
                .values_list("deadline_id", "rung", "on_date")
            ):
                old[deadline_id].append((rung, on_date))
            kind_overrides = dict(
                LadderOverride.objects.filter(kind__in={d.kind for d in batch}).values_list("kind", "rungs")
            )
            for deadline in batch:
                before = {**_state(deadline), "rungs": _rung_map(old[deadline.pk])}
                try:
                    rungs = effective_rungs(
                        deadline.kind,
                        item_override=deadline.ladder_override,
                        kind_override=kind_overrides.get(deadline.kind),
                    )
                    dates = rung_dates(rungs, deadline.due_date, calendar)
                except ApplicationError as exc:
                    audit_record(
                        actor=None,
                        action="deadline.reladder.calendar",
                        obj=deadline,
                        organisation=deadline.organisation_id,
                        before=before,
                        after={"skipped": exc.code, **exc.extra, "calendar_years": wanted},
                    )
                    continue
                unchanged = [(d.rung, d.on_date) for d in dates] == old[deadline.pk]
                if unchanged and _is_provisional(deadline.due_date, dates, calendar) == deadline.provisional:
                    continue
                _write_rungs(deadline, rungs, calendar, spent=done_rungs[deadline.pk])
                deadline.save(update_fields=["next_rung", "next_rung_on", "provisional", "updated_at"])
                audit_record(
                    actor=None,
                    action="deadline.reladder.calendar",
                    obj=deadline,
                    organisation=deadline.organisation_id,
                    before=before,
                    after={
                        **_state(deadline),
                        "rungs": _rung_map([(d.rung, d.on_date) for d in dates]),
                        "calendar_years": wanted,
                        "calendar_revision": calendar.revision,
                    },
                )
                changed += 1
            last_id = batch[-1].pk
