"""Proactive matching benchmark (./run bench matching), on PostgreSQL or SQLite.

    ./run bench matching                          # PostgreSQL, 1,000,000 enterprises, 50 policies
    ./run bench matching --enterprises 100000     # a quicker look
    ./run bench matching --sqlite                 # SQLite, 100,000 enterprises, part (a) only
    DATABASE_URL=postgres://... ./run bench matching

Builds a scratch database (PostgreSQL: `qinqing_bench_matching` beside DATABASE_URL's,
dropped at the end unless --keep; SQLite: a file in a temporary folder), loads the
enterprises and their labels with SQL, and creates 50 published policies of ten real
shapes (tiered by label, a rate with a cap, per insured employee, fixed; conditions over
ranges, sets, prefixes, ages, any and not), each bound to one district or the city.

(a) Full re-match: every policy's matches written as invitations with their awards by
    `policy_match` (one INSERT … SELECT per policy, with its lock, audit event and
    transaction), against a hand-written INSERT … SELECT per policy producing the same
    rows (checked: same count, same total award), alternating over --rounds on an empty
    invitation table. Also against the per-enterprise evaluator (`rules.evaluate`): a
    sample of --sample enterprises is fetched with its labels, evaluated under every
    policy and its invitations built and inserted (rolled back); the time is
    extrapolated linearly to all enterprises. Goals: within 1.5× of the hand-written
    SQL; at least 15× faster than the evaluator.
(b) Publishing a new policy: one draft per shape is created, then `policy_publish` and
    `policy_match` are timed together over all enterprises (invitations from (a) in
    place). The slowest shape's query plan is printed (EXPLAIN ANALYZE). Goal: < 150 ms.
(c) One enterprise's figures change (one UPDATE) and `enterprise_rematch` runs for it
    against every policy: --rematch-runs runs (≥ 200), p50/p95. Goal: p95 < 5 ms.

The last line printed is one JSON object with the figures, the goals and goals_met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402 - the bench folder is put on the path just above
import _matching_data as data  # noqa: E402

DATABASE = "qinqing_bench_matching"
GOAL_SQL_RATIO = 1.5
GOAL_EVALUATOR_SPEEDUP = 15.0
GOAL_PUBLISH_MS = 150.0
GOAL_REMATCH_P95_MS = 5.0


def _sqlite_environment() -> str:
    scratch = tempfile.mkdtemp(prefix="qinqing-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(Path(scratch) / "matching.sqlite3")
    os.environ["QINQING_VAR_DIR"] = scratch
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(Path(scratch) / "keys" / "bench.key")
    os.environ["AUDIT_CHECKPOINT_FILE"] = str(Path(scratch) / "audit" / "checkpoints.jsonl")
    return os.environ["SQLITE_PATH"]


# --- set-up ----------------------------------------------------------------------------------


def _world() -> tuple[Any, Any, Any]:
    """The city, the issuing department and an administrator who may publish."""
    from qinqing.accounts.models import Organisation, Role, RoleAssignment, User

    city = Organisation.objects.create(code="qz", name="泉州市", kind="city", region_code="350500")
    city.path, city.depth = f"/{city.pk}/", 0
    city.save(update_fields=["path", "depth"])
    dept = Organisation.objects.create(code="wl", name="市文化广电和旅游局", kind="department", parent=city)
    dept.path, dept.depth = f"{city.path}{dept.pk}/", 1
    dept.save(update_fields=["path", "depth"])
    admin = User.objects.create(username="bench-admin", display_name="基准管理员")
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN, organisation=city)
    return city, dept, admin


def _load(enterprises: int, region_id: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    vendor = connection.vendor
    tables = ("enterprises_enterprise", "enterprises_enterpriselabel")
    with connection.cursor() as cursor:
        # PostgreSQL: the secondary indexes (not those behind constraints) are dropped
        # during the load and built again after it, which is several times faster.
        rebuild: list[str] = []
        if vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [list(tables)],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                rebuild.append(definition)
        cursor.execute(data.enterprise_insert_sql(vendor, enterprises, region_id))
        for key, multiplier, share, values in data.LABELS:
            cursor.execute(data.label_insert_sql(key, multiplier, share, values))
        for definition in rebuild:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _policies(dept: Any, shapes: list[data.Shape], on: dt.date) -> list[tuple[Any, Any, data.Shape]]:
    """Published policies (rows written directly: the set-up is not what is measured)."""
    from django.utils import timezone

    from qinqing.policies.models import Policy, PolicyVersion
    from qinqing.policies.rules import parse_rule

    out = []
    now = timezone.now()
    for shape in shapes:
        parse_rule(shape.rule)  # the shapes are valid rules
        policy = Policy.objects.create(
            department=dept,
            code=shape.code,
            title=shape.title,
            basis_number="泉政文〔2026〕1号",
            basis_title=shape.title,
            status="published",
            published_at=now,
            valid_from=dt.date(on.year, 1, 1),
            valid_until=dt.date(on.year + 1, 12, 31),
            budget_total=Decimal("100000000000.00"),
            cap_per_enterprise=shape.cap,
            period_kind=shape.period_kind,
        )
        version = PolicyVersion.objects.create(policy=policy, number=1, rule=shape.rule, published_at=now)
        out.append((policy, version, shape))
    return out


def _clear_invitations() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE policies_invitation CASCADE")  # cases are empty here
            cursor.execute("VACUUM ANALYZE policies_invitation")
        else:
            cursor.execute("DELETE FROM policies_invitation")


def _invitation_totals() -> dict[int, tuple[int, Decimal]]:
    """Per policy: how many invitations, and their total award."""
    from django.db.models import Count, Sum

    from qinqing.policies.models import Invitation

    rows = Invitation.objects.order_by().values("policy_id").annotate(n=Count("id"), total=Sum("award"))
    return {r["policy_id"]: (r["n"], Decimal(r["total"] or 0).quantize(Decimal("0.01"))) for r in rows}


def _sum(totals: dict[int, tuple[int, Decimal]]) -> tuple[int, Decimal]:
    return sum(n for n, _t in totals.values()), sum((t for _n, t in totals.values()), Decimal("0.00"))


# --- (a) full re-match -----------------------------------------------------------------------


def _full_service(policies: list[tuple[Any, Any, data.Shape]], on: dt.date) -> float:
    from qinqing.policies.services.matching import policy_match

    started = time.perf_counter()
    for policy, _version, _shape in policies:
        policy_match(actor=None, policy=policy, on=on)
    return time.perf_counter() - started


def _full_hand(policies: list[tuple[Any, Any, data.Shape]], on: dt.date) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from qinqing.policies.services.matching import policy_period

    now = timezone.now().isoformat()
    started = time.perf_counter()
    for policy, version, shape in policies:
        sql = data.hand_insert_sql(
            connection.vendor,
            shape,
            policy_id=policy.pk,
            version_id=version.pk,
            period=policy_period(policy, on),
            now=now,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    return time.perf_counter() - started


def _evaluator_sample(
    policies: list[tuple[Any, Any, data.Shape]], on: dt.date, sample: int, total: int
) -> tuple[float, int]:
    """The per-enterprise evaluator over `sample` enterprises spread over the table:
    fetched with labels, evaluated under every policy, invitations inserted (rolled back)."""
    from django.db import transaction
    from django.utils import timezone

    from qinqing.enterprises.models import Enterprise
    from qinqing.policies.models import Invitation
    from qinqing.policies.public_ids import uuid7
    from qinqing.policies.rules import evaluate, parse_rule
    from qinqing.policies.services.matching import policy_period

    step = max(1, total // sample)
    first = Enterprise.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    ids = [first + k * step for k in range(sample)]
    compiled = [(p, v, parse_rule(v.rule)) for p, v, _s in policies]
    started = time.perf_counter()
    now = timezone.now()
    fresh: list[Invitation] = []
    rows = Enterprise.objects.filter(pk__in=ids).prefetch_related("labels").order_by("pk")
    for enterprise in rows.iterator(chunk_size=2000):
        labels = {label.key: label.value for label in enterprise.labels.all()}
        for policy, version, rule in compiled:
            decision = evaluate(rule, enterprise, on=on, labels=labels)
            award = decision.award
            if policy.cap_per_enterprise is not None:
                award = min(award, policy.cap_per_enterprise)
            if decision.eligible and award > 0:
                fresh.append(
                    Invitation(
                        public_id=uuid7(),
                        policy=policy,
                        version=version,
                        enterprise=enterprise,
                        period=policy_period(policy, on),
                        award=award,
                        status="open",
                        created_at=now,
                    )
                )
    with transaction.atomic():
        Invitation.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
        transaction.set_rollback(True)
    return time.perf_counter() - started, len(fresh)


def bench_full(
    policies: list[tuple[Any, Any, data.Shape]], on: dt.date, enterprises: int, rounds: int, sample: int
) -> dict[str, Any]:
    hand_times: list[float] = []
    service_times: list[float] = []
    agree = True
    counts: dict[str, dict[int, tuple[int, Decimal]]] = {}
    for r in range(rounds):
        order = [("hand", _full_hand), ("service", _full_service)]
        if r % 2:
            order.reverse()
        for name, run in order:
            _clear_invitations()
            elapsed = run(policies, on)
            counts[name] = _invitation_totals()
            (hand_times if name == "hand" else service_times).append(elapsed)
            n, total = _sum(counts[name])
            print(
                f"  round {r + 1}: {name:<8} {elapsed:7.2f} s, {n:,} invitations, total award {total:,}",
                flush=True,
            )
        for pk in sorted(set(counts["hand"]) | set(counts["service"])):
            if counts["hand"].get(pk) != counts["service"].get(pk):
                agree = False
                print(f"  policy {pk}: hand {counts['hand'].get(pk)} != service {counts['service'].get(pk)}")
    hand = statistics.median(hand_times)
    service = statistics.median(service_times)
    evaluations = enterprises * len(policies)
    sample = min(sample, enterprises)
    sample_seconds, sample_matches = _evaluator_sample(policies, on, sample, enterprises)
    evaluator = sample_seconds * enterprises / sample
    print(
        f"  evaluator: {sample:,} enterprises × {len(policies)} policies in {sample_seconds:.2f} s "
        f"({sample_matches:,} matches), extrapolated linearly to {enterprises:,}: {evaluator:.0f} s",
        flush=True,
    )
    return {
        "full_invitations": _sum(counts["service"])[0],
        "full_total_award": str(_sum(counts["service"])[1]),
        "full_same_rows_as_hand_sql": agree,
        "full_service_s": round(service, 2),
        "full_hand_sql_s": round(hand, 2),
        "full_ratio_to_hand_sql": round(service / hand, 2),
        "full_evaluations_per_s": round(evaluations / service),
        "evaluator_sample_enterprises": sample,
        "evaluator_sample_s": round(sample_seconds, 2),
        "evaluator_extrapolated_s": round(evaluator, 1),
        "evaluator_evaluations_per_s": round(sample * len(policies) / sample_seconds),
        "full_speedup_over_evaluator": round(evaluator / service, 1),
    }


# --- (b) publishing one new policy -----------------------------------------------------------


def _jit_ms(queryset: Any) -> float:
    """How long PostgreSQL's JIT compilation took in one EXPLAIN ANALYZE of the SELECT."""
    import re

    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    match = re.search(r"Timing: .*Total ([0-9.]+) ms", plan)
    return round(float(match.group(1)), 1) if match else 0.0


