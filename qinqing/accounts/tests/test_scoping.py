"""Scoping, tested once per role on the allowed and the denied path.

Audit events stand in for a case-like record here: each belongs to one organisation.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.audit.models import AuditEvent
from qinqing.audit.services import audit_record


def _event_at(org, enterprise=None):
    with transaction.atomic():
        return audit_record(
            actor=None, action="test.touch", object_type="x", object_id=org.pk, organisation=org
        )


@pytest.fixture
def events(city):
    return {
        "drc": _event_at(city.drc),
        "commerce": _event_at(city.commerce),
        "district_dept": _event_at(city.district_dept),
        "committee": _event_at(city.committee),
    }


def _visible(user, *, write=False):
    qs = scope_records(user, AuditEvent.objects.all(), enterprise_field=None, write=write)
    return set(qs.values_list("pk", flat=True))


def test_officer_sees_own_department_only(city, events):
    seen = _visible(city.officer)
    assert events["drc"].pk in seen
    assert events["commerce"].pk not in seen
    assert events["committee"].pk not in seen


def test_department_head_writes_own_department(city, events):
    assert _visible(city.head, write=True) == {events["drc"].pk}


def test_committee_sees_only_its_zone(city, events):
    assert _visible(city.committee_member) == {events["committee"].pk}


def test_group_supervisor_reads_supervised_departments_but_never_writes(city, events):
    assert _visible(city.supervisor) == {events["drc"].pk}
    assert _visible(city.supervisor, write=True) == set()


def test_city_supervisor_reads_everything(city, events):
    assert {e.pk for e in events.values()} <= _visible(city.city_supervisor)
    assert _visible(city.city_supervisor, write=True) == set()


def test_enterprise_user_sees_no_government_records(city, events):
    assert _visible(city.enterprise_user) == set()
    assert scope_for(city.enterprise_user).enterprise_ids == {city.enterprise.pk}


def test_admin_sees_no_case_records(city, events):
    assert scope_for(city.admin).is_admin
    assert _visible(city.admin) == set()


def test_anonymous_sees_nothing(events):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(AnonymousUser()) == set()
