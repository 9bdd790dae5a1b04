"""The contract API's figures and open data: the dashboard over what the user may see,
and the OCDS release packages (valid against the official schema), with their denied
paths."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qinqing.contracts import services
from qinqing.contracts.ocds import validate_package

from .test_api_world import BASE, World, fire_alarm, pdf, world

__all__ = ["world"]


def _meet_construction(world: World) -> None:
    claim = services.obligation_claim(
        actor=world.city.enterprise_user,
        obligation=world.construction,
        met_on=timezone.localdate() - dt.timedelta(days=2),
        files=[pdf()],
    )
    services.claim_confirm(actor=world.member, claim=claim)


def test_dashboard_figures_follow_who_may_see(client, world: World):
    _meet_construction(world)
    fire_alarm(world.permit)
    client.force_login(world.member)
    response = client.get(f"{BASE}/dashboard")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["projects"] == 1
    enterprise, government = body["summary"]["enterprise"], body["summary"]["government"]
    assert enterprise["total"] == 2
    assert enterprise["met_early"] == 1
    assert enterprise["days_early_sum"] == 32  # due in 30 days, met two days ago
    assert government["overdue_open"] == 1
    assert government["open_alarms"] == 1
    assert body["summary"]["all"]["total"] == 3
    [department] = body["by_department"]
    assert department["department"] == "drc"
    assert department["name"] == world.city.drc.name
    [enterprise_row] = body["by_enterprise"]
    assert enterprise_row["enterprise"] == str(world.city.enterprise.public_id)
    assert "id" not in department and "id" not in enterprise_row

    client.force_login(world.other_member)
    body = client.get(f"{BASE}/dashboard").json()
    assert body["projects"] == 1
    assert body["summary"]["all"]["total"] == 0
    assert body["by_department"] == []

    client.force_login(world.city.city_supervisor)
    body = client.get(f"{BASE}/dashboard").json()
    assert body["projects"] == 2
    assert body["summary"]["all"]["total"] == 3

    client.logout()
    assert client.get(f"{BASE}/dashboard").status_code == 401


def test_ocds_packages_are_valid_and_scoped(client, world: World):
    _meet_construction(world)
    client.force_login(world.city.enterprise_user)
    response = client.get(f"{BASE}/contracts/{world.contract.public_id}/ocds")
    assert response.status_code == 200, response.content
    package = response.json()
    assert validate_package(package) == []
    [release] = package["releases"]
    milestones = release["contracts"][0]["implementation"]["milestones"]
    assert len(milestones) == 3
    response = client.get(f"{BASE}/projects/{world.project.public_id}/ocds")
    assert response.status_code == 200
    assert validate_package(response.json()) == []

    client.force_login(world.other_member)
    assert client.get(f"{BASE}/contracts/{world.contract.public_id}/ocds").status_code == 404
    assert client.get(f"{BASE}/projects/{world.project.public_id}/ocds").status_code == 404
    # A project without a contract has nothing to publish (OCDS wants one release).
    response = client.get(f"{BASE}/projects/{world.other_project.public_id}/ocds")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
