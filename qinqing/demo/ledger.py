"""The demo city's problem ledger (问题台账): a year of the commission's supervision of
the business environment, recorded through the ledger's services on the demo clock.

At city level the commission follows 39 departments whose heads walk 87 of their own
processes (局长走流程) while the stationed groups' heads follow up (组长督整改): 46
problems found, all rectified. In the counties 102 departments walk theirs and find
186. An inspection round on the business environment (优化营商环境专项巡察) finds 231
problems, 6 of them institutional, and 25 rules come of it (among them the 鞋纺城's
cross-border customs service, fixed at once). A topic campaign (点题整治) on the four
environments, fed by visits, monitoring points and observers, produces 38 institutional
results; the problems they answer are registered as institutional (机制性), so the
ledger's filter and the reports count them beside the round's six. Problems from the
other channels stand in every state of the loop: assigned, being rectified (some past
their time limit, their alarms fired), submitted, verified, closed with the reporter's
score (one partly fixed, one not fixed at the first return visit), sent back once,
reopened by the reporter, a withdrawal asked by the department and refused by the
reporter when called back, another waiting for the call, withdrawn by the reporter,
merged as a duplicate, referred to the province.

The plan is in `ledger_plan.py` (texts in `ledger_data.py`), the scripts in
`ledger_story.py`. Left ready for the walk in `./run demo`: `qiye` reports a problem on
a phone, `shijiwei` assigns it to 市住房和城乡建设局, `zhujian1` fixes it, `jijian`
(the group that watches the bureau) verifies it, `qiye` scores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User
from qinqing.accounts.services import (
    organisation_create,
    role_assign,
    supervision_group_set_supervised,
    user_create,
)
from qinqing.audit.services import audit_record
from qinqing.deadlines.scan import alerts_notify, deadlines_scan
from qinqing.enterprises.models import Enterprise
from qinqing.ledger import services
from qinqing.ledger.models import Campaign, Channel, Institutional, Problem
from qinqing.workdays.calendar import current_calendar

from . import city
from . import ledger_data as data
from .clock import demo_clock
from .contracts_story import local
from .ledger_plan import LedgerPlan, build_plan
from .ledger_story import Cast, LedgerRunner, LedgerStory
from .seeding import (
    CHUANGGUAN_CODE,
    CITY_CODE,
    DEMO_PASSWORD,
    LIBANG_CODE,
    SCENIC_SPOT_CODE,
    YUANFENG_CODE,
    DemoUser,
)

COMMISSION = "jw"
COMMISSION_LOGIN = "shijiwei"
# The department of the walk in `./run demo`: its head walked processes, its officer
# fixes problems, and `jijian`'s group (派驻第二纪检监察组) watches it.
STORY_DEPARTMENT = "zjj"
LEDGER_USERS: list[DemoUser] = [
    DemoUser("zhujian-head", "郭局长", Role.DEPARTMENT_HEAD, STORY_DEPARTMENT, "市住房和城乡建设局"),
    DemoUser("zhujian1", "温科员", Role.OFFICER, STORY_DEPARTMENT, "市住房和城乡建设局"),
]
OBSERVER_LOGIN = ("guanchayuan", "洪观察员")
# Working days before today the year begins (the first walks come ten days later).
YEAR_WORKDAYS = 240


def ledger_logins() -> list[tuple[str, str, str]]:
    """(role and place, user name, password) of the ledger demo's logins, when loaded."""
    names = [u.username for u in LEDGER_USERS] + [OBSERVER_LOGIN[0]]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    rows = [
        (f"{Role(u.role).label} · {u.place}", u.username, DEMO_PASSWORD)
        for u in LEDGER_USERS
        if u.username in present
    ]
    if OBSERVER_LOGIN[0] in present:
        rows.append(
            (f"{Channel.OBSERVER.label} · {data.OBSERVER_AFFILIATION}", OBSERVER_LOGIN[0], DEMO_PASSWORD)
        )
    return rows


