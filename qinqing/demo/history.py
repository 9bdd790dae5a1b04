"""Months of policy cases in the demo city, made through the real services.

Each planned case is a small script (a generator) that opens the case — an invitation
confirmed or an application with its facts and materials — and takes it through its
steps: approvals by officials of the issuing department (never the same person twice),
returns for materials and the enterprise's answer, rejections and objections, public
notices that end by themselves, the payment instruction sent through the payments app.
The scripts yield the time of their next action; `run_history` runs them all in time
order on the demo clock (`clock.py`), so notices end and deadlines fall due as they
would have.

The plan leaves cases in every state: under review at each step (two of them overdue),
returned for materials, in public notice (one with an open objection), paying, paid,
payment failed, rejected, objection lodged against a rejection, withdrawn.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.services import role_assign, user_create
from qinqing.enterprises.models import Enterprise, EnterpriseStatus
from qinqing.workdays.calendar import current_calendar

from .catalogue import DemoPolicy
from .clock import DemoClock

# Outcomes a planned case ends in.
PAID = "paid"
PAYING = "paying"
PAYMENT_FAILED = "payment_failed"
WITHDRAWN = "withdrawn"
RETURNED = "returned"  # returned for materials at the examination step, not yet answered
RETURNED_THEN_PAID = "returned_then_paid"
REJECTED = "rejected"
APPEALED = "appealed"  # rejected; the enterprise's objection waits for a decision
APPEAL_DISMISSED = "appeal_dismissed"
NOTICE = "notice"  # in public notice
OBJECTION = "objection"  # in public notice with an open objection from the public
OVERDUE = "overdue"  # waiting at the examination step past its time limit
# Or a step key ("accept", "review", "recheck", "disburse"): waiting at that step.


# Cases opened less than this many working days ago move one step a day, so the plan
# can tell where they stand today.
RECENT = 18


@dataclass(frozen=True)
class Planned:
    policy: str
    outcome: str
    start: int  # working days before the demo's day
    enterprise: str = ""  # a credit code; empty: the next suitable enterprise


def plan(stars: dict[str, str]) -> list[Planned]:
    """The cases, per policy; `stars` names the story's enterprises' credit codes."""
    libang, chuangguan, baxian = stars["libang"], stars["chuangguan"], stars["baxian"]
    return [
        # 市文化广电和旅游局 (two scenic awards at most 2,000,000 each: the 5,000,000 budget
        # keeps room for the story's 600,000)
        Planned("wlj-scenic-grade", PAID, 118),
        Planned("wlj-scenic-grade", PAID, 26),
        Planned("wlj-hospitality-jobs", PAID, 96, baxian),
        Planned("wlj-hospitality-jobs", PAID, 88),
        Planned("wlj-hospitality-jobs", PAID, 40),
        Planned("wlj-hospitality-jobs", "review", 2),
        Planned("wlj-hospitality-jobs", WITHDRAWN, 12),
        Planned("wlj-inbound-tourism", PAID, 64),
        Planned("wlj-inbound-tourism", RETURNED, 5),
        Planned("wlj-inbound-tourism", REJECTED, 33),
        # 市科学技术局
        Planned("kjj-high-tech", PAID, 124, libang),
        Planned("kjj-high-tech", PAID, 101, chuangguan),
        Planned("kjj-high-tech", PAID, 80),
        Planned("kjj-high-tech", PAID, 52),
        Planned("kjj-high-tech", PAID, 19),
        Planned("kjj-high-tech", NOTICE, 4),
        Planned("kjj-high-tech", OBJECTION, 5),
        Planned("kjj-high-tech", "accept", 1),
        Planned("kjj-rd-expense", RETURNED, 4, libang),
        Planned("kjj-rd-expense", PAID, 92),
        Planned("kjj-rd-expense", RETURNED_THEN_PAID, 58),
        Planned("kjj-rd-expense", APPEALED, 14),
        Planned("kjj-rd-expense", "recheck", 4),
        Planned("kjj-tech-sme", PAID, 110),
        Planned("kjj-tech-sme", PAID, 45),
        Planned("kjj-tech-sme", OVERDUE, 24),
        Planned("kjj-tech-sme", WITHDRAWN, 30),
        # 市工业和信息化局
        Planned("gxj-above-scale", PAID, 115),
        Planned("gxj-above-scale", PAID, 84),
        Planned("gxj-above-scale", PAID, 36),
        Planned("gxj-above-scale", "disburse", 10),
        Planned("gxj-above-scale", "review", 2),
        Planned("gxj-little-giant", PAID, 77),
        Planned("gxj-specialised", PAID, 99),
        Planned("gxj-specialised", PAID, 48),
        Planned("gxj-specialised", APPEAL_DISMISSED, 41),
        Planned("gxj-tax-contribution", "recheck", 3, libang),
        Planned("gxj-tax-contribution", PAID, 90),
        Planned("gxj-tax-contribution", PAID, 61),
        Planned("gxj-tax-contribution", PAYMENT_FAILED, 18),
        Planned("gxj-digital-upgrade", PAID, 70),
        Planned("gxj-digital-upgrade", PAYING, 13),
        Planned("gxj-digital-upgrade", REJECTED, 22),
        # 市人力资源和社会保障局
        Planned("rsj-job-stabilisation", PAID, 106, chuangguan),
        Planned("rsj-job-stabilisation", PAID, 86),
        Planned("rsj-job-stabilisation", PAID, 67),
        Planned("rsj-job-stabilisation", PAID, 50),
        Planned("rsj-job-stabilisation", PAID, 28),
        Planned("rsj-job-stabilisation", PAYING, 15),
        Planned("rsj-job-stabilisation", NOTICE, 4),
        Planned("rsj-job-stabilisation", OVERDUE, 20),
        Planned("rsj-talent-housing", PAID, 74),
        Planned("rsj-talent-housing", RETURNED, 6),
        Planned("rsj-talent-housing", APPEALED, 11),
        Planned("rsj-graduate-hiring", PAID, 94),
        Planned("rsj-graduate-hiring", PAID, 31),
        Planned("rsj-graduate-hiring", WITHDRAWN, 9),
        Planned("rsj-graduate-hiring", "accept", 1),
        # 市商务局
        Planned("swj-first-export", PAID, 82),
        Planned("swj-first-export", PAID, 38),
        Planned("swj-first-export", "disburse", 11),
        Planned("swj-cross-border", PAID, 56),
        Planned("swj-cross-border", "review", 3),
        Planned("swj-cross-border", REJECTED, 27),
        Planned("swj-foreign-capital", PAID, 62),
        Planned("swj-foreign-capital", OBJECTION, 6),
        # 市市场监督管理局
        Planned("scjg-time-honoured", PAID, 66),
        Planned("scjg-quality-award", PAID, 104),
        Planned("scjg-quality-award", "recheck", 4),
        Planned("scjg-brand", PAID, 47),
        Planned("scjg-brand", PAYMENT_FAILED, 21),
        Planned("scjg-brand", REJECTED, 35),
    ]


# What officials write; the enterprise's side.
RETURN_REQUESTS = (
    "请补充上传加盖公章的完整版材料，现有扫描件第3页缺失。",
    "专项审计报告未附审计机构执业资质，请补充。",
    "请补充近三个月社保缴纳明细，核对参保人数。",
)
ANSWERS = (
    "已补充上传加盖公章的完整版材料，请审核。",
    "已补充审计机构执业证书复印件。",
    "已上传近三个月社保缴纳明细。",
)
REJECT_REASONS = (
    "经核查，申报的出口额中含一般贸易出口，跨境电商出口额未达到500万元。",
    "企业上年度存在重大税收违法失信记录，不符合申报条件。",
    "申报材料与海关统计数据不一致，且企业未能在限期内说明。",
    "经核查，相关资质已于申报前被撤销，不符合奖励条件。",
)
APPEALS = (
    "我司研发费用已经专项审计，金额准确，请求重新审核。",
    "我司资质在申报时仍在有效期内，附有关部门证明，请求复核。",
)
NOTICE_OBJECTIONS = (
    "该企业近一年内曾受到安全生产行政处罚，是否仍符合奖励条件，请核实。",
    "该企业申报的到资额中可能包含境内关联方借款，请核实资金来源。",
)


@dataclass
class Context:
    today: dt.date
    now_limit: dt.datetime
    policies: dict[str, Any]  # code → Policy
    specs: dict[str, DemoPolicy]
    users: dict[int, User]  # enterprise id → its user
    used: set[tuple[str, int]]
    say: Callable[[str], None]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone()
    )


def _workdays_before(day: dt.date, n: int) -> dt.date:
    cal = current_calendar()
    day = day if cal.is_working_day(day) else cal.previous_working_day(day)
    return cal.add_working_days(day, -n) if n else day


def _next_day(t: dt.datetime, n: int, seed: int) -> dt.datetime:
    """`n` working days after `t`, in office hours (a time fixed by `seed`)."""
    cal = current_calendar()
    day = timezone.localtime(t).date()
    day = cal.add_working_days(day, n) if n else day
    return max(_local(day, 9 + seed % 7, (seed * 13) % 60), t + dt.timedelta(minutes=5))


def _later(t: dt.datetime, minutes: int) -> dt.datetime:
    return t + dt.timedelta(minutes=minutes)


def _material(name: str) -> io.BytesIO:
    """A small PDF standing in for the scanned document an enterprise uploads."""
    data = io.BytesIO(b"%PDF-1.4\n% Qinqing demo material\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    data.name = f"{name}.pdf"
    return data


def _files(spec: DemoPolicy, *, required_only: bool = True) -> dict[str, list[io.BytesIO]]:
    return {
        m["key"]: [_material(m["name"])]
        for m in spec.materials
        if m.get("required", True) or not required_only
    }


def enterprise_user(enterprise: Enterprise, users: dict[int, User]) -> User:
    """The enterprise's user on the platform: the demo login if it has one, otherwise an
    account without a password (it never logs in; it stands for the person who acted)."""
    user = users.get(enterprise.pk)
    if user is None:
        user = user_create(
            actor=None,
            username=f"qy{enterprise.pk}",
            password=None,
            display_name=f"{enterprise.legal_representative or '企业'}（{enterprise.name}）"[:150],
        )
        role_assign(actor=None, user=user, role=Role.ENTERPRISE, enterprise=enterprise)
        users[enterprise.pk] = user
    return user


def _pick_enterprise(ctx: Context, item: Planned, star_ids: set[int]) -> Enterprise | None:
    from qinqing.policies.models import Invitation, InvitationStatus

    spec = ctx.specs[item.policy]
    policy = ctx.policies[item.policy]
    found: Enterprise | None
    if item.enterprise:
        found = Enterprise.objects.get(credit_code=item.enterprise)
    elif spec.application:
        assert spec.applicants is not None
        taken = [pk for code, pk in ctx.used if code == item.policy]
        found = (
            Enterprise.objects.filter(spec.applicants)
            .filter(
                status=EnterpriseStatus.ACTIVE, bank_account_verified=True, region_code__startswith="3505"
            )
            .exclude(pk__in=[*star_ids, *taken])
            .distinct()
            .order_by("credit_code")
            .first()
        )
    else:
        taken = [pk for code, pk in ctx.used if code == item.policy]
        invitation = (
            Invitation.objects.filter(
                policy=policy,
                status=InvitationStatus.OPEN,
                enterprise__bank_account_verified=True,
            )
            .exclude(enterprise_id__in=[*star_ids, *taken])
            .select_related("enterprise")
            .order_by("enterprise__credit_code")
            .first()
        )
        found = invitation.enterprise if invitation is not None else None
    if found is not None:
        ctx.used.add((item.policy, found.pk))
    return found


def _actor_for(case: Any, step: Any) -> User:
    """Who takes the step: its assignee (chosen by the service among those who may act,
    and checked again by the service when they act), else the first official who may."""
    from qinqing.policies.services.cases import eligible_step_actors

    if step.assignee is not None:
        return step.assignee
    for user in eligible_step_actors(case, step.role):
        return user
    raise RuntimeError(f"no official may take step {step.key} of {case.reference}")


def _objection_handler(case: Any) -> User:
    from qinqing.policies.services.cases import eligible_step_actors

    people = eligible_step_actors(case, Role.DEPARTMENT_HEAD) + eligible_step_actors(case, Role.OFFICER)
    if not people:
        raise RuntimeError(f"no official left to decide the objection on {case.reference}")
    return people[0]


def _treasury_rejecting() -> Callable[[], None]:
    """Tell the simulated treasury to refuse transfers; returns how to restore what was
    in force (the behaviour and rates, whether they came from the admin or settings)."""
    from qinqing.payments.gateways.treasury import treasury_behaviour
    from qinqing.payments.models import TreasuryBehaviour
    from qinqing.payments.services import treasury_mode_set

    before = treasury_behaviour()
    treasury_mode_set(actor=None, behaviour=TreasuryBehaviour.REJECT)

    def restore() -> None:
        treasury_mode_set(
            actor=None,
            behaviour=before.behaviour,
            fail_rate=before.fail_rate,
            timeout_rate=before.timeout_rate,
            duplicate_rate=before.duplicate_rate,
            unavailable_rate=before.unavailable_rate,
        )

    return restore


def _script(ctx: Context, n: int, item: Planned, enterprise: Enterprise) -> Generator[dt.datetime]:  # noqa: PLR0911, PLR0912, PLR0915
    """One case's life; yields the time of each next action."""
    from qinqing.payments.models import PaymentInstruction
    from qinqing.payments.services import payment_send
    from qinqing.policies.models import Case, Invitation, InvitationStatus, StepKind
    from qinqing.policies.services.cases import (
        case_answer,
        case_apply,
        case_approve,
        case_reject,
        case_return,
        case_withdraw,
        invitation_confirm,
        notices_close,
        objection_decide,
        objection_lodge,
        open_step,
        payment_key,
    )

    spec = ctx.specs[item.policy]
    policy = ctx.policies[item.policy]
    same_day = len(spec.steps) <= 3  # the scenic award: three officials in one day
    applicant = enterprise_user(enterprise, ctx.users)

    t = _local(_workdays_before(ctx.today, item.start), 9 + n % 3, (n * 7) % 60)
    yield t
    if spec.application:
        facts = spec.facts(enterprise) if spec.facts else {}
        case = case_apply(
            actor=applicant, policy=policy, enterprise=enterprise, facts=facts, files=_files(spec)
        )
    else:
        invitation = Invitation.objects.get(
            policy=policy, enterprise=enterprise, status=InvitationStatus.OPEN
        )
        case = invitation_confirm(actor=applicant, invitation=invitation)

    def gap(days: int) -> dt.datetime:
        if same_day:
            return _later(t, 35 + (n * 11) % 50)
        return _next_day(t, days, n)

    if item.outcome == WITHDRAWN:
        t = gap(1)
        yield t
        case_withdraw(actor=applicant, case=case, reason="企业经营计划调整，暂不申报。")
        return

    for position, plan_step in enumerate(case.steps_plan):
        key, kind = plan_step["key"], plan_step["kind"]
        case = Case.objects.get(pk=case.pk)
        if item.outcome == key:
            return  # waits at this step
        if kind == StepKind.NOTICE:
            if item.outcome == NOTICE:
                return
            if item.outcome == OBJECTION:
                t = _next_day(t, 1, n)
                yield t
                objection_lodge(
                    actor=None,
                    case=case,
                    text=NOTICE_OBJECTIONS[n % len(NOTICE_OBJECTIONS)],
                    contact="1590595" + f"{(n * 7919) % 10000:04d}",
                )
                return
            step = open_step(case)
            assert step is not None
            # The notice ends by itself on the first day after its period.
            t = max(_local(step.due_date + dt.timedelta(days=1), 8, 30 + n % 20), t)
            yield t
            notices_close()
            continue
        # A review or payment step: the official acts after a working day or so (cases
        # of the last weeks at a steady pace, older ones at a pace that varies).
        t = gap(0 if position == 0 else 1 + (n + position) % 3 if item.start >= RECENT else 1)
        if item.outcome == OVERDUE and key == "review":
            return
        yield t
        case = Case.objects.get(pk=case.pk)
        step = open_step(case)
        assert step is not None
        official = _actor_for(case, step)
        examining = key == "review" and kind == StepKind.REVIEW
        if examining and item.outcome in (RETURNED, RETURNED_THEN_PAID):
            case_return(
                actor=official,
                case=case,
                request=RETURN_REQUESTS[n % len(RETURN_REQUESTS)],
                revision=case.revision,
            )
            if item.outcome == RETURNED:
                return
            t = _next_day(t, 3, n)
            yield t
            case = case_answer(
                actor=applicant,
                case=Case.objects.get(pk=case.pk),
                answer=ANSWERS[n % len(ANSWERS)],
                files=_files(spec),
            )
            t = _next_day(t, 1, n)
            yield t
            case = Case.objects.get(pk=case.pk)
        if examining and item.outcome in (REJECTED, APPEALED, APPEAL_DISMISSED):
            case = case_reject(
                actor=official,
                case=case,
                reason=REJECT_REASONS[n % len(REJECT_REASONS)],
                revision=case.revision,
            )
            if item.outcome == REJECTED:
                return
            t = _next_day(t, 2, n)
            yield t
            objection = objection_lodge(actor=applicant, case=case, text=APPEALS[n % len(APPEALS)])
            if item.outcome == APPEALED:
                return
            t = _next_day(t, 3, n)
            yield t
            objection_decide(
                actor=_objection_handler(case),
                objection=objection,
                uphold=False,
                reply="经复核，原审核意见事实清楚、依据充分，维持不予奖励的决定。",
            )
            return
        case = case_approve(actor=official, case=case, revision=case.revision, comment="材料齐全，符合条件。")
        if kind == StepKind.PAYMENT:
            if item.outcome == PAYING:
                return
            t = _later(t, 3 + n % 20)
            yield t
            instruction = PaymentInstruction.objects.get(key=payment_key(case))
            if item.outcome == PAYMENT_FAILED:
                restore = _treasury_rejecting()
                try:
                    payment_send(instruction_id=instruction.pk)
                finally:
                    restore()
            else:
                payment_send(instruction_id=instruction.pk)
            return


