"""Closing the loop over the API: a claim with evidence, confirmed, disputed and decided,
withdrawn; a remedy plan answering an alarm, accepted or rejected; a cancellation.
Each action is refused to a supervisor (403) and to another zone (404), and a stale
revision is refused with 409 `obligation_changed`."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from qinqing.contracts.models import FulfilmentClaim, ObligationStatus, RemedyPlan

from .test_api_world import BASE, World, fire_alarm, pdf, world

__all__ = ["world"]


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _revision(obligation) -> int:
    obligation.refresh_from_db()
    return obligation.revision


def _claim(client, world: World, obligation, **fields):
    body = {
        "met_on": str(timezone.localdate() - dt.timedelta(days=1)),
        "revision": str(_revision(obligation)),
        "note": "已取得施工许可证并开工",
        "files": [pdf()],
        **fields,
    }
    return client.post(f"{BASE}/obligations/{obligation.public_id}/claim", body)


def test_enterprise_claims_and_the_committee_confirms(client, world: World):
    client.force_login(world.city.enterprise_user)
    response = _claim(client, world, world.construction)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "claimed"
    [claim] = body["claims"]
    assert claim["claimed_by"] is None  # an enterprise user sees no names
    [evidence] = claim["evidence"]
    assert evidence["content_type"] == "application/pdf"
    download = client.get(evidence["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(world.other_enterprise_user)
    assert client.get(evidence["download"]).status_code == 404

    client.force_login(world.member)
    url = f"{BASE}/claims/{claim['public_id']}/confirm"
    stale = {"revision": body["revision"] - 1}
    response = _post(client, url, stale)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "obligation_changed"
    client.force_login(world.city.city_supervisor)
    assert _post(client, url, {"revision": body["revision"]}).status_code == 403
    client.force_login(world.other_member)
    assert _post(client, url, {"revision": body["revision"]}).status_code == 404
    client.force_login(world.member)
    response = _post(client, url, {"revision": body["revision"]})
    assert response.status_code == 200, response.content
    done = response.json()
    assert done["status"] == "met"
    assert done["days_early"] == 31  # due in 30 days, met yesterday
    assert done["claims"][0]["answered_by"] is not None


def test_claim_needs_evidence_and_a_date(client, world: World):
    client.force_login(world.city.enterprise_user)
    url = f"{BASE}/obligations/{world.construction.public_id}/claim"
    response = client.post(url, {"met_on": "someday", "revision": "²", "achieved_value": "-3"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"met_on", "revision", "achieved_value", "files"}
    not_a_pdf = io.BytesIO(b"MZ\x90\x00 an executable")
    not_a_pdf.name = "fake.pdf"
    revision = str(_revision(world.construction))
    response = client.post(
        url, {"met_on": str(timezone.localdate()), "revision": revision, "files": [not_a_pdf]}
    )
    assert response.status_code == 400
    response = client.post(url, b"not multipart", content_type="application/octet-stream")
    assert response.status_code == 400
    assert not FulfilmentClaim.objects.exists()


def test_claim_refused_to_the_wrong_side_and_the_supervisor(client, world: World):
    client.force_login(world.member)  # the committee is not the enterprise
    assert _claim(client, world, world.construction).status_code == 403
    client.force_login(world.city.city_supervisor)
    assert _claim(client, world, world.construction).status_code == 403
    client.force_login(world.other_enterprise_user)
    assert _claim(client, world, world.construction).status_code == 404
    assert not FulfilmentClaim.objects.exists()


def test_partly_met_target_disputed_and_decided(client, world: World):
    client.force_login(world.city.enterprise_user)
    response = _claim(client, world, world.investment, achieved_value="70000000.00")
    assert response.status_code == 201, response.content
    body = response.json()
    claim_id = body["claims"][0]["public_id"]
    client.force_login(world.member)
    response = _post(
        client, f"{BASE}/claims/{claim_id}/dispute", {"revision": body["revision"], "reason": ""}
    )
    assert response.status_code == 422
    response = _post(
        client, f"{BASE}/claims/{claim_id}/dispute", {"revision": body["revision"], "reason": "凭证不全"}
    )
    assert response.status_code == 200, response.content
    disputed = response.json()
    assert disputed["status"] == "disputed"
    decide = {"revision": disputed["revision"], "outcome": "partly_met", "reason": "核实到位七千万"}
    # Four eyes: who disputed does not decide.
    assert _post(client, f"{BASE}/claims/{claim_id}/decide", decide).status_code in {403, 409}
    client.force_login(world.member_b)
    response = _post(client, f"{BASE}/claims/{claim_id}/decide", {**decide, "outcome": "maybe"})
    assert response.status_code == 422
    response = _post(client, f"{BASE}/claims/{claim_id}/decide", decide)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "partly_met"
    assert response.json()["achieved_value"] == "70000000.00"


def test_claim_withdrawn_by_the_claimant(client, world: World):
    client.force_login(world.city.enterprise_user)
    body = _claim(client, world, world.construction).json()
    url = f"{BASE}/claims/{body['claims'][0]['public_id']}/withdraw"
    client.force_login(world.member)
    assert _post(client, url, {"revision": body["revision"]}).status_code == 403
    client.force_login(world.city.enterprise_user)
    response = _post(client, url, {"revision": body["revision"]})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["claims"][0]["status"] == "withdrawn"


def test_remedy_plan_answers_the_alarm_and_is_accepted(client, world: World):
    fire_alarm(world.permit)
    client.force_login(world.city.officer)
    revision = _revision(world.permit)
    url = f"{BASE}/obligations/{world.permit.public_id}/plans"
    new_date = timezone.localdate() + dt.timedelta(days=20)
    plan = {"revision": revision, "cause": "材料待补", "remedy": "专人督办", "proposed_date": str(new_date)}
    client.force_login(world.city.city_supervisor)
    assert _post(client, url, plan).status_code == 403
    client.force_login(world.city.officer)
    response = _post(client, url, {**plan, "cause": ""})
    assert response.status_code == 422
    assert "cause" in response.json()["error"]["fields"]
    response = _post(client, url, plan)
    assert response.status_code == 201, response.content
    answered = response.json()
    assert answered["alarm_state"] == "answered"
    plan_id = answered["plans"][0]["public_id"]
    decide_url = f"{BASE}/plans/{plan_id}/decide"
    assert _post(client, decide_url, {"revision": answered["revision"], "accept": True}).status_code == 403
    client.force_login(world.other_member)
    assert _post(client, decide_url, {"revision": answered["revision"], "accept": True}).status_code == 404
    client.force_login(world.member)
    response = _post(client, decide_url, {"revision": answered["revision"] + 5, "accept": True})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "obligation_changed"
    response = _post(client, decide_url, {"revision": answered["revision"], "accept": True})
    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["due_date"] == str(new_date)
    assert accepted["original_due_date"] == str(timezone.localdate() - dt.timedelta(days=5))
    assert accepted["alarm_state"] == ""
    assert accepted["due_changes"][-1]["reason"] == "plan_accepted"
    assert RemedyPlan.objects.get().status == "accepted"


def test_rejected_plan_leaves_the_alarm_open(client, world: World):
    fire_alarm(world.permit)
    client.force_login(world.city.head)
    plan = {
        "revision": _revision(world.permit),
        "cause": "材料待补",
        "remedy": "专人督办",
        "proposed_date": str(timezone.localdate() + dt.timedelta(days=20)),
    }
    answered = _post(client, f"{BASE}/obligations/{world.permit.public_id}/plans", plan).json()
    client.force_login(world.member)
    response = _post(
        client,
        f"{BASE}/plans/{answered['plans'][0]['public_id']}/decide",
        {"revision": answered["revision"], "accept": False, "reason": "期限过长"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["alarm_state"] == "open"


def test_cancel(client, world: World):
    url = f"{BASE}/obligations/{world.construction.public_id}/cancel"
    client.force_login(world.member)
    revision = _revision(world.construction)
    body = {"revision": revision, "reason": "项目调整"}
    for who, status in (
        (world.city.city_supervisor, 403),
        (world.other_member, 404),
        (world.city.enterprise_user, 403),
    ):
        client.force_login(who)
        assert _post(client, url, body).status_code == status
    client.force_login(world.member)
    assert _post(client, url, {"revision": revision}).status_code == 422
    response = _post(client, url, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ObligationStatus.CANCELLED
    response = _post(client, url, {**body, "revision": response.json()["revision"]})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
