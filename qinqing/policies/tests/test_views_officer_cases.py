"""The officials' case pages: the work queue, the department's cases, one case and its
actions (approve, reject, return, retry a payment, decide an objection)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, cast

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.deadlines.models import LadderOverride
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.integrity.services import relation_declare
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.ladders import STEP_DEADLINE_KIND
from qinqing.policies.models import Case, CaseStatus, CaseStep, Objection, Policy, PolicyMode
from qinqing.policies.services.cases import (
    case_apply,
    case_approve,
    case_reject,
    invitation_confirm,
    objection_lodge,
)
from qinqing.workdays.calendar import current_calendar

from .factories import make_policy
from .workflow import World, refreshed, scenic_spot

pytestmark = pytest.mark.django_db

QUEUE = "/policies/office/queue/"
CASES = "/policies/office/cases/"


def _login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def _case_url(case: Case, action: str = "") -> str:
    return f"/policies/office/cases/{case.public_id}/" + (f"{action}/" if action else "")


def _confirmed(world: World) -> Case:
    return invitation_confirm(actor=world.spot_user, invitation=world.invite())


def _another_spot(world: World, name: str) -> tuple[Enterprise, Any]:
    enterprise = scenic_spot(cast(Enterprise, EnterpriseFactory(region=world.city.district, name=name)))
    user = give_role(cast(User, UserFactory()), Role.ENTERPRISE, enterprise=enterprise)
    return enterprise, user


def _cases(world: World, n: int) -> list[Case]:
    """n confirmed cases of n scenic spots (the world's own first)."""
    cases = [_confirmed(world)]
    for i in range(n - 1):
        enterprise, user = _another_spot(world, f"景区{i}")
        world.invite()  # matching again invites the new spot
        invitation = enterprise.invitations.get(policy=world.policy)
        cases.append(invitation_confirm(actor=user, invitation=invitation))
    return cases


def _due(case: Case, due: dt.date) -> None:
    CaseStep.objects.filter(case=case, ended_at__isnull=True).update(due_date=due)


# --- The work queue -------------------------------------------------------------------------


def test_queue_lists_the_open_step_for_the_officer(client, world):
    case = _confirmed(world)
    html = _login(client, world.officer).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case.reference in html
    assert world.spot.name in html
    assert "Acceptance" in html
    assert world.policy.title in html


def test_queue_leaves_out_steps_of_another_role_and_department(client, world):
    case = _confirmed(world)
    # The first step is an officer's: the head's queue does not hold it.
    assert case.reference not in _login(client, world.head).get(QUEUE).content.decode()
    assert case.reference not in _login(client, world.city.other_officer).get(QUEUE).content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "supervisor", "admin", "committee_member"])
def test_queue_is_for_officers_and_heads_only(client, world, who):
    _confirmed(world)
    user = getattr(world.city, who)
    assert _login(client, user).get(QUEUE).status_code == 403
    assert client.get(QUEUE + "export/").status_code == 403


def test_queue_needs_a_login(client, world):
    assert client.get(QUEUE).status_code == 302


def test_queue_orders_by_deadline_and_colours_rows(client, world):
    today = timezone.localdate()
    far, overdue, soon = _cases(world, 3)
    _due(far, today + dt.timedelta(days=20))
    _due(overdue, today - dt.timedelta(days=3))
    _due(soon, today + dt.timedelta(days=1))
    response = _login(client, world.officer).get(QUEUE)
    rows = [
        (r.attrs["data-reference"], r.attrs["data-urgency"], r.attrs.get("class", ""))
        for r in _rows(response.content.decode())
    ]
    assert [r[0] for r in rows] == [overdue.reference, soon.reference, far.reference]
    assert [r[1] for r in rows] == ["overdue", "near", "normal"]
    assert "table-danger" in rows[0][2]
    assert "table-warning" in rows[1][2]
    assert "table-" not in rows[2][2]


def test_queue_filters_overdue_only_and_by_step(client, world):
    today = timezone.localdate()
    late, fine = _cases(world, 2)
    _due(late, today - dt.timedelta(days=2))
    _login(client, world.officer)
    html = client.get(QUEUE + "?overdue=1").content.decode()
    assert late.reference in html
    assert fine.reference not in html
    assert fine.reference not in client.get(QUEUE + "?step=recheck").content.decode()
    assert (
        fine.reference in client.get(QUEUE + f"?step=accept&policy={world.policy.public_id}").content.decode()
    )


