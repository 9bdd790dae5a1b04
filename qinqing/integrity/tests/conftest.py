"""Fixtures of the integrity tests: declarations made through the real service."""

from __future__ import annotations

import pytest

from qinqing.integrity.models import RelationKind
from qinqing.integrity.services import relation_declare


@pytest.fixture
def declare():
    def make(official, enterprise, kind=RelationKind.RELATIVE_SHAREHOLDER, description=""):
        return relation_declare(actor=official, enterprise=enterprise, kind=kind, description=description)

    return make


@pytest.fixture
def declared(city, declare):
    """The drc officer's relation to the first enterprise, the commerce officer's to the
    second, and the committee member's to the first."""
    return {
        "officer": declare(city.officer, city.enterprise),
        "other_officer": declare(city.other_officer, city.other_enterprise, RelationKind.FORMER_EMPLOYMENT),
        "committee_member": declare(
            city.committee_member, city.enterprise, RelationKind.OTHER, "表弟为该企业财务负责人"
        ),
    }
