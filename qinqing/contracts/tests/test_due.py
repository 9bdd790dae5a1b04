"""Due rules: calendar days, working days across holidays and make-up days (调休),
months clamped to the month's end, chains of relative dates, and recomputation when
an event moves (with its trail, and the ladder restarted for the new date)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from qinqing.common.errors import ValidationFailed
from qinqing.contracts import services
from qinqing.contracts.due import add_months, dependents_in_order, due_date_for, find_cycle, offset_date
from qinqing.contracts.models import DueChangeReason, DueDateChange, ObligationStatus, ObligorSide
from qinqing.contracts.tasks import redate_working_days
from qinqing.deadlines.models import Alert, Deadline, DeadlineStatus
from qinqing.deadlines.scan import deadlines_scan
from qinqing.workdays import calendar
from qinqing.workdays.calendar import current_calendar
from qinqing.workdays.models import DayKind, HolidayName
from qinqing.workdays.services import calendar_day_create

from .conftest import D, add_obligation, evidence, reload

# --- pure arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to February's end
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # across a year end
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # from a leap day
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # into a leap February
        (D(2026, 5, 15), 6, D(2026, 11, 15)),
        (D(2026, 5, 15), 0, D(2026, 5, 15)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
    ],
)
def test_months_keep_the_day_and_clamp_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected
    assert offset_date(start, months, "months") == expected


def test_calendar_days_need_no_calendar():
    assert offset_date(D(2026, 9, 30), 10, "calendar") == D(2026, 10, 10)
    assert due_date_for(mode="relative", due_fixed=None, anchor_date=None, offset=5, unit="calendar") is None
    assert due_date_for(
        mode="absolute", due_fixed=D(2026, 6, 1), anchor_date=None, offset=0, unit="calendar"
    ) == D(2026, 6, 1)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # The day before National Day: the next working day is after the week off.
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        # Thursday 8, Friday 9 and the make-up Saturday 10 October are working days.
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        # The make-up Sunday 20 September before National Day counts.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        # Spring Festival: the make-up Saturday 14 February, then nine days off.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # "Within 20 working days of the application", filed the day before Mid-Autumn.
        (D(2026, 9, 24), 20, D(2026, 10, 29)),
        # An ordinary week: Friday + 1 is Monday.
        (D(2026, 6, 5), 1, D(2026, 6, 8)),
    ],
)
def test_working_days_follow_holidays_and_make_up_days(official_calendar, start, n, expected):
    assert offset_date(start, n, "working", current_calendar()) == expected


def test_cycles_and_dependents_order():
    anchor_of = {1: None, 2: 1, 3: 2, 4: 1, 5: None}
    assert dependents_in_order({1}, anchor_of) == [2, 4, 3]
    assert dependents_in_order({5}, anchor_of) == []
    assert not find_cycle(3, anchor_of)
    assert find_cycle(1, {**anchor_of, 1: 3})


# --- through the services ----------------------------------------------------------------


def test_an_absolute_rule_opens_the_obligation_with_its_deadline(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    assert ob.status == ObligationStatus.OPEN
    assert ob.due_date == ob.original_due_date == D(2026, 12, 15)
    deadline = Deadline.objects.get(pk=ob.deadline_id)
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.kind == "contract.construction_start"
    assert deadline.object_type == "contracts.obligation"
    assert deadline.object_id == str(ob.pk)
    assert deadline.organisation_id == zone.committee.pk
    assert deadline.title == f"{zone.project.name}：开工建设"
    assert deadline.url == f"/contracts/obligations/{ob.public_id}/"
    change = DueDateChange.objects.get(obligation=ob)
    assert (change.old_date, change.new_date, change.reason) == (None, D(2026, 12, 15), "first_dated")


def test_a_government_obligation_is_tracked_under_its_department(zone):
    ob = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 12, 15))
    assert Deadline.objects.get(pk=ob.deadline_id).organisation_id == zone.department.pk


def test_a_clause_ladder_overrides_the_kind(zone):
    clause = services.clause_add(
        actor=zone.member,
        contract=zone.agreement,
        number="第九条",
        text="……",
        ladder=[{"name": "alarm", "offset": 2, "unit": "calendar"}],
    )
    ob = services.obligation_add(
        actor=zone.member,
        clause=clause,
        obligor_side="enterprise",
        kind="investment",
        title="投资到位",
        due_rule={"mode": "absolute", "date": D(2026, 12, 1)},
    )
    deadline = Deadline.objects.get(pk=ob.deadline_id)
    assert deadline.ladder_override == [{"name": "alarm", "offset": 2, "unit": "calendar"}]
    assert list(deadline.rung_dates.values_list("rung", "on_date")) == [("alarm", D(2026, 12, 3))]


def test_waiting_for_an_event_then_dated_in_working_days(zone):
    applied = services.event_declare(actor=zone.member, project=zone.project, key="permit_applied")
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, after_event=applied, offset=20, unit="working")
    assert permit.status == ObligationStatus.PENDING
    assert permit.due_date is None and permit.deadline_id is None

    # The enterprise records its own application, the day before Mid-Autumn.
    services.event_record(
        actor=zone.enterprise_user, project=zone.project, key="permit_applied", occurred_on=D(2026, 9, 24)
    )
    permit = reload(permit)
    assert permit.status == ObligationStatus.OPEN
    assert permit.due_date == permit.original_due_date == D(2026, 10, 29)
    assert Deadline.objects.get(pk=permit.deadline_id).due_date == D(2026, 10, 29)
    change = DueDateChange.objects.get(obligation=permit)
    assert change.reason == DueChangeReason.FIRST_DATED
    assert change.changed_by == zone.enterprise_user


def test_a_chain_of_relative_dates_is_dated_link_by_link(zone):
    delivery = add_obligation(zone, side=ObligorSide.GOVERNMENT, kind="land_delivery", due=D(2026, 4, 30))
    start = add_obligation(zone, after=delivery, offset=6, unit="months")
    production = add_obligation(zone, kind="production_start", after=start, offset=18, unit="months")
    assert [reload(o).status for o in (start, production)] == ["pending", "pending"]

    claim = services.obligation_claim(
        actor=zone.officer,
        obligation=delivery,
        met_on=D(2026, 4, 28),
        files=[evidence()],
        today=D(2026, 5, 1),
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    start = reload(start)
    assert (start.status, start.due_date) == ("open", D(2026, 10, 28))
    assert reload(production).status == "pending"

    claim = services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=start,
        met_on=D(2026, 8, 31),
        files=[evidence()],
        today=D(2026, 9, 1),
    )
    services.claim_confirm(actor=zone.member, claim=claim)
    start, production = reload(start), reload(production)
    assert start.days_early == 58
    # Eighteen months after 31 August: clamped to the end of February 2028.
    assert (production.status, production.due_date) == ("open", D(2028, 2, 29))


def test_moving_an_event_recomputes_and_restarts_the_ladder(zone):
    services.event_record(
        actor=zone.member, project=zone.project, key="land_certificate", occurred_on=D(2026, 4, 1)
    )
    event = zone.project.events.get(key="land_certificate")
    start = add_obligation(zone, after_event=event, offset=150, unit="calendar")
    assert reload(start).due_date == D(2026, 8, 29)
    deadlines_scan(today=D(2026, 8, 31))  # reminder, warning and alarm of the first date
    old_alerts = set(Alert.objects.values_list("rung", "due_date"))
    assert old_alerts == {(r, D(2026, 8, 29)) for r in ("reminder", "warning", "alarm")}

    # The certificate was in fact issued later: the date moves, the ladder restarts (the
    # date had passed unmet, so the correction says why).
    services.event_record(
        actor=zone.member,
        project=zone.project,
        key="land_certificate",
        occurred_on=D(2026, 5, 20),
        reason="土地证实际于5月20日核发",
        today=D(2026, 9, 1),
    )
    start = reload(start)
    assert start.due_date == D(2026, 10, 17)
    # The contract's date follows its starting point (only a remedy plan leaves it behind).
    assert start.original_due_date == D(2026, 10, 17)
    assert list(start.due_changes.values_list("old_date", "new_date", "reason")) == [
        (None, D(2026, 8, 29), "first_dated"),
        (D(2026, 8, 29), D(2026, 10, 17), "anchor_moved"),
    ]
    deadline = Deadline.objects.get(pk=start.deadline_id)
    assert deadline.due_date == D(2026, 10, 17)
    assert deadline.last_rung == ""
    deadlines_scan(today=D(2026, 9, 30))
    assert set(Alert.objects.values_list("rung", "due_date")) == old_alerts | {("reminder", D(2026, 10, 17))}


def test_an_accepted_plan_wins_over_an_earlier_recomputed_date(zone):
    services.event_record(
        actor=zone.member, project=zone.project, key="contract_signed", occurred_on=D(2026, 3, 2)
    )
    event = zone.project.events.get(key="contract_signed")
    start = add_obligation(zone, after_event=event, offset=3, unit="months")
    assert reload(start).due_date == D(2026, 6, 2)
    deadlines_scan(today=D(2026, 6, 10))
    plan = services.plan_submit(
        actor=zone.enterprise_user,
        obligation=start,
        cause="环评批复延迟",
        remedy="已增派施工队伍",
        proposed_date=D(2026, 9, 30),
        today=D(2026, 6, 10),
    )
    services.plan_decide(actor=zone.member, plan=plan, accept=True)
    services.event_record(
        actor=zone.member,
        project=zone.project,
        key="contract_signed",
        occurred_on=D(2026, 3, 20),
        reason="签约日期录入有误",
        today=D(2026, 6, 11),
    )
    assert reload(start).due_date == D(2026, 9, 30)  # 20 June would be earlier than the plan
    services.event_record(
        actor=zone.member,
        project=zone.project,
        key="contract_signed",
        occurred_on=D(2026, 7, 15),
        reason="签约日期录入有误",
        today=D(2026, 7, 16),
    )
    assert reload(start).due_date == D(2026, 10, 15)  # later than the plan: the rule wins


def test_changing_the_rule_records_why(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    services.obligation_change_rule(
        actor=zone.member,
        obligation=ob,
        due_rule={"mode": "absolute", "date": D(2027, 1, 15)},
        reason="补充协议延期",
        revision=reload(ob).revision,
    )
    ob = reload(ob)
    # A new rule is the contract's new date: lateness is judged against it (the old date
    # stays in the trail below).
    assert ob.due_date == D(2027, 1, 15) and ob.original_due_date == D(2027, 1, 15)
    change = ob.due_changes.last()
    assert (change.reason, change.note) == ("rule_changed", "补充协议延期")
    assert Deadline.objects.get(pk=ob.deadline_id).due_date == D(2027, 1, 15)


def test_anchors_must_be_in_the_project_and_never_circular(zone):
    first = add_obligation(zone, due=D(2026, 12, 1))
    second = add_obligation(zone, after=first, offset=10)
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_change_rule(
            actor=zone.member,
            obligation=first,
            due_rule={"mode": "relative", "anchor_obligation": second, "offset": 5, "unit": "calendar"},
            reason="错误",
        )
    assert "due_rule.anchor_obligation" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_change_rule(
            actor=zone.member,
            obligation=first,
            due_rule={"mode": "relative", "anchor_obligation": first, "offset": 5, "unit": "calendar"},
            reason="错误",
        )
    assert "due_rule.anchor_obligation" in exc.value.fields

    from .conftest import make_agreement, make_project

    elsewhere = make_project(zone.committee, zone.member, zone.other_enterprise)
    clause = services.clause_add(
        actor=zone.member,
        contract=make_agreement(elsewhere, zone.member, zone.committee),
        number="1",
        text="……",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_add(
            actor=zone.member,
            clause=clause,
            obligor_side="enterprise",
            kind="investment",
            title="投资",
            due_rule={"mode": "relative", "anchor_obligation": first, "offset": 5, "unit": "calendar"},
        )
    assert "due_rule.anchor_obligation" in exc.value.fields


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"mode": "sometime"}, "due_rule.mode"),
        ({"mode": "absolute"}, "due_rule.date"),
        ({"mode": "absolute", "date": "2026-01-01"}, "due_rule.date"),
        ({"mode": "relative", "offset": 5}, "due_rule.anchor_obligation"),
        ({"mode": "relative", "anchor_event": "x", "offset": 5}, "due_rule.anchor_event"),
    ],
)
def test_bad_rules_name_their_field(zone, rule, field):
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_add(
            actor=zone.member,
            clause=zone.enterprise_clause,
            obligor_side="enterprise",
            kind="investment",
            title="投资",
            due_rule=rule,
        )
    assert field in exc.value.fields


def test_bad_offsets_and_units_name_their_field(zone):
    event = services.event_declare(actor=zone.member, project=zone.project, key="completion_accepted")
    for rule, field in [
        ({"mode": "relative", "anchor_event": event, "offset": -1, "unit": "calendar"}, "due_rule.offset"),
        ({"mode": "relative", "anchor_event": event, "offset": 5, "unit": "weeks"}, "due_rule.unit"),
        ({"mode": "relative", "anchor_event": event, "offset": 121, "unit": "months"}, "due_rule.offset"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.obligation_add(
                actor=zone.member,
                clause=zone.enterprise_clause,
                obligor_side="enterprise",
                kind="investment",
                title="投资",
                due_rule=rule,
            )
        assert field in exc.value.fields


def _queued_redates():
    return list(
        DBTaskResult.objects.filter(task_path=redate_working_days.module_path).order_by("enqueued_at")
    )


def test_dates_counted_into_a_provisional_year_follow_its_confirmed_calendar(zone):
    delivery = add_obligation(zone, side=ObligorSide.GOVERNMENT, kind="land_delivery", due=D(2026, 12, 31))
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, after=delivery, offset=5, unit="working")
    claim = services.obligation_claim(
        actor=zone.officer,
        obligation=delivery,
        met_on=D(2026, 12, 28),
        files=[evidence()],
        today=D(2026, 12, 28),
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    # 29, 30, 31 December; 1 January 2027 is a holiday even in the provisional calendar;
    # Monday 4 and Tuesday 5 January.
    permit = reload(permit)
    assert permit.due_date == D(2027, 1, 5)
    assert Deadline.objects.get(pk=permit.deadline_id).provisional is True

    # The State Council's notice: Monday 4 January 2027 off as well.
    calendar_day_create(actor=zone.admin, date=D(2027, 1, 4), kind=DayKind.HOLIDAY, name=HolidayName.NEW_YEAR)
    queued = _queued_redates()
    assert [row.args_kwargs["kwargs"]["years"] for row in queued] == [[2027]]
    assert dt.timedelta(seconds=5) < queued[0].run_after - queued[0].enqueued_at < dt.timedelta(minutes=1)
    calendar.invalidate()
    assert [redate_working_days.call(**row.args_kwargs["kwargs"]) for row in queued * 2] == [1, 0]
    permit = reload(permit)
    assert (permit.due_date, permit.original_due_date) == (D(2027, 1, 6), D(2027, 1, 6))
    change = permit.due_changes.last()
    assert (change.old_date, change.new_date, change.reason) == (D(2027, 1, 5), D(2027, 1, 6), "rule_changed")
    assert "2027" in change.note
    assert Deadline.objects.get(pk=permit.deadline_id).due_date == D(2027, 1, 6)
