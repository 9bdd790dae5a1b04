"""Verification of the whole chain, streaming, in constant memory.

Reads the sealed events in `seq` order, a page at a time by key (`seq > last`), and for
each one recomputes its hash from its columns, checks the link to the event before and
that no number is skipped. Signed checkpoints (from the database, the local file and any
kept export) must have valid signatures by the trusted key, and the chain must have the
signed hash at each signed position. Problems are named in chain order; the first one is
the first broken event.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import CHAIN_COLUMNS, GENESIS_HASH, chain_digest, stored_micros
from .checkpoints import SignedCheckpoint, parse_checkpoint_lines
from .guards import guards_installed
from .models import AuditCheckpoint, AuditEvent, AuditHead
from .signing import key_id as fingerprint
from .signing import trusted_public_key

PAGE_SIZE = 10_000
MAX_FINDINGS = 100
# How many broken links are remembered to recognise two events that swapped places.
_MAX_OPEN_BREAKS = 1000

_TABLE = AuditEvent._meta.db_table


class Kind:
    """What is wrong; stable codes for the JSON output and the API."""

    CONTENT_MISMATCH = "content_mismatch"
    LINK_BROKEN = "link_broken"
    SEQ_GAP = "seq_gap"
    REORDER = "reorder"
    MISSING_TAIL = "missing_tail"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    CHECKPOINT_SIGNATURE_INVALID = "checkpoint_signature_invalid"
    CHECKPOINT_MISSING_FROM_DATABASE = "checkpoint_missing_from_database"
    HEAD_MISMATCH = "head_mismatch"
    HEAD_BEYOND_CHAIN = "head_beyond_chain"
    EXPORT_INVALID = "export_invalid"


class WarningCode:
    """Conditions worth a supervisor's attention that do not break the chain."""

    GUARDS_MISSING = "guards_missing"
    NO_TRUSTED_KEY = "no_trusted_key"


def describe_warning(code: str) -> str:
    texts = {
        WarningCode.GUARDS_MISSING: _("The database guards against UPDATE and DELETE are not installed."),
        WarningCode.NO_TRUSTED_KEY: _(
            "No signing key is configured here; signatures were checked against the key stored "
            "with the checkpoints."
        ),
    }
    return str(texts.get(code, code))


@dataclass
class Finding:
    kind: str
    seq: int | None
    detail: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """What is wrong, in the active language."""
        return describe(self.kind, self.seq, self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "seq": self.seq, "detail": self.detail, "message": self.describe()}


def describe(kind: str, seq: int | None, detail: dict[str, Any]) -> str:
    values = {"seq": seq, **detail}
    templates = {
        Kind.CONTENT_MISMATCH: _("Event %(seq)s: its content no longer matches its hash (edited)."),
        Kind.LINK_BROKEN: _(
            "Event %(seq)s: its link to the event before does not match (an event was removed, "
            "inserted or replaced)."
        ),
        Kind.SEQ_GAP: _("Event %(seq)s: the events numbered %(missing_from)s to %(missing_to)s are missing.")
        if detail.get("missing_from") != detail.get("missing_to")
        else _("Event %(seq)s: the event numbered %(missing_from)s before it is missing."),
        Kind.REORDER: _("Event %(seq)s: it and event %(swapped_with)s swapped places (reordered)."),
        Kind.MISSING_TAIL: _(
            "The chain ends at event %(last_seq)s but the checkpoint signed at %(signed_at)s "
            "(%(source)s) vouches for event %(seq)s: the events after %(last_seq)s are missing."
        ),
        Kind.HEAD_BEYOND_CHAIN: _(
            "The chain ends at event %(last_seq)s but the chain's head record names event %(seq)s: "
            "the events after %(last_seq)s are missing."
        ),
        Kind.CHECKPOINT_MISMATCH: _(
            "Event %(seq)s: its hash differs from the checkpoint signed at %(signed_at)s "
            "(%(source)s); the chain after event %(good_through)s was rewritten."
        ),
        Kind.CHECKPOINT_SIGNATURE_INVALID: _(
            "Checkpoint at event %(seq)s (%(source)s): the signature is not valid for the trusted key."
        ),
        Kind.CHECKPOINT_MISSING_FROM_DATABASE: _(
            "Checkpoint at event %(seq)s (%(source)s) is missing from the database (deleted)."
        ),
        Kind.HEAD_MISMATCH: _("Event %(seq)s: its hash differs from the chain's head record."),
        Kind.EXPORT_INVALID: _("Checkpoint file %(source)s, line %(line)s: %(problem)s."),
    }
    template = templates.get(kind)
    if template is None:
        return kind
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return str(template)


