"""One demo project put on the ledger through the contract services: the project, its
investment agreement and land transfer contract (and a supplementary agreement where
the plan has one), their clauses in Chinese, and the obligations of both sides with
their due rules.

The government's side: land clearance (征迁) and land delivery (供地) by the zone's
natural resources office, the construction permit (施工许可证) by its approval bureau
within 10 working days of the application, water and power by its housing and
construction bureau after the start of building, the infrastructure subsidy by its
economic development bureau after production starts. The enterprise's side: building
starts within 6 months of the land delivery, production within 18 months of that, the
whole investment within 36 months of the delivery, output and tax targets within 24
months of production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qinqing.accounts.models import Organisation, User
from qinqing.contracts import services
from qinqing.contracts.models import (
    ContractKind,
    DueUnit,
    EventKey,
    Obligation,
    ObligationKind,
    ObligorSide,
    Project,
)
from qinqing.enterprises.models import Enterprise

from .contracts_data import Plan, wan

# The zone's departments that owe the government's side.
LAND_OFFICE = "tsq-zrzy"
APPROVAL_BUREAU = "tsq-spj"
CONSTRUCTION_BUREAU = "tsq-zjj"
ECONOMY_BUREAU = "tsq-jjfz"
COMMITTEE = "tsq"

PERMIT_WORKING_DAYS = 10
START_MONTHS = 6


@dataclass(frozen=True)
class Dates:
    """The fixed dates of one project's contracts."""

    signed: dt.date  # the investment agreement
    land_signed: dt.date  # the land transfer contract
    clearance_due: dt.date
    clearance_met: dt.date
    land_due: dt.date
    land_met: dt.date


@dataclass
class Ledger:
    project: Project
    obligations: dict[str, Obligation] = field(default_factory=dict)


def dates_for(plan: Plan, index: int, today: dt.date) -> Dates:
    land_met = today - dt.timedelta(days=plan.land)
    land_due = land_met + dt.timedelta(days=plan.land_slack)
    clearance_due = land_due - dt.timedelta(days=40)
    return Dates(
        signed=land_due - dt.timedelta(days=150 + (index * 17) % 90),
        land_signed=land_due - dt.timedelta(days=60 + index % 7),
        clearance_due=clearance_due,
        clearance_met=clearance_due - dt.timedelta(days=3 + index % 9),
        land_due=land_due,
        land_met=land_met,
    )


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _figures(plan: Plan) -> dict[str, Any]:
    area = Decimal(plan.area_mu)
    fixed = plan.investment_wan * 4 // 5
    return {
        "name": plan.name,
        "town": plan.town,
        "industry": plan.industry,
        "parcel": plan.parcel,
        "area": plan.area_mu,
        "sqm": f"{int(area * Decimal('666.67')):,}",
        "inv": f"{plan.investment_wan:,}",
        "fixed": f"{fixed:,}",
        "per_mu": f"{int(Decimal(fixed) / area):,}",
        "out": f"{plan.investment_wan * 3 // 2:,}",
        "tax": f"{int(area * 20):,}",
        "sub": f"{min(plan.investment_wan // 50, 2000):,}",
    }


def _relative(anchor: Obligation | Any, offset: int, unit: str, *, event: bool = False) -> dict[str, Any]:
    return {
        "mode": "relative",
        "anchor_obligation": None if event else anchor,
        "anchor_event": anchor if event else None,
        "offset": offset,
        "unit": unit,
    }


