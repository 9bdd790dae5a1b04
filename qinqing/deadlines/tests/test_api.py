"""The deadlines API: scoped alerts, ladders readable by all, changed by admins."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.deadlines.models import LadderOverride
from qinqing.deadlines.scan import deadlines_scan

from .conftest import KIND

D = dt.date
BASE = "/api/v1/deadlines"


@pytest.fixture
def alerted(open_item, city):
    drc = open_item(D(2026, 3, 10), title="发改委事项")
    open_item(D(2026, 3, 10), organisation=city.commerce, owner="other_officer", title="商务局事项")
    deadlines_scan(today=D(2026, 3, 11))
    return drc


def test_alerts_in_scope(client, city, alerted):
    client.force_login(city.officer)
    body = client.get(f"{BASE}/alerts").json()
    assert body["count"] == 3
    assert {item["title"] for item in body["items"]} == {"发改委事项"}
    first = body["items"][0]
    assert first["deadline"] == str(alerted.public_id)
    assert first["organisation"] == "市发改委"
    assert first["days_overdue"] >= 1
    alarm = client.get(f"{BASE}/alerts", {"rung": "alarm"}).json()
    assert [i["rung_display"] for i in alarm["items"]] == ["警报"]
    page = client.get(f"{BASE}/alerts", {"limit": 1, "offset": 1}).json()
    assert (page["count"], len(page["items"])) == (3, 1)


def test_supervisor_city_wide_sees_both(client, city, alerted):
    client.force_login(city.city_supervisor)
    assert client.get(f"{BASE}/alerts").json()["count"] == 6


def test_alerts_are_refused_to_enterprise_users_admins_and_anonymous(client, city, alerted):
    assert client.get(f"{BASE}/alerts").status_code == 401
    for who in ("enterprise_user", "admin"):
        client.force_login(getattr(city, who))
        response = client.get(f"{BASE}/alerts")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def test_bad_paging_is_a_400(client, city, alerted):
    client.force_login(city.officer)
    assert client.get(f"{BASE}/alerts", {"limit": 0}).status_code == 400
    assert client.get(f"{BASE}/alerts", {"rung": "panic"}).status_code == 422


def test_ladders_are_listed_and_changed_by_admins(client, city, ladders):
    client.force_login(city.officer)
    listed = {entry["kind"]: entry for entry in client.get(f"{BASE}/ladders").json()}
    assert listed[KIND]["rungs"][0] == {"name": "reminder", "offset": -2, "unit": "working"}
    assert listed[KIND]["overridden"] is False
    body = {"rungs": [{"name": "alarm", "offset": 1, "unit": "calendar"}], "note": "试行"}
    response = client.put(f"{BASE}/ladders/{KIND}", body, content_type="application/json")
    assert response.status_code == 403
    assert not LadderOverride.objects.exists()

    client.force_login(city.admin)
    response = client.put(f"{BASE}/ladders/{KIND}", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["overridden"] is True
    assert response.json()["rungs"] == [{"name": "alarm", "offset": 1, "unit": "calendar"}]
    response = client.delete(f"{BASE}/ladders/{KIND}")
    assert response.json()["overridden"] is False


def test_invalid_ladders_are_refused(client, city, ladders):
    client.force_login(city.admin)
    twice = {"rungs": [{"name": "alarm", "offset": 1}, {"name": "alarm", "offset": 2}]}
    response = client.put(f"{BASE}/ladders/{KIND}", twice, content_type="application/json")
    assert response.status_code == 400
    assert "rungs" in response.json()["error"]["fields"]
    assert (
        client.put(
            f"{BASE}/ladders/{KIND}",
            {"rungs": [{"name": "alarm", "offset": 99999}]},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert (
        client.put(
            f"{BASE}/ladders/no.such",
            {"rungs": [{"name": "alarm", "offset": 1}]},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not LadderOverride.objects.exists()
