"""The canonical form and the hash: every column counts, values are stored as hashed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from qinqing.audit.chain import GENESIS_HASH, canonical_json, event_hash, micros, stored_micros

BASE = {
    "prev_hash": GENESIS_HASH,
    "seq": 1,
    "at_us": 1_700_000_000_123_456,
    "actor_id": 7,
    "actor_label": "张三",
    "organisation_id": 3,
    "object_type": "policies.application",
    "object_id": "42",
    "action": "application.approve",
    "request_id": "abc123def456",
    "before": '{"status":"submitted"}',
    "after": '{"status":"approved"}',
}


def _hash(**changes):
    values = {**BASE, **changes}
    return event_hash(*values.values())


def test_the_hash_is_stable_sha256_hex():
    digest = _hash()
    assert digest == _hash()
    assert len(digest) == 64
    assert int(digest, 16) >= 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("prev_hash", "1" * 64),
        ("seq", 2),
        ("at_us", BASE["at_us"] + 1),
        ("actor_id", None),
        ("actor_label", "李四"),
        ("organisation_id", 4),
        ("object_type", "contracts.clause"),
        ("object_id", "43"),
        ("action", "application.reject"),
        ("request_id", ""),
        ("before", None),
        ("after", '{"status":"paid"}'),
    ],
)
def test_every_column_changes_the_hash(column, value):
    assert _hash(**{column: value}) != _hash()


def test_moving_text_between_before_and_after_changes_the_hash():
    assert _hash(before='{"a":1}', after=None) != _hash(before=None, after='{"a":1}')
    assert _hash(before='{"a":1}\n{"b":2}', after=None) != _hash(before='{"a":1}', after='{"b":2}')


def test_canonical_json_sorts_keys_is_compact_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": {"d": 2, "c": "金额"}}) == '{"a":{"c":"金额","d":2},"b":1}'
    assert canonical_json(None) is None


def test_canonical_json_turns_django_values_into_plain_data(city):
    value = {
        "amount": Decimal("600000.00"),
        "day": dt.date(2022, 10, 13),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "org": city.drc,
        "tags": {"b", "a"},
        1: "int key",
    }
    text = canonical_json(value)
    assert text == (
        '{"1":"int key","amount":"600000.00","day":"2022-10-13",'
        f'"id":"12345678-1234-5678-1234-567812345678","org":{city.drc.pk},"tags":["a","b"]}}'
    )


def test_canonical_json_refuses_nan():
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_times_are_whole_microseconds_in_utc_whatever_the_zone():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2022, 10, 13, 9, 30, 0, 123456, tzinfo=shanghai)
    assert micros(at) == micros(at.astimezone(dt.UTC))
    assert stored_micros(at.astimezone(dt.UTC).replace(tzinfo=None)) == micros(at)
    assert stored_micros("2022-10-13 01:30:00.123456") == micros(at)
    with pytest.raises(ValueError):
        micros(dt.datetime(2022, 10, 13))
