"""Audit trail benchmark (./run bench audit), on PostgreSQL.

(a) Appending: 4 writer processes, each with its own connection, each event in its own
    transaction through audit_record() as services do, against 4 processes inserting rows
    of the same size into a plain table (same columns and indexes, no chain, no guards)
    through the same Django connection, one transaction each. After a warm-up, each
    round runs plain, deferred-sealing and inline-sealing writers in turn (rotating the
    order); the audit figure counts until every event is sealed. The ratio is the median
    of the rounds' audit/plain ratios, so that the machine's noise hits both sides
    alike. Goal: ratio >= 0.5 (with the default, deferred sealing).
(b) Verifying: a valid chain of 1,000,000 events is bulk-loaded (COPY) with a signed
    checkpoint at its end, then verify_chain() (what `manage.py verify_audit` runs) is
    timed. Goal: under 10 s.

Options: --writers N, --events-per-writer N, --rounds N, --verify-events N, --keep.
The last line printed is one JSON object with the figures, the goals and whether each
goal was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402 - the bench folder is put on the path just above

DATABASE = "qinqing_bench"
PLAIN_TABLE = "bench_plain_event"
GOAL_RATIO = 0.5
GOAL_VERIFY_SECONDS = 10.0

# One realistic event: an application approved, with a short before/after snapshot.
BEFORE = {"status": "reviewing", "amount": "600000.00", "step": "复核"}
AFTER = {"status": "approved", "amount": "600000.00", "step": "公示", "note": "材料齐全，同意兑现"}


# --- (a) appending ---------------------------------------------------------------------------


def _writer(kind: str, number: int, count: int, sealing: str, start: Any, done: Any) -> None:  # noqa: PLR0917
    """One writer process: `count` transactions of one row each."""
    os.environ["AUDIT_SEALING"] = sealing
    _common.setup_django()
    from django.db import connection, transaction

    from qinqing.accounts.models import Organisation, User
    from qinqing.audit.chain import canonical_json
    from qinqing.audit.services import audit_record

    actor = User.objects.get(username="bench")
    organisation = Organisation.objects.get(code="bench")
    before, after = canonical_json(BEFORE), canonical_json(AFTER)
    plain_sql = (
        f"INSERT INTO {PLAIN_TABLE} (seq, at, actor_id, actor_label, organisation_id, object_type, "  # noqa: S608
        "object_id, action, before, after, request_id, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    connection.ensure_connection()
    start.wait()
    for n in range(count):
        object_id = number * 1_000_000 + n
        if kind == "plain":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    plain_sql,
                    [
                        number * 1_000_000_000 + n + 1,  # unique across writers and rounds
                        dt.datetime.now(dt.UTC),
                        actor.pk,
                        str(actor),
                        organisation.pk,
                        "policies.application",
                        str(object_id),
                        "application.approve",
                        before,
                        after,
                        secrets.token_hex(16),
                        secrets.token_hex(32),
                        secrets.token_hex(32),
                    ],
                )
        else:
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    action="application.approve",
                    object_type="policies.application",
                    object_id=object_id,
                    organisation=organisation,
                    before=BEFORE,
                    after=AFTER,
                )
    connection.close()
    done.put(number)


def _round(kind: str, writers: int, each: int, sealing: str, first: int) -> float:
    """Events per second of one round: from the common start until every row is
    committed (and, for the audit trail, sealed into the chain)."""
    from django.db import connection

    ctx = mp.get_context("spawn")
    start = ctx.Barrier(writers + 1)
    done = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(kind, first + i, each, sealing, start, done))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.perf_counter()
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"a {kind} writer failed (exit code {proc.exitcode})")
    if kind == "audit":
        from qinqing.audit.services import audit_seal_pending

        audit_seal_pending(wait=True)
    elapsed = time.perf_counter() - began
    connection.close()
    return writers * each / elapsed


def bench_append(writers: int, each: int, rounds: int) -> dict[str, Any]:
    from django.db import connection

    from qinqing.audit.models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        cursor.execute(
            f"CREATE TABLE {PLAIN_TABLE} (LIKE {AuditEvent._meta.db_table} "
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
    rates: dict[str, list[float]] = {"plain": [], "deferred": [], "inline": []}
    kinds = [("plain", ""), ("audit", "deferred"), ("audit", "inline")]
    writer_numbers = iter(range(1, 10**6, writers))  # unique writer numbers, round after round
    # Warm-up, not counted: the first writes of a fresh database fill caches and files.
    for kind, sealing in kinds:
        _round(kind, writers, max(each // 4, 50), sealing, first=next(writer_numbers))
    for number in range(rounds):
        # Rotate the order so that no kind always runs first (or right after another).
        for kind, sealing in kinds[number % 3 :] + kinds[: number % 3]:
            rate = _round(kind, writers, each, sealing, first=next(writer_numbers))
            rates["plain" if kind == "plain" else sealing].append(rate)
            print(f"  round {number + 1}: {kind:<5} {sealing or '':<8} {rate:8.0f} events/s", flush=True)
    plain = statistics.median(rates["plain"])
    deferred = statistics.median(rates["deferred"])
    inline = statistics.median(rates["inline"])
    # The machine is shared and noisy: compare each round's kinds with each other.
    ratios = [d / p for d, p in zip(rates["deferred"], rates["plain"], strict=True)]
    ratios_inline = [i / p for i, p in zip(rates["inline"], rates["plain"], strict=True)]
    sealed = AuditEvent.objects.filter(seq__isnull=False).count()
    pending = AuditEvent.objects.filter(seq__isnull=True).count()
    return {
        "append_writers": writers,
        "append_events_per_writer_per_round": each,
        "append_rounds": rounds,
        "append_plain_events_per_s": round(plain),
        "append_audit_events_per_s": round(deferred),
        "append_ratio": round(statistics.median(ratios), 3),
        "append_ratio_per_round": [round(r, 3) for r in ratios],
        "append_ratio_of_median_rates": round(deferred / plain, 3),
        "append_audit_inline_events_per_s": round(inline),
        "append_ratio_inline_sealing": round(statistics.median(ratios_inline), 3),
        "append_events_sealed": sealed,
        "append_events_left_unsealed": pending,
    }


# --- (b) verifying ---------------------------------------------------------------------------


def _empty_audit_tables() -> None:
    from django.db import connection

    from qinqing.audit.guards import resume_statements, suspend_statements

    with connection.cursor() as cursor:
        for sql in suspend_statements("postgresql"):
            cursor.execute(sql)
        cursor.execute("TRUNCATE audit_auditevent, audit_auditcheckpoint, audit_audithead")
        for sql in resume_statements("postgresql"):
            cursor.execute(sql)


def load_chain(count: int) -> float:
    """Bulk-load a valid chain of `count` events with COPY; returns the seconds taken.
    The hashes come from chain_digest(), the function the verifier uses."""
    from django.db import connection

    from qinqing.accounts.models import Organisation, User
    from qinqing.audit.chain import GENESIS_HASH, canonical_json, chain_digest, from_micros
    from qinqing.audit.models import AuditHead

    _empty_audit_tables()
    actor = User.objects.get(username="bench")
    orgs = list(Organisation.objects.values_list("pk", flat=True))
    label = str(actor)
    label_b, otype, otype_b = label.encode(), "policies.application", b"policies.application"
    actions = ["application.submit", "application.review", "application.approve", "payment.disburse"]
    # Four kinds of step, each with its own before/after snapshot, in turn.
    steps = []
    for n, action in enumerate(actions):
        before = canonical_json({"status": actions[n - 1], "amount": "600000.00", "step": n})
        after = canonical_json({"status": action, "amount": "600000.00", "step": n + 1, "note": "按规定办理"})
        assert before is not None and after is not None
        steps.append((action, action.encode(), before, before.encode(), after, after.encode()))
    base_us = 1_665_600_000_000_000  # 2022-10-13, the day of the seed's article
    began = time.perf_counter()
    prev = GENESIS_HASH.encode()
    columns = (
        "seq, at, actor_id, actor_label, organisation_id, object_type, object_id, action, "
        "request_id, before, after, prev_hash, hash"
    )
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
        for seq in range(1, count + 1):
            at_us = base_us + seq * 1_500_000
            org = orgs[seq % len(orgs)]
            object_id = str(seq // 4)
            request_id = f"{seq:032x}"
            action, action_b, before, before_b, after, after_b = steps[seq % 4]
            digest = chain_digest(
                prev, seq, at_us, actor.pk, label_b, org, otype_b, object_id.encode(), action_b,
                request_id.encode(), before_b, after_b,
            )  # fmt: skip
            copy.write_row(
                (seq, from_micros(at_us), actor.pk, label, org, otype, object_id, action, request_id,
                 before, after, prev.decode(), digest.decode())
            )  # fmt: skip
            prev = digest
    raw.commit()
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": count, "hash": prev.decode()})
    with connection.cursor() as cursor:
        # What autovacuum does to a table this size soon after the load.
        cursor.execute("VACUUM ANALYZE audit_auditevent")
    return time.perf_counter() - began


def bench_verify(count: int) -> dict[str, Any]:
    from qinqing.audit.services import audit_checkpoint_create
    from qinqing.audit.verify import verify_chain

    load_seconds = load_chain(count)
    print(f"  loaded {count} events in {load_seconds:.1f} s", flush=True)
    signed = time.perf_counter()
    checkpoint = audit_checkpoint_create()  # itself verifies the whole (new) chain first
    sign_seconds = time.perf_counter() - signed
    assert checkpoint is not None and checkpoint.seq == count
    began = time.perf_counter()
    result = verify_chain()
    seconds = time.perf_counter() - began
    if not result.intact or result.events != count:
        raise SystemExit(f"the generated chain did not verify: {result.as_dict()}")
    print(f"  verified {result.events} events in {seconds:.2f} s", flush=True)
    return {
        "verify_events": result.events,
        "verify_seconds": round(seconds, 2),
        "verify_events_per_s": round(result.events / seconds),
        "verify_checkpoints_checked": result.checkpoints_checked,
        "load_seconds": round(load_seconds, 1),
        "checkpoint_sign_seconds_incl_segment_verify": round(sign_seconds, 2),
    }


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--events-per-writer", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--verify-events", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    url = _common.create_database(DATABASE)
    print(f"Audit benchmark on {url.rsplit('@', 1)[-1]} ({os.cpu_count()} CPUs)", flush=True)
    _common.setup_django()
    try:
        _common.migrate()
        _seed()
        figures: dict[str, Any] = {}
        if args.rounds > 0:
            print("(a) appending", flush=True)
            figures |= bench_append(args.writers, args.events_per_writer, args.rounds)
        if args.verify_events > 0:
            print("(b) verifying", flush=True)
            figures |= bench_verify(args.verify_events)
    finally:
        if not args.keep:
            _common.drop_database(DATABASE)
    figures |= _common.peak_memory_mb()
    goals = {"append_ratio": GOAL_RATIO, "verify_1m_seconds": GOAL_VERIFY_SECONDS}
    met = {
        "append_ratio": figures.get("append_ratio", 0) >= GOAL_RATIO,
        "verify_1m_under_10s": args.verify_events >= 1_000_000
        and figures.get("verify_seconds", GOAL_VERIFY_SECONDS) < GOAL_VERIFY_SECONDS,
    }
    _common.report(figures, goals, met)


def _seed() -> None:
    from django.db import transaction

    from qinqing.accounts.models import OrganisationKind
    from qinqing.accounts.services import organisation_create, user_create

    with transaction.atomic():
        city = organisation_create(actor=None, code="bench-city", name="泉州市", kind=OrganisationKind.CITY)
        for n in range(6):
            organisation_create(
                actor=None, code=f"bench-{n}", name=f"部门{n}", kind=OrganisationKind.DEPARTMENT, parent=city
            )
        organisation_create(
            actor=None, code="bench", name="市发改委", kind=OrganisationKind.DEPARTMENT, parent=city
        )
        user_create(actor=None, username="bench", password=None, display_name="经办人")


if __name__ == "__main__":
    main()
