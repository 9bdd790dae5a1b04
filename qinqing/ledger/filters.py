"""The problem list's filters (also the dashboard's period and area, and its
drill-down links): read from a query string, written back to one, applied to a
queryset of problems. Shared by the office pages and the dashboard's snapshot service,
which rebuilds a viewer's query from them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind
from qinqing.accounts.scoping import subtree_q

from . import selectors
from .models import (
    RECTIFIED_STATUSES,
    Category,
    Channel,
    Institutional,
    Problem,
    ProblemStatus,
    Severity,
)


def local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


CITY_LEVEL = "city"
# Statuses the list filters by beside the stored ones.
STATUS_GROUPS = ("open", "rectified")


def clean_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


_LINK_MARK = "QQLINKMARK"


@dataclass(frozen=True)
class ProblemFilters:
    """The problem list's filters, read from the query string. What cannot be read is
    dropped (a hand-edited link shows everything rather than an error page); the
    dashboard's drill-down links are made of the same fields."""

    q: str = ""
    status: str = ""
    channel: str = ""
    category: str = ""
    severity: str = ""
    institutional: str = ""
    campaign: str = ""
    department: str = ""
    walk: str = ""
    area: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    flagged: bool = False
    reopened: bool = False

    @classmethod
    def from_query(cls, params: Any) -> ProblemFilters:
        def choice(name: str, values: Any) -> str:
            value = str(params.get(name, ""))
            return value if value in values else ""

        date_from = _date(params.get("from", ""))
        date_to = _date(params.get("to", ""))
        if date_from and date_to and date_to < date_from:
            date_from, date_to = date_to, date_from
        area = str(params.get("area", ""))
        return cls(
            q=str(params.get("q", "")).strip()[:100],
            status=choice("status", [*STATUS_GROUPS, *ProblemStatus.values]),
            channel=choice("channel", Channel.values),
            category=choice("category", Category.values),
            severity=choice("severity", Severity.values),
            institutional=choice("institutional", [v for v in Institutional.values if v]),
            campaign=clean_uuid(str(params.get("campaign", ""))),
            department=clean_uuid(str(params.get("department", ""))),
            walk=clean_uuid(str(params.get("walk", ""))),
            area=area if area == CITY_LEVEL else clean_uuid(area),
            date_from=date_from,
            date_to=date_to,
            overdue=params.get("overdue", "") == "1",
            flagged=params.get("flagged", "") == "1",
            reopened=params.get("reopened", "") == "1",
        )

    def with_(self, **changes: Any) -> ProblemFilters:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return ProblemFilters(**values)

    def pairs(self) -> list[tuple[str, str]]:
        out = [
            ("q", self.q),
            ("status", self.status),
            ("channel", self.channel),
            ("category", self.category),
            ("severity", self.severity),
            ("institutional", self.institutional),
            ("campaign", self.campaign),
            ("department", self.department),
            ("walk", self.walk),
            ("area", self.area),
            ("from", self.date_from.isoformat() if self.date_from else ""),
            ("to", self.date_to.isoformat() if self.date_to else ""),
            ("overdue", "1" if self.overdue else ""),
            ("flagged", "1" if self.flagged else ""),
            ("reopened", "1" if self.reopened else ""),
        ]
        return [(k, v) for k, v in out if v]

    def query(self) -> str:
        return urlencode(self.pairs())

    def list_url(self, **changes: Any) -> str:
        query = self.with_(**changes).query() if changes else self.query()
        url = reverse("ledger:problems")
        return f"{url}?{query}" if query else url

    def list_url_for(self, name: str, **changes: Any) -> Callable[[str], str]:
        """`list_url` with field `name` (and `changes`) set, as a function of the value:
        the link is made once around a mark and each value put in its place (the same
        URL `list_url` gives, at the cost of a string join; the dashboard makes
        hundreds)."""
        head, _mark, tail = self.list_url(**changes, **{name: _LINK_MARK}).partition(_LINK_MARK)
        return lambda value: f"{head}{quote_plus(str(value))}{tail}"

    def apply(self, user: Any) -> QuerySet[Problem]:
        """The visible problems these filters leave, through `selectors.problem_list`."""
        plain = {
            "q": self.q,
            "status": self.status if self.status != "rectified" else "",
            "channel": self.channel,
            "category": self.category,
            "severity": self.severity,
            "institutional": self.institutional,
            "campaign": self.campaign,
            "department": self.department,
            "overdue": self.overdue,
        }
        qs = selectors.problem_list(user, filters=plain)
        return self.narrow(qs)

    def narrow(self, qs: QuerySet[Problem]) -> QuerySet[Problem]:
        """The filters `problem_list` does not know: area, period, walk-through, flags."""
        if self.status == "rectified":
            qs = qs.filter(status__in=RECTIFIED_STATUSES)
        if self.walk:
            qs = qs.filter(walk_through__public_id=self.walk)
        if self.area == CITY_LEVEL:
            districts = Organisation.objects.filter(kind=OrganisationKind.DISTRICT).values_list(
                "path", flat=True
            )
            qs = qs.exclude(subtree_q("organisation__path", list(districts)))
        elif self.area:
            district = Organisation.objects.filter(public_id=self.area).values_list("path", flat=True).first()
            qs = qs.filter(organisation__path__startswith=district) if district else qs.none()
        if self.date_from:
            qs = qs.filter(registered_at__gte=local_start(self.date_from))
        if self.date_to:
            qs = qs.filter(registered_at__lt=local_start(self.date_to + dt.timedelta(days=1)))
        if self.flagged:
            qs = qs.filter(withdrawal_flagged=True)
        if self.reopened:
            qs = qs.filter(reopen_count__gt=0)
        return qs


# How many working days before its due date a problem counts as near.
NEAR_WORKING_DAYS = 2


def near_until(today: dt.date) -> dt.date:
    """The last day counted as near: NEAR_WORKING_DAYS working days from today (calendar
    days where the calendar does not know the year yet)."""
    from qinqing.workdays.calendar import CalendarYearNotSeeded, add_working_days

    try:
        return add_working_days(today, NEAR_WORKING_DAYS)
    except CalendarYearNotSeeded:
        return today + dt.timedelta(days=NEAR_WORKING_DAYS)


def shown_in_queue(listed: QuerySet[Problem], show: str | None, today: dt.date) -> QuerySet[Problem]:
    """The department's queue as its "show" filter narrows it (the page, its export and
    the API): `over` past the due date, `near` due within NEAR_WORKING_DAYS working days."""
    if show == "over":
        return listed.filter(due_date__lt=today)
    if show == "near":
        return listed.filter(due_date__gte=today, due_date__lte=near_until(today))
    return listed
