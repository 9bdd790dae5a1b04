"""The Taishang zone's contract-fulfilment demo (政企合同双兑现) as `seed_demo` loads it
through the contract services, and the walk it leaves ready: the committee answers an
alarm and confirms a fulfilment, the enterprise answers its own on a phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Organisation, User
from qinqing.contracts import reports, services
from qinqing.contracts.models import (
    ClaimStatus,
    Clause,
    ContractKind,
    DueChangeReason,
    FulfilmentClaim,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    Project,
    RemedyPlan,
)
from qinqing.contracts.ocds import project_release_package, validate_package
from qinqing.contracts.selectors import allowed_actions, projects_visible, with_alarm_state
from qinqing.deadlines.models import Alert, RungName
from qinqing.demo.contracts import CONTRACT_USERS, TOUZI_CODE
from qinqing.demo.seeding import DEMO_PASSWORD, logins
from qinqing.enterprises import credit_code
from qinqing.notifications.models import DigestItem, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    call_command("seed_demo", "--enterprises", "60")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 20


def _alarm_states() -> dict[int, str]:
    return dict(
        with_alarm_state(Obligation.objects.all()).exclude(alarm_state="").values_list("pk", "alarm_state")
    )


# Loading the demo costs tens of seconds: one test reads the loaded zone through the
# checks below, then walks what the demo leaves for the committee and the enterprise.


def test_the_zone_s_contract_demo(demo_city):
    # Given the demo loaded through the services, then:
    check_26_zone_projects_with_land_supplied_and_contracts_on_both_sides()
    check_8_started_within_the_deadline_some_3_to_4_months_early()
    check_alarms_fired_answered_accepted_awaiting_and_one_unanswered()
    check_claims_confirmed_partly_met_disputed_and_awaiting()
    check_lateness_is_judged_by_the_contracts_dates()
    check_the_committee_s_work_list_holds_the_two_claims_waiting()
    check_every_project_s_ocds_package_validates()
    check_the_enterprise_login_sees_only_its_own_projects()
    check_the_zone_s_supervisor_reads_all_and_heard_the_escalations()
    check_the_zone_s_logins_work()
    check_the_pages_show_the_zone_to_the_committee_and_its_own_to_the_enterprise()
    # And the walk:
    walk_the_committee_answers_an_alarm_and_confirms_a_fulfilment()
    walk_the_enterprise_answers_its_alarm_and_confirms_the_permit()


def check_26_zone_projects_with_land_supplied_and_contracts_on_both_sides() -> None:
    zone = Organisation.objects.get(code="tsq")
    projects = list(Project.objects.select_related("enterprise", "committee"))
    assert len(projects) == 26
    assert {p.committee_id for p in projects} == {zone.pk}
    assert projects_visible(_user("guanwei")).count() == 26
    for project in projects:
        assert credit_code.is_valid(project.enterprise.credit_code)
        assert Decimal("10000000") <= project.planned_investment <= Decimal("5000000000")
        assert project.land_parcel.endswith("号地块") and project.land_area_mu
        kinds = {c.kind for c in project.contracts.all()}
        assert {ContractKind.INVESTMENT_AGREEMENT, ContractKind.LAND_TRANSFER} <= kinds, project.name
        obligations = list(project.obligations.all())
        assert {o.obligor_side for o in obligations} == {ObligorSide.ENTERPRISE, ObligorSide.GOVERNMENT}
        delivery = [o for o in obligations if o.kind == ObligationKind.LAND_DELIVERY]
        assert len(delivery) == 1 and delivery[0].status == ObligationStatus.MET, project.name
        assert delivery[0].days_early is not None and delivery[0].days_early >= 0
        clauses = Clause.objects.filter(contract__project=project)
        assert clauses.count() >= 10 and all(_chinese(c.text) for c in clauses), project.name
    assert Project.objects.filter(contracts__kind=ContractKind.SUPPLEMENTARY).distinct().count() >= 2
    # Both sides owe: land, permits, utilities, subsidies; investment, building, production, output, tax.
    assert set(Obligation.objects.values_list("kind", flat=True)) >= {
        ObligationKind.LAND_CLEARANCE,
        ObligationKind.LAND_DELIVERY,
        ObligationKind.PERMIT,
        ObligationKind.UTILITY_WATER,
        ObligationKind.UTILITY_POWER,
        ObligationKind.SUBSIDY,
        ObligationKind.INVESTMENT,
        ObligationKind.CONSTRUCTION_START,
        ObligationKind.PRODUCTION_START,
        ObligationKind.OUTPUT_TARGET,
        ObligationKind.TAX_TARGET,
    }
    departments = set(
        Obligation.objects.filter(obligor_side=ObligorSide.GOVERNMENT).values_list(
            "obligor_department__code", flat=True
        )
    )
    assert departments == {"tsq-zrzy", "tsq-spj", "tsq-zjj", "tsq-jjfz"}


def check_8_started_within_the_deadline_some_3_to_4_months_early() -> None:
    today = timezone.localdate()
    started = list(
        Obligation.objects.filter(kind=ObligationKind.CONSTRUCTION_START, status=ObligationStatus.MET)
    )
    assert len(started) == 8
    assert all(o.days_early is not None and o.days_early > 0 for o in started)
    assert all(o.met_on is not None and o.met_on < today for o in started)
    early = [o for o in started if o.days_early is not None and 90 <= o.days_early <= 125]
    assert len(early) >= 3
    # Each of them had its permit issued first, and within its working days.
    for obligation in started:
        permit = Obligation.objects.get(project=obligation.project, kind=ObligationKind.PERMIT)
        assert permit.status == ObligationStatus.MET
        assert (
            permit.met_on is not None and obligation.met_on is not None and permit.met_on <= obligation.met_on
        )
        assert permit.days_early is not None and permit.days_early >= 0
    # The history spans the demo's year: land handed over up to about a year ago.
    deliveries = Obligation.objects.filter(kind=ObligationKind.LAND_DELIVERY).values_list("met_on", flat=True)
    assert any(day is not None and today - day > dt.timedelta(days=240) for day in deliveries)


def check_alarms_fired_answered_accepted_awaiting_and_one_unanswered() -> None:
    today = timezone.localdate()
    states = _alarm_states()
    assert list(states.values()).count("open") == 1
    assert list(states.values()).count("answered") >= 1
    unanswered = Obligation.objects.select_related("project__enterprise").get(
        pk=next(pk for pk, s in states.items() if s == "open")
    )
    assert unanswered.project.enterprise.credit_code == TOUZI_CODE
    assert unanswered.due_date is not None and unanswered.due_date < today
    # The alarm was fired by the nightly scan of the day after the due date, not at load.
    alarm = Alert.objects.get(deadline=unanswered.deadline, rung=RungName.ALARM, due_date=unanswered.due_date)
    assert alarm.fired_on < today
    # Plans accepted by the committee: the due date moved, the original kept, the alarm
    # of the original date on record; on both sides (an enterprise and the approval bureau).
    accepted = list(RemedyPlan.objects.filter(status=PlanStatus.ACCEPTED).select_related("obligation"))
    assert len(accepted) >= 3
    assert {p.obligation.obligor_side for p in accepted} == {ObligorSide.ENTERPRISE, ObligorSide.GOVERNMENT}
    for plan in accepted:
        obligation = plan.obligation
        assert obligation.original_due_date == plan.due_date != obligation.due_date
        assert obligation.due_date == plan.proposed_date or obligation.status == ObligationStatus.MET
        assert obligation.due_changes.filter(reason=DueChangeReason.PLAN_ACCEPTED).exists()
        assert Alert.objects.filter(
            deadline__object_id=str(obligation.pk), rung=RungName.ALARM, due_date=plan.due_date
        ).exists()
        assert states.get(obligation.pk, "") == ""
    awaiting = RemedyPlan.objects.get(status=PlanStatus.SUBMITTED)
    assert states[awaiting.obligation_id] == "answered"


def check_claims_confirmed_partly_met_disputed_and_awaiting() -> None:
    confirmed = FulfilmentClaim.objects.filter(status=ClaimStatus.CONFIRMED)
    assert confirmed.filter(obligation__obligor_side=ObligorSide.GOVERNMENT).count() >= 52
    assert confirmed.filter(obligation__obligor_side=ObligorSide.ENTERPRISE).count() >= 8
    assert all(c.evidence.exists() for c in confirmed[:20])
    partly = Obligation.objects.get(status=ObligationStatus.PARTLY_MET)
    assert partly.target_value is not None
    assert partly.achieved_value == partly.target_value * Decimal("0.7")
    disputed = FulfilmentClaim.objects.get(status=ClaimStatus.DISPUTED)
    assert disputed.obligation.status == ObligationStatus.DISPUTED
    assert disputed.obligation.obligor_side == ObligorSide.GOVERNMENT and disputed.dispute_reason
    assert "decide" in allowed_actions(_user("guanwei"), disputed.obligation)
    # Nothing disputed, claimed or partly met is overdue: the one open alarm stays the only one.
    pending = FulfilmentClaim.objects.filter(status=ClaimStatus.PENDING).select_related("obligation")
    assert {c.obligation.obligor_side for c in pending} == {ObligorSide.ENTERPRISE, ObligorSide.GOVERNMENT}


def check_lateness_is_judged_by_the_contracts_dates() -> None:
    today = timezone.localdate()
    # The approval bureau's permit: due on the contract's date, alarmed, rescheduled by an
    # accepted plan, issued a fortnight after the contract's date (before the plan's).
    permit = Obligation.objects.get(kind=ObligationKind.PERMIT, plans__status=PlanStatus.ACCEPTED)
    assert permit.status == ObligationStatus.MET and permit.original_due_date is not None
    assert permit.original_due_date < permit.met_on <= permit.due_date  # type: ignore[operator]
    assert permit.days_early == -14
    summary = reports.fulfilment_summary(Obligation.objects.all(), today=today)
    government, enterprise = summary["government"], summary["enterprise"]
    assert (government["met_late"], government["met_late_remedied"]) == (1, 1)
    assert government["fulfilment_rate"] is not None and government["fulfilment_rate"] < 1
    # Five construction starts past the contract's date: three rescheduled by accepted
    # plans, one whose plan awaits the committee, one unanswered.
    assert (enterprise["overdue_open"], enterprise["rescheduled"]) == (5, 3)
    assert enterprise["met_on_time"] == 8 and enterprise["due_so_far"] == 14
    public = Client().get(reverse("contracts:public"))
    assert public.context["government"]["met_late"] == 1 and public.context["government_rate"] < 100


def check_the_committee_s_work_list_holds_the_two_claims_waiting() -> None:
    page = _client("guanwei").get(reverse("contracts:claims"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == 2
    assert {row.obligation.obligor_side for row in rows} == {ObligorSide.ENTERPRISE, ObligorSide.GOVERNMENT}
    assert [row.claim.claimed_at for row in rows] == sorted(row.claim.claimed_at for row in rows)
    # The claimed first-phase investment was reminded on the load's scan: to the
    # committee that is to confirm it, not to the enterprise that claimed it.
    claimed = next(row.obligation for row in rows if row.obligation.obligor_side == ObligorSide.ENTERPRISE)
    alerts = list(Alert.objects.filter(deadline_id=claimed.deadline_id, rung=RungName.REMINDER))
    assert alerts
    for alert in alerts:
        told = set(
            DigestItem.objects.filter(event_key=f"deadline-alert:{alert.pk}").values_list(
                "recipient__username", flat=True
            )
        )
        assert "guanwei" in told and not told & set(
            User.objects.filter(role_assignments__enterprise=claimed.project.enterprise).values_list(
                "username", flat=True
            )
        )


def check_every_project_s_ocds_package_validates() -> None:
    for project in Project.objects.all():
        assert validate_package(project_release_package(project)) == [], project.name


def check_the_enterprise_login_sees_only_its_own_projects() -> None:
    touzi = _user("touzi")
    mine = set(projects_visible(touzi).values_list("pk", flat=True))
    assert mine == set(
        Project.objects.filter(enterprise__credit_code=TOUZI_CODE).values_list("pk", flat=True)
    )
    assert len(mine) == 2
    assert Project.objects.exclude(pk__in=mine).count() == 24


def check_the_zone_s_supervisor_reads_all_and_heard_the_escalations() -> None:
    supervisor = _user("tsq-jijian")
    assert projects_visible(supervisor).count() == 26
    alarmed = Obligation.objects.get(pk=next(pk for pk, s in _alarm_states().items() if s == "answered"))
    assert allowed_actions(supervisor, alarmed) == frozenset()
    assert Notification.objects.filter(recipient=supervisor).exists()


def check_the_zone_s_logins_work() -> None:
    names = {name for _role, name, _password in logins()}
    assert {u.username for u in CONTRACT_USERS} <= names
    assert "guanwei" in names
    for spec in CONTRACT_USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, spec.username


def _client(username: str) -> Client:
    client = Client()
    client.force_login(_user(username))
    return client


def check_the_pages_show_the_zone_to_the_committee_and_its_own_to_the_enterprise() -> None:
    theirs = Project.objects.exclude(enterprise__credit_code=TOUZI_CODE).first()
    assert theirs is not None
    committee = _client("guanwei")
    listing = committee.get(reverse("contracts:projects"))
    assert listing.status_code == 200 and theirs.name in listing.content.decode()
    page = committee.get(reverse("contracts:project", args=[theirs.public_id]))
    assert page.status_code == 200 and theirs.land_parcel in page.content.decode()
    phone = _client("touzi").get(reverse("contracts:mine"))
    assert phone.status_code == 200
    text = phone.content.decode()
    for project in Project.objects.filter(enterprise__credit_code=TOUZI_CODE):
        assert project.name in text
    assert theirs.name not in text


def walk_the_committee_answers_an_alarm_and_confirms_a_fulfilment() -> None:
    guanwei = _user("guanwei")
    plan = RemedyPlan.objects.get(status=PlanStatus.SUBMITTED)
    assert "decide_plan" in allowed_actions(guanwei, plan.obligation)
    before = reports.fulfilment_summary(Obligation.objects.all())["enterprise"]
    services.plan_decide(actor=guanwei, plan=plan, accept=True, reason="同意。")
    obligation = Obligation.objects.get(pk=plan.obligation_id)
    assert obligation.due_date == plan.proposed_date
    # Accepting the plan reschedules the ladder, not the record of the miss.
    after = reports.fulfilment_summary(Obligation.objects.all())["enterprise"]
    assert (after["fulfilment_rate"], after["overdue_open"]) == (
        before["fulfilment_rate"],
        before["overdue_open"],
    )
    assert after["rescheduled"] == before["rescheduled"] + 1
    assert _alarm_states().get(obligation.pk, "") == ""
    claim = FulfilmentClaim.objects.get(
        status=ClaimStatus.PENDING, obligation__obligor_side=ObligorSide.ENTERPRISE
    )
    assert "confirm" in allowed_actions(guanwei, claim.obligation)
    services.claim_confirm(actor=guanwei, claim=claim)
    assert Obligation.objects.get(pk=claim.obligation_id).status == ObligationStatus.MET


def walk_the_enterprise_answers_its_alarm_and_confirms_the_permit() -> None:
    touzi = _user("touzi")
    today = timezone.localdate()
    alarmed = Obligation.objects.get(pk=next(pk for pk, s in _alarm_states().items() if s == "open"))
    assert "plan" in allowed_actions(touzi, alarmed)
    services.plan_submit(
        actor=touzi,
        obligation=alarmed,
        cause="设备基础图纸调整。",
        remedy="已完成图纸调整，下月开工。",
        proposed_date=today + dt.timedelta(days=30),
    )
    assert "open" not in _alarm_states().values()
    permit = Obligation.objects.get(
        project__enterprise__credit_code=TOUZI_CODE,
        kind=ObligationKind.PERMIT,
        status=ObligationStatus.CLAIMED,
    )
    assert "confirm" in allowed_actions(touzi, permit)
    services.claim_confirm(
        actor=touzi, claim=FulfilmentClaim.objects.get(obligation=permit, status=ClaimStatus.PENDING)
    )
    assert Obligation.objects.get(pk=permit.pk).status == ObligationStatus.MET
