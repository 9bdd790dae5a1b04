"""Writing the audit trail: recording events and sealing them into the chain.

Checkpoints and verification runs have their own modules (checkpoints.py,
verification.py); this module keeps the one function every other app calls,
`audit_record`, and the sealer behind it. The design is in docs/audit.md.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from qinqing.common.request_context import current_request_id

from ..chain import CHAIN_COLUMNS, GENESIS_HASH, canonical_json, event_hash, micros, stored_micros
from ..models import AuditEvent, AuditHead

logger = logging.getLogger(__name__)

SEALING_INLINE = "inline"
SEALING_DEFERRED = "deferred"
# How many waiting events one sealing transaction takes at most.
SEAL_BATCH = 2000
# In deferred mode a process seals after a commit at most this often (seconds), so that
# under load one sealing transaction serves many events instead of one each. Events
# committed in between are sealed by the next seal of any process, by the minute
# sweeper, or before any verification, checkpoint or supervisor's read.
SEAL_INTERVAL = 0.5
_last_seal_attempt = -SEAL_INTERVAL

_EVENT_TABLE = AuditEvent._meta.db_table
_MAX_ACTION = AuditEvent._meta.get_field("action").max_length or 100
_MAX_OBJECT_TYPE = AuditEvent._meta.get_field("object_type").max_length or 100
_MAX_OBJECT_ID = AuditEvent._meta.get_field("object_id").max_length or 64
_MAX_LABEL = AuditEvent._meta.get_field("actor_label").max_length or 200
_MAX_REQUEST_ID = AuditEvent._meta.get_field("request_id").max_length or 64


def sealing_mode() -> str:
    """settings.AUDIT_SEALING, or the default for the database in use: inline on
    SQLite (which runs one writer at a time anyway), deferred on PostgreSQL."""
    mode = settings.AUDIT_SEALING
    if mode in {SEALING_INLINE, SEALING_DEFERRED}:
        return str(mode)
    if mode:
        raise ImproperlyConfigured("AUDIT_SEALING must be 'inline', 'deferred' or empty")
    return SEALING_DEFERRED if connection.vendor == "postgresql" else SEALING_INLINE


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    organisation: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction.

    `actor` is a user or None (the system); `obj` names the record changed, or
    `object_type`/`object_id` name it explicitly; `organisation` (an Organisation or
    its id) is the node the record belongs to and decides which supervisors see the
    event. `before`/`after` are JSON-able snapshots (Decimal, dates, UUIDs and model
    instances are turned into plain values). Must be called inside
    `transaction.atomic()`: the event commits or rolls back with the change.

    The returned event has its `seq` and `hash` at once in inline sealing mode; in
    deferred mode they are filled just after the transaction commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("audit_record needs obj or object_type and object_id")
    object_id = str(object_id)
    _check_length("action", action, _MAX_ACTION)
    _check_length("object_type", object_type, _MAX_OBJECT_TYPE)
    _check_length("object_id", object_id, _MAX_OBJECT_ID)

    before_text = canonical_json(before)
    after_text = canonical_json(after)
    at = timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_label = (str(actor) if actor is not None else "system")[:_MAX_LABEL]
    organisation_id = getattr(organisation, "pk", organisation)
    request_id = (current_request_id() or "")[:_MAX_REQUEST_ID]
    seq: int | None = None
    prev_hash, digest = "", None
    inline = sealing_mode() == SEALING_INLINE
    if inline:
        head = lock_audit_head()
        assert head is not None
        seq, prev_hash = head.seq + 1, head.hash
        digest = event_hash(
            prev_hash,
            seq,
            micros(at),
            actor_id,
            actor_label,
            organisation_id,
            object_type,
            object_id,
            action,
            request_id,
            before_text,
            after_text,
        )
    event_id = _insert(
        [
            seq,
            connection.ops.adapt_datetimefield_value(at),
            actor_id,
            actor_label,
            organisation_id,
            object_type,
            object_id,
            action,
            before_text,
            after_text,
            request_id,
            prev_hash,
            digest,
        ]
    )
    if inline:
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    else:
        _seal_after_commit()
    # Callers get the event as a fresh query would give it: JSON values as Python data.
    return AuditEvent(
        id=event_id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=object_id,
        action=action,
        before=None if before_text is None else json.loads(before_text),
        after=None if after_text is None else json.loads(after_text),
        request_id=request_id,
        prev_hash=prev_hash,
        hash=digest,
    )


_INSERT_SQL = (
    f"INSERT INTO {_EVENT_TABLE} (seq, at, actor_id, actor_label, organisation_id, object_type, "  # noqa: S608
    "object_id, action, before, after, request_id, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _insert(params: list[Any]) -> int:
    """One INSERT, written out: every change of state in the product passes here, and
    the ORM's per-call compilation would double the trail's cost in the writer."""
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(_INSERT_SQL + " RETURNING id", params)
            row = cursor.fetchone()
            return int(row[0])
        cursor.execute(_INSERT_SQL, params)
        return int(cursor.lastrowid)


def _check_length(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValueError(f"audit_record: {name} is longer than {limit} characters")


def lock_audit_head(*, skip_locked: bool = False) -> AuditHead | None:
    """Lock the chain's head row for this transaction (None if `skip_locked` and
    another transaction holds it). Creates the row if missing, from the last sealed
    event, so that an emptied table starts again at the genesis hash."""
    head = AuditHead.objects.select_for_update(skip_locked=skip_locked).filter(pk=1).first()
    if head is not None:
        return head
    if skip_locked and AuditHead.objects.filter(pk=1).exists():
        return None
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last is not None else (0, GENESIS_HASH)
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": seq, "hash": digest})
    return AuditHead.objects.select_for_update().get(pk=1)


# --- Sealing ------------------------------------------------------------------------------


def _seal_after_commit() -> None:
    """Seal this transaction's events once it commits; one callback per transaction."""
    conn = transaction.get_connection()
    pending = getattr(conn, "run_on_commit", [])
    if any(entry[1] is _seal_quietly for entry in pending):
        return
    transaction.on_commit(_seal_quietly)


