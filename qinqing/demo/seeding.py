"""Loads the demo city: organisations, enterprises, the demo logins (officers and a head
for each department issuing policies, the story's enterprise users, a committee member,
supervisors, an admin), twenty policies (`catalogue.py`) and half a year of their cases
(`history.py`), then leaves the 3A story ready to walk; last, the Taishang zone's 26
investment projects and their year of contract fulfilment (`contracts.py`; not with
`--no-cases`).

`seed_demo --if-empty` does nothing when the city exists (the command checks first).
Enterprises are generated in batches so the same command scales to 1,000,000 for
benchmarks (`./run manage seed_demo --enterprises 1000000`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User
from qinqing.accounts.services import (
    organisation_create,
    role_assign,
    supervision_group_set_supervised,
    user_create,
)
from qinqing.audit.services import audit_record
from qinqing.enterprises import credit_code
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.workdays.calendar import current_calendar

from . import city as data
from .clock import demo_clock

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


# The scenic spot of the headline story: newly rated 3A (the rating is registered when the
# demo is loaded, after its history), due a 600,000-yuan award.
SCENIC_SPOT_CODE = credit_code.make("91350521MA31XQ8P2")
SCENIC_GRADE = "3A"
LIBANG_CODE = credit_code.make("91350500MA2Y7LB3K")
CHUANGGUAN_CODE = credit_code.make("91350524MA2Y1CG07")
YUANFENG_CODE = credit_code.make("91350582MA2XN4R81")
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
        "labels": {},
    },
    {
        "credit_code": LIBANG_CODE,
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
        "credit_code": YUANFENG_CODE,
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
        "credit_code": CHUANGGUAN_CODE,
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

# Departments issuing the demo's policies: (code, place, officers' user name stem and
# display names, head's user name and display name). Default steps take three officers
# and a head (four eyes: nobody acts twice on one case).
_DEPARTMENT_STAFF: list[tuple[str, str, list[tuple[str, str]], tuple[str, str]]] = [
    (
        "wlj",
        "市文化广电和旅游局",
        [("jingban", "陈经办"), ("jingban2", "周经办"), ("jingban3", "郑经办")],
        ("juzhang", "王局长"),
    ),
    (
        "kjj",
        "市科学技术局",
        [("keji1", "林科员"), ("keji2", "蔡科员"), ("keji3", "苏科员")],
        ("keji-head", "黄局长"),
    ),
    (
        "gxj",
        "市工业和信息化局",
        [("gongxin1", "吴科员"), ("gongxin2", "洪科员"), ("gongxin3", "庄科员")],
        ("gongxin-head", "施局长"),
    ),
    (
        "rsj",
        "市人力资源和社会保障局",
        [("renshe1", "杨科员"), ("renshe2", "刘科员"), ("renshe3", "曾科员")],
        ("renshe-head", "丁局长"),
    ),
    (
        "swj",
        "市商务局",
        [("shangwu1", "柯科员"), ("shangwu2", "卢科员"), ("shangwu3", "许科员")],
        ("shangwu-head", "李局长"),
    ),
    (
        "scjg",
        "市市场监督管理局",
        [("shijian1", "张科员"), ("shijian2", "傅科员"), ("shijian3", "骆科员")],
        ("shijian-head", "董局长"),
    ),
]

DEMO_USERS: list[DemoUser] = [
    DemoUser("qiye", "凌经理", Role.ENTERPRISE, "enterprise:" + SCENIC_SPOT_CODE, "八仙过海旅游有限公司"),
    DemoUser("libang", "龚经理", Role.ENTERPRISE, "enterprise:" + LIBANG_CODE, "立邦新型材料(泉州)有限公司"),
    *[
        user
        for code, place, officers, (head, head_name) in _DEPARTMENT_STAFF
        for user in (
            *[DemoUser(name, display, Role.OFFICER, code, place) for name, display in officers],
            DemoUser(head, head_name, Role.DEPARTMENT_HEAD, code, place),
        )
    ],
    DemoUser("guanwei", "林主任", Role.COMMITTEE, "tsq", "泉州台商投资区管委会"),
    DemoUser("jijian", "黄组长", Role.SUPERVISOR, "jw-g2", "市纪委监委派驻第二纪检监察组"),
    DemoUser("shijiwei", "许主任", Role.SUPERVISOR, "jw", "泉州市纪委监委"),
    DemoUser("admin", "平台管理员", Role.ADMIN, CITY_CODE, "泉州市"),
]

# The headline story: 受理 by jingban, 审核 by juzhang, 拨付 by jingban2, paid the same day.
STORY_OFFICIALS = ("jingban", "juzhang", "jingban2")
# How far back the demo's case history reaches, in working days (about half a year).
HISTORY_WORKDAYS = 130


def logins() -> list[tuple[str, str, str]]:
    """(role and place, user name, password) for each demo user, for the start banner."""
    from .contracts import contract_logins
    from .ledger import ledger_logins

    users = [*DEMO_USERS, *contract_logins()]
    return [(f"{Role(u.role).label} · {u.place}", u.username, DEMO_PASSWORD) for u in users] + ledger_logins()


def city_exists() -> bool:
    return Organisation.objects.filter(code=CITY_CODE).exists()


def seed_demo(
    *,
    enterprises: int = 2000,
    say: Callable[[str], None] = lambda _m: None,
    seed: int = 20221013,
    cases: bool = True,
) -> None:
    """Load the city as it stands today, with half a year of policy cases behind it.

    Everything up to today's story is recorded on the demo clock (`clock.py`): the city
    is set up about half a year ago, its policies published, and its cases opened,
    approved, paid or refused on the days they were. Then, on the real clock, the story's
    scenic spot is rated 3A and the platform invites it to the 600,000-yuan award.
    With `cases=False` the policies are published but nobody is matched or invited.
    """
    today = timezone.localdate()
    now = timezone.now()
    calendar = current_calendar()
    first = _workdays_before(today, HISTORY_WORKDAYS)
    opened = first - dt.timedelta(days=10)
    with demo_clock(_local(opened, 8)) as clock:
        with transaction.atomic():
            orgs = _seed_organisations()
            say(f"organisations: {len(orgs)}")
        _seed_star_enterprises(orgs)
        count = _seed_generated_enterprises(orgs, enterprises - len(STAR_ENTERPRISES), seed=seed, say=say)
        say(f"enterprises: {count + len(STAR_ENTERPRISES)}")
        with transaction.atomic():
            users = _seed_users(orgs)
            audit_record(
                actor=None,
                action="demo.seed",
                object_type="demo.city",
                object_id=CITY_CODE,
                organisation=orgs[CITY_CODE],
                after={"enterprises": count + len(STAR_ENTERPRISES), "users": len(DEMO_USERS)},
            )
        say(f"users: {len(DEMO_USERS)}")
        _seed_labels(today.year)
        clock.set(_local(calendar.working_day_on_or_after(opened + dt.timedelta(days=3)), 10))
        policies = _seed_policies(today.year, users)
        say(f"policies: {len(policies)}")
        if not cases:
            return
        clock.set(_local(calendar.working_day_on_or_after(opened + dt.timedelta(days=5)), 9))
        invited = _match(policies, users)
        say(f"invitations: {invited}")
        outcomes = _seed_history(
            today=today, now=now, clock=clock, policies=policies, users=users, year=today.year, say=say
        )
        say("cases: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        from .catalogue import seed_amendments

        clock.set(now)  # after the last event of the history, which stops 15 minutes before now
        changed = seed_amendments(today=today, actors=_department_officers(users))
        say("amended and announced: " + ", ".join(p.code for p in changed))
    _seed_story(today)
    say(f"story: {SCENIC_SPOT_CODE} rated {SCENIC_GRADE}, invited to the scenic-spot award")
    from .contracts import seed_contracts

    seed_contracts(today=today, say=say)
    from .ledger import seed_ledger

    seed_ledger(today=today, say=say)


def _local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_current_timezone())


def _workdays_before(day: dt.date, n: int) -> dt.date:
    calendar = current_calendar()
    day = day if calendar.is_working_day(day) else calendar.previous_working_day(day)
    return calendar.add_working_days(day, -n)


def _department_officers(users: dict[str, User]) -> dict[str, User]:
    """Department code → the officer who drafts its policies (its first officer)."""
    return {code: users[officers[0][0]] for code, _p, officers, _h in _DEPARTMENT_STAFF}


def _seed_policies(year: int, users: dict[str, User]) -> list[Any]:
    from .catalogue import seed_policies

    return seed_policies(year=year, actors=_department_officers(users))


def _seed_labels(year: int) -> None:
    """The labels the demo's rules read that the generator does not give: on generated
    enterprises in bulk, on the shoe-material trader through the registry's service."""
    from qinqing.enterprises.services import enterprise_set_labels

    from .catalogue import seed_rule_labels

    stars = set(Enterprise.objects.filter(credit_code__in=_star_codes()).values_list("pk", flat=True))
    seed_rule_labels(year=year, exclude=stars)
    trader = Enterprise.objects.get(credit_code=YUANFENG_CODE)
    enterprise_set_labels(actor=None, enterprise=trader, labels={"first_export": str(year - 1)})


