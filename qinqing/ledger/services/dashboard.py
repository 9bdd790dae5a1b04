"""The dashboard's figures, live while they are cheap and from a snapshot once they are
not.

Over a county's ledger the five aggregates of `figures.figures` take milliseconds and
every view computes them. Over a city's whole ledger (a million problems) they take
seconds; twenty supervisors opening the dashboard would each pay them. So when computing
takes longer than `LEDGER_DASHBOARD_SNAPSHOT_MS`, the result is kept as a
`DashboardSnapshot` under the digest of the problems' query, and later views of the same
query read it (one indexed row) and say as of when. A viewer who finds the snapshot older
than `LEDGER_DASHBOARD_MAX_AGE_SECONDS`, or taken on an earlier day, still sees it at
once, and one job (`refresh_ledger_dashboard`; `refreshing_since` lets a single viewer
claim it) recomputes it in the background. A refresh that finds the figures cheap again
drops the snapshot: the next view is live.

The snapshot is keyed by the query, not by the user: supervisors of one commission share
it, and someone whose reach or filters differ can never be shown another's figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from .. import figures as ledger_figures
from .. import selectors
from ..filters import ProblemFilters
from ..models import DashboardSnapshot, Problem
from .common import now, today

# A claimed refresh that has not finished after this long (a worker died) may be claimed
# again; older snapshots nobody has looked at are deleted when a new one is stored.
REFRESH_CLAIM_SECONDS = 600
KEEP_UNUSED_DAYS = 2


def snapshot_after_seconds() -> float:
    return int(getattr(settings, "LEDGER_DASHBOARD_SNAPSHOT_MS", 300)) / 1000


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "LEDGER_DASHBOARD_MAX_AGE_SECONDS", 300)))


def dashboard_problems(user: Any, query: str) -> QuerySet[Problem]:
    """The problems the dashboard covers for `user` with the filters in `query` (the
    period and area as `ProblemFilters.query()` writes them): those in their office's
    reach, not what they reported themselves."""
    filters = ProblemFilters.from_query(QueryDict(query))
    return filters.narrow(selectors.problems_in_office_reach(user))


def query_key(problems: QuerySet[Problem]) -> str | None:
    """The digest of the problems' SQL and parameters; None for a query that can match
    nothing (Django does not build its SQL)."""
    try:
        sql, params = problems.order_by().query.sql_with_params()
    except EmptyResultSet:
        return None
    text = repr((connection.vendor, sql, tuple(params)))
    return hashlib.sha256(text.encode()).hexdigest()


def _computed(problems: QuerySet[Problem], day: dt.date) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    data = ledger_figures.figures(problems, day)
    return data, time.perf_counter() - started


class DashboardFigures(NamedTuple):
    """`data`: the figures, labelled in the active language (new dicts: the caller may
    add to them); `as_of`: when the snapshot they come from was taken (None: live);
    `key`: the snapshot's key (None: live). The same `key` and `as_of` mean the same
    figures."""

    data: dict[str, Any]
    as_of: dt.datetime | None
    key: str | None


def dashboard_figures(user: Any, query: str) -> DashboardFigures:
    """The figures for `user`'s dashboard with the filters in `query`."""
    problems = dashboard_problems(user, query)
    key = query_key(problems)
    found = (
        DashboardSnapshot.objects.filter(key=key).values_list("pk", "as_of", "refreshing_since").first()
        if key
        else None
    )
    if key and found is not None:
        pk, as_of, refreshing_since = found
        if _stale(as_of) and _claimable(refreshing_since):
            _claim_refresh(pk, key)
        return DashboardFigures(ledger_figures.labelled(_decoded(pk, key, as_of)), as_of, key)
    data, seconds = _computed(problems, today())
    if key and seconds >= snapshot_after_seconds():
        stored = now()
        _store(key, data, as_of=stored, user=user, query=query)
        return DashboardFigures(ledger_figures.labelled(data), stored, key)
    return DashboardFigures(ledger_figures.labelled(data), None, None)


# The figures of recently shown snapshots, decoded, per process: a city's figures are tens
# of kilobytes of JSON, and reading and decoding them took longer than the rest of the
# page. An entry is used only while the snapshot's `as_of` is the one it was read at, so
# a refresh is seen by the next view in every process.
_DECODED: dict[str, tuple[dt.datetime, dict[str, Any]]] = {}
_DECODED_KEPT = 64


def _decoded(pk: int, key: str, as_of: dt.datetime) -> dict[str, Any]:
    kept = _DECODED.get(key)
    if kept is not None and kept[0] == as_of:
        return kept[1]
    figures = DashboardSnapshot.objects.values_list("figures", flat=True).get(pk=pk)
    if len(_DECODED) >= _DECODED_KEPT:
        _DECODED.clear()
    _DECODED[key] = (as_of, figures)
    return figures  # type: ignore[no-any-return]


def _stale(as_of: dt.datetime) -> bool:
    return as_of < now() - max_age() or timezone.localdate(as_of) != today()


def _claim_expired_before() -> dt.datetime:
    """A claim older than this was left by a worker that died: it may be taken again."""
    return now() - dt.timedelta(seconds=REFRESH_CLAIM_SECONDS)


def _claimable(refreshing_since: dt.datetime | None) -> bool:
    """Nobody is refreshing the snapshot, or the claim expired: views of a snapshot being
    refreshed write nothing."""
    return refreshing_since is None or refreshing_since < _claim_expired_before()


def _claim_refresh(pk: int, key: str) -> None:
    """Enqueue one refresh of a stale snapshot: the viewer whose conditional update takes
    the claim does; another who read the snapshot unclaimed at the same moment finds the
    claim taken."""
    claimed = (
        DashboardSnapshot.objects.filter(pk=pk)
        .filter(Q(refreshing_since__isnull=True) | Q(refreshing_since__lt=_claim_expired_before()))
        .update(refreshing_since=now())
    )
    if claimed:
        transaction.on_commit(lambda: _enqueue(key))


def _enqueue(key: str) -> None:
    from ..tasks import refresh_ledger_dashboard

    refresh_ledger_dashboard.enqueue(key=key)


def _store(key: str, data: dict[str, Any], *, as_of: dt.datetime, user: Any, query: str) -> None:
    DashboardSnapshot.objects.update_or_create(
        key=key,
        defaults={
            "figures": data,
            "as_of": as_of,
            "user": user,
            "query": query,
            "refreshing_since": None,
        },
    )
    DashboardSnapshot.objects.filter(as_of__lt=as_of - dt.timedelta(days=KEEP_UNUSED_DAYS)).delete()


def dashboard_refresh(*, key: str) -> str:
    """Recompute a snapshot (the job's body; safe to run twice): stored again while the
    figures are still slow to compute, dropped when they have become cheap or when its
    recipe no longer gives the same query (the user's reach changed). Returns what
    happened: "refreshed", "dropped" or "gone"."""
    snapshot = DashboardSnapshot.objects.select_related("user").filter(key=key).first()
    if snapshot is None:
        return "gone"
    problems = dashboard_problems(snapshot.user, snapshot.query)
    if query_key(problems) != key:
        snapshot.delete()
        return "dropped"
    data, seconds = _computed(problems, today())
    if seconds < snapshot_after_seconds():
        snapshot.delete()
        return "dropped"
    _store(key, data, as_of=now(), user=snapshot.user, query=snapshot.query)
    return "refreshed"