def _seal_quietly() -> None:
    global _last_seal_attempt  # noqa: PLW0603 - one clock per process, by design
    now = time.monotonic()
    if now - _last_seal_attempt < SEAL_INTERVAL:
        return
    _last_seal_attempt = now
    try:
        audit_seal_pending(wait=False)
    except DatabaseError:
        # The events stay waiting; the next writer or the minute sweeper seals them.
        logger.exception("sealing audit events after commit failed")


def audit_seal_pending(*, wait: bool = True, batch_size: int = SEAL_BATCH) -> int:
    """Give every committed event still waiting its place in the chain; return how
    many were sealed.

    With `wait=False` it gives way when another transaction holds the head: that
    sealer looks for waiting events again after it commits, so giving way never leaves
    an event behind.
    """
    sealed = 0
    if not AuditEvent.objects.filter(seq__isnull=True).exists():
        # Nothing waits (the usual case): no lock, no transaction.
        return sealed
    while True:
        outermost = not transaction.get_connection().in_atomic_block
        with transaction.atomic():
            if outermost:
                _relax_commit_durability()
            head = lock_audit_head(skip_locked=not wait)
            if head is None:
                return sealed
            rows = _pending_rows(batch_size)
            if rows:
                _seal_rows(head, rows)
        sealed += len(rows)
        if len(rows) == batch_size:
            continue
        # Events that committed while the head was held were skipped by their own
        # writers (they gave way to us); look once more now that it is released.
        if not rows or not AuditEvent.objects.filter(seq__isnull=True).exists():
            return sealed


def _relax_commit_durability() -> None:
    """A seal needs no flush of its own: it is recomputed from committed events if a
    crash loses it, and any later synchronous commit (a checkpoint, the next change)
    flushes the log past it. Keeping the flush out of the head lock is what lets
    concurrent writers proceed at nearly the speed of plain inserts."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _pending_rows(limit: int) -> list[tuple[Any, ...]]:
    columns = ", ".join(CHAIN_COLUMNS[1:])
    sql = f"SELECT id, {columns} FROM {_EVENT_TABLE} WHERE seq IS NULL ORDER BY id LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return list(cursor.fetchall())


def _seal_rows(head: AuditHead, rows: list[tuple[Any, ...]]) -> None:
    prev, seq = head.hash, head.seq
    updates: list[tuple[int, str, str, int]] = []  # (seq, prev_hash, hash, id)
    for event_id, at, *content in rows:
        seq += 1
        digest = event_hash(prev, seq, stored_micros(at), *content)
        updates.append((seq, prev, digest, event_id))
        prev = digest
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the batch: a thousand single-row UPDATEs cost the
            # database ten times as much, and sealing runs for every event written.
            values = ", ".join(["(%s::bigint, %s, %s, %s::bigint)"] * len(updates))
            cursor.execute(
                f"UPDATE {_EVENT_TABLE} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
                f"FROM (VALUES {values}) AS v(seq, prev_hash, hash, id) WHERE e.id = v.id AND e.seq IS NULL",
                [value for update in updates for value in update],
            )
            changed = cursor.rowcount
        else:
            cursor.executemany(
                f"UPDATE {_EVENT_TABLE} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                updates,
            )
            changed = len(updates) if cursor.rowcount in (-1, None) else cursor.rowcount
    if changed != len(updates):
        # Only the head's holder seals, so this means the table changed under the lock.
        raise DatabaseError(f"sealing changed {changed} of {len(updates)} audit events")
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
