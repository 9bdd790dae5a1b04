"""Invitations left open, from before only proactive (免申即享) policies invited, to
policies that take applications: the data migration lapses them, the daily pass lapses
any found later, and their pages never offer to confirm (the service would refuse) but
lead to the policy's application form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.audit.models import AuditEvent
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import (
    Invitation,
    InvitationLapse,
    InvitationStatus,
    Policy,
    PolicyMode,
)
from qinqing.policies.services.catalogue import current_version
from qinqing.policies.services.matching import policies_match_due, policy_period

from .factories import make_policy
from .workflow import World

BEFORE = ("policies", "0012_objection_receipt_invitation_lapse_application")
FILL = ("policies", "0013_invitation_lapse_application_fill")


def _application_policy(world: World) -> Policy:
    return make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        mode=PolicyMode.APPLICATION,
        valid_until=timezone.localdate().replace(month=12, day=31),
    )


def _legacy(policy: Policy, enterprise: Any, status: str = InvitationStatus.OPEN) -> Invitation:
    """An invitation written as matching did before only proactive policies invited."""
    return Invitation.objects.create(
        policy=policy,
        version=current_version(policy),
        enterprise=enterprise,
        period=policy_period(policy, timezone.localdate()),
        award=Decimal("100000.00"),
        status=status,
        created_at=timezone.now(),
        responded_at=None if status == InvitationStatus.OPEN else timezone.now(),
    )


def _state(invitation: Invitation) -> tuple[str, str]:
    invitation.refresh_from_db()
    return invitation.status, invitation.lapsed_reason


# --- The data migration ---------------------------------------------------------------------


def _migrate(target: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(target)


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_lapses_exactly_the_open_invitations_of_application_policies(world: World) -> None:
    try:
        # Given, before the migration, invitations to a policy that takes applications
        # (open, declined, confirmed) and an open one to a proactive policy
        _migrate([BEFORE])
        applied = _application_policy(world)
        other = EnterpriseFactory(region=world.city.district)
        open_one = _legacy(applied, world.spot)
        declined = _legacy(applied, world.city.other_enterprise, InvitationStatus.DECLINED)
        confirmed = _legacy(applied, other, InvitationStatus.CONFIRMED)
        proactive = world.invite()
        # When the data migration runs
        _migrate(_leaves())
        # Then only the open one to the application-mode policy lapsed, saying why
        assert _state(open_one) == (InvitationStatus.LAPSED, InvitationLapse.APPLICATION)
        assert Invitation.objects.get(pk=open_one.pk).responded_at is not None
        assert _state(declined) == (InvitationStatus.DECLINED, "")
        assert _state(confirmed) == (InvitationStatus.CONFIRMED, "")
        assert _state(proactive) == (InvitationStatus.OPEN, "")
        # And going back opens it again, as it was (the earlier constraint knows no such reason)
        _migrate([BEFORE])
        assert _state(open_one) == (InvitationStatus.OPEN, "")
        assert Invitation.objects.get(pk=open_one.pk).responded_at is None
        assert _state(declined) == (InvitationStatus.DECLINED, "")
    finally:
        _migrate(_leaves())


# --- The pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_open_invitation_to_an_application_policy_offers_its_form_not_confirm(world: World) -> None:
    # Given an invitation to an application-mode policy still open, and a proactive one
    applied = _application_policy(world)
    legacy = _legacy(applied, world.spot)
    proactive = world.invite()
    client = Client()
    client.force_login(world.spot_user)
    apply_url = reverse("policies:apply", args=[applied.public_id])
    # When the enterprise opens it, then there is no Confirm, but the application form
    html = client.get(reverse("policies:invitation", args=[legacy.public_id])).content.decode()
    assert 'data-testid="confirm"' not in html
    assert reverse("policies:invitation_confirm", args=[legacy.public_id]) not in html
    assert 'data-testid="invitation-apply"' in html
    assert f'href="{apply_url}"' in html
    # And the list leads to the form for it too
    listed = client.get(reverse("policies:invitations")).content.decode()
    assert f'href="{apply_url}"' in listed
    # Whereas the proactive invitation is confirmed in one tap, as before
    html = client.get(reverse("policies:invitation", args=[proactive.public_id])).content.decode()
    assert 'data-testid="confirm"' in html
    assert 'data-testid="invitation-apply"' not in html


@pytest.mark.django_db
def test_a_lapsed_one_says_the_policy_takes_applications(world: World) -> None:
    legacy = _legacy(_application_policy(world), world.spot)
    policies_match_due()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.spot_user)
    html = client.get(reverse("policies:invitation", args=[legacy.public_id])).content.decode()
    assert "The policy takes applications: apply with its form." in html
    assert 'data-testid="confirm"' not in html
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(world.spot_user)
    html = client.get(reverse("policies:invitation", args=[legacy.public_id])).content.decode()
    assert "本政策须依申请办理，请通过申报表申请。" in html


# --- The daily pass -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_daily_pass_lapses_an_open_invitation_to_an_application_policy(world: World) -> None:
    # Given an open invitation to an application-mode policy found after the migration
    # (written behind the services' back), and an open proactive one
    applied = _application_policy(world)
    legacy = _legacy(applied, world.spot)
    proactive = world.invite()
    # When the daily pass runs
    counts = policies_match_due()
    # Then it lapsed, saying why, and the trail records it for the policy
    assert _state(legacy) == (InvitationStatus.LAPSED, InvitationLapse.APPLICATION)
    assert counts["application"] == 1
    event = AuditEvent.objects.get(action="policy.invitations_lapse")
    assert (event.after["reason"], event.after["lapsed"]) == (InvitationLapse.APPLICATION, 1)
    # And the proactive one stays open
    assert _state(proactive) == (InvitationStatus.OPEN, "")
    # And a second run finds nothing more
    assert policies_match_due()["application"] == 0
    assert AuditEvent.objects.filter(action="policy.invitations_lapse").count() == 1


@pytest.mark.django_db
def test_an_open_invitation_to_a_policy_not_yet_in_force_offers_neither(world: World) -> None:
    # The form takes applications only while the policy is in force: the page says how
    # the policy is applied for, and links to no form that would answer 404
    today = timezone.localdate()
    upcoming = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        mode=PolicyMode.APPLICATION,
        valid_from=today.replace(year=today.year + 1, month=1, day=1),
        valid_until=today.replace(year=today.year + 1, month=12, day=31),
    )
    legacy = _legacy(upcoming, world.spot)
    client = Client()
    client.force_login(world.spot_user)
    html = client.get(reverse("policies:invitation", args=[legacy.public_id])).content.decode()
    assert 'data-testid="invitation-apply-note"' in html
    assert 'data-testid="confirm"' not in html
    assert reverse("policies:apply", args=[upcoming.public_id]) not in html
