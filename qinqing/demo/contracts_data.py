"""The Taishang zone's 26 investment projects with land already supplied (政企合同双兑现),
as data: who invests in what, where, and how each project's year went.

Days are counted back from the day the demo is loaded (`land=250`: the land was handed
over 250 days ago), so the demo tells the same story whenever it is loaded. Enterprise
names, parcels and figures are invented; the towns are the zone's own.

How the projects stand (the source article: 26 projects with land supplied were put on
the platform; 8 obtained the construction permit and started building within the
deadline, some three to four months early):

- EARLY: the permit applied for, issued within its working days, construction started
  before the land transfer contract's deadline (five of them 90–120 days early);
- OVERDUE: construction has not started by its deadline; the alarm was answered with a
  remedy plan the committee accepted (`plan_decided`), or the plan awaits the committee,
  or nobody has answered yet (one project);
- ON_SCHEDULE: land delivered lately, the permit applied for, issued or not yet, the
  construction deadline still ahead (one with a permit the approval bureau issued late,
  after its own remedy plan was accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

EARLY = "early"
OVERDUE = "overdue"
ON_SCHEDULE = "on_schedule"


@dataclass(frozen=True)
class Investor:
    key: str
    name: str
    code_tail: str  # the 6 characters after "91350500MA3" (the check character is computed)
    industry_code: str  # GB/T 4754-2017
    legal_representative: str
    employees: int
    registered_capital_wan: int  # 万元
    founded: str  # ISO date


@dataclass(frozen=True)
class Plan:
    """One project and its year. Offsets are days before the demo's day."""

    investor: str
    name: str
    industry: str
    investment_wan: int  # planned investment, 万元
    parcel: str
    area_mu: str
    town: str
    fate: str
    land: int  # land delivered, days ago
    land_slack: int = 5  # the contract's delivery date, days after the actual delivery
    applied: int | None = None  # permit applied for, days ago
    issued_after: int = 6  # permit issued, working days after the application
    permit_confirmed: bool = True  # False: the bureau's claim waits for the enterprise
    permit_plan: bool = False  # the permit ran late; the bureau's remedy plan was accepted
    started: int | None = None  # construction started, days ago
    plan_after_due: int | None = None  # remedy plan for the construction start, days after its due date
    plan_new_date: int = 0  # the plan's new date, days from the demo's day
    plan_decided: bool = True  # False: the plan awaits the committee
    water_after_start: int | None = None  # water connected, days after the start
    power_after_start: int | None = None  # power connected, days after the start
    power_disputed: bool = False  # power claimed by the bureau, disputed by the enterprise
    # A supplementary agreement's first-phase investment: (due, days from today; claimed, days
    # ago, or None; % of the target achieved).
    first_phase: tuple[int, int | None, int] | None = None
    first_phase_confirmed: bool = True


INVESTORS: list[Investor] = [
    Investor(
        "graphene", "泉州闽台石墨烯新材料有限公司", "8TQ3K1", "C3091", "陈志坚", 160, 20000, "2021-04-12"
    ),
    Investor("circuit", "泉州恒锐电子科技有限公司", "8TQ4M2", "C3982", "黄培元", 620, 30000, "2020-09-03"),
    Investor("shoes", "福建华泓鞋业有限公司", "8TQ5N3", "C1951", "丁建国", 1800, 12000, "2009-06-22"),
    Investor("snacks", "泉州台丰食品有限公司", "8TQ6P4", "C1419", "林美华", 340, 8000, "2016-03-15"),
    Investor("robots", "泉州智航精密机械有限公司", "8TQ7R5", "C3491", "王海峰", 210, 15000, "2019-11-08"),
    Investor("warehouse", "泉州海丝供应链管理有限公司", "8TQ8T6", "G5920", "庄永胜", 95, 10000, "2018-05-30"),
    Investor("solar", "福建泉台光电科技有限公司", "8TQ9U7", "C3825", "苏振华", 480, 50000, "2017-08-19"),
    Investor("garments", "泉州凯嘉服饰有限公司", "8TR1W8", "C1819", "蔡丽娟", 900, 6000, "2012-02-27"),
    Investor("polymer", "泉州铭新高分子材料有限公司", "8TR2X9", "C2651", "郭明辉", 130, 18000, "2020-12-01"),
    Investor("chips", "泉州芯泰半导体有限公司", "8TR3Y1", "C3973", "吴俊杰", 380, 80000, "2021-07-16"),
    Investor("coldchain", "泉州闽南冷链物流有限公司", "8TR4A2", "G5930", "许文龙", 70, 9000, "2019-03-21"),
    Investor("textile", "泉州华锦纺织科技有限公司", "8TR5B3", "C1751", "洪少雄", 560, 16000, "2010-10-10"),
    Investor("equipment", "泉州闽台智能装备有限公司", "8TR6C4", "C3599", "郑东升", 260, 25000, "2018-01-09"),
    Investor("battery", "泉州嘉鸿新能源科技有限公司", "8TR7D5", "C3841", "李嘉鸿", 310, 60000, "2022-02-14"),
    Investor("seasoning", "泉州澳丰食品有限公司", "8TR8E6", "C1469", "柯雅琴", 150, 5000, "2014-07-04"),
    Investor("medical", "泉州博辉医疗器械有限公司", "8TR9F7", "C3589", "施博辉", 180, 12000, "2019-09-26"),
    Investor("packaging", "泉州台诚包装科技有限公司", "8TT1G8", "C2231", "卢国强", 240, 7000, "2015-05-18"),
    Investor("display", "泉州星宇显示科技有限公司", "8TT2H9", "C3974", "杨星宇", 420, 45000, "2021-01-25"),
    Investor("footfoam", "泉州宏达鞋材科技有限公司", "8TT3J1", "C2924", "曾宏达", 330, 5000, "2011-08-08"),
    Investor("ecommerce", "泉州闽湾电商供应链有限公司", "8TT4K2", "G5920", "骆佳明", 120, 6000, "2020-06-06"),
    Investor("biotech", "泉州润康生物科技有限公司", "8TT5L3", "C2761", "周润康", 140, 30000, "2021-10-20"),
    Investor("precast", "泉州中屿建材科技有限公司", "8TT6M4", "C3022", "傅中屿", 200, 10000, "2016-12-12"),
    Investor("furniture", "泉州华信智能家居有限公司", "8TT7N5", "C2110", "董华信", 450, 8000, "2013-04-01"),
    Investor(
        "autoparts", "泉州高拓汽车零部件有限公司", "8TT8P6", "C3670", "刘高拓", 290, 20000, "2017-06-30"
    ),
    Investor("seafood", "泉州蓝海水产食品有限公司", "8TT9Q7", "C1361", "欧阳海", 260, 6000, "2015-11-11"),
]

