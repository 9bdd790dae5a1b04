"""The daily escalation scan of contract obligations, against a hand-written UPDATE and
against escalating one record at a time through the ORM.

    ./run bench escalation                        # 1,000,000 obligations, then 10,000,000
    ./run bench escalation --obligations 100000 --grow-to 0     # a quick look
    DATABASE_URL=postgres://... ./run bench escalation

Builds `qinqing_bench_escalation` beside DATABASE_URL's database (dropped at the end;
`--keep` keeps it) and fills it with SQL: a zone's management committee, six obligor
departments, a supervision group over them, `--obligations / 500` enterprises with one
user each and one project, contract and clause each, and 500 obligations per project
(half the enterprise's, half a department's) with their deadlines on the contracts'
ladders (kind `contract.<kind>`, four calendar-day rungs) — what `obligation_add`
leaves behind, without going through it a million times.

`--crossing` (1%) of the obligations reach a new rung today: 40% their reminder, 30%
their warning, 20% their alarm, 10% their escalation (the earlier rungs' alerts already
recorded, as yesterday's scans left them). The rest have their next rung 1 to 200 days
ahead. Then, on that same state (each put back afterwards):

- **UPDATE**: one hand-written statement making the scan's state change (the crossing
  rows' next rung and date, and last rung) and nothing else, rolled back;
- **scan**: `deadlines_scan`, as the scheduler runs it: the alerts recorded, the rows
  advanced, the notifications enqueued, the audit event; then the notification job the
  scan enqueued is run and timed on its own (the fan-out to each recipient's inbox,
  digest and outbox);
- **ORM, one at a time**: the way ticket systems escalate — every open item whose time
  has come is loaded as a model, its rungs read, each alert created with
  `get_or_create`, the people looked up and told with `notify()`, the item saved, one
  item after another (rolled back).

Goals (issue 4): the scan within 3x the UPDATE at 1,000,000; the same scan over
10,000,000 obligations with the same crossings under 2x its time at 1,000,000 (the
bench grows the table to `--grow-to` with obligations whose rungs are all ahead, so the
crossing set is the same rows); a first scan over a backlog in which 30% cross under
30 s. The ORM figure is the peer ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import create_database, drop_database, migrate, peak_memory_mb, report, setup_django  # noqa: E402

DB_NAME = "qinqing_bench_escalation"
TODAY = dt.date(2026, 6, 1)
PER_PROJECT = 500
DEPARTMENTS = 6
# (rung, position, offset from the due date in calendar days): the enterprise kinds'
# default ladder in qinqing/contracts/ladders.py.
RUNGS = (("reminder", 0, -30), ("warning", 1, -7), ("alarm", 2, 1), ("escalation", 3, 15))
ENTERPRISE_KINDS = ("investment", "construction_start", "production_start")
GOVERNMENT_KINDS = ("land_clearance", "land_delivery", "other")


def _world(projects: int) -> dict[str, Any]:
    """Organisations and people through the services; enterprises, users and projects in bulk."""
    from django.contrib.auth.hashers import make_password

    from qinqing.accounts.models import Organisation, Role, RoleAssignment, User
    from qinqing.accounts.services import (
        organisation_create,
        role_assign,
        supervision_group_set_supervised,
        user_create,
    )
    from qinqing.contracts.models import Clause, Contract, Project
    from qinqing.enterprises.models import Enterprise

    city = organisation_create(actor=None, code="city", name="泉州市", kind="city", region_code="350500")
    committee = organisation_create(
        actor=None, code="tsq", name="台商投资区管委会", kind="committee", parent=city, zone_name="台商投资区"
    )
    departments = [
        organisation_create(actor=None, code=f"dept{i}", name=f"部门{i}", kind="department", parent=city)
        for i in range(DEPARTMENTS)
    ]
    commission = organisation_create(actor=None, code="jw", name="市纪委监委", kind="commission", parent=city)
    group = organisation_create(
        actor=None, code="group1", name="派驻纪检监察组", kind="supervision_group", parent=commission
    )
    supervision_group_set_supervised(actor=None, group=group, supervised=[committee, *departments])

    def person(username: str, role: str, org: Organisation) -> User:
        user = user_create(actor=None, username=username, password=None, display_name=username)
        role_assign(actor=None, user=user, role=role, organisation=org)
        return user

    person("committee", Role.COMMITTEE, committee)
    person("sup", Role.SUPERVISOR, group)
    for i, dept in enumerate(departments):
        person(f"head{i}", Role.DEPARTMENT_HEAD, dept)
        person(f"officer{i}", Role.OFFICER, dept)

    password = make_password(None)
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=f"91350500B{i:08d}X"[:18],
            name=f"基准企业{i}",
            region=city,
            region_code="350521",
            industry_code="C39",
        )
        for i in range(projects)
    )
    users = User.objects.bulk_create(
        User(username=f"ent{i}", display_name=f"企业用户{i}", password=password) for i in range(projects)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.ENTERPRISE, enterprise=e)
        for u, e in zip(users, enterprises, strict=True)
    )
    project_rows = Project.objects.bulk_create(
        Project(
            reference=f"B{i:06d}",
            name=f"基准项目{i}",
            enterprise=e,
            committee=committee,
            industry="新材料",
            planned_investment=100_000_000,
            signed_on=dt.date(2025, 1, 1),
        )
        for i, e in enumerate(enterprises)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            project=p,
            kind="investment_agreement",
            number=f"HT{p.reference}",
            title="投资协议",
            government_party=committee,
            signed_on=dt.date(2025, 1, 1),
        )
        for p in project_rows
    )
    Clause.objects.bulk_create(Clause(contract=c, number="第一条", text="双方承诺。") for c in contracts)
    return {"committee": committee, "departments": [d.pk for d in departments]}


def _fill_obligations(
    first: int, last: int, *, projects: int, crossing_step: int, committee_id: int, departments: list[int]
) -> None:
    """Obligations `first`..`last` (1-based numbers), their deadlines, rung dates and
    earlier alerts. Obligation n and its deadline both have id n (the tables hold nothing
    else), so no row is written twice.

    Obligation n belongs to project (n - 1) // 500 (by creation order). When
    `crossing_step` > 0, every crossing_step-th obligation reaches a rung today: n // step
    modulo 10 picks which (0-3 reminder, 4-6 warning, 7-8 alarm, 9 escalation)."""
    from django.db import connection, transaction

    step = crossing_step if crossing_step > 0 else 2_000_000_000
    # The due date: a crossing item's due date puts its chosen rung on TODAY (so the rung
    # can be read back from due - TODAY); any other item's next rung (its reminder,
    # due - 30) falls 1 to 200 days ahead.
    due = (
        f"CASE WHEN n % {step} <> 0 THEN DATE '{TODAY}' + 31 + (n % 200) "
        f"WHEN (n / {step}) % 10 < 4 THEN DATE '{TODAY}' + 30 "
        f"WHEN (n / {step}) % 10 < 7 THEN DATE '{TODAY}' + 7 "
        f"WHEN (n / {step}) % 10 < 9 THEN DATE '{TODAY}' - 1 ELSE DATE '{TODAY}' - 15 END"
    )
    kinds = "CASE WHEN n % 2 = 0 THEN (ARRAY[{g}])[1 + (n / 2) % 3] ELSE (ARRAY[{e}])[1 + (n / 2) % 3] END".format(
        g=",".join(f"'{k}'" for k in GOVERNMENT_KINDS), e=",".join(f"'{k}'" for k in ENTERPRISE_KINDS)
    )
    department = f"(ARRAY[{','.join(str(d) for d in departments)}])[1 + n % {len(departments)}]"
    series = f"(SELECT n, {due} AS due, {kinds} AS kind FROM generate_series({first}, {last}) AS n) s"
    rungs = ", ".join(f"('{r}', {p}, {off})" for r, p, off in RUNGS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM contracts_project")
        project0 = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM contracts_clause")
        clause0 = cursor.fetchone()[0]
        # A bulk load: foreign keys are checked by construction here, not row by row.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"""
            INSERT INTO deadlines_deadline (id, created_at, updated_at, public_id, kind, object_type, object_id, title,
                url, organisation_id, owner_id, due_date, original_due_date, clock_unit, status, paused,
                ladder_override, last_rung, next_rung, next_rung_on, provisional, closed_at)
            SELECT n, now(), now(), gen_random_uuid(), 'contract.' || kind, 'contracts.obligation', n::text,
                   '承诺事项 ' || n, '', CASE WHEN n % 2 = 0 THEN {department} ELSE {committee_id} END, NULL,
                   due, due, 'calendar', 'open', false, NULL,
                   CASE due - DATE '{TODAY}' WHEN 7 THEN 'reminder' WHEN -1 THEN 'warning'
                                             WHEN -15 THEN 'alarm' ELSE '' END,
                   CASE due - DATE '{TODAY}' WHEN 7 THEN 'warning' WHEN -1 THEN 'alarm'
                                             WHEN -15 THEN 'escalation' ELSE 'reminder' END,
                   CASE WHEN due - DATE '{TODAY}' IN (30, 7, -1, -15) THEN DATE '{TODAY}' ELSE due - 30 END,
                   false, NULL
            FROM {series} ORDER BY s.n
            """  # noqa: S608 - numbers and constants only
        )
        cursor.execute(
            f"""
            INSERT INTO deadlines_deadlinerungdate (deadline_id, rung, position, on_date, spent)
            SELECT d.id, r.rung, r.position, d.due_date + r.off, false
            FROM deadlines_deadline d CROSS JOIN (VALUES {rungs}) AS r(rung, position, off)
            WHERE d.id BETWEEN {first} AND {last}
            ORDER BY d.id, r.position
            """  # noqa: S608 - constants only
        )
        # Yesterday's scans already recorded the earlier rungs of the crossing items.
        cursor.execute(
            f"""
            INSERT INTO deadlines_alert (deadline_id, rung, due_date, rung_on, fired_on, fired_at)
            SELECT d.id, r.rung, d.due_date, r.on_date, r.on_date, now()
            FROM deadlines_deadline d
            JOIN deadlines_deadlinerungdate r ON r.deadline_id = d.id AND r.on_date < DATE '{TODAY}'
            WHERE d.id BETWEEN {first} AND {last} AND d.next_rung_on = DATE '{TODAY}'
            """  # noqa: S608 - constants only
        )
        cursor.execute(
            f"""
            INSERT INTO contracts_obligation (id, created_at, updated_at, public_id, project_id, clause_id,
                obligor_side, obligor_department_id, kind, title, description, position, due_mode, due_fixed,
                anchor_obligation_id, anchor_event_id, "offset", offset_unit, due_date, original_due_date,
                target_value, target_unit, achieved_value, status, met_on, days_early, deadline_id, revision)
            SELECT n, now(), now(), gen_random_uuid(), {project0} + ((n - 1) / {PER_PROJECT}) % {projects},
                   {clause0} + ((n - 1) / {PER_PROJECT}) % {projects},
                   CASE WHEN n % 2 = 0 THEN 'government' ELSE 'enterprise' END,
                   CASE WHEN n % 2 = 0 THEN {department} END,
                   kind, '承诺事项 ' || n, '', 0, 'absolute', due, NULL, NULL, 0, 'calendar', due, due, NULL, '',
                   NULL, 'open', NULL, NULL, n, 0
            FROM {series} ORDER BY s.n
            """  # noqa: S608 - numbers and constants only
        )
        for table in ("contracts_obligation", "deadlines_deadline"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the state before a run, and putting it back ------------------------------------------------


def _save_state() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_before")
        cursor.execute(
            """
            CREATE UNLOGGED TABLE bench_before AS
            SELECT id, next_rung, next_rung_on, last_rung FROM deadlines_deadline
            WHERE status = 'open' AND NOT paused AND next_rung_on <= %s
            """,
            [TODAY],
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM deadlines_alert")
        _STATE["alert_max"] = cursor.fetchone()[0]
        for table in ("notifications_notification", "notifications_digestitem", "notifications_delivery"):
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
            _STATE[table] = cursor.fetchone()[0]


_STATE: dict[str, int] = {}


def _restore_state() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE deadlines_deadline d SET next_rung = b.next_rung, next_rung_on = b.next_rung_on,
                last_rung = b.last_rung
            FROM bench_before b WHERE b.id = d.id
            """
        )
        cursor.execute("DELETE FROM deadlines_alert WHERE id > %s", [_STATE["alert_max"]])
        for table in ("notifications_notification", "notifications_digestitem", "notifications_delivery"):
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [_STATE[table]])  # noqa: S608 - fixed names
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")


