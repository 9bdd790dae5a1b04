"""OCDS export of a project taken through the real services (rules counted from an event
and from another obligation, claims confirmed, partly met, disputed, a remedy plan
accepted, a cancellation): the package stays valid at every step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qinqing.contracts import services
from qinqing.contracts.models import ObligationKind, ObligorSide
from qinqing.contracts.ocds import contract_release_package, validate_package

from .conftest import D, Zone, add_obligation, evidence, reload

GOV = ObligorSide.GOVERNMENT


def _milestones(zone: Zone) -> dict[str, dict[str, Any]]:
    # reviewed on a fixed day, so that "scheduled" and "notMet" do not follow the real date
    reviewed = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    package = contract_release_package(zone.agreement, published_date=reviewed, base_url="https://x.test")
    assert validate_package(package) == []
    return {m["id"]: m for m in package["releases"][0]["contracts"][0]["implementation"]["milestones"]}


@pytest.mark.django_db
def test_a_project_through_the_services_stays_valid(zone: Zone) -> None:
    member, today = zone.member, D(2026, 11, 20)
    applied = services.event_declare(actor=member, project=zone.project, key="permit_applied")
    permit = add_obligation(zone, side=GOV, after_event=applied, offset=20, unit="working")
    construction = add_obligation(zone, after=permit, offset=3, unit="months")
    investment = add_obligation(
        zone, kind=ObligationKind.INVESTMENT, title="固定资产投资", due=D(2026, 6, 30), target=300000000
    )
    land = add_obligation(
        zone,
        side=GOV,
        kind=ObligationKind.LAND_DELIVERY,
        title="净地交付",
        due=D(2026, 4, 30),
        department=zone.other_department,
    )
    tax = add_obligation(
        zone, kind=ObligationKind.TAX_TARGET, title="年度税收", due=D(2026, 9, 30), target=500
    )
    power = add_obligation(
        zone, side=GOV, kind=ObligationKind.UTILITY_POWER, title="供电接入", due=D(2026, 5, 31)
    )
    output = add_obligation(zone, kind=ObligationKind.OUTPUT_TARGET, title="产值", due=D(2026, 12, 31))
    assert {m["status"] for m in _milestones(zone).values()} == {"scheduled", "notMet"}

    # land delivered a month early, confirmed by the enterprise
    claim = services.obligation_claim(
        actor=zone.other_officer, obligation=land, met_on=D(2026, 4, 1), files=[evidence()], today=today
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    # the tax target 70% reached: partly met
    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=tax,
        met_on=D(2026, 9, 20),
        achieved_value=350,
        files=[evidence()],
        today=today,
    )
    services.claim_confirm(actor=member, claim=claim)
    # the power connection claimed and disputed
    claim = services.obligation_claim(
        actor=zone.officer, obligation=power, met_on=D(2026, 5, 30), files=[evidence()], today=today
    )
    services.claim_dispute(actor=zone.enterprise_user, claim=claim, reason="尚未通电")
    # the investment late: a remedy plan accepted moves its date, the original stays
    plan = services.plan_submit(
        actor=zone.enterprise_user,
        obligation=investment,
        cause="融资延迟",
        remedy="股东增资",
        proposed_date=D(2026, 12, 31),
        today=today,
    )
    services.plan_decide(actor=member, plan=plan, accept=True)
    # the output target cancelled, and the permit application filed
    services.obligation_cancel(actor=member, obligation=output, reason="产品方案调整")
    services.event_record(
        actor=member, project=zone.project, key="permit_applied", occurred_on=D(2026, 10, 9)
    )

    m = _milestones(zone)
    assert (m[str(land.public_id)]["status"], m[str(land.public_id)]["daysEarly"]) == ("met", 29)
    assert m[str(land.public_id)]["obligor"]["name"] == zone.other_department.name
    partly = m[str(tax.public_id)]
    assert partly["status"] == "partiallyMet"
    assert partly["achievedValue"]["amount"] == 350
    assert partly["targetValue"]["amount"] == 500
    assert m[str(power.public_id)]["fulfilmentStatus"] == "disputed"
    moved = m[str(investment.public_id)]
    assert moved["dueDate"] == "2026-12-31T00:00:00+08:00"
    assert moved["originalDueDate"] == "2026-06-30T00:00:00+08:00"
    # Rescheduled by a plan, but reviewed (11-20) past the contract's date (06-30): not met.
    assert moved["status"] == "notMet"
    assert "status" not in m[str(output.public_id)]
    permit = reload(permit)
    assert permit.due_date is not None
    assert m[str(permit.public_id)]["dueDate"] == f"{permit.due_date.isoformat()}T00:00:00+08:00"
    # construction counts from the permit being issued, which has not happened
    assert "dueDate" not in m[str(construction.public_id)]