def _star_codes() -> list[str]:
    return [str(spec["credit_code"]) for spec in STAR_ENTERPRISES]


def _match(policies: list[Any], users: dict[str, User]) -> int:
    """Proactive matching of every policy that needs no application (政策找企)."""
    from qinqing.policies.models import PolicyMode
    from qinqing.policies.services.matching import policy_match

    officers = _department_officers(users)
    codes = {o.pk: o.code for o in Organisation.objects.filter(pk__in={p.department_id for p in policies})}
    return sum(
        policy_match(actor=officers[codes[p.department_id]], policy=p)
        for p in policies
        if p.mode == PolicyMode.PROACTIVE
    )


def _seed_history(
    *,
    today: dt.date,
    now: dt.datetime,
    clock: Any,
    policies: list[Any],
    users: dict[str, User],
    year: int,
    say: Callable[[str], None],
) -> dict[str, int]:
    from .catalogue import demo_policies
    from .history import Context, run_history

    enterprise_users = {
        a.enterprise_id: a.user
        for a in RoleAssignment.objects.filter(
            role=Role.ENTERPRISE, user__in=list(users.values())
        ).select_related("user")
        if a.enterprise_id is not None
    }
    ctx = Context(
        today=today,
        # Nothing in the history happens later than a quarter of an hour ago.
        now_limit=now - dt.timedelta(minutes=15),
        policies={p.code: p for p in policies},
        specs={s.code: s for s in demo_policies(year)},
        users=enterprise_users,
        used=set(),
        say=say,
    )
    stars = {"libang": LIBANG_CODE, "chuangguan": CHUANGGUAN_CODE, "baxian": SCENIC_SPOT_CODE}
    return run_history(ctx, clock, stars)