def _crossing_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_before")
        return int(cursor.fetchone()[0])


# --- the three ways ------------------------------------------------------------------------------


def _update() -> float:
    """One hand-written UPDATE of the crossing rows to their next rung, rolled back."""
    from django.db import connection, transaction

    # What a person would write: the partial index finds the crossing rows, and each
    # row's next rung is the first of its rung dates still ahead.
    ahead = (
        "SELECT r.{col} FROM deadlines_deadlinerungdate r "
        "WHERE r.deadline_id = d.id AND r.on_date > %(today)s ORDER BY r.position LIMIT 1"
    )
    sql = f"""
        UPDATE deadlines_deadline d SET
            last_rung = d.next_rung,
            next_rung = coalesce(({ahead.format(col="rung")}), ''),
            next_rung_on = ({ahead.format(col="on_date")}),
            updated_at = now()
        WHERE d.status = 'open' AND NOT d.paused AND d.next_rung_on <= %(today)s
    """  # noqa: S608 - fixed names
    with transaction.atomic():
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, {"today": TODAY})
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


# Time spent in the scan's two statements during the last scan (see _timed).
_PARTS: dict[str, float] = {}


def _timed(name: str, function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _PARTS[name] = _PARTS.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def _scan() -> tuple[float, float, int, int]:
    """The scan as the scheduler runs it, then the notification job it enqueued."""
    from qinqing.deadlines import scan

    _PARTS.clear()
    originals = (scan._insert_alerts, scan._advance)
    scan._insert_alerts = _timed("insert_alerts", scan._insert_alerts)  # type: ignore[method-assign]
    scan._advance = _timed("advance", scan._advance)  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        result = scan.deadlines_scan(today=TODAY)
        scan_s = time.perf_counter() - start
    finally:
        scan._insert_alerts, scan._advance = originals
    from qinqing.deadlines.testing import run_notify_job

    start = time.perf_counter()
    # What a worker does with the job the scan enqueued (its delivery jobs are not run).
    told = run_notify_job(result.notify_job_id) if result.notify_job_id else 0
    fan_out_s = time.perf_counter() - start
    _restore_state()
    return scan_s, fan_out_s, result.alerts, told


def _orm_one_at_a_time() -> tuple[float, int]:
    """Escalation the ticket-system way: one item after another through the ORM."""
    from django.db import transaction
    from django.utils import timezone

    from qinqing.deadlines.ladders import find_ladder
    from qinqing.deadlines.models import Alert, Deadline, DeadlineStatus
    from qinqing.deadlines.scan import AlertFacts, alert_body, alert_subject, default_recipients
    from qinqing.notifications.services import notify

    fired = 0
    with transaction.atomic():
        start = time.perf_counter()
        now = timezone.now()
        due = Deadline.objects.filter(status=DeadlineStatus.OPEN, paused=False, next_rung_on__lte=TODAY)
        for deadline in due.select_related("organisation").iterator(chunk_size=500):
            rungs = list(deadline.rung_dates.order_by("position"))
            for rung in rungs:
                if rung.on_date > TODAY or rung.spent:
                    continue
                alert, created = Alert.objects.get_or_create(
                    deadline=deadline,
                    rung=rung.rung,
                    due_date=deadline.due_date,
                    defaults={"rung_on": rung.on_date, "fired_on": TODAY, "fired_at": now},
                )
                if not created:
                    continue
                fired += 1
                ladder = find_ladder(deadline.kind)
                people = (
                    list(ladder.recipients(alert))
                    if ladder and ladder.recipients
                    else default_recipients(alert)
                )
                facts = AlertFacts.of(alert)
                urgent = rung.rung in ("alarm", "escalation")
                notify(
                    recipients=people,
                    event_key=f"deadline-alert:{alert.pk}",
                    kind=f"deadline.{rung.rung}",
                    subject=alert_subject(facts),
                    body=alert_body(facts),
                    urgent=urgent,
                    digest=not urgent,
                    channels=("inbox", "email") if urgent else ("inbox",),
                )
            ahead = [r for r in rungs if r.on_date > TODAY and not r.spent]
            reached = [r for r in rungs if r.on_date <= TODAY or r.spent]
            deadline.last_rung = reached[-1].rung if reached else deadline.last_rung
            deadline.next_rung = ahead[0].rung if ahead else ""
            deadline.next_rung_on = ahead[0].on_date if ahead else None
            deadline.save(update_fields=["last_rung", "next_rung", "next_rung_on", "updated_at"])
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed, fired


def _vacuum() -> None:
    """What autovacuum does minutes after a bulk change: a backlog is new rows to the
    scan, not the dead versions the set-up's UPDATEs leave behind."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) deadlines_deadline, deadlines_deadlinerungdate")


def _backlog(share: float) -> tuple[float, float, int]:
    """Move `share` of the open items' next rung to today (a scan missed for weeks, or a
    first scan after an import), scan once, put everything back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_backlog")
        cursor.execute(
            """
            CREATE UNLOGGED TABLE bench_backlog AS
            SELECT id, next_rung, next_rung_on, last_rung, due_date FROM deadlines_deadline
            WHERE status = 'open' AND NOT paused AND next_rung_on > %s AND id %% 10 < %s
            """,
            [TODAY, round(share * 10)],
        )
        # Their reminder falls today: due date moved so that due - 30 = today.
        cursor.execute(
            """
            UPDATE deadlines_deadline d SET next_rung_on = %s, due_date = %s::date + 30
            FROM bench_backlog b WHERE b.id = d.id
            """,
            [TODAY, TODAY],
        )
        cursor.execute(
            """
            UPDATE deadlines_deadlinerungdate r SET on_date = %s::date + 30 + v.off
            FROM bench_backlog b, (VALUES ('reminder', -30), ('warning', -7), ('alarm', 1), ('escalation', 15))
                AS v(rung, off)
            WHERE r.deadline_id = b.id AND r.rung = v.rung
            """,
            [TODAY],
        )
    _vacuum()
    _save_state()
    crossing = _crossing_count()
    scan_s, fan_out_s, alerts, _told = _scan()
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in _PARTS.items())
    print(f"backlog scan: {scan_s:.1f} s ({parts})", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE deadlines_deadline d SET next_rung_on = b.next_rung_on, due_date = b.due_date
            FROM bench_backlog b WHERE b.id = d.id
            """
        )
        cursor.execute(
            """
            UPDATE deadlines_deadlinerungdate r SET on_date = b.due_date + v.off
            FROM bench_backlog b, (VALUES ('reminder', -30), ('warning', -7), ('alarm', 1), ('escalation', 15))
                AS v(rung, off)
            WHERE r.deadline_id = b.id AND r.rung = v.rung
            """
        )
        cursor.execute("DROP TABLE bench_backlog")
    _vacuum()
    _save_state()
    assert alerts == crossing, (alerts, crossing)
    return scan_s, fan_out_s, crossing


def _round(label: str, repeat: int, *, orm: bool) -> dict[str, Any]:
    _save_state()
    crossing = _crossing_count()
    updates = [_update() for _ in range(repeat)]
    scans = [_scan() for _ in range(repeat)]
    figures: dict[str, Any] = {
        "crossing": crossing,
        "update_ms": round(statistics.median(updates) * 1000, 1),
        "scan_ms": round(statistics.median(s[0] for s in scans) * 1000, 1),
        "notification_job_ms": round(statistics.median(s[1] for s in scans) * 1000, 1),
        "alerts": scans[0][2],
        "notified_pairs": scans[0][3],
    }
    figures["scan_over_update"] = round(figures["scan_ms"] / figures["update_ms"], 2)
    figures["scan_insert_alerts_ms"] = round(_PARTS.get("insert_alerts", 0) * 1000, 1)
    figures["scan_advance_ms"] = round(_PARTS.get("advance", 0) * 1000, 1)
    if orm:
        orm_s, fired = _orm_one_at_a_time()
        _restore_state()
        assert fired == scans[0][2], (fired, scans[0][2])
        figures["orm_one_at_a_time_ms"] = round(orm_s * 1000, 1)
        figures["orm_over_scan"] = round(orm_s * 1000 / figures["scan_ms"], 1)
    print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--obligations", type=int, default=1_000_000)
    parser.add_argument("--grow-to", type=int, default=10_000_000, help="0: no growth step")
    parser.add_argument("--crossing", type=float, default=0.01)
    parser.add_argument("--backlog", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-orm", action="store_true", help="leave out the one-at-a-time peer (slow)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    create_database(DB_NAME)
    setup_django()
    figures: dict[str, Any] = {}
    try:
        migrate()
        started = time.perf_counter()
        projects = max(1, args.obligations // PER_PROJECT)
        world = _world(projects)
        step = max(1, round(1 / args.crossing))
        _fill_obligations(
            1,
            args.obligations,
            projects=projects,
            crossing_step=step,
            committee_id=world["committee"].pk,
            departments=world["departments"],
        )
        print(f"filled {args.obligations:,} obligations in {time.perf_counter() - started:.0f} s", flush=True)
        base = _round(f"{args.obligations:,}", args.repeat, orm=not args.skip_orm)
        figures.update({f"small_{k}": v for k, v in base.items()})
        figures["obligations"] = args.obligations

        backlog_s, backlog_job_s, backlog_n = _backlog(args.backlog)
        print(
            f"backlog: {backlog_n:,} crossing, scan {backlog_s:.1f} s, notification job {backlog_job_s:.1f} s"
        )
        figures.update(
            {
                "backlog_crossing": backlog_n,
                "backlog_scan_s": round(backlog_s, 2),
                "backlog_notification_job_s": round(backlog_job_s, 2),
            }
        )

        if args.grow_to > args.obligations:
            started = time.perf_counter()
            chunk = 1_000_000
            for first in range(args.obligations + 1, args.grow_to + 1, chunk):
                _fill_obligations(
                    first,
                    min(args.grow_to, first + chunk - 1),
                    projects=projects,
                    crossing_step=0,
                    committee_id=world["committee"].pk,
                    departments=world["departments"],
                )
                print(f"  grown to {min(args.grow_to, first + chunk - 1):,}", flush=True)
            print(f"grown to {args.grow_to:,} in {time.perf_counter() - started:.0f} s", flush=True)
            big = _round(f"{args.grow_to:,}", args.repeat, orm=False)
            figures.update({f"big_{k}": v for k, v in big.items()})
            figures["big_obligations"] = args.grow_to
            figures["big_over_small_scan"] = round(big["scan_ms"] / base["scan_ms"], 2)
        figures.update(peak_memory_mb())
    finally:
        if not args.keep:
            drop_database(DB_NAME)
    goals = {
        "scan_within_3x_update": "small_scan_over_update <= 3",
        "ten_times_the_table_under_2x": "big_over_small_scan < 2",
        "backlog_under_30s": "backlog_scan_s < 30",
    }
    met = {
        "scan_within_3x_update": figures.get("small_scan_over_update", 99) <= 3,
        "ten_times_the_table_under_2x": figures.get("big_over_small_scan", 99) < 2,
        "backlog_under_30s": figures.get("backlog_scan_s", 999) < 30,
    }
    report(figures, goals, met)


if __name__ == "__main__":
    main()
