"""Loads the demo city: organisations, enterprises and one user per role.

Idempotent by construction: `seed_demo(if_empty=True)` does nothing when the city
exists. Enterprises are generated in batches so the same command scales to 1,000,000
for benchmarks (`./run manage seed_demo --enterprises 1000000`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.services import (
    organisation_create,
    role_assign,
    supervision_group_set_supervised,
    user_create,
)
from qinqing.audit.services import audit_record
from qinqing.enterprises import credit_code
from qinqing.enterprises.models import Enterprise, EnterpriseLabel

from . import city as data

CITY_CODE = "qz"
LABELS_SINCE = dt.date(2021, 12, 1)
# Printed at start-up for the demo city only; no real deployment loads these users.
DEMO_PASSWORD = "Qinqing-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    where: str  # an organisation code, or "enterprise:<credit code>"
    place: str  # shown beside the role in the start banner


# The scenic spot of the headline story: rated 3A last year, due a 600,000-yuan award.
SCENIC_SPOT_CODE = credit_code.make("91350521MA31XQ8P2")
STAR_ENTERPRISES: list[dict[str, object]] = [
    {
        "credit_code": SCENIC_SPOT_CODE,
        "name": "八仙过海旅游有限公司",
        "region": "ha",
        "industry_code": "N7861",
        "employees": 86,
        "insured_employees": 80,
        "revenue": Decimal("18600000.00"),
        "tax_paid": Decimal("930000.00"),
        "registered_capital": Decimal("30000000.00"),
        "founded_on": dt.date(2015, 6, 18),
        "address": "泉州台商投资区八仙过海景区",
        "bank_name": "中国工商银行泉州台商投资区支行",
        "bank_account_number": "1408020109000123456",
        "labels": {"scenic_grade": "3A"},
    },
    {
        "credit_code": credit_code.make("91350500MA2Y7LB3K"),
        "name": "立邦新型材料(泉州)有限公司",
        "region": "lj",
        "industry_code": "C2641",
        "employees": 420,
        "insured_employees": 401,
        "revenue": Decimal("512000000.00"),
        "tax_paid": Decimal("21500000.00"),
        "registered_capital": Decimal("150000000.00"),
        "founded_on": dt.date(2012, 3, 9),
        "address": "泉州开发区官桥园区",
        "bank_name": "中国银行泉州分行",
        "bank_account_number": "4130 5802 2614 0021 88",
        "labels": {"high_tech": "yes", "above_scale": "yes", "foreign_invested": "yes"},
    },
    {
        "credit_code": credit_code.make("91350582MA2XN4R81"),
        "name": "晋江市源峰鞋材商贸有限公司",
        "region": "jj",
        "industry_code": "F5137",
        "employees": 35,
        "insured_employees": 30,
        "revenue": Decimal("26000000.00"),
        "tax_paid": Decimal("780000.00"),
        "registered_capital": Decimal("5000000.00"),
        "founded_on": dt.date(2019, 9, 2),
        "address": "晋江国际鞋纺城",
        "bank_name": "晋江农村商业银行",
        "bank_account_number": "9070 1012 0100 0456 77",
        "labels": {},
    },
    {
        "credit_code": credit_code.make("91350524MA2Y1CG07"),
        "name": "创冠环保(安溪)有限公司",
        "region": "ax",
        "industry_code": "D4417",
        "employees": 120,
        "insured_employees": 118,
        "revenue": Decimal("98000000.00"),
        "tax_paid": Decimal("4200000.00"),
        "registered_capital": Decimal("80000000.00"),
        "founded_on": dt.date(2011, 11, 21),
        "address": "安溪县城厢镇",
        "bank_name": "兴业银行泉州分行",
        "bank_account_number": "1550 1010 0100 3344 55",
        "labels": {"high_tech": "yes", "above_scale": "yes"},
    },
]

DEMO_USERS: list[DemoUser] = [
    DemoUser("qiye", "凌经理", Role.ENTERPRISE, "enterprise:" + SCENIC_SPOT_CODE, "八仙过海旅游有限公司"),
    DemoUser("jingban", "陈经办", Role.OFFICER, "wlj", "市文化广电和旅游局"),
    DemoUser("juzhang", "王局长", Role.DEPARTMENT_HEAD, "wlj", "市文化广电和旅游局"),
    DemoUser("guanwei", "林主任", Role.COMMITTEE, "tsq", "泉州台商投资区管委会"),
    DemoUser("jijian", "黄组长", Role.SUPERVISOR, "jw-g2", "市纪委监委派驻第二纪检监察组"),
    DemoUser("shijiwei", "许主任", Role.SUPERVISOR, "jw", "泉州市纪委监委"),
    DemoUser("admin", "平台管理员", Role.ADMIN, CITY_CODE, "泉州市"),
]


def logins() -> list[tuple[str, str, str]]:
    """(role and place, user name, password) for each demo user, for the start banner."""
    return [(f"{Role(u.role).label} · {u.place}", u.username, DEMO_PASSWORD) for u in DEMO_USERS]


def city_exists() -> bool:
    return Organisation.objects.filter(code=CITY_CODE).exists()


def seed_demo(
    *, enterprises: int = 2000, say: Callable[[str], None] = lambda _m: None, seed: int = 20221013
) -> None:
    with transaction.atomic():
        orgs = _seed_organisations()
        say(f"organisations: {len(orgs)}")
    _seed_star_enterprises(orgs)
    count = _seed_generated_enterprises(orgs, enterprises - len(STAR_ENTERPRISES), seed=seed, say=say)
    say(f"enterprises: {count + len(STAR_ENTERPRISES)}")
    with transaction.atomic():
        _seed_users(orgs)
        audit_record(
            actor=None,
            action="demo.seed",
            object_type="demo.city",
            object_id=CITY_CODE,
            organisation=orgs[CITY_CODE],
            after={"enterprises": count + len(STAR_ENTERPRISES), "users": len(DEMO_USERS)},
        )
    say(f"users: {len(DEMO_USERS)}")
    say(f"policies: {_seed_policies()}")


def _seed_policies() -> int:
    """The policy of the headline story, issued by the tourism bureau's demo officer."""
    from qinqing.policies.services import policy_create, policy_publish

    officer = User.objects.get(username="jingban")
    policy = policy_create(
        actor=officer,
        department=Organisation.objects.get(code="wlj"),
        code="wlj-scenic-grade",
        title="A级旅游景区创建奖励",
        summary="对新评定为国家3A级及以上的旅游景区给予一次性奖励。",
        basis_number="泉政办〔2025〕18号",
        basis_title="泉州市人民政府办公室关于促进文旅经济高质量发展的若干措施",
        basis_text="第五条：对新评定为国家5A、4A、3A级旅游景区的，分别给予200万元、100万元、60万元一次性奖励。",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        budget_total=Decimal("5000000"),
        materials=[
            {"key": "grade_certificate", "name": "A级旅游景区评定文件", "accepted": ["pdf", "jpg", "png"]}
        ],
        rule={
            "conditions": {
                "all": [
                    {"attr": "status", "op": "eq", "value": "active"},
                    {"attr": "region_code", "op": "prefix", "value": "3505"},
                    {
                        "label": "scenic_grade",
                        "op": "in",
                        "value": ["3A", "4A", "5A"],
                        "clause": {"document": "泉政办〔2025〕18号", "text": "第五条"},
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
    )
    # Published as on the first day of its window, so the demo seeds the same whatever the date.
    policy_publish(actor=officer, policy=policy, today=dt.date(2026, 1, 1))
    return 1


def _seed_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}

    def add(code: str, name: str, kind: str, parent: str | None, **extra: str) -> Organisation:
        org = organisation_create(
            actor=None, code=code, name=name, kind=kind, parent=orgs[parent] if parent else None, **extra
        )
        orgs[code] = org
        return org

    add(CITY_CODE, "泉州市", OrganisationKind.CITY, None, name_en="Quanzhou", region_code="350500")
    for code, name, name_en in data.CITY_DEPARTMENTS:
        add(code, name, OrganisationKind.DEPARTMENT, CITY_CODE, name_en=name_en)
    for code, name, name_en, region in data.DISTRICTS:
        add(code, name, OrganisationKind.DISTRICT, CITY_CODE, name_en=name_en, region_code=region)
        for suffix, dept, dept_en in data.COUNTY_DEPARTMENTS:
            add(
                f"{code}-{suffix}",
                name + dept,
                OrganisationKind.DEPARTMENT,
                code,
                name_en=f"{name_en} {dept_en}",
            )
    for code, name, name_en, zone in data.COMMITTEES:
        add(code, name, OrganisationKind.COMMITTEE, CITY_CODE, name_en=name_en, zone_name=zone)
    for code, name, name_en in data.ZONE_DEPARTMENTS:
        add(code, name, OrganisationKind.DEPARTMENT, "tsq", name_en=name_en)

    # The city commission; its groups each watch a run of city departments.
    add(
        "jw",
        "泉州市纪委监委",
        OrganisationKind.COMMISSION,
        CITY_CODE,
        name_en="Quanzhou Discipline Inspection Commission",
    )
    city_depts = [orgs[c] for c, _n, _e in data.CITY_DEPARTMENTS]
    numerals = "一二三四五六七八九十"
    for i in range(0, len(city_depts), data.GROUP_SIZE):
        n = i // data.GROUP_SIZE + 1
        group = add(
            f"jw-g{n}",
            f"市纪委监委派驻第{numerals[n - 1] if n <= 10 else n}纪检监察组",
            OrganisationKind.SUPERVISION_GROUP,
            "jw",
            name_en=f"Stationed supervision group {n}",
        )
        supervision_group_set_supervised(
            actor=None, group=group, supervised=city_depts[i : i + data.GROUP_SIZE]
        )
    # The zone's own discipline work committee watches the committee and its departments.
    zone_group = add(
        "jw-tsq",
        "台商投资区纪工委监工委",
        OrganisationKind.SUPERVISION_GROUP,
        "jw",
        name_en="Taishang Zone Supervision",
    )
    supervision_group_set_supervised(actor=None, group=zone_group, supervised=[orgs["tsq"]])
    # Each district and county has its own commission watching its departments.
    for code, name, name_en, _region in data.DISTRICTS:
        add(
            f"{code}-jw",
            name + "纪委监委",
            OrganisationKind.COMMISSION,
            code,
            name_en=f"{name_en} Commission",
        )
        group = add(
            f"{code}-jw-g1",
            name + "纪委监委派驻纪检监察组",
            OrganisationKind.SUPERVISION_GROUP,
            f"{code}-jw",
            name_en=f"{name_en} supervision group",
        )
        supervision_group_set_supervised(
            actor=None, group=group, supervised=[orgs[f"{code}-{s}"] for s, _n, _e in data.COUNTY_DEPARTMENTS]
        )
    return orgs


def _seed_star_enterprises(orgs: dict[str, Organisation]) -> None:
    """The story's enterprises, registered through the registry's own services (each
    opens its own durable transaction, so this runs outside any other)."""
    from qinqing.enterprises.services import enterprise_create, enterprise_verify_bank_account

    for spec in STAR_ENTERPRISES:
        fields = dict(spec)
        region = orgs[str(fields.pop("region"))]
        enterprise = enterprise_create(
            actor=None,
            region=region,
            bank_account_name=str(fields["name"]),
            **fields,  # type: ignore[arg-type]
        )
        enterprise_verify_bank_account(
            actor=None, enterprise=enterprise, account_number=enterprise.bank_account_number
        )
        # The labels were earned before the platform existed: date them as the registry
        # of record does (the 3A rating came at the end of 2021).
        with transaction.atomic():
            EnterpriseLabel.objects.filter(enterprise=enterprise).update(since=LABELS_SINCE)
            audit_record(
                actor=None,
                action="enterprise.labels_dated",
                obj=enterprise,
                organisation=region,
                after={"since": LABELS_SINCE},
            )


def _seed_generated_enterprises(
    orgs: dict[str, Organisation], count: int, *, seed: int, say: Callable[[str], None]
) -> int:
    if count <= 0:
        return 0
    from qinqing.enterprises.demo_data import generate_enterprises, generate_labels

    regions = [orgs[code] for code, _n, _e, _r in data.DISTRICTS]
    made = 0
    for batch in generate_enterprises(count=count, regions=regions, seed=seed):
        with transaction.atomic():
            created = Enterprise.objects.bulk_create(batch)
            EnterpriseLabel.objects.bulk_create(generate_labels(enterprises=created, seed=seed))
        made += len(created)
        if made % 100_000 < len(created):
            say(f"  … {made} enterprises")
    with transaction.atomic():
        audit_record(
            actor=None,
            action="enterprise.bulk_load",
            object_type="enterprises.enterprise",
            object_id="demo",
            organisation=orgs[CITY_CODE],
            after={"count": made, "source": "demo generator", "seed": seed},
        )
    return made


def _seed_users(orgs: dict[str, Organisation]) -> None:
    for spec in DEMO_USERS:
        user = user_create(
            actor=None, username=spec.username, password=DEMO_PASSWORD, display_name=spec.display_name
        )
        if spec.where.startswith("enterprise:"):
            enterprise = Enterprise.objects.get(credit_code=spec.where.split(":", 1)[1])
            role_assign(actor=None, user=user, role=spec.role, enterprise=enterprise)
        else:
            role_assign(actor=None, user=user, role=spec.role, organisation=orgs[spec.where])
        if spec.role == Role.ADMIN:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "city_exists", "logins", "seed_demo"]
