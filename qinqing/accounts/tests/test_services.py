from __future__ import annotations

import pytest

from qinqing.accounts.models import OrganisationKind, Role
from qinqing.accounts.services import organisation_create, role_assign, user_create
from qinqing.audit.models import AuditEvent
from qinqing.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_organisation_tree_paths_cover_subtrees():
    city = organisation_create(actor=None, code="qz", name="泉州市", kind=OrganisationKind.CITY)
    county = organisation_create(
        actor=None, code="ax", name="安溪县", kind=OrganisationKind.DISTRICT, parent=city
    )
    dept = organisation_create(
        actor=None, code="ax-swj", name="安溪县商务局", kind=OrganisationKind.DEPARTMENT, parent=county
    )
    assert city.path == f"/{city.pk}/"
    assert dept.path == f"/{city.pk}/{county.pk}/{dept.pk}/"
    assert dept.path.startswith(county.path)
    assert dept.depth == 2
    event = AuditEvent.objects.filter(action="organisation.create", object_id=str(dept.pk)).get()
    assert event.after["parent"] == county.pk


def test_only_a_city_is_a_root():
    with pytest.raises(ValidationFailed):
        organisation_create(actor=None, code="x", name="孤立部门", kind=OrganisationKind.DEPARTMENT)


def test_a_group_sits_under_a_commission_only():
    city = organisation_create(actor=None, code="qz", name="泉州市", kind=OrganisationKind.CITY)
    with pytest.raises(ValidationFailed):
        organisation_create(
            actor=None, code="g", name="组", kind=OrganisationKind.SUPERVISION_GROUP, parent=city
        )


def test_duplicate_code_refused():
    organisation_create(actor=None, code="qz", name="泉州市", kind=OrganisationKind.CITY)
    with pytest.raises(ValidationFailed) as exc:
        organisation_create(actor=None, code="qz", name="又一个", kind=OrganisationKind.CITY)
    assert "code" in exc.value.fields


def test_role_binding_rules(city):
    user = user_create(actor=city.admin, username="newbie", password="Anxi-Tieguanyin-7")
    with pytest.raises(ValidationFailed):
        role_assign(actor=city.admin, user=user, role=Role.ENTERPRISE, organisation=city.drc)
    with pytest.raises(ValidationFailed):
        role_assign(actor=city.admin, user=user, role=Role.OFFICER, enterprise=city.enterprise)
    with pytest.raises(ValidationFailed):
        role_assign(actor=city.admin, user=user, role=Role.SUPERVISOR, organisation=city.drc)
    with pytest.raises(ValidationFailed):
        role_assign(actor=city.admin, user=user, role=Role.COMMITTEE, organisation=city.drc)
    assignment = role_assign(actor=city.admin, user=user, role=Role.OFFICER, organisation=city.drc)
    again = role_assign(actor=city.admin, user=user, role=Role.OFFICER, organisation=city.drc)
    assert assignment.pk == again.pk
    assert AuditEvent.objects.filter(action="role.assign", object_id=str(assignment.pk)).count() == 1
