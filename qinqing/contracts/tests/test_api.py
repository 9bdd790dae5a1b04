"""The contract API's reads: who sees which project and obligation (the enterprise its
own, a committee its zone, an obligor department what it owes, a supervisor all), the
filters, the alarms, the enterprise's own list, and the OpenAPI document."""

from __future__ import annotations

import pytest

from .test_api_world import BASE, World, fire_alarm, world

__all__ = ["world"]


def _ids(body):
    return [item["public_id"] for item in body["items"]]


def test_anonymous_is_asked_to_log_in(client, world: World):
    response = client.get(f"{BASE}/projects")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("who", "sees_own", "sees_other"),
    [
        ("member", True, False),
        ("other_member", False, True),
        ("enterprise_user", True, False),
        ("other_enterprise_user", False, True),
        ("officer", True, False),  # the department owes the permit in the Taishang project
        ("other_officer", False, False),
        ("city_supervisor", True, True),
    ],
)
def test_projects_list_follows_who_may_see(client, world: World, who, sees_own, sees_other):
    user = getattr(world, who, None) or getattr(world.city, who)
    client.force_login(user)
    response = client.get(f"{BASE}/projects")
    assert response.status_code == 200, response.content
    ids = _ids(response.json())
    assert (str(world.project.public_id) in ids) is sees_own
    assert (str(world.other_project.public_id) in ids) is sees_other
    detail = client.get(f"{BASE}/projects/{world.project.public_id}")
    assert detail.status_code == (200 if sees_own else 404)
    if not sees_own:
        assert detail.json()["error"]["code"] == "not_found"


def test_project_detail_has_contracts_clauses_and_both_sides(client, world: World):
    client.force_login(world.member)
    body = client.get(f"{BASE}/projects/{world.project.public_id}").json()
    assert body["reference"] == "TSQ-001"
    assert body["planned_investment"] == "500000000.00"
    assert body["land_area_mu"] == "120.50"
    assert body["committee"] == world.city.committee.code
    assert body["enterprise"] == str(world.city.enterprise.public_id)
    [contract] = body["contracts"]
    assert contract["number"] == "TSQ-HT-001"
    assert contract["value"] == "500000000.00"
    assert [c["number"] for c in contract["clauses"]] == ["5"]
    assert [o["title"] for o in body["enterprise_obligations"]] == ["开工建设", "固定资产投资"]
    [permit] = body["government_obligations"]
    assert permit["obligor_department"] == "drc"
    assert permit["overdue"] is True
    assert permit["due_rule"]["mode"] == "absolute"
    assert "id" not in body and "id" not in permit


def test_project_list_filters(client, world: World):
    client.force_login(world.city.city_supervisor)
    assert _ids(client.get(f"{BASE}/projects", {"q": "鞋服"}).json()) == [str(world.other_project.public_id)]
    assert _ids(client.get(f"{BASE}/projects", {"q": "TSQ"}).json()) == [str(world.project.public_id)]
    assert client.get(f"{BASE}/projects", {"status": "completed"}).json()["count"] == 0
    assert client.get(f"{BASE}/projects", {"has_alarm": "true"}).json()["count"] == 0
    fire_alarm(world.permit)
    assert _ids(client.get(f"{BASE}/projects", {"has_alarm": "true"}).json()) == [
        str(world.project.public_id)
    ]
    assert _ids(client.get(f"{BASE}/projects", {"has_alarm": "false"}).json()) == [
        str(world.other_project.public_id)
    ]


