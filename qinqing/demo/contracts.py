"""The Taishang zone's two-way contract fulfilment (政企合同双兑现) in the demo city.

Loads the zone's 26 investment projects with land already supplied (`contracts_data.py`)
through the contract services, on the demo clock (`clock.py`): the projects go on the
platform over the last half year (their contracts signed and their land cleared and
delivered up to a year before), then permits are applied for and issued, building
starts, utilities are connected, deadlines pass, alarms fire in the nightly scans and
are answered with remedy plans, and claims are confirmed, partly met or disputed. Eight
projects obtained the construction permit and started building within the deadline,
five of them three to four months early.

The zone's officials and the investing enterprise's login are added here
(`CONTRACT_USERS`); the committee member is the city's (`guanwei`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Organisation, Role, User
from qinqing.accounts.services import role_assign, user_create
from qinqing.audit.services import audit_record
from qinqing.deadlines.scan import alerts_notify, deadlines_scan
from qinqing.enterprises import credit_code
from qinqing.enterprises.models import Enterprise
from qinqing.workdays.calendar import current_calendar

from .clock import demo_clock
from .contracts_data import INVESTORS, PLANS, TOUZI_INVESTOR, Investor
from .contracts_story import Cast, ProjectStory, Runner, local
from .seeding import DEMO_PASSWORD, DemoUser

# The zone's projects went on the platform from this many days ago.
PLATFORM_DAYS = 180
# The registry's region of the zone's enterprises (惠安县, where most of the zone lies).
ZONE_REGION = "ha"
COMMITTEE_MEMBER = "guanwei"


def investor_code(investor: Investor) -> str:
    """Registered by the city's market regulator (division 350500): the generated
    enterprises carry district codes, so these never collide with them."""
    return credit_code.make("91350500MA3" + investor.code_tail)


TOUZI_CODE = investor_code(next(i for i in INVESTORS if i.key == TOUZI_INVESTOR))
TOUZI_NAME = next(i.name for i in INVESTORS if i.key == TOUZI_INVESTOR)

CONTRACT_USERS: list[DemoUser] = [
    DemoUser("tsq-shenpi", "颜科员", Role.OFFICER, "tsq-spj", "台商投资区行政审批局"),
    DemoUser("tsq-ziyuan", "骆科员", Role.OFFICER, "tsq-zrzy", "台商投资区自然资源分局"),
    DemoUser("tsq-zhujian", "潘科员", Role.OFFICER, "tsq-zjj", "台商投资区住房和城乡建设局"),
    DemoUser("touzi", "郑总", Role.ENTERPRISE, "enterprise:" + TOUZI_CODE, TOUZI_NAME),
    # The zone's discipline work committee: escalations reach it.
    DemoUser("tsq-jijian", "尤组长", Role.SUPERVISOR, "jw-tsq", "台商投资区纪工委监工委"),
]


def contract_logins() -> list[DemoUser]:
    """The contract demo's logins, when its users are loaded (not with `--no-cases`)."""
    names = set(
        User.objects.filter(username__in=[u.username for u in CONTRACT_USERS]).values_list(
            "username", flat=True
        )
    )
    return [u for u in CONTRACT_USERS if u.username in names]


def seed_contracts(
    *, today: dt.date | None = None, say: Callable[[str], None] = lambda _m: None
) -> dict[str, int]:
    """Load the zone's projects and their year; returns counts for the seeding log."""
    from .history import enterprise_user

    today = today or timezone.localdate()
    calendar = current_calendar()
    start = calendar.working_day_on_or_after(today - dt.timedelta(days=PLATFORM_DAYS))
    orgs = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in=["tsq", "tsq-spj", "tsq-zrzy", "tsq-zjj", "tsq-jjfz", "jw-tsq", ZONE_REGION]
        )
    }
    with demo_clock(local(start, 8)) as clock:
        enterprises = _seed_enterprises(orgs[ZONE_REGION])
        users = _seed_users(orgs, enterprises)
        owners: dict[int, User] = {enterprises[TOUZI_INVESTOR].pk: users["touzi"]}
        cast = Cast(
            committee=User.objects.get(username=COMMITTEE_MEMBER),
            land_office=users["tsq-ziyuan"],
            approval_bureau=users["tsq-shenpi"],
            construction_bureau=users["tsq-zhujian"],
            enterprise_user=lambda enterprise: enterprise_user(enterprise, owners),
        )
        runner = Runner(clock, start, today)
        for index, plan in enumerate(PLANS):
            land_met = today - dt.timedelta(days=plan.land)
            entry = calendar.working_day_on_or_after(
                max(start + dt.timedelta(days=index % 5), land_met + dt.timedelta(days=3))
            )
            story = ProjectStory(
                plan=plan,
                index=index,
                reference=f"TSQ-{entry.year}-{index + 1:03d}",
                enterprise=enterprises[plan.investor],
                cast=cast,
                orgs=orgs,
                today=today,
                entry=entry,
                runner=runner,
            )
            runner.spawn(story.entered())
        runner.run()
    # Today's scan on the real clock (the scheduler runs it again; nothing fires twice).
    last = deadlines_scan(today=today)
    if last.alert_ids:
        alerts_notify(first_alert_id=min(last.alert_ids), last_alert_id=max(last.alert_ids))
    alerts = runner.alerts + last.alerts
    counts = {"projects": len(PLANS), "enterprises": len(enterprises), "alerts": alerts}
    say("contract projects: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _seed_enterprises(region: Organisation) -> dict[str, Enterprise]:
    from qinqing.enterprises.services import enterprise_create

    made: dict[str, Enterprise] = {}
    for investor in INVESTORS:
        capital = Decimal(investor.registered_capital_wan) * 10_000
        made[investor.key] = enterprise_create(
            actor=None,
            credit_code=investor_code(investor),
            name=investor.name,
            industry_code=investor.industry_code,
            region=region,
            legal_representative=investor.legal_representative,
            address="泉州台商投资区",
            employees=investor.employees,
            insured_employees=investor.employees * 9 // 10,
            revenue=capital * 3,
            tax_paid=capital * Decimal("0.12"),
            registered_capital=capital,
            founded_on=dt.date.fromisoformat(investor.founded),
        )
    return made


def _seed_users(orgs: dict[str, Organisation], enterprises: dict[str, Enterprise]) -> dict[str, User]:
    """The zone's officials and the investor's login, with the demo password (hashed once)."""
    users: dict[str, User] = {}
    by_code = {e.credit_code: e for e in enterprises.values()}
    with transaction.atomic():
        for spec in CONTRACT_USERS:
            user = user_create(
                actor=None, username=spec.username, password=None, display_name=spec.display_name
            )
            if spec.where.startswith("enterprise:"):
                role_assign(
                    actor=None, user=user, role=spec.role, enterprise=by_code[spec.where.split(":", 1)[1]]
                )
            else:
                role_assign(actor=None, user=user, role=spec.role, organisation=orgs[spec.where])
            users[spec.username] = user
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(
            password=make_password(DEMO_PASSWORD)
        )
        audit_record(
            actor=None,
            action="demo.passwords",
            object_type="demo.city",
            object_id="tsq",
            organisation=orgs["tsq"],
            after={"users": sorted(users)},
        )
    return users


__all__ = ["CONTRACT_USERS", "TOUZI_CODE", "contract_logins", "investor_code", "seed_contracts"]
