"""The contract API's committee writes: project, contract, clause, obligation with a due
rule, project events, due-rule change; each allowed for the zone's committee, refused
to a supervisor (403), not found for another zone (404), and bad input answered with a
4xx naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.contracts.models import Contract, Obligation, Project

from .test_api_world import BASE, World, world

__all__ = ["world"]


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _project_body(world: World, **overrides):
    body = {
        "enterprise": str(world.city.enterprise.public_id),
        "committee": world.city.committee.code,
        "reference": "TSQ-002",
        "name": "智能装备产业园",
        "industry": "装备制造",
        "planned_investment": "300000000.50",
        "signed_on": str(timezone.localdate() - dt.timedelta(days=10)),
        "land_area_mu": "80",
    }
    body.update(overrides)
    return body


def test_committee_creates_a_project(client, world: World):
    client.force_login(world.member)
    response = _post(client, f"{BASE}/projects", _project_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "TSQ-002"
    assert body["planned_investment"] == "300000000.50"
    assert body["contracts"] == [] and body["enterprise_obligations"] == []
    assert Project.objects.get(public_id=body["public_id"]).committee == world.city.committee


@pytest.mark.parametrize("who", ["city_supervisor", "admin", "enterprise_user", "officer"])
def test_only_the_committee_creates_projects(client, world: World, who):
    client.force_login(getattr(world.city, who))
    response = _post(client, f"{BASE}/projects", _project_body(world))
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden"
    assert not Project.objects.filter(reference="TSQ-002").exists()


def test_another_zone_cannot_create_in_this_zone(client, world: World):
    client.force_login(world.other_member)
    response = _post(client, f"{BASE}/projects", _project_body(world))
    assert response.status_code == 403


def test_bad_project_input_names_the_fields(client, world: World):
    client.force_login(world.member)
    response = _post(client, f"{BASE}/projects", _project_body(world, name="", planned_investment="abc"))
    assert response.status_code == 422
    assert {"name", "planned_investment"} <= set(response.json()["error"]["fields"])
    response = _post(client, f"{BASE}/projects", _project_body(world, committee="nowhere"))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"committee"}
    response = _post(client, f"{BASE}/projects", _project_body(world, reference="TSQ-001"))
    assert response.status_code == 400
    assert "reference" in response.json()["error"]["fields"]
    response = client.post(f"{BASE}/projects", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_update_project(client, world: World):
    url = f"{BASE}/projects/{world.project.public_id}"
    client.force_login(world.member)
    response = client.patch(url, {"name": "新名称", "land_area_mu": None}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "新名称"
    assert response.json()["land_area_mu"] is None
    response = client.patch(url, {"name": None}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name"}
    client.force_login(world.city.city_supervisor)
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 403
    client.force_login(world.other_member)
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 404
    client.force_login(world.city.enterprise_user)
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 403
    assert client.patch(url, {}, content_type="application/json").status_code == 403
    assert Project.objects.get(pk=world.project.pk).name == "新名称"


def test_contract_clause_and_obligation(client, world: World):
    client.force_login(world.member)
    response = _post(
        client,
        f"{BASE}/projects/{world.project.public_id}/contracts",
        {
            "kind": "land_transfer",
            "number": "TSQ-CR-009",
            "title": "国有建设用地使用权出让合同",
            "government_party": "drc",
            "signed_on": str(timezone.localdate()),
            "value": "12000000",
            "amends": None,
        },
    )
    assert response.status_code == 201, response.content
    contract = response.json()
    assert contract["value"] == "12000000.00"
    url = f"{BASE}/contracts/{contract['public_id']}/clauses"
    ladder = [{"name": "reminder", "offset": -10, "unit": "calendar"}, {"name": "alarm", "offset": 1}]
    response = _post(client, url, {"number": "3", "text": "出让人应于约定日期交付土地。", "ladder": ladder})
    assert response.status_code == 201, response.content
    assert response.json()["clauses"][0]["ladder"][0]["name"] == "reminder"
    response = _post(
        client,
        f"{BASE}/projects/{world.project.public_id}/events/declare",
        {"key": "land_certificate", "label": ""},
    )
    assert response.status_code == 200, response.content
    assert response.json()["occurred_on"] is None
    obligation_url = f"{BASE}/contracts/{contract['public_id']}/obligations"
    body = {
        "clause": "3",
        "obligor_side": "government",
        "obligor_department": "drc",
        "kind": "land_delivery",
        "title": "交付土地",
        "due_rule": {"mode": "relative", "anchor_event": "land_certificate", "offset": 20, "unit": "working"},
    }
    response = _post(client, obligation_url, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending"
    assert created["due_date"] is None
    assert created["due_rule"] == {
        "mode": "relative",
        "date": None,
        "anchor_obligation": None,
        "anchor_event": "land_certificate",
        "offset": 20,
        "unit": "working",
    }
    # The event happens: the obligation gets its date.
    happened = timezone.localdate() - dt.timedelta(days=3)
    response = _post(
        client,
        f"{BASE}/projects/{world.project.public_id}/events",
        {"key": "land_certificate", "occurred_on": str(happened)},
    )
    assert response.status_code == 200, response.content
    detail = client.get(f"{BASE}/obligations/{created['public_id']}").json()
    assert detail["status"] == "open"
    assert detail["due_date"] is not None
    assert [c["reason"] for c in detail["due_changes"]] == ["first_dated"]


def test_bad_obligation_input(client, world: World):
    client.force_login(world.member)
    url = f"{BASE}/contracts/{world.contract.public_id}/obligations"
    body = {
        "clause": "5",
        "obligor_side": "enterprise",
        "kind": "production_start",
        "title": "投产",
        "due_rule": {"mode": "relative", "anchor_event": "nothing_yet", "offset": 6, "unit": "months"},
    }
    response = _post(client, url, body)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"due_rule.anchor_event"}
    response = _post(client, url, {**body, "due_rule": {"mode": "weekly", "offset": 1}})
    assert response.status_code == 422
    assert any(key.startswith("due_rule") for key in response.json()["error"]["fields"])
    response = _post(
        client, url, {**body, "clause": "99", "due_rule": {"mode": "absolute", "date": "2030-01-01"}}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"clause"}
    response = _post(
        client,
        url,
        {
            **body,
            "due_rule": {
                "mode": "relative",
                "anchor_obligation": str(world.permit.public_id),
                "offset": 9999,
            },
        },
    )
    assert response.status_code == 422
    assert any(key.endswith("offset") for key in response.json()["error"]["fields"])
    assert Obligation.objects.filter(title="投产").count() == 0


def test_obligation_writes_refused_outside_the_committee(client, world: World):
    url = f"{BASE}/contracts/{world.contract.public_id}/obligations"
    body = {
        "clause": "5",
        "obligor_side": "enterprise",
        "kind": "production_start",
        "title": "投产",
        "due_rule": {"mode": "absolute", "date": str(timezone.localdate() + dt.timedelta(days=300))},
    }
    client.force_login(world.city.city_supervisor)
    assert _post(client, url, body).status_code == 403
    client.force_login(world.other_member)
    assert _post(client, url, body).status_code == 404
    client.force_login(world.city.enterprise_user)
    assert _post(client, url, body).status_code == 403
    contract_url = f"{BASE}/projects/{world.project.public_id}/contracts"
    contract = {
        "kind": "supplementary",
        "number": "TSQ-BC-001",
        "title": "补充协议",
        "government_party": world.city.committee.code,
        "signed_on": str(timezone.localdate()),
    }
    client.force_login(world.city.city_supervisor)
    assert _post(client, contract_url, contract).status_code == 403
    client.force_login(world.other_member)
    assert _post(client, contract_url, contract).status_code == 404
    assert not Obligation.objects.filter(title="投产").exists()
    assert Contract.objects.count() == 1


def test_change_rule_with_a_stale_revision_is_refused(client, world: World):
    url = f"{BASE}/obligations/{world.construction.public_id}/rule"
    client.force_login(world.member)
    revision = client.get(f"{BASE}/obligations/{world.construction.public_id}").json()["revision"]
    new_date = str(timezone.localdate() + dt.timedelta(days=45))
    body = {
        "revision": revision,
        "reason": "补充协议顺延",
        "due_rule": {"mode": "absolute", "date": new_date},
    }
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == new_date
    assert response.json()["revision"] > revision
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "obligation_changed"
    client.force_login(world.city.city_supervisor)
    assert (
        client.put(url, {**body, "revision": revision + 1}, content_type="application/json").status_code
        == 403
    )
    client.force_login(world.other_member)
    assert (
        client.put(url, {**body, "revision": revision + 1}, content_type="application/json").status_code
        == 404
    )


def test_event_record_refused_to_supervisor_and_other_zone(client, world: World):
    url = f"{BASE}/projects/{world.project.public_id}/events"
    body = {"key": "planning_applied", "occurred_on": str(timezone.localdate())}
    client.force_login(world.city.city_supervisor)
    assert _post(client, url, body).status_code == 403
    client.force_login(world.other_member)
    assert _post(client, url, body).status_code == 404
    client.force_login(world.member)
    response = _post(client, url, {"key": "有 空格", "occurred_on": "yesterday"})
    assert response.status_code == 422
    assert {"key", "occurred_on"} <= set(response.json()["error"]["fields"])


def _every_write(world: World) -> list[tuple[str, str, dict]]:
    """Each write of the API with a body it would accept from the right person."""
    from qinqing.contracts import services

    from .test_api_world import fire_alarm, pdf

    today = timezone.localdate()
    claim = services.obligation_claim(
        actor=world.city.enterprise_user, obligation=world.construction, met_on=today, files=[pdf()]
    )
    fire_alarm(world.permit)
    plan = services.plan_submit(
        actor=world.city.officer,
        obligation=world.permit,
        cause="材料待补",
        remedy="专人督办",
        proposed_date=today + dt.timedelta(days=20),
    )
    project, contract = world.project.public_id, world.contract.public_id
    construction, permit, investment = (
        world.reload(o) for o in (world.construction, world.permit, world.investment)
    )
    later = str(today + dt.timedelta(days=90))
    return [
        ("patch", f"{BASE}/projects/{project}", {"name": "改名"}),
        (
            "post",
            f"{BASE}/projects/{project}/contracts",
            {
                "kind": "supplementary",
                "number": "BC-1",
                "title": "补充协议",
                "government_party": world.city.committee.code,
                "signed_on": str(today),
            },
        ),
        ("post", f"{BASE}/contracts/{contract}/clauses", {"number": "9", "text": "补充条款"}),
        (
            "post",
            f"{BASE}/contracts/{contract}/obligations",
            {
                "clause": "5",
                "obligor_side": "enterprise",
                "kind": "production_start",
                "title": "投产",
                "due_rule": {"mode": "absolute", "date": later},
            },
        ),
        (
            "put",
            f"{BASE}/obligations/{investment.public_id}/rule",
            {
                "revision": investment.revision,
                "reason": "顺延",
                "due_rule": {"mode": "absolute", "date": later},
            },
        ),
        ("post", f"{BASE}/projects/{project}/events", {"key": "planning_applied", "occurred_on": str(today)}),
        ("post", f"{BASE}/projects/{project}/events/declare", {"key": "completion_accepted"}),
        ("post", f"{BASE}/claims/{claim.public_id}/withdraw", {"revision": construction.revision}),
        ("post", f"{BASE}/claims/{claim.public_id}/confirm", {"revision": construction.revision}),
        (
            "post",
            f"{BASE}/claims/{claim.public_id}/dispute",
            {"revision": construction.revision, "reason": "不符"},
        ),
        (
            "post",
            f"{BASE}/claims/{claim.public_id}/decide",
            {"revision": construction.revision, "outcome": "met", "reason": "已核实"},
        ),
        (
            "post",
            f"{BASE}/obligations/{investment.public_id}/plans",
            {"revision": investment.revision, "cause": "资金", "remedy": "融资", "proposed_date": later},
        ),
        ("post", f"{BASE}/plans/{plan.public_id}/decide", {"revision": permit.revision, "accept": True}),
        (
            "post",
            f"{BASE}/obligations/{investment.public_id}/cancel",
            {"revision": investment.revision, "reason": "调整"},
        ),
    ]


def test_a_supervisor_is_refused_every_write_and_another_zone_finds_nothing(client, world: World):
    writes = _every_write(world)
    for who, status in ((world.city.city_supervisor, 403), (world.other_member, 404)):
        client.force_login(who)
        for method, url, body in writes:
            response = getattr(client, method)(url, body, content_type="application/json")
            assert response.status_code == status, (method, url, response.content)
    claim_url = f"{BASE}/obligations/{world.investment.public_id}/claim"
    client.force_login(world.city.city_supervisor)
    assert client.post(claim_url, {"met_on": str(timezone.localdate()), "revision": "0"}).status_code == 403
    client.force_login(world.other_member)
    assert client.post(claim_url, {"met_on": str(timezone.localdate()), "revision": "0"}).status_code == 404
    assert Project.objects.get(pk=world.project.pk).name == world.project.name
    assert Contract.objects.count() == 1
    assert world.reload(world.investment).status == "open"


def test_control_characters_are_refused_by_field(client, world: World):
    client.force_login(world.member)
    response = _post(client, f"{BASE}/projects", _project_body(world, name="新\x00项目", committee="ts\x00q"))
    assert response.status_code == 422
    assert {"name", "committee"} <= set(response.json()["error"]["fields"])
    response = client.get(f"{BASE}/obligations", {"department": "drc\x00"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"department"}
    response = _post(
        client,
        f"{BASE}/contracts/{world.contract.public_id}/clauses",
        {"number": "5\x1b", "text": "第一行\n第二行"},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"number"}
    assert not Project.objects.filter(reference="TSQ-002").exists()


def _fine_or_refused(response, ok: int) -> None:
    assert response.status_code == ok or 400 <= response.status_code < 500, response.content
    if response.status_code != ok:
        assert response.json()["error"]["code"] in {"invalid", "calendar_year_not_seeded", "out_of_range"}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-02-28"])
def test_far_dates_are_answered_without_a_server_error(client, world: World, day):
    """Dates outside the working-day calendar, or at the edge of what a date can hold,
    are kept or refused with a reason: never a 500."""
    client.force_login(world.member)
    body = {
        "clause": "5",
        "obligor_side": "government",
        "obligor_department": "drc",
        "kind": "permit",
        "title": "远期许可",
        "due_rule": {"mode": "absolute", "date": day},
    }
    _fine_or_refused(_post(client, f"{BASE}/contracts/{world.contract.public_id}/obligations", body), 201)
    # The investment, not yet due: the permit is late, and a late obligation's rule may
    # not move its contract date at all (test_rule_edit_lateness.py).
    url = f"{BASE}/obligations/{world.investment.public_id}/rule"
    revision = world.reload(world.investment).revision
    rule = {"revision": revision, "reason": "改期", "due_rule": {"mode": "absolute", "date": day}}
    _fine_or_refused(client.put(url, rule, content_type="application/json"), 200)
    event = {"key": "x", "occurred_on": day}
    _fine_or_refused(_post(client, f"{BASE}/projects/{world.project.public_id}/events", event), 200)


@pytest.mark.parametrize("day", ["9999-12-31", "2100-02-28"])
def test_a_far_remedy_plan_is_answered_without_a_server_error(client, world: World, day):
    client.force_login(world.city.officer)
    plan = {
        "revision": world.reload(world.permit).revision,
        "cause": "待定",
        "remedy": "待定",
        "proposed_date": day,
    }
    response = _post(client, f"{BASE}/obligations/{world.permit.public_id}/plans", plan)
    _fine_or_refused(response, 201)
    if response.status_code == 201:
        client.force_login(world.member)
        decide = {"revision": response.json()["revision"], "accept": True}
        _fine_or_refused(
            _post(client, f"{BASE}/plans/{response.json()['plans'][0]['public_id']}/decide", decide), 200
        )


def test_errors_speak_the_user_language(client, world: World):
    client.force_login(world.member)
    url = f"{BASE}/projects"
    body = _project_body(world)
    del body["name"]
    chinese = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 422
    assert chinese.json()["error"]["fields"]["name"] == ["此项为必填项。"]
    assert english.json()["error"]["fields"]["name"] == ["This field is required."]
