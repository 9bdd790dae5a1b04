"""What the enterprise is told about its case: the right words at the right step, in
its own language, with amounts as the product writes them, urgent only when it must act,
and each message settling the ones before it."""

from __future__ import annotations

import pytest
from django.test import Client

from qinqing.notifications.models import Notification
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.services.cases import case_approve, case_return, invitation_confirm
from qinqing.policies.services.invitations import invitations_notify

from .workflow import World

pytestmark = pytest.mark.django_db


def _told(world: World, event: str) -> Notification:
    return Notification.objects.get(recipient=world.spot_user, event_key__contains=f":{event}:")


def test_confirming_says_submitted_and_waiting_for_acceptance_not_accepted(world: World) -> None:
    # When the enterprise confirms its invitation
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())

    # then it is told the case waits for acceptance, plainly (nothing for it to do)
    note = _told(world, "opened")
    assert note.subject == f"办件 {case.reference} 已提交，等待受理"
    assert "已受理" not in note.subject
    assert "受理" in note.body
    assert note.urgent is False


def test_acceptance_is_told_when_the_acceptance_step_is_approved(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    opened = _told(world, "opened")

    # When the officer approves the acceptance step
    case_approve(actor=world.officer, case=case)

    # then the enterprise hears it is accepted and what comes next, and the earlier
    # "waiting for acceptance" no longer stands as unread
    accepted = _told(world, "accepted")
    assert accepted.subject == f"办件 {case.reference} 已受理"
    assert accepted.body == "“受理”已通过，下一环节：复核。"
    assert accepted.urgent is False
    opened.refresh_from_db()
    assert opened.read_at is not None
    assert accepted.read_at is None


def test_a_request_for_materials_is_urgent(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())

    case_return(actor=world.officer, case=case, request="请补充营业执照")

    returned = _told(world, "returned")
    assert returned.urgent is True
    assert returned.body == "请补充营业执照"


def test_amounts_read_as_elsewhere_and_payment_news_is_not_urgent(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    case = case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)

    approved, paid = _told(world, "approved"), _told(world, "paid")
    assert approved.subject == f"办件 {case.reference} 已批准：600,000 元 正在拨付"
    assert paid.subject == f"办件 {case.reference}：600,000 元 已拨付"
    assert "600000.00" not in approved.subject + paid.subject
    assert not approved.urgent and not paid.urgent


def test_messages_are_written_in_the_recipients_language(world: World) -> None:
    # Given the enterprise's user reads the platform in English
    world.spot_user.language = "en"
    world.spot_user.save(update_fields=["language"])

    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case_approve(actor=world.officer, case=case)

    assert _told(world, "opened").subject == f"Case {case.reference} submitted: waiting for acceptance"
    accepted = _told(world, "accepted")
    assert accepted.subject == f"Case {case.reference} accepted"
    assert accepted.body == "Acceptance passed; next: Second review."
    # and the officer at the next step, who reads Chinese, is told in Chinese
    head_note = Notification.objects.filter(recipient=world.head, kind="policy_step").first()
    assert head_note is None or "复核" in head_note.subject


def test_the_invitation_is_plain_and_its_award_formatted(world: World) -> None:
    invitation = world.invite()
    invitations_notify(policy_id=world.policy.pk, batch=invitation.created_at)

    note = Notification.objects.get(recipient=world.spot_user, event_key=f"invitation:{invitation.pk}")
    assert note.subject.endswith("：600,000 元")
    assert note.urgent is False


def test_the_confirmation_flash_says_waiting_for_acceptance(world: World) -> None:
    invitation = world.invite()
    client = Client()
    client.force_login(world.spot_user)

    response = client.post(f"/policies/invitations/{invitation.public_id}/confirm/", follow=True)

    body = response.content.decode()
    assert "已提交，等待受理" in body
    assert "已受理，正在审核" not in body
