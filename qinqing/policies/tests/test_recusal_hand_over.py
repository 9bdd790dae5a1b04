"""An official who declares a relation to an enterprise while they answer for one of its
cases' open steps or objections: the work goes to someone else eligible in the same
transaction, with its deadline's warnings and alarms, and the new owner is told."""

from __future__ import annotations

import pytest

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.audit.models import AuditEvent
from qinqing.deadlines.models import Deadline
from qinqing.integrity.services import relation_declare
from qinqing.notifications.models import Notification
from qinqing.policies.models import CaseStep, Objection
from qinqing.policies.services.cases import (
    case_approve,
    case_reject,
    invitation_confirm,
    objection_lodge,
)

from .workflow import World

pytestmark = pytest.mark.django_db


def _open_step(case) -> CaseStep:  # type: ignore[no-untyped-def]
    return CaseStep.objects.select_related("deadline").get(case=case, ended_at__isnull=True)


def test_an_open_step_goes_to_another_official_with_its_deadline(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    step = _open_step(case)
    first = step.assignee
    assert first in (world.officer, world.officer_b)
    other = world.officer_b if first == world.officer else world.officer
    relation_declare(actor=first, enterprise=world.spot, kind="relative_employee", description="配偶在该企业")
    step = _open_step(case)
    assert step.assignee == other
    assert Deadline.objects.get(pk=step.deadline_id).owner == other
    event = AuditEvent.objects.get(action="case.hand_over")
    assert (event.before["assignee"], event.after["assignee"]) == (first.pk, other.pk)
    assert AuditEvent.objects.filter(action="deadline.hand_over").count() == 1
    assert Notification.objects.filter(recipient=other, event_key__startswith="hand-over:").count() == 1


def test_nobody_left_leaves_the_step_unassigned(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    first = _open_step(case).assignee
    other = world.officer_b if first == world.officer else world.officer
    relation_declare(actor=other, enterprise=world.spot, kind="relative_employee", description="亲属")
    assert _open_step(case).assignee == first  # someone else's declaration moves nothing of theirs
    relation_declare(actor=first, enterprise=world.spot, kind="relative_employee", description="亲属")
    step = _open_step(case)
    assert step.assignee is None
    assert Deadline.objects.get(pk=step.deadline_id).owner is None


def test_a_relation_to_another_enterprise_moves_nothing(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    first = _open_step(case).assignee
    relation_declare(
        actor=first, enterprise=world.city.other_enterprise, kind="relative_employee", description="亲属"
    )
    assert _open_step(case).assignee == first
    assert not AuditEvent.objects.filter(action="case.hand_over").exists()


def test_an_objection_goes_to_another_official(world: World) -> None:
    head_b = give_role(UserFactory(username="head-b"), Role.DEPARTMENT_HEAD, organisation=world.city.drc)
    head_c = give_role(UserFactory(username="head-c"), Role.DEPARTMENT_HEAD, organisation=world.city.drc)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    case = case_reject(actor=world.head, case=case, reason="评定文件不全")
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    assert objection.assignee == head_b
    relation_declare(actor=head_b, enterprise=world.spot, kind="shareholding", description="持股")
    objection = Objection.objects.get(pk=objection.pk)
    assert objection.assignee == head_c
    assert Deadline.objects.get(pk=objection.deadline_id).owner == head_c


def test_the_new_owner_reads_the_hand_over_in_their_own_language(world: World) -> None:
    from django.utils import translation

    from qinqing.accounts.models import User

    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    first = _open_step(case).assignee
    other = world.officer_b if first == world.officer else world.officer
    User.objects.filter(pk=other.pk).update(language="en")
    # The one who declares reads Chinese; the one who takes over reads English
    with translation.override("zh-hans"):
        relation_declare(actor=first, enterprise=world.spot, kind="relative_employee", description="亲属")
    told = Notification.objects.get(recipient=other, event_key__startswith="hand-over:")
    assert "is now yours" in told.subject
    # and reads it again in Chinese once they switch
    with translation.override("zh-hans"):
        assert "is now yours" not in told.display_subject
