"""Lateness is judged against the contract's due date: an accepted remedy plan moves the
date the ladder climbs to, never what counts as on time. An obligation met after the
contract's date is late (remedied per plan when met by the plan's date), one still owed
past it is overdue, and serial rescheduling is counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.contracts import reports, services
from qinqing.contracts.models import Obligation, ObligorSide, PlanStatus, RemedyPlan
from qinqing.contracts.views import timeline
from qinqing.contracts.views.browse import page_counts
from qinqing.deadlines.scan import deadlines_scan

from .conftest import D, add_obligation, evidence, reload

DUE = D(2026, 10, 30)
PLAN_DATE = D(2026, 12, 31)


def _plan(zone, ob, *, today, proposed=PLAN_DATE):
    who = zone.enterprise_user if ob.obligor_side == ObligorSide.ENTERPRISE else zone.officer
    plan = services.plan_submit(
        actor=who,
        obligation=reload(ob),
        cause="设备到货延迟",
        remedy="双班作业",
        proposed_date=proposed,
        today=today,
    )
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    return reload(ob)


def _meet(zone, ob, *, met_on, today):
    by = zone.enterprise_user if ob.obligor_side == ObligorSide.ENTERPRISE else zone.officer
    claim = services.obligation_claim(
        actor=by, obligation=reload(ob), met_on=met_on, files=[evidence()], today=today
    )
    confirmer = zone.member if ob.obligor_side == ObligorSide.ENTERPRISE else zone.enterprise_user
    services.claim_confirm(actor=confirmer, claim=claim)
    return reload(ob)


@pytest.fixture
def rescheduled(zone):
    """Construction start due 10-30, missed; the alarm fired; a plan to 12-31 accepted."""
    ob = add_obligation(zone, due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    return _plan(zone, ob, today=D(2026, 11, 2))


def test_an_accepted_plan_keeps_the_contract_s_date(rescheduled):
    assert (rescheduled.due_date, rescheduled.original_due_date) == (PLAN_DATE, DUE)


def test_met_after_the_contract_s_date_is_late_even_by_the_plan_s_date(zone, rescheduled):
    ob = _meet(zone, rescheduled, met_on=D(2026, 11, 20), today=D(2026, 11, 21))
    assert ob.status == "met"
    assert ob.days_early == -21  # against 10-30, not +41 against the plan's 12-31
    assert timeline.tone(ob, D(2026, 11, 22)) == "late"
    assert timeline.remedied_per_plan(ob)
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 11, 22))["enterprise"]
    assert (figures["met_on_time"], figures["met_late"], figures["met_late_remedied"]) == (0, 1, 1)
    assert (figures["due_so_far"], figures["fulfilment_rate"]) == (1, 0.0)
    assert figures["rescheduled"] == 1


def test_owed_past_the_contract_s_date_stays_overdue_after_a_plan(zone, rescheduled):
    today = D(2026, 11, 10)
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=today)["enterprise"]
    assert (figures["overdue_open"], figures["due_so_far"], figures["fulfilment_rate"]) == (1, 1, 0.0)
    assert timeline.tone(rescheduled, today) == "late"
    counts = page_counts([zone.project.pk], today)[zone.project.pk]
    assert counts.enterprise.late == 1


def test_met_by_the_contract_s_date_is_on_time(zone):
    ob = add_obligation(zone, due=DUE)
    ob = _meet(zone, ob, met_on=D(2026, 10, 20), today=D(2026, 10, 21))
    assert ob.days_early == 10
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 11, 22))["enterprise"]
    assert (figures["met_on_time"], figures["met_late"], figures["rescheduled"]) == (1, 0, 0)


def test_serial_rescheduling_is_counted(zone):
    ob = add_obligation(zone, due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    ob = _plan(zone, ob, today=D(2026, 11, 2), proposed=D(2026, 11, 20))
    deadlines_scan(today=D(2026, 11, 22))  # the plan's date missed too: its alarm fires
    ob = _plan(zone, ob, today=D(2026, 11, 23), proposed=PLAN_DATE)
    assert RemedyPlan.objects.filter(obligation=ob, status=PlanStatus.ACCEPTED).count() == 2
    assert (ob.due_date, ob.original_due_date) == (PLAN_DATE, DUE)
    figures = reports.fulfilment_summary(Obligation.objects.all(), today=D(2026, 11, 24))["all"]
    assert (figures["rescheduled"], figures["rescheduled_repeatedly"], figures["overdue_open"]) == (1, 1, 1)


def test_a_starting_point_moving_moves_the_contract_s_date(zone):
    from qinqing.contracts.models import EventKey

    event = services.event_record(
        actor=zone.enterprise_user,
        project=zone.project,
        key=EventKey.PERMIT_APPLIED,
        occurred_on=D(2026, 3, 2),
    )
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, after_event=event, offset=10, unit="calendar")
    assert (ob.due_date, ob.original_due_date) == (D(2026, 3, 12), D(2026, 3, 12))
    services.event_record(
        actor=zone.enterprise_user,
        project=zone.project,
        key=EventKey.PERMIT_APPLIED,
        occurred_on=D(2026, 3, 9),
        today=D(2026, 3, 10),  # before the first date: no miss to move
    )
    ob = reload(ob)
    assert (ob.due_date, ob.original_due_date) == (D(2026, 3, 19), D(2026, 3, 19))


def test_the_obligation_page_says_late_remedied_per_plan(zone, rescheduled):
    ob = _meet(zone, rescheduled, met_on=D(2026, 11, 20), today=D(2026, 11, 21))
    client = Client()
    client.force_login(zone.member)
    page = client.get(reverse("contracts:obligation", args=[ob.public_id])).content.decode()
    assert 'data-testid="days-late"' in page and 'data-testid="days-early"' not in page
    assert 'data-testid="remedied"' in page
    assert 'data-testid="original-due"' in page


def test_the_public_page_counts_the_government_s_late_permit(zone):
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=DUE)
    deadlines_scan(today=D(2026, 11, 1))
    permit = _plan(zone, permit, today=D(2026, 11, 2), proposed=D(2026, 11, 20))
    permit = _meet(zone, permit, met_on=D(2026, 11, 13), today=D(2026, 11, 14))
    assert permit.days_early == -14
    page = Client().get(reverse("contracts:public"))
    assert page.context["government"]["met_late"] == 1
    assert page.context["government_rate"] == 0.0
    assert 'data-testid="public-late"' in page.content.decode()


def test_the_data_migration_judges_met_obligations_by_the_contract_s_date(zone, rescheduled):
    from importlib import import_module

    from django.apps import apps

    ob = _meet(zone, rescheduled, met_on=D(2026, 11, 20), today=D(2026, 11, 21))
    # As the code before it left the row: days early against the plan's date, and a
    # first date that a later anchor move would not have followed.
    Obligation.objects.filter(pk=ob.pk).update(days_early=(PLAN_DATE - ob.met_on).days)
    migration = import_module("qinqing.contracts.migrations.0002_contract_due_date_and_lateness")
    migration.contract_dates(apps, None)
    ob = reload(ob)
    assert (ob.original_due_date, ob.days_early) == (DUE, -21)
    migration.due_dates_again(apps, None)
    assert reload(ob).days_early == (PLAN_DATE - ob.met_on).days


def test_the_data_migration_takes_the_rule_s_last_date_from_the_trail(zone):
    from importlib import import_module

    from django.apps import apps

    from qinqing.contracts.models import EventKey

    event = services.event_record(
        actor=zone.enterprise_user,
        project=zone.project,
        key=EventKey.PERMIT_APPLIED,
        occurred_on=D(2026, 3, 2),
    )
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, after_event=event, offset=10, unit="calendar")
    services.event_record(
        actor=zone.enterprise_user,
        project=zone.project,
        key=EventKey.PERMIT_APPLIED,
        occurred_on=D(2026, 3, 9),
        today=D(2026, 3, 10),  # before the first date: no miss to move
    )
    # The old semantics: the first date the rule gave.
    Obligation.objects.filter(pk=ob.pk).update(original_due_date=D(2026, 3, 12))
    import_module("qinqing.contracts.migrations.0002_contract_due_date_and_lateness").contract_dates(
        apps, None
    )
    assert reload(ob).original_due_date == D(2026, 3, 19)


def test_every_dated_obligation_keeps_its_contract_s_date(zone):
    from django.db import IntegrityError, transaction

    ob = add_obligation(zone, due=DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.filter(pk=ob.pk).update(original_due_date=None)


def test_an_overdue_obligation_s_ocds_milestone_is_not_met_after_a_plan(zone, rescheduled):
    from qinqing.contracts.ocds import contract_release_package

    reviewed = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)  # after 10-30, before 12-31
    package = contract_release_package(zone.agreement, published_date=reviewed, base_url="https://x.test")
    milestones = [
        m
        for r in package["releases"]
        for c in r.get("contracts", [])
        for m in c.get("implementation", {}).get("milestones", [])
    ]
    (milestone,) = [m for m in milestones if m["id"] == str(rescheduled.public_id)]
    assert milestone["originalDueDate"].startswith(DUE.isoformat())
    assert milestone["dueDate"].startswith(PLAN_DATE.isoformat())
    assert milestone["status"] == "notMet"  # past the contract's date, before the plan's