def _seed_story(today: dt.date) -> None:
    """Today, on the real clock: the scenic spot's new 3A rating reaches the registry,
    and re-matching the spot invites it to the award (its invitation stays open for the
    story: the enterprise confirms it on a phone)."""
    from qinqing.enterprises.services import enterprise_set_labels
    from qinqing.policies.services.matching import enterprise_rematch

    spot = Enterprise.objects.get(credit_code=SCENIC_SPOT_CODE)
    labels = dict(EnterpriseLabel.objects.filter(enterprise=spot).values_list("key", "value"))
    enterprise_set_labels(actor=None, enterprise=spot, labels={**labels, "scenic_grade": SCENIC_GRADE})
    # Rated by the province last month; the registry records when the grade was awarded.
    rated = today - dt.timedelta(days=30)
    with transaction.atomic():
        EnterpriseLabel.objects.filter(enterprise=spot, key="scenic_grade").update(since=rated)
        audit_record(
            actor=None,
            action="enterprise.labels_dated",
            obj=spot,
            organisation=spot.region_id,
            after={"scenic_grade": rated},
        )
    enterprise_rematch(enterprise_id=spot.pk)


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


def _seed_users(orgs: dict[str, Organisation]) -> dict[str, User]:
    """The demo logins. The password is hashed once and the hash shared: every demo user
    has the same published password, and hashing it once per user would cost seconds."""
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = user_create(actor=None, username=spec.username, password=None, display_name=spec.display_name)
        if spec.where.startswith("enterprise:"):
            enterprise = Enterprise.objects.get(credit_code=spec.where.split(":", 1)[1])
            role_assign(actor=None, user=user, role=spec.role, enterprise=enterprise)
        else:
            role_assign(actor=None, user=user, role=spec.role, organisation=orgs[spec.where])
        if spec.role == Role.ADMIN:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        users[spec.username] = user
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=make_password(DEMO_PASSWORD))
    audit_record(
        actor=None,
        action="demo.passwords",
        object_type="demo.city",
        object_id=CITY_CODE,
        organisation=orgs[CITY_CODE],
        after={"users": sorted(users)},
    )
    return users


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "STORY_OFFICIALS", "city_exists", "logins", "seed_demo"]
