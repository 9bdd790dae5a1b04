"""The policy supervision endpoints: read-only figures per role, the one error format."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.policies.models import CaseStep

pytestmark = pytest.mark.django_db

BASE = "/api/v1/supervision/policies"
H = 3600.0


def _late(tc, case, days=10):
    step = tc.step(case)
    CaseStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - dt.timedelta(days=days))


def test_late_steps_per_role(client, two_cases):
    city = two_cases.world.city
    _late(two_cases, two_cases.drc_case)
    _late(two_cases, two_cases.commerce_case)
    client.force_login(city.city_supervisor)
    body = client.get(f"{BASE}/steps/late").json()
    assert body["count"] == 2
    assert {s["case_reference"] for s in body["steps"]} == {
        two_cases.drc_case.reference,
        two_cases.commerce_case.reference,
    }
    assert all(s["state"] == "overdue" and s["working_days_overdue"] >= 1 for s in body["steps"])
    client.force_login(city.supervisor)
    body = client.get(f"{BASE}/steps/late").json()
    assert [s["department"] for s in body["steps"]] == ["市发改委"]
    # an official sees their department's only
    client.force_login(city.other_officer)
    body = client.get(f"{BASE}/steps/late", {"overdue_only": "true"}).json()
    assert [s["case_reference"] for s in body["steps"]] == [two_cases.commerce_case.reference]


@pytest.mark.parametrize("who", ["enterprise_user", "admin"])
def test_enterprises_and_admins_get_403_everywhere(client, two_cases, who):
    client.force_login(getattr(two_cases.world.city, who))
    for path in [
        "/steps/late",
        "/steps/alerts",
        "/time-to-cash",
        f"/cases/{two_cases.drc_case.public_id}/timeline",
    ]:
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"


def test_anonymous_callers_are_refused(client, two_cases):
    assert client.get(f"{BASE}/steps/late").status_code == 401


def test_a_case_timeline_outside_the_reach_is_404(client, two_cases):
    client.force_login(two_cases.world.city.supervisor)
    response = client.get(f"{BASE}/cases/{two_cases.commerce_case.public_id}/timeline")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_case_timeline(client, two_cases):
    client.force_login(two_cases.world.city.officer)
    body = client.get(f"{BASE}/cases/{two_cases.drc_case.public_id}/timeline").json()
    assert body["reference"] == two_cases.drc_case.reference
    assert [s["position"] for s in body["steps"]] == [0]
    actions = [e["action"] for e in body["events"]]
    assert actions[0] == "case.open" or "case.open" in actions
    assert "deadline.open" in actions
    assert body["segment"]["checked"] and body["segment"]["intact"]


def test_alerts_reject_an_unknown_rung_and_an_upside_down_period(client, two_cases):
    client.force_login(two_cases.world.city.supervisor)
    response = client.get(f"{BASE}/steps/alerts", {"rung": "panic"})
    assert response.status_code == 422  # the schema's own check
    assert "rung" in response.json()["error"]["fields"]
    response = client.get(f"{BASE}/steps/alerts", {"since": "2026-03-02", "until": "2026-03-01"})
    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_time_to_cash_figures(client, cash_world):
    client.force_login(User.objects.get(username="citysup"))
    body = client.get(f"{BASE}/time-to-cash", {"since": "2026-03-01", "until": "2026-03-31"}).json()
    total = body["total"]
    assert (total["paid_cases"], total["median_seconds"], total["p90_seconds"]) == (7, 24 * H, 211_680.0)
    assert total["paid_within_1_day"] == 4
    assert total["share_paid_within_1_day"] == round(4 / 7, 4)
    assert {(d["name"], d["median_seconds"], d["p90_seconds"]) for d in body["by_department"]} == {
        ("市发改委", 20 * H, 42 * H),
        ("市商务局", 48 * H, 241_920.0),
    }
    # the DRC's officer: the DRC's figures only
    client.force_login(User.objects.get(username="officer"))
    body = client.get(f"{BASE}/time-to-cash", {"since": "2026-03-01", "until": "2026-03-31"}).json()
    assert [d["name"] for d in body["by_department"]] == ["市发改委"]
    assert body["total"]["paid_cases"] == 5


def test_time_to_cash_refuses_a_period_past_three_years(client, cash_world):
    client.force_login(User.objects.get(username="citysup"))
    response = client.get(f"{BASE}/time-to-cash", {"since": "2020-01-01", "until": "2026-03-31"})
    assert response.status_code == 400


def test_step_alerts_in_reach_with_their_case(client, two_cases):
    from qinqing.deadlines.models import Alert

    city = two_cases.world.city
    today = timezone.localdate()
    for case in (two_cases.drc_case, two_cases.commerce_case):
        deadline = two_cases.step(case).deadline
        Alert.objects.create(
            deadline=deadline,
            rung="alarm",
            due_date=deadline.due_date,
            rung_on=today,
            fired_on=today,
            fired_at=timezone.now(),
        )
    client.force_login(city.city_supervisor)
    body = client.get(f"{BASE}/steps/alerts").json()
    assert body["count"] == 2
    assert {a["case_reference"] for a in body["alerts"]} == {
        two_cases.drc_case.reference,
        two_cases.commerce_case.reference,
    }
    client.force_login(city.supervisor)
    body = client.get(f"{BASE}/steps/alerts", {"rung": "alarm"}).json()
    assert [(a["case_reference"], a["rung_label"], a["step_ended_at"]) for a in body["alerts"]] == [
        (two_cases.drc_case.reference, "警报", None)
    ]
