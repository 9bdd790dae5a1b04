"""The calendar API: read by anyone signed in, written by admins only."""

from __future__ import annotations

import pytest

from qinqing.audit.models import AuditEvent
from qinqing.workdays.models import CalendarDay, CalendarYear

BASE = "/api/v1/calendar"


@pytest.mark.django_db
def test_anonymous_gets_401(client):
    response = client.get(f"{BASE}/check", {"date": "2026-10-01"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_anyone_signed_in_reads(client, city):
    client.force_login(city.enterprise_user)
    check = client.get(f"{BASE}/check", {"date": "2026-02-14"}).json()
    assert check == {
        "date": "2026-02-14",
        "working": True,
        "kind": "makeup_workday",
        "name": "spring_festival",
        "name_display": "春节",
        "provisional_years": [],
    }
    assert client.get(f"{BASE}/check", {"date": "2026-03-02"}).json()["kind"] is None
    added = client.get(f"{BASE}/add", {"start": "2026-09-30", "n": 1}).json()
    assert added["result"] == "2026-10-08"
    assert (
        client.get(f"{BASE}/add", {"start": "2026-09-30", "n": 1, "unit": "calendar"}).json()["result"]
        == "2026-10-01"
    )
    assert client.get(f"{BASE}/between", {"a": "2026-02-13", "b": "2026-02-24"}).json()["working_days"] == 2
    years = client.get(f"{BASE}/years").json()
    assert [y["year"] for y in years] == list(range(2020, 2028))
    assert years[-2]["working_days"] == 248
    days = client.get(f"{BASE}/days", {"year": 2025}).json()
    assert days[0]["date"] == "2025-01-01"
    assert days[0]["name_display"] == "元旦"


@pytest.mark.django_db
def test_an_unseeded_year_is_a_409_naming_the_year(client, city):
    client.force_login(city.officer)
    response = client.get(f"{BASE}/check", {"date": "2028-03-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "calendar_year_not_seeded"
    assert error["extra"] == {"year": 2028}
    assert "2028" in error["message"]


@pytest.mark.django_db
def test_bad_queries_are_4xx(client, city):
    client.force_login(city.officer)
    assert client.get(f"{BASE}/check", {"date": "yesterday"}).status_code == 422
    assert client.get(f"{BASE}/add", {"start": "2026-01-05", "n": 99999}).status_code == 400
    assert client.get(f"{BASE}/add", {"start": "2026-01-05", "n": 1, "unit": "weeks"}).status_code == 422
    assert client.get(f"{BASE}/days", {"year": 12}).status_code == 400


@pytest.mark.django_db
def test_admin_writes(client, city):
    client.force_login(city.admin)
    response = client.post(
        f"{BASE}/days",
        {"date": "2028-01-01", "kind": "holiday", "name": "new_year"},
        content_type="application/json",
    )
    assert response.status_code == 201
    day_id = response.json()["id"]
    response = client.put(
        f"{BASE}/days/{day_id}",
        {"date": "2028-01-01", "kind": "holiday", "name": "new_year", "note": "元旦"},
        content_type="application/json",
    )
    assert response.json()["note"] == "元旦"
    response = client.put(
        f"{BASE}/years/2028", {"complete": True, "source": "通知"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["complete"], response.json()["status"]) == (True, "complete")
    assert client.delete(f"{BASE}/days/{day_id}").status_code == 204
    assert not CalendarDay.objects.filter(pk=day_id).exists()
    assert AuditEvent.objects.filter(action__startswith="calendar.").count() == 4


@pytest.mark.django_db
def test_others_cannot_write(client, city):
    client.force_login(city.officer)
    response = client.post(
        f"{BASE}/days",
        {"date": "2028-01-01", "kind": "holiday", "name": "new_year"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    day = CalendarDay.objects.first()
    assert client.delete(f"{BASE}/days/{day.pk}").status_code == 403
    assert (
        client.put(f"{BASE}/years/2028", {"complete": True}, content_type="application/json").status_code
        == 403
    )
    assert client.put(f"{BASE}/years/2027", {}, content_type="application/json").status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    assert not CalendarYear.objects.filter(year=2028).exists()
    assert CalendarYear.objects.get(year=2027).status == "provisional"


@pytest.mark.django_db
def test_invalid_write_reports_fields(client, city):
    client.force_login(city.admin)
    response = client.post(
        f"{BASE}/days",
        {"date": "2028-01-05", "kind": "makeup_workday", "name": "new_year"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