def test_bad_filters_get_a_4xx_naming_the_field(client, world: World):
    client.force_login(world.member)
    response = client.get(f"{BASE}/projects", {"status": "sleeping", "limit": 0})
    assert response.status_code == 422
    assert {"status", "limit"} <= set(response.json()["error"]["fields"])
    response = client.get(f"{BASE}/obligations", {"department": "nowhere"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"department"}
    response = client.get(f"{BASE}/obligations", {"project": "not-a-uuid"})
    assert response.status_code == 422
    assert "project" in response.json()["error"]["fields"]


def test_obligation_filters(client, world: World):
    client.force_login(world.member)

    def titles(**params):
        response = client.get(f"{BASE}/obligations", params)
        assert response.status_code == 200, response.content
        return [o["title"] for o in response.json()["items"]]

    assert titles() == ["办理项目备案", "开工建设", "固定资产投资"]
    assert titles(side="government") == ["办理项目备案"]
    assert titles(side="enterprise") == ["开工建设", "固定资产投资"]
    assert titles(overdue="true") == ["办理项目备案"]
    assert titles(overdue="false") == ["开工建设", "固定资产投资"]
    assert titles(kind="investment") == ["固定资产投资"]
    assert titles(status="met") == []
    assert titles(department="drc") == ["办理项目备案"]
    assert titles(project=str(world.other_project.public_id)) == []
    assert titles(alarm_state="open") == []
    fire_alarm(world.permit)
    assert titles(alarm_state="open") == ["办理项目备案"]
    assert titles(alarm_state="none") == ["开工建设", "固定资产投资"]
    assert titles(limit=1, offset=1) == ["开工建设"]


def test_obligations_of_another_zone_are_not_listed_or_found(client, world: World):
    client.force_login(world.other_member)
    assert client.get(f"{BASE}/obligations").json()["count"] == 0
    response = client.get(f"{BASE}/obligations/{world.permit.public_id}")
    assert response.status_code == 404
    client.force_login(world.other_enterprise_user)
    assert client.get(f"{BASE}/obligations/{world.construction.public_id}").status_code == 404


def test_obligation_detail(client, world: World):
    fire_alarm(world.permit)
    client.force_login(world.city.officer)
    body = client.get(f"{BASE}/obligations/{world.permit.public_id}").json()
    assert body["public_id"] == str(world.permit.public_id)
    assert body["alarm_state"] == "open"
    assert body["project"] == str(world.project.public_id)
    assert body["contract"] == str(world.contract.public_id)
    assert body["clause"] == "5"
    assert [a["rung"] for a in body["alerts"]] == ["alarm"]
    assert body["claims"] == [] and body["plans"] == []
    assert "plan" in body["actions"]
    assert isinstance(body["revision"], int)
    client.force_login(world.city.city_supervisor)
    body = client.get(f"{BASE}/obligations/{world.investment.public_id}").json()
    assert body["target_value"] == "100000000.00"
    assert body["actions"] == []


def test_alarms(client, world: World):
    client.force_login(world.member)
    assert client.get(f"{BASE}/alarms").json()["count"] == 0
    fire_alarm(world.permit)
    body = client.get(f"{BASE}/alarms").json()
    assert [o["public_id"] for o in body["items"]] == [str(world.permit.public_id)]
    assert body["items"][0]["alarm_state"] == "open"
    assert client.get(f"{BASE}/alarms", {"state": "answered"}).json()["count"] == 0
    client.force_login(world.other_member)
    assert client.get(f"{BASE}/alarms").json()["count"] == 0


def test_mine_is_the_enterprise_own(client, world: World):
    client.force_login(world.city.enterprise_user)
    body = client.get(f"{BASE}/mine/obligations").json()
    assert {o["project"] for o in body["items"]} == {str(world.project.public_id)}
    assert body["count"] == 3
    assert client.get(f"{BASE}/mine/obligations", {"side": "enterprise"}).json()["count"] == 2
    client.force_login(world.other_enterprise_user)
    assert client.get(f"{BASE}/mine/obligations").json()["count"] == 0
    client.force_login(world.member)
    response = client.get(f"{BASE}/mine/obligations")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_enterprise_sees_no_officials_names(client, world: World):
    client.force_login(world.city.enterprise_user)
    body = client.get(f"{BASE}/obligations/{world.construction.public_id}").json()
    assert all(change["changed_by"] is None for change in body["due_changes"])


def test_openapi_document_lists_the_contract_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        f"{BASE}/projects",
        f"{BASE}/projects/{{project_id}}",
        f"{BASE}/projects/{{project_id}}/contracts",
        f"{BASE}/projects/{{project_id}}/events",
        f"{BASE}/projects/{{project_id}}/events/declare",
        f"{BASE}/contracts/{{contract_id}}/clauses",
        f"{BASE}/contracts/{{contract_id}}/obligations",
        f"{BASE}/obligations",
        f"{BASE}/obligations/{{obligation_id}}",
        f"{BASE}/obligations/{{obligation_id}}/rule",
        f"{BASE}/obligations/{{obligation_id}}/claim",
        f"{BASE}/obligations/{{obligation_id}}/plans",
        f"{BASE}/obligations/{{obligation_id}}/cancel",
        f"{BASE}/claims/{{claim_id}}/withdraw",
        f"{BASE}/claims/{{claim_id}}/confirm",
        f"{BASE}/claims/{{claim_id}}/dispute",
        f"{BASE}/claims/{{claim_id}}/decide",
        f"{BASE}/plans/{{plan_id}}/decide",
        f"{BASE}/evidence/{{evidence_id}}",
        f"{BASE}/alarms",
        f"{BASE}/mine/obligations",
        f"{BASE}/dashboard",
        f"{BASE}/projects/{{project_id}}/ocds",
        f"{BASE}/contracts/{{contract_id}}/ocds",
    }
    assert expected <= set(paths), sorted(expected - set(paths))
    claim = paths[f"{BASE}/obligations/{{obligation_id}}/claim"]["post"]
    assert "multipart/form-data" in claim["requestBody"]["content"]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["/obligations", "/mine/obligations", "/alarms", "/projects", "/projects/{project}", "/dashboard"]
)
def test_lists_read_a_fixed_number_of_queries(client, world: World, path):
    """No query per row: twice the obligations (and a second project) cost the same."""
    from qinqing.contracts import services

    client.force_login(world.city.enterprise_user)
    url = BASE + path.format(project=world.project.public_id)
    _queries(client, url)  # the first request fills the process's caches (calendar, content types)
    before = _queries(client, url)
    clause = world.contract.clauses.get()
    for n in range(3):
        services.obligation_add(
            actor=world.member,
            clause=clause,
            obligor_side="government",
            obligor_department=world.city.commerce if n % 2 else world.city.drc,
            kind="utility_power",
            title=f"供电接入{n}",
            due_rule={"mode": "relative", "anchor_obligation": world.permit, "offset": n, "unit": "calendar"},
        )
    project = services.project_create(
        actor=world.member,
        enterprise=world.city.enterprise,
        committee=world.city.committee,
        reference="TSQ-009",
        name="第二个项目",
        industry="物流",
        planned_investment="1000",
        signed_on=world.project.signed_on,
    )
    assert project.pk
    assert _queries(client, url) == before


def test_api_token_and_session_with_csrf(world: World):
    from django.test import Client

    from qinqing.accounts.services import api_token_create

    _token, key = api_token_create(actor=world.member, user=world.member, name="script")
    client = Client()
    response = client.get(f"{BASE}/projects", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert client.get(f"{BASE}/projects", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.member)
    assert browser.get(f"{BASE}/projects").status_code == 200
    url = f"{BASE}/obligations/{world.construction.public_id}/cancel"
    response = browser.post(url, {"revision": 0, "reason": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert world.reload(world.construction).status == "open"
