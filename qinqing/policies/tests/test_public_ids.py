"""Invitations' public ids are version-7 UUIDs, made alike in Python and in each
database's SQL (the match's INSERT … SELECT), so that new ids append to the index."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection

from qinqing.policies.models import Invitation
from qinqing.policies.public_ids import uuid7, uuid7_sql
from qinqing.policies.services.matching import policy_match


def _ms(value: uuid.UUID) -> int:
    return value.int >> 80


def _check_layout(value: uuid.UUID, *, not_before_ms: int, not_after_ms: int) -> None:
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert not_before_ms <= _ms(value) <= not_after_ms


def test_python_ids_are_version_7_and_carry_the_time():
    before = time.time_ns() // 1_000_000
    ids = [uuid7() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    for value in ids:
        _check_layout(value, not_before_ms=before, not_after_ms=after)
    assert len(set(ids)) == len(ids)


def test_ids_of_later_milliseconds_sort_after_earlier_ones():
    first = uuid7()
    time.sleep(0.002)
    second = uuid7()
    assert str(first) < str(second)
    assert first.int < second.int


@pytest.mark.django_db
def test_sql_ids_have_the_same_layout_on_this_database():
    before = time.time_ns() // 1_000_000
    with connection.cursor() as cursor:
        # SQLite evaluates 'now' once per statement; keep one row per statement there.
        rows = [cursor.execute(f"SELECT {uuid7_sql(connection.vendor)}").fetchone()[0] for _ in range(50)]
    after = time.time_ns() // 1_000_000
    values = [value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value) for value in rows]
    for value in values:
        # julianday('now') on SQLite is a float of days: allow a millisecond of rounding.
        _check_layout(value, not_before_ms=before - 1, not_after_ms=after + 1)
    assert len(set(values)) == len(values)
    if connection.vendor == "sqlite":
        assert all(len(v) == 32 and v == v.lower() for v in rows)  # Django's storage format


@pytest.mark.django_db
def test_a_match_writes_version_7_public_ids(world):
    before = time.time_ns() // 1_000_000
    assert policy_match(actor=world.officer, policy=world.policy) >= 1
    after = time.time_ns() // 1_000_000
    for public_id in Invitation.objects.filter(policy=world.policy).values_list("public_id", flat=True):
        _check_layout(public_id, not_before_ms=before - 1, not_after_ms=after + 1)
