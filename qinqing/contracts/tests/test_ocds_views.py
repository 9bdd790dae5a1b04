"""The OCDS downloads: who may fetch which package, and the extension's public files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.contracts.models import Contract, Project
from qinqing.contracts.ocds import validate_package

from .test_ocds_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)


def _get(user: Any, url: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_enterprise_downloads_its_own_contract(world: World) -> None:
    url = reverse("contracts:ocds_contract", args=[world.investment_agreement.public_id])
    response = _get(world.city.enterprise_user, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="ocds-TS-001-TS-001-A.json"'
    package = json.loads(response.content)
    assert validate_package(package) == []
    assert package["uri"] == f"http://testserver{url}"
    assert package["extensions"] == ["http://testserver/contracts/ocds/extension/extension.json"]
    # Chinese text stays readable in the file
    assert "合同TS-001-A".encode() in response.content


def test_contract_of_another_zone_is_not_found(world: World) -> None:
    url = reverse("contracts:ocds_contract", args=[world.investment_agreement.public_id])
    assert _get(world.other_member, url).status_code == 404
    other = Contract.objects.get(project=world.other_project)
    other_url = reverse("contracts:ocds_contract", args=[other.public_id])
    assert _get(world.city.enterprise_user, other_url).status_code == 404
    assert _get(world.other_member, other_url).status_code == 200
    assert _get(None, url).status_code == 302


def test_project_package_for_committee_and_supervisor(world: World) -> None:
    url = reverse("contracts:ocds_project", args=[world.project.public_id])
    for user in (world.city.committee_member, world.city.city_supervisor):
        response = _get(user, url)
        assert response.status_code == 200
        package = json.loads(response.content)
        assert validate_package(package) == []
        assert len(package["releases"]) == 3
    assert _get(world.other_member, url).status_code == 404
    assert _get(None, url).status_code == 302


def test_project_without_contract_has_no_package(world: World) -> None:
    project = Project.objects.create(
        reference="TS-002",
        name="新项目",
        enterprise=world.city.enterprise,
        committee=world.city.committee,
        industry="装备制造",
        planned_investment=1,
        signed_on=world.today,
    )
    url = reverse("contracts:ocds_project", args=[project.public_id])
    assert _get(world.city.committee_member, url).status_code == 404


def test_extension_files_are_public(db: Any) -> None:
    response = _get(None, reverse("contracts:ocds_extension", args=["extension.json"]))
    assert response.status_code == 200
    extension = json.loads(response.content)
    assert extension["schemas"] == ["release-schema.json"]
    assert extension["compatibility"] == ["1.1"]
    assert extension["documentationUrl"]["en"] == "http://testserver/contracts/ocds/extension/README.md"
    patch = json.loads(_get(None, reverse("contracts:ocds_extension", args=["release-schema.json"])).content)
    assert "obligor" in patch["definitions"]["Milestone"]["properties"]
    assert _get(None, reverse("contracts:ocds_extension", args=["README.md"])).status_code == 200
    assert _get(None, reverse("contracts:ocds_extension", args=["build.py"])).status_code == 404
    assert _get(None, "/contracts/ocds/extension/..%2Fbuild.py").status_code == 404
