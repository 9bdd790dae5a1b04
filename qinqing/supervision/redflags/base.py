"""What every red flag shares: its kinds and severities, the row a flag reads as, the
settings that tune the flags, and the reach (the supervisor's organisation subtrees)
every query is scoped to."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import PermissionDenied

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FlagKind(models.TextChoices):
    AFTER_HOURS = "after_hours", _("Decided outside working hours")
    SHARED_BANK_ACCOUNT = "shared_bank_account", _("One bank account, several enterprises")
    JUST_UNDER_THRESHOLD = "just_under_threshold", _("Amount just under a threshold")
    RELATED_APPROVER = "related_approver", _("Official related to the enterprise")
    SAME_OFFICIAL_SAME_FIRM = "same_official_same_firm", _("One official, most of an enterprise's cases")
    UNUSUAL_DURATION = "unusual_duration", _("Unusually fast or slow case")


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("red flag severity", "High")
    MEDIUM = "medium", pgettext_lazy("red flag severity", "Medium")
    LOW = "low", pgettext_lazy("red flag severity", "Low")


# --- Settings ----------------------------------------------------------------------------------

DEFAULT_OFFICE_HOURS = ("08:30", "18:00")
DEFAULTS: dict[str, Any] = {
    # Amounts within this share below a threshold (0.05: from 95% of it up to it).
    "threshold_margin": "0.05",
    # One official acting on at least this many of one enterprise's cases…
    "same_official_min_cases": 3,
    # …and on at least this share of them…
    "same_official_min_share": "0.8",
    # …at least this many times their share of all their departments' cases.
    "same_official_min_lift": "1.5",
    # The fastest and the slowest share of a policy's approved cases…
    "duration_share": "0.05",
    # …among at least this many (fewer make no norm).
    "duration_min_cases": 20,
}


@dataclass(frozen=True)
class FlagSettings:
    office_start: dt.time
    office_end: dt.time
    threshold_margin: Decimal
    same_official_min_cases: int
    same_official_min_share: Decimal
    same_official_min_lift: Decimal
    duration_share: Decimal
    duration_min_cases: int

    @property
    def office_start_minute(self) -> int:
        return self.office_start.hour * 60 + self.office_start.minute

    @property
    def office_end_minute(self) -> int:
        return self.office_end.hour * 60 + self.office_end.minute

    @property
    def office_hours(self) -> str:
        return f"{self.office_start:%H:%M}–{self.office_end:%H:%M}"


def _share(name: str, raw: Any, *, upper: Decimal = Decimal(1)) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal(-1)
    if not Decimal(0) < value < upper:
        raise ImproperlyConfigured(f"QINQING_RED_FLAGS[{name!r}] must be a number between 0 and {upper}")
    return value


def _lift(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal(0)
    if not Decimal(1) <= value <= Decimal(100):
        raise ImproperlyConfigured(
            "QINQING_RED_FLAGS['same_official_min_lift'] must be a number from 1 to 100"
        )
    return value


def _count(name: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ImproperlyConfigured(f"QINQING_RED_FLAGS[{name!r}] must be a whole number of at least 1")
    return raw


def _clock(raw: Any) -> dt.time:
    try:
        return dt.time.fromisoformat(str(raw))
    except ValueError as exc:
        raise ImproperlyConfigured(f"QINQING_OFFICE_HOURS: {raw!r} is not a time such as 08:30") from exc


def flag_settings() -> FlagSettings:
    """The flags' tuning, read when asked (never at import): `QINQING_OFFICE_HOURS`
    (start, end) in Beijing time, and `QINQING_RED_FLAGS` overriding `DEFAULTS`."""
    hours = getattr(settings, "QINQING_OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
    if not isinstance(hours, list | tuple) or len(hours) != 2:
        raise ImproperlyConfigured("QINQING_OFFICE_HOURS is a pair (start, end), such as ('08:30', '18:00')")
    start, end = _clock(hours[0]), _clock(hours[1])
    if start >= end:
        raise ImproperlyConfigured("QINQING_OFFICE_HOURS: the office closes before it opens")
    unknown = set(getattr(settings, "QINQING_RED_FLAGS", {})) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"QINQING_RED_FLAGS: unknown settings {sorted(unknown)}")
    values = {**DEFAULTS, **getattr(settings, "QINQING_RED_FLAGS", {})}
    return FlagSettings(
        office_start=start,
        office_end=end,
        threshold_margin=_share("threshold_margin", values["threshold_margin"], upper=Decimal("0.5")),
        same_official_min_cases=_count("same_official_min_cases", values["same_official_min_cases"]),
        same_official_min_share=_share(
            "same_official_min_share", values["same_official_min_share"], upper=Decimal("1.0001")
        ),
        same_official_min_lift=_lift(values["same_official_min_lift"]),
        duration_share=_share("duration_share", values["duration_share"], upper=Decimal("0.5")),
        duration_min_cases=_count("duration_min_cases", values["duration_min_cases"]),
    )


# --- Who reads them, over what -----------------------------------------------------------------


def can_read_red_flags(user: Any) -> bool:
    """Red flags name officials: only supervisors read them (officials, enterprises and
    the administrator do not)."""
    return scope_for(user).is_supervisor


def require_red_flag_reader(user: Any) -> None:
    if not can_read_red_flags(user):
        raise PermissionDenied()


@dataclass
class Reach:
    """One reading of the flags: the supervisor's subtrees (as a supervisor only, not
    through any other role the person holds), an optional department and a period of
    Beijing dates, inclusive. Computed parts are kept for the request."""

    user: Any
    since: dt.date
    until: dt.date
    department: int | None = None
    settings: FlagSettings = field(default_factory=flag_settings)
    cache: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_red_flag_reader(self.user)

    @cached_property
    def paths(self) -> tuple[str, ...]:
        return scope_for(self.user).paths_for(Role.SUPERVISOR)

    def q(self, organisation: str) -> Q:
        """Records whose `organisation` (a foreign key to the tree) lies in reach."""
        condition = subtree_q(f"{organisation}__path", self.paths)
        if self.department is not None:
            condition &= Q(**{f"{organisation}_id": self.department})
        return condition

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.since, dt.time(), tzinfo=SHANGHAI)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (exclusive)."""
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)

    def within(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


# --- What a flag reads as ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRef:
    public_id: UUID
    reference: str

    @property
    def url(self) -> str:
        return reverse("supervision:policy_case", args=[self.public_id])

    @property
    def label(self) -> str:
        return self.reference or str(self.public_id)


@dataclass(frozen=True)
class EnterpriseRef:
    id: int
    name: str
    credit_code: str


@dataclass(frozen=True)
class RedFlag:
    """One flag as the page, the workbook and the API show it. `fact` says in plain
    words what triggered it; `data` holds the same facts as values for machines."""

    kind: str
    severity: str
    fact: str
    # When it happened (the decision, the case's approval), where it has one instant.
    at: dt.datetime | None
    cases: tuple[CaseRef, ...] = ()
    enterprises: tuple[EnterpriseRef, ...] = ()
    official: str = ""
    official_id: int | None = None
    department: str = ""
    policy: str = ""
    # Cases of the flag not listed in `cases` (a long list is cut).
    more_cases: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(FlagKind(self.kind).label)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def at_local(self) -> dt.datetime | None:
        return self.at.astimezone(SHANGHAI) if self.at else None


class Finder(ABC):
    """One kind of flag: how many there are in reach, and one page of them."""

    kind: str

    @abstractmethod
    def count(self, reach: Reach) -> int: ...

    @abstractmethod
    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]: ...


class FlagList:
    """One kind's flags as Django's `Paginator` takes them: counted once, read a page
    (a slice) at a time."""

    def __init__(self, finder: Finder, reach: Reach) -> None:
        self.finder = finder
        self.reach = reach
        self._count: int | None = None

    def known_count(self, count: int) -> None:
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.finder.count(self.reach)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start = index.start or 0
            stop = self.count() if index.stop is None else index.stop
            return self.finder.rows(self.reach, start, max(0, stop - start))
        rows = self.finder.rows(self.reach, index, 1)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[RedFlag]:
        return self.chunks()

    def chunks(self, size: int = 1000) -> Iterator[RedFlag]:
        """Every flag, a page of `size` at a time (for the workbook)."""
        offset = 0
        while True:
            rows = self.finder.rows(self.reach, offset, size)
            yield from rows
            if len(rows) < size:
                return
            offset += size


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SHANGHAI)


def case_ref(public_id: UUID, reference: str | None) -> CaseRef:
    return CaseRef(public_id=public_id, reference=reference or "")
