"""OCDS 1.1 release packages: valid against the vendored official schemas, every
obligation a milestone with codes from the vendored codelists, and a validator that
does catch a broken package."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from qinqing.contracts.models import Obligation, ObligationKind, ObligationStatus
from qinqing.contracts.ocds import contract_release_package, project_release_package, validate_package
from qinqing.contracts.ocds.build import contract_ocid
from qinqing.contracts.ocds.codes import MILESTONE_TYPES, SCHEMA_DIR, codelist, milestone_status
from qinqing.contracts.ocds.validate import merge_patch, release_schema

from .test_ocds_world import World, build_world

pytestmark = pytest.mark.django_db

BASE = "https://qinqing.example.test"


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)


def _milestones(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        m["id"]: m
        for release in package["releases"]
        for contract in release["contracts"]
        for m in contract["implementation"]["milestones"]
    }


def _milestone(package: dict[str, Any], o: Obligation) -> dict[str, Any]:
    return _milestones(package)[str(o.public_id)]


def test_every_contract_and_the_project_validate(world: World) -> None:
    # given every contract of a project whose obligations are in every state
    for contract in (world.investment_agreement, world.land_contract, world.supplement):
        # when its package is built, then it is valid OCDS 1.1 with the extension
        package = contract_release_package(contract, base_url=BASE)
        assert validate_package(package) == []
        assert len(package["releases"]) == 1
    package = project_release_package(world.project, base_url=BASE)
    assert validate_package(package) == []
    assert len(package["releases"]) == 3
    # every obligation of the project is a milestone, once
    ids = {str(o.public_id) for o in world.project.obligations.all()}
    assert set(_milestones(package)) == ids
    # and it survives a JSON round trip unchanged (numbers, not strings)
    assert json.loads(json.dumps(package)) == package


def test_package_metadata(world: World, settings: Any) -> None:
    settings.OCDS_OCID_PREFIX = "ocds-abc123-"
    published = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)
    package = contract_release_package(world.investment_agreement, published_date=published, base_url=BASE)
    assert package["version"] == "1.1"
    assert package["publishedDate"] == "2026-03-01T09:30:00+08:00"
    assert package["uri"] == f"{BASE}/contracts/contracts/{world.investment_agreement.public_id}/ocds.json"
    assert package["extensions"] == [f"{BASE}/contracts/ocds/extension/extension.json"]
    assert package["publisher"]["name"] == "泉州市"
    release = package["releases"][0]
    assert release["ocid"] == f"ocds-abc123-{world.investment_agreement.public_id}"
    assert release["initiationType"] == "tender"
    assert release["tag"] == ["contract", "implementation"]
    assert release["date"].endswith("+08:00")


def test_parties_buyer_award_and_contract(world: World) -> None:
    package = contract_release_package(world.land_contract, base_url=BASE)
    release = package["releases"][0]
    parties = {p["id"]: p for p in release["parties"]}
    enterprise = world.project.enterprise
    supplier = parties[f"CN-SAIC-{enterprise.credit_code}"]
    assert supplier["roles"] == ["supplier"]
    assert supplier["identifier"] == {
        "scheme": "CN-SAIC",
        "id": enterprise.credit_code,
        "legalName": enterprise.name,
    }
    # the land office signed: it is the buyer; the zone's committee manages the process
    assert release["buyer"] == {"id": "qinqing-org-zrzy", "name": "市自然资源局"}
    assert parties["qinqing-org-zrzy"]["roles"] == ["buyer", "interestedParty"]
    assert parties["qinqing-org-tsq"]["roles"] == ["procuringEntity"]
    award = release["awards"][0]
    contract = release["contracts"][0]
    assert contract["awardID"] == award["id"]
    assert award["suppliers"] == [{"id": supplier["id"], "name": enterprise.name}]
    assert contract["id"] == "TS-001-L"
    assert contract["status"] == "active"
    assert contract["value"] == {"amount": 36150000.5, "currency": "CNY"}
    assert contract["dateSigned"] == f"{world.project.signed_on.isoformat()}T00:00:00+08:00"


def test_committee_signing_holds_both_roles_and_a_payer(world: World) -> None:
    release = contract_release_package(world.investment_agreement, base_url=BASE)["releases"][0]
    parties = {p["id"]: p for p in release["parties"]}
    assert parties["qinqing-org-tsq"]["roles"] == ["buyer", "procuringEntity"]
    # the commerce bureau owes a subsidy: an interested party that pays
    assert parties["qinqing-org-commerce"]["roles"] == ["interestedParty", "payer"]
    assert release["contracts"][0]["value"] == {"amount": 500000000, "currency": "CNY"}


def test_milestone_statuses(world: World) -> None:
    package = project_release_package(world.project, base_url=BASE)
    o = world.obligations

    met_early = _milestone(package, o["construction_early"])
    assert met_early["status"] == "met"
    assert met_early["daysEarly"] == 100
    assert met_early["dateMet"] == f"{(world.today - dt.timedelta(days=130)).isoformat()}T00:00:00+08:00"
    assert met_early["type"] == "delivery"
    assert met_early["obligor"]["side"] == "enterprise"

    late = _milestone(package, o["investment_late"])
    assert late["status"] == "met"
    assert late["daysEarly"] == -10
    assert late["originalDueDate"] != late["dueDate"]
    assert late["targetValue"] == {"amount": 300000000, "unit": "元"}
    assert late["achievedValue"] == {"amount": 310000000, "unit": "元"}
    assert late["type"] == "financing"

    partly = _milestone(package, o["output_partly"])
    assert partly["status"] == "partiallyMet"
    assert partly["achievedValue"] == {"amount": 700.5, "unit": "万元"}
    assert partly["type"] == "reporting"

    # owed and past due: not met as of this export's review
    overdue = _milestone(package, o["power_overdue_alarm"])
    assert overdue["status"] == "notMet"
    assert overdue["dateModified"] == package["publishedDate"]
    assert "dateMet" not in overdue
    disputed = _milestone(package, o["tax_disputed_overdue"])
    assert (disputed["status"], disputed["fulfilmentStatus"]) == ("notMet", "disputed")

    # owed and not yet due (a claim awaiting confirmation is not met yet)
    assert _milestone(package, o["production_open"])["status"] == "scheduled"
    claimed = _milestone(package, o["subsidy_claimed"])
    assert (claimed["status"], claimed["fulfilmentStatus"]) == ("scheduled", "claimed")
    assert claimed["type"] == "financing"

    # no date yet: scheduled without a due date
    pending = _milestone(package, o["permit_pending"])
    assert pending["status"] == "scheduled"
    assert "dueDate" not in pending
    assert pending["type"] == "approval"

    cancelled = _milestone(package, o["other_cancelled"])
    assert "status" not in cancelled
    assert cancelled["fulfilmentStatus"] == "cancelled"
    assert "type" not in cancelled  # "other" has no milestone type

    permit = _milestone(package, o["power_overdue_alarm"])
    assert permit["obligor"] == {"side": "government", "id": "qinqing-org-drc", "name": "市发改委"}
    assert permit["clause"] == "第五条"
    assert permit["dueDate"].endswith("T00:00:00+08:00")


def test_codes_come_from_the_vendored_codelists(world: World) -> None:
    package = project_release_package(world.project, base_url=BASE)
    for release in package["releases"]:
        assert set(release["tag"]) <= codelist("releaseTag")
        assert release["initiationType"] in codelist("initiationType")
        for party in release["parties"]:
            assert set(party["roles"]) <= codelist("partyRole")
        for award in release["awards"]:
            assert award["status"] in codelist("awardStatus")
        for contract in release["contracts"]:
            assert contract["status"] in codelist("contractStatus")
            if "value" in contract:
                assert contract["value"]["currency"] in codelist("currency")
            for m in contract["implementation"]["milestones"]:
                assert m.get("type") is None or m["type"] in codelist("milestoneType")
                assert m.get("status") is None or m["status"] in codelist("milestoneStatus")
    # and every mapping, not only those the world uses
    for kind in ObligationKind.values:
        assert MILESTONE_TYPES[kind] is None or MILESTONE_TYPES[kind] in codelist("milestoneType")
    for status in ObligationStatus.values:
        for overdue in (False, True):
            code = milestone_status(status, overdue=overdue)
            assert code is None or code in codelist("milestoneStatus")


def test_supplementary_agreement_refers_to_the_contract_it_amends(world: World) -> None:
    release = contract_release_package(world.supplement, base_url=BASE)["releases"][0]
    assert release["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["prior"],
            "title": world.investment_agreement.title,
            "scheme": "ocid",
            "identifier": contract_ocid(world.investment_agreement),
        }
    ]


def test_ended_contract_is_terminated(world: World) -> None:
    contract = world.land_contract
    contract.status = "completed"
    contract.save(update_fields=["status"])
    package = contract_release_package(contract, base_url=BASE)
    assert validate_package(package) == []
    release = package["releases"][0]
    assert release["contracts"][0]["status"] == "terminated"
    assert release["tag"][-1] == "contractTermination"


# --- The validator can fail --------------------------------------------------------------------


def _broken(package: dict[str, Any], change: Any) -> list[str]:
    copy_ = copy.deepcopy(package)
    change(copy_)
    return validate_package(copy_)


def _first_milestone(p: dict[str, Any]) -> dict[str, Any]:
    milestone: dict[str, Any] = p["releases"][0]["contracts"][0]["implementation"]["milestones"][0]
    return milestone


def test_the_validator_catches_broken_packages(world: World) -> None:
    package = contract_release_package(world.investment_agreement, base_url=BASE)
    assert validate_package(package) == []

    errors = _broken(package, lambda p: p.pop("uri"))
    assert any("'uri' is a required property" in e for e in errors)
    assert _broken(package, lambda p: p.update(version="1.1.5"))
    assert _broken(package, lambda p: p.update(releases=[]))
    assert _broken(package, lambda p: p.update(publishedDate="2026-03-01"))  # not a date-time
    assert _broken(package, lambda p: p.update(uri="not a uri"))
    assert _broken(package, lambda p: p["releases"][0].update(initiationType="negotiation"))
    assert _broken(package, lambda p: p["releases"][0]["contracts"][0].pop("awardID"))
    assert _broken(package, lambda p: p["releases"][0]["contracts"][0].update(status="suspended"))
    assert _broken(package, lambda p: p["releases"][0]["contracts"][0]["value"].update(amount="5e8"))

    errors = _broken(package, lambda p: _first_milestone(p).update(status="overdue"))
    assert any("milestones/0/status" in e for e in errors)
    errors = _broken(package, lambda p: _first_milestone(p).update(dueDate="2026-02-30T00:00:00+08:00"))
    assert any("dueDate" in e for e in errors)
    # an open codelist: not in the schema's enum, checked against the CSV
    errors = _broken(package, lambda p: _first_milestone(p).update(type="landDelivery"))
    assert errors == [
        "releases/0/contracts/0/implementation/milestones/0/type: 'landDelivery' is not in the milestoneType codelist"
    ]
    errors = _broken(package, lambda p: p["releases"][0]["parties"][0]["roles"].append("landlord"))
    assert any("partyRole" in e for e in errors)
    # the extension's fields are checked too
    errors = _broken(package, lambda p: _first_milestone(p)["obligor"].pop("side"))
    assert any("'side' is a required property" in e for e in errors)
    assert _broken(package, lambda p: _first_milestone(p).update(daysEarly="3"))
    assert _broken(package, lambda p: _first_milestone(p).update(fulfilmentStatus="late"))
    assert validate_package("not a package")


def test_merge_patch_follows_rfc_7386() -> None:
    target = {"a": 1, "b": {"c": 2, "d": 3}, "e": [1]}
    patch = {"a": None, "b": {"c": 4, "x": {"y": 1}}, "e": [2]}
    assert merge_patch(target, patch) == {"b": {"c": 4, "d": 3, "x": {"y": 1}}, "e": [2]}
    assert target == {"a": 1, "b": {"c": 2, "d": 3}, "e": [1]}  # the target is not changed
    # the extension reaches the release schema's Milestone
    milestone = release_schema()["definitions"]["Milestone"]["properties"]
    assert "obligor" in milestone and "dueDate" in milestone


def test_vendored_schemas_are_the_official_ones() -> None:
    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    assert release["id"] == "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    assert package_schema["properties"]["releases"]["items"]["$ref"] == release["id"]
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    assert "Open Contracting Data Standard" in readme and "Apache License 2.0" in readme
    assert {"milestoneType", "milestoneStatus", "partyRole", "contractStatus"} <= {
        p.stem for p in (SCHEMA_DIR / "codelists").glob("*.csv")
    }
