from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment
from qinqing.accounts.scoping import scope_for
from qinqing.audit.models import AuditEvent
from qinqing.demo.seeding import DEMO_PASSWORD, DEMO_USERS, SCENIC_SPOT_CODE, logins
from qinqing.enterprises import credit_code
from qinqing.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    # The city without its months of cases (test_policy_demo.py loads those).
    call_command("seed_demo", "--enterprises", "60", "--no-cases")


def test_the_tree_is_a_quanzhou_like_city(demo):
    city = Organisation.objects.get(code="qz")
    assert city.kind == OrganisationKind.CITY
    assert Organisation.objects.filter(kind=OrganisationKind.DISTRICT).count() == 11
    assert Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, parent=city).count() == 39
    committee = Organisation.objects.get(code="tsq")
    assert committee.zone_name == "泉州台商投资区"
    # Every department is watched by some supervision group.
    unwatched = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, supervision_groups__isnull=True)
    assert list(unwatched.exclude(parent__kind=OrganisationKind.COMMITTEE)) == []
    # Every node's path is its parent's path plus itself.
    for org in Organisation.objects.select_related("parent"):
        expected = f"{org.parent.path if org.parent else '/'}{org.pk}/"
        assert org.path == expected


def test_enterprises_have_valid_codes_and_regions(demo):
    assert Enterprise.objects.count() == 60
    for e in Enterprise.objects.select_related("region"):
        assert credit_code.is_valid(e.credit_code)
        assert e.region.kind == OrganisationKind.DISTRICT
    spot = Enterprise.objects.get(credit_code=SCENIC_SPOT_CODE)
    assert spot.bank_account_verified
    # Its 3A rating comes with the story (test_policy_demo.py), not with the city.
    assert not spot.labels.filter(key="scenic_grade").exists()


def test_one_user_per_role_and_each_can_log_in(demo):
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for spec in DEMO_USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, spec.username
        assert client.get("/").status_code == 200
    assert len(logins()) == len(DEMO_USERS)


def test_the_demo_supervisor_watches_the_tourism_bureau(demo):
    from qinqing.accounts.models import User

    scope = scope_for(User.objects.get(username="jijian"))
    tourism = Organisation.objects.get(code="wlj")
    assert scope.covers_path(tourism.path)
    assert not scope.covers_path(tourism.path, write=True)
    assert not scope.covers_path(Organisation.objects.get(code="fgw").path)


def test_seeding_is_on_the_audit_trail(demo):
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1
    assert AuditEvent.objects.filter(action="organisation.create").count() == Organisation.objects.count()


def test_a_second_load_is_refused_or_skipped(demo):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--enterprises", "60")
    call_command("seed_demo", "--enterprises", "60", "--if-empty")
    call_command("seed_demo", "--if-empty")
    assert Enterprise.objects.count() == 60


def test_enterprises_use_only_known_labels_and_the_two_the_demo_rules_read(demo):
    from qinqing.demo.catalogue import DEMO_LABELS
    from qinqing.enterprises.labels import KNOWN
    from qinqing.enterprises.models import EnterpriseLabel

    assert set(EnterpriseLabel.objects.values_list("key", flat=True)) <= set(KNOWN) | DEMO_LABELS
    assert EnterpriseLabel.objects.filter(
        key="first_export", enterprise__name="晋江市源峰鞋材商贸有限公司"
    ).exists()


def test_without_cases_the_policies_are_published_and_nobody_is_invited(demo):
    from qinqing.policies.models import Case, Invitation, Policy, PolicyStatus

    assert Policy.objects.filter(status=PolicyStatus.PUBLISHED).count() == 20
    assert not Invitation.objects.exists()
    assert not Case.objects.exists()
