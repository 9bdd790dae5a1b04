"""The hash chain: the canonical form of an event and its hash.

The writer, the sealer, the verifier and the benchmark share this one definition.
Version 1 of the canonical form, for an event with sequence number `seq`:

    prev_hash "\\n" header "\\n" before "\\n" after            (UTF-8, then SHA-256)

where `header` is the compact JSON array

    [1, seq, at_us, actor_id, actor_label, organisation_id, object_type, object_id,
     action, request_id, len(before) or -1, len(after) or -1]

`at_us` is the event time in whole microseconds since the Unix epoch (UTC), and
`before`/`after` are the stored canonical JSON texts (keys sorted, no spaces, non-ASCII
kept) or "" when absent. The lengths make the encoding injective whatever the texts hold.
Every input is a column of the event row, so editing any column changes the hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet

CHAIN_VERSION = 1
GENESIS_HASH = "0" * 64

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)
# Bound methods of preconfigured encoders: the C encoder, without per-call set-up.
_dump_header = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_dump_sorted = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode
_sha256 = hashlib.sha256


class _SnapshotEncoder(DjangoJSONEncoder):
    """What services put in before/after: plain data plus the usual Django values.

    Model instances become their primary key and sets become sorted lists, so that a
    snapshot taken with model_to_dict() can be stored as it is.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, Model):
            return o.pk
        if isinstance(o, QuerySet):
            return [obj.pk for obj in o]
        if isinstance(o, set | frozenset):
            return sorted(o, key=lambda item: json.dumps(item, cls=_SnapshotEncoder, sort_keys=True))
        if isinstance(o, bytes):
            return o.hex()
        if isinstance(o, Mapping):
            return dict(o)
        # Decimal, dates and times, UUIDs and lazy strings.
        return super().default(o)


def normalise_json(value: Any) -> Any:
    """Turn Decimal, dates, UUIDs, model instances into plain JSON values once, before
    storing, so that the stored value and the hashed value are the same."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=_SnapshotEncoder))


def canonical_json(value: Any) -> str | None:
    """The stored and hashed text of a before/after value (None stays None)."""
    if value is None:
        return None
    return _dump_sorted(normalise_json(value))  # type: ignore[no-any-return]


def micros(at: dt.datetime) -> int:
    """Whole microseconds since the epoch of an aware datetime."""
    if at.tzinfo is None:
        raise ValueError("audit times must be aware datetimes")
    return (at - _EPOCH) // _ONE_MICROSECOND


def from_micros(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def stored_micros(value: Any) -> int:
    """Microseconds since the epoch of a time read back from the database: PostgreSQL
    gives aware datetimes, SQLite naive ones in UTC (or text without Django's converters)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return micros(value)


def event_hash(  # noqa: PLR0917 - positional on purpose, see the docstring
    prev_hash: str,
    seq: int,
    at_us: int,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    object_type: str,
    object_id: str,
    action: str,
    request_id: str,
    before: str | None,
    after: str | None,
) -> str:
    """The hash of one event. Positional, in the order of `CHAIN_COLUMNS`, because the
    verifier calls it a million times in a row."""
    header = _dump_header(
        [
            CHAIN_VERSION,
            seq,
            at_us,
            actor_id,
            actor_label,
            organisation_id,
            object_type,
            object_id,
            action,
            request_id,
            -1 if before is None else len(before),
            -1 if after is None else len(after),
        ]
    )
    text = "\n".join((prev_hash, header, before or "", after or ""))
    return _sha256(text.encode()).hexdigest()


# The columns event_hash() reads, in its argument order after prev_hash; the time is
# read as `at` and converted with micros() unless the database computes it.
CHAIN_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "object_type",
    "object_id",
    "action",
    "request_id",
    "before",
    "after",
)
