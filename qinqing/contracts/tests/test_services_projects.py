"""Projects, contracts, clauses, obligations and events: who may write them, what is
checked, and the audit trail each write leaves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.contracts import services
from qinqing.contracts.models import (
    ContractKind,
    EventKey,
    ObligationStatus,
    ObligorSide,
    Project,
    ProjectEvent,
)
from qinqing.deadlines.models import Deadline, DeadlineStatus

from .conftest import D, add_obligation, make_project, reload


def _actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_committee_member_creates_a_project_with_its_audit_event(zone):
    project = zone.project
    assert project.committee == zone.committee
    assert project.created_by == zone.member
    assert project.planned_investment == Decimal("300000000.00")
    event = AuditEvent.objects.get(action="contracts.project.create", object_id=str(project.pk))
    assert event.organisation_id == zone.committee.pk
    assert event.actor == zone.member


@pytest.mark.parametrize(
    "who", ["enterprise_user", "officer", "head", "supervisor", "city_supervisor", "admin", "other_member"]
)
def test_only_the_zone_committee_creates_projects(zone, who):
    with pytest.raises(PermissionDenied):
        make_project(zone.committee, getattr(zone, who), zone.enterprise)


def test_a_project_belongs_to_a_committee(zone):
    with pytest.raises(ValidationFailed) as exc:
        make_project(zone.department, zone.member, zone.enterprise)
    assert "committee" in exc.value.fields


def test_project_numbers_are_unique_and_fields_checked(zone):
    with pytest.raises(ValidationFailed) as exc:
        make_project(zone.committee, zone.member, zone.enterprise, reference=zone.project.reference)
    assert "reference" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        make_project(zone.committee, zone.member, zone.enterprise, planned_investment="-5")
    assert "planned_investment" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        make_project(zone.committee, zone.member, zone.enterprise, planned_investment="lots")
    assert "planned_investment" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        make_project(zone.committee, zone.member, zone.enterprise, name="  ")
    assert "name" in exc.value.fields
    assert Project.objects.count() == 1


def test_project_update_changes_allowed_fields_only(zone):
    project = services.project_update(
        actor=zone.member, project=zone.project, name="新名称", land_area_mu="95.5"
    )
    assert (project.name, project.land_area_mu) == ("新名称", Decimal("95.50"))
    assert "contracts.project.update" in _actions(project)
    with pytest.raises(ValidationFailed) as exc:
        services.project_update(actor=zone.member, project=zone.project, enterprise=zone.other_enterprise)
    assert "enterprise" in exc.value.fields
    with pytest.raises(PermissionDenied):
        services.project_update(actor=zone.other_member, project=zone.project, name="别人的")
    with pytest.raises(PermissionDenied):
        services.project_update(actor=zone.enterprise_user, project=zone.project, name="自己改")
    assert reload(zone.project).name == "新名称"


def test_contracts_and_clauses(zone):
    supplement = services.contract_add(
        actor=zone.member,
        project=zone.project,
        kind=ContractKind.SUPPLEMENTARY,
        number="TSQ-BC-1",
        title="补充协议",
        government_party=zone.committee,
        signed_on=D(2026, 6, 1),
        amends=zone.agreement,
    )
    assert supplement.amends == zone.agreement
    with pytest.raises(ValidationFailed) as exc:
        services.contract_add(
            actor=zone.member,
            project=zone.project,
            kind=ContractKind.SUPPLEMENTARY,
            number="TSQ-BC-1",
            title="重复",
            government_party=zone.committee,
            signed_on=D(2026, 6, 1),
        )
    assert "number" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.contract_add(
            actor=zone.member,
            project=zone.project,
            kind="lease",
            number="X",
            title="租赁",
            government_party=zone.committee,
            signed_on=D(2026, 6, 1),
        )
    assert "kind" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.clause_add(
            actor=zone.member, contract=supplement, number="1", text="……", ladder=[{"name": "x"}]
        )
    assert "rungs" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.clause_add(actor=zone.member, contract=zone.agreement, number="第五条", text="重复")
    assert "number" in exc.value.fields
    with pytest.raises(PermissionDenied):
        services.clause_add(actor=zone.officer, contract=supplement, number="2", text="……")


def test_obligor_sides_are_consistent(zone):
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_add(
            actor=zone.member,
            clause=zone.government_clause,
            obligor_side=ObligorSide.GOVERNMENT,
            kind="permit",
            title="许可",
            due_rule={"mode": "absolute", "date": D(2026, 12, 1)},
        )
    assert "obligor_department" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_add(
            actor=zone.member,
            clause=zone.enterprise_clause,
            obligor_side=ObligorSide.ENTERPRISE,
            obligor_department=zone.department,
            kind="investment",
            title="投资",
            due_rule={"mode": "absolute", "date": D(2026, 12, 1)},
        )
    assert "obligor_department" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        add_obligation(zone, kind="teleport", due=D(2026, 12, 1))
    assert "kind" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        add_obligation(zone, kind="investment", due=D(2026, 12, 1), target=-1)
    assert "target_value" in exc.value.fields


def test_only_the_committee_adds_obligations(zone):
    for who in (zone.enterprise_user, zone.officer, zone.supervisor, zone.other_member, zone.admin):
        with pytest.raises(PermissionDenied):
            services.obligation_add(
                actor=who,
                clause=zone.enterprise_clause,
                obligor_side="enterprise",
                kind="investment",
                title="投资",
                due_rule={"mode": "absolute", "date": D(2026, 12, 1)},
            )


def test_events_who_records_what(zone):
    with pytest.raises(PermissionDenied):
        services.event_record(
            actor=zone.enterprise_user,
            project=zone.project,
            key="land_certificate",
            occurred_on=D(2026, 4, 1),
        )
    with pytest.raises(PermissionDenied):
        services.event_record(
            actor=zone.other_enterprise_user,
            project=zone.project,
            key="permit_applied",
            occurred_on=D(2026, 4, 1),
        )
    with pytest.raises(PermissionDenied):
        services.event_declare(actor=zone.supervisor, project=zone.project, key="permit_applied")
    with pytest.raises(ValidationFailed) as exc:
        services.event_record(actor=zone.member, project=zone.project, key="x", occurred_on=D(2099, 1, 1))
    assert "occurred_on" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.event_record(actor=zone.member, project=zone.project, key="  ", occurred_on=D(2026, 1, 1))
    assert "key" in exc.value.fields
    event = services.event_record(
        actor=zone.enterprise_user, project=zone.project, key="permit_applied", occurred_on=D(2026, 4, 1)
    )
    assert event.label == str(EventKey.PERMIT_APPLIED.label)
    assert services.event_declare(actor=zone.member, project=zone.project, key="permit_applied") == event
    declared = services.event_declare(
        actor=zone.member, project=zone.project, key="Power connected", label="通电"
    )
    assert (declared.key, declared.label, declared.occurred_on) == ("power_connected", "通电", None)
    assert ProjectEvent.objects.filter(project=zone.project).count() == 2
    assert _actions(event) == ["contracts.event.record"]


def test_cancel_stops_the_ladder(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    with pytest.raises(ValidationFailed):
        services.obligation_cancel(actor=zone.member, obligation=ob, reason="  ")
    with pytest.raises(PermissionDenied):
        services.obligation_cancel(actor=zone.enterprise_user, obligation=ob, reason="不想干了")
    services.obligation_cancel(actor=zone.member, obligation=ob, reason="条款经补充协议删除")
    ob = reload(ob)
    assert ob.status == ObligationStatus.CANCELLED
    assert Deadline.objects.get(pk=ob.deadline_id).status == DeadlineStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        services.obligation_cancel(actor=zone.member, obligation=ob, reason="再次")
    with pytest.raises(InvalidTransition):
        services.obligation_change_rule(
            actor=zone.member,
            obligation=ob,
            due_rule={"mode": "absolute", "date": D(2027, 1, 1)},
            reason="改",
        )
    assert _actions(ob)[-1] == "contracts.obligation.cancel"


def test_a_pending_obligation_may_be_cancelled_and_has_no_deadline(zone):
    event = services.event_declare(actor=zone.member, project=zone.project, key="completion_accepted")
    ob = add_obligation(zone, kind="production_start", after_event=event, offset=3, unit="months")
    services.obligation_cancel(actor=zone.member, obligation=ob, reason="项目调整")
    assert reload(ob).status == ObligationStatus.CANCELLED
    assert Deadline.objects.filter(object_id=str(ob.pk)).count() == 0
    # Recording the event later dates nothing that was cancelled.
    services.event_record(
        actor=zone.member, project=zone.project, key="completion_accepted", occurred_on=D(2026, 5, 1)
    )
    assert reload(ob).due_date is None


def test_a_dated_obligation_cannot_wait_for_what_has_not_happened(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    event = services.event_declare(actor=zone.member, project=zone.project, key="completion_accepted")
    with pytest.raises(ValidationFailed) as exc:
        services.obligation_change_rule(
            actor=zone.member,
            obligation=ob,
            due_rule={"mode": "relative", "anchor_event": event, "offset": 3, "unit": "months"},
            reason="改为竣工后",
        )
    assert "due_rule.anchor_event" in exc.value.fields
    assert reload(ob).due_date == D(2026, 12, 15)


def test_stale_revisions_conflict(zone):
    ob = add_obligation(zone, due=D(2026, 12, 15))
    stale = ob.revision - 1
    with pytest.raises(Conflict) as exc:
        services.obligation_cancel(actor=zone.member, obligation=ob, reason="过期视图", revision=stale)
    assert exc.value.code == "obligation_changed"
    assert reload(ob).status == ObligationStatus.OPEN