def bench_publish(dept: Any, admin: Any, on: dt.date, explain: bool) -> dict[str, Any]:
    from django.db import connection, transaction

    from qinqing.policies.rules import parse_rule
    from qinqing.policies.services.catalogue import current_version, policy_create, policy_publish
    from qinqing.policies.services.matching import matches_queryset, policy_match, policy_period

    # One new policy of each shape, for a district no existing policy of that shape serves.
    fresh = [s for s in data.shapes(connection.vendor, on) if s.code.endswith("-0")]
    per_shape: dict[str, float] = {}
    invited: dict[str, int] = {}
    hand: dict[str, float] = {}
    match_only: dict[str, float] = {}
    publish_only: dict[str, float] = {}
    jit: dict[str, float] = {}
    slowest: tuple[float, Any] | None = None
    for n, shape in enumerate(fresh):
        shape.code = f"new-{n}"
        policy = policy_create(
            actor=admin,
            department=dept,
            code=shape.code,
            title=shape.title,
            basis_number="泉政文〔2026〕2号",
            basis_title=shape.title,
            valid_from=dt.date(on.year, 1, 1),
            valid_until=dt.date(on.year + 1, 12, 31),
            budget_total=Decimal("100000000000.00"),
            rule=shape.rule,
            cap_per_enterprise=shape.cap,
            period_kind=shape.period_kind,
        )
        version = current_version(policy)
        # The peer first, rolled back: the same rows written by a hand-written statement.
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                data.hand_insert_sql(
                    connection.vendor,
                    shape,
                    policy_id=policy.pk,
                    version_id=version.pk,
                    period=policy_period(policy, on),
                    now=on.isoformat(),
                )
            )
            hand[shape.title] = time.perf_counter() - started
            transaction.set_rollback(True)
        if connection.vendor == "postgresql":
            # The rolled-back rows leave dead index entries under this policy, which the
            # service's NOT EXISTS would wade through: clear them, as for a new policy.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM policies_invitation")
            jit[shape.title] = _jit_ms(matches_queryset(policy, version, parse_rule(version.rule), on))
        started = time.perf_counter()
        policy = policy_publish(actor=admin, policy=policy, today=on)
        published = time.perf_counter()
        count = policy_match(actor=admin, policy=policy, on=on)
        elapsed = time.perf_counter() - started
        per_shape[shape.title] = elapsed
        match_only[shape.title] = time.perf_counter() - published
        publish_only[shape.title] = published - started
        invited[shape.title] = count
        print(
            f"  {shape.title:<12} publish+match {elapsed * 1000:7.1f} ms "
            f"(match {match_only[shape.title] * 1000:7.1f} ms), {count:>6,} invited; "
            f"hand-written INSERT {hand[shape.title] * 1000:7.1f} ms",
            flush=True,
        )
        if slowest is None or elapsed > slowest[0]:
            slowest = (elapsed, (policy, version, shape))
    if explain and slowest is not None and connection.vendor == "postgresql":
        policy, version, shape = slowest[1]
        sql, params = matches_queryset(policy, version, parse_rule(version.rule), on).query.sql_with_params()
        # Invitations exist now for the slowest policy: count them out of the plan's NOT EXISTS.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM policies_invitation WHERE policy_id = %s", [policy.pk])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        print(f"  query plan of the slowest ({shape.title}), its SELECT alone:")
        print("    " + plan.replace("\n", "\n    "))
    times = list(per_shape.values())
    return {
        "publish_match_ms_by_shape": {k: round(v * 1000, 1) for k, v in per_shape.items()},
        "publish_invited_by_shape": invited,
        "publish_match_only_ms_by_shape": {k: round(v * 1000, 1) for k, v in match_only.items()},
        # What an officer waits for: publishing enqueues the match as a job on commit.
        "publish_only_ms_by_shape": {k: round(v * 1000, 1) for k, v in publish_only.items()},
        "publish_only_ms_max": round(max(publish_only.values()) * 1000, 1),
        "publish_select_jit_ms_by_shape": jit,
        "publish_hand_sql_ms_by_shape": {k: round(v * 1000, 1) for k, v in hand.items()},
        "publish_match_ms_median": round(statistics.median(times) * 1000, 1),
        "publish_match_ms_max": round(max(times) * 1000, 1),
    }


