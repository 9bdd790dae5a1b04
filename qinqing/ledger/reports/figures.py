"""The reports' figures, computed in the database from the ledger as it stood at the
period's end.

The past is read from `ProblemTransition` rows (append-only): for each problem, the
last row at or before the end gives its status, responsible department and due date
then. One statement builds a temporary table of that state for the problems in the
scope (`as_of`); the reports aggregate it with further statements, so whatever the
number of problems the work is a handful of set-based queries and no problem row ever
reaches Python (except the monthly list of new clues, which is streamed).

Definitions every report shares:

- the period is [start 00:00, day after end 00:00) in Beijing time;
- *new*: registered in the period;
- *rectified*: verified or closed at the end; *on time*: rectified, and the submission
  the group accepted was made on or before the due date (rectified_on ≤ due date);
- *overdue*: open at the end (registered, assigned, being rectified, submitted,
  withdrawal asked) with a due date before the period's last day;
- send-backs, reopenings and withdrawal requests count what happened in the period.

Category, severity and the institutional flag are also those at the period's end: each
transition row carries them and a reclassification writes a row. (Rows from before the
ledger kept them carry an empty category; for those the problem's own values stand.)
The institutional count of rules established reads the linked problems' current flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from qinqing.accounts.models import Organisation

from ..models import (
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    Campaign,
    Problem,
    ProblemStatus,
    ProblemTransition,
    ReturnVisit,
    ReturnVisitPurpose,
    RuleOutcome,
    WalkThrough,
)

ASOF = "ledger_report_asof"


@dataclass(frozen=True)
class Period:
    scope: Organisation
    start: dt.date
    end: dt.date
    # A period not over yet (it ends today) is counted as of this instant, which the
    # figures record: the same period, scope and instant give the same figures.
    as_of: dt.datetime | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=self.zone)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (exclusive bound), or the `as_of` instant of
        a period not over yet."""
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)
        return min(after, self.as_of) if self.as_of is not None else after


def _quoted(values: Any) -> str:
    # Status codes are fixed identifiers from the models, never user input.
    return ", ".join(f"'{v}'" for v in sorted(str(x) for x in values))


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _due_bound_sql() -> str:
    """SQL for the first moment after the due date (the local midnight ending it)."""
    if connection.vendor == "postgresql":
        return "((m.due_date + 1)::timestamp AT TIME ZONE %(zone)s)"
    # SQLite stores UTC text; Asia/Shanghai has kept one offset since 1991.
    return "datetime(m.due_date, '+1 day', %(offset)s)"


def _params(period: Period) -> dict[str, Any]:
    ops = connection.ops
    offset = period.start_at.utcoffset() or dt.timedelta()
    hours = -offset.total_seconds() / 3600
    return {
        "start": ops.adapt_datetimefield_value(period.start_at),
        "end": ops.adapt_datetimefield_value(period.end_at),
        "last_day": ops.adapt_datefield_value(period.end),
        "path": period.scope.path + "%",
        "zone": settings.TIME_ZONE,
        "offset": f"{hours:+g} hours",
    }


