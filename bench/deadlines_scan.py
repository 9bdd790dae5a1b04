"""The daily deadline scan against one hand-written UPDATE of the same crossing rows.

    ./run bench deadlines_scan                  # 1,000,000 open items, 1% crossing
    ./run bench deadlines_scan --items 10000000
    DATABASE_URL=postgres://... ./run bench deadlines_scan

Builds a scratch database (test_<name>, dropped at the end), fills it with open items
whose rungs are four calendar-day offsets (so the figures do not depend on the
calendar), lets `--crossing` of them reach a rung today, then times, each `--repeat`
times on the same state:

- baseline: UPDATE deadline SET next_rung_on = <the next rung's date> WHERE status =
  'open' AND NOT paused AND next_rung_on <= today (one statement, rolled back);
- scan: `deadlines_scan(today=...)` (alert INSERT ... ON CONFLICT, the UPDATE of the
  crossing items, the notification step and the audit event), after which the state
  is put back.

Prints the median of each and their ratio. Items have no owner and their organisation
no head, so the notification step finds nobody to tell: the figure is the scan's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

TODAY = dt.date(2026, 6, 1)


def _fill(items: int, crossing: float) -> None:
    """Items i with i % step == 0 have their reminder today; the rest later. An item's
    four rung rows are written together, as `deadline_open` writes them."""
    from qinqing.accounts.models import Organisation

    org = Organisation.objects.create(code="bench", name="基准测试", kind="city", path="/1/", depth=0)
    step = max(1, round(1 / crossing))
    today = TODAY.isoformat()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO deadlines_deadline (created_at, updated_at, public_id, kind, object_type, object_id,
                    title, url, organisation_id, owner_id, due_date, original_due_date, clock_unit, status, paused,
                    ladder_override, last_rung, next_rung, next_rung_on, closed_at)
                SELECT now(), now(), gen_random_uuid(), 'bench.item', 'bench.record', i::text, '', '', %s, NULL,
                    d, d, 'calendar', 'open', false, NULL, '', 'reminder', d - 2, NULL
                FROM (SELECT i, (%s::date + 2 + (CASE WHEN i %% %s = 0 THEN 0 ELSE 1 + i %% 200 END)) AS d
                      FROM generate_series(1, %s) AS i) s
                """,
                [org.pk, today, step, items],
            )
            cursor.execute(
                """
                INSERT INTO deadlines_deadlinerungdate (deadline_id, rung, position, on_date, spent)
                SELECT d.id, r.rung, r.position, d.due_date + r.off, false
                FROM deadlines_deadline d
                CROSS JOIN (VALUES ('reminder', 0, -2), ('warning', 1, 0), ('alarm', 2, 1), ('escalation', 3, 3))
                    AS r(rung, position, off)
                ORDER BY d.id, r.position
                """
            )
            cursor.execute("ANALYZE")
        else:
            cursor.execute(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)
                INSERT INTO deadlines_deadline (created_at, updated_at, public_id, kind, object_type, object_id,
                    title, url, organisation_id, owner_id, due_date, original_due_date, clock_unit, status, paused,
                    ladder_override, last_rung, next_rung, next_rung_on, closed_at)
                SELECT datetime('now'), datetime('now'), lower(hex(randomblob(16))), 'bench.item', 'bench.record',
                    i, '', '', %s, NULL, d, d, 'calendar', 'open', 0, NULL, '', 'reminder', date(d, '-2 days'), NULL
                FROM (SELECT i, date(%s, '+' || (2 + CASE WHEN i %% %s = 0 THEN 0 ELSE 1 + i %% 200 END) || ' days') AS d
                      FROM n)
                """,
                [items, org.pk, today, step],
            )
            cursor.execute(
                """
                INSERT INTO deadlines_deadlinerungdate (deadline_id, rung, position, on_date, spent)
                SELECT d.id, r.rung, r.position, date(d.due_date, r.off || ' days'), 0
                FROM deadlines_deadline d
                CROSS JOIN (SELECT 'reminder' AS rung, 0 AS position, -2 AS off UNION ALL
                            SELECT 'warning', 1, 0 UNION ALL SELECT 'alarm', 2, 1 UNION ALL
                            SELECT 'escalation', 3, 3) r
                ORDER BY d.id, r.position
                """
            )
            cursor.execute("ANALYZE")


def _baseline() -> float:
    """One hand-written UPDATE of the crossing rows, rolled back."""
    sql = (
        "UPDATE deadlines_deadline SET next_rung_on = due_date, next_rung = 'warning', last_rung = 'reminder' "
        "WHERE status = 'open' AND paused = %s AND next_rung_on <= %s"
    )
    with transaction.atomic():
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [False, TODAY])
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def _scan() -> tuple[float, int]:
    from qinqing.deadlines.scan import deadlines_scan

    start = time.perf_counter()
    result = deadlines_scan(today=TODAY)
    elapsed = time.perf_counter() - start
    with transaction.atomic(), connection.cursor() as cursor:
        # Back to the state before the scan, for the next round.
        cursor.execute("DELETE FROM deadlines_alert")
        cursor.execute(
            "UPDATE deadlines_deadline SET next_rung_on = due_date - 2, next_rung = 'reminder', last_rung = '' "
            "WHERE next_rung_on = due_date"
            if connection.vendor == "postgresql"
            else "UPDATE deadlines_deadline SET next_rung_on = date(due_date, '-2 days'), next_rung = 'reminder', "
            "last_rung = '' WHERE next_rung_on = due_date"
        )
    return elapsed, result.alerts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from qinqing.deadlines.ladders import Rung, register_ladder

    register_ladder("bench.item", rungs=[Rung("reminder", -2, "calendar")], clock_unit="calendar")
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    report: dict[str, object] = {}
    try:
        started = time.perf_counter()
        _fill(args.items, args.crossing)
        print(
            f"database: {connection.vendor}, items: {args.items:,}, filled in {time.perf_counter() - started:.1f} s"
        )
        baselines = [_baseline() for _ in range(args.repeat)]
        scans = [_scan() for _ in range(args.repeat)]
        alerts = scans[0][1]
        base = statistics.median(baselines)
        scan = statistics.median(s for s, _n in scans)
        print(f"crossing items: {alerts:,} ({alerts / args.items:.2%})")
        print(f"hand-written UPDATE: {base * 1000:.1f} ms (median of {args.repeat})")
        print(f"deadlines_scan:      {scan * 1000:.1f} ms (median of {args.repeat})")
        print(f"ratio: {scan / base:.2f}")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak_mb:.0f} MB")
        report = {
            "figures": {
                "database": connection.vendor,
                "items": args.items,
                "crossing": alerts,
                "update_ms": round(base * 1000, 1),
                "scan_ms": round(scan * 1000, 1),
                "ratio": round(scan / base, 2),
                "peak_memory_mb": round(peak_mb),
            },
            "goals": {"scan_within_3x_update": "ratio <= 3"},
            "goals_met": {"scan_within_3x_update": scan / base <= 3},
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"dropped {test_name}")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