def seed_ledger(
    *, today: dt.date | None = None, say: Callable[[str], None] = lambda _m: None
) -> dict[str, int]:
    """Load the year of the ledger; returns counts for the seeding log."""
    today = today or timezone.localdate()
    calendar = current_calendar()
    start = calendar.add_working_days(calendar.previous_working_day(today), -YEAR_WORKDAYS)
    with demo_clock(local(start, 8)) as clock:
        orgs = _organisations()
        cast = _cast(orgs, start)
        county = {
            district: sorted(
                o.code
                for o in orgs.values()
                if o.kind == OrganisationKind.DEPARTMENT and o.parent_id == orgs[district].pk
            )
            for district, _n, _e, _r in city.DISTRICTS
        }
        plan = build_plan(
            county_departments=county,
            names={code: o.name for code, o in orgs.items()},
            story_department=STORY_DEPARTMENT,
        )
        plan = _topic_problems_institutional(plan)
        runner = LedgerRunner(clock, start, today)
        story = LedgerStory(cast=cast, runner=runner, clock=clock, today=today)
        for walk in plan.walks:
            runner.spawn(story.walk(walk))
        for problem in plan.problems:
            runner.spawn(story.problem(problem))
        for rule in plan.rules:
            runner.spawn(story.rule(rule))
        runner.run()
    # Today's scan on the real clock (the scheduler runs it again; nothing fires twice).
    last = deadlines_scan(today=today)
    if last.alert_ids:
        alerts_notify(first_alert_id=min(last.alert_ids), last_alert_id=max(last.alert_ids))
    counts = dict(Problem.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    say("ledger problems: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if runner.dropped:
        say(f"  ({runner.dropped} ledger actions would fall today or later; left where they stand)")
    return counts


def _topic_problems_institutional(plan: LedgerPlan) -> LedgerPlan:
    """The topic campaign's problems that its institutional results (制度成果) answer,
    flagged institutional: a rule was made because the way the work runs produced them.
    They are 机制性 (mechanism), not 体制性: the results are working rules, lists and
    procedures (规范、办法、清单、规程、机制), none reorganises who does what. The topic
    problems no result answers (an enterprise's own report under a topic, one debt
    still being chased) stay single cases, as do the inspection round's: the article
    counts 6 institutional there, and they carry their flag in the data already."""
    answered = {key for rule in plan.rules if rule.channel == "topic" for key in rule.problems}
    return replace(
        plan,
        problems=[
            replace(s, institutional=Institutional.MECHANISM) if s.key in answered else s
            for s in plan.problems
        ],
    )


def _organisations() -> dict[str, Organisation]:
    """The tree as the ledger needs it, with the three county-level cities' service
    centres added (watched by their county's stationed group)."""
    orgs = {o.code: o for o in Organisation.objects.select_related("parent")}
    for district, suffix, name, name_en in data.EXTRA_COUNTY_DEPARTMENTS:
        parent = orgs[district]
        code = f"{district}-{suffix}"
        orgs[code] = organisation_create(
            actor=None,
            code=code,
            name=parent.name + name,
            kind=OrganisationKind.DEPARTMENT,
            parent=parent,
            name_en=f"{parent.name_en} {name_en}",
        )
        group = orgs[f"{district}-jw-g1"]
        supervision_group_set_supervised(
            actor=None, group=group, supervised=[*group.supervised.all(), orgs[code]]
        )
    return {o.code: o for o in Organisation.objects.select_related("parent")}


def _title(org: Organisation) -> str:
    return "主任" if org.name.endswith(("中心", "管委会", "办公室", "支队", "集团")) else "局长"


class _People:
    """Finds the person holding a role at a node, or adds one (without a password: they
    stand for the officials who acted and never log in)."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, int], User] = {}
        for a in (
            RoleAssignment.objects.filter(organisation__isnull=False).select_related("user").order_by("id")
        ):
            assert a.organisation_id is not None
            self.held.setdefault((a.role, a.organisation_id), a.user)
        self.count = 0

    def at(self, role: str, org: Organisation, username: str, title: str) -> User:
        found = self.held.get((role, org.pk))
        if found is None:
            surname = data.SURNAMES[self.count % len(data.SURNAMES)]
            self.count += 1
            found = user_create(actor=None, username=username, password=None, display_name=surname + title)
            role_assign(actor=None, user=found, role=role, organisation=org)
            self.held[(role, org.pk)] = found
        return found


def _cast(orgs: dict[str, Organisation], start: dt.date) -> Cast:  # noqa: PLR0914
    commission_org = orgs[COMMISSION]
    logins = _logins(orgs)
    people = _People()
    departments = [
        o
        for o in orgs.values()
        if o.kind == OrganisationKind.DEPARTMENT
        and o.parent is not None
        and o.parent.kind in (OrganisationKind.CITY, OrganisationKind.DISTRICT)
    ]
    heads = {d.pk: people.at(Role.DEPARTMENT_HEAD, d, f"{d.code}-juzhang", _title(d)) for d in departments}
    officers = {d.pk: people.at(Role.OFFICER, d, f"{d.code}-keyuan", "科员") for d in departments}
    groups = [o for o in orgs.values() if o.kind == OrganisationKind.SUPERVISION_GROUP and o.code != "jw-tsq"]
    group_heads = {g.pk: people.at(Role.SUPERVISOR, g, f"{g.code}-zuzhang", "组长") for g in groups}
    county_staff = {
        orgs[f"{d}-jw"].pk: people.at(Role.SUPERVISOR, orgs[f"{d}-jw"], f"{d}-jw-jiandushi", "主任")
        for d, _n, _e, _r in city.DISTRICTS
    }
    commission = User.objects.get(username=COMMISSION_LOGIN)
    office_name, office_display = data.INSPECTION_OFFICE
    inspection_office = user_create(
        actor=None, username=office_name, password=None, display_name=office_display
    )
    role_assign(actor=None, user=inspection_office, role=Role.SUPERVISOR, organisation=commission_org)
    campaigns = _campaigns(orgs, commission, county_staff, start)
    topics = {t.category: t for t in campaigns["topic"].topics.all()}
    stars = {
        name: Enterprise.objects.select_related("region").get(credit_code=code)
        for name, code in (
            ("qiye", SCENIC_SPOT_CODE),
            ("libang", LIBANG_CODE),
            ("yuanfeng", YUANFENG_CODE),
            ("chuangguan", CHUANGGUAN_CODE),
        )
    }
    points = {}
    for key, name, district, star, address in data.MONITORING_POINTS:
        appointing = orgs[f"{district}-jw"] if district else commission_org
        points[key] = services.monitoring_point_appoint(
            actor=county_staff[appointing.pk] if district else commission,
            name=name,
            organisation=appointing,
            appointed_on=start,
            enterprise=stars[star],
            address=address,
        )
    services.observer_appoint(
        actor=commission,
        user=logins[OBSERVER_LOGIN[0]],
        organisation=commission_org,
        appointed_on=start,
        affiliation=data.OBSERVER_AFFILIATION,
    )
    return Cast(
        orgs=orgs,
        heads=heads,
        officers=officers,
        group_heads=group_heads,
        county_staff=county_staff,
        commission=commission,
        inspection_office=inspection_office,
        observer=logins[OBSERVER_LOGIN[0]],
        campaigns=campaigns,
        topics=topics,
        points=points,
        stars=stars,
        enterprise_user=_enterprise_users(),
    )


def _logins(orgs: dict[str, Organisation]) -> dict[str, User]:
    """The ledger demo's logins, with the demo password (hashed once)."""
    users: dict[str, User] = {}
    with transaction.atomic():
        for spec in LEDGER_USERS:
            user = user_create(
                actor=None, username=spec.username, password=None, display_name=spec.display_name
            )
            role_assign(actor=None, user=user, role=spec.role, organisation=orgs[spec.where])
            users[spec.username] = user
        name, display = OBSERVER_LOGIN
        users[name] = user_create(actor=None, username=name, password=None, display_name=display)
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(
            password=make_password(DEMO_PASSWORD)
        )
        audit_record(
            actor=None,
            action="demo.passwords",
            object_type="demo.city",
            object_id=CITY_CODE,
            organisation=orgs[CITY_CODE],
            after={"users": sorted(users)},
        )
    return users


def _campaigns(
    orgs: dict[str, Organisation], commission: User, county_staff: dict[int, User], start: dt.date
) -> dict[str, Campaign]:
    calendar = current_calendar()
    campaigns: dict[str, Campaign] = {
        "city": services.campaign_create(
            actor=commission,
            channel=Channel.WALK,
            title=data.CITY_WALK_CAMPAIGN,
            organisation=orgs[COMMISSION],
            starts_on=start,
            description=data.CITY_WALK_CAMPAIGN_TEXT,
        )
    }
    for district, name, _e, _r in city.DISTRICTS:
        county_commission = orgs[f"{district}-jw"]
        campaigns[district] = services.campaign_create(
            actor=county_staff[county_commission.pk],
            channel=Channel.WALK,
            title=data.COUNTY_WALK_CAMPAIGN.format(county=name),
            organisation=county_commission,
            starts_on=start,
            description=data.COUNTY_WALK_CAMPAIGN_TEXT,
        )
    campaigns["inspection"] = services.campaign_create(
        actor=commission,
        channel=Channel.INSPECTION,
        title=data.INSPECTION_CAMPAIGN,
        organisation=orgs[COMMISSION],
        starts_on=calendar.add_working_days(start, 30),
        description=data.INSPECTION_CAMPAIGN_TEXT,
    )
    campaigns["topic"] = services.campaign_create(
        actor=commission,
        channel=Channel.TOPIC,
        title=data.TOPIC_CAMPAIGN,
        organisation=orgs[COMMISSION],
        starts_on=calendar.add_working_days(start, 45),
        description=data.TOPIC_CAMPAIGN_TEXT,
        topics=[{"title": title, "category": category} for title, category in data.TOPICS],
    )
    campaigns["visit"] = services.campaign_create(
        actor=commission,
        channel=Channel.VISIT,
        title=data.VISIT_CAMPAIGN,
        organisation=orgs[COMMISSION],
        starts_on=calendar.add_working_days(start, 40),
        description=data.VISIT_CAMPAIGN_TEXT,
    )
    return campaigns


def _enterprise_users() -> Callable[[Enterprise], User]:
    """An enterprise's user on the platform: its demo login if it has one, else the one
    the policy demo gave it, else a new one without a password."""
    from .history import enterprise_user

    users: dict[int, User] = {}
    for a in RoleAssignment.objects.filter(role=Role.ENTERPRISE).select_related("user").order_by("id"):
        assert a.enterprise_id is not None
        users.setdefault(a.enterprise_id, a.user)

    def find(enterprise: Enterprise) -> User:
        return enterprise_user(enterprise, users)

    return find


__all__ = ["LEDGER_USERS", "OBSERVER_LOGIN", "STORY_DEPARTMENT", "ledger_logins", "seed_ledger"]
