"""Scoping, tested once per role on the allowed and the denied path.

Audit events stand in for a case-like record here: each belongs to one organisation.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from qinqing.accounts.models import OrganisationKind, Role
from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
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


# --- The scope's reach, shape by shape (one statement: scoping._ASSIGNMENTS_SQL) -----------------


def _fresh(user):
    """The user as a new request loads it: no scope cached on it yet."""
    return type(user).objects.get(pk=user.pk)


def test_a_group_reaches_what_it_supervises(city, django_assert_num_queries):
    user = _fresh(city.supervisor)
    with django_assert_num_queries(2):  # the assignments, the group's supervised nodes
        scope = scope_for(user)
    assert scope.paths_for(Role.SUPERVISOR) == (city.drc.path,)
    assert scope.write_paths == ()


def test_a_group_supervising_nothing_listed_reaches_its_commissions_city(city):
    lone = OrganisationFactory(
        code="jw-g2",
        name="派驻第二纪检监察组",
        kind=OrganisationKind.SUPERVISION_GROUP,
        parent=city.commission,
    )
    user = give_role(UserFactory(username="lone"), Role.SUPERVISOR, organisation=lone)
    assert scope_for(_fresh(user)).paths_for(Role.SUPERVISOR) == (city.city.path,)


def test_the_commission_reaches_its_city(city, django_assert_num_queries):
    user = _fresh(city.city_supervisor)
    with django_assert_num_queries(1):
        scope = scope_for(user)
    assert scope.paths_for(Role.SUPERVISOR) == (city.city.path,)


def test_a_supervisor_at_a_department_reaches_that_department(city):
    user = give_role(UserFactory(username="deptsup"), Role.SUPERVISOR, organisation=city.commerce)
    assert scope_for(_fresh(user)).paths_for(Role.SUPERVISOR) == (city.commerce.path,)


def test_several_roles_add_up(city):
    user = give_role(UserFactory(username="many"), Role.OFFICER, organisation=city.commerce)
    give_role(user, Role.DEPARTMENT_HEAD, organisation=city.drc)
    give_role(user, Role.ENTERPRISE, enterprise=city.enterprise)
    scope = scope_for(_fresh(user))
    assert scope.roles == {Role.OFFICER, Role.DEPARTMENT_HEAD, Role.ENTERPRISE}
    assert scope.enterprise_ids == {city.enterprise.pk}
    assert scope.write_paths == tuple(sorted([city.commerce.path, city.drc.path]))
    assert scope.paths_for(Role.OFFICER) == (city.commerce.path,)


def test_an_inactive_user_has_no_scope(city):
    user = _fresh(city.officer)
    user.is_active = False
    assert scope_for(user).user_id is None


def test_the_scope_resolves_an_officers_subtree_to_organisation_ids(city, django_assert_num_queries):
    unit = OrganisationFactory(code="drc-1", name="项目审批科", parent=city.drc)
    below = OrganisationFactory(code="drc-1-1", name="审批一组", parent=unit)
    user = give_role(UserFactory(username="twohats"), Role.OFFICER, organisation=city.drc)
    give_role(user, Role.DEPARTMENT_HEAD, organisation=city.commerce)
    give_role(user, Role.SUPERVISOR, organisation=city.group)
    user = _fresh(user)
    with django_assert_num_queries(2):  # the statement, the group's supervised nodes
        scope = scope_for(user)
    assert scope.unit_ids(Role.OFFICER) == tuple(sorted([city.drc.pk, unit.pk, below.pk]))
    assert scope.unit_ids(Role.DEPARTMENT_HEAD) == (city.commerce.pk,)
    assert scope.unit_ids(Role.OFFICER, Role.DEPARTMENT_HEAD) == tuple(
        sorted([city.drc.pk, unit.pk, below.pk, city.commerce.pk])
    )
    # Where the roles are held, not what they reach.
    assert scope.nodes_for(Role.SUPERVISOR) == (city.group.path,)
    assert scope.nodes_for(Role.OFFICER) == (city.drc.path,)
    assert scope.paths_for(Role.SUPERVISOR) == (city.drc.path,)
    # Nothing outside the subtrees (paths end with a slash: /1/4/ is not a prefix of /1/41/).
    assert city.district.pk not in scope.unit_ids(Role.OFFICER)


def test_only_officers_and_heads_have_units(city):
    assert scope_for(_fresh(city.city_supervisor)).units_by_role == {}
    assert scope_for(_fresh(city.committee_member)).units_by_role == {}
    assert scope_for(_fresh(city.enterprise_user)).units_by_role == {}
