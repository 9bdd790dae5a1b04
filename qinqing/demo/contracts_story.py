"""How each demo project's year went, as small scripts run on the demo clock.

A script is a generator: it yields the time of its next action, then takes it through
the contract services as the person who would (the committee member, an officer of the
owing bureau, the enterprise's user). `Runner` runs every script in time order and runs
the daily deadline scan for each day that passes, so reminders, warnings and alarms fire
on the days they would have.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
from collections.abc import Callable, Generator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from qinqing.accounts.models import Organisation, User
from qinqing.contracts import services
from qinqing.contracts.models import EventKey, FulfilmentClaim, Obligation, RemedyPlan
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.deadlines.scan import alerts_notify, deadlines_scan
from qinqing.enterprises.models import Enterprise
from qinqing.workdays.calendar import current_calendar

from .clock import DemoClock
from .contracts_data import Plan
from .contracts_ledger import Ledger, build_ledger, dates_for

Script = Generator[dt.datetime]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone()
    )


class Runner:
    """Scripts in time order on the demo clock, with the nightly scan of every day."""

    def __init__(self, clock: DemoClock, first_day: dt.date, today: dt.date) -> None:
        self.clock = clock
        self.today = today
        self.scanned = first_day - dt.timedelta(days=1)
        self.queue: list[tuple[dt.datetime, int, Script]] = []
        self.count = 0
        self.alerts = 0

    def spawn(self, script: Script) -> None:
        try:
            at = next(script)
        except StopIteration:
            return
        self._push(at, script)

    def _push(self, at: dt.datetime, script: Script) -> None:
        if timezone.localtime(at).date() >= self.today:
            raise RuntimeError(f"a demo contract action is planned for {at}, not before today")
        heapq.heappush(self.queue, (at, self.count, script))
        self.count += 1

    def scan_until(self, day: dt.date) -> None:
        """The nightly scan of each day up to `day`, as the scheduler would have run it."""
        while self.scanned < day:
            self.scanned += dt.timedelta(days=1)
            if not Deadline.objects.filter(
                status=DeadlineStatus.OPEN, paused=False, next_rung_on__lte=self.scanned
            ).exists():
                continue  # the scan would find nothing to fire
            self.clock.set(local(self.scanned, 1))
            scanned = deadlines_scan(today=self.scanned)
            self.alerts += scanned.alerts
            if scanned.alert_ids:
                # What the scan's queued job does, done now so the inbox and digests carry
                # the day; the job finds it done when the worker runs it.
                alerts_notify(first_alert_id=min(scanned.alert_ids), last_alert_id=max(scanned.alert_ids))

    def run(self) -> None:
        while self.queue:
            at, _n, script = heapq.heappop(self.queue)
            self.scan_until(timezone.localtime(at).date())
            self.clock.set(at)
            try:
                following = next(script)
            except StopIteration:
                continue
            self._push(following, script)
        self.scan_until(self.today - dt.timedelta(days=1))


@dataclass
class Cast:
    committee: User  # the committee member who enters the projects and answers the enterprises
    land_office: User
    approval_bureau: User
    construction_bureau: User
    enterprise_user: Callable[[Enterprise], User]


def evidence(name: str) -> io.BytesIO:
    """A small PDF standing in for the scanned document attached to a claim."""
    data = io.BytesIO(b"%PDF-1.4\n% Qinqing demo evidence: " + name.encode() + b"\n%%EOF\n")
    data.name = f"{name}.pdf"
    return data


def _fresh(obligation: Obligation) -> Obligation:
    return Obligation.objects.get(pk=obligation.pk)


def _open_claim(obligation: Obligation) -> FulfilmentClaim:
    return FulfilmentClaim.objects.filter(obligation=obligation).latest("claimed_at", "id")


class ProjectStory:
    """The scripts of one project: entered on the platform with its land already
    delivered, then its permit, construction, utilities, remedy plans and claims."""

    def __init__(
        self,
        *,
        plan: Plan,
        index: int,
        reference: str,
        enterprise: Enterprise,
        cast: Cast,
        orgs: dict[str, Organisation],
        today: dt.date,
        entry: dt.date,
        runner: Runner,
    ) -> None:
        self.plan = plan
        self.index = index
        self.reference = reference
        self.enterprise = enterprise
        self.cast = cast
        self.orgs = orgs
        self.today = today
        self.entry = entry
        self.runner = runner
        self.calendar = current_calendar()
        self.ledger: Ledger | None = None

    # --- dates -----------------------------------------------------------------------------

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def office_day(self, day: dt.date) -> dt.date:
        """The first working day on or after `day`, but never today or later."""
        on = self.calendar.working_day_on_or_after(day)
        last = self.calendar.previous_working_day(self.today)
        return min(on, last)

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return local(day, hour, (self.index * 7) % 50)

    def ob(self, key: str) -> Obligation:
        assert self.ledger is not None
        return _fresh(self.ledger.obligations[key])

    @property
    def owner(self) -> User:
        return self.cast.enterprise_user(self.enterprise)

    # --- the claim loop ------------------------------------------------------------------

    def claim(
        self, key: str, by: User, met_on: dt.date, document: str, achieved: Decimal | None = None
    ) -> None:
        services.obligation_claim(
            actor=by,
            obligation=self.ob(key),
            met_on=met_on,
            achieved_value=achieved,
            files=[evidence(document)],
        )

    def confirm(self, key: str, by: User) -> None:
        services.claim_confirm(actor=by, claim=_open_claim(self.ob(key)))

    # --- scripts -------------------------------------------------------------------------

    def entered(self) -> Script:
        """The committee puts the project on the platform; the land office records the
        clearance and the delivery of the land, which the enterprise confirms."""
        plan, cast = self.plan, self.cast
        dates = dates_for(plan, self.index, self.today)
        yield self.at(self.entry, 9)
        self.ledger = build_ledger(
            plan=plan,
            index=self.index,
            reference=self.reference,
            enterprise=self.enterprise,
            committee_member=cast.committee,
            orgs=self.orgs,
            today=self.today,
        )
        yield self.at(self.entry, 10)
        self.claim("clearance", cast.land_office, dates.clearance_met, "征迁完成确认书")
        self.claim("land_delivery", cast.land_office, dates.land_met, "土地交付确认书")
        yield self.at(self.entry, 11)
        self.confirm("clearance", self.owner)
        self.confirm("land_delivery", self.owner)
        for script in (self.permit(), self.construction(), self.remedy(), self.first_phase()):
            self.runner.spawn(script)

    def permit(self) -> Script:
        plan, cast = self.plan, self.cast
        if plan.applied is None:
            return
        applied = self.office_day(self.ago(plan.applied))
        yield self.at(applied, 10)
        services.event_record(
            actor=self.owner,
            project=self.ob("permit").project,
            key=EventKey.PERMIT_APPLIED,
            occurred_on=applied,
        )
        if plan.permit_plan:
            # The bureau misses its 10 working days (the fire safety review asked for more
            # drawings); its alarm fires, it answers with a plan, the committee accepts.
            due = self.ob("permit").due_date
            assert due is not None
            submitted = self.office_day(due + dt.timedelta(days=3))
            yield self.at(submitted, 10)
            services.plan_submit(
                actor=cast.approval_bureau,
                obligation=self.ob("permit"),
                cause="消防设计审查意见要求补充疏散通道及防火分区图纸，企业补正材料后需重新组织并联审查。",
                remedy="已安排专人对接设计单位，补正材料到件后3个工作日内完成审查并核发施工许可证。",
                proposed_date=due + dt.timedelta(days=21),
            )
            yield self.at(self.office_day(submitted + dt.timedelta(days=2)), 15)
            services.plan_decide(
                actor=cast.committee,
                plan=RemedyPlan.objects.filter(obligation=self.ob("permit")).latest("submitted_at", "id"),
                accept=True,
                reason="原因属实，整改措施可行，同意按新时限办结。",
            )
            issued = self.office_day(due + dt.timedelta(days=14))
        else:
            issued = self.office_day(self.calendar.add_working_days(applied, plan.issued_after))
            if plan.started is not None:
                issued = min(issued, self.ago(plan.started + 1))
            issued = max(issued, applied)
        yield self.at(issued, 15)
        self.claim("permit", cast.approval_bureau, issued, "建筑工程施工许可证")
        if not plan.permit_confirmed:
            return  # the enterprise has yet to confirm it
        yield self.at(self.office_day(issued + dt.timedelta(days=1)), 10)
        self.confirm("permit", self.owner)

    def construction(self) -> Script:
        plan, cast = self.plan, self.cast
        if plan.started is None:
            return
        started = self.ago(plan.started)
        claimed = self.office_day(started + dt.timedelta(days=1))
        yield self.at(claimed, 10)
        self.claim("construction_start", self.owner, started, "开工报告及现场照片")
        yield self.at(self.office_day(claimed + dt.timedelta(days=1)), 15)
        self.confirm("construction_start", cast.committee)
        for key, after, document in (
            ("water", plan.water_after_start, "供水接入验收单"),
            ("power", plan.power_after_start, "供电接入验收单"),
        ):
            if after is None:
                continue
            connected = self.office_day(started + dt.timedelta(days=after))
            yield self.at(connected, 14)
            self.claim(key, cast.construction_bureau, connected, document)
            answered = self.office_day(connected + dt.timedelta(days=2))
            yield self.at(answered, 16)
            if key == "power" and plan.power_disputed:
                services.claim_dispute(
                    actor=self.owner,
                    claim=_open_claim(self.ob(key)),
                    reason="目前仅接通临时施工用电，合同约定的10千伏专线尚未送电，不能视为已履约。",
                )
            else:
                self.confirm(key, self.owner)

    def remedy(self) -> Script:
        """Construction did not start by its deadline: the alarm fires; the enterprise
        answers with a plan (or not yet), the committee accepts it (or not yet)."""
        plan, cast = self.plan, self.cast
        if plan.plan_after_due is None:
            return
        yield self.at(self.entry + dt.timedelta(days=1), 16)
        due = self.ob("construction_start").due_date
        assert due is not None
        submitted = self.office_day(due + dt.timedelta(days=plan.plan_after_due))
        yield self.at(submitted, 10)
        services.plan_submit(
            actor=self.owner,
            obligation=self.ob("construction_start"),
            cause="受主要设备供应商交付延期及施工图设计调整影响，施工许可申报材料未能按期备齐。",
            remedy="已更换设计单位并完成施工图审查，施工总承包招标已定标，计划在新日期前办妥施工许可并开工。",
            proposed_date=self.today + dt.timedelta(days=plan.plan_new_date),
        )
        if not plan.plan_decided:
            return  # awaits the committee
        yield self.at(self.office_day(submitted + dt.timedelta(days=3)), 15)
        services.plan_decide(
            actor=cast.committee,
            plan=RemedyPlan.objects.filter(obligation=self.ob("construction_start")).latest(
                "submitted_at", "id"
            ),
            accept=True,
            reason="经现场核实，延期原因属实，同意调整开工时间，请按整改计划推进。",
        )

    def first_phase(self) -> Script:
        plan, cast = self.plan, self.cast
        if plan.first_phase is None:
            return
        _due, claimed_ago, percent = plan.first_phase
        if claimed_ago is None:
            return
        claimed = self.office_day(self.ago(claimed_ago))
        target = self.ob("first_phase").target_value
        assert target is not None
        yield self.at(claimed, 11)
        self.claim(
            "first_phase",
            self.owner,
            claimed - dt.timedelta(days=1),
            "一期固定资产投资专项审计报告",
            achieved=(target * percent / 100).quantize(Decimal("0.01")),
        )
        if not plan.first_phase_confirmed:
            return  # awaits the committee
        yield self.at(self.office_day(claimed + dt.timedelta(days=2)), 15)
        self.confirm("first_phase", cast.committee)


__all__ = ["Cast", "ProjectStory", "Runner", "evidence", "local"]
