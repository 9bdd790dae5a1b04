"""The fulfilment loop: claim with evidence → confirm (met / partly met) or dispute →
the committee decides; withdrawals; early fulfilment; illegal transitions and stale
revisions refused with clear errors."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.contracts import services
from qinqing.contracts.models import (
    ClaimEvidence,
    ClaimStatus,
    FulfilmentClaim,
    ObligationStatus,
    ObligorSide,
)
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.notifications.models import DigestItem, Notification

from .conftest import PNG, D, add_obligation, evidence, reload

TODAY = D(2026, 11, 20)
MET_ON = D(2026, 11, 10)


def _claim(zone, ob, who=None, met_on=MET_ON, **kwargs):
    who = who or (zone.enterprise_user if ob.obligor_side == ObligorSide.ENTERPRISE else zone.officer)
    kwargs.setdefault("files", [evidence()])
    return services.obligation_claim(actor=who, obligation=ob, met_on=met_on, today=TODAY, **kwargs)


def test_claim_then_confirm_meets_early_and_closes_the_deadline(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob, note="已开工，附开工报告", files=[evidence(), evidence("现场.png", PNG)])
    ob = reload(ob)
    assert ob.status == ObligationStatus.CLAIMED
    assert claim.status == ClaimStatus.PENDING and claim.claimed_by == zone.enterprise_user
    assert sorted(ClaimEvidence.objects.filter(claim=claim).values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]
    services.claim_confirm(actor=zone.member, claim=claim, revision=ob.revision)
    ob, claim = reload(ob), reload(claim)
    assert (claim.status, claim.outcome, claim.answered_by) == ("confirmed", "met", zone.member)
    assert (ob.status, ob.met_on, ob.days_early) == ("met", D(2026, 11, 10), 35)
    assert Deadline.objects.get(pk=ob.deadline_id).status == DeadlineStatus.MET
    actions = list(
        AuditEvent.objects.filter(object_type="contracts.obligation", object_id=str(ob.pk)).values_list(
            "action", flat=True
        )
    )
    assert "contracts.obligation.claim" in actions and "contracts.claim.confirm" in actions


def test_late_fulfilment_counts_negative_days(zone):
    ob = add_obligation(zone, due=D(2026, 11, 1))
    services.claim_confirm(actor=zone.member, claim=_claim(zone, ob, met_on=D(2026, 11, 10)))
    assert reload(ob).days_early == -9


def test_a_target_reached_in_part_is_partly_met_and_may_be_claimed_again(zone):
    ob = add_obligation(
        zone, kind="investment", due=D(2026, 12, 31), target=Decimal("300000000"), target_unit="元"
    )
    with pytest.raises(ValidationFailed) as exc:
        _claim(zone, ob)
    assert "achieved_value" in exc.value.fields
    claim = _claim(zone, ob, achieved_value=Decimal("210000000"))  # 70 %
    services.claim_confirm(actor=zone.member, claim=claim)
    ob = reload(ob)
    assert (reload(claim).outcome, ob.status, ob.achieved_value) == (
        "partly_met",
        "partly_met",
        Decimal("210000000"),
    )
    assert Deadline.objects.get(pk=ob.deadline_id).status == DeadlineStatus.MET

    again = _claim(zone, ob, met_on=D(2026, 11, 18), achieved_value="300000000")
    assert reload(ob).status == ObligationStatus.CLAIMED
    services.claim_withdraw(actor=zone.enterprise_user, claim=again)
    assert reload(ob).status == ObligationStatus.PARTLY_MET  # withdrawing keeps what was reached
    again = _claim(zone, ob, met_on=D(2026, 11, 18), achieved_value="300000000")
    services.claim_confirm(actor=zone.member, claim=again)
    ob = reload(ob)
    assert (ob.status, ob.met_on, ob.days_early) == ("met", D(2026, 11, 18), 43)


def test_the_government_claims_and_the_enterprise_confirms(zone):
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 11, 30))
    with pytest.raises(PermissionDenied):
        _claim(zone, ob, who=zone.other_officer)
    with pytest.raises(PermissionDenied):
        _claim(zone, ob, who=zone.enterprise_user)
    claim = _claim(zone, ob, who=zone.head)
    with pytest.raises(PermissionDenied):
        services.claim_confirm(actor=zone.officer, claim=claim)  # not its own claim
    with pytest.raises(PermissionDenied):
        services.claim_confirm(actor=zone.member, claim=claim)  # the enterprise answers
    with pytest.raises(PermissionDenied):
        services.claim_confirm(actor=zone.other_enterprise_user, claim=claim)
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    assert reload(ob).status == ObligationStatus.MET


def test_dispute_then_the_committee_decides_with_four_eyes(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    with pytest.raises(ValidationFailed) as exc:
        services.claim_dispute(actor=zone.member, claim=claim, reason=" ")
    assert "reason" in exc.value.fields
    services.claim_dispute(actor=zone.member, claim=claim, reason="现场未见开工")
    assert reload(ob).status == ObligationStatus.DISPUTED
    assert reload(claim).status == ClaimStatus.DISPUTED
    with pytest.raises(PermissionDenied) as exc:
        services.claim_decide(actor=zone.member, claim=claim, outcome="not_met", reason="自己裁决")
    assert exc.value.code == "four_eyes"
    with pytest.raises(PermissionDenied):
        services.claim_decide(actor=zone.other_member, claim=claim, outcome="met", reason="别区")
    with pytest.raises(PermissionDenied):
        services.claim_decide(actor=zone.enterprise_user, claim=claim, outcome="met", reason="自己")
    with pytest.raises(ValidationFailed) as exc:
        services.claim_decide(actor=zone.member_b, claim=claim, outcome="maybe", reason="?")
    assert "outcome" in exc.value.fields
    services.claim_decide(actor=zone.member_b, claim=claim, outcome="not_met", reason="核查未开工")
    ob, claim = reload(ob), reload(claim)
    assert (claim.status, claim.outcome, claim.decided_by) == ("decided", "not_met", zone.member_b)
    assert ob.status == ObligationStatus.OPEN and ob.met_on is None
    assert Deadline.objects.get(pk=ob.deadline_id).status == DeadlineStatus.OPEN

    # A new claim, disputed by the enterprise's counterpart, decided met.
    claim = _claim(zone, ob, met_on=D(2026, 11, 19))
    services.claim_dispute(actor=zone.member_b, claim=claim, reason="材料不全")
    services.claim_decide(actor=zone.member, claim=claim, outcome="met", reason="补充材料后核实")
    ob = reload(ob)
    assert (ob.status, ob.met_on, ob.days_early) == ("met", D(2026, 11, 19), 26)


def test_illegal_transitions_are_refused_clearly(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    with pytest.raises(InvalidTransition) as exc:
        _claim(zone, reload(ob))  # already claimed
    assert exc.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition):
        services.claim_decide(actor=zone.member_b, claim=claim, outcome="met", reason="未争议")
    services.claim_confirm(actor=zone.member, claim=claim)
    for attempt in (
        lambda: services.claim_confirm(actor=zone.member, claim=claim),
        lambda: services.claim_dispute(actor=zone.member, claim=claim, reason="晚了"),
        lambda: services.claim_withdraw(actor=zone.enterprise_user, claim=claim),
        lambda: services.obligation_cancel(actor=zone.member, obligation=ob, reason="已履约"),
        lambda: _claim(zone, ob),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
    assert reload(ob).status == ObligationStatus.MET


def test_a_pending_obligation_cannot_be_claimed(zone):
    event = services.event_declare(actor=zone.member, project=zone.project, key="completion_accepted")
    ob = add_obligation(zone, kind="production_start", after_event=event, offset=3, unit="months")
    with pytest.raises(InvalidTransition):
        _claim(zone, ob)


def test_claims_are_checked(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    with pytest.raises(ValidationFailed) as exc:
        _claim(zone, ob, files=[])
    assert "files" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        _claim(zone, ob, files=[evidence("evil.pdf", b"MZ\x90\x00 not a pdf")])
    assert "files" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        _claim(zone, ob, met_on=D(2026, 11, 21))  # after "today"
    assert "met_on" in exc.value.fields
    for who in (zone.member, zone.supervisor, zone.city_supervisor, zone.other_enterprise_user, zone.officer):
        with pytest.raises(PermissionDenied):
            _claim(zone, ob, who=who)
    assert reload(ob).status == ObligationStatus.OPEN
    assert not ClaimEvidence.objects.exists()


def test_withdraw_by_the_obligor_side_only(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=zone.member, claim=claim)
    services.claim_withdraw(actor=zone.enterprise_user, claim=claim)
    assert (reload(ob).status, reload(claim).status) == ("open", "withdrawn")


def test_two_people_acting_on_one_view_the_second_is_told(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    seen = reload(ob).revision
    services.claim_dispute(actor=zone.member, claim=claim, reason="存疑", revision=seen)
    with pytest.raises(Conflict) as exc:
        services.claim_confirm(actor=zone.member_b, claim=claim, revision=seen)
    assert exc.value.code == "obligation_changed"
    assert exc.value.extra["status"] == "disputed"


def test_every_change_bumps_the_revision(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    revisions = [reload(ob).revision]
    claim = _claim(zone, ob)
    revisions.append(reload(ob).revision)
    services.claim_dispute(actor=zone.member, claim=claim, reason="存疑")
    revisions.append(reload(ob).revision)
    services.claim_decide(actor=zone.member_b, claim=claim, outcome="partly_met", reason="部分")
    revisions.append(reload(ob).revision)
    assert revisions == sorted(set(revisions))


def _digest(kind):
    return set(DigestItem.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_each_step_tells_the_other_side_in_the_daily_digest(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    assert _digest("contracts.claim") == {"cmt", "cmt2"}
    services.claim_dispute(actor=zone.member, claim=claim, reason="现场未见开工")
    # The committee member who did not answer decides; the claimant hears why.
    assert _digest("contracts.dispute") == {"cmt2", "ent"}
    services.claim_decide(actor=zone.member_b, claim=claim, outcome="not_met", reason="核查未开工")
    assert _digest("contracts.decision") == {"ent"}
    assert not Notification.objects.filter(kind__startswith="contracts.").exists()

    gov = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 12, 15))
    claim = _claim(zone, gov, who=zone.head)
    assert _digest("contracts.claim") == {"cmt", "cmt2", "ent"}
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    assert _digest("contracts.confirmation") == {"head"}


# --- races (PostgreSQL: real row locks and two connections) ----------------------------------


def _race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list[Any] = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = action()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_answers_to_one_claim_at_once_one_wins(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    claim = _claim(zone, ob)
    outcomes = _race(
        lambda: services.claim_confirm(actor=zone.member, claim=claim),
        lambda: services.claim_dispute(actor=zone.member_b, claim=claim, reason="存疑"),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), outcomes
    ob, claim = reload(ob), reload(claim)
    assert (ob.status, claim.status) in {("met", "confirmed"), ("disputed", "disputed")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claims_of_one_obligation_at_once_one_wins(zone):
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 12, 15))
    outcomes = _race(
        lambda: _claim(zone, ob, who=zone.officer),
        lambda: _claim(zone, ob, who=zone.head),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), outcomes
    assert reload(ob).status == ObligationStatus.CLAIMED
    assert FulfilmentClaim.objects.filter(obligation=ob).count() == 1
