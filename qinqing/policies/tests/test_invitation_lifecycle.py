"""Open invitations follow the catalogue: an amendment, a withdrawal, a window that ends
or opens, a new year and changed registry figures all show on them, and the daily pass
(`policies_match_due`) keeps them so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from qinqing.audit.models import AuditEvent
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import Invitation, InvitationLapse, InvitationStatus, Policy, PolicyStatus
from qinqing.policies.services.cases import invitation_confirm
from qinqing.policies.services.catalogue import (
    current_version,
    policy_amend,
    policy_update_rule,
    policy_withdraw,
)
from qinqing.policies.services.matching import enterprise_rematch, policies_match_due, policy_match
from qinqing.policies.tasks import match_policies, notify_invitations
from qinqing.scheduling.registry import periodic_jobs

from .factories import make_policy
from .rules_examples import SCENIC_AWARD
from .workflow import World, scenic_spot

pytestmark = pytest.mark.django_db

ONLY_4A_5A = {
    **SCENIC_AWARD,
    "conditions": {
        "all": [
            *SCENIC_AWARD["conditions"]["all"][:2],
            {"label": "scenic_grade", "op": "in", "value": ["4A", "5A"]},
        ]
    },
}


def _spot(world: World, grade: str):  # type: ignore[no-untyped-def]
    return scenic_spot(EnterpriseFactory(region=world.city.district, status="active"), grade)


def _invitation(policy: Policy, enterprise) -> Invitation:  # type: ignore[no-untyped-def]
    return Invitation.objects.get(policy=policy, enterprise=enterprise)


def test_an_amended_cap_shows_on_open_invitations_and_leaves_answered_ones(world: World) -> None:
    # Given a 3A spot that confirmed and a 5A spot whose invitation is open
    confirmed = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    five_a = _spot(world, "5A")
    policy_match(actor=world.officer, policy=world.policy)
    assert _invitation(world.policy, five_a).award == Decimal("2000000.00")
    # When the head lowers the cap, and the policy is matched again (the amendment's job)
    version = policy_amend(
        actor=world.head, policy=world.policy, reason="预算调整", cap_per_enterprise=Decimal("800000")
    )
    policy_match(actor=None, policy=world.policy)
    # Then the open invitation carries the new version and the capped award
    open_one = _invitation(world.policy, five_a)
    assert (open_one.status, open_one.version_id, open_one.award) == (
        InvitationStatus.OPEN,
        version.pk,
        Decimal("800000.00"),
    )
    # And the answered one keeps what it was confirmed with
    answered = _invitation(world.policy, world.spot)
    assert (answered.status, answered.award) == (InvitationStatus.CONFIRMED, confirmed.award)
    # And the match's audit event counts what it refreshed
    event = AuditEvent.objects.filter(action="policy.match").order_by("-id").first()
    assert event is not None and event.after["refreshed"] == 1 and event.after["lapsed"] == 0


def test_an_amended_rule_lapses_the_invitations_of_enterprises_it_no_longer_admits(world: World) -> None:
    three_a = world.invite()
    five_a = _spot(world, "5A")
    policy_match(actor=world.officer, policy=world.policy)
    policy_update_rule(actor=world.officer, policy=world.policy, rule=ONLY_4A_5A)
    policy_match(actor=world.officer, policy=world.policy)
    three_a.refresh_from_db()
    assert (three_a.status, three_a.lapsed_reason) == (InvitationStatus.LAPSED, InvitationLapse.NOT_ELIGIBLE)
    assert three_a.responded_at is not None
    kept = _invitation(world.policy, five_a)
    assert (kept.status, kept.version_id) == (InvitationStatus.OPEN, current_version(world.policy).pk)
    # A lapsed invitation is not written again, nor reopened, by later matches
    assert policy_match(actor=world.officer, policy=world.policy) == 0
    assert Invitation.objects.get(pk=three_a.pk).status == InvitationStatus.LAPSED


def test_withdrawing_a_policy_lapses_its_open_invitations_and_says_why(world: World) -> None:
    invitation_confirm(actor=world.spot_user, invitation=world.invite())
    other = _spot(world, "4A")
    policy_match(actor=world.officer, policy=world.policy)
    policy_withdraw(actor=world.officer, policy=world.policy, reason="政策到期调整")
    lapsed = _invitation(world.policy, other)
    assert (lapsed.status, lapsed.lapsed_reason) == (InvitationStatus.LAPSED, InvitationLapse.WITHDRAWN)
    assert _invitation(world.policy, world.spot).status == InvitationStatus.CONFIRMED
    event = AuditEvent.objects.get(action="policy.withdraw")
    assert event.after["invitations_lapsed"] == 1


def test_the_daily_pass_lapses_what_a_withdrawal_or_an_ended_window_left_open(world: World) -> None:
    # Given open invitations of a policy withdrawn behind the services' back (data from
    # before withdrawals lapsed them) and of a policy whose window has ended
    withdrawn_one = world.invite()
    Policy.objects.filter(pk=world.policy.pk).update(status=PolicyStatus.WITHDRAWN)
    ended_policy = make_policy(
        actor=world.officer, department=world.city.drc, publish=True, valid_until=dt.date(2026, 6, 30)
    )
    policy_match(actor=world.officer, policy=ended_policy, on=dt.date(2026, 6, 1))
    ended_one = _invitation(ended_policy, world.spot)
    # When the daily pass runs
    counts = policies_match_due(on=dt.date(2026, 12, 7))
    # Then each lapsed, with its reason, and the trail says so per policy
    withdrawn_one.refresh_from_db()
    ended_one.refresh_from_db()
    assert withdrawn_one.lapsed_reason == InvitationLapse.WITHDRAWN
    assert ended_one.lapsed_reason == InvitationLapse.ENDED
    assert (counts["withdrawn"], counts["ended"]) == (1, 1)
    assert AuditEvent.objects.filter(action="policy.invitations_lapse").count() == 2
    # And a second run finds nothing to do, and records nothing
    matches = AuditEvent.objects.filter(action="policy.match").count()
    again = policies_match_due(on=dt.date(2026, 12, 7))
    assert (again["withdrawn"], again["ended"], again["invited"]) == (0, 0, 0)
    assert AuditEvent.objects.filter(action="policy.invitations_lapse").count() == 2
    assert AuditEvent.objects.filter(action="policy.match").count() == matches


def test_a_policy_announced_ahead_invites_when_its_window_opens(world: World) -> None:
    announced = make_policy(
        actor=world.officer,
        department=world.city.drc,
        valid_from=dt.date(2027, 1, 1),
        valid_until=dt.date(2027, 12, 31),
    )
    from qinqing.policies.services.catalogue import policy_publish

    policy_publish(actor=world.officer, policy=announced, today=dt.date(2026, 12, 7))
    assert policies_match_due(on=dt.date(2026, 12, 31))["invited"] == 1  # the world's policy only
    assert not Invitation.objects.filter(policy=announced).exists()
    opened = policies_match_due(on=dt.date(2027, 1, 1))
    assert _invitation(announced, world.spot).award == Decimal("600000.00")
    assert opened["invited"] == 1


def test_a_yearly_policy_invites_again_in_a_new_year_and_last_years_open_invitation_ends(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    yearly = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        period_kind="yearly",
        valid_until=dt.date(2027, 12, 31),
    )
    policy_match(actor=world.officer, policy=yearly, on=dt.date(2026, 12, 7))
    last_year = _invitation(yearly, world.spot)
    assert last_year.period == "2026"
    with django_capture_on_commit_callbacks(execute=True):
        policies_match_due(on=dt.date(2027, 1, 1))
    last_year.refresh_from_db()
    # The enterprise is told of this year's invitation, not of last year's that ended
    told = DBTaskResult.objects.filter(
        task_path__endswith="notify_invitations", args_kwargs__kwargs__policy_id=yearly.pk
    )
    assert [job.args_kwargs["kwargs"]["lapsed"] for job in told] == [False]
    assert (last_year.status, last_year.lapsed_reason) == (InvitationStatus.LAPSED, InvitationLapse.ENDED)
    this_year = Invitation.objects.get(policy=yearly, enterprise=world.spot, period="2027")
    assert this_year.status == InvitationStatus.OPEN


def test_the_daily_pass_is_a_registered_periodic_job_that_runs_the_pass(world: World) -> None:
    job = next(j for j in periodic_jobs() if j.name == "policies.match")
    assert job.period == "day"
    result = match_policies.call("2026-12-07")
    assert result["policies"] == 1 and result["invited"] == 1
    assert _invitation(world.policy, world.spot).status == InvitationStatus.OPEN
    # Run again, it changes nothing and records no match (a person's match is recorded)
    matches = AuditEvent.objects.filter(action="policy.match").count()
    assert match_policies.call("2026-12-07") == {
        "withdrawn": 0,
        "ended": 0,
        "application": 0,
        "policies": 1,
        "invited": 0,
    }
    assert AuditEvent.objects.filter(action="policy.match").count() == matches
    policy_match(actor=world.officer, policy=world.policy)
    assert AuditEvent.objects.filter(action="policy.match").count() == matches + 1


def test_a_rematch_lapses_the_enterprises_own_open_invitation_and_the_daily_pass_refreshes_awards(
    world: World,
) -> None:
    invitation = world.invite()
    # The registry rates the spot 5A: the re-match writes nothing (figures change often),
    # the daily pass brings the award up to date
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").update(value="5A")
    assert enterprise_rematch(enterprise_id=world.spot.pk) == []
    invitation.refresh_from_db()
    assert invitation.award == Decimal("600000.00")
    policies_match_due(on=dt.date(2026, 12, 7))
    invitation.refresh_from_db()
    assert (invitation.status, invitation.award) == (InvitationStatus.OPEN, Decimal("2000000.00"))
    # The grade is taken away: the re-match lapses it at once, and the trail says so
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").delete()
    enterprise_rematch(enterprise_id=world.spot.pk)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.lapsed_reason) == (
        InvitationStatus.LAPSED,
        InvitationLapse.NOT_ELIGIBLE,
    )
    event = AuditEvent.objects.get(action="enterprise.rematch")
    assert (event.after["lapsed"], event.after["invited"]) == (1, [])


def test_a_rematch_leaves_an_answered_invitation_as_it_was(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").delete()
    enterprise_rematch(enterprise_id=world.spot.pk)
    answered = _invitation(world.policy, world.spot)
    assert (answered.status, answered.award, answered.lapsed_reason) == (
        InvitationStatus.CONFIRMED,
        case.award,
        "",
    )


def test_the_enterprise_sees_why_an_invitation_lapsed(world: World, client) -> None:  # type: ignore[no-untyped-def]
    invitation = world.invite()
    policy_withdraw(actor=world.officer, policy=world.policy)
    client.force_login(world.spot_user)
    listing = client.get(reverse("policies:invitations"), HTTP_ACCEPT_LANGUAGE="en")
    assert "The policy was withdrawn." in listing.content.decode()
    page = client.get(
        reverse("policies:invitation", args=[invitation.public_id]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    assert "政策已撤回" in page.content.decode()
    api = client.get("/api/v1/policies/mine/invitations")
    item = api.json()["items"][0]
    assert (item["status"], item["lapsed_reason"]) == ("lapsed", "withdrawn")
    assert item["lapsed_reason_label"]


def test_a_lapsed_invitation_needs_a_reason_and_only_a_lapsed_one_has_one(world: World) -> None:
    from django.db import IntegrityError, transaction

    invitation = world.invite()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.LAPSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(lapsed_reason=InvitationLapse.ENDED)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.lapsed_reason) == (InvitationStatus.OPEN, "")


def test_the_users_of_an_enterprise_whose_invitation_lapsed_are_told_once(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    from qinqing.notifications.models import Notification

    invitation = world.invite()
    # When the policy is withdrawn, a job is enqueued for what lapsed
    with django_capture_on_commit_callbacks(execute=True):
        policy_withdraw(actor=world.officer, policy=world.policy, reason="政策调整")
    job = DBTaskResult.objects.get(task_path__endswith="notify_invitations", args_kwargs__kwargs__lapsed=True)
    kwargs = job.args_kwargs["kwargs"]
    assert kwargs["policy_id"] == world.policy.pk
    # And running it tells the spot's user why, once however often it runs
    assert notify_invitations.call(**kwargs) == 1
    assert notify_invitations.call(**kwargs) == 0
    note = Notification.objects.get(recipient=world.spot_user, event_key=f"invitation:{invitation.pk}:lapsed")
    assert str(invitation.public_id) in note.url
    assert world.policy.title in note.subject
