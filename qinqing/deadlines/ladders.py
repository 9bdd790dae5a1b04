"""The ladders, declared in code per kind of tracked item.

An app declares its kind once, at import time (in its `apps.py` `ready()` or a module
imported from there):

    register_ladder(
        "policies.step",
        label=_("Approval step"),
        rungs=[
            Rung(RungName.REMINDER, -2, DayUnit.WORKING),
            Rung(RungName.WARNING, 0, DayUnit.WORKING),
            Rung(RungName.ALARM, 1, DayUnit.WORKING),
            Rung(RungName.ESCALATION, 3, DayUnit.WORKING),
        ],
        recipients=step_alert_recipients,   # optional: Callable[[Alert], Iterable[User]]
        # or recipients_batch=..., Callable[[Sequence[AlertFacts]], Mapping[int, Sequence[User]]]
        titles=step_titles,  # optional: Callable[[Sequence[str]], Mapping[str, str | Promise]]
    )

`titles` names items in the reader's language: given object ids of the kind, their
names (lazy translations welcome), for the alerts page, its export, the API and the
alert messages. A deadline's stored `title` is written once, in the language of whoever
opened it; it stays the name of last resort (and of items `titles` no longer finds).

An offset counts from the due date: negative before it, 0 on it, positive after it.
Admins may replace a kind's rungs (`LadderOverride`), and a single item may carry its
own (`Deadline.ladder_override`); both use the JSON form
`[{"name": "warning", "offset": -3, "unit": "working"}, ...]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ValidationFailed
from qinqing.workdays.calendar import DayUnit, WorkCalendar

from .models import SEVERITY, RungName

if TYPE_CHECKING:
    from qinqing.accounts.models import User

    from .models import Alert
    from .scan import AlertFacts

# A rung more than ten years from its due date is a typing mistake.
MAX_OFFSET = 3660


@dataclass(frozen=True)
class Rung:
    name: str
    offset: int
    unit: str = DayUnit.WORKING

    def as_json(self) -> dict[str, Any]:
        return {"name": str(self.name), "offset": self.offset, "unit": str(self.unit)}


Recipients = Callable[["Alert"], Iterable["User"]]
# The batch form: given the facts of many alerts of one kind (`scan.AlertFacts`), who
# hears of each, by alert id. Preferred for kinds with many items: a scan may fire tens
# of thousands of alerts, and a query per alert would cost most of the notification job.
BatchRecipients = Callable[[Sequence["AlertFacts"]], Mapping[int, Sequence["User"]]]
# Object ids of one kind → their names; ids it does not know are left out.
Titles = Callable[[Sequence[str]], Mapping[str, "Promise | str"]]


@dataclass(frozen=True)
class Ladder:
    kind: str
    label: Promise | str
    rungs: tuple[Rung, ...]
    recipients: Recipients | None
    clock_unit: str
    recipients_batch: BatchRecipients | None = None
    titles: Titles | None = None


_LADDERS: dict[str, Ladder] = {}


def validate_rungs(rungs: Sequence[Rung]) -> tuple[Rung, ...]:
    """Check a ladder: 1 to 4 rungs, each name once, known units, sane offsets."""
    if not rungs:
        raise ValidationFailed(fields={"rungs": [str(_("A ladder needs at least one rung."))]})
    seen: set[str] = set()
    errors: list[str] = []
    for rung in rungs:
        if rung.name not in SEVERITY:
            errors.append(str(_("Unknown rung: %(name)s.") % {"name": rung.name}))
        elif rung.name in seen:
            errors.append(str(_("Each rung may appear once: %(name)s.") % {"name": rung.name}))
        seen.add(rung.name)
        if rung.unit not in DayUnit.values:
            errors.append(str(_("A rung counts calendar or working days.")))
        if isinstance(rung.offset, bool) or not isinstance(rung.offset, int) or abs(rung.offset) > MAX_OFFSET:
            errors.append(
                str(_("A rung's offset is a whole number of days within ten years of the due date."))
            )
    if errors:
        raise ValidationFailed(fields={"rungs": errors})
    return tuple(Rung(str(r.name), r.offset, str(r.unit)) for r in rungs)


def rungs_from_json(value: Any) -> tuple[Rung, ...]:
    """Parse and validate the JSON form of a ladder (an admin's or an item's)."""
    if not isinstance(value, list):
        raise ValidationFailed(fields={"rungs": [str(_("Give the rungs as a list."))]})
    rungs: list[Rung] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"name", "offset", "unit"} or "name" not in item:
            raise ValidationFailed(
                fields={"rungs": [str(_('Each rung is {"name": ..., "offset": ..., "unit": ...}.'))]}
            )
        rungs.append(Rung(str(item["name"]), item.get("offset", 0), item.get("unit", DayUnit.WORKING)))
    return validate_rungs(rungs)


def register_ladder(
    kind: str,
    *,
    rungs: Sequence[Rung],
    recipients: Recipients | None = None,
    label: Promise | str | None = None,
    clock_unit: str = DayUnit.WORKING,
    recipients_batch: BatchRecipients | None = None,
    titles: Titles | None = None,
) -> Ladder:
    """Declare the ladder of one kind of item. Registering the same kind again replaces
    it (modules may be imported twice; tests register their own kinds)."""
    if not kind or len(kind) > 64:
        raise ValueError("a ladder kind is 1 to 64 characters")
    if clock_unit not in DayUnit.values:
        raise ValueError(f"unknown clock unit {clock_unit!r}")
    ladder = Ladder(
        kind=kind,
        label=label if label is not None else kind,
        rungs=validate_rungs(rungs),
        recipients=recipients,
        clock_unit=str(clock_unit),
        recipients_batch=recipients_batch,
        titles=titles,
    )
    _LADDERS[kind] = ladder
    return ladder


def unregister_ladder(kind: str) -> None:
    _LADDERS.pop(kind, None)


def get_ladder(kind: str) -> Ladder:
    try:
        return _LADDERS[kind]
    except KeyError:
        raise ValidationFailed(
            fields={"kind": [str(_("No ladder is declared for %(kind)s.") % {"kind": kind})]}
        ) from None


def find_ladder(kind: str) -> Ladder | None:
    return _LADDERS.get(kind)


def registered_ladders() -> list[Ladder]:
    return sorted(_LADDERS.values(), key=lambda ladder: ladder.kind)


def item_titles(kind: str, object_ids: Sequence[str]) -> Mapping[str, Promise | str]:
    """The names the kind gives these items (lazy where it can), or none."""
    ladder = _LADDERS.get(kind)
    if ladder is None or ladder.titles is None or not object_ids:
        return {}
    return ladder.titles(object_ids)


def effective_rungs(kind: str, *, item_override: Any = None, kind_override: Any = None) -> tuple[Rung, ...]:
    """The rungs that apply: the item's own, else the admin's for the kind, else the
    code's. Overrides are passed in (JSON) so that callers control the queries."""
    if item_override:
        return rungs_from_json(item_override)
    if kind_override:
        return rungs_from_json(kind_override)
    return get_ladder(kind).rungs


@dataclass(frozen=True)
class RungDate:
    rung: str
    position: int
    on_date: dt.date


def rung_dates(rungs: Sequence[Rung], due_date: dt.date, calendar: WorkCalendar) -> list[RungDate]:
    """Where each rung falls for `due_date`, in the order they fall (ties: the milder
    rung first). Working-day rungs need the due date's year (and any year crossed)
    in the calendar; otherwise `CalendarYearNotSeeded` is raised."""
    dated = [(calendar.add_days(due_date, r.offset, r.unit), SEVERITY[r.name], r.name) for r in rungs]
    dated.sort()
    return [RungDate(rung=name, position=i, on_date=on) for i, (on, _rank, name) in enumerate(dated)]


__all__ = [
    "BatchRecipients",
    "Ladder",
    "Rung",
    "RungDate",
    "RungName",
    "Titles",
    "effective_rungs",
    "find_ladder",
    "get_ladder",
    "item_titles",
    "register_ladder",
    "registered_ladders",
    "rung_dates",
    "rungs_from_json",
    "unregister_ladder",
    "validate_rungs",
]