def test_queue_query_count_does_not_grow_with_rows(
    client, world, django_assert_max_num_queries, steady_calendar
):
    _cases(world, 2)
    _login(client, world.officer)
    client.get(QUEUE)  # warm the per-process caches (calendar, content types)
    with django_assert_max_num_queries(14) as few:
        assert client.get(QUEUE).status_code == 200
    with_two = len(few.captured_queries)
    _cases_more(world, 4)
    with django_assert_max_num_queries(with_two):
        assert client.get(QUEUE).content.decode().count('data-testid="queue-row"') == 6


def _cases_more(world: World, n: int) -> None:
    for i in range(n):
        enterprise, user = _another_spot(world, f"更多景区{i}")
        world.invite()
        invitation_confirm(actor=user, invitation=enterprise.invitations.get(policy=world.policy))


def test_queue_export_is_a_workbook_of_the_rows(client, world):
    case = _confirmed(world)
    Enterprise.objects.filter(pk=world.spot.pk).update(name="=HYPERLINK(1)")
    response = _login(client, world.officer).get(QUEUE + "export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 1).value == case.reference
    # A name that looks like a formula stays text.
    assert sheet.cell(2, 2).value == "=HYPERLINK(1)"
    assert sheet.cell(2, 2).data_type == "s"


def _rows(html: str) -> list[Any]:
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[Any] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "tr" and found.get("data-testid") == "queue-row":
                row = type("Row", (), {})()
                row.attrs = found
                self.rows.append(row)

    parser = Rows()
    parser.feed(html)
    return parser.rows


# --- The department's cases -----------------------------------------------------------------


def test_department_view_counts_per_status_and_filters(client, world):
    rejected, open_ = _cases(world, 2)
    case_reject(actor=world.officer, case=rejected, reason="材料不全")
    html = _login(client, world.head).get(CASES).content.decode()
    assert rejected.reference in html
    assert open_.reference in html
    assert 'data-testid="count-rejected">1<' in html
    assert 'data-testid="count-in_review">1<' in html
    only = client.get(CASES + "?status=rejected").content.decode()
    assert rejected.reference in only
    assert open_.reference not in only
    assert open_.reference is not None
    assert open_.reference in client.get(CASES + f"?q={open_.reference[-4:]}").content.decode()


def test_department_view_of_another_department_is_empty(client, world):
    case = _confirmed(world)
    html = _login(client, world.city.other_officer).get(CASES).content.decode()
    assert case.reference not in html


def test_department_view_refuses_enterprises(client, world):
    assert _login(client, world.spot_user).get(CASES).status_code == 403


def test_supervisor_reads_the_department_view_and_exports(client, world):
    case = _confirmed(world)
    _login(client, world.city.supervisor)
    assert case.reference in client.get(CASES).content.decode()
    response = client.get(CASES + "export/?status=in_review")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 1).value == case.reference
    assert sheet.cell(2, 7).value == 600000


# --- One case -------------------------------------------------------------------------------


def test_case_page_shows_award_explanation_registry_and_action_panel(client, world):
    case = _confirmed(world)
    html = _login(client, world.officer).get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case.reference in html
    assert "600,000 yuan" in html
    assert "3A" in html  # the enterprise's value of the grade condition
    assert "泉政文〔2023〕15号" in html  # the clause it rests on
    assert world.spot.credit_code in html
    assert 'data-testid="approve-form"' in html
    assert f'name="revision" value="{case.revision}"' in html


def test_case_page_for_supervisor_is_read_only(client, world):
    case = _confirmed(world)
    html = _login(client, world.city.supervisor).get(_case_url(case)).content.decode()
    assert case.reference in html
    assert 'data-testid="read-only"' in html
    assert '<form method="post" action="/policies/office' not in html


def test_case_page_of_another_department_is_404_and_enterprise_is_refused(client, world):
    case = _confirmed(world)
    assert _login(client, world.city.other_officer).get(_case_url(case)).status_code == 404
    assert _login(client, world.spot_user).get(_case_url(case)).status_code == 403
    assert _login(client, world.city.admin).get(_case_url(case)).status_code == 403