@dataclass
class Report:
    started_at: Any
    events: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str = GENESIS_HASH
    pending: int = 0
    checkpoints_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0
    warnings: list[str] = field(default_factory=list)
    guards_installed: bool | None = None
    duration_s: float = 0.0

    @property
    def intact(self) -> bool:
        return self.findings_total == 0

    @property
    def first_break(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def as_dict(self) -> dict[str, Any]:
        first = self.first_break
        return {
            "intact": self.intact,
            "events": self.events,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "pending": self.pending,
            "checkpoints_checked": self.checkpoints_checked,
            "guards_installed": self.guards_installed,
            "first_break": first.as_dict() if first else None,
            "findings": [f.as_dict() for f in self.findings],
            "findings_total": self.findings_total,
            "warnings": [{"code": w, "message": describe_warning(w)} for w in self.warnings],
            "duration_s": round(self.duration_s, 3),
            "started_at": self.started_at.isoformat(),
        }


def _chain_order(finding: Finding) -> tuple[bool, int]:
    return (finding.seq is None, finding.seq or 0)


class _Findings:
    """All findings are counted; the MAX_FINDINGS earliest in the chain are kept (not
    the first found: checkpoint findings are found before the walk starts)."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.total = 0

    def add(self, kind: str, seq: int | None, **detail: Any) -> Finding:
        found = Finding(kind=kind, seq=seq, detail=detail)
        self.total += 1
        self.items.append(found)
        if len(self.items) > 2 * MAX_FINDINGS:
            self.items = self.ordered()
        return found

    def ordered(self) -> list[Finding]:
        return sorted(self.items, key=_chain_order)[:MAX_FINDINGS]


def verify_chain(
    *,
    checkpoints: bool = True,
    checkpoint_files: Iterable[Path] = (),
    include_local_file: bool = True,
    after_seq: int = 0,
    after_hash: str = GENESIS_HASH,
    through_seq: int | None = None,
    page_size: int = PAGE_SIZE,
) -> Report:
    """Verify the chain (or the segment after `after_seq`, whose hash is `after_hash`,
    through `through_seq`) against every checkpoint available (none if not `checkpoints`)."""
    clock = time.perf_counter()
    report = Report(started_at=timezone.now())
    findings = _Findings()
    trusted = trusted_public_key()

    # Everything the events are compared with is read before the events: events only
    # ever grow at the end, so whatever was vouched for must be in the stream that follows.
    expected = (
        _load_checkpoints(findings, report, trusted, checkpoint_files, include_local_file)
        if checkpoints
        else {}
    )
    if through_seq is not None:
        expected = {seq: cps for seq, cps in expected.items() if seq <= through_seq}
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    report.pending = AuditEvent.objects.filter(seq__isnull=True).count()
    report.guards_installed = guards_installed(connection)
    if report.guards_installed is False:
        report.warnings.append(WarningCode.GUARDS_MISSING)

    pages, at_offset = _pages(after_seq, through_seq, page_size)
    walk = _Walk(findings, expected, head, after_seq, after_hash, at_offset)
    for rows in pages:
        walk.page(rows)
    walk.finish(report, after_seq, through_seq)

    report.findings = findings.ordered()
    report.findings_total = findings.total
    report.duration_s = time.perf_counter() - clock
    return report


def _load_checkpoints(
    findings: _Findings,
    report: Report,
    trusted: str | None,
    files: Iterable[Path],
    include_local_file: bool,
) -> dict[int, list[SignedCheckpoint]]:
    in_db = [SignedCheckpoint.of(cp) for cp in AuditCheckpoint.objects.order_by("seq")]
    kept: list[SignedCheckpoint] = []
    paths = [Path(p) for p in files]
    local = Path(settings.AUDIT_CHECKPOINT_FILE)
    if include_local_file and local.exists() and local not in paths:
        paths.insert(0, local)
    header_keys: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            parsed = parse_checkpoint_lines(handle, source=path.name)
        for line, problem in parsed.problems:
            findings.add(Kind.EXPORT_INVALID, None, source=path.name, line=line, problem=problem)
        if parsed.header_key:
            header_keys.append(parsed.header_key)
        kept.extend(parsed.checkpoints)

    if trusted is None:
        # No key on this machine: trust the key a kept export names, else the database's.
        trusted = next(iter(header_keys), None) or next((cp.public_key for cp in in_db), None)
        if in_db or kept:
            report.warnings.append(WarningCode.NO_TRUSTED_KEY)

    expected: dict[int, list[SignedCheckpoint]] = {}
    valid_in_db: set[tuple[int, str]] = set()
    for cp in [*in_db, *kept]:
        if trusted is None or cp.public_key != trusted or not cp.signed_by(trusted):
            findings.add(
                Kind.CHECKPOINT_SIGNATURE_INVALID,
                cp.seq,
                source=cp.source,
                key_id=cp.key_id,
                trusted_key_id=fingerprint(trusted) if trusted else None,
            )
            continue
        if cp.source == "database":
            valid_in_db.add((cp.seq, cp.hash))
        elif (cp.seq, cp.hash) not in valid_in_db:
            findings.add(Kind.CHECKPOINT_MISSING_FROM_DATABASE, cp.seq, source=cp.source)
        same_seq = expected.setdefault(cp.seq, [])
        # One comparison per distinct signed hash, whichever sources repeat it.
        if all(other.hash != cp.hash for other in same_seq):
            same_seq.append(cp)
    report.checkpoints_checked = len({(cp.seq, cp.hash) for cps in expected.values() for cp in cps})
    return expected


# PostgreSQL sends a timestamptz in binary as microseconds since 2000-01-01 UTC.
_PG_EPOCH_US = 946_684_800_000_000
# Pages fetched ahead of the hashing, at most (each page is PAGE_SIZE rows in memory).
_PREFETCH_DEPTH = 2
_DONE = object()

Row = tuple[Any, ...]


def _pages(after_seq: int, through_seq: int | None, page_size: int) -> tuple[Iterator[list[Row]], int]:
    """Sealed events in chain order, a page at a time by key (`seq > last`): constant
    memory on any database, no long transaction, no cursor left open.

    Each row is (seq, at, actor_id, actor_label, organisation_id, object_type,
    object_id, action, request_id, before, after, prev_hash, hash) with every text as
    UTF-8 bytes and `at` in microseconds since some epoch; returns the pages and the
    offset that turns `at` into microseconds since the Unix epoch.
    """
    bound = " AND seq <= %s" if through_seq is not None else ""
    columns = ", ".join((*CHAIN_COLUMNS, "prev_hash", "hash"))
    # Table and column names are constants; only values are parameters.
    sql = f"SELECT {columns} FROM {_TABLE} WHERE seq > %s{bound} ORDER BY seq LIMIT %s"  # noqa: S608

    def params(last: int) -> list[Any]:
        return [last, through_seq, page_size] if through_seq is not None else [last, page_size]

    def keyset(fetch: Callable[[list[Any]], list[Row]]) -> Iterator[list[Row]]:
        last = after_seq
        while rows := fetch(params(last)):
            yield rows
            if len(rows) < page_size:
                return
            last = rows[-1][0]

    if connection.vendor != "postgresql":
        return keyset(lambda p: _generic_fetch(sql, p)), 0
    if connection.in_atomic_block:
        # Inside a transaction (a test, a caller's block) only this connection sees
        # everything that counts.
        connection.ensure_connection()
        raw = connection.connection
        return keyset(lambda p: _pg_fetch(raw, sql, p)), _PG_EPOCH_US

    conn_params = connection.get_connection_params()

    def fetch_ahead() -> Iterator[list[Row]]:
        # Its own connection: the database reads the next page while this one is hashed.
        raw = connection.get_new_connection(conn_params)
        try:
            raw.autocommit = True
            yield from keyset(lambda p: _pg_fetch(raw, sql, p))
        finally:
            raw.close()

    return _prefetched(fetch_ahead), _PG_EPOCH_US


def _pg_fetch(raw: Any, sql: str, params: list[Any]) -> list[Row]:
    """Rows in PostgreSQL's binary format with texts kept as the bytes received and the
    time as its integer microseconds: no decoding, no datetime objects, nothing to
    re-encode before hashing. Half the time of a plain fetch, and hashing is then cheap."""
    import psycopg
    from psycopg.types.numeric import Int8BinaryLoader
    from psycopg.types.string import ByteaBinaryLoader

    # A server-binding cursor of its own: Django's connections bind client-side, and
    # those cannot receive binary results.
    with psycopg.Cursor(raw) as cursor:
        # The binary form of text is its UTF-8 bytes: load it as bytea would be.
        cursor.adapters.register_loader("text", ByteaBinaryLoader)
        cursor.adapters.register_loader("varchar", ByteaBinaryLoader)
        cursor.adapters.register_loader("timestamptz", Int8BinaryLoader)
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def _generic_fetch(sql: str, params: list[Any]) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (
                seq,
                stored_micros(at),
                actor,
                label.encode(),
                org,
                otype.encode(),
                oid.encode(),
                action.encode(),
                rid.encode(),
                None if before is None else before.encode(),
                None if after is None else after.encode(),
                prev.encode(),
                stored.encode(),
            )
            for seq, at, actor, label, org, otype, oid, action, rid, before, after, prev, stored in cursor.fetchall()
        ]


def _prefetched(produce: Callable[[], Iterator[list[Row]]]) -> Iterator[list[Row]]:
    """Run `produce` in a thread, a bounded number of pages ahead of the consumer."""
    pages: queue.Queue[Any] = queue.Queue(maxsize=_PREFETCH_DEPTH)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False

    def run() -> None:
        try:
            for page in produce():
                if not put(page):
                    return
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer's thread
            put(exc)
        else:
            put(_DONE)

    worker = threading.Thread(target=run, name="audit-verify-prefetch", daemon=True)
    worker.start()
    try:
        while (item := pages.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=30)


class _Walk:
    """The walk along the chain. The per-event loop stays in one method with its state
    in local variables (a million iterations); anything unusual goes to a helper."""

    def __init__(  # noqa: PLR0917 - one walk, built in one place
        self,
        findings: _Findings,
        expected: dict[int, list[SignedCheckpoint]],
        head: tuple[int, str] | None,
        after_seq: int,
        after_hash: str,
        at_offset: int,
    ) -> None:
        self.findings = findings
        self.at_offset = at_offset
        self.expected = expected
        self.head = head
        self.want = after_seq + 1
        self.last_hash = after_hash.encode()
        self.count = 0
        self.first_seq: int | None = None
        # The last position a checkpoint vouched for successfully.
        self.good_through = after_seq
        # Predecessor hash an event claimed but did not get -> the finding about it.
        self.open_breaks: dict[bytes, Finding] = {}

    def page(self, rows: list[tuple[Any, ...]]) -> None:
        want, last_hash, count, at_offset = self.want, self.last_hash, self.count, self.at_offset
        expected, head_seq = self.expected, self.head[0] if self.head else 0
        if self.first_seq is None and rows:
            self.first_seq = rows[0][0]
        for seq, at, actor, label, org, otype, oid, action, rid, before, after, prev, stored in rows:
            problem = None
            if seq != want:
                problem = self.findings.add(Kind.SEQ_GAP, seq, missing_from=want, missing_to=seq - 1)
            elif prev != last_hash:
                problem = self._broken_link(seq, prev)
            if self.open_breaks and stored in self.open_breaks:
                self._swapped(seq, stored, problem)
            digest = chain_digest(
                prev, seq, at + at_offset, actor, label, org, otype, oid, action, rid, before, after
            )
            if digest != stored:
                if problem is None:
                    self.findings.add(Kind.CONTENT_MISMATCH, seq)
                else:
                    problem.detail["content_mismatch"] = True
            if seq in expected:
                self._vouched(seq, stored)
            if seq == head_seq:
                self._head(seq, stored)
            last_hash = stored
            want = seq + 1
            count += 1
        self.want, self.last_hash, self.count = want, last_hash, count

    def _broken_link(self, seq: int, prev: bytes) -> Finding:
        problem = self.findings.add(Kind.LINK_BROKEN, seq)
        if len(self.open_breaks) < _MAX_OPEN_BREAKS:
            self.open_breaks[prev] = problem
        return problem

    def _swapped(self, seq: int, stored: bytes, problem: Finding | None) -> None:
        # An earlier event named this one as its predecessor: they swapped places.
        earlier = self.open_breaks.pop(stored)
        earlier.kind, earlier.detail = Kind.REORDER, {"swapped_with": seq}
        if problem is not None and problem.kind == Kind.LINK_BROKEN:
            problem.kind, problem.detail = Kind.REORDER, {"swapped_with": earlier.seq}

    def _vouched(self, seq: int, stored: bytes) -> None:
        for cp in self.expected.pop(seq):
            if cp.hash == stored.decode():
                self.good_through = seq
            else:
                self.findings.add(
                    Kind.CHECKPOINT_MISMATCH,
                    seq,
                    source=cp.source,
                    signed_at=cp.at,
                    good_through=self.good_through,
                )

    def _head(self, seq: int, stored: bytes) -> None:
        if self.head is not None and self.head[1] != stored.decode():
            self.findings.add(Kind.HEAD_MISMATCH, seq)

    def finish(self, report: Report, after_seq: int, through_seq: int | None) -> None:
        """What was vouched for beyond the last event is missing."""
        last_seq = self.want - 1
        report.events = self.count
        report.first_seq = self.first_seq
        report.last_seq = last_seq if self.count or after_seq else None
        report.last_hash = self.last_hash.decode()
        for seq, cps in sorted(self.expected.items()):
            if seq > last_seq:
                self.findings.add(
                    Kind.MISSING_TAIL, seq, last_seq=last_seq, signed_at=cps[0].at, source=cps[0].source
                )
        head_seq = self.head[0] if self.head else 0
        if head_seq > last_seq and (through_seq is None or head_seq <= through_seq):
            self.findings.add(Kind.HEAD_BEYOND_CHAIN, head_seq, last_seq=last_seq)