def run_history(ctx: Context, clock: DemoClock, stars: dict[str, str]) -> dict[str, int]:
    """Run every planned case in time order; returns how many cases there are by status."""
    star_ids = set(Enterprise.objects.filter(credit_code__in=stars.values()).values_list("pk", flat=True))
    queue: list[tuple[dt.datetime, int, Generator[dt.datetime]]] = []
    skipped: list[str] = []
    for n, item in enumerate(plan(stars)):
        enterprise = _pick_enterprise(ctx, item, star_ids)
        if enterprise is None:
            skipped.append(item.policy)
            continue
        script = _script(ctx, n, item, enterprise)
        heapq.heappush(queue, (next(script), n, script))
    while queue:
        at, n, script = heapq.heappop(queue)
        if at > ctx.now_limit:
            # Not yet due today (the demo was loaded early in the morning, say): the
            # case waits where it is.
            script.close()
            continue
        clock.set(at)
        try:
            following = next(script)
        except StopIteration:
            continue
        heapq.heappush(queue, (following, n, script))
    if skipped:
        ctx.say(f"  (no suitable enterprise for: {', '.join(sorted(set(skipped)))})")
    from qinqing.policies.models import Case

    return dict(Case.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


__all__ = ["Context", "Planned", "enterprise_user", "plan", "run_history"]
