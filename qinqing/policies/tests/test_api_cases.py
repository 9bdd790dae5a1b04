"""The case operations of the policy API, for each audience: allowed and denied."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.accounts.models import Role
from qinqing.accounts.services import api_token_create
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import (
    Case,
    CaseStatus,
    CaseStep,
    Invitation,
    InvitationStatus,
    Objection,
    ObjectionStatus,
    PolicyMode,
)
from qinqing.policies.services.cases import (
    case_approve,
    case_reject,
    case_return,
    invitation_confirm,
)

from .factories import make_policy
from .workflow import THREE_STEPS, World, refreshed

pytestmark = pytest.mark.django_db

BASE = "/api/v1/policies"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00 a windows program"

RD_RULE: dict[str, Any] = {
    "facts": {"rd_expense": "money"},
    "conditions": {"all": [{"attr": "status", "op": "eq", "value": "active"}]},
    "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1", "cap": "500000"},
}
NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 2},
]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(file_storage: Any) -> None:
    """Every test here stores its files in a folder of its own."""


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any) -> Client:
    _token, key = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def post_json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def stranger(world: World) -> Any:
    """A user of another enterprise."""
    return give_role(
        UserFactory(username="stranger"), Role.ENTERPRISE, enterprise=world.city.other_enterprise
    )


def confirmed(world: World) -> Case:
    return invitation_confirm(actor=world.spot_user, invitation=world.invite())


@pytest.fixture
def rd_policy(world: World) -> Any:
    return make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        rule=RD_RULE,
        mode=PolicyMode.APPLICATION,
        steps=THREE_STEPS,
        materials=[{"key": "audit", "name": "研发费用专项审计报告", "accepted": ["pdf"]}],
        valid_until=world.policy.valid_until,
    )


def pdf(name: str = "审计报告.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- Enterprise: policies that fit me, invitations ------------------------------------------


def test_fitting_policies_explain_each_condition(world: World, rd_policy: Any) -> None:
    response = bearer(world.spot_user).get(f"{BASE}/mine/policies")
    assert response.status_code == 200, response.content
    by_code = {item["code"]: item for item in response.json()}
    scenic = by_code[world.policy.code]
    assert scenic["fit"] == "eligible"
    assert scenic["award"] == "600000.00"  # a decimal string, never a float
    lines = scenic["explanation"]["conditions"]
    assert lines[0]["kind"] == "all"
    grade = next(line for line in lines if line["subject"] == "scenic_grade")
    assert grade["held"] is True and grade["actual"] == "3A" and grade["clause"]["document"]
    assert all(line["text"] for line in lines)
    # An application policy whose only unknown is the applicant's figure.
    assert by_code[rd_policy.code]["fit"] == "needs_facts"
    assert by_code[rd_policy.code]["facts_needed"] == ["rd_expense"]
    assert by_code[rd_policy.code]["award"] is None


def test_fitting_policies_of_an_enterprise_that_does_not_qualify(world: World) -> None:
    client = as_user(stranger(world))
    assert [i["code"] for i in client.get(f"{BASE}/mine/policies").json()] == []
    everything = client.get(f"{BASE}/mine/policies?only_fitting=false").json()
    assert [i["fit"] for i in everything] == ["not_eligible"]
    assert everything[0]["award"] is None


@pytest.mark.parametrize("who", ["officer", "supervisor", "admin"])
def test_enterprise_pages_refuse_officials(world: World, who: str) -> None:
    client = as_user(getattr(world.city, who))
    for path in ("mine/policies", "mine/invitations", "mine/cases"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"


def test_anonymous_is_asked_to_log_in(world: World) -> None:
    assert Client().get(f"{BASE}/mine/cases").status_code == 401
    assert Client().get(f"{BASE}/cases/queue").status_code == 401


def test_invitations_are_the_enterprises_own(world: World) -> None:
    invitation = world.invite()
    body = as_user(world.spot_user).get(f"{BASE}/mine/invitations").json()
    assert body["count"] == 1
    assert body["items"][0]["public_id"] == str(invitation.public_id)
    assert body["items"][0]["award"] == "600000.00"
    assert as_user(stranger(world)).get(f"{BASE}/mine/invitations").json()["count"] == 0


def test_confirm_in_one_call_and_a_duplicate_points_to_the_case(world: World) -> None:
    invitation = world.invite()
    client = bearer(world.spot_user)
    url = f"{BASE}/mine/invitations/{invitation.public_id}/confirm"
    response = client.post(url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_review"
    assert body["award"] == "600000.00"
    assert body["explanation"]["eligible"] is True
    assert body["can_withdraw"] is True
    again = client.post(url)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "case_exists"
    assert error["extra"]["reference"] == body["reference"]
    assert Case.objects.count() == 1


def test_another_enterprise_cannot_confirm_or_decline(world: World) -> None:
    invitation = world.invite()
    client = as_user(stranger(world))
    assert client.post(f"{BASE}/mine/invitations/{invitation.public_id}/confirm").status_code == 404
    assert client.post(f"{BASE}/mine/invitations/{invitation.public_id}/decline").status_code == 404
    assert refreshed_invitation(invitation).status == InvitationStatus.OPEN


def refreshed_invitation(invitation: Invitation) -> Invitation:
    invitation.refresh_from_db()
    return invitation


def test_decline_then_confirm_is_refused(world: World) -> None:
    invitation = world.invite()
    client = as_user(world.spot_user)
    response = client.post(f"{BASE}/mine/invitations/{invitation.public_id}/decline")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    response = client.post(f"{BASE}/mine/invitations/{invitation.public_id}/confirm")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


# --- Enterprise: applying -------------------------------------------------------------------


def test_apply_with_facts_and_files(world: World, rd_policy: Any) -> None:
    client = bearer(world.spot_user)
    response = client.post(
        f"{BASE}/{rd_policy.public_id}/apply",
        {"facts": json.dumps({"rd_expense": "800000"}), "audit": pdf()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["award"] == "80000.00"
    assert body["facts"] == {"rd_expense": "800000"}
    [material] = body["materials"]
    assert material["original_name"] == "审计报告.pdf"
    assert material["name"] == "研发费用专项审计报告"
    download = client.get(material["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    # The same again: one case per policy, enterprise and period.
    again = client.post(
        f"{BASE}/{rd_policy.public_id}/apply",
        {"facts": json.dumps({"rd_expense": "800000"}), "audit": pdf()},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "case_exists"
    assert again.json()["error"]["extra"]["reference"] == body["reference"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"facts": json.dumps({"rd_expense": "800000"}), "audit": pdf("licence.pdf", EXE)},
            "materials.audit",
        ),
        ({"facts": json.dumps({"rd_expense": "800000"}), "audit": pdf("empty.pdf", b"")}, "materials.audit"),
        ({"facts": json.dumps({"rd_expense": "800000"})}, "materials.audit"),
        ({"facts": json.dumps({"rd_expense": "800000"}), "audit": pdf(), "virus": pdf()}, "materials.virus"),
        ({"facts": "{not json", "audit": pdf()}, "facts"),
        ({"facts": "[1, 2]", "audit": pdf()}, "facts"),
        ({"facts": json.dumps({"rd_expense": 800000.5}), "audit": pdf()}, "facts.rd_expense"),
        ({"audit": pdf()}, "facts.rd_expense"),
        ({"facts": "{}", "audit": pdf(), "enterprise": "not-a-uuid"}, "enterprise"),
    ],
)
def test_bad_applications_get_400_naming_the_field(
    world: World, rd_policy: Any, data: dict[str, Any], field: str
) -> None:
    response = as_user(world.spot_user).post(f"{BASE}/{rd_policy.public_id}/apply", data)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_apply_in_json_is_refused_with_the_missing_parts(world: World, rd_policy: Any) -> None:
    response = post_json(as_user(world.spot_user), f"{BASE}/{rd_policy.public_id}/apply", {"facts": {}})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_only_enterprise_users_apply(world: World, rd_policy: Any) -> None:
    for user in (world.officer, world.city.supervisor, world.city.admin):
        response = as_user(user).post(
            f"{BASE}/{rd_policy.public_id}/apply", {"facts": json.dumps({"rd_expense": "1"}), "audit": pdf()}
        )
        assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_proactive_policy_is_not_applied_for(world: World) -> None:
    response = as_user(world.spot_user).post(f"{BASE}/{world.policy.public_id}/apply", {"facts": "{}"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


# --- Enterprise: my cases -------------------------------------------------------------------


def test_my_cases_paginated_with_status_award_and_money_paid(world: World, settings: Any) -> None:
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    case = confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get().pk)
    client = as_user(world.spot_user)
    body = client.get(f"{BASE}/mine/cases?limit=1").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["status"] == "paid"
    assert item["paid_amount"] == "600000.00"
    assert item["paid_at"]
    assert client.get(f"{BASE}/mine/cases?offset=1").json()["items"] == []
    assert client.get(f"{BASE}/mine/cases?status=rejected").json()["count"] == 0
    assert client.get(f"{BASE}/mine/cases?limit=1000").status_code == 422
    assert client.get(f"{BASE}/mine/cases?offset=99999999999999999999").status_code == 422


def test_my_case_shows_the_timeline_without_officials_names(world: World) -> None:
    case = confirmed(world)
    case_approve(actor=world.officer, case=case, comment="材料齐全")
    response = as_user(world.spot_user).get(f"{BASE}/mine/cases/{case.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert [s["outcome"] for s in body["steps"]] == ["approved", ""]
    assert all(
        set(s) == {"position", "attempt", "name", "kind", "started_at", "due_date", "ended_at", "outcome"}
        for s in body["steps"]
    )
    text = response.content.decode()
    assert world.officer.username not in text and "材料齐全" not in text


def test_another_enterprise_cannot_see_or_touch_my_case(world: World) -> None:
    case = confirmed(world)
    client = as_user(stranger(world))
    assert client.get(f"{BASE}/mine/cases/{case.public_id}").status_code == 404
    assert post_json(client, f"{BASE}/mine/cases/{case.public_id}/withdraw").status_code == 404
    assert client.post(f"{BASE}/mine/cases/{case.public_id}/answer", {"answer": "x"}).status_code == 404
    assert (
        post_json(client, f"{BASE}/mine/cases/{case.public_id}/objection", {"text": "x"}).status_code == 404
    )
    # nor does an official read it through the enterprise's pages
    assert as_user(world.officer).get(f"{BASE}/mine/cases/{case.public_id}").status_code == 404
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_withdraw_before_a_decision(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.spot_user)
    response = post_json(client, f"{BASE}/mine/cases/{case.public_id}/withdraw", {"reason": "重复申报"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = post_json(client, f"{BASE}/mine/cases/{case.public_id}/withdraw")
    assert again.status_code == 409


def test_answer_a_request_for_materials(world: World) -> None:
    case = confirmed(world)
    case_return(actor=world.officer, case=case, request="请补充评定公告")
    client = as_user(world.spot_user)
    url = f"{BASE}/mine/cases/{case.public_id}/answer"
    assert client.post(url, {"answer": ""}).status_code == 400
    response = client.post(url, {"answer": "已补充"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review"
    assert body["returns"][0]["request"] == "请补充评定公告"
    assert body["returns"][0]["answer"] == "已补充"
    assert client.post(url, {"answer": "again"}).status_code == 409


def test_answer_with_a_bad_file_is_400_and_keeps_the_case_returned(world: World, rd_policy: Any) -> None:
    client = as_user(world.spot_user)
    created = client.post(
        f"{BASE}/{rd_policy.public_id}/apply", {"facts": json.dumps({"rd_expense": "1000"}), "audit": pdf()}
    ).json()
    case = Case.objects.get(public_id=created["public_id"])
    case_return(actor=world.officer, case=case, request="审计报告缺页")
    url = f"{BASE}/mine/cases/{case.public_id}/answer"
    response = client.post(url, {"answer": "补充", "audit": pdf("x.pdf", EXE)})
    assert response.status_code == 400
    assert "materials.audit" in response.json()["error"]["fields"]
    assert refreshed(case).status == CaseStatus.RETURNED
    response = client.post(url, {"answer": "补充", "audit": pdf("补充.pdf")})
    assert response.status_code == 200
    assert len(response.json()["materials"]) == 2


def test_objection_after_a_rejection_only(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.spot_user)
    url = f"{BASE}/mine/cases/{case.public_id}/objection"
    assert post_json(client, url, {"text": "尚未决定"}).status_code == 409
    case_reject(actor=world.officer, case=case, reason="评定文件不全")
    assert post_json(client, url, {"text": ""}).status_code == 422
    response = post_json(client, url, {"text": "评定文件已公布"})
    assert response.status_code == 201
    assert response.json()["kind"] == "appeal"
    assert "lodged_by" not in response.json() or response.json()["lodged_by"] is None
    assert refreshed(case).status == CaseStatus.APPEALED
    assert post_json(client, url, {"text": "again"}).status_code == 409


# --- Officials: queue and case ---------------------------------------------------------------


def test_queue_by_deadline_with_flags(world: World) -> None:
    late = confirmed(world)
    other = give_role(UserFactory(username="spot2"), Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    CaseStep.objects.filter(case=late).update(due_date=dt.date(2020, 1, 2))
    from .workflow import scenic_spot

    scenic_spot(world.city.other_enterprise, "4A")
    world.invite()
    second = invitation_confirm(
        actor=other, invitation=Invitation.objects.get(enterprise=world.city.other_enterprise)
    )
    body = bearer(world.officer).get(f"{BASE}/cases/queue").json()
    assert body["count"] == 2
    assert body["overdue"] == 1
    assert [i["reference"] for i in body["items"]] == [late.reference, second.reference]
    assert body["items"][0]["overdue"] is True and body["items"][0]["near"] is False
    assert body["items"][1]["overdue"] is False
    assert body["items"][1]["award"] == "1000000.00"
    page = as_user(world.officer).get(f"{BASE}/cases/queue?limit=1&offset=1").json()
    assert [i["reference"] for i in page["items"]] == [second.reference]
    # another department's officer has nothing to do here
    assert as_user(world.city.other_officer).get(f"{BASE}/cases/queue").json()["count"] == 0


def test_the_departments_cases_in_every_status_with_counts(world: World) -> None:
    """GET /cases: the department's case list page over JSON (any status, filters, the
    count per status), for its officials and the supervisors in reach."""
    from .workflow import scenic_spot

    waiting = confirmed(world)
    other = give_role(UserFactory(username="spot2"), Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    scenic_spot(world.city.other_enterprise, "4A")
    world.invite()
    rejected = invitation_confirm(
        actor=other, invitation=Invitation.objects.get(enterprise=world.city.other_enterprise)
    )
    case_approve(actor=world.officer, case=rejected)
    case_reject(actor=world.head, case=refreshed(rejected), reason="评定文件不全")
    body = as_user(world.officer).get(f"{BASE}/cases").json()
    assert body["count"] == 2
    assert body["by_status"] == {"in_review": 1, "rejected": 1}
    only = as_user(world.officer).get(f"{BASE}/cases?status=rejected").json()
    assert [i["reference"] for i in only["items"]] == [rejected.reference]
    assert only["by_status"] == {"in_review": 1, "rejected": 1}  # the other filters only
    found = as_user(world.officer).get(f"{BASE}/cases", {"reference": waiting.reference[-4:]}).json()
    assert waiting.reference in [i["reference"] for i in found["items"]]
    assert as_user(world.city.city_supervisor).get(f"{BASE}/cases").json()["count"] == 2  # reads
    assert as_user(world.city.other_officer).get(f"{BASE}/cases").json()["count"] == 0
    for who in ("enterprise_user", "admin"):
        assert as_user(getattr(world.city, who)).get(f"{BASE}/cases").status_code == 403
    assert as_user(world.officer).get(f"{BASE}/cases?status=lost").status_code == 422


@pytest.mark.parametrize("who", ["supervisor", "admin", "enterprise_user"])
def test_queue_refuses_who_does_not_act(world: World, who: str) -> None:
    confirmed(world)
    assert as_user(getattr(world.city, who)).get(f"{BASE}/cases/queue").status_code == 403


def test_official_case_view_has_everything(world: World) -> None:
    case = confirmed(world)
    case_approve(actor=world.officer, case=case, comment="材料齐全")
    body = as_user(world.head).get(f"{BASE}/cases/{case.public_id}").json()
    assert body["revision"] == refreshed(case).revision
    assert body["steps"][0]["actor"] == str(world.officer)
    assert body["steps"][0]["comment"] == "材料齐全"
    assert body["can_act"] is True and body["refusal"] is None
    assert body["explanation"]["conditions"]
    assert body["reserved"] == "600000.00"
    # the officer who took the first step may not take the second
    mine = as_user(world.officer).get(f"{BASE}/cases/{case.public_id}").json()
    assert mine["can_act"] is False and mine["refusal"]


def test_a_step_ended_after_midnight_in_china_is_late_by_chinas_calendar(world: World) -> None:
    # Ended at 01:00 in Shanghai on the day after its due date: 17:00 UTC on the due
    # date itself, which a UTC date would have called on time.
    import datetime as dt

    case = confirmed(world)
    case_approve(actor=world.officer, case=case, comment="材料齐全")
    step = case.steps.order_by("position").first()
    assert step is not None
    ended = dt.datetime.combine(step.due_date, dt.time(17, 0), tzinfo=dt.UTC)
    type(step).objects.filter(pk=step.pk).update(ended_at=ended)
    body = as_user(world.head).get(f"{BASE}/cases/{case.public_id}").json()
    assert body["steps"][0]["overdue"] is True
    type(step).objects.filter(pk=step.pk).update(ended_at=ended - dt.timedelta(hours=2))  # 23:00 there
    body = as_user(world.head).get(f"{BASE}/cases/{case.public_id}").json()
    assert body["steps"][0]["overdue"] is False


def test_supervisor_reads_the_case_but_cannot_act(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.city.supervisor)
    body = client.get(f"{BASE}/cases/{case.public_id}").json()
    assert body["can_act"] is False and body["refusal"]
    revision = body["revision"]
    for action, payload in (
        ("approve", {"revision": revision}),
        ("reject", {"revision": revision, "reason": "x"}),
        ("return", {"revision": revision, "request": "x"}),
        ("retry-payment", None),
    ):
        response = post_json(client, f"{BASE}/cases/{case.public_id}/{action}", payload)
        assert response.status_code == 403, action
    assert refreshed(case).status == CaseStatus.IN_REVIEW
    assert refreshed(case).revision == revision


@pytest.mark.parametrize("who", ["other_officer", "admin", "enterprise_user"])
def test_others_neither_see_nor_act(world: World, who: str) -> None:
    case = confirmed(world)
    client = as_user(getattr(world.city, who))
    assert client.get(f"{BASE}/cases/{case.public_id}").status_code == 404
    response = post_json(client, f"{BASE}/cases/{case.public_id}/approve", {"revision": case.revision})
    assert response.status_code == 404
    assert refreshed(case).current_step == 0


def test_approve_with_a_stale_revision_is_409(world: World) -> None:
    case = confirmed(world)
    seen = as_user(world.officer).get(f"{BASE}/cases/{case.public_id}").json()["revision"]
    first = post_json(as_user(world.officer), f"{BASE}/cases/{case.public_id}/approve", {"revision": seen})
    assert first.status_code == 200
    assert first.json()["current_step"] != ""
    stale = post_json(as_user(world.head), f"{BASE}/cases/{case.public_id}/approve", {"revision": seen})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "case_changed"
    assert stale.json()["error"]["extra"]["revision"] == first.json()["revision"]
    for action, payload in (("reject", {"reason": "x"}), ("return", {"request": "x"})):
        response = post_json(
            as_user(world.head), f"{BASE}/cases/{case.public_id}/{action}", {"revision": seen, **payload}
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "case_changed"


def test_approve_needs_a_revision_and_reject_a_reason(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.officer)
    assert post_json(client, f"{BASE}/cases/{case.public_id}/approve", {}).status_code == 422
    response = post_json(client, f"{BASE}/cases/{case.public_id}/reject", {"revision": case.revision})
    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]


def test_reject_and_return(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.officer)
    response = post_json(
        client,
        f"{BASE}/cases/{case.public_id}/return",
        {"revision": case.revision, "request": "请补充评定公告"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["returns"][0]["request"] == "请补充评定公告"
    as_user(world.spot_user).post(f"{BASE}/mine/cases/{case.public_id}/answer", {"answer": "已补充"})
    revision = refreshed(case).revision
    response = post_json(
        as_user(world.officer_b),
        f"{BASE}/cases/{case.public_id}/reject",
        {"revision": revision, "reason": "评定文件不全"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reason"] == "评定文件不全"


def test_admin_makes_no_case_decisions(world: World) -> None:
    case = confirmed(world)
    client = as_user(world.city.admin)
    assert (
        post_json(
            client, f"{BASE}/cases/{case.public_id}/reject", {"revision": case.revision, "reason": "x"}
        ).status_code
        == 404
    )
    assert post_json(client, f"{BASE}/{world.policy.public_id}/match").status_code == 403
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_download_a_material_as_an_official(world: World, rd_policy: Any) -> None:
    created = (
        as_user(world.spot_user)
        .post(
            f"{BASE}/{rd_policy.public_id}/apply",
            {"facts": json.dumps({"rd_expense": "1000"}), "audit": pdf()},
        )
        .json()
    )
    body = as_user(world.officer).get(f"{BASE}/cases/{created['public_id']}").json()
    [material] = body["materials"]
    response = as_user(world.officer).get(material["download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert as_user(world.city.other_officer).get(material["download"]).status_code == 404
    assert (
        as_user(world.officer)
        .get(material["download"][:-36] + "00000000-0000-0000-0000-000000000000")
        .status_code
        == 404
    )


# --- Objections, matching, payments, explanations -------------------------------------------


def test_objection_decided_by_someone_who_took_no_part(world: World) -> None:
    case = confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case_reject(actor=world.head, case=case, reason="评定文件不全")
    lodged = post_json(
        as_user(world.spot_user), f"{BASE}/mine/cases/{case.public_id}/objection", {"text": "已公布"}
    ).json()
    url = f"{BASE}/objections/{lodged['public_id']}/decide"
    body = {"uphold": True, "reply": "复查属实"}
    assert post_json(as_user(world.head), url, body).status_code == 403
    assert post_json(as_user(world.city.supervisor), url, body).status_code == 403
    assert post_json(as_user(world.city.other_officer), url, body).status_code == 404
    assert post_json(as_user(world.spot_user), url, body).status_code == 404
    response = post_json(as_user(world.officer_b), url, body)
    assert response.status_code == 200
    assert response.json()["status"] == "upheld"
    assert response.json()["handled_by"] == str(world.officer_b)
    assert refreshed(case).status == CaseStatus.IN_REVIEW
    assert post_json(as_user(world.officer_b), url, body).status_code == 409


def test_match_now(world: World) -> None:
    response = post_json(as_user(world.officer), f"{BASE}/{world.policy.public_id}/match")
    assert response.status_code == 200
    assert response.json() == {"invited": 1}
    assert post_json(as_user(world.officer), f"{BASE}/{world.policy.public_id}/match").json() == {
        "invited": 0
    }
    assert (
        post_json(as_user(world.city.other_officer), f"{BASE}/{world.policy.public_id}/match").status_code
        == 404
    )
    for user in (world.city.supervisor, world.spot_user):
        assert post_json(as_user(user), f"{BASE}/{world.policy.public_id}/match").status_code == 403


def test_retry_a_failed_payment(world: World, settings: Any) -> None:
    settings.PAYMENT_TREASURY_BEHAVIOUR = "reject"
    case = confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get().pk)
    assert refreshed(case).status == CaseStatus.PAYMENT_FAILED
    url = f"{BASE}/cases/{case.public_id}/retry-payment"
    assert post_json(as_user(world.city.supervisor), url).status_code == 403
    assert post_json(as_user(world.city.other_officer), url).status_code == 404
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    response = post_json(as_user(world.head), url)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paying"
    assert post_json(as_user(world.head), url).status_code == 409


def test_explain_for_any_enterprise_in_reach(world: World) -> None:
    url = f"{BASE}/{world.policy.public_id}/explain/{world.spot.public_id}"
    body = as_user(world.city.other_officer).get(url).json()
    assert body["decision"]["eligible"] is True
    assert body["decision"]["award"] == "600000.00"
    other = (
        as_user(world.officer)
        .get(f"{BASE}/{world.policy.public_id}/explain/{world.city.other_enterprise.public_id}")
        .json()
    )
    assert other["decision"]["eligible"] is False
    failed = [c for c in other["decision"]["conditions"] if c["kind"] == "condition" and not c["held"]]
    assert [c["subject"] for c in failed] == ["scenic_grade"]
    # an enterprise user explains its own enterprise only
    assert as_user(world.spot_user).get(url).status_code == 200
    assert as_user(stranger(world)).get(url).status_code == 404
    assert Client().get(url).status_code == 401


# --- Public: award notices ------------------------------------------------------------------


def _under_notice(world: World) -> Case:
    world.policy.steps = NOTICE_STEPS
    world.policy.save(update_fields=["steps"])
    case = confirmed(world)
    return case_approve(actor=world.officer, case=case)


def test_award_notices_are_public(world: World) -> None:
    case = _under_notice(world)
    confirmed_only = Client().get(f"{BASE}/notices").json()
    assert confirmed_only["count"] == 1
    [item] = confirmed_only["items"]
    assert item["reference"] == case.reference
    assert item["award"] == "600000.00"
    assert item["notice_until"] == str(refreshed(case).notice_until)


def test_notice_objection_needs_a_contact_when_anonymous(world: World) -> None:
    case = _under_notice(world)
    url = f"{BASE}/notices/{case.public_id}/objections"
    response = post_json(Client(), url, {"text": "该景区尚未挂牌"})
    assert response.status_code == 400
    assert "contact" in response.json()["error"]["fields"]
    # A contact that reaches no one is refused, in the asker's language
    english = Client(headers={"Accept-Language": "en"})
    response = post_json(english, url, {"text": "该景区尚未挂牌", "contact": "abc"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["contact"] == [
        "Give a telephone number or an e-mail address to reach you at."
    ]
    assert not Objection.objects.exists()
    response = post_json(Client(), url, {"text": "该景区尚未挂牌", "contact": "13800000000"})
    assert response.status_code == 201
    objection = Objection.objects.get()
    assert objection.lodged_by is None and objection.status == ObjectionStatus.OPEN
    # a logged-in person needs none; an invalid token is refused, not taken for anonymous
    assert post_json(as_user(world.city.other_officer), url, {"text": "复核"}).status_code == 201
    bad = Client(headers={"Authorization": "Bearer nonsense"})
    assert post_json(bad, url, {"text": "x", "contact": "y"}).status_code == 401


def test_notice_objection_only_while_under_notice(world: World) -> None:
    case = confirmed(world)
    url = f"{BASE}/notices/{case.public_id}/objections"
    assert post_json(Client(), url, {"text": "x", "contact": "y"}).status_code == 404
    assert not Objection.objects.exists()


def test_money_is_never_a_float_in_any_answer(world: World) -> None:
    case = confirmed(world)
    for client, path in (
        (as_user(world.spot_user), f"mine/cases/{case.public_id}"),
        (as_user(world.officer), f"cases/{case.public_id}"),
        (as_user(world.officer), "cases/queue"),
    ):
        text = as_text(client.get(f"{BASE}/{path}"))
        assert "600000.0," not in text and ": 600000" not in text
        assert '"600000.00"' in text


def as_text(response: Any) -> str:
    return str(response.content.decode())


# --- Query counts: the busy lists cost the same for one row as for many ---------------------


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: the token's first use is recorded, caches filled
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _more_cases(world: World, n: int) -> None:
    """n more enterprises of the spot's user, each with a confirmed case."""
    from qinqing.enterprises.tests.factories import EnterpriseFactory

    from .workflow import scenic_spot

    for _ in range(n):
        enterprise = scenic_spot(EnterpriseFactory(region=world.city.district), "4A")
        give_role(world.spot_user, Role.ENTERPRISE, enterprise=enterprise)
    world.invite()
    for invitation in Invitation.objects.filter(status=InvitationStatus.OPEN):
        invitation_confirm(actor=world.spot_user, invitation=invitation)


