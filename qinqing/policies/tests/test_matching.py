"""Matching writes invitations set-based, once per enterprise and period, with the cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinqing.common.errors import InvalidTransition
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.notifications.models import Notification
from qinqing.policies.models import Invitation, InvitationStatus, Policy
from qinqing.policies.services.cases import case_withdraw, invitation_confirm
from qinqing.policies.services.invitations import invitations_notify
from qinqing.policies.services.matching import enterprise_rematch, policy_match

from .factories import make_policy
from .workflow import World, scenic_spot

pytestmark = pytest.mark.django_db


def _spots(city, grades):  # type: ignore[no-untyped-def]
    out = []
    for grade in grades:
        e = EnterpriseFactory(region=city.district, status="active")
        EnterpriseLabel.objects.create(enterprise=e, key="scenic_grade", value=grade)
        out.append(e)
    return out


def test_match_invites_each_eligible_enterprise_once_with_its_award(world: World) -> None:
    # Given spots of each grade and one without a grade
    spots = _spots(world.city, ["3A", "4A", "5A"])
    plain = EnterpriseFactory(region=world.city.district, status="active")
    # When matching, the INSERT is one statement
    with CaptureQueriesContext(connection) as queries:
        created = policy_match(actor=world.officer, policy=world.policy)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT INTO policies_invitation")]
    assert len(inserts) == 1
    # Then every graded spot (and the world's 3A spot) is invited at its tier
    assert created == 4
    awards = dict(Invitation.objects.values_list("enterprise_id", "award"))
    assert awards[spots[0].pk] == Decimal("600000.00")
    assert awards[spots[1].pk] == Decimal("1000000.00")
    assert awards[spots[2].pk] == Decimal("2000000.00")
    assert plain.pk not in awards
    # And a second run invites nobody again
    assert policy_match(actor=world.officer, policy=world.policy) == 0
    assert Invitation.objects.count() == 4


def test_match_applies_the_cap_per_enterprise(world: World) -> None:
    Policy.objects.filter(pk=world.policy.pk).update(cap_per_enterprise=Decimal("800000"))
    _spots(world.city, ["5A"])
    policy_match(actor=world.officer, policy=world.policy)
    assert set(Invitation.objects.values_list("award", flat=True)) == {
        Decimal("600000.00"),
        Decimal("800000.00"),
    }


def test_a_withdrawn_case_frees_the_slot_but_the_invitation_stays_answered(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case_withdraw(actor=world.spot_user, case=case)
    # the invitation for this period was answered: matching does not invite again
    assert policy_match(actor=world.officer, policy=world.policy) == 0


def test_draft_policy_is_not_matched(city) -> None:  # type: ignore[no-untyped-def]
    draft = make_policy(actor=city.officer, department=city.drc)
    with pytest.raises(InvalidTransition):
        policy_match(actor=city.officer, policy=draft)


def test_rematch_one_enterprise_against_every_policy(world: World) -> None:
    # Given a new enterprise that becomes a 4A spot after the policy was matched
    policy_match(actor=world.officer, policy=world.policy)
    late = EnterpriseFactory(region=world.city.district, status="active")
    assert enterprise_rematch(enterprise_id=late.pk) == []
    scenic_spot(late, "4A")
    # When it is re-matched
    created = enterprise_rematch(enterprise_id=late.pk)
    # Then it has its invitation, once
    assert [(i.policy_id, i.award) for i in created] == [(world.policy.pk, Decimal("1000000.00"))]
    assert enterprise_rematch(enterprise_id=late.pk) == []


def test_invited_users_are_notified_once(world: World) -> None:
    policy_match(actor=world.officer, policy=world.policy)
    invitation = Invitation.objects.get(enterprise=world.spot)
    assert invitations_notify(policy_id=world.policy.pk, batch=invitation.created_at) == 1
    assert invitations_notify(policy_id=world.policy.pk, batch=invitation.created_at) == 0
    note = Notification.objects.get(recipient=world.spot_user)
    assert str(invitation.public_id) in note.url
    assert invitation.status == InvitationStatus.OPEN


def test_a_label_change_in_the_registry_enqueues_a_rematch(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    from qinqing.enterprises.services.registry import enterprise_set_labels

    late = EnterpriseFactory(region=world.city.district, status="active")
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_set_labels(actor=world.city.admin, enterprise=late, labels={"scenic_grade": "5A"})
    assert DBTaskResult.objects.filter(
        task_path__endswith="rematch_enterprise", args_kwargs__kwargs__enterprise_id=late.pk
    ).exists()


def test_only_the_issuing_department_matches(world: World) -> None:
    from qinqing.common.errors import PermissionDenied

    for outsider in (world.city.other_officer, world.city.supervisor, world.spot_user):
        with pytest.raises(PermissionDenied):
            policy_match(actor=outsider, policy=world.policy)
    assert policy_match(actor=None, policy=world.policy) == 1


def test_publishing_enqueues_the_match(city, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    from qinqing.policies.tasks import match_policy

    with django_capture_on_commit_callbacks(execute=True):
        policy = make_policy(
            actor=city.officer, department=city.drc, publish=True, valid_from=dt.date(2026, 1, 1)
        )
    job = DBTaskResult.objects.get(task_path__endswith="match_policy")
    assert job.args_kwargs["kwargs"] == {"policy_id": policy.pk}
    scenic_spot(city.enterprise)
    assert match_policy.call(policy_id=policy.pk) == 1
