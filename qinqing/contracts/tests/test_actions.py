"""The loop's forms on an obligation: claim with evidence, withdraw, confirm, dispute,
decide, remedy plan and its decision, cancel, evidence download. Each: the allowed path,
the denied path (wrong role 403, not visible 404) and bad input (a clear error, nothing
changed, what was typed kept)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from qinqing.contracts import services
from qinqing.contracts.models import (
    ClaimStatus,
    FulfilmentClaim,
    ObligationStatus,
    PlanStatus,
    RemedyPlan,
)
from qinqing.contracts.views.actions import action_context

from .test_forms_world import PNG, World, login, pdf, world

pytestmark = pytest.mark.django_db

__all__ = ["world"]


def _url(name: str, obj: Any) -> str:
    return reverse(f"contracts:{name}", args=[obj.public_id])


def _claim(world: World, HTTP_ACCEPT_LANGUAGE: str = "zh-hans", **extra: Any) -> Any:  # noqa: N803
    ob = world.reload(world.construction)
    data = {
        "met_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "note": "已开工",
        "revision": ob.revision,
        "evidence": [pdf()],
        **extra,
    }
    return login(world.city.enterprise_user).post(
        _url("obligation_claim", ob), data, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE
    )


def _claimed(world: World) -> FulfilmentClaim:
    ob = world.reload(world.construction)
    return services.obligation_claim(
        actor=world.city.enterprise_user,
        obligation=ob,
        met_on=timezone.localdate() - dt.timedelta(days=1),
        files=[pdf()],
        revision=ob.revision,
    )


# --- The panel --------------------------------------------------------------------------------


def _panel(world: World, user: Any, obligation: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    ob = world.reload(obligation)
    return render_to_string(
        "contracts/_actions.html", {"obligation": ob, **action_context(request, ob)}, request
    )


def test_the_panel_offers_the_obligor_a_phone_friendly_claim_form(world: World) -> None:
    html = _panel(world, world.city.enterprise_user, world.construction)
    assert 'data-testid="claim-form"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'capture="environment"' in html
    assert "application/pdf" in html
    assert 'data-testid="cancel-form"' not in html


def test_the_panel_offers_the_committee_no_claim_but_cancel(world: World) -> None:
    html = _panel(world, world.member, world.construction)
    assert 'data-testid="claim-form"' not in html
    assert 'data-testid="cancel-form"' in html
    assert 'data-testid="rule-link"' in html


def test_the_panel_offers_a_supervisor_nothing(world: World) -> None:
    html = _panel(world, world.city.city_supervisor, world.construction)
    assert 'data-testid="no-actions"' in html
    assert "<form" not in html


def test_the_obligation_page_includes_the_panel(world: World) -> None:
    response = login(world.city.enterprise_user).get(_url("obligation", world.construction))
    assert response.status_code == 200
    assert 'data-testid="claim-form"' in response.content.decode()


# --- Claim ------------------------------------------------------------------------------------


def test_claim_with_evidence_awaits_the_other_side(world: World) -> None:
    response = _claim(world)
    assert response.status_code == 302
    assert response["Location"] == _url("obligation", world.construction)
    ob = world.reload(world.construction)
    assert ob.status == ObligationStatus.CLAIMED
    claim = ob.claims.get()
    assert claim.status == ClaimStatus.PENDING
    assert [e.original_name for e in claim.evidence.all()] == ["evidence.pdf"]


def test_a_photo_alone_is_evidence(world: World) -> None:
    response = _claim(world, evidence=[], photo=[pdf("photo.png", PNG)])
    assert response.status_code == 302
    assert world.reload(world.construction).claims.get().evidence.get().content_type == "image/png"


def test_a_file_that_is_not_a_pdf_by_content_is_refused_and_nothing_changes(world: World) -> None:
    response = _claim(world, evidence=[pdf("contract.pdf", b"<html>not a pdf</html>")], note="保留的说明")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-evidence"' in html
    assert "保留的说明" in html  # what was typed is kept
    assert 'data-testid="files-lost"' in html
    ob = world.reload(world.construction)
    assert ob.status == ObligationStatus.OPEN
    assert not ob.claims.exists()


def test_a_met_date_in_the_future_is_refused(world: World) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _claim(world, met_on=tomorrow)
    assert response.status_code == 400
    assert 'data-testid="error-met_on"' in response.content.decode()
    assert world.reload(world.construction).status == ObligationStatus.OPEN


def test_a_claim_without_evidence_is_refused(world: World) -> None:
    response = _claim(world, evidence=[])
    assert response.status_code == 400
    assert 'data-testid="error-evidence"' in response.content.decode()
    assert not world.reload(world.construction).claims.exists()


def test_a_target_needs_the_figure_reached(world: World) -> None:
    ob = world.reload(world.investment)
    data = {"met_on": timezone.localdate().isoformat(), "revision": ob.revision, "evidence": [pdf()]}
    client = login(world.city.enterprise_user)
    response = client.post(_url("obligation_claim", ob), data)
    assert response.status_code == 400
    assert 'data-testid="error-achieved_value"' in response.content.decode()
    response = client.post(
        _url("obligation_claim", ob), {**data, "achieved_value": "70000000", "evidence": [pdf()]}
    )
    assert response.status_code == 302
    assert world.reload(world.investment).claims.get().achieved_value == 70000000


def test_a_stale_revision_says_someone_else_acted(world: World) -> None:
    stale = world.reload(world.construction).revision
    services.obligation_change_rule(
        actor=world.member,
        obligation=world.reload(world.construction),
        due_rule={"mode": "absolute", "date": timezone.localdate() + dt.timedelta(days=40)},
        reason="补充协议顺延",
    )
    response = _claim(world, revision=stale, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="action-notice"' in html
    assert "Someone else acted on this obligation" in html
    # The current state, with fresh forms on the current revision.
    assert f'name="revision" value="{world.reload(world.construction).revision}"' in html
    assert not world.reload(world.construction).claims.exists()


def test_the_committee_may_not_claim_the_enterprises_obligation(world: World) -> None:
    ob = world.reload(world.construction)
    data = {"met_on": timezone.localdate().isoformat(), "revision": ob.revision, "evidence": [pdf()]}
    response = login(world.member).post(_url("obligation_claim", ob), data)
    assert response.status_code == 403
    assert not ob.claims.exists()


def test_another_enterprise_does_not_see_the_obligation(world: World) -> None:
    ob = world.reload(world.construction)
    data = {"met_on": timezone.localdate().isoformat(), "revision": ob.revision, "evidence": [pdf()]}
    response = login(world.other_enterprise_user).post(_url("obligation_claim", ob), data)
    assert response.status_code == 404


# --- Withdraw, confirm, dispute, decide --------------------------------------------------------


def test_the_claimant_withdraws(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    response = login(world.city.enterprise_user).post(
        _url("claim_withdraw", claim), {"withdraw-revision": ob.revision}
    )
    assert response.status_code == 302
    assert world.reload(world.construction).status == ObligationStatus.OPEN


def test_the_committee_confirms_the_enterprises_claim(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    # The enterprise cannot confirm its own claim.
    denied = login(world.city.enterprise_user).post(
        _url("claim_confirm", claim), {"confirm-revision": ob.revision}
    )
    assert denied.status_code == 403
    response = login(world.member).post(_url("claim_confirm", claim), {"confirm-revision": ob.revision})
    assert response.status_code == 302
    ob = world.reload(world.construction)
    assert ob.status == ObligationStatus.MET
    assert ob.days_early == 31


def test_a_dispute_needs_a_reason_then_another_member_decides(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    member = login(world.member)
    missing = member.post(
        _url("claim_dispute", claim), {"dispute-revision": ob.revision, "dispute-reason": ""}
    )
    assert missing.status_code == 400
    assert 'data-testid="error-reason"' in missing.content.decode()
    assert world.reload(world.construction).status == ObligationStatus.CLAIMED
    response = member.post(
        _url("claim_dispute", claim), {"dispute-revision": ob.revision, "dispute-reason": "现场未见开工"}
    )
    assert response.status_code == 302
    ob = world.reload(world.construction)
    assert ob.status == ObligationStatus.DISPUTED
    decision = {"decide-revision": ob.revision, "decide-outcome": "met", "decide-reason": "补充材料齐全"}
    # Four eyes: the member who disputed does not decide.
    assert member.post(_url("claim_decide", claim), decision).status_code == 403
    response = login(world.member_b).post(_url("claim_decide", claim), decision)
    assert response.status_code == 302
    assert world.reload(world.construction).status == ObligationStatus.MET


# --- Remedy plans -----------------------------------------------------------------------------


def _plan_data(world: World, **extra: Any) -> dict[str, Any]:
    ob = world.reload(world.permit)
    assert ob.due_date is not None
    return {
        "plan-revision": ob.revision,
        "plan-cause": "材料不全",
        "plan-remedy": "已补正，加快办理",
        "plan-proposed_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        **extra,
    }


def test_a_plan_date_before_the_due_date_is_refused(world: World) -> None:
    ob = world.reload(world.permit)
    assert ob.due_date is not None
    early = (ob.due_date - dt.timedelta(days=1)).isoformat()
    response = login(world.city.officer).post(
        _url("plan_submit", ob), _plan_data(world, **{"plan-proposed_date": early})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-proposed_date"' in html
    assert "加快办理" in html
    assert not RemedyPlan.objects.filter(obligation=ob).exists()


def test_the_enterprise_may_not_answer_the_departments_alarm(world: World) -> None:
    ob = world.reload(world.permit)
    response = login(world.city.enterprise_user).post(_url("plan_submit", ob), _plan_data(world))
    assert response.status_code == 403


def test_the_department_submits_and_the_committee_accepts(world: World) -> None:
    ob = world.reload(world.permit)
    original = ob.due_date
    response = login(world.city.officer).post(_url("plan_submit", ob), _plan_data(world))
    assert response.status_code == 302
    plan = RemedyPlan.objects.get(obligation=ob)
    assert plan.status == PlanStatus.SUBMITTED
    ob = world.reload(world.permit)
    member = login(world.member)
    missing = member.post(
        _url("plan_decide", plan),
        {"plandecide-revision": ob.revision, "plandecide-accept": "0", "plandecide-reason": ""},
    )
    assert missing.status_code == 400
    assert 'data-testid="error-reason"' in missing.content.decode()
    officer = login(world.city.officer).post(
        _url("plan_decide", plan), {"plandecide-revision": ob.revision, "plandecide-accept": "1"}
    )
    assert officer.status_code == 403
    response = member.post(
        _url("plan_decide", plan), {"plandecide-revision": ob.revision, "plandecide-accept": "1"}
    )
    assert response.status_code == 302
    ob = world.reload(world.permit)
    assert ob.due_date == plan.proposed_date
    assert ob.original_due_date == original


# --- Cancel -----------------------------------------------------------------------------------


def test_cancel_needs_a_reason_and_the_committee(world: World) -> None:
    ob = world.reload(world.construction)
    url = _url("obligation_cancel", ob)
    assert (
        login(world.city.enterprise_user)
        .post(url, {"cancel-revision": ob.revision, "cancel-reason": "x"})
        .status_code
        == 403
    )
    member = login(world.member)
    missing = member.post(url, {"cancel-revision": ob.revision, "cancel-reason": ""})
    assert missing.status_code == 400
    assert world.reload(world.construction).status == ObligationStatus.OPEN
    response = member.post(url, {"cancel-revision": ob.revision, "cancel-reason": "项目调整"})
    assert response.status_code == 302
    assert world.reload(world.construction).status == ObligationStatus.CANCELLED


def test_a_supervisor_changes_nothing(world: World) -> None:
    ob = world.reload(world.construction)
    response = login(world.city.city_supervisor).post(
        _url("obligation_cancel", ob), {"cancel-revision": ob.revision, "cancel-reason": "x"}
    )
    assert response.status_code == 403
    assert world.reload(world.construction).status == ObligationStatus.OPEN


# --- Evidence ---------------------------------------------------------------------------------


def test_evidence_is_an_attachment_for_those_who_see_the_obligation(world: World) -> None:
    evidence = _claimed(world).evidence.get()
    url = _url("evidence", evidence)
    for user in (world.city.enterprise_user, world.member):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.getvalue().startswith(b"%PDF-")
    assert login(world.other_enterprise_user).get(url).status_code == 404


def test_a_tampered_revision_is_a_clear_error_not_a_crash(world: World) -> None:
    response = _claim(world, revision="abc")
    assert response.status_code == 400
    assert 'data-testid="error-revision"' in response.content.decode()
    ob = world.reload(world.construction)
    response = login(world.member).post(_url("obligation_cancel", ob), {"cancel-reason": "项目调整"})
    assert response.status_code == 400
    assert world.reload(world.construction).status == ObligationStatus.OPEN


def test_only_the_claimant_side_withdraws_and_others_do_not_see_the_claim(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    data = {"withdraw-revision": ob.revision}
    assert login(world.member).post(_url("claim_withdraw", claim), data).status_code == 403
    assert login(world.other_enterprise_user).post(_url("claim_withdraw", claim), data).status_code == 404
    confirm = {"confirm-revision": ob.revision}
    assert login(world.other_enterprise_user).post(_url("claim_confirm", claim), confirm).status_code == 404
    assert world.reload(world.construction).status == ObligationStatus.CLAIMED


def test_the_enterprise_may_not_dispute_its_own_claim(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    response = login(world.city.enterprise_user).post(
        _url("claim_dispute", claim), {"dispute-revision": ob.revision, "dispute-reason": "?"}
    )
    assert response.status_code == 403
    assert world.reload(world.construction).status == ObligationStatus.CLAIMED


def test_a_stale_confirmation_changes_nothing(world: World) -> None:
    stale = world.reload(world.construction).revision
    claim = _claimed(world)
    response = login(world.member).post(_url("claim_confirm", claim), {"confirm-revision": stale})
    assert response.status_code == 409
    assert 'data-testid="action-notice"' in response.content.decode()
    assert world.reload(world.construction).status == ObligationStatus.CLAIMED


def test_a_decision_needs_a_reason_and_not_met_reopens(world: World) -> None:
    claim = _claimed(world)
    ob = world.reload(world.construction)
    services.claim_dispute(actor=world.member, claim=claim, reason="未见开工", revision=ob.revision)
    ob = world.reload(world.construction)
    client = login(world.member_b)
    missing = client.post(
        _url("claim_decide", claim), {"decide-revision": ob.revision, "decide-outcome": "not_met"}
    )
    assert missing.status_code == 400
    assert 'data-testid="error-reason"' in missing.content.decode()
    assert world.reload(world.construction).status == ObligationStatus.DISPUTED
    response = client.post(
        _url("claim_decide", claim),
        {"decide-revision": ob.revision, "decide-outcome": "not_met", "decide-reason": "现场核查未开工"},
    )
    assert response.status_code == 302
    assert world.reload(world.construction).status == ObligationStatus.OPEN


def test_a_rejected_plan_leaves_the_alarm_open(world: World) -> None:
    from qinqing.contracts.selectors import with_alarm_state

    assert (
        login(world.city.officer).post(_url("plan_submit", world.permit), _plan_data(world)).status_code
        == 302
    )
    plan = RemedyPlan.objects.get(obligation=world.permit)
    ob = world.reload(world.permit)
    due = ob.due_date
    response = login(world.member).post(
        _url("plan_decide", plan),
        {"plandecide-revision": ob.revision, "plandecide-accept": "0", "plandecide-reason": "新日期过晚"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REJECTED
    assert world.reload(world.permit).due_date == due
    state = with_alarm_state(type(ob).objects.filter(pk=ob.pk)).get().alarm_state
    assert state == "open"