def test_approve_moves_the_case_on(client, world):
    case = _confirmed(world)
    response = _login(client, world.officer).post(_case_url(case, "approve"), {"revision": case.revision})
    assert response.status_code == 302
    step = CaseStep.objects.get(case=case, position=0)
    assert step.actor == world.officer
    assert refreshed(case).current_step == 1


def test_stale_revision_is_a_message_on_the_fresh_case(client, world):
    case = _confirmed(world)
    seen = case.revision
    case_approve(actor=world.officer_b, case=case, revision=seen)
    response = _login(client, world.officer).post(
        _case_url(case, "approve"), {"revision": seen}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else acted on this case" in html
    # The fresh case: the first step's actor shows, and the next revision is in the forms.
    assert str(world.officer_b) in html
    assert CaseStep.objects.filter(case=case, actor=world.officer).count() == 0


def test_four_eyes_shows_the_refusal_instead_of_actions(client, world):
    case = _confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    html = _login(client, world.officer).get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="refusal"' in html
    assert "Four eyes" in html
    assert 'data-testid="approve-form"' not in html
    # And a POST all the same is refused with the reason, not a 500.
    response = client.post(_case_url(case, "approve"), {"revision": case.revision}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Four eyes" in response.content.decode()


def test_supervisor_and_enterprise_posts_are_refused(client, world):
    case = _confirmed(world)
    for user in (world.city.supervisor, world.spot_user, world.city.admin):
        response = _login(client, user).post(_case_url(case, "approve"), {"revision": case.revision})
        assert response.status_code == 403
    assert refreshed(case).current_step == 0
    assert not CaseStep.objects.filter(case=case, actor__isnull=False).exists()


def test_other_department_post_is_404(client, world):
    case = _confirmed(world)
    response = _login(client, world.city.other_officer).post(
        _case_url(case, "reject"), {"revision": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_reject_needs_a_reason(client, world):
    case = _confirmed(world)
    _login(client, world.officer)
    response = client.post(_case_url(case, "reject"), {"revision": case.revision, "reason": ""})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    response = client.post(_case_url(case, "reject"), {"revision": case.revision, "reason": "评定文件不全"})
    assert response.status_code == 302
    assert refreshed(case).status == CaseStatus.REJECTED


def test_return_for_materials_stops_the_clock(client, world):
    case = _confirmed(world)
    response = _login(client, world.officer).post(
        _case_url(case, "return"), {"revision": case.revision, "request": "请补充评定公告"}
    )
    assert response.status_code == 302
    case = refreshed(case)
    assert case.status == CaseStatus.RETURNED
    html = client.get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "请补充评定公告" in html
    assert "paused" in html
    # A paused step's due date passing while the enterprise answers is not overdue (it
    # moves when the answer comes): not in red
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _due(case, yesterday)
    html = client.get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    due = f'data-testid="step-due">{yesterday.isoformat()}<'
    assert due in html
    assert f'text-danger fw-bold" {due}' not in html
    # Once the clock runs again, a past due date is red
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_REVIEW)
    html = client.get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'text-danger fw-bold" {due}' in html


def test_budget_exhausted_is_shown_clearly(client, world):
    Policy.objects.filter(pk=world.policy.pk).update(budget_total=Decimal("500000"))
    case = _confirmed(world)
    response = _login(client, world.officer).post(
        _case_url(case, "approve"), {"revision": case.revision}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "budget is used up" in response.content.decode()
    assert refreshed(case).current_step == 0


def test_unverified_account_is_shown_at_the_payment_step(client, world):
    case = _confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    Enterprise.objects.filter(pk=world.spot.pk).update(bank_account_verified=False)
    response = _login(client, world.officer_b).post(
        _case_url(case, "approve"), {"revision": case.revision}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "bank account is not verified" in response.content.decode()
    assert refreshed(case).status == CaseStatus.IN_REVIEW


def test_failed_payment_offers_a_retry(client, world, settings):
    settings.PAYMENT_TREASURY_BEHAVIOUR = "reject"
    case = _confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    case = case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)
    assert refreshed(case).status == CaseStatus.PAYMENT_FAILED
    # The supervisor sees no button and may not press one.
    sup = _login(client, world.city.supervisor).get(_case_url(case)).content.decode()
    assert 'data-testid="retry-form"' not in sup
    assert client.post(_case_url(case, "retry-payment")).status_code == 403
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    html = _login(client, world.head).get(_case_url(case)).content.decode()
    assert 'data-testid="retry-form"' in html
    assert client.post(_case_url(case, "retry-payment")).status_code == 302
    assert refreshed(case).status in (CaseStatus.PAYING, CaseStatus.PAID)


def test_objection_is_decided_by_someone_who_took_no_part(client, world):
    case = _confirmed(world)
    case = case_reject(actor=world.officer, case=case, reason="评定文件不全")
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    url = _case_url(case) + f"objections/{objection.public_id}/decide/"
    prefix = f"o{objection.pk}"
    # The officer who rejected sees why not, and is refused.
    html = _login(client, world.officer).get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="objection-form"' not in html
    assert "took no part" in html
    assert client.post(url, {f"{prefix}-uphold": "1", f"{prefix}-reply": "复查"}).status_code == 403
    # Another officer decides it.
    _login(client, world.officer_b)
    assert 'data-testid="objection-form"' in client.get(_case_url(case)).content.decode()
    missing = client.post(url, {f"{prefix}-uphold": "1", f"{prefix}-reply": ""})
    assert missing.status_code == 400
    assert client.post(url, {f"{prefix}-uphold": "1", f"{prefix}-reply": "复查属实"}).status_code == 302
    assert Objection.objects.get(pk=objection.pk).status == "upheld"
    assert refreshed(case).status == CaseStatus.IN_REVIEW


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_materials_download_as_attachments_for_the_department_only(client, world):
    policy = make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        mode=PolicyMode.APPLICATION,
        materials=[{"key": "grade", "name": "评定文件", "accepted": ["pdf"]}],
        valid_until=timezone.localdate().replace(month=12, day=31),
    )
    case = case_apply(
        actor=world.spot_user,
        policy=policy,
        enterprise=world.spot,
        files={"grade": [SimpleUploadedFile("评定文件.pdf", PDF, content_type="application/pdf")]},
    )
    material = case.materials.get()
    html = _login(client, world.officer).get(_case_url(case)).content.decode()
    link = f"/policies/cases/{case.public_id}/materials/{material.public_id}/"
    assert link in html
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert _login(client, world.city.other_officer).get(link).status_code == 404


def test_queue_amber_follows_the_warning_rung_in_force(client, world):
    # Given the admin moved the warning to three working days before the due date
    today = timezone.localdate()
    case = _confirmed(world)
    calendar = current_calendar()
    due = calendar.add_working_days(today, 3)
    _due(case, due)
    _login(client, world.officer)
    [before] = _rows(client.get(QUEUE).content.decode())
    assert before.attrs["data-urgency"] == "normal"
    LadderOverride.objects.create(
        kind=STEP_DEADLINE_KIND, rungs=[{"name": "warning", "offset": -3, "unit": "working"}]
    )
    # Then the row turns amber once that day has come
    [after] = _rows(client.get(QUEUE).content.decode())
    assert after.attrs["data-urgency"] == "near"


def test_filters_answer_htmx_with_the_results_only(client, world):
    case = _confirmed(world)
    _login(client, world.officer)
    for url in (QUEUE, CASES):
        response = client.get(url, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert case.reference in html
        assert "<html" not in html
        assert "HX-Request" in response["Vary"]
        assert "<html" in client.get(url).content.decode()


def test_department_view_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    _cases(world, 2)
    _login(client, world.head)
    client.get(CASES)
    with django_assert_max_num_queries(14) as few:
        assert client.get(CASES).status_code == 200
    with_two = len(few.captured_queries)
    _cases_more(world, 4)
    client.get(CASES)
    with django_assert_max_num_queries(with_two):
        assert client.get(CASES).content.decode().count('data-testid="case-row"') == 6


def test_case_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    case = _confirmed(world)
    case = case_approve(actor=world.officer, case=case)
    _login(client, world.head)
    client.get(_case_url(case))
    with django_assert_max_num_queries(16):
        assert client.get(_case_url(case)).status_code == 200


def test_recusal_shows_the_refusal_and_a_post_is_refused(client, world):
    # Given the officer declared that a relative works at the scenic spot
    relation_declare(actor=world.officer, enterprise=world.spot, kind="relative_employee")
    case = _confirmed(world)
    html = _login(client, world.officer).get(_case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="approve-form"' not in html
    assert "declared a relation" in html
    response = client.post(_case_url(case, "approve"), {"revision": case.revision}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert refreshed(case).current_step == 0