# --- (c) one enterprise re-matched -----------------------------------------------------------


def bench_rematch(enterprises: int, runs: int, on: dt.date) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import F

    from qinqing.enterprises.models import Enterprise
    from qinqing.policies.services.matching import enterprise_rematch

    in_database = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - started

    first = Enterprise.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    step = max(1, enterprises // runs)
    times: list[float] = []
    database: list[float] = []
    created = 0
    for k in range(runs):
        pk = first + (k * step * 7919) % enterprises
        Enterprise.objects.filter(pk=pk).update(
            employees=F("employees") + 30, insured_employees=F("insured_employees") + 25
        )
        in_database[0] = 0.0
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            created += len(enterprise_rematch(enterprise_id=pk, on=on))
            times.append(time.perf_counter() - started)
        database.append(in_database[0])
    times.sort()
    database.sort()
    p50 = statistics.median(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    db50 = statistics.median(database)
    print(
        f"  {runs} runs: p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms "
        f"(of which in the database, p50: {db50 * 1000:.2f} ms), {created} invitations created",
        flush=True,
    )
    return {
        "rematch_runs": runs,
        "rematch_p50_ms": round(p50 * 1000, 2),
        "rematch_p95_ms": round(p95 * 1000, 2),
        "rematch_max_ms": round(times[-1] * 1000, 2),
        "rematch_database_p50_ms": round(db50 * 1000, 2),
        "rematch_invitations_created": created,
    }


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite, part (a) only")
    parser.add_argument("--enterprises", type=int, default=None, help="1,000,000 (SQLite: 100,000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of part (a), alternating")
    parser.add_argument("--sample", type=int, default=5000, help="enterprises for the evaluator")
    parser.add_argument("--rematch-runs", type=int, default=200)
    parser.add_argument("--parts", default="abc", help="which parts to run (SQLite: a only)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    enterprises = args.enterprises or (100_000 if args.sqlite else 1_000_000)

    where = _sqlite_environment() if args.sqlite else _common.create_database(DATABASE).rsplit("@", 1)[-1]
    _common.setup_django()
    from django.db import connection
    from django.utils import timezone

    from qinqing.policies.services.matching import policy_match

    on = timezone.localdate()
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "enterprises": enterprises,
        "load_average_start": round(os.getloadavg()[0], 1),
    }
    print(f"Matching benchmark on {connection.vendor} ({where}), {os.cpu_count()} CPUs", flush=True)
    try:
        _common.migrate()
        city, dept, admin = _world()
        seconds = _load(enterprises, city.pk)
        from qinqing.enterprises.models import EnterpriseLabel

        labels = EnterpriseLabel.objects.count()
        print(f"loaded {enterprises:,} enterprises and {labels:,} labels in {seconds:.1f} s", flush=True)
        policies = _policies(dept, data.shapes(connection.vendor, on), on)
        figures |= {"policies": len(policies), "labels": labels, "load_s": round(seconds, 1)}
        if "a" in args.parts:
            print(f"(a) full re-match, {len(policies)} policies × {enterprises:,} enterprises", flush=True)
            figures |= bench_full(policies, on, enterprises, args.rounds, args.sample)
        elif "b" in args.parts or "c" in args.parts:
            # (b) and (c) run with every policy's matches in place, as after (a).
            for policy, _version, _shape in policies:
                policy_match(actor=None, policy=policy, on=on)
        if not args.sqlite and "b" in args.parts:
            print("(b) publishing one new policy, matched over every enterprise", flush=True)
            figures |= bench_publish(dept, admin, on, explain=True)
        if not args.sqlite and "c" in args.parts:
            print("(c) one enterprise's figures change, re-matched against every policy", flush=True)
            figures |= bench_rematch(enterprises, args.rematch_runs, on)
    finally:
        if not args.sqlite and not args.keep:
            _common.drop_database(DATABASE)
    figures["load_average_end"] = round(os.getloadavg()[0], 1)
    figures |= _common.peak_memory_mb()
    full_size = enterprises >= (100_000 if args.sqlite else 1_000_000)
    goals: dict[str, Any] = {}
    met: dict[str, bool] = {}
    if "a" in args.parts:
        goals |= {
            "full_ratio_to_hand_sql": f"<= {GOAL_SQL_RATIO}",
            "full_speedup_over_evaluator": f">= {GOAL_EVALUATOR_SPEEDUP}",
        }
        met |= {
            "full_within_1_5x_hand_sql": figures["full_ratio_to_hand_sql"] <= GOAL_SQL_RATIO
            and figures["full_same_rows_as_hand_sql"],
            "full_15x_faster_than_evaluator": figures["full_speedup_over_evaluator"]
            >= GOAL_EVALUATOR_SPEEDUP,
        }
    if not args.sqlite and "b" in args.parts:
        goals["publish_match_ms_max"] = f"< {GOAL_PUBLISH_MS}"
        met["publish_under_150ms"] = full_size and figures["publish_match_ms_max"] < GOAL_PUBLISH_MS
    if not args.sqlite and "c" in args.parts:
        goals["rematch_p95_ms"] = f"< {GOAL_REMATCH_P95_MS}"
        met["rematch_p95_under_5ms"] = figures["rematch_p95_ms"] < GOAL_REMATCH_P95_MS
    if not full_size:
        goals["note"] = "scaled down: the goals are for 1,000,000 enterprises (SQLite: 100,000)"
    _common.report(figures, goals, met)


if __name__ == "__main__":
    main()
