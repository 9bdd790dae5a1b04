"""A JSON value stored as its canonical text.

The audit trail hashes the exact text of `before` and `after`. A database JSON type
would re-encode it (PostgreSQL's jsonb reorders keys and adds spaces), so the verifier
would have to parse and re-serialise every value; stored as canonical text, the column
is hashed as it is, and a million events verify in seconds. Python code still sees
dicts and lists. JSON lookups (`after__status=...`) are not available on these columns.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from .chain import canonical_json


class CanonicalJSONField(models.TextField):
    description = "JSON value stored as canonical text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return canonical_json(value)

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""