# The enterprise of the demo's enterprise login `touzi`: it owns two of the projects.
TOUZI_INVESTOR = "equipment"

PLANS: list[Plan] = [
    # --- started within the deadline (8) ---------------------------------------------------
    Plan(
        "graphene",
        "年产500吨石墨烯导热膜项目",
        "新材料",
        85000,
        "P2024-07号地块",
        "126.5",
        "东园镇",
        EARLY,
        land=250,
        applied=172,
        issued_after=6,
        started=160,
        water_after_start=38,
        power_after_start=70,
    ),
    Plan(
        "circuit",
        "高密度柔性线路板生产基地",
        "电子信息",
        120000,
        "P2024-11号地块",
        "158.0",
        "洛阳镇",
        EARLY,
        land=228,
        applied=158,
        issued_after=5,
        started=148,
        water_after_start=30,
        power_after_start=64,
        first_phase=(-15, 20, 70),
    ),
    Plan(
        "shoes",
        "智能化运动鞋生产线技改扩产项目",
        "鞋服",
        36000,
        "P2024-15号地块",
        "88.6",
        "张坂镇",
        EARLY,
        land=212,
        applied=150,
        issued_after=7,
        started=140,
        water_after_start=41,
        power_after_start=75,
        first_phase=(30, 3, 100),
        first_phase_confirmed=False,
    ),
    Plan(
        "snacks",
        "休闲食品智能工厂",
        "食品",
        18000,
        "P2024-19号地块",
        "52.3",
        "东园镇",
        EARLY,
        land=196,
        applied=128,
        issued_after=4,
        started=118,
        water_after_start=35,
        power_after_start=80,
    ),
    Plan(
        "robots",
        "工业机器人及智能产线研发制造项目",
        "智能装备",
        42000,
        "P2025-02号地块",
        "96.0",
        "张坂镇",
        EARLY,
        land=166,
        applied=100,
        issued_after=8,
        started=85,
        water_after_start=44,
        power_after_start=70,
    ),
    Plan(
        "solar",
        "高效光伏组件及储能系统项目",
        "新能源",
        260000,
        "P2025-05号地块",
        "286.4",
        "百崎回族乡",
        EARLY,
        land=145,
        applied=40,
        issued_after=6,
        started=22,
        power_after_start=16,
        power_disputed=True,
    ),
    Plan(
        "garments",
        "服装智能制造及设计研发中心",
        "鞋服",
        15000,
        "P2024-17号地块",
        "45.8",
        "洛阳镇",
        EARLY,
        land=205,
        applied=70,
        issued_after=9,
        started=52,
    ),
    Plan(
        "polymer",
        "生物基可降解材料项目",
        "新材料",
        68000,
        "P2025-08号地块",
        "132.7",
        "东园镇",
        EARLY,
        land=135,
        applied=25,
        issued_after=5,
        started=8,
    ),
    # --- construction start overdue (5) ---------------------------------------------------
    Plan(
        "chips",
        "功率半导体封装测试项目",
        "电子信息",
        350000,
        "P2024-05号地块",
        "210.0",
        "洛阳镇",
        OVERDUE,
        land=262,
        plan_after_due=6,
        plan_new_date=45,
        applied=9,
    ),
    Plan(
        "coldchain",
        "冷链物流园及中央厨房项目",
        "现代物流",
        22000,
        "P2024-09号地块",
        "68.2",
        "张坂镇",
        OVERDUE,
        land=246,
        plan_after_due=5,
        plan_new_date=60,
        applied=42,
        issued_after=6,
    ),
    Plan(
        "textile",
        "功能性面料织造及后整理项目",
        "鞋服",
        28000,
        "P2024-12号地块",
        "74.5",
        "百崎回族乡",
        OVERDUE,
        land=231,
        plan_after_due=8,
        plan_new_date=75,
    ),
    Plan(
        "battery",
        "储能电池Pack及系统集成项目",
        "新能源",
        150000,
        "P2024-16号地块",
        "168.8",
        "东园镇",
        OVERDUE,
        land=208,
        plan_after_due=6,
        plan_new_date=50,
        plan_decided=False,
    ),
    Plan(
        "equipment",
        "智能装备产业园（一期）",
        "智能装备",
        56000,
        "P2024-20号地块",
        "118.3",
        "张坂镇",
        OVERDUE,
        land=194,
    ),
    # --- on schedule (13) -------------------------------------------------------------------
    Plan(
        "equipment",
        "精密传动部件项目",
        "智能装备",
        12000,
        "P2025-06号地块",
        "35.6",
        "张坂镇",
        ON_SCHEDULE,
        land=150,
        applied=6,
        issued_after=4,
        permit_confirmed=False,
    ),
    Plan(
        "seasoning",
        "复合调味品生产基地",
        "食品",
        9000,
        "P2024-21号地块",
        "30.2",
        "洛阳镇",
        ON_SCHEDULE,
        land=170,
        applied=30,
        issued_after=7,
    ),
    Plan(
        "medical",
        "一次性医用耗材及康复器具项目",
        "生物医药",
        32000,
        "P2025-03号地块",
        "60.0",
        "东园镇",
        ON_SCHEDULE,
        land=160,
        applied=64,
        permit_plan=True,
    ),
    Plan(
        "packaging",
        "绿色环保包装智能工厂",
        "包装印刷",
        16000,
        "P2025-09号地块",
        "48.9",
        "洛阳镇",
        ON_SCHEDULE,
        land=120,
    ),
    Plan(
        "display",
        "Mini LED背光模组项目",
        "电子信息",
        180000,
        "P2025-10号地块",
        "140.0",
        "东园镇",
        ON_SCHEDULE,
        land=110,
        applied=8,
        first_phase=(200, None, 0),
    ),
    Plan(
        "footfoam",
        "EVA环保鞋材发泡项目",
        "鞋服",
        8500,
        "P2025-12号地块",
        "26.4",
        "张坂镇",
        ON_SCHEDULE,
        land=98,
    ),
    Plan(
        "ecommerce",
        "跨境电商智慧仓储中心",
        "现代物流",
        26000,
        "P2025-14号地块",
        "82.0",
        "百崎回族乡",
        ON_SCHEDULE,
        land=85,
        applied=5,
    ),
    Plan(
        "biotech",
        "功能性益生菌及酶制剂项目",
        "生物医药",
        45000,
        "P2025-15号地块",
        "72.5",
        "洛阳镇",
        ON_SCHEDULE,
        land=72,
    ),
    Plan(
        "precast",
        "装配式建筑构件生产基地",
        "绿色建材",
        14000,
        "P2025-17号地块",
        "66.0",
        "百崎回族乡",
        ON_SCHEDULE,
        land=60,
    ),
    Plan(
        "furniture",
        "定制家居智能制造项目",
        "家居建材",
        21000,
        "P2025-18号地块",
        "55.1",
        "东园镇",
        ON_SCHEDULE,
        land=48,
    ),
    Plan(
        "autoparts",
        "新能源汽车零部件项目",
        "汽车零部件",
        75000,
        "P2025-20号地块",
        "98.7",
        "张坂镇",
        ON_SCHEDULE,
        land=40,
    ),
    Plan(
        "seafood",
        "水产品精深加工项目",
        "食品",
        6500,
        "P2025-21号地块",
        "28.0",
        "百崎回族乡",
        ON_SCHEDULE,
        land=35,
    ),
    Plan(
        "warehouse",
        "智慧物流分拨中心",
        "现代物流",
        32000,
        "P2025-11号地块",
        "90.5",
        "洛阳镇",
        ON_SCHEDULE,
        land=92,
        applied=45,
        issued_after=5,
    ),
]


def wan(amount: int) -> Decimal:
    """万元 to yuan."""
    return Decimal(amount) * 10_000


__all__ = [
    "EARLY",
    "INVESTORS",
    "ON_SCHEDULE",
    "OVERDUE",
    "PLANS",
    "TOUZI_INVESTOR",
    "Investor",
    "Plan",
    "wan",
]
