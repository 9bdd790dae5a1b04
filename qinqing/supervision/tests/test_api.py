"""The supervision API, per role: supervisors read and start checks, others get 403."""

from __future__ import annotations

import json

import pytest

from qinqing.audit.models import AuditVerification
from qinqing.audit.services import audit_checkpoint_create

BASE = "/api/v1/supervision/audit"
OTHERS = ["officer", "head", "committee_member", "enterprise_user", "admin"]


def _error(response):
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


def test_no_verification_yet(client, city):
    client.force_login(city.supervisor)
    response = client.get(f"{BASE}/verification")
    assert response.status_code == 200
    assert response.json() == {"latest": None, "latest_finished": None}


def test_a_supervisor_starts_a_check_and_reads_its_result(client, city, trail):
    client.force_login(city.city_supervisor)
    response = client.post(f"{BASE}/verification")
    assert response.status_code == 200
    run = response.json()
    assert run["status"] == "intact"
    assert run["status_label"] == "完整"
    assert run["first_break"] is None
    assert run["events_checked"] == 6
    status = client.get(f"{BASE}/verification").json()
    assert status["latest"]["id"] == run["id"] == status["latest_finished"]["id"]


def test_a_broken_chain_names_its_first_broken_event(client, city, trail):
    from qinqing.audit.guards import EVENT_TABLE
    from qinqing.audit.testing import tamper

    tamper(f"UPDATE {EVENT_TABLE} SET after = %s WHERE seq = 2", ['{"status":"approved"}'])
    client.force_login(city.supervisor)
    run = client.post(f"{BASE}/verification").json()
    assert run["status"] == "broken"
    assert run["first_break"]["kind"] == "content_mismatch"
    assert run["first_break"]["seq"] == 2
    assert "第 2 号事件" in run["first_break"]["message"]


@pytest.mark.parametrize("who", OTHERS)
def test_everyone_else_is_refused(client, city, trail, who):
    client.force_login(getattr(city, who))
    for response in [
        client.get(f"{BASE}/verification"),
        client.post(f"{BASE}/verification"),
        client.get(f"{BASE}/checkpoints"),
        client.get(f"{BASE}/checkpoints/export"),
        client.get(f"{BASE}/timeline", {"type": "policies.application", "id": "7"}),
    ]:
        assert response.status_code == 403
        assert _error(response)["code"] == "forbidden"
    assert not AuditVerification.objects.exists()


def test_anonymous_callers_must_authenticate(client, trail):
    response = client.get(f"{BASE}/verification")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthenticated"


def test_checkpoints_and_their_export(client, city, trail):
    audit_checkpoint_create()
    client.force_login(city.supervisor)
    listed = client.get(f"{BASE}/checkpoints", {"limit": 5}).json()
    assert [cp["seq"] for cp in listed] == [5]
    assert set(listed[0]) == {"seq", "hash", "signed_at", "key_id", "public_key", "signature"}
    response = client.get(f"{BASE}/checkpoints/export")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["public_key"] == listed[0]["public_key"]
    assert client.get(f"{BASE}/checkpoints", {"limit": 0}).status_code == 422


def test_a_timeline_is_scoped_to_the_supervisors_reach(client, city, trail):
    client.force_login(city.supervisor)
    body = client.get(f"{BASE}/timeline", {"type": "policies.application", "id": "7"}).json()
    assert body["count"] == 3
    assert [e["action"] for e in body["events"]] == [
        "application.submit",
        "application.review",
        "application.approve",
    ]
    first = body["events"][0]
    assert first["organisation"] == "市发改委"
    assert first["seq"] == 1 and first["hash"]
    assert {"field": "status", "before": None, "after": "submitted", "changed": True} in first["changes"]
    assert client.get(f"{BASE}/timeline", {"type": "policies.application", "id": "8"}).json()["count"] == 0
    client.force_login(city.city_supervisor)
    assert client.get(f"{BASE}/timeline", {"type": "policies.application", "id": "8"}).json()["count"] == 1
    assert client.get(f"{BASE}/timeline", {"type": "accounts.user", "id": "99"}).json()["count"] == 1


def test_a_timeline_without_a_record_is_a_clear_error(client, city):
    client.force_login(city.supervisor)
    response = client.get(f"{BASE}/timeline", {"type": "policies.application"})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid"
    assert "id" in error["fields"]


def test_a_long_chain_is_checked_in_the_background(client, city, trail, monkeypatch):
    from qinqing.audit.services import verification

    monkeypatch.setattr(verification, "INLINE_LIMIT", 0)
    client.force_login(city.supervisor)
    response = client.post(f"{BASE}/verification")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    status = client.get(f"{BASE}/verification").json()
    assert status["latest"]["status"] == "queued"
    assert status["latest_finished"] is None


def test_an_export_without_its_signing_key_is_a_clear_error(client, city, trail, settings):
    audit_checkpoint_create()
    settings.AUDIT_SIGNING_KEY_FILE.unlink()
    client.force_login(city.supervisor)
    response = client.get(f"{BASE}/checkpoints/export")
    assert response.status_code == 503
    assert _error(response)["code"] == "audit_signing_key_missing"


def test_odd_input_is_refused_politely(client, city, trail):
    client.force_login(city.supervisor)
    for params in [
        {"type": "policies.application", "id": "7\x00"},
        {"type": "policies.application", "id": "7", "offset": 10**12},
        {"type": "x" * 101, "id": "7"},
    ]:
        response = client.get(f"{BASE}/timeline", params)
        assert response.status_code == 422, params
        assert _error(response)["code"] == "invalid"
