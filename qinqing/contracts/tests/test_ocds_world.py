"""Projects for the open-data tests (this module holds no tests).

Written straight to the database, so that every state an obligation can be in exists
at once, whatever path the services take to reach it: in the Taishang zone (the
conftest's 台商投资区管委会) a project of the conftest's enterprise with an investment
agreement, a land transfer contract and a supplementary agreement; its obligations
cover both sides, every status, with and without dates and targets, an open alarm and
an answered one. A second zone has a project of the other enterprise.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.contracts import ladders
from qinqing.contracts.models import (
    Clause,
    Contract,
    ContractKind,
    DueMode,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    Project,
    ProjectEvent,
    RemedyPlan,
)
from qinqing.deadlines.models import Alert, Deadline, RungName

_position = itertools.count()


@dataclass
class World:
    city: Any
    today: dt.date
    project: Project
    investment_agreement: Contract
    land_contract: Contract
    supplement: Contract
    other_zone: Organisation
    other_member: User
    other_project: Project
    obligations: dict[str, Obligation] = field(default_factory=dict)


def _project(enterprise: Any, committee: Organisation, reference: str, *, land: Decimal | None) -> Project:
    return Project.objects.create(
        reference=reference,
        name=f"项目{reference}",
        enterprise=enterprise,
        committee=committee,
        industry="新材料",
        planned_investment=Decimal("500000000.00"),
        land_parcel="TS-2025-01" if land else "",
        land_area_mu=land,
        signed_on=timezone.localdate() - dt.timedelta(days=400),
    )


def _contract(project: Project, number: str, kind: str, party: Organisation, **extra: Any) -> Contract:
    return Contract.objects.create(
        project=project,
        kind=kind,
        number=number,
        title=f"合同{number}",
        government_party=party,
        signed_on=project.signed_on,
        **extra,
    )


def obligation(
    clause: Clause,
    *,
    side: str,
    kind: str,
    status: str,
    due: dt.date | None,
    department: Organisation | None = None,
    met_on: dt.date | None = None,
    target: Decimal | None = None,
    achieved: Decimal | None = None,
    unit: str = "",
    anchor_event: ProjectEvent | None = None,
    original: dt.date | None = None,
    title: str = "",
) -> Obligation:
    relative = anchor_event is not None
    days_early = (due - met_on).days if due is not None and met_on is not None else None
    return Obligation.objects.create(
        project=clause.contract.project,
        clause=clause,
        obligor_side=side,
        obligor_department=department if side == ObligorSide.GOVERNMENT else None,
        kind=kind,
        title=title or f"{kind} {status}",
        description="按合同约定履行" if not relative else "",
        position=next(_position),
        due_mode=DueMode.RELATIVE if relative else DueMode.ABSOLUTE,
        due_fixed=None if relative else (original or due or dt.date(2030, 1, 1)),
        anchor_event=anchor_event,
        offset=30 if relative else 0,
        due_date=due,
        original_due_date=original or due,
        target_value=target,
        target_unit=unit,
        achieved_value=achieved,
        status=status,
        met_on=met_on,
        days_early=days_early,
    )


def alarm(o: Obligation, *, answered: bool = False, by: User | None = None) -> Alert:
    """The alarm rung as the daily scan records it; `answered`: a remedy plan submitted."""
    assert o.due_date is not None
    organisation = o.obligor_department or o.project.committee
    deadline = Deadline.objects.create(
        kind=ladders.ladder_kind(o.kind),
        object_type=ladders.OBJECT_TYPE,
        object_id=str(o.pk),
        organisation=organisation,
        due_date=o.due_date,
        original_due_date=o.due_date,
        clock_unit="calendar",
    )
    o.deadline = deadline
    o.save(update_fields=["deadline"])
    alert = Alert.objects.create(
        deadline=deadline,
        rung=RungName.ALARM,
        due_date=o.due_date,
        rung_on=o.due_date + dt.timedelta(days=1),
        fired_on=timezone.localdate(),
        fired_at=timezone.now(),
    )
    if answered:
        assert by is not None
        RemedyPlan.objects.create(
            obligation=o,
            due_date=o.due_date,
            cause="征迁补偿协商未完成",
            remedy="加派力量，分片包干",
            proposed_date=o.due_date + dt.timedelta(days=60),
            status=PlanStatus.SUBMITTED,
            submitted_by=by,
            submitted_at=timezone.now(),
        )
    return alert


def build_world(city: Any) -> World:
    today = timezone.localdate()
    days = dt.timedelta
    natural_resources = cast(
        Organisation, OrganisationFactory(code="zrzy", name="市自然资源局", parent=city.city)
    )
    project = _project(city.enterprise, city.committee, "TS-001", land=Decimal("120.50"))
    agreement = _contract(
        project,
        "TS-001-A",
        ContractKind.INVESTMENT_AGREEMENT,
        city.committee,
        value=Decimal("500000000.00"),
    )
    land = _contract(
        project, "TS-001-L", ContractKind.LAND_TRANSFER, natural_resources, value=Decimal("36150000.50")
    )
    supplement = _contract(project, "TS-001-S1", ContractKind.SUPPLEMENTARY, city.committee, amends=agreement)
    c1 = Clause.objects.create(contract=agreement, number="第五条", text="甲方义务", position=1)
    c2 = Clause.objects.create(contract=agreement, number="第六条", text="乙方义务", position=2)
    c3 = Clause.objects.create(contract=land, number="第三条", text="交地", position=1)
    c4 = Clause.objects.create(contract=supplement, number="第一条", text="补充", position=1)
    permit_applied = ProjectEvent.objects.create(project=project, key="permit_applied", label="申请施工许可")

    gov, ent = ObligorSide.GOVERNMENT, ObligorSide.ENTERPRISE
    s = ObligationStatus
    k = ObligationKind
    o = {
        # The government's side.
        "land_met_early": obligation(
            c3,
            side=gov,
            kind=k.LAND_DELIVERY,
            status=s.MET,
            due=today - days(300),
            met_on=today - days(400),
            department=natural_resources,
        ),
        "clearance_on_time": obligation(
            c1,
            side=gov,
            kind=k.LAND_CLEARANCE,
            status=s.MET,
            due=today - days(350),
            met_on=today - days(350),
            department=city.commerce,
        ),
        "permit_pending": obligation(
            c1,
            side=gov,
            kind=k.PERMIT,
            status=s.PENDING,
            due=None,
            department=city.drc,
            anchor_event=permit_applied,
        ),
        "power_overdue_alarm": obligation(
            c1,
            side=gov,
            kind=k.UTILITY_POWER,
            status=s.OPEN,
            due=today - days(20),
            department=city.drc,
        ),
        "water_answered": obligation(
            c1,
            side=gov,
            kind=k.UTILITY_WATER,
            status=s.OPEN,
            due=today - days(15),
            department=city.commerce,
        ),
        "subsidy_claimed": obligation(
            c1,
            side=gov,
            kind=k.SUBSIDY,
            status=s.CLAIMED,
            due=today + days(30),
            department=city.commerce,
            target=Decimal("2000000"),
            unit="元",
        ),
        "other_cancelled": obligation(
            c4,
            side=gov,
            kind=k.OTHER,
            status=s.CANCELLED,
            due=today + days(10),
            department=city.drc,
        ),
        # The enterprise's side.
        "construction_early": obligation(
            c2,
            side=ent,
            kind=k.CONSTRUCTION_START,
            status=s.MET,
            due=today - days(30),
            met_on=today - days(130),
        ),
        "investment_late": obligation(
            c2,
            side=ent,
            kind=k.INVESTMENT,
            status=s.MET,
            due=today - days(60),
            met_on=today - days(50),
            target=Decimal("300000000"),
            achieved=Decimal("310000000"),
            unit="元",
            original=today - days(90),
        ),
        "output_partly": obligation(
            c2,
            side=ent,
            kind=k.OUTPUT_TARGET,
            status=s.PARTLY_MET,
            due=today - days(5),
            met_on=today - days(6),
            target=Decimal("1000"),
            achieved=Decimal("700.50"),
            unit="万元",
        ),
        "production_open": obligation(
            c2,
            side=ent,
            kind=k.PRODUCTION_START,
            status=s.OPEN,
            due=today + days(90),
        ),
        "tax_disputed_overdue": obligation(
            c2,
            side=ent,
            kind=k.TAX_TARGET,
            status=s.DISPUTED,
            due=today - days(3),
            target=Decimal("500"),
            unit="万元",
        ),
    }
    alarm(o["power_overdue_alarm"])
    alarm(o["water_answered"], answered=True, by=city.officer)

    other_zone = cast(
        Organisation,
        OrganisationFactory(
            code="zone2",
            name="经济开发区管委会",
            kind=OrganisationKind.COMMITTEE,
            parent=city.city,
            zone_name="经济开发区",
        ),
    )
    other_member = give_role(
        cast(User, UserFactory(username="cmt2")), Role.COMMITTEE, organisation=other_zone
    )
    other_project = _project(city.other_enterprise, other_zone, "KF-001", land=Decimal("80"))
    other_contract = _contract(other_project, "KF-001-A", ContractKind.INVESTMENT_AGREEMENT, other_zone)
    c5 = Clause.objects.create(contract=other_contract, number="第一条", text="乙方义务", position=1)
    o["other_met_early"] = obligation(
        c5,
        side=ent,
        kind=k.CONSTRUCTION_START,
        status=s.MET,
        due=today - days(10),
        met_on=today - days(40),
    )
    o["other_land_open_overdue"] = obligation(
        c5,
        side=gov,
        kind=k.LAND_DELIVERY,
        status=s.OPEN,
        due=today - days(2),
        department=city.drc,
    )
    return World(
        city=city,
        today=today,
        project=project,
        investment_agreement=agreement,
        land_contract=land,
        supplement=supplement,
        other_zone=other_zone,
        other_member=other_member,
        other_project=other_project,
        obligations=o,
    )
