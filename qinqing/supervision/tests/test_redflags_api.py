"""The red flags over JSON: supervisors only, within their reach, read-only, the
project's error format on bad input."""

from __future__ import annotations

import pytest

from qinqing.supervision.redflags import FlagKind

from .redflag_world import beijing

pytestmark = pytest.mark.django_db

BASE = "/api/v1/supervision/red-flags"
YEAR = {"since": "2026-01-01", "until": "2026-12-31"}


def _world(w):
    ent = w.enterprise("111122223333")
    step = w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 8, 22, 14))
    w.case(w.enterprise("1111-2222-3333"))
    w.declare(w.officer, ent, declared=beijing(2026, 4, 1, 9, 0))
    return step


def test_the_summary_counts_each_kind(client, flag_world):
    _world(flag_world)
    client.force_login(flag_world.city.supervisor)
    response = client.get(BASE, YEAR)
    assert response.status_code == 200
    body = response.json()
    assert (body["since"], body["until"], body["department"]) == ("2026-01-01", "2026-12-31", None)
    assert [(k["kind"], k["count"]) for k in body["kinds"]] == [
        ("after_hours", 1),
        ("shared_bank_account", 1),
        ("just_under_threshold", 0),
        ("related_approver", 1),
        ("same_official_same_firm", 0),
        ("unusual_duration", 0),
    ]
    assert body["kinds"][0]["label"] == "非工作时间审批"
    assert "08:30–18:00" in body["kinds"][0]["description"]


def test_a_kinds_flags_with_their_facts_and_cases(client, flag_world):
    step = _world(flag_world)
    client.force_login(flag_world.city.supervisor)
    body = client.get(f"{BASE}/after_hours", YEAR, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["kind"] == "after_hours" and body["label"] == "Decided outside working hours"
    assert body["count"] == 1
    (flag,) = body["flags"]
    assert flag["severity"] == "high" and flag["severity_label"] == "High"
    assert flag["fact"] == (
        "Acceptance approved on Sunday 2026-03-08 at 22:14: a rest day; outside office hours (08:30–18:00)"
    )
    assert flag["cases"] == [
        {
            "id": str(step.case.public_id),
            "reference": step.case.reference,
            "url": f"/supervision/policies/cases/{step.case.public_id}/",
        }
    ]
    assert flag["official"] == "张三" and flag["official_id"] == flag_world.officer.pk
    assert flag["enterprises"][0]["credit_code"] == step.case.enterprise.credit_code
    assert flag["data"]["rest_day"] is True
    shared = client.get(f"{BASE}/shared_bank_account", YEAR).json()["flags"][0]
    assert shared["data"]["account_masked"] == "********3333"
    assert "111122223333" not in str(shared)
    related = client.get(f"{BASE}/related_approver", YEAR).json()["flags"][0]
    assert related["data"]["timing"] == "declared_after"


def test_pages_by_offset_and_limit(client, flag_world):
    w = flag_world
    ent = w.enterprise()
    for n in range(3):
        w.decide(w.case(ent), actor=w.officer, at=beijing(2026, 3, 8, 22, n))
    client.force_login(w.city.supervisor)
    body = client.get(f"{BASE}/after_hours", {**YEAR, "offset": 1, "limit": 1}).json()
    assert body["count"] == 3
    assert [f["fact"][-30:] for f in body["flags"]] == [
        client.get(f"{BASE}/after_hours", YEAR).json()["flags"][1]["fact"][-30:]
    ]


def test_the_group_reads_none_of_another_departments_flags(client, flag_world):
    w = flag_world
    w.decide(
        w.case(w.enterprise(), policy=w.other_policy),
        actor=w.city.other_officer,
        at=beijing(2026, 3, 8, 22, 0),
    )
    client.force_login(w.city.supervisor)
    assert client.get(f"{BASE}/after_hours", YEAR).json()["count"] == 0
    assert client.get(f"{BASE}/after_hours", {**YEAR, "department": w.city.commerce.pk}).json()["count"] == 0
    client.force_login(w.city.city_supervisor)
    assert client.get(f"{BASE}/after_hours", YEAR).json()["count"] == 1


@pytest.mark.parametrize("who", ["officer", "head", "committee_member", "enterprise_user", "admin"])
def test_everyone_else_is_refused(client, flag_world, who):
    client.force_login(getattr(flag_world.city, who))
    for url in (BASE, f"{BASE}/after_hours"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert set(response.json()) == {"error"}


def test_anonymous_callers_are_refused(client, flag_world):
    assert client.get(BASE).status_code in (401, 403)


def test_the_api_changes_nothing(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"{BASE}/after_hours").status_code == 405


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        (f"{BASE}/nonsense", {}, 422),
        (BASE, {"since": "2026-12-31", "until": "2026-01-01"}, 400),
        (BASE, {"since": "2001-01-01", "until": "2026-01-01"}, 400),
        (BASE, {"since": "0001-01-01", "until": "0001-01-02"}, 400),
        (BASE, {"since": "yesterday"}, 422),
        (BASE, {"department": "0"}, 422),
        (f"{BASE}/after_hours", {"limit": "100000"}, 422),
        (f"{BASE}/after_hours", {"offset": "-1"}, 422),
    ],
)
def test_bad_input_gets_the_error_format(client, flag_world, url, params, status):
    client.force_login(flag_world.city.supervisor)
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert set(response.json()) == {"error"}


def test_a_bad_period_is_told_in_the_users_language(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    error = client.get(BASE, {"since": "2026-12-31", "until": "2026-01-01"}).json()["error"]
    assert error["fields"]["since"] == ["期间的结束日期早于开始日期。"]
    error = client.get(
        BASE, {"since": "2026-12-31", "until": "2026-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["error"]
    assert error["fields"]["since"] == ["The period ends before it starts."]


def test_every_kind_is_an_endpoint(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    for kind in FlagKind.values:
        assert client.get(f"{BASE}/{kind}", YEAR).json()["count"] == 0