def build_ledger(
    *,
    plan: Plan,
    index: int,
    reference: str,
    enterprise: Enterprise,
    committee_member: User,
    orgs: dict[str, Organisation],
    today: dt.date,
) -> Ledger:
    """Create the project with its contracts, clauses and obligations (as the committee
    member who enters it), each through its service."""
    actor = committee_member
    d = dates_for(plan, index, today)
    f = _figures(plan)
    number = index + 1
    project = services.project_create(
        actor=actor,
        enterprise=enterprise,
        committee=orgs[COMMITTEE],
        reference=reference,
        name=plan.name,
        industry=plan.industry,
        planned_investment=wan(plan.investment_wan),
        signed_on=d.signed,
        land_parcel=plan.parcel,
        land_area_mu=Decimal(plan.area_mu),
        location=f"泉州台商投资区{plan.town}",
        description="{name}：总投资{inv}万元，用地{area}亩，建设{industry}生产及研发设施。".format(**f),
    )
    ledger = Ledger(project=project)

    def contract(kind: str, prefix: str, title: str, party: str, signed: dt.date, **extra: Any) -> Any:
        return services.contract_add(
            actor=actor,
            project=project,
            kind=kind,
            number=f"{prefix}〔{signed.year}〕{number:03d}号",
            title=title,
            government_party=orgs[party],
            signed_on=signed,
            **extra,
        )

    def clause(contract_: Any, no: str, title: str, text: str) -> Any:
        return services.clause_add(actor=actor, contract=contract_, number=no, title=title, text=text)

    def owe(
        key: str, clause_: Any, kind: str, title: str, rule: dict[str, Any], *, dept: str = "", **extra: Any
    ) -> Obligation:
        obligation = services.obligation_add(
            actor=actor,
            clause=clause_,
            obligor_side=ObligorSide.GOVERNMENT if dept else ObligorSide.ENTERPRISE,
            obligor_department=orgs[dept] if dept else None,
            kind=kind,
            title=title,
            due_rule=rule,
            **extra,
        )
        ledger.obligations[key] = obligation
        return obligation

    agreement = contract(
        ContractKind.INVESTMENT_AGREEMENT,
        "泉台管投",
        f"{plan.name}投资协议书",
        COMMITTEE,
        d.signed,
        value=wan(plan.investment_wan),
    )
    land = contract(
        ContractKind.LAND_TRANSFER,
        "泉台出让",
        f"国有建设用地使用权出让合同（{plan.parcel}）",
        LAND_OFFICE,
        d.land_signed,
    )
    clause(
        agreement,
        "第一条",
        "项目内容",
        "乙方在泉州台商投资区{town}投资建设{name}，项目总投资{inv}万元，"
        "主要建设{industry}生产厂房、研发中心及配套设施。".format(**f),
    )
    c_clear = clause(
        agreement,
        "第三条",
        "土地征迁",
        f"甲方负责项目用地范围内的土地征收、房屋及地上附着物的补偿和清理，于{cn(d.clearance_due)}前完成征迁，"
        "使宗地达到净地交付条件。",
    )
    c_permit = clause(
        agreement,
        "第五条",
        "审批服务",
        f"乙方提交建筑工程施工许可申请且材料齐全后，甲方行政审批部门在{PERMIT_WORKING_DAYS}个工作日内核发施工许可证；"
        "涉及的规划、消防、人防等审查实行并联办理。",
    )
    c_utilities = clause(
        agreement,
        "第六条",
        "配套设施",
        "甲方负责协调将市政供水、供电接至项目用地红线：自项目开工之日起60日内接通生产用水，"
        "90日内完成10千伏专线供电接入。",
    )
    c_invest = clause(
        agreement,
        "第八条",
        "投资强度",
        "乙方承诺项目总投资不低于{inv}万元，其中固定资产投资不低于{fixed}万元，"
        "投资强度不低于{per_mu}万元/亩，自交地之日起36个月内全部投资到位。".format(**f),
    )
    c_production = clause(
        agreement, "第九条", "建设与投产", "乙方应自项目开工之日起18个月内完成竣工验收并投产。"
    )
    c_output = clause(
        agreement,
        "第十条",
        "产出效益",
        "项目投产后24个月内达产，达产后年产值不低于{out}万元，年纳税总额不低于{tax}万元。".format(**f),
    )
    c_subsidy = clause(
        agreement,
        "第十二条",
        "扶持政策",
        "项目投产并经核实固定资产投资达到约定额度的，甲方自投产之日起30个工作日内，"
        "按固定资产投资额的2%拨付基础设施配套补助，最高不超过{sub}万元。".format(**f),
    )
    clause(
        land,
        "第五条",
        "宗地概况",
        "本合同项下出让宗地编号为{parcel}，宗地总面积{area}亩（约{sqm}平方米），位于泉州台商投资区{town}，"
        "土地用途为工业用地，出让年期50年。".format(**f),
    )
    c_delivery = clause(
        land,
        "第六条",
        "交付土地",
        f"出让人同意在{cn(d.land_due)}前将出让宗地交付给受让人，交付时宗地应达到场地平整、周边道路通达、"
        "地上物清理完毕的条件。",
    )
    c_start = clause(
        land,
        "第十六条",
        "开工与竣工",
        f"受让人同意本合同项下宗地建设项目自交地之日起{START_MONTHS}个月内开工建设，自开工之日起24个月内竣工；"
        "不能按期开工的，应提前30日向出让人提出延建申请。",
    )
    permit_applied = services.event_declare(actor=actor, project=project, key=EventKey.PERMIT_APPLIED)

    owe(
        "clearance",
        c_clear,
        ObligationKind.LAND_CLEARANCE,
        "完成项目用地征迁",
        {"mode": "absolute", "date": d.clearance_due},
        dept=LAND_OFFICE,
    )
    delivery = owe(
        "land_delivery",
        c_delivery,
        ObligationKind.LAND_DELIVERY,
        f"交付出让宗地（{plan.parcel}）",
        {"mode": "absolute", "date": d.land_due},
        dept=LAND_OFFICE,
    )
    start = owe(
        "construction_start",
        c_start,
        ObligationKind.CONSTRUCTION_START,
        "开工建设",
        _relative(delivery, START_MONTHS, DueUnit.MONTHS),
    )
    owe(
        "permit",
        c_permit,
        ObligationKind.PERMIT,
        "核发建筑工程施工许可证",
        _relative(permit_applied, PERMIT_WORKING_DAYS, DueUnit.WORKING, event=True),
        dept=APPROVAL_BUREAU,
    )
    owe(
        "water",
        c_utilities,
        ObligationKind.UTILITY_WATER,
        "接通生产用水",
        _relative(start, 60, DueUnit.CALENDAR),
        dept=CONSTRUCTION_BUREAU,
    )
    owe(
        "power",
        c_utilities,
        ObligationKind.UTILITY_POWER,
        "10千伏专线供电接入",
        _relative(start, 90, DueUnit.CALENDAR),
        dept=CONSTRUCTION_BUREAU,
    )
    production = owe(
        "production_start",
        c_production,
        ObligationKind.PRODUCTION_START,
        "竣工投产",
        _relative(start, 18, DueUnit.MONTHS),
    )
    owe(
        "subsidy",
        c_subsidy,
        ObligationKind.SUBSIDY,
        "拨付基础设施配套补助",
        _relative(production, 30, DueUnit.WORKING),
        dept=ECONOMY_BUREAU,
        target_value=Decimal(min(plan.investment_wan // 50, 2000)),
        target_unit="万元",
    )
    owe(
        "investment",
        c_invest,
        ObligationKind.INVESTMENT,
        "项目总投资全部到位",
        _relative(delivery, 36, DueUnit.MONTHS),
        target_value=Decimal(plan.investment_wan),
        target_unit="万元",
    )
    owe(
        "output",
        c_output,
        ObligationKind.OUTPUT_TARGET,
        "达产年产值",
        _relative(production, 24, DueUnit.MONTHS),
        target_value=Decimal(plan.investment_wan * 3 // 2),
        target_unit="万元/年",
    )
    owe(
        "tax",
        c_output,
        ObligationKind.TAX_TARGET,
        "达产年纳税额",
        _relative(production, 24, DueUnit.MONTHS),
        target_value=Decimal(int(Decimal(plan.area_mu) * 20)),
        target_unit="万元/年",
    )
    if plan.first_phase is not None:
        due = today + dt.timedelta(days=plan.first_phase[0])
        amount = plan.investment_wan * 2 // 5
        supplement = contract(
            ContractKind.SUPPLEMENTARY,
            "泉台管补",
            f"{plan.name}投资协议书之补充协议",
            COMMITTEE,
            d.land_met - dt.timedelta(days=10),
            amends=agreement,
        )
        c_phase = clause(
            supplement,
            "第一条",
            "分期投资",
            "经区管委会研究，项目分两期建设。乙方承诺一期固定资产投资不低于{amount}万元，于{date}前到位，"
            "以经审计的投资凭证为准。".format(amount=f"{amount:,}", date=cn(due)),
        )
        owe(
            "first_phase",
            c_phase,
            ObligationKind.INVESTMENT,
            "一期固定资产投资到位",
            {"mode": "absolute", "date": due},
            target_value=Decimal(amount),
            target_unit="万元",
        )
    return ledger


__all__ = ["Dates", "Ledger", "build_ledger", "cn", "dates_for"]
