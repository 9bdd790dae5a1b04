"""Approval steps as data, uploads checked by content, the public notice, the step ladder."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage

from qinqing.common.errors import InvalidTransition, ValidationFailed
from qinqing.deadlines.models import Alert, Deadline
from qinqing.deadlines.testing import scan_and_notify
from qinqing.notifications.models import Notification
from qinqing.policies.models import (
    CaseMaterial,
    CaseStatus,
    Objection,
    ObjectionStatus,
    PolicyMode,
    default_steps,
)
from qinqing.policies.rules import parse_rule
from qinqing.policies.services.cases import (
    case_apply,
    case_approve,
    invitation_confirm,
    notices_close,
    objection_decide,
    objection_lodge,
)
from qinqing.policies.steps import check_steps, step_label
from qinqing.policies.uploads import check_upload

from .factories import make_policy
from .workflow import THREE_STEPS, World, refreshed

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# --- steps --------------------------------------------------------------------------------


def test_default_steps_are_valid_and_named() -> None:
    steps = check_steps(default_steps())
    assert [s["key"] for s in steps] == ["accept", "review", "recheck", "notice", "disburse"]
    assert step_label(steps[0]) in ("Acceptance", "受理")


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        ([], "steps"),
        ([{"key": "a", "role": "officer", "kind": "review", "limit": 2}], "steps"),
        (
            [
                {"key": "a", "role": "officer", "kind": "review", "limit": 0},
                {"key": "b", "role": "officer", "kind": "payment", "limit": 1},
            ],
            "steps[0].limit",
        ),
        (
            [
                {"key": "a", "role": "mayor", "kind": "review", "limit": 2},
                {"key": "b", "role": "officer", "kind": "payment", "limit": 1},
            ],
            "steps[0].role",
        ),
        (
            [
                {"key": "a", "role": "officer", "kind": "payment", "limit": 2},
                {"key": "b", "role": "officer", "kind": "review", "limit": 1},
            ],
            "steps",
        ),
        (
            [
                {"key": "a", "role": "officer", "kind": "review", "limit": 2},
                {"key": "a", "role": "officer", "kind": "payment", "limit": 1},
            ],
            "steps[1].key",
        ),
        (
            [
                {"key": "a", "role": "officer", "kind": "review", "limit": 2, "colour": "red"},
                {"key": "b", "role": "officer", "kind": "payment", "limit": 1},
            ],
            "steps[0].colour",
        ),
    ],
)
def test_bad_steps_name_the_faulty_part(steps: Any, path: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_steps(steps)
    assert path in exc.value.fields


# --- uploads ------------------------------------------------------------------------------


def test_upload_is_judged_by_content_not_name() -> None:
    assert (
        check_upload(io.BytesIO(PDF), name="a.pdf", accepted=["pdf"], field="f").content_type
        == "application/pdf"
    )
    with pytest.raises(ValidationFailed) as exc:
        check_upload(
            io.BytesIO(b"MZ\x90\x00 windows program"), name="licence.pdf", accepted=["pdf"], field="f"
        )
    assert "f" in exc.value.fields
    with pytest.raises(ValidationFailed):
        check_upload(io.BytesIO(PNG), name="scan.pdf", accepted=["pdf"], field="f")
    with pytest.raises(ValidationFailed):
        check_upload(io.BytesIO(b""), name="empty.pdf", accepted=["pdf"], field="f")


def test_upload_size_limit(settings: Any) -> None:
    settings.POLICY_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationFailed):
        check_upload(io.BytesIO(PDF + b"x" * 200), name="big.pdf", accepted=["pdf"], field="f")


RD_RULE: dict[str, Any] = {
    "facts": {"rd_expense": "money"},
    "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
    "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1", "cap": "500000"},
}


@pytest.fixture
def rd_policy(city: Any) -> Any:
    return make_policy(
        actor=city.officer,
        department=city.drc,
        publish=True,
        rule=RD_RULE,
        mode=PolicyMode.APPLICATION,
        steps=THREE_STEPS,
        materials=[{"key": "audit", "name": "研发费用专项审计报告", "accepted": ["pdf"]}],
        valid_until=dt.date(2026, 12, 31),
    )


@pytest.mark.django_db
def test_apply_with_facts_and_materials(city: Any, rd_policy: Any) -> None:
    parse_rule(RD_RULE)
    with pytest.raises(ValidationFailed) as missing:
        case_apply(actor=city.enterprise_user, policy=rd_policy, enterprise=city.enterprise, facts={})
    assert "facts.rd_expense" in missing.value.fields
    with pytest.raises(ValidationFailed) as no_file:
        case_apply(
            actor=city.enterprise_user,
            policy=rd_policy,
            enterprise=city.enterprise,
            facts={"rd_expense": "800000"},
        )
    assert "materials.audit" in no_file.value.fields
    upload = io.BytesIO(PDF)
    upload.name = "审计报告.pdf"
    case = case_apply(
        actor=city.enterprise_user,
        policy=rd_policy,
        enterprise=city.enterprise,
        facts={"rd_expense": "800000"},
        files={"audit": [upload]},
    )
    assert case.award == Decimal("80000.00")
    material = CaseMaterial.objects.get(case=case)
    assert material.original_name == "审计报告.pdf"
    assert material.stored_name.startswith("cases/") and "审计" not in material.stored_name
    assert default_storage.exists(material.stored_name)
    default_storage.delete(material.stored_name)


# --- the public notice ----------------------------------------------------------------------

NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 2},
]


@pytest.mark.django_db
def test_notice_ends_by_itself_unless_an_objection_is_open(world: World) -> None:
    world.policy.steps = NOTICE_STEPS
    world.policy.save(update_fields=["steps"])
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    step = case.steps.get(position=1)
    assert case.notice_until == step.due_date
    with pytest.raises(InvalidTransition):
        case_approve(actor=world.officer_b, case=case)
    # An anonymous objection needs a contact; with one it holds the notice open.
    with pytest.raises(ValidationFailed):
        objection_lodge(actor=None, case=case, text="该景区尚未挂牌")
    objection = objection_lodge(actor=None, case=case, text="该景区尚未挂牌", contact="13800000000")
    after = step.due_date + dt.timedelta(days=1)
    assert notices_close(today=after) == 0
    objection_decide(actor=world.officer_b, objection=objection, uphold=False, reply="已核实挂牌文件")
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.DISMISSED
    assert notices_close(today=step.due_date) == 0  # the period has not run yet
    assert notices_close(today=after) == 1
    assert notices_close(today=after) == 0
    case = refreshed(case)
    assert case.current_step == 2
    assert case.status == CaseStatus.IN_REVIEW


@pytest.mark.django_db
def test_overdue_step_alarms_the_supervision_group_once(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    step = case.steps.get()
    deadline = Deadline.objects.get(pk=step.deadline_id)
    late = deadline.due_date + dt.timedelta(days=10)
    scan_and_notify(today=late)
    scan_and_notify(today=late)
    rungs = sorted(Alert.objects.filter(deadline=deadline).values_list("rung", flat=True))
    assert rungs == ["alarm", "warning"]
    supervisor_notes = Notification.objects.filter(
        recipient=world.city.supervisor, kind__startswith="deadline"
    )
    assert supervisor_notes.count() == 1
    assert not Notification.objects.filter(recipient=world.city.other_officer).exists()