@contextmanager
def as_of(period: Period, *, new_only: bool = False) -> Iterator[dict[str, Any]]:
    """The temporary table `ledger_report_asof`: one row per problem whose department at
    the period's end lies in the scope, with its state then. `new_only` restricts it to
    problems registered in the period (the monthly report needs no others).

    Yields the statement parameters (bound values of the period), for the caller's
    queries against the table."""
    params = _params(period)
    transitions, problems = _table(ProblemTransition), _table(Problem)
    visits, orgs = _table(ReturnVisit), _table(Organisation)
    new_filter = (
        f"AND t.problem_id IN (SELECT id FROM {problems} "  # noqa: S608 - a table name from the models
        "WHERE registered_at >= %(start)s AND registered_at < %(end)s)"
        if new_only
        else ""
    )
    # Table names and status codes come from the models; every value is bound.
    sql = f"""
        CREATE TEMPORARY TABLE {ASOF} AS
        WITH ranked AS (
            SELECT t.problem_id, t.at, t.action, t.to_status, t.organisation_id, t.due_date,
                   t.category, t.severity, t.institutional,
                   ROW_NUMBER() OVER (PARTITION BY t.problem_id ORDER BY t.at DESC, t.id DESC) AS rn
            FROM {transitions} t
            WHERE t.at < %(end)s {new_filter}
        ), moves AS (
            SELECT problem_id,
                   MAX(CASE WHEN rn = 1 THEN to_status END) AS status,
                   MAX(CASE WHEN rn = 1 THEN organisation_id END) AS organisation_id,
                   MAX(CASE WHEN rn = 1 THEN due_date END) AS due_date,
                   MAX(CASE WHEN rn = 1 THEN category END) AS category,
                   MAX(CASE WHEN rn = 1 THEN severity END) AS severity,
                   MAX(CASE WHEN rn = 1 THEN institutional END) AS institutional,
                   MAX(CASE WHEN to_status = 'submitted' AND action <> 'classify' THEN at END)
                       AS submitted_at,
                   MAX(CASE WHEN action = 'assign' THEN 1 ELSE 0 END) AS assigned,
                   SUM(CASE WHEN action = 'send_back' AND at >= %(start)s THEN 1 ELSE 0 END)
                       AS send_backs,
                   SUM(CASE WHEN action IN ('reopen', 'reopen_by_visit') AND at >= %(start)s
                       THEN 1 ELSE 0 END) AS reopens,
                   MAX(CASE WHEN action = 'request_withdrawal' AND at >= %(start)s THEN 1 ELSE 0 END)
                       AS withdrawal_asked
            FROM ranked
            GROUP BY problem_id
        ), scored AS (
            SELECT problem_id, COUNT(*) AS visit_count, SUM(score) AS visit_sum
            FROM {visits}
            WHERE purpose = '{ReturnVisitPurpose.CLOSURE.value}' AND at >= %(start)s AND at < %(end)s
            GROUP BY problem_id
        )
        SELECT m.problem_id, m.status, m.organisation_id, m.due_date, m.assigned, m.send_backs,
               m.reopens, m.withdrawal_asked,
               p.channel,
               CASE WHEN m.category = '' THEN p.category ELSE m.category END AS category,
               CASE WHEN m.category = '' THEN p.severity ELSE m.severity END AS severity,
               CASE WHEN m.category = '' THEN p.institutional ELSE m.institutional END AS institutional,
               p.walk_through_id,
               p.withdrawal_flagged,
               CASE WHEN p.registered_at >= %(start)s THEN 1 ELSE 0 END AS is_new,
               CASE WHEN m.status IN ({_quoted(RECTIFIED_STATUSES)}) THEN 1 ELSE 0 END AS rectified,
               CASE WHEN m.status IN ({_quoted(RECTIFIED_STATUSES)})
                         AND m.submitted_at < {_due_bound_sql()} THEN 1 ELSE 0 END AS on_time,
               CASE WHEN m.status IN ({_quoted(OPEN_STATUSES)}) AND m.due_date < %(last_day)s
                    THEN 1 ELSE 0 END AS overdue,
               COALESCE(s.visit_count, 0) AS visit_count,
               COALESCE(s.visit_sum, 0) AS visit_sum
        FROM moves m
        JOIN {problems} p ON p.id = m.problem_id
        JOIN {orgs} o ON o.id = m.organisation_id
        LEFT JOIN scored s ON s.problem_id = m.problem_id
        WHERE o.path LIKE %(path)s
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ASOF}")
        cursor.execute(sql, params)
    try:
        yield params
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {ASOF}")


def rows(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return [tuple(r) for r in cursor.fetchall()]


def stream(sql: str, params: dict[str, Any] | None = None, *, size: int = 2000) -> Iterator[tuple[Any, ...]]:
    """Rows of a query fetched in batches (PostgreSQL's client still buffers a plain
    cursor's result; the monthly list is one month of new problems)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        while True:
            batch = cursor.fetchmany(size)
            if not batch:
                return
            for row in batch:
                yield tuple(row)


def n(value: Any) -> int:
    """Database sums come back as int, Decimal or None."""
    return int(value or 0)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def most_first(row: list[Any]) -> tuple[int, str]:
    """Table order: the largest count (second column) first, then by name."""
    return (-int(row[1]), str(row[0]))


def department_names(ids: Any) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


# --- the pieces the reports share ------------------------------------------------------------


def counts_by(column: str, params: dict[str, Any]) -> list[list[Any]]:
    """New problems per value of `column` (a column of the as-of table), most first."""
    found = rows(
        f"SELECT {column}, COUNT(*) FROM {ASOF} WHERE is_new = 1 GROUP BY {column}",  # noqa: S608 - fixed column names
        params,
    )
    return sorted(([str(k or ""), n(c)] for k, c in found), key=most_first)


def walkthroughs(period: Period, params: dict[str, Any]) -> dict[str, Any]:
    """Heads' walk-throughs in the period in the scope: who walked, how many processes,
    the problems they found (wherever those stand) and how many were rectified by the end."""
    walks, orgs = _table(WalkThrough), _table(Organisation)
    walked = rows(
        f"""SELECT w.department_id, COUNT(*) FROM {walks} w JOIN {orgs} o ON o.id = w.department_id
            WHERE w.walked_on >= %(first_day)s AND w.walked_on <= %(last_day)s AND o.path LIKE %(path)s
            GROUP BY w.department_id""",  # noqa: S608 - table names from the models
        {**params, "first_day": connection.ops.adapt_datefield_value(period.start)},
    )
    found = rows(
        f"""SELECT w.department_id, COUNT(a.problem_id), COALESCE(SUM(a.rectified), 0)
            FROM {ASOF} a JOIN {walks} w ON w.id = a.walk_through_id JOIN {orgs} o ON o.id = w.department_id
            WHERE w.walked_on >= %(first_day)s AND w.walked_on <= %(last_day)s AND o.path LIKE %(path)s
            GROUP BY w.department_id""",  # noqa: S608
        {**params, "first_day": connection.ops.adapt_datefield_value(period.start)},
    )
    by_dept: dict[int, list[int]] = {d: [n(c), 0, 0] for d, c in walked}
    for d, problems, rectified in found:
        by_dept.setdefault(d, [0, 0, 0])
        by_dept[d][1:] = [n(problems), n(rectified)]
    names = department_names(by_dept)
    table: list[list[Any]] = sorted(([names.get(d, str(d)), *v] for d, v in by_dept.items()), key=most_first)
    return {
        "departments": sum(1 for r in table if r[1] > 0),
        "processes": sum(r[1] for r in table),
        "problems": sum(r[2] for r in table),
        "rectified": sum(r[3] for r in table),
        "rows": table,
        "levels": _walk_levels(period, by_dept),
    }


def _walk_levels(period: Period, by_dept: dict[int, list[int]]) -> list[dict[str, Any]]:
    """The walk-throughs split by level, as the commission reports them: departments of
    the scope's own level (a city's departments), and those of the districts and counties
    under it. Only the levels that walked are listed."""
    from qinqing.accounts.models import OrganisationKind

    paths = dict(Organisation.objects.filter(pk__in=list(by_dept)).values_list("pk", "path"))
    districts = list(
        Organisation.objects.filter(kind=OrganisationKind.DISTRICT, path__startswith=period.scope.path)
        .exclude(pk=period.scope.pk)
        .values_list("path", flat=True)
    )
    levels: dict[str, list[int]] = {"own": [0, 0, 0, 0], "below": [0, 0, 0, 0]}
    for department, (processes, problems, rectified) in by_dept.items():
        path = paths.get(department, "")
        level = "below" if any(path.startswith(d) for d in districts) else "own"
        totals = levels[level]
        totals[0] += 1 if processes > 0 else 0
        totals[1] += processes
        totals[2] += problems
        totals[3] += rectified
    return [
        {"level": level, "departments": d, "processes": p, "problems": f, "rectified": r}
        for level, (d, p, f, r) in levels.items()
        if p > 0
    ]


def rules(period: Period) -> dict[str, Any]:
    """Rules established (建章立制) issued in the period by organisations in the scope,
    with the problems they answer and how many of those are institutional."""
    outcomes, orgs, problems = _table(RuleOutcome), _table(Organisation), _table(Problem)
    links = _table(RuleOutcome.problems.through)
    ops = connection.ops
    params = {
        "first_day": ops.adapt_datefield_value(period.start),
        "last_day": ops.adapt_datefield_value(period.end),
        "path": period.scope.path + "%",
    }
    found = rows(
        f"""SELECT r.organisation_id, COUNT(DISTINCT r.id), COUNT(DISTINCT l.problem_id),
                   COUNT(DISTINCT CASE WHEN p.institutional <> '' THEN p.id END)
            FROM {outcomes} r JOIN {orgs} o ON o.id = r.organisation_id
            LEFT JOIN {links} l ON l.ruleoutcome_id = r.id
            LEFT JOIN {problems} p ON p.id = l.problem_id
            WHERE r.issued_on >= %(first_day)s AND r.issued_on <= %(last_day)s AND o.path LIKE %(path)s
            GROUP BY r.organisation_id""",  # noqa: S608
        params,
    )
    names = department_names(r[0] for r in found)
    table = sorted(([names.get(d, str(d)), n(k), n(p), n(i)] for d, k, p, i in found), key=most_first)
    totals = rows(
        f"""SELECT COUNT(DISTINCT l.problem_id), COUNT(DISTINCT CASE WHEN p.institutional <> '' THEN p.id END)
            FROM {outcomes} r JOIN {orgs} o ON o.id = r.organisation_id
            JOIN {links} l ON l.ruleoutcome_id = r.id JOIN {problems} p ON p.id = l.problem_id
            WHERE r.issued_on >= %(first_day)s AND r.issued_on <= %(last_day)s AND o.path LIKE %(path)s""",  # noqa: S608
        params,
    )[0]
    campaigns = _table(Campaign)
    per_channel = rows(
        f"""SELECT c.channel, COUNT(DISTINCT r.id)
            FROM {outcomes} r JOIN {orgs} o ON o.id = r.organisation_id
            JOIN {campaigns} c ON c.id = r.campaign_id
            WHERE r.issued_on >= %(first_day)s AND r.issued_on <= %(last_day)s AND o.path LIKE %(path)s
            GROUP BY c.channel""",  # noqa: S608
        params,
    )
    return {
        "rules": sum(r[1] for r in table),
        "problems": n(totals[0]),
        "institutional": n(totals[1]),
        "rows": table,
        # Rules per channel of the campaign they came out of (inspection, topic…).
        "by_channel": {str(channel): n(count) for channel, count in sorted(per_channel)},
    }


def base(period: Period, kind: str) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "kind": kind,
        "scope": {"id": period.scope.pk, "name": period.scope.name},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
    }
    if period.as_of is not None:
        figures["as_of"] = period.as_of.isoformat()
    return figures


WITHDRAWN = ProblemStatus.WITHDRAWN.value
WITHDRAWAL_REQUESTED = ProblemStatus.WITHDRAWAL_REQUESTED.value

LANGUAGES = ("zh-hans", "en")


def in_languages(build: Any) -> dict[str, list[str]]:
    """Headline sentences built in each report language (they are stored in the figures,
    so the same period and scope give the same sentences whoever asks)."""
    from django.utils import translation

    out: dict[str, list[str]] = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = [str(s) for s in build()]
    return out


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
