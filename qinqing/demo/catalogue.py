"""The demo city's policy catalogue: twenty policies shaped like a Quanzhou-like city's.

Each is issued by the department that would issue it, rests on a plausible document
(number, title, the clause the rule reads) and has a window, a budget, a cap, its
materials and its approval steps. The figures follow the usual ranges of such measures;
documents and wording are invented for the demo.

Windows are relative to the year the demo is loaded (last year's document, in force
from last January to the end of next year), so the demo works whatever the date.

Two labels the rules read are not produced by the registry's demo generator and are
added here (`seed_rule_labels`): `newly_above_scale` (the year a firm first entered the
statistics above the designated size, 小升规) and `first_export` (the year of its first
export declaration).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from qinqing.accounts.models import Organisation, User
from qinqing.audit.services import audit_record
from qinqing.enterprises.models import Enterprise, EnterpriseLabel, EnterpriseStatus

# The default five steps (受理 → 审核 → 复核 → 公示 → 拨付), written out so the demo
# shows its own time limits.
FIVE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "review", "role": "officer", "kind": "review", "limit": 5},
    {"key": "recheck", "role": "department_head", "kind": "review", "limit": 3},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "officer", "kind": "payment", "limit": 2},
]

# The A-level scenic spot award: a grade is a public fact (the provincial tourism
# authority publishes it), so no notice period; three officials, paid the same day.
SCENIC_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 1},
    {"key": "review", "role": "department_head", "kind": "review", "limit": 1},
    {"key": "disburse", "role": "officer", "kind": "payment", "limit": 1},
]

SCENIC_POLICY = "wlj-scenic-grade"
LOCAL = {"attr": "region_code", "op": "prefix", "value": "3505"}
ACTIVE = {"attr": "status", "op": "eq", "value": "active"}

# Optional for a proactive policy: the platform reads the facts from the registry.
REGISTRY_NOTE = "如登记信息有变化，可补充提交相关证明"


def _pdf(key: str, name: str, *, required: bool = True) -> dict[str, Any]:
    return {"key": key, "name": name, "required": required, "accepted": ["pdf", "jpg", "png"]}


@dataclass(frozen=True)
class DemoPolicy:
    department: str  # organisation code
    code: str
    title: str
    summary: str
    basis_number: str  # "{y}" is last year
    basis_title: str
    basis_text: str
    rule: dict[str, Any]
    budget: str
    cap: str | None = None
    yearly: bool = False
    application: bool = False
    steps: list[dict[str, Any]] = field(default_factory=lambda: FIVE_STEPS)
    materials: list[dict[str, Any]] = field(default_factory=list)
    # Application policies: who may plausibly apply, and the figures they give.
    applicants: Q | None = None
    facts: Callable[[Enterprise], dict[str, Any]] | None = None


def _clause(document: str, text: str) -> dict[str, str]:
    return {"document": document, "text": text}


def _fact(kind: str, zh: str, en: str) -> dict[str, Any]:
    """A fact the application gives, named for people in both languages (English in
    lower case, as Django's verbose names: the pages capitalise where a sentence starts)."""
    return {"type": kind, "label": {"zh-hans": zh, "en": en}}


def _policies(y: int) -> list[DemoPolicy]:  # noqa: PLR0915 - one catalogue, read top to bottom
    """The catalogue; `y` is the year of the documents (the year before loading)."""

    def doc(number: str) -> str:
        return number.format(y=y)

    p: list[DemoPolicy] = []

    # --- 市文化广电和旅游局 -------------------------------------------------------------
    d = doc("泉政办〔{y}〕18号")
    p.append(
        DemoPolicy(
            "wlj",
            SCENIC_POLICY,
            "A级旅游景区创建奖励",
            "对新评定为国家3A级及以上的旅游景区给予一次性奖励，免申即享、当日拨付。",
            d,
            "泉州市人民政府办公室关于促进文旅经济高质量发展的若干措施",
            "第五条：新评定为国家5A、4A、3A级旅游景区的，分别一次性奖励景区运营企业200万元、"
            "100万元、60万元；等级以省级旅游主管部门公布的名单为准，不再另行公示。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "label": "scenic_grade",
                            "op": "in",
                            "value": ["3A", "4A", "5A"],
                            "clause": _clause(d, "第五条"),
                        },
                    ]
                },
                "award": {
                    "kind": "tiered",
                    "label": "scenic_grade",
                    "tiers": [
                        {"value": "3A", "amount": "600000"},
                        {"value": "4A", "amount": "1000000"},
                        {"value": "5A", "amount": "2000000"},
                    ],
                },
            },
            budget="5000000",
            cap="2000000",
            steps=SCENIC_STEPS,
            materials=[_pdf("grade_notice", "A级旅游景区评定公告", required=False)],
        )
    )
    d = doc("泉文旅〔{y}〕42号")
    p.append(
        DemoPolicy(
            "wlj",
            "wlj-inbound-tourism",
            "旅行社招徕入境游客奖励",
            "旅行社年度招徕入境过夜游客达到500人次的，给予奖励。",
            d,
            "泉州市文化广电和旅游局关于加快入境旅游市场复苏的奖励办法",
            "第三条：在本市注册的旅行社，年度招徕入境过夜游客达500人次以上的，奖励5万元。",
            {
                "facts": {
                    "inbound_visitors": _fact(
                        "int", "年度招徕入境过夜游客人次", "inbound overnight visitors this year"
                    )
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"attr": "industry_code", "op": "prefix", "value": "L727"},
                        {
                            "fact": "inbound_visitors",
                            "op": "ge",
                            "value": 500,
                            "clause": _clause(d, "第三条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "50000"},
            },
            budget="1500000",
            cap="50000",
            yearly=True,
            application=True,
            materials=[
                _pdf("visitor_list", "入境游客名单及住宿凭证"),
                _pdf("contracts", "入境旅游团队合同"),
            ],
            applicants=Q(industry_code__startswith="L727"),
            facts=lambda e: {"inbound_visitors": 500 + (e.pk * 37) % 900},
        )
    )
    d = doc("泉文旅〔{y}〕57号")
    p.append(
        DemoPolicy(
            "wlj",
            "wlj-hospitality-jobs",
            "文旅企业稳岗纾困补助",
            "景区、旅行社、住宿和餐饮企业按参保职工人数给予补助，免申即享。",
            d,
            "关于支持文旅企业纾困发展稳定就业的通知",
            "第二条：对景区、旅行社、住宿和餐饮企业，按上年末参加失业保险职工人数每人1000元给予补助，"
            "单家企业最高10万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "attr": "industry_code",
                            "op": "prefix",
                            "value": ["N786", "L727", "H61", "H62"],
                            "clause": _clause(d, "第二条"),
                        },
                        {"attr": "insured_employees", "op": "ge", "value": 5},
                    ]
                },
                "award": {"kind": "per_employee", "amount": "1000", "cap": "100000"},
            },
            budget="6000000",
            cap="100000",
            yearly=True,
            materials=[_pdf("insurance", "失业保险参保证明", required=False)],
        )
    )

    # --- 市科学技术局 ----------------------------------------------------------------
    d = doc("泉政〔{y}〕9号")
    p.append(
        DemoPolicy(
            "kjj",
            "kjj-high-tech",
            "高新技术企业认定奖励",
            "对首次通过认定的国家高新技术企业给予一次性奖励。",
            d,
            "泉州市人民政府关于进一步加快科技创新的若干措施",
            "第四条：对首次认定的国家高新技术企业，一次性奖励20万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "high_tech", "op": "exists", "clause": _clause(d, "第四条")},
                    ]
                },
                "award": {"kind": "fixed", "amount": "200000"},
            },
            budget="20000000",
            cap="200000",
            materials=[_pdf("certificate", "高新技术企业证书", required=False)],
        )
    )
    p.append(
        DemoPolicy(
            "kjj",
            "kjj-rd-expense",
            "企业研发经费投入补助",
            "按上年度研发费用的10%给予补助，单家企业每年最高100万元，凭专项审计报告申请。",
            d,
            "泉州市人民政府关于进一步加快科技创新的若干措施",
            "第六条：高新技术企业、科技型中小企业上年度研发费用达100万元以上的，按研发费用的10%"
            "给予补助，单家企业每年最高100万元。",
            {
                "facts": {"rd_expense": _fact("money", "上年度研发费用", "R&D expenses last year")},
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "any": [
                                {"label": "high_tech", "op": "exists"},
                                {"label": "tech_sme", "op": "exists"},
                            ]
                        },
                        {
                            "fact": "rd_expense",
                            "op": "ge",
                            "value": "1000000",
                            "clause": _clause(d, "第六条"),
                        },
                    ]
                },
                "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.10", "cap": "1000000"},
            },
            budget="15000000",
            cap="1000000",
            yearly=True,
            application=True,
            materials=[
                _pdf("audit_report", "上年度研发费用专项审计报告"),
                _pdf("tax_form", "研发费用加计扣除优惠明细表"),
            ],
            applicants=Q(labels__key__in=["high_tech", "tech_sme"]),
            facts=lambda e: {"rd_expense": str(Decimal(1_200_000 + (e.pk * 7919) % 6_000_000))},
        )
    )
    d = doc("泉科〔{y}〕31号")
    p.append(
        DemoPolicy(
            "kjj",
            "kjj-tech-sme",
            "科技型中小企业入库奖励",
            "对评价入库的科技型中小企业给予一次性奖励。",
            d,
            "泉州市科学技术局关于培育科技型中小企业的实施意见",
            "第五条：对首次评价入库的科技型中小企业，一次性奖励2万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "tech_sme", "op": "exists", "clause": _clause(d, "第五条")},
                    ]
                },
                "award": {"kind": "fixed", "amount": "20000"},
            },
            budget="3000000",
            cap="20000",
            materials=[_pdf("registration", "科技型中小企业入库登记编号", required=False)],
        )
    )

    # --- 市工业和信息化局 ------------------------------------------------------------
    d = doc("泉政文〔{y}〕66号")
    p.append(
        DemoPolicy(
            "gxj",
            "gxj-above-scale",
            "小升规工业企业奖励",
            "对首次纳入规模以上统计的工业企业给予一次性奖励，免申即享。",
            d,
            "泉州市人民政府关于促进工业企业扩规提质的若干措施",
            "第二条：上年度首次纳入规模以上工业统计（小升规）的企业，一次性奖励10万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"attr": "industry_code", "op": "prefix", "value": "C"},
                        {
                            "label": "newly_above_scale",
                            "op": "eq",
                            "value": str(y),
                            "clause": _clause(d, "第二条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "100000"},
            },
            budget="10000000",
            cap="100000",
            materials=[_pdf("statistics", "纳入规模以上工业统计的证明", required=False)],
        )
    )
    d = doc("泉工信〔{y}〕88号")
    p.append(
        DemoPolicy(
            "gxj",
            "gxj-little-giant",
            "专精特新“小巨人”企业奖励",
            "对新认定的国家级专精特新“小巨人”企业给予一次性奖励。",
            d,
            "泉州市促进中小企业专精特新发展的若干措施",
            "第三条：对新认定的国家级专精特新“小巨人”企业，一次性奖励50万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "little_giant", "op": "exists", "clause": _clause(d, "第三条")},
                    ]
                },
                "award": {"kind": "fixed", "amount": "500000"},
            },
            budget="5000000",
            cap="500000",
            materials=[_pdf("certificate", "专精特新“小巨人”企业认定文件", required=False)],
        )
    )
    p.append(
        DemoPolicy(
            "gxj",
            "gxj-specialised",
            "专精特新中小企业奖励",
            "对新认定的省级专精特新中小企业给予一次性奖励。",
            d,
            "泉州市促进中小企业专精特新发展的若干措施",
            "第四条：对新认定的省级专精特新中小企业，一次性奖励20万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "specialised_sme", "op": "exists", "clause": _clause(d, "第四条")},
                    ]
                },
                "award": {"kind": "fixed", "amount": "200000"},
            },
            budget="8000000",
            cap="200000",
            materials=[_pdf("certificate", "专精特新中小企业认定文件", required=False)],
        )
    )
    d = doc("泉政文〔{y}〕66号")
    p.append(
        DemoPolicy(
            "gxj",
            "gxj-tax-contribution",
            "工业企业纳税贡献奖",
            "规模以上工业企业上年度纳税额达500万元以上的，按纳税额分档奖励。",
            d,
            "泉州市人民政府关于促进工业企业扩规提质的若干措施",
            "第七条：规上工业企业上年度纳税500万元以上、1000万元以上、3000万元以上的，"
            "分别奖励10万元、20万元、50万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"attr": "industry_code", "op": "prefix", "value": "C"},
                        {"label": "above_scale", "op": "exists"},
                        {
                            "attr": "tax_paid",
                            "op": "ge",
                            "value": "5000000",
                            "clause": _clause(d, "第七条"),
                        },
                    ]
                },
                "award": {
                    "kind": "tiered",
                    "attr": "tax_paid",
                    "tiers": [
                        {"from": "5000000", "amount": "100000"},
                        {"from": "10000000", "amount": "200000"},
                        {"from": "30000000", "amount": "500000"},
                    ],
                },
            },
            budget="12000000",
            cap="500000",
            yearly=True,
            materials=[_pdf("tax_certificate", "完税证明", required=False)],
        )
    )
    d = doc("泉工信〔{y}〕102号")
    p.append(
        DemoPolicy(
            "gxj",
            "gxj-digital-upgrade",
            "工业企业数字化改造补助",
            "规上工业企业数字化、智能化改造设备投资达500万元以上的，按投资额8%补助。",
            d,
            "泉州市推进制造业数字化转型行动方案",
            "第九条：规上工业企业实施数字化改造，设备（含软件）投资500万元以上的，按投资额的8%"
            "给予补助，单个企业最高200万元。",
            {
                "facts": {
                    "equipment_investment": _fact(
                        "money",
                        "数字化改造设备（含软件）投资额",
                        "equipment and software invested in the upgrade",
                    )
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"attr": "industry_code", "op": "prefix", "value": "C"},
                        {"label": "above_scale", "op": "exists"},
                        {
                            "fact": "equipment_investment",
                            "op": "ge",
                            "value": "5000000",
                            "clause": _clause(d, "第九条"),
                        },
                    ]
                },
                "award": {"kind": "rate", "fact": "equipment_investment", "rate": "0.08", "cap": "2000000"},
            },
            budget="20000000",
            cap="2000000",
            yearly=True,
            application=True,
            materials=[
                _pdf("invoices", "设备购置发票"),
                _pdf("acceptance", "项目竣工验收报告"),
            ],
            applicants=Q(industry_code__startswith="C", labels__key="above_scale"),
            facts=lambda e: {"equipment_investment": str(Decimal(5_000_000 + (e.pk * 104729) % 20_000_000))},
        )
    )

    # --- 市人力资源和社会保障局 --------------------------------------------------------
    d = doc("泉人社〔{y}〕15号")
    p.append(
        DemoPolicy(
            "rsj",
            "rsj-job-stabilisation",
            "失业保险稳岗返还",
            "不裁员或少裁员的参保企业，按参保职工人数返还失业保险费，免申即享。",
            d,
            "关于做好失业保险稳岗返还工作的通知",
            "第一条：上年度未裁员或裁员率不高于城镇调查失业率控制目标的参保企业，按参保职工每人"
            "500元返还，单家企业最高30万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "attr": "insured_employees",
                            "op": "ge",
                            "value": 20,
                            "clause": _clause(d, "第一条"),
                        },
                    ]
                },
                "award": {"kind": "per_employee", "amount": "500", "cap": "300000"},
            },
            budget="30000000",
            cap="300000",
            yearly=True,
            materials=[_pdf("insurance", "失业保险参保证明", required=False)],
        )
    )
    d = doc("泉委人才〔{y}〕3号")
    p.append(
        DemoPolicy(
            "rsj",
            "rsj-talent-housing",
            "高层次人才安居补助",
            "企业引进的A、B、C类高层次人才在泉购房或租房的，给予安居补助。",
            d,
            "泉州市高层次人才安居保障实施办法",
            "第八条：用人单位全职引进A、B、C类高层次人才的，经认定给予每家单位每年最高30万元安居补助，"
            "由单位统筹发放。",
            {
                "facts": {
                    "talents_employed": _fact(
                        "int", "全职引进的高层次人才人数", "high-level talents employed full-time"
                    ),
                    "talent_level": _fact("code", "人才类别", "talent category"),
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"fact": "talents_employed", "op": "ge", "value": 1},
                        {
                            "fact": "talent_level",
                            "op": "in",
                            "value": ["A", "B", "C"],
                            "clause": _clause(d, "第八条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "300000"},
            },
            budget="9000000",
            cap="300000",
            yearly=True,
            application=True,
            materials=[
                _pdf("talent_certificate", "高层次人才认定证书"),
                _pdf("housing_contract", "购房合同或租赁合同"),
                _pdf("labour_contract", "劳动合同"),
            ],
            applicants=Q(employees__gte=50),
            facts=lambda e: {"talents_employed": 1 + e.pk % 4, "talent_level": "ABC"[e.pk % 3]},
        )
    )
    d = doc("泉人社〔{y}〕27号")
    p.append(
        DemoPolicy(
            "rsj",
            "rsj-graduate-hiring",
            "吸纳高校毕业生就业补贴",
            "企业当年新招用5名以上高校毕业生并参保的，给予一次性补贴。",
            d,
            "关于进一步做好高校毕业生就业工作的通知",
            "第四条：企业当年新招用离校2年内高校毕业生5人以上，签订1年以上劳动合同并参加社会保险的，"
            "一次性补贴2万元。",
            {
                "facts": {
                    "graduates_hired": _fact(
                        "int", "当年新招用高校毕业生人数", "graduates newly hired this year"
                    )
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "fact": "graduates_hired",
                            "op": "ge",
                            "value": 5,
                            "clause": _clause(d, "第四条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "20000"},
            },
            budget="2000000",
            cap="20000",
            yearly=True,
            application=True,
            materials=[_pdf("graduates", "新招用毕业生名册及劳动合同")],
            applicants=Q(insured_employees__gte=30),
            facts=lambda e: {"graduates_hired": 5 + e.pk % 11},
        )
    )

    # --- 市商务局 -----------------------------------------------------------------
    d = doc("泉商务〔{y}〕21号")
    p.append(
        DemoPolicy(
            "swj",
            "swj-first-export",
            "外贸企业首次出口奖励",
            "上年度首次取得出口实绩的企业，给予一次性奖励，免申即享。",
            d,
            "泉州市商务局关于促进外贸稳规模优结构的若干措施",
            "第二条：上年度首次有出口实绩的企业，一次性奖励5万元；出口实绩以海关统计为准。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "label": "first_export",
                            "op": "eq",
                            "value": str(y),
                            "clause": _clause(d, "第二条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "50000"},
            },
            budget="3000000",
            cap="50000",
            materials=[_pdf("customs", "首笔出口报关单", required=False)],
        )
    )
    p.append(
        DemoPolicy(
            "swj",
            "swj-cross-border",
            "跨境电商出口奖励",
            "企业通过跨境电商方式出口额达500万元以上的，按出口额1%奖励。",
            d,
            "泉州市商务局关于促进外贸稳规模优结构的若干措施",
            "第五条：企业上年度通过跨境电商方式出口额达500万元以上的，按出口额的1%给予奖励，"
            "单家企业最高50万元。",
            {
                "facts": {
                    "cross_border_exports": _fact(
                        "money", "上年度跨境电商出口额", "cross-border e-commerce exports last year"
                    )
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"attr": "industry_code", "op": "prefix", "value": ["C", "F"]},
                        {
                            "fact": "cross_border_exports",
                            "op": "ge",
                            "value": "5000000",
                            "clause": _clause(d, "第五条"),
                        },
                    ]
                },
                "award": {"kind": "rate", "fact": "cross_border_exports", "rate": "0.01", "cap": "500000"},
            },
            budget="6000000",
            cap="500000",
            yearly=True,
            application=True,
            materials=[_pdf("customs", "跨境电商出口报关单汇总表")],
            applicants=Q(industry_code__startswith="C1") | Q(industry_code__startswith="F5"),
            facts=lambda e: {
                "cross_border_exports": str(Decimal(5_000_000 + (e.pk * 15485863) % 40_000_000))
            },
        )
    )
    d = doc("泉政办〔{y}〕44号")
    p.append(
        DemoPolicy(
            "swj",
            "swj-foreign-capital",
            "外资企业到资奖励",
            "外商投资企业当年实际到资1000万元以上的，按实际到资额1%奖励。",
            d,
            "泉州市人民政府办公室关于加大吸引外资力度的若干措施",
            "第三条：外商投资企业当年实际到资1000万元以上的，按实际到资额的1%给予奖励，最高300万元。",
            {
                "facts": {
                    "paid_in_foreign_capital": _fact(
                        "money", "当年实际到资额", "foreign capital paid in this year"
                    )
                },
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "foreign_invested", "op": "exists"},
                        {
                            "fact": "paid_in_foreign_capital",
                            "op": "ge",
                            "value": "10000000",
                            "clause": _clause(d, "第三条"),
                        },
                    ]
                },
                "award": {
                    "kind": "rate",
                    "fact": "paid_in_foreign_capital",
                    "rate": "0.01",
                    "cap": "3000000",
                },
            },
            budget="15000000",
            cap="3000000",
            yearly=True,
            application=True,
            materials=[_pdf("capital_report", "验资报告或外汇登记凭证")],
            applicants=Q(labels__key="foreign_invested"),
            facts=lambda e: {
                "paid_in_foreign_capital": str(Decimal(10_000_000 + (e.pk * 7877) % 60_000_000))
            },
        )
    )

    # --- 市市场监督管理局 --------------------------------------------------------------
    d = doc("泉政文〔{y}〕73号")
    p.append(
        DemoPolicy(
            "scjg",
            "scjg-time-honoured",
            "中华老字号认定奖励",
            "对新认定的中华老字号企业给予一次性奖励，免申即享。",
            d,
            "泉州市人民政府关于实施质量强市和品牌强市战略的若干措施",
            "第六条：新认定为中华老字号的企业，一次性奖励30万元。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "time_honoured", "op": "exists", "clause": _clause(d, "第六条")},
                    ]
                },
                "award": {"kind": "fixed", "amount": "300000"},
            },
            budget="1500000",
            cap="300000",
            materials=[_pdf("certificate", "中华老字号认定证书", required=False)],
        )
    )
    p.append(
        DemoPolicy(
            "scjg",
            "scjg-quality-award",
            "泉州市市长质量奖奖励",
            "获得泉州市市长质量奖的企业给予一次性奖励，凭自评报告申请。",
            d,
            "泉州市人民政府关于实施质量强市和品牌强市战略的若干措施",
            "第三条：获得泉州市市长质量奖的企业，一次性奖励50万元；申报企业应成立满5年。",
            {
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {"label": "above_scale", "op": "exists"},
                        {
                            "attr": "founded_on",
                            "op": "age_ge",
                            "value": 5,
                            "clause": _clause(d, "第三条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "500000"},
            },
            budget="2500000",
            cap="500000",
            application=True,
            materials=[
                _pdf("self_assessment", "卓越绩效自评报告"),
                _pdf("award_notice", "市长质量奖获奖文件"),
            ],
            applicants=Q(labels__key="above_scale", founded_on__lte=dt.date(y - 5, 1, 1)),
        )
    )
    p.append(
        DemoPolicy(
            "scjg",
            "scjg-brand",
            "驰名商标和地理标志奖励",
            "新认定中国驰名商标或新注册地理标志证明商标的，给予一次性奖励。",
            d,
            "泉州市人民政府关于实施质量强市和品牌强市战略的若干措施",
            "第七条：新认定为中国驰名商标的，奖励100万元；新注册地理标志证明商标的，奖励50万元"
            "（本办法按50万元一档兑现，驰名商标差额由县级财政配套）。",
            {
                "facts": {"mark_kind": _fact("code", "商标类别", "kind of mark")},
                "conditions": {
                    "all": [
                        ACTIVE,
                        LOCAL,
                        {
                            "fact": "mark_kind",
                            "op": "in",
                            "value": ["WELLKNOWN", "GI"],
                            "clause": _clause(d, "第七条"),
                        },
                    ]
                },
                "award": {"kind": "fixed", "amount": "500000"},
            },
            budget="3000000",
            cap="500000",
            application=True,
            materials=[_pdf("trademark", "商标认定或注册文件")],
            applicants=Q(revenue__gte=Decimal("50000000")),
            facts=lambda e: {"mark_kind": "WELLKNOWN" if e.pk % 2 else "GI"},
        )
    )
    return p


def demo_policies(year: int) -> list[DemoPolicy]:
    """The catalogue for a demo loaded in `year`."""
    return _policies(year - 1)


def seed_policies(*, year: int, actors: dict[str, User]) -> list[Any]:
    """Create and publish every policy through the catalogue services, each by an officer
    of its department (`actors`: department code → officer). Returns the policies."""
    from qinqing.policies.models import PeriodKind, PolicyMode
    from qinqing.policies.services import policy_create, policy_publish

    created = []
    departments = {
        o.code: o for o in Organisation.objects.filter(code__in={s.department for s in demo_policies(year)})
    }
    for spec in demo_policies(year):
        officer = actors[spec.department]
        policy = policy_create(
            actor=officer,
            department=departments[spec.department],
            code=spec.code,
            title=spec.title,
            summary=spec.summary,
            basis_number=spec.basis_number,
            basis_title=spec.basis_title,
            basis_text=spec.basis_text,
            valid_from=dt.date(year - 1, 1, 1),
            valid_until=dt.date(year + 1, 12, 31),
            budget_total=Decimal(spec.budget),
            cap_per_enterprise=Decimal(spec.cap) if spec.cap else None,
            period_kind=PeriodKind.YEARLY if spec.yearly else PeriodKind.ONCE,
            materials=spec.materials,
            mode=PolicyMode.APPLICATION if spec.application else PolicyMode.PROACTIVE,
            steps=spec.steps,
            rule=spec.rule,
        )
        created.append(policy_publish(actor=officer, policy=policy))
    return created


# --- Labels the rules read that the registry's generator does not produce ---------------


def _draw(code: str, salt: str) -> float:
    return zlib.crc32(f"{salt}:{code}".encode()) / 2**32


def seed_rule_labels(*, year: int, exclude: set[int]) -> int:
    """Give some generated enterprises the two demo labels (deterministic by credit code):
    `newly_above_scale` = last year for a fifth of the smaller manufacturers above the
    designated size, `first_export` = last year for some manufacturers and traders."""
    last = str(year - 1)
    rows: list[EnterpriseLabel] = []
    small_above = (
        Enterprise.objects.filter(
            status=EnterpriseStatus.ACTIVE,
            industry_code__startswith="C",
            labels__key="above_scale",
            revenue__lt=Decimal("40000000"),
        )
        .exclude(pk__in=exclude)
        .values_list("pk", "credit_code")
    )
    since = dt.date(year - 1, 6, 30)
    for pk, code in small_above:
        if _draw(code, "newly_above_scale") < 0.2:
            rows.append(EnterpriseLabel(enterprise_id=pk, key="newly_above_scale", value=last, since=since))
    traders = (
        Enterprise.objects.filter(Q(industry_code__startswith="C1") | Q(industry_code__startswith="F51"))
        .filter(status=EnterpriseStatus.ACTIVE)
        .exclude(pk__in=exclude)
        .values_list("pk", "credit_code")
    )
    for pk, code in traders:
        if _draw(code, "first_export") < 0.03:
            rows.append(EnterpriseLabel(enterprise_id=pk, key="first_export", value=last, since=since))
    with transaction.atomic():
        EnterpriseLabel.objects.bulk_create(rows, ignore_conflicts=True)
        audit_record(
            actor=None,
            action="enterprise.bulk_labels",
            object_type="enterprises.enterprise",
            object_id="demo",
            after={"labels": ["newly_above_scale", "first_export"], "count": len(rows), "year": last},
        )
    return len(rows)


DEMO_LABELS = frozenset({"newly_above_scale", "first_export"})


# --- Later in the year: a budget topped up, a policy announced ahead -------------------


TOPPED_UP = "rsj-job-stabilisation"
ANNOUNCED = "wlj-night-economy"


def seed_amendments(*, today: dt.date, actors: dict[str, User]) -> list[Any]:
    """After the half year of cases: the city tops up the job-stabilisation budget (an
    amendment, version 2 with its reason, on the public page), and the culture and
    tourism bureau announces a night-economy award that opens next month. Returns the
    two policies."""
    from qinqing.policies.models import Policy, PolicyMode
    from qinqing.policies.services import policy_amend, policy_create, policy_publish

    topped = Policy.objects.get(code=TOPPED_UP)
    policy_amend(
        actor=actors["rsj"],
        policy=topped,
        reason="市财政追加稳岗返还资金1500万元，参保企业应返尽返。",
        budget_total=topped.budget_total + Decimal("15000000"),
    )
    opens = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    d = f"泉文旅〔{today.year}〕21号"
    announced = policy_create(
        actor=actors["wlj"],
        department=Organisation.objects.get(code="wlj"),
        code=ANNOUNCED,
        title="夜间经济示范街区奖励",
        summary="新认定为市级夜间经济示范街区的运营企业，给予一次性奖励。",
        basis_number=d,
        basis_title="关于促进夜间经济发展的若干措施",
        basis_text="第四条：新认定为市级夜间经济示范街区的，给予运营企业一次性奖励30万元。",
        valid_from=opens,
        valid_until=dt.date(opens.year + 1, 12, 31),
        budget_total=Decimal("3000000"),
        cap_per_enterprise=Decimal("300000"),
        mode=PolicyMode.APPLICATION,
        materials=[_pdf("recognition", "市级夜间经济示范街区认定文件")],
        rule={
            "conditions": {"all": [ACTIVE, LOCAL]},
            "award": {"kind": "fixed", "amount": "300000"},
        },
    )
    return [
        Policy.objects.get(pk=topped.pk),
        policy_publish(actor=actors["wlj"], policy=announced, today=today),
    ]
