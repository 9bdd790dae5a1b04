"""Changes to the enterprise registry: one enterprise at a time (registry.py) and
batch imports (imports.py). Callers import from here."""

from .imports import ImportConflict, enterprise_import, enterprise_import_run, lock_enterprise_import
from .registry import (
    AUDITED_FIELDS,
    EDITABLE_FIELDS,
    UPDATABLE_FIELDS,
    DuplicateCreditCode,
    NoCity,
    RegionResolver,
    enterprise_create,
    enterprise_set_labels,
    enterprise_set_pinyin,
    enterprise_update,
    enterprise_verify_bank_account,
    lock_enterprise,
    require_registry_writer,
    snapshot,
)

__all__ = [
    "AUDITED_FIELDS",
    "EDITABLE_FIELDS",
    "UPDATABLE_FIELDS",
    "DuplicateCreditCode",
    "ImportConflict",
    "NoCity",
    "RegionResolver",
    "enterprise_create",
    "enterprise_import",
    "enterprise_import_run",
    "enterprise_set_labels",
    "enterprise_set_pinyin",
    "enterprise_update",
    "enterprise_verify_bank_account",
    "lock_enterprise",
    "lock_enterprise_import",
    "require_registry_writer",
    "snapshot",
]
