"""One enterprise re-matched: the in-force policies read as one small query, their rules
parsed once per process, and every change to the catalogue seen at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinqing.common.errors import InvalidTransition
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import Invitation, Policy, PolicyMode
from qinqing.policies.rules import parse_rule
from qinqing.policies.services import matching
from qinqing.policies.services.cases import invitation_confirm
from qinqing.policies.services.catalogue import policy_publish, policy_update_rule, policy_withdraw
from qinqing.policies.services.matching import enterprise_rematch, policies_match_due, policy_match

from .factories import make_policy
from .rules_examples import SCENIC_AWARD
from .workflow import World, scenic_spot

pytestmark = pytest.mark.django_db


def _rematch(enterprise_id: int) -> list[tuple[int, Decimal]]:
    return [(i.policy_id, i.award) for i in enterprise_rematch(enterprise_id=enterprise_id)]


def _spot(world: World, grade: str = "4A"):  # type: ignore[no-untyped-def]
    return scenic_spot(EnterpriseFactory(region=world.city.district, status="active"), grade)


def test_a_rematch_reads_rules_once_then_only_the_catalogue_the_enterprise_and_its_labels(
    world: World,
) -> None:
    plain = EnterpriseFactory(region=world.city.district, status="active")
    matching._RULES.clear()
    # The first re-match reads the rule of each in-force policy's current version
    with CaptureQueriesContext(connection) as first:
        assert _rematch(plain.pk) == []
    assert any('"rule"' in q["sql"] for q in first.captured_queries)
    # Then, nothing new: the catalogue's state, the enterprise with its labels, what it holds
    with CaptureQueriesContext(connection) as again:
        assert _rematch(plain.pk) == []
    assert len(again.captured_queries) == 3
    assert not any('"rule"' in q["sql"] for q in again.captured_queries)


def test_an_enterprise_already_invited_or_holding_a_case_is_not_written_again(world: World) -> None:
    # The world's spot holds a case; another spot holds an invitation
    invitation_confirm(actor=world.spot_user, invitation=world.invite())
    other = _spot(world)
    assert _rematch(other.pk) == [(world.policy.pk, Decimal("1000000.00"))]
    for firm in (world.spot, other):
        with CaptureQueriesContext(connection) as queries:
            assert _rematch(firm.pk) == []
        assert not any(q["sql"].startswith("INSERT") for q in queries.captured_queries)
    assert Invitation.objects.filter(enterprise=other).count() == 1


def test_a_policy_published_after_the_cache_was_filled_is_matched(world: World) -> None:
    spot = EnterpriseFactory(region=world.city.district, status="active")
    EnterpriseLabel.objects.create(enterprise=spot, key="high_tech", value="yes")
    draft = make_policy(
        actor=world.officer,
        department=world.city.drc,
        valid_until=world.policy.valid_until,
        rule={
            "conditions": {"label": "high_tech", "op": "exists"},
            "award": {"kind": "fixed", "amount": "300000"},
        },
    )
    assert _rematch(spot.pk) == []  # the draft is not in force
    policy_publish(actor=world.officer, policy=draft)
    assert _rematch(spot.pk) == [(draft.pk, Decimal("300000.00"))]


def test_an_application_policy_invites_no_one_its_form_is_the_way_in(world: World) -> None:
    # An application-mode policy whose rule the registry decides alone: enterprises that
    # fit find it under "policies that fit me" with its form; no invitation offers a
    # one-tap confirmation that confirming would refuse
    applied_for = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        valid_until=world.policy.valid_until,
        mode=PolicyMode.APPLICATION,
        rule={
            "conditions": {"label": "high_tech", "op": "exists"},
            "award": {"kind": "fixed", "amount": "300000"},
        },
    )
    spot = EnterpriseFactory(region=world.city.district, status="active")
    EnterpriseLabel.objects.create(enterprise=spot, key="high_tech", value="yes")
    assert _rematch(spot.pk) == []
    with pytest.raises(InvalidTransition, match="采用申报方式"):
        policy_match(actor=world.officer, policy=applied_for)
    assert policies_match_due()["policies"] == 1  # the world's proactive policy only
    assert not Invitation.objects.filter(policy=applied_for).exists()


def test_a_withdrawn_policy_is_no_longer_matched(world: World) -> None:
    plain = EnterpriseFactory(region=world.city.district, status="active")
    assert _rematch(plain.pk) == []  # the cache knows the policy
    policy_withdraw(actor=world.officer, policy=world.policy)
    scenic_spot(plain, "5A")
    assert _rematch(plain.pk) == []


def test_a_new_version_of_the_rule_applies_at_once(world: World) -> None:
    first = _spot(world, "5A")
    assert _rematch(first.pk) == [(world.policy.pk, Decimal("2000000.00"))]
    rule = {
        **SCENIC_AWARD,
        "award": {**SCENIC_AWARD["award"], "tiers": [{"value": "5A", "amount": "1500000"}]},
    }
    version = policy_update_rule(actor=world.officer, policy=world.policy, rule=rule)
    second = _spot(world, "5A")
    created = enterprise_rematch(enterprise_id=second.pk)
    assert [(i.version_id, i.award) for i in created] == [(version.pk, Decimal("1500000.00"))]
    assert matching._RULES[(version.pk, _published_key(version.pk))] == parse_rule(rule)


def _published_key(version_id: int):  # type: ignore[no-untyped-def]
    # The publication time as the catalogue query returns it (the cache's key).
    with connection.cursor() as cursor:
        cursor.execute("SELECT published_at FROM policies_policyversion WHERE id = %s", [version_id])
        return cursor.fetchone()[0]


def test_a_cap_changed_behind_the_services_back_applies_at_once(world: World) -> None:
    first = _spot(world, "5A")
    assert _rematch(first.pk) == [(world.policy.pk, Decimal("2000000.00"))]
    # No service saves the row (updated_at unchanged): the cap itself is in the key.
    Policy.objects.filter(pk=world.policy.pk).update(cap_per_enterprise=Decimal("800000"))
    second = _spot(world, "5A")
    assert _rematch(second.pk) == [(world.policy.pk, Decimal("800000.00"))]


def test_a_policy_is_matched_only_within_its_window(world: World) -> None:
    last_day = world.policy.valid_until
    Policy.objects.filter(pk=world.policy.pk).update(valid_from=last_day)
    spot = _spot(world, "5A")
    assert enterprise_rematch(enterprise_id=spot.pk, on=last_day - dt.timedelta(days=1)) == []
    created = enterprise_rematch(enterprise_id=spot.pk, on=last_day)
    assert [i.award for i in created] == [Decimal("2000000.00")]


def test_an_unknown_enterprise_is_no_error(world: World) -> None:
    assert enterprise_rematch(enterprise_id=10**9) == []


def test_a_full_rule_cache_starts_again_without_losing_a_policy(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    high_tech = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        valid_until=world.policy.valid_until,
        rule={
            "conditions": {"label": "high_tech", "op": "exists"},
            "award": {"kind": "fixed", "amount": "300000"},
        },
    )
    monkeypatch.setattr(matching, "_RULES_KEPT", 1)
    spot = _spot(world, "3A")
    EnterpriseLabel.objects.create(enterprise=spot, key="high_tech", value="yes")
    assert sorted(_rematch(spot.pk)) == sorted(
        [(world.policy.pk, Decimal("600000.00")), (high_tech.pk, Decimal("300000.00"))]
    )