@pytest.mark.parametrize("path", ["mine/cases", "mine/invitations", "mine/policies", "notices"])
def test_enterprise_and_public_lists_have_pinned_query_counts(world: World, path: str) -> None:
    world.policy.steps = NOTICE_STEPS
    world.policy.save(update_fields=["steps"])
    case_approve(actor=world.officer, case=confirmed(world))
    client = bearer(world.spot_user)
    one = _queries(client, f"{BASE}/{path}")
    _more_cases(world, 3)
    for case in Case.objects.filter(current_step=0):
        case_approve(actor=world.officer, case=case)
    client = bearer(world.spot_user)
    assert _queries(client, f"{BASE}/{path}") == one


def test_queue_has_a_pinned_query_count(world: World) -> None:
    confirmed(world)
    one = _queries(bearer(world.officer), f"{BASE}/cases/queue")
    _more_cases(world, 3)
    client = bearer(world.officer)
    assert client.get(f"{BASE}/cases/queue").json()["count"] == 4
    assert _queries(client, f"{BASE}/cases/queue") == one


def test_notice_objection_from_a_browser_session_needs_its_csrf_token(world: World) -> None:
    case = _under_notice(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.city.other_officer)
    response = post_json(client, f"{BASE}/notices/{case.public_id}/objections", {"text": "复核"})
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_a_user_of_several_enterprises_says_which_applies(world: World, rd_policy: Any) -> None:
    give_role(world.spot_user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    client = as_user(world.spot_user)
    url = f"{BASE}/{rd_policy.public_id}/apply"
    facts = json.dumps({"rd_expense": "1000"})
    response = client.post(url, {"facts": facts, "audit": pdf()})
    assert response.status_code == 400
    assert "enterprise" in response.json()["error"]["fields"]
    response = client.post(
        url, {"facts": facts, "audit": pdf(), "enterprise": str(world.city.other_enterprise.public_id)}
    )
    assert response.status_code == 201
    assert response.json()["enterprise"] == str(world.city.other_enterprise.public_id)
