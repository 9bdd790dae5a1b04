from __future__ import annotations

import datetime as dt

import pytest

from qinqing.common.errors import NotFound
from qinqing.policies.selectors import access_policy_by_public_id, policies_in_scope, policies_public

from .factories import make_policy

D = dt.date


def test_public_sees_published_policies_in_their_window(city):
    live = make_policy(actor=city.officer, department=city.drc, publish=True)
    make_policy(actor=city.officer, department=city.drc)  # a draft
    later = make_policy(
        actor=city.officer,
        department=city.drc,
        publish=True,
        valid_from=D(2027, 1, 1),
        valid_until=D(2027, 6, 30),
    )
    assert list(policies_public(today=D(2026, 6, 1))) == [live]
    assert list(policies_public(today=D(2027, 2, 1))) == [later]


def test_scope_is_the_issuing_department(city):
    mine = make_policy(actor=city.officer, department=city.drc)
    theirs = make_policy(actor=city.other_officer, department=city.commerce)
    assert list(policies_in_scope(city.officer)) == [mine]
    assert list(policies_in_scope(city.other_officer)) == [theirs]
    assert list(policies_in_scope(city.supervisor)) == [mine]  # its group supervises 市发改委
    assert list(policies_in_scope(city.supervisor, write=True)) == []
    assert list(policies_in_scope(city.enterprise_user)) == []
    assert set(policies_in_scope(city.admin)) == {mine, theirs}
    assert access_policy_by_public_id(city.officer, mine.public_id) == mine
    with pytest.raises(NotFound):
        access_policy_by_public_id(city.officer, theirs.public_id)
