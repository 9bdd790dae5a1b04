"""The enterprise's pages and the public award notices: who may see what, the one-tap
confirmation, applying with facts and uploads, the case page and its actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.policies.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    InvitationStatus,
    Objection,
    ObjectionKind,
    Policy,
)
from qinqing.policies.services.cases import case_approve, case_reject, case_return, invitation_confirm

from .factories import make_policy
from .workflow import THREE_STEPS, World, refreshed

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

EXPORT_RULE: dict[str, Any] = {
    "facts": {"export_value": "money", "first_export": "bool", "customs_code": "code"},
    "conditions": {
        "all": [
            {"attr": "status", "op": "eq", "value": "active"},
            {
                "fact": "export_value",
                "op": "ge",
                "value": "500000",
                "clause": {"document": "泉商〔2025〕8号", "text": "第三条：首次出口额达50万元以上。"},
            },
            {"fact": "first_export", "op": "eq", "value": True},
        ]
    },
    "award": {"kind": "fixed", "amount": "100000"},
}
MATERIALS = [{"key": "customs", "name": "报关单", "required": True, "accepted": ["pdf"]}]


@pytest.fixture
def export_policy(world: World) -> Policy:
    return make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        title="首次出口奖励",
        rule=EXPORT_RULE,
        materials=MATERIALS,
        mode="application",
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
    )


def _login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def _pdf(name: str = "报关单.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _good_application(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fact_export_value": "800000.00",
        "fact_first_export": "yes",
        "fact_customs_code": "c39",
        "material_customs": _pdf(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _other_enterprise_user(world: World) -> Any:
    user = UserFactory(username="other-ent")
    return give_role(user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)  # type: ignore[arg-type]


def _confirmed_case(world: World) -> Case:
    return invitation_confirm(actor=world.spot_user, invitation=world.invite())


# --- Who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/policies/for-me/", "/policies/invitations/", "/policies/mine/"])
def test_anonymous_is_sent_to_log_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/policies/for-me/", "/policies/invitations/", "/policies/mine/"])
def test_officials_do_not_get_the_enterprise_pages(client, world, url):
    for user in (world.officer, world.head, world.city.supervisor):
        assert _login(client, user).get(url).status_code == 403


def test_anonymous_reads_the_award_notices(client, world):
    response = client.get("/policies/notices/")
    assert response.status_code == 200
    assert "公示" in response.content.decode() or "Award notices" in response.content.decode()


def test_another_enterprise_gets_404_on_case_invitation_and_download(client, world):
    invitation = world.invite()
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)
    material = CaseMaterial.objects.create(
        case=case,
        key="x",
        original_name="a.pdf",
        stored_name="cases/none.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
    )
    _login(client, _other_enterprise_user(world))
    assert client.get(f"/policies/cases/{case.public_id}/").status_code == 404
    assert client.get(f"/policies/invitations/{invitation.public_id}/").status_code == 404
    assert client.post(f"/policies/invitations/{invitation.public_id}/decline/").status_code == 404
    assert client.get(f"/policies/cases/{case.public_id}/withdraw/").status_code == 404
    assert client.get(f"/policies/cases/{case.public_id}/materials/{material.public_id}/").status_code == 404
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_an_official_following_a_case_link_goes_to_the_officials_page(client, world):
    case = _confirmed_case(world)
    response = _login(client, world.officer).get(f"/policies/cases/{case.public_id}/")
    # Notifications link every audience to /policies/cases/<id>/: never the enterprise's page.
    assert response.status_code == 302
    assert response["Location"] == f"/policies/office/cases/{case.public_id}/"
    # An official may not act as the enterprise.
    assert client.post(f"/policies/cases/{case.public_id}/withdraw/").status_code == 403
    assert client.post(f"/policies/cases/{case.public_id}/objection/", {"text": "x"}).status_code == 403
    assert refreshed(case).status == CaseStatus.IN_REVIEW


# --- Policies that fit me ------------------------------------------------------------------------


def test_fit_says_why_per_condition_with_value_and_clause(client, world):
    world.invite()
    html = (
        _login(client, world.spot_user).get("/policies/for-me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "You qualify" in html
    assert "600,000 yuan" in html
    assert "泉政文〔2023〕15号" in html  # the clause the scenic-grade condition rests on
    assert "第五条" in html
    assert "Your value: 3A" in html
    assert "See the invitation" in html


def test_fit_says_what_does_not_hold(client, world):
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").delete()
    html = (
        _login(client, world.spot_user).get("/policies/for-me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "You do not qualify" in html
    assert "Not met" in html
    assert "not recorded" in html


def test_fit_offers_the_application_form_for_application_policies(client, world, export_policy):
    html = (
        _login(client, world.spot_user).get("/policies/for-me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "Depends on the figures you give" in html
    assert f"/policies/{export_policy.public_id}/apply/" in html


def test_fit_query_count_does_not_grow_with_policies(client, world):
    _login(client, world.spot_user)
    client.get("/policies/for-me/")
    few = _count_queries(client, "/policies/for-me/")
    for _ in range(3):
        make_policy(actor=world.officer, department=world.city.drc, publish=True, steps=THREE_STEPS)
    assert _count_queries(client, "/policies/for-me/") == few


def test_a_user_of_two_enterprises_chooses_which_one_applies(client, world, export_policy):
    give_role(world.spot_user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    _login(client, world.spot_user)
    html = client.get(f"/policies/{export_policy.public_id}/apply/").content.decode()
    assert 'name="enterprise"' in html
    response = client.post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(enterprise=str(world.city.other_enterprise.public_id)),
    )
    assert response.status_code == 302
    assert Case.objects.get(policy=export_policy).enterprise == world.city.other_enterprise


# --- Invitations: the one-tap confirmation --------------------------------------------------------


def test_invitation_page_shows_award_explanation_and_one_confirm_button(client, world):
    invitation = world.invite()
    html = (
        _login(client, world.spot_user).get(f"/policies/invitations/{invitation.public_id}/").content.decode()
    )
    assert html.count('data-testid="confirm"') == 1
    assert "600,000" in html
    assert "csrfmiddlewaretoken" in html


def test_invitation_page_says_when_todays_figures_give_another_award(client, world):
    invitation = world.invite()
    page = f"/policies/invitations/{invitation.public_id}/"
    _login(client, world.spot_user)
    assert 'data-testid="invitation-award-now"' not in client.get(page).content.decode()
    # The registry rates the spot 5A: the invitation still says 600,000 until the daily
    # pass, the page says what confirming would give today
    world.spot.labels.filter(key="scenic_grade").update(value="5A")
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "600,000" in html
    assert "On today's registry data: 2,000,000" in html
    zh = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按今日登记信息" in zh
    case = invitation_confirm(actor=world.spot_user, invitation=invitation)
    assert case.award == Decimal("2000000.00")


def test_confirm_in_one_tap_opens_the_case_and_lands_on_it(client, world):
    invitation = world.invite()
    response = _login(client, world.spot_user).post(f"/policies/invitations/{invitation.public_id}/confirm/")
    case = Case.objects.get(invitation=invitation)
    assert response.status_code == 302
    assert response["Location"] == f"/policies/cases/{case.public_id}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert case.reference in html
    assert "600,000 yuan" in html
    assert "Acceptance" in html  # the first step of the timeline


def test_confirm_needs_post(client, world):
    invitation = world.invite()
    assert (
        _login(client, world.spot_user)
        .get(f"/policies/invitations/{invitation.public_id}/confirm/")
        .status_code
        == 405
    )


def test_confirming_twice_points_to_the_existing_case(client, world):
    invitation = world.invite()
    _login(client, world.spot_user).post(f"/policies/invitations/{invitation.public_id}/confirm/")
    case = Case.objects.get(invitation=invitation)
    response = client.post(
        f"/policies/invitations/{invitation.public_id}/confirm/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert case.reference in html
    assert f"/policies/cases/{case.public_id}/" in html
    assert Case.objects.filter(enterprise=world.spot).count() == 1


def test_confirming_when_no_longer_eligible_says_so(client, world):
    invitation = world.invite()
    EnterpriseLabel.objects.filter(enterprise=world.spot, key="scenic_grade").update(value="2A")
    response = _login(client, world.spot_user).post(
        f"/policies/invitations/{invitation.public_id}/confirm/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "no longer qualifies" in response.content.decode()
    assert refreshed(invitation).status == InvitationStatus.LAPSED
    assert not Case.objects.filter(enterprise=world.spot).exists()


def test_confirming_after_the_policy_ended_says_so(client, world):
    invitation = world.invite()
    Policy.objects.filter(pk=world.policy.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    response = _login(client, world.spot_user).post(
        f"/policies/invitations/{invitation.public_id}/confirm/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "not in force" in response.content.decode()


def test_decline(client, world):
    invitation = world.invite()
    response = _login(client, world.spot_user).post(f"/policies/invitations/{invitation.public_id}/decline/")
    assert response.status_code == 302
    assert refreshed(invitation).status == InvitationStatus.DECLINED
    listing = client.get("/policies/invitations/").content.decode()
    assert world.policy.title in listing


# --- Applying ------------------------------------------------------------------------------------


def test_apply_form_asks_only_the_declared_facts_and_materials(client, world, export_policy):
    html = _login(client, world.spot_user).get(f"/policies/{export_policy.public_id}/apply/").content.decode()
    assert 'name="fact_export_value"' in html
    assert 'name="fact_first_export"' in html
    assert 'name="fact_customs_code"' in html
    assert 'name="material_customs"' in html
    assert 'accept=".pdf,application/pdf"' in html
    assert "10 MB" in html
    # Each figure says what the rule asks of it and the clause it rests on.
    assert "第三条：首次出口额达50万元以上。" in html
    # Nothing the registry knows is asked.
    assert 'name="fact_status"' not in html
    assert html.count('name="fact_') == 4  # two radios for the yes/no fact


def test_apply_with_good_facts_and_upload_opens_the_case(client, world, export_policy):
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/", _good_application()
    )
    assert response.status_code == 302
    case = Case.objects.get(policy=export_policy)
    assert response["Location"] == f"/policies/cases/{case.public_id}/"
    assert case.facts == {"export_value": "800000.00", "first_export": True, "customs_code": "C39"}
    assert case.award == Decimal("100000.00")
    assert list(case.materials.values_list("original_name", "content_type")) == [
        ("报关单.pdf", "application/pdf")
    ]


def test_apply_with_bad_facts_keeps_what_was_typed(client, world, export_policy):
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(fact_export_value="八十万", fact_customs_code="C-39"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-fact_export_value"' in html
    assert 'data-testid="error-fact_customs_code"' in html
    assert 'value="八十万"' in html  # kept
    assert 'value="yes" id="id_fact_first_export_0" checked' in html
    assert 'data-testid="files-lost"' in html
    assert not Case.objects.filter(policy=export_policy).exists()


def test_apply_with_a_missing_fact_and_missing_material(client, world, export_policy):
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(fact_first_export=None, material_customs=None),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-fact_first_export"' in html
    assert not Case.objects.filter(policy=export_policy).exists()
    # With the facts right, the missing required material is named on its input.
    response = client.post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(material_customs=None),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'data-testid="error-material-customs"' in response.content.decode()


def test_an_exe_renamed_pdf_is_refused_by_its_content(client, world, export_policy):
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(material_customs=_pdf("invoice.pdf", EXE)),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-material-customs"' in html
    assert "not of an accepted type" in html
    assert 'value="800000.00"' in html
    assert not Case.objects.filter(policy=export_policy).exists()


def test_a_file_too_large_is_refused(client, world, export_policy, settings):
    settings.POLICY_UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(material_customs=_pdf("big.pdf", big)),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not CaseMaterial.objects.exists()


def test_apply_when_not_eligible_lists_the_conditions_not_met(client, world, export_policy):
    response = _login(client, world.spot_user).post(
        f"/policies/{export_policy.public_id}/apply/",
        _good_application(fact_export_value="1000.00"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "does not qualify" in html
    assert "Not met" in html
    assert "泉商〔2025〕8号" in html


def test_applying_twice_points_to_the_existing_case(client, world, export_policy):
    _login(client, world.spot_user).post(f"/policies/{export_policy.public_id}/apply/", _good_application())
    case = Case.objects.get(policy=export_policy)
    response = client.post(
        f"/policies/{export_policy.public_id}/apply/", _good_application(), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert f"/policies/cases/{case.public_id}/" in response.content.decode()
    assert Case.objects.filter(policy=export_policy).count() == 1
    # Coming back to the form later: the existing case instead of a form that would fail.
    html = client.get(f"/policies/{export_policy.public_id}/apply/").content.decode()
    assert f"/policies/cases/{case.public_id}/" in html
    assert 'data-testid="apply-submit"' not in html


def test_a_proactive_policy_has_no_application_form(client, world):
    response = _login(client, world.spot_user).get(f"/policies/{world.policy.public_id}/apply/")
    assert response.status_code == 409
    assert 'name="fact_' not in response.content.decode()


def test_officials_cannot_apply(client, world, export_policy):
    response = _login(client, world.officer).post(
        f"/policies/{export_policy.public_id}/apply/", _good_application()
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


# --- My cases ------------------------------------------------------------------------------------


def _policies_with_cases(world: World, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        policy = make_policy(
            actor=world.officer,
            department=world.city.drc,
            publish=True,
            steps=THREE_STEPS,
            valid_until=timezone.localdate().replace(month=12, day=31),
        )
        from qinqing.policies.services.matching import policy_match

        policy_match(actor=world.officer, policy=policy)
        invitation = policy.invitations.get(enterprise=world.spot)
        cases.append(invitation_confirm(actor=world.spot_user, invitation=invitation))
    return cases


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_cases_lists_status_award_and_money_with_pinned_queries(
    client, world, django_assert_max_num_queries
):
    _login(client, world.spot_user)
    cases = _policies_with_cases(world, 1)
    client.get("/policies/mine/")  # the first request of a session does its own set-up
    one = _count_queries(client, "/policies/mine/")
    cases += _policies_with_cases(world, 4)
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.PAID, paid_at=timezone.now())
    assert _count_queries(client, "/policies/mine/") == one
    with django_assert_max_num_queries(10):
        response = client.get("/policies/mine/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert all(c.reference in html for c in cases)
    assert "600,000 yuan" in html  # received: the one paid case
    assert "text-bg-success" in html


def test_my_cases_leaves_out_other_enterprises(client, world):
    case = _confirmed_case(world)
    response = _login(client, _other_enterprise_user(world)).get("/policies/mine/")
    assert response.status_code == 200
    # The case's own number, not "ZC": a page's random nonce or CSRF token may hold that.
    assert case.reference and case.reference not in response.content.decode()


# --- The case page and its actions ---------------------------------------------------------------


def test_case_page_keeps_officials_names_out(client, world):
    case = _confirmed_case(world)
    case_approve(actor=world.officer, case=case)
    html = (
        _login(client, world.spot_user)
        .get(f"/policies/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "市发改委" in html  # the department
    assert "Approved" in html
    for official in (world.officer, world.head, world.officer_b):
        assert str(official) not in html
        if official.get_full_name():
            assert official.get_full_name() not in html


def test_case_page_query_count_does_not_grow_with_materials_and_steps(client, world, export_policy):
    _login(client, world.spot_user).post(f"/policies/{export_policy.public_id}/apply/", _good_application())
    case = Case.objects.get(policy=export_policy)
    url = f"/policies/cases/{case.public_id}/"
    client.get(url)
    few = _count_queries(client, url)
    case_return(actor=world.officer, case=case, request="请补充。")
    client.post(f"/policies/cases/{case.public_id}/answer/", {"answer": "已补充", "material_customs": _pdf()})
    case_approve(actor=world.officer, case=case)
    assert _count_queries(client, url) == few


def test_download_is_an_attachment_never_inline(client, world, export_policy):
    _login(client, world.spot_user).post(f"/policies/{export_policy.public_id}/apply/", _good_application())
    material = CaseMaterial.objects.get()
    url = f"/policies/cases/{material.case.public_id}/materials/{material.public_id}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    # The issuing department's officer may read it too; another department's may not.
    assert _login(client, world.officer).get(url).status_code == 200
    assert _login(client, world.city.other_officer).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_withdraw_asks_to_confirm_then_withdraws(client, world):
    case = _confirmed_case(world)
    _login(client, world.spot_user)
    page = client.get(f"/policies/cases/{case.public_id}/withdraw/")
    assert page.status_code == 200
    assert 'data-testid="withdraw-confirm"' in page.content.decode()
    assert refreshed(case).status == CaseStatus.IN_REVIEW  # asking is not withdrawing
    response = client.post(f"/policies/cases/{case.public_id}/withdraw/", {"reason": "重复申报"})
    assert response.status_code == 302
    case = refreshed(case)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.reason == "重复申报"


def test_withdraw_after_a_decision_is_refused_clearly(client, world):
    case = _confirmed_case(world)
    case_reject(actor=world.officer, case=case, reason="材料不符")
    _login(client, world.spot_user)
    page = client.get(f"/policies/cases/{case.public_id}/withdraw/")
    assert 'data-testid="withdraw-confirm"' not in page.content.decode()
    response = client.post(f"/policies/cases/{case.public_id}/withdraw/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "only before it is decided" in response.content.decode()
    assert refreshed(case).status == CaseStatus.REJECTED


def test_objection_after_a_rejection(client, world):
    case = _confirmed_case(world)
    _login(client, world.spot_user)
    assert (
        f'action="/policies/cases/{case.public_id}/objection/"'
        not in client.get(f"/policies/cases/{case.public_id}/").content.decode()
    )
    case_reject(actor=world.officer, case=case, reason="材料不符")
    html = client.get(f"/policies/cases/{case.public_id}/").content.decode()
    assert "材料不符" in html
    assert f'action="/policies/cases/{case.public_id}/objection/"' in html
    empty = client.post(f"/policies/cases/{case.public_id}/objection/", {"text": " "})
    assert empty.status_code == 400
    response = client.post(f"/policies/cases/{case.public_id}/objection/", {"text": "景区已评为3A，见公告。"})
    assert response.status_code == 302
    assert refreshed(case).status == CaseStatus.APPEALED
    assert Objection.objects.get(case=case).kind == ObjectionKind.APPEAL
    # Once is enough: the form is gone and a second try is refused without a 500.
    again = client.post(f"/policies/cases/{case.public_id}/objection/", {"text": "再次异议"})
    assert again.status_code == 409


def test_answer_a_request_for_materials_with_uploads(client, world, export_policy):
    _login(client, world.spot_user).post(f"/policies/{export_policy.public_id}/apply/", _good_application())
    case = Case.objects.get(policy=export_policy)
    case_return(actor=world.officer, case=case, request="请补充出口合同。")
    html = client.get(f"/policies/cases/{case.public_id}/").content.decode()
    assert "请补充出口合同。" in html
    bad = client.post(
        f"/policies/cases/{case.public_id}/answer/",
        {"answer": "已补充", "material_customs": _pdf("x.pdf", EXE)},
    )
    assert bad.status_code == 400
    assert "已补充" in bad.content.decode()  # the typed answer is kept
    assert refreshed(case).status == CaseStatus.RETURNED
    response = client.post(
        f"/policies/cases/{case.public_id}/answer/",
        {"answer": "已补充出口合同", "material_customs": _pdf("合同.pdf")},
    )
    assert response.status_code == 302
    case = refreshed(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.materials.count() == 2


# --- Public award notices ------------------------------------------------------------------------

NOTICE_STEPS = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
]


@pytest.fixture
def noticed(world: World) -> Case:
    Policy.objects.filter(pk=world.policy.pk).update(steps=NOTICE_STEPS)
    case = _confirmed_case(world)
    return case_approve(actor=world.officer, case=case)


def test_award_notice_is_public_with_enterprise_award_and_end(client, world, noticed):
    html = client.get("/policies/notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.spot.name in html
    assert world.policy.title in html
    assert "600,000 yuan" in html
    assert noticed.notice_until.isoformat() in html
    assert "csrfmiddlewaretoken" in html


def test_anonymous_objection_needs_a_contact(client, world, noticed):
    url = f"/policies/notices/{noticed.public_id}/objection/"
    prefix = f"n-{noticed.public_id}"
    response = client.post(url, {f"{prefix}-text": "该景区尚未评级。"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "该景区尚未评级。" in response.content.decode()
    assert not Objection.objects.exists()
    response = client.post(url, {f"{prefix}-text": "该景区尚未评级。", f"{prefix}-contact": "13800000000"})
    assert response.status_code == 303  # to the receipt page
    objection = Objection.objects.get()
    assert (objection.kind, objection.contact, objection.lodged_by) == (
        ObjectionKind.NOTICE,
        "13800000000",
        None,
    )


def test_logged_in_objection_needs_no_contact(client, world, noticed):
    user = _other_enterprise_user(world)
    prefix = f"n-{noticed.public_id}"
    response = _login(client, user).post(
        f"/policies/notices/{noticed.public_id}/objection/", {f"{prefix}-text": "有异议"}
    )
    assert response.status_code == 303  # to the receipt page
    assert Objection.objects.get().lodged_by == user


def test_objection_to_a_case_not_under_notice_is_404(client, world):
    case = _confirmed_case(world)
    prefix = f"n-{case.public_id}"
    response = client.post(
        f"/policies/notices/{case.public_id}/objection/", {f"{prefix}-text": "x", f"{prefix}-contact": "y"}
    )
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_notice_objection_needs_csrf(world, noticed):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    prefix = f"n-{noticed.public_id}"
    response = strict.post(
        f"/policies/notices/{noticed.public_id}/objection/", {f"{prefix}-text": "x", f"{prefix}-contact": "y"}
    )
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_a_refused_objection_to_a_notice_on_another_page_keeps_its_text(client, world, noticed, monkeypatch):
    from qinqing.policies.models import Invitation
    from qinqing.policies.views import notices

    from .workflow import scenic_spot

    # Given two awards under notice, one per page
    scenic_spot(world.city.other_enterprise)
    other_user = _other_enterprise_user(world)
    world.invite()
    invitation = Invitation.objects.get(policy=world.policy, enterprise=world.city.other_enterprise)
    second = case_approve(
        actor=world.officer, case=invitation_confirm(actor=other_user, invitation=invitation)
    )
    monkeypatch.setattr(notices, "PAGE_SIZE", 1)
    # When a visitor objects to the second without a contact
    prefix = f"n-{second.public_id}"
    response = client.post(
        f"/policies/notices/{second.public_id}/objection/", {f"{prefix}-text": "第二家有异议"}
    )
    # Then its form comes back open, with the text, though the list's first page shows the other
    assert response.status_code == 400
    html = response.content.decode()
    assert "第二家有异议" in html
    assert second.reference in html
    assert noticed.reference in html
