"""The ledger the reports benchmark reads (./run bench reports), loaded with SQL.

A city with its discipline inspection commission (where 20 supervisors log in), a
stationed supervision group, and 100 departments (one officer each logs in to their
queue). `problems` problems registered evenly over a year (2025-12-01 to 2026-11-30),
spread over the departments, the seven channels, the four categories and severities,
2% institutional. Each follows one of seven paths through the loop, chosen by its id,
with the ProblemTransition rows the services would have written (about 4 per problem):

    45%  registered → assigned → submitted → verified → closed (a return visit, 1–5)
    15%  registered → assigned → submitted → verified
    20%  registered → assigned → being rectified (some past their due date)
     5%  registered → assigned → submitted
     5%  registered → assigned → submitted → sent back (being rectified)
     5%  registered only
     5%  registered → assigned → withdrawal asked → withdrawn after the call back

Each department holds every path (the department is `(id / 20) % 100`), so each
officer's queue has open problems. Plus 300 walk-throughs (half the departments
walking), each taking up to three of its department's walk-channel problems registered
from its day, and 200 rules established, each linked to three of its department's
problems.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection

START = "2025-12-01 00:00:00+08"
YEAR_SECONDS = 365 * 24 * 3600
DEPARTMENTS = 100
CHANNELS = ("walk", "inspection", "topic", "monitoring", "observer", "visit", "complaint")
CATEGORIES = ("government", "legal", "market", "cultural")
SEVERITIES = ("minor", "serious", "grave", "major")


def world(password: str, supervisors: int = 20) -> dict[str, Any]:
    """Organisations and the people who log in; returns their ids and usernames."""
    from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User

    city = Organisation.objects.create(code="bench-city", name="泉州市", kind=OrganisationKind.CITY)
    commission = Organisation.objects.create(
        code="bench-jw", name="市纪委监委", kind=OrganisationKind.COMMISSION, parent=city
    )
    group = Organisation.objects.create(
        code="bench-jw-g1",
        name="派驻第一纪检监察组",
        kind=OrganisationKind.SUPERVISION_GROUP,
        parent=commission,
    )
    departments = [
        Organisation.objects.create(
            code=f"bench-d{i:03d}", name=f"市直部门{i:03d}", kind=OrganisationKind.DEPARTMENT, parent=city
        )
        for i in range(DEPARTMENTS)
    ]
    # Materialised paths, as the organisation services (and the test factory) set them:
    # every scope and reach is a prefix match on them.
    for node in [city, commission, group, *departments]:
        parent = node.parent
        node.depth = parent.depth + 1 if parent else 0
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path", "depth"])
    group.supervised.set(departments[:50])
    hashed = make_password(password)
    users = User.objects.bulk_create(
        [User(username=f"sup{i:02d}", password=hashed) for i in range(supervisors)]
        + [User(username=f"off{i:03d}", password=hashed) for i in range(DEPARTMENTS)]
    )
    by_name = {u.username: u for u in User.objects.filter(pk__in=[u.pk for u in users])}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=by_name[f"sup{i:02d}"], role=Role.SUPERVISOR, organisation=commission)
            for i in range(supervisors)
        ]
        + [
            RoleAssignment(user=by_name[f"off{i:03d}"], role=Role.OFFICER, organisation=departments[i])
            for i in range(DEPARTMENTS)
        ]
    )
    return {
        "city": city,
        "commission": commission,
        "group": group,
        "departments": departments,
        **names(supervisors),
    }


def names(supervisors: int = 20) -> dict[str, Any]:
    """The people who log in, for a database an earlier run loaded (`--reuse`)."""
    return {
        "supervisors": [f"sup{i:02d}" for i in range(supervisors)],
        "officers": [f"off{i:03d}" for i in range(DEPARTMENTS)],
    }


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def problems(count: int, w: dict[str, Any]) -> None:
    """The problems and their transitions, return visits, walk-throughs and rules."""
    first_dept = w["departments"][0].pk
    commission, group = w["commission"].pk, w["group"].pk
    with connection.cursor() as cur:
        # path = id % 20: 0-8 closed, 9-11 verified, 12-15 rectifying, 16 submitted,
        # 17 sent back, 18 registered only, 19 withdrawn.
        cur.execute(
            f"""
            INSERT INTO ledger_problem (
                id, created_at, updated_at, public_id, reference, title, description, location,
                channel, reporter_name, reporter_contact, hide_reporter, receipt_hash, category,
                subcategory, severity, institutional, deadline_mode, deadline_days, due_date,
                original_due_date, status, outcome, revision, referred_level, referred_to, reason,
                registered_at, assigned_at, first_submitted_at, rectified_on, verified_at, closed_at,
                satisfaction, send_back_count, reopen_count, withdrawal_flagged,
                intake_id, organisation_id, supervising_group_id)
            SELECT i, reg, reg, gen_random_uuid(), 'TZ' || to_char(i, 'FM00000000000'),
                   '问题' || i, '基准测试问题', '',
                   ({_array(CHANNELS)})[1 + i %% 7], '基准', '', false, '',
                   ({_array(CATEGORIES)})[1 + (i / 7) %% 4], '',
                   ({_array(SEVERITIES)})[1 + (i / 3) %% 4],
                   CASE WHEN i %% 50 = 0 THEN 'structural' WHEN i %% 50 = 1 THEN 'mechanism' ELSE '' END,
                   'working_days', 10,
                   CASE WHEN p = 18 THEN NULL ELSE (reg AT TIME ZONE 'Asia/Shanghai')::date + 14 END,
                   CASE WHEN p = 18 THEN NULL ELSE (reg AT TIME ZONE 'Asia/Shanghai')::date + 14 END,
                   CASE WHEN p <= 8 THEN 'closed' WHEN p <= 11 THEN 'verified' WHEN p <= 15 THEN 'rectifying'
                        WHEN p = 16 THEN 'submitted' WHEN p = 17 THEN 'rectifying'
                        WHEN p = 18 THEN 'registered' ELSE 'withdrawn' END,
                   CASE WHEN p <= 11 THEN 'fixed' ELSE '' END,
                   5, '', '', '',
                   reg,
                   CASE WHEN p = 18 THEN NULL ELSE reg + interval '2 hours' END,
                   CASE WHEN p <= 11 OR p IN (16, 17) THEN reg + sub END,
                   CASE WHEN p <= 11 THEN ((reg + sub) AT TIME ZONE 'Asia/Shanghai')::date END,
                   CASE WHEN p <= 11 THEN reg + sub + interval '1 day' END,
                   CASE WHEN p <= 8 THEN reg + sub + interval '3 days' WHEN p = 19 THEN reg + interval '5 days' END,
                   CASE WHEN p <= 8 THEN 1 + (i / 20) %% 5 END,
                   CASE WHEN p = 17 THEN 1 ELSE 0 END, 0, p = 19,
                   {commission},
                   CASE WHEN p = 18 THEN {commission} ELSE {first_dept} + ((i / 20) %% {DEPARTMENTS}) END,
                   CASE WHEN p = 18 THEN NULL WHEN (i / 20) %% {DEPARTMENTS} < 50 THEN {group} END
            FROM (
                SELECT i, i %% 20 AS p,
                       timestamptz '{START}' + (i::bigint * {YEAR_SECONDS} / %(count)s) * interval '1 second' AS reg,
                       (1 + (i / 20) %% 20) * interval '1 day' AS sub
                FROM generate_series(1, %(count)s) AS i
            ) s
            """,
            {"count": count},
        )
        transitions = [
            # (action, from, to, moment, which paths, due date, outcome)
            ("register", "", "registered", "reg", "TRUE", "NULL::date", "''"),
            ("assign", "registered", "assigned", "reg + interval '2 hours'", "p <> 18", "due", "''"),
            ("start", "assigned", "rectifying", "reg + interval '1 day'", "p BETWEEN 12 AND 15", "due", "''"),
            ("submit", "assigned", "submitted", "reg + sub", "p <= 11 OR p IN (16, 17)", "due", "''"),
            ("verify", "submitted", "verified", "reg + sub + interval '1 day'", "p <= 11", "due", "'fixed'"),
            ("close", "verified", "closed", "reg + sub + interval '3 days'", "p <= 8", "due", "'fixed'"),
            ("send_back", "submitted", "rectifying", "reg + sub + interval '1 day'", "p = 17", "due", "''"),
            (
                "request_withdrawal",
                "assigned",
                "withdrawal_requested",
                "reg + interval '3 days'",
                "p = 19",
                "due",
                "''",
            ),
            (
                "withdraw_checked",
                "withdrawal_requested",
                "withdrawn",
                "reg + interval '5 days'",
                "p = 19",
                "due",
                "''",
            ),
        ]
        for action, before, after, at, which, due, outcome in transitions:
            cur.execute(
                f"""
                INSERT INTO ledger_problemtransition
                    (at, action, from_status, to_status, due_date, outcome, organisation_id, problem_id)
                SELECT {at}, '{action}', '{before}', '{after}',
                       {"due_date" if due == "due" else due}, {outcome},
                       CASE WHEN '{action}' = 'register' THEN intake_id ELSE organisation_id END, id
                FROM (
                    SELECT id, id % 20 AS p, registered_at AS reg, due_date, intake_id, organisation_id,
                           (1 + (id / 20) % 20) * interval '1 day' AS sub
                    FROM ledger_problem
                ) s
                WHERE {which}
                ORDER BY id
                """,  # noqa: S608 - the bench's own fixed fragments
            )
        cur.execute(
            """
            INSERT INTO ledger_returnvisit (created_at, updated_at, purpose, mode, score, fixed, comment, at, problem_id)
            SELECT closed_at, closed_at, 'closure', 'phone', satisfaction, true, '', closed_at, id
            FROM ledger_problem WHERE status = 'closed'
            """
        )
        cur.execute(
            """
            INSERT INTO ledger_returnvisit (created_at, updated_at, purpose, mode, agrees, comment, at, problem_id)
            SELECT closed_at, closed_at, 'withdrawal_check', 'phone', true, '', closed_at, id
            FROM ledger_problem WHERE status = 'withdrawn'
            """
        )
        # Walk-throughs: 300 by the first 50 departments; each takes the department's
        # walk-channel problems registered on or after its day, up to three.
        cur.execute(
            f"""
            INSERT INTO ledger_walkthrough (created_at, updated_at, public_id, walker_name, process_name,
                walked_on, steps, total_minutes, notes, department_id)
            SELECT now(), now(), gen_random_uuid(), '局长', '流程' || k,
                   date '2025-12-01' + (k * 365 / 300), '[]'::jsonb, 60, '', {first_dept} + (k % 50)
            FROM generate_series(0, 299) AS k
            """
        )
        cur.execute(
            """
            UPDATE ledger_problem p SET walk_through_id = w.id
            FROM (
                SELECT w.id, q.id AS problem_id
                FROM ledger_walkthrough w
                CROSS JOIN LATERAL (
                    SELECT id FROM ledger_problem
                    WHERE organisation_id = w.department_id AND channel = 'walk'
                      AND registered_at >= w.walked_on
                    ORDER BY registered_at LIMIT 3
                ) q
            ) w
            WHERE p.id = w.problem_id
            """
        )
        cur.execute(
            f"""
            INSERT INTO ledger_ruleoutcome (created_at, updated_at, public_id, title, kind, document_number,
                issued_on, summary, url, organisation_id)
            SELECT now(), now(), gen_random_uuid(), '制度' || k, 'rule', '', date '2025-12-01' + (k * 365 / 200), '', '',
                   {first_dept} + (k % {DEPARTMENTS})
            FROM generate_series(0, 199) AS k
            """
        )
        cur.execute(
            """
            INSERT INTO ledger_ruleoutcome_problems (ruleoutcome_id, problem_id)
            SELECT r.id, q.id FROM ledger_ruleoutcome r
            CROSS JOIN LATERAL (
                SELECT id FROM ledger_problem
                WHERE organisation_id = r.organisation_id
                ORDER BY id LIMIT 3
            ) q
            """
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_problem', 'id'), (SELECT max(id) FROM ledger_problem))"
        )
        # As autovacuum leaves tables in service: statistics, and the visibility map that
        # lets the queue's count read its partial index without visiting the rows.
        cur.execute("VACUUM ANALYZE")
