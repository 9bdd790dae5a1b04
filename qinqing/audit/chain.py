"""The hash chain: the canonical form of an event and its hash.

Kept apart from the models so that the verifier and the writer share one definition.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def normalise_json(value: Any) -> Any:
    """Turn Decimal, dates, UUIDs into their JSON text once, before storing, so the
    stored value and the hashed value are the same after a round trip."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    object_type: str,
    object_id: str,
    action: str,
    before: Any,
    after: Any,
    request_id: str,
) -> bytes:
    at_utc = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "seq": seq,
        "at": at_utc,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "organisation_id": organisation_id,
        "object_type": object_type,
        "object_id": object_id,
        "action": action,
        "before": before,
        "after": after,
        "request_id": request_id,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()
