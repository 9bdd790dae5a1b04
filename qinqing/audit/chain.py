"""The hash chain: the canonical form of an event and its hash.

The writer, the sealer, the verifier and the benchmark share this one definition.
Version 1 of the canonical form of an event is these bytes, hashed with SHA-256:

    prev_hash LF header LF actor_label object_type object_id action request_id before after

`prev_hash` is the previous event's hash (64 hex digits; 64 zeros for the first event).
`header` is ASCII decimal numbers separated by single spaces:

    1 seq at_us actor_id organisation_id L(actor_label) L(object_type) L(object_id)
      L(action) L(request_id) L(before) L(after)

where `at_us` is the event time in whole microseconds since the Unix epoch (UTC), an
absent id is -1, L() is a length in UTF-8 bytes and -1 for an absent before/after. The
seven texts follow in UTF-8, back to back; the lengths make the encoding injective,
whatever the texts hold. `before`/`after` are the stored canonical JSON texts (keys
sorted, no spaces, non-ASCII kept). Every input is a column of the event row, so
editing any column changes the hash.

The form is bytes, not JSON, so that the verifier can hash rows exactly as the
database sends them (see verify.py): a million events verify in a few seconds.
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
_HEADER = b"%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\n" % CHAIN_VERSION
# A bound method of a preconfigured encoder: the C encoder, without per-call set-up.
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
    try:
        # Plain JSON data (the usual snapshot) encodes as it is; the round trip through
        # normalise_json() would give the same text, three times slower.
        return _dump_sorted(value)  # type: ignore[no-any-return]
    except TypeError:
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


def chain_digest(  # noqa: PLR0917 - positional on purpose: called a million times in a row
    prev_hash: bytes,
    seq: int,
    at_us: int,
    actor_id: int | None,
    actor_label: bytes,
    organisation_id: int | None,
    object_type: bytes,
    object_id: bytes,
    action: bytes,
    request_id: bytes,
    before: bytes | None,
    after: bytes | None,
) -> bytes:
    """The hash (hex digits, as ASCII bytes) of one event given as UTF-8 bytes."""
    header = _HEADER % (
        seq,
        at_us,
        -1 if actor_id is None else actor_id,
        -1 if organisation_id is None else organisation_id,
        len(actor_label),
        len(object_type),
        len(object_id),
        len(action),
        len(request_id),
        -1 if before is None else len(before),
        -1 if after is None else len(after),
    )
    data = b"".join(
        (
            prev_hash,
            b"\n",
            header,
            actor_label,
            object_type,
            object_id,
            action,
            request_id,
            before or b"",
            after or b"",
        )
    )
    return _sha256(data).hexdigest().encode()


def event_hash(  # noqa: PLR0917 - the argument order of CHAIN_COLUMNS
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
    """The hash of one event given as Python values (the writer's and the sealer's view)."""
    return chain_digest(
        prev_hash.encode(),
        seq,
        at_us,
        actor_id,
        actor_label.encode(),
        organisation_id,
        object_type.encode(),
        object_id.encode(),
        action.encode(),
        request_id.encode(),
        None if before is None else before.encode(),
        None if after is None else after.encode(),
    ).decode()


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
