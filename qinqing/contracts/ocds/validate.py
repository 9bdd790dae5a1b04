"""Validation of release packages against the vendored OCDS 1.1 schemas, offline.

The package is checked against the official release package schema, whose `releases`
items refer (by URI) to the release schema: that URI is bound here to the official
release schema patched with Qinqing's extension (JSON Merge Patch, RFC 7386, as OCDS
extensions are applied). Formats ("date-time", "uri") are checked by functions below, so
that no optional format package is needed. The schema checks closed codelists through
their enums; open codelists (milestone types, party roles, currencies, …) are checked
here against the vendored CSV files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .codes import EXTENSION_DIR, SCHEMA_DIR, codelist

# RFC 3339 date-time, as JSON Schema's "date-time" format means it.
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return (
        bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"urn", "mailto"}) and " " not in value
    )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge member by member, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Any) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def release_schema() -> dict[str, Any]:
    """The official release schema with the extension merged in."""
    schema = _load(SCHEMA_DIR / "release-schema.json")
    patched: dict[str, Any] = merge_patch(schema, _load(EXTENSION_DIR / "release-schema.json"))
    return patched


@cache
def _package_validator() -> Draft4Validator:
    package_schema = _load(SCHEMA_DIR / "release-package-schema.json")
    release = release_schema()
    registry: Registry[Any] = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    Draft4Validator.check_schema(package_schema)
    Draft4Validator.check_schema(release)
    return Draft4Validator(package_schema, registry=registry, format_checker=_FORMATS)


def validate_package(package: Any) -> list[str]:
    """Every problem found, as "path: message" lines; an empty list for a valid package."""
    errors = [
        f"{_path(error.absolute_path)}: {error.message}"
        for error in sorted(_package_validator().iter_errors(package), key=lambda e: list(map(str, e.path)))
    ]
    if isinstance(package, dict) and isinstance(package.get("releases"), list):
        errors.extend(_open_codelist_errors(package["releases"]))
    return errors


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts) or "(package)"


def _open_codelist_errors(releases: list[Any]) -> list[str]:
    errors: list[str] = []

    def check(value: Any, name: str, where: str) -> None:
        if isinstance(value, str) and value not in codelist(name):
            errors.append(f"{where}: {value!r} is not in the {name} codelist")

    for r, release in enumerate(releases):
        if not isinstance(release, dict):
            continue
        for p, party in enumerate(_items(release.get("parties"))):
            for role in _strings(party.get("roles")):
                check(role, "partyRole", f"releases/{r}/parties/{p}/roles")
        for a, award in enumerate(_items(release.get("awards"))):
            check(_get(award, "value", "currency"), "currency", f"releases/{r}/awards/{a}/value/currency")
        for c, contract in enumerate(_items(release.get("contracts"))):
            where = f"releases/{r}/contracts/{c}"
            check(_get(contract, "value", "currency"), "currency", f"{where}/value/currency")
            milestones = _get(contract, "implementation", "milestones")
            for m, milestone in enumerate(_items(milestones)):
                check(_get(milestone, "type"), "milestoneType", f"{where}/implementation/milestones/{m}/type")
        for p, process in enumerate(_items(release.get("relatedProcesses"))):
            for relationship in _strings(process.get("relationship")):
                check(relationship, "relatedProcess", f"releases/{r}/relatedProcesses/{p}/relationship")
    return errors


def _items(value: Any) -> list[Any]:
    """The objects of a list (anything else is the schema's to report)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
