"""How each planned problem's life went, as small scripts run on the demo clock.

A script is a generator: it yields the time of its next action, then takes it through
the ledger's services as the person who would: the head who walked the process, the
inspection office, the commission's staff, an enterprise's user, an observer, a person
at a monitoring point; the department's officer who fixes it; the stationed group's
head who verifies it and calls the reporter back; the reporter who scores it. The
contracts demo's `Runner` runs every script in time order with the nightly deadline
scan of each day, so reminders, warnings and alarms fire on the days they would have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qinqing.accounts.models import Organisation, OrganisationKind, User
from qinqing.enterprises.models import Enterprise
from qinqing.ledger import services
from qinqing.ledger.models import (
    Campaign,
    CampaignTopic,
    Channel,
    MonitoringPoint,
    Outcome,
    Problem,
    ProblemStatus,
    ReturnVisitMode,
    Severity,
)
from qinqing.workdays.calendar import current_calendar

from .clock import DemoClock
from .contracts_story import Runner, evidence, local
from .ledger_data import (
    ASSIGNED,
    CLOSED,
    RECTIFYING,
    REGISTERED,
    SUBMITTED,
    VERIFIED,
    WITHDRAWAL_REQUESTED,
    Story,
)
from .ledger_plan import RulePlan, WalkPlan

Script = Generator[dt.datetime]

PROGRESS = (
    "已制定整改方案，明确责任科室和完成时限。",
    "已召开专题会研究，正在优化办理流程。",
    "已与企业沟通，正在协调相关单位推进。",
)
SUBMITS = (
    "已整改完成：流程已优化，办事指南同步更新，附整改前后对比材料。",
    "已整改完成：相关环节已合并办理，附企业确认函。",
    "已整改完成：系统功能已上线，附运行截图和说明。",
)
SEND_BACKS = (
    "整改材料只有情况说明，缺少整改前后对比和企业确认，请补充。",
    "抽查近期办件，问题仍然存在，请继续整改。",
)
PARTLY = "已新增临时停靠区40个车位，高峰时段仍不能满足需求，列入明年交通组织优化计划。"
NOT_FIXED = "夜间仍有渣土车未覆盖篷布，问题反弹。"
REOPEN = "连续降雨后厂区再次进水，排水管网堵塞问题没有根本解决。"
WITHDRAW = "已通过其他渠道查询到办理进度，撤回。"
WITHDRAWAL_REASON = "经核实，该事项涉及上级审批权限，本部门无法解决，申请撤单。"
WITHDRAWAL_REFUSED = "企业表示问题仍未解决，不同意撤单。"
MERGE = "与已登记问题反映的是同一事项，合并办理。"


@dataclass
class Cast:
    """Who acts, and on what."""

    orgs: dict[str, Organisation]
    heads: dict[int, User]  # department id → its head
    officers: dict[int, User]  # department id → the officer who fixes its problems
    group_heads: dict[int, User]  # supervision group id → its head (组长)
    county_staff: dict[int, User]  # county commission id → its staff who dispatch
    commission: User  # the city commission's staff (shijiwei)
    inspection_office: User
    observer: User
    campaigns: dict[str, Campaign]  # "city", each district's code, "inspection", "topic", "visit"
    topics: dict[str, CampaignTopic]  # category → topic
    points: dict[str, MonitoringPoint]
    stars: dict[str, Enterprise]  # qiye, libang, yuanfeng, chuangguan
    enterprise_user: Callable[[Enterprise], User]
    made: dict[str, Problem] = field(default_factory=dict)


class LedgerRunner(Runner):
    """The contracts demo's runner, except that an action that would fall today or later
    is not taken: the problem stays where it stands (counted in `dropped`)."""

    dropped = 0

    def _push(self, at: dt.datetime, script: Script) -> None:
        if timezone.localtime(at).date() >= self.today:
            script.close()
            self.dropped += 1
            return
        super()._push(at, script)


class LedgerStory:
    def __init__(self, *, cast: Cast, runner: LedgerRunner, clock: DemoClock, today: dt.date) -> None:
        self.cast = cast
        self.runner = runner
        self.clock = clock
        self.today = today
        self.calendar = current_calendar()
        self.last_day = self.calendar.previous_working_day(today)
        self.n = 0

    # --- time ------------------------------------------------------------------------------

    def day(self, working_days_ago: int) -> dt.date:
        return self.calendar.add_working_days(self.last_day, -working_days_ago)

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        self.n += 1
        return local(day, hour, (self.n * 7) % 60)

    def after(self, t: dt.datetime, working_days: int, hour: int = 0) -> dt.datetime:
        """`working_days` after `t`, in office hours; never before `t`."""
        self.n += 1
        day = self.calendar.add_working_days(timezone.localtime(t).date(), working_days)
        hour = hour or 9 + self.n % 8
        return max(local(day, hour, (self.n * 13) % 60), t + dt.timedelta(minutes=20))

    # --- who -------------------------------------------------------------------------------

    def officer(self, problem: Problem) -> User:
        return self.cast.officers[problem.organisation_id]

    def group(self, problem: Problem) -> User:
        if problem.supervising_group_id in self.cast.group_heads:
            return self.cast.group_heads[problem.supervising_group_id]
        return self.dispatcher(problem, problem.organisation)

    def dispatcher(self, problem: Problem, department: Organisation) -> User:
        """The county's commission for its own departments; the city's for the rest."""
        if department.parent is not None and department.parent.kind == OrganisationKind.CITY:
            return self.cast.commission
        return self.cast.county_staff.get(problem.intake_id, self.cast.commission)

    def department(self, story: Story, enterprise: Enterprise | None) -> Organisation:
        code = story.department
        if code.startswith("~"):
            assert enterprise is not None
            code = f"{enterprise.region.code}-{code[1:]}"
        return self.cast.orgs[code]

    # --- scripts ---------------------------------------------------------------------------

    def walk(self, plan: WalkPlan) -> Script:
        """A head walks a process and records it with what he found; each problem found
        is assigned to the department at once and lives on in its own script."""
        department = self.cast.orgs[plan.department]
        day = self.day(plan.days_ago)
        t = self.at(day, 16)
        yield t
        walk = services.walkthrough_record(
            actor=self.cast.heads[department.pk],
            department=department,
            process_name=plan.process,
            walked_on=day,
            steps=plan.steps,
            notes="以办事人身份全程体验，派驻纪检监察组组长同步跟进。",
            campaign=self.cast.campaigns[plan.commission or "city"],
            problems=[_found(story) for story in plan.problems],
        )
        for problem, story in zip(walk.problems.order_by("id"), plan.problems, strict=True):
            self.cast.made[story.key] = problem
            self.runner.spawn(self.loop(problem, story, t))

    def problem(self, story: Story) -> Script:
        """A problem reported through its channel, then dispatched, then its loop."""
        cast = self.cast
        t = self.at(self.day(story.days_ago), 10 + len(self.cast.made) % 7)
        yield t
        kind, _sep, rest = story.via.partition(":")
        fields: dict[str, Any] = {
            "title": story.title,
            "description": story.description,
            "category": story.category,
            "subcategory": story.subcategory,
            "location": story.location,
        }
        enterprise: Enterprise | None = None
        if kind in ("inspection", "topic", "visit", "visit-own"):
            department = self.department(story, None)
            actor = {
                "inspection": cast.inspection_office,
                "topic": cast.commission,
                "visit": cast.commission,
            }.get(kind) or cast.heads[cast.orgs[rest].pk]
            problem = services.problem_report(
                actor=actor,
                channel={"visit-own": Channel.VISIT}.get(kind, kind),
                campaign=cast.campaigns[kind] if kind != "visit-own" else None,
                topic=cast.topics[rest] if kind == "topic" else None,
                department=department,
                deadline_mode=story.deadline_mode,
                deadline_days=story.deadline_days,
                severity=_severity(story),
                institutional=story.institutional,
                **fields,
            )
        elif kind == "point":
            problem, _receipt = services.problem_report_at_point(
                token=cast.points[rest].token,
                reporter_name="监测点联络员",
                reporter_contact="0595-2" + f"{(len(cast.made) * 7919) % 10_000_000:07d}",
                **fields,
            )
        elif kind == "observer":
            problem = services.problem_report(actor=cast.observer, channel=Channel.OBSERVER, **fields)
        else:  # an enterprise's complaint, or its report under a campaign topic
            who, _sep, topic = rest.partition(":") if kind == "complaint-topic" else (rest, "", "")
            enterprise = self.enterprise(who)
            problem = services.problem_report(
                actor=self.enterprise_user(enterprise),
                channel=Channel.TOPIC if topic else Channel.COMPLAINT,
                topic=cast.topics[topic] if topic else None,
                **fields,
            )
        cast.made[story.key] = problem
        if story.fate == REGISTERED:
            return
        department = self.department(story, enterprise)
        dispatcher = self.dispatcher(problem, department)
        if problem.status == ProblemStatus.REGISTERED:
            t = self.after(t, 1)
            yield t
            if story.merge_into:
                services.problem_merge(
                    actor=dispatcher, problem=problem, into=cast.made[story.merge_into], reason=MERGE
                )
                return
            if story.refer is not None:
                level, to_whom, why = story.refer
                services.problem_refer(
                    actor=dispatcher, problem=problem, level=level, referred_to=to_whom, reason=why
                )
                return
            problem = services.problem_assign(
                actor=dispatcher,
                problem=problem,
                department=department,
                deadline_mode=story.deadline_mode,
                deadline_days=story.deadline_days,
                note=f"请{department.name}按期整改并报送整改材料。",
            )
        yield from self.loop(problem, story, t)

    def loop(self, problem: Problem, story: Story, assigned: dt.datetime) -> Script:  # noqa: PLR0912, PLR0915
        """From assignment to closure (or wherever the story stops)."""
        t = assigned
        if story.withdraw:
            t = self.after(t, 2)
            yield t
            services.problem_withdraw(actor=problem.reporter_user, problem=problem, reason=WITHDRAW)
            return
        if story.fate == ASSIGNED:
            return
        officer = self.officer(problem)
        if story.notes or story.fate != CLOSED or story.fix > 5 and self.n % 6 == 0:
            # A progress report (most quick fixes go straight to the submission).
            t = self.after(t, 1)
            yield t
            notes = story.notes or [PROGRESS[self.n % len(PROGRESS)]]
            services.problem_progress(actor=officer, problem=problem, text=notes[0])
        if story.withdrawal:
            t = self.after(t, 2)
            yield t
            services.problem_request_withdrawal(actor=officer, problem=problem, reason=WITHDRAWAL_REASON)
            if story.fate == WITHDRAWAL_REQUESTED:
                return
            t = self.after(t, 2)
            yield t
            services.problem_check_withdrawal(
                actor=self.group(problem),
                problem=problem,
                agrees=False,
                comment=WITHDRAWAL_REFUSED,
                mode=ReturnVisitMode.PHONE,
            )
        if story.fate == RECTIFYING and not story.reopen:
            return
        t = max(self.after(assigned, story.fix), self.after(t, 1) if t > assigned else t)
        yield t
        self.submit(problem)
        if story.fate == SUBMITTED:
            return
        group = self.group(problem)
        if story.send_back:
            t = self.after(t, 1)
            yield t
            services.problem_send_back(actor=group, problem=problem, reason=SEND_BACKS[self.n % 2])
            t = self.after(t, 3)
            yield t
            self.submit(problem)
        t = self.after(t, 1 + self.n % 3)
        yield t
        services.problem_verify(
            actor=group,
            problem=problem,
            outcome=Outcome.PARTLY_FIXED if story.partly else Outcome.FIXED,
            text=PARTLY if story.partly else "",
        )
        if story.fate == VERIFIED:
            return
        t = self.after(t, 2 + self.n % 4)
        yield t
        if story.not_fixed_at_visit:
            self.visit(problem, story, fixed=False)
            t = self.after(t, 1)
            yield t
            services.problem_progress(
                actor=officer, problem=problem, text="已在园区出入口加装车辆冲洗设施，夜间增派巡查。"
            )
            t = self.after(t, 4)
            yield t
            self.submit(problem)
            t = self.after(t, 2)
            yield t
            services.problem_verify(actor=group, problem=problem)
            t = self.after(t, 3)
            yield t
        self.visit(problem, story, fixed=True)
        if story.reopen:
            t = self.after(t, 8)
            yield t
            services.problem_reopen(actor=problem.reporter_user, problem=problem, reason=REOPEN)

    def rule(self, plan: RulePlan) -> Script:
        """A department issues the rule its problems led to (建章立制)."""
        day = self.day(plan.days_ago)
        yield self.at(day, 17)
        problems = [self.cast.made[key] for key in plan.problems if key in self.cast.made]
        if not problems:
            return
        department = self.cast.orgs[plan.department]
        services.rule_outcome_record(
            actor=self.cast.heads[department.pk],
            title=plan.title,
            organisation=department,
            issued_on=day,
            problems=problems,
            kind=plan.kind,
            document_number=plan.number.format(year=day.year),
            summary="针对专项监督发现的问题，从制度层面堵塞漏洞、规范流程。",
            campaign=self.cast.campaigns[plan.channel],
        )

    # --- steps -----------------------------------------------------------------------------

    def submit(self, problem: Problem) -> None:
        services.problem_submit(
            actor=self.officer(problem),
            problem=problem,
            text=SUBMITS[self.n % len(SUBMITS)],
            files=[evidence(f"整改材料-{problem.reference}")],
        )

    def visit(self, problem: Problem, story: Story, *, fixed: bool) -> None:
        """The return visit: the reporter online when it has an account that is not
        the department's or the commission's own; otherwise the group, on site or by
        telephone."""
        online = story.via.startswith(("complaint", "observer"))
        services.problem_return_visit(
            actor=problem.reporter_user if online else self.group(problem),
            problem=problem,
            score=story.score if fixed else 2,
            fixed=fixed,
            comment=story.comment if fixed else NOT_FIXED,
            mode=(
                ReturnVisitMode.ONLINE
                if online
                else ReturnVisitMode.PHONE
                if story.via.startswith("point")
                else ReturnVisitMode.ON_SITE
            ),
        )

    def enterprise(self, who: str) -> Enterprise:
        if who.startswith("region"):
            _r, district, *nth = who.split(":")
            others = (
                Enterprise.objects.filter(region__code=district)
                .exclude(pk__in=[e.pk for e in self.cast.stars.values()])
                .select_related("region")
                .order_by("credit_code")
            )
            index = int(nth[0]) if nth else 0
            found = list(others[index : index + 1]) or list(
                Enterprise.objects.exclude(pk__in=[e.pk for e in self.cast.stars.values()])
                .select_related("region")
                .order_by("credit_code")[index : index + 1]
            )
            return found[0]
        return self.cast.stars[who]

    def enterprise_user(self, enterprise: Enterprise) -> User:
        return self.cast.enterprise_user(enterprise)


def _severity(story: Story) -> str:
    if story.institutional:
        return Severity.SERIOUS
    return Severity.SERIOUS if story.fix > story.deadline_days else Severity.MINOR


def _found(story: Story) -> dict[str, object]:
    return {
        "title": story.title,
        "description": story.description,
        "category": story.category,
        "subcategory": story.subcategory,
        "severity": _severity(story),
        "deadline_mode": story.deadline_mode,
        "deadline_days": story.deadline_days,
    }


__all__ = ["Cast", "LedgerRunner", "LedgerStory"]
