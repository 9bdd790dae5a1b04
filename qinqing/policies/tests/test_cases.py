"""The case workflow through its services: confirm, approve step by step, pay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import Case, CaseStatus, CaseStep, InvitationStatus, Policy
from qinqing.policies.services.cases import (
    case_answer,
    case_approve,
    case_reject,
    case_return,
    case_withdraw,
    invitation_confirm,
    objection_decide,
    objection_lodge,
    step_refusal,
)

from .workflow import World, refreshed

pytestmark = pytest.mark.django_db


def _approve_all(w: World, case: Case) -> Case:
    case = case_approve(actor=w.officer, case=case)
    case = case_approve(actor=w.head, case=case)
    return case_approve(actor=w.officer_b, case=case)


def test_the_3a_story_confirm_approve_pay(world: World) -> None:
    # Given a 3A scenic spot found by matching
    invitation = world.invite()
    assert invitation.award == Decimal("600000.00")
    # When it confirms and three people approve
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.award == Decimal("600000.00")
    assert case.explanation["eligible"] is True
    assert case.explanation["version_id"] == case.version_id
    case = _approve_all(world, case)
    # Then the instruction exists, the budget is reserved, and sending pays the case
    assert case.status == CaseStatus.PAYING
    instruction = PaymentInstruction.objects.get(source_id=str(case.pk))
    assert instruction.amount == Decimal("600000.00")
    assert Policy.objects.get(pk=world.policy.pk).budget_reserved == Decimal("600000.00")
    payment_send(instruction_id=instruction.pk)
    case = refreshed(case)
    assert case.status == CaseStatus.PAID
    assert case.paid_at is not None
    steps = list(CaseStep.objects.filter(case=case).order_by("position"))
    assert [s.actor_id for s in steps] == [world.officer.pk, world.head.pk, world.officer_b.pk]
    assert all(s.ended_at and s.deadline.status == DeadlineStatus.MET for s in steps)
    actions = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.open", "case.approve", "case.paid"} <= actions
    assert refreshed(invitation).status == InvitationStatus.CONFIRMED


def test_four_eyes_one_person_never_acts_twice(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    # The head approves the second step; the first officer may not take the third.
    case = case_approve(actor=world.head, case=case)
    with pytest.raises(PermissionDenied) as exc:
        case_approve(actor=world.officer, case=case)
    assert "Four eyes" in str(exc.value.message) or "四眼" in str(exc.value.message)
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_four_eyes_counts_who_returned_a_step_for_materials(world: World) -> None:
    """Asking for materials is acting on the case: the officer who returned the first
    step may decide that step once the answer is in, but not take a later one."""
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_return(actor=world.officer, case=case, request="请补充评定公告")
    case = case_answer(actor=world.spot_user, case=case, answer="已补充")
    assert step_refusal(world.officer, case, case.steps.get()) is None  # the same step
    case = case_approve(actor=world.officer_b, case=case)
    case = case_approve(actor=world.head, case=case)
    payment = case.steps.get(position=2)
    refusal = step_refusal(world.officer, case, payment)
    assert refusal is not None and ("Four eyes" in refusal or "四眼" in refusal)
    with pytest.raises(PermissionDenied):
        case_approve(actor=world.officer, case=case)
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_four_eyes_counts_who_decided_an_objection(world: World) -> None:
    """Whoever upheld an appeal reviewed the case: they may not take the step redone
    because of it."""
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    head_b = give_role(UserFactory(username="head-b"), Role.DEPARTMENT_HEAD, organisation=world.city.drc)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    case = case_reject(actor=world.head, case=case, reason="评定文件不全")
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    objection_decide(actor=head_b, objection=objection, uphold=True, reply="复核后认可")
    case = refreshed(case)
    redone = case.steps.filter(ended_at__isnull=True).get()
    assert redone.role == "department_head"
    assert step_refusal(head_b, case, redone) is not None
    with pytest.raises(PermissionDenied):
        case_approve(actor=head_b, case=case)


def test_stale_revision_is_a_clear_conflict(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    seen = case.revision
    case_approve(actor=world.officer, case=case, revision=seen)
    with pytest.raises(Conflict) as exc:
        case_approve(actor=world.officer_b, case=case, revision=seen)
    assert exc.value.code == "case_changed"


def test_other_department_and_supervisor_cannot_act(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    for outsider in (world.city.other_officer, world.city.supervisor, world.city.admin, world.spot_user):
        assert step_refusal(outsider, case, case.steps.get()) is not None
        with pytest.raises(PermissionDenied):
            case_approve(actor=outsider, case=case)


def test_duplicate_case_points_to_the_existing_one(world: World) -> None:
    invitation = world.invite()
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)
    with pytest.raises(Conflict) as exc:
        invitation_confirm(actor=world.spot_user, invitation=invitation)
    assert exc.value.code == "case_exists"
    assert exc.value.extra["reference"] == case.reference


def test_reject_releases_budget_and_objection_goes_to_someone_else(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    assert Policy.objects.get(pk=world.policy.pk).budget_reserved == Decimal("600000.00")
    case = case_reject(actor=world.head, case=case, reason="评定文件不全")
    assert case.status == CaseStatus.REJECTED
    assert Policy.objects.get(pk=world.policy.pk).budget_reserved == 0
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    assert refreshed(case).status == CaseStatus.APPEALED
    with pytest.raises(PermissionDenied):
        objection_decide(actor=world.head, objection=objection, uphold=True, reply="复查")
    objection_decide(actor=world.officer_b, objection=objection, uphold=True, reply="复查属实")
    case = refreshed(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.current_step == 1
    assert Policy.objects.get(pk=world.policy.pk).budget_reserved == Decimal("600000.00")
    # the redo of the step goes to someone who has not acted: nobody of the three is left
    assert step_refusal(world.head, case, case.steps.get(position=1, attempt=2)) is not None


def test_return_pauses_the_clock_and_answer_resumes(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_return(actor=world.officer, case=case, request="请补充评定公告")
    step = case.steps.get()
    assert Deadline.objects.get(pk=step.deadline_id).paused is True
    assert refreshed(case).status == CaseStatus.RETURNED
    with pytest.raises(InvalidTransition):
        case_approve(actor=world.officer_b, case=case)
    case_answer(actor=world.spot_user, case=case, answer="已上传")
    assert refreshed(case).status == CaseStatus.IN_REVIEW
    assert Deadline.objects.get(pk=step.deadline_id).paused is False


def test_withdraw_frees_the_slot(world: World) -> None:
    invitation = world.invite()
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)
    case_approve(actor=world.officer, case=case)
    case = case_withdraw(actor=world.spot_user, case=case)
    assert case.status == CaseStatus.WITHDRAWN
    assert Policy.objects.get(pk=world.policy.pk).budget_reserved == 0
    with pytest.raises(InvalidTransition):
        case_withdraw(actor=world.spot_user, case=case)


def test_budget_exhausted_is_refused_with_the_figures(world: World) -> None:
    Policy.objects.filter(pk=world.policy.pk).update(budget_total=Decimal("500000"))
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    with pytest.raises(Conflict) as exc:
        case_approve(actor=world.officer, case=case)
    assert exc.value.code == "budget_exhausted"
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_confirm_rechecks_eligibility(world: World) -> None:
    invitation = world.invite()
    world.spot.labels.filter(key="scenic_grade").delete()
    with pytest.raises(ValidationFailed) as exc:
        invitation_confirm(actor=world.spot_user, invitation=invitation)
    assert exc.value.code == "not_eligible"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.lapsed_reason) == (InvitationStatus.LAPSED, "not_eligible")
    assert not Case.objects.exists()


def test_another_enterprise_cannot_confirm(world: World) -> None:
    invitation = world.invite()
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    stranger = give_role(UserFactory(), Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    with pytest.raises(PermissionDenied):
        invitation_confirm(actor=stranger, invitation=invitation)
