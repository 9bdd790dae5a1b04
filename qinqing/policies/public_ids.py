"""Time-ordered public ids (UUID version 7, RFC 9562) for invitations.

Invitations are written tens of thousands at a time by one `INSERT … SELECT`
(`services/matching.py`). A random (version 4) public id puts every new row at a random
place in the unique index on `public_id`: a large match touches nearly every leaf page of
that index, and after each checkpoint writes each of those pages whole to the WAL. A
version-7 id starts with the time in milliseconds, so a match's ids go to the right edge
of the index, a few new pages. The remaining 74 bits are random; the id still reveals
nothing the invitation's page does not show (its time), and every read by public id is
scoped to the enterprise anyway (`selectors.access_invitation_by_public_id`).

The same id is made three ways: in Python (`uuid7`, the model's default and the
re-match's bulk insert) and in SQL on each database (`uuid7_sql`, the match's
`INSERT … SELECT`); `tests/test_public_ids.py` holds them to one layout.
"""

from __future__ import annotations

import os
import time
import uuid

_MS_BITS = 48
_RAND_A_BITS = 12
_RAND_B_BITS = 62


def uuid7() -> uuid.UUID:
    """A version-7 UUID: 48 bits of Unix time in milliseconds, version, 12 random bits,
    variant, 62 random bits."""
    ms = time.time_ns() // 1_000_000 & ((1 << _MS_BITS) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand >> (80 - _RAND_A_BITS)
    rand_b = rand & ((1 << _RAND_B_BITS) - 1)
    value = ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


# PostgreSQL (before 18, which has uuidv7()): a random UUID with its first six bytes
# replaced by the time in milliseconds and its version nibble turned from 4 into 7 (bits
# 52 and 53 of the bytes); the variant bits are already those of RFC 9562.
_POSTGRESQL = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
    "substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) "
    "FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"
)
# SQLite (Django keeps a UUID as 32 hex digits): the time as 12 hex digits, the version,
# 3 random digits, one of 8 9 a b (variant), 15 random digits. `random() & 3` rather
# than `abs(random()) % 4`: abs() overflows on the smallest 64-bit integer. The format
# is `char(37) || '012x'` ('%012x') because Django formats a statement that has
# parameters with Python's `%`, which a literal percent sign would break.
_SQLITE = (
    "lower(printf(char(37) || '012x', CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)) "
    "|| '7' || substr(hex(randomblob(2)), 2, 3) || substr('89ab', (random() & 3) + 1, 1) "
    "|| substr(hex(randomblob(8)), 2, 15))"
)


def uuid7_sql(vendor: str) -> str:
    """An SQL expression giving a new version-7 UUID per row, in the column's storage
    format on `vendor` ("postgresql" or "sqlite")."""
    return _POSTGRESQL if vendor == "postgresql" else _SQLITE
