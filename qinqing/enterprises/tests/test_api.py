"""JSON API: allowed and denied paths of each operation, one error format."""

from __future__ import annotations

import io

import pytest

from qinqing.accounts.services import api_token_create
from qinqing.accounts.tests.factories import UserFactory
from qinqing.audit.models import AuditEvent
from qinqing.enterprises.models import Enterprise, EnterpriseImport
from qinqing.enterprises.services import enterprise_update
from qinqing.enterprises.tests.factories import random_credit_code

BASE = "/api/v1/enterprises"
NOT_ADMIN = ["officer", "head", "committee_member", "supervisor", "city_supervisor", "enterprise_user"]


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_anonymous_gets_401(client, city):
    _error(client.get(f"{BASE}/"), 401, "unauthenticated")
    _error(client.get(f"{BASE}/validate-code", {"code": "x"}), 401, "unauthenticated")


def test_bearer_token_works(client, city):
    _token, key = api_token_create(actor=city.officer, user=city.officer, name="t")
    response = client.get(f"{BASE}/", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "who", ["officer", "head", "committee_member", "supervisor", "city_supervisor", "admin"]
)
def test_list_for_readers(city, api, who):
    body = api(getattr(city, who)).get(f"{BASE}/", {"page_size": 1}).json()
    assert body["count"] == 2
    assert body["page_size"] == 1
    assert len(body["results"]) == 1
    assert set(body["results"][0]) >= {"public_id", "credit_code", "name", "name_pinyin", "region", "labels"}


def test_list_for_the_enterprise_user_is_its_own(city, api):
    body = api(city.enterprise_user).get(f"{BASE}/").json()
    assert [r["credit_code"] for r in body["results"]] == [city.enterprise.credit_code]


def test_list_refused_without_a_role(city, api):
    _error(api(UserFactory()).get(f"{BASE}/"), 403, "forbidden")


def test_list_filters_and_pages(city, api):
    client = api(city.officer)
    code = city.other_enterprise.credit_code
    body = client.get(f"{BASE}/", {"q": code.lower()}).json()
    assert [r["credit_code"] for r in body["results"]] == [code]
    assert client.get(f"{BASE}/", {"region": "fz"}).json()["count"] == 2
    assert client.get(f"{BASE}/", {"region": "nowhere"}).json()["count"] == 0
    assert client.get(f"{BASE}/", {"page": 99}).json()["results"] == []
    _error(client.get(f"{BASE}/", {"page_size": 1000}), 422, "invalid")


def test_detail_by_id_and_by_code(city, api):
    enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    client = api(city.officer)
    by_id = client.get(f"{BASE}/{city.enterprise.public_id}").json()
    by_code = client.get(f"{BASE}/by-code/{city.enterprise.credit_code.lower()}").json()
    assert by_id == by_code
    assert by_id["credit_code"] == city.enterprise.credit_code
    assert by_id["bank_account_number"] == "************7890"
    assert by_id["revenue"] == "12000000.00"
    admin_view = api(city.admin).get(f"{BASE}/{city.enterprise.public_id}").json()
    assert admin_view["bank_account_number"] == "6222021234567890"


def test_detail_denied_paths(city, api):
    client = api(city.enterprise_user)
    assert client.get(f"{BASE}/{city.enterprise.public_id}").status_code == 200
    _error(client.get(f"{BASE}/{city.other_enterprise.public_id}"), 404, "not_found")
    _error(client.get(f"{BASE}/by-code/{city.other_enterprise.credit_code}"), 404, "not_found")
    _error(client.get(f"{BASE}/by-code/nonsense"), 404, "not_found")
    _error(api(UserFactory()).get(f"{BASE}/{city.enterprise.public_id}"), 403, "forbidden")


def test_validate_code_for_anyone_logged_in(city, api):
    client = api(city.enterprise_user)
    code = city.enterprise.credit_code
    ok = client.get(f"{BASE}/validate-code", {"code": code.lower()}).json()
    assert ok == {
        "valid": True,
        "code": code,
        "reason": None,
        "position": None,
        "message": None,
        "region_code": code[2:8],
    }
    bad = client.get(
        f"{BASE}/validate-code", {"code": code[:-1] + "I"}, headers={"Accept-Language": "en"}
    ).json()
    assert (bad["valid"], bad["reason"], bad["position"]) == (False, "character", 18)
    assert "Character 18" in bad["message"]
    body = api(UserFactory()).get(f"{BASE}/validate-code", {"code": code}).json()
    assert body["valid"] is True


def _payload(**overrides):
    data = {
        "credit_code": random_credit_code("350503"),
        "name": "丰泽华兴电子有限公司",
        "industry_code": "C3976",
        "employees": 30,
        "revenue": "3000000.00",
        "labels": {"high_tech": "yes"},
    }
    data.update(overrides)
    return data


def test_create_by_the_admin(city, api):
    payload = _payload()
    response = api(city.admin).post(f"{BASE}/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == payload["credit_code"]
    assert body["region"] == "fz"
    assert body["name_pinyin"] == "fengzehuaxingdianziyouxiangongsi"
    assert body["labels"] == {"high_tech": "yes"}
    assert AuditEvent.objects.filter(action="enterprise.create").count() == 1


def test_create_errors(city, api):
    client = api(city.admin)
    dup = client.post(
        f"{BASE}/", _payload(credit_code=city.enterprise.credit_code.lower()), content_type="application/json"
    )
    error = _error(dup, 409, "duplicate_credit_code")
    assert "credit_code" in error["fields"]
    bad = client.post(
        f"{BASE}/", _payload(credit_code="123", industry_code="Z"), content_type="application/json"
    )
    error = _error(bad, 400, "invalid")
    assert set(error["fields"]) == {"credit_code", "industry_code"}
    _error(
        client.post(f"{BASE}/", _payload(region="nowhere"), content_type="application/json"), 400, "invalid"
    )
    _error(client.post(f"{BASE}/", {"name": "x"}, content_type="application/json"), 422, "invalid")
    _error(client.post(f"{BASE}/", "{not json", content_type="application/json"), 400, "invalid_body")
    assert Enterprise.objects.count() == 2


@pytest.mark.parametrize("who", NOT_ADMIN)
def test_writes_refused_to_everyone_but_the_admin(city, api, who):
    client = api(getattr(city, who))
    e = city.enterprise
    _error(client.post(f"{BASE}/", _payload(), content_type="application/json"), 403, "forbidden")
    _error(
        client.patch(f"{BASE}/{e.public_id}", {"employees": 1}, content_type="application/json"),
        403,
        "forbidden",
    )
    _error(
        client.put(f"{BASE}/{e.public_id}/labels", {"labels": {}}, content_type="application/json"),
        403,
        "forbidden",
    )
    _error(
        client.put(f"{BASE}/{e.public_id}/pinyin", {"reading": "a"}, content_type="application/json"),
        403,
        "forbidden",
    )
    _error(
        client.post(
            f"{BASE}/{e.public_id}/verify-bank-account",
            {"account_number": "123456"},
            content_type="application/json",
        ),
        403,
        "forbidden",
    )
    upload = io.BytesIO(b"credit_code,name,industry_code\r\n")
    upload.name = "r.csv"
    _error(client.post(f"{BASE}/import", {"file": upload}), 403, "forbidden")
    assert not AuditEvent.objects.filter(action__startswith="enterprise.").exists()


def test_update_labels_pinyin_and_verification_by_the_admin(city, api):
    client = api(city.admin)
    e = city.enterprise
    body = client.patch(
        f"{BASE}/{e.public_id}",
        {"employees": 77, "bank_account_number": "6222021234567890"},
        content_type="application/json",
    ).json()
    assert (body["employees"], body["bank_account_verified"]) == (77, False)
    body = client.post(
        f"{BASE}/{e.public_id}/verify-bank-account",
        {"account_number": "6222021234567890"},
        content_type="application/json",
    ).json()
    assert body["bank_account_verified"] is True
    body = client.put(
        f"{BASE}/{e.public_id}/labels", {"labels": {"scenic_grade": "3a"}}, content_type="application/json"
    ).json()
    assert body["labels"] == {"scenic_grade": "3A"}
    body = client.put(
        f"{BASE}/{e.public_id}/pinyin", {"reading": "quan zhou"}, content_type="application/json"
    ).json()
    assert (body["name_pinyin"], body["pinyin_override"]) == ("quanzhou", True)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "enterprise.update",
        "enterprise.verify_bank_account",
        "enterprise.set_labels",
        "enterprise.set_pinyin",
    } <= actions


def test_update_errors(city, api):
    client = api(city.admin)
    e = city.enterprise
    _error(
        client.patch(f"{BASE}/{e.public_id}", {"name": None}, content_type="application/json"), 400, "invalid"
    )
    _error(
        client.patch(f"{BASE}/{e.public_id}", {"region": "nowhere"}, content_type="application/json"),
        400,
        "invalid",
    )
    _error(
        client.post(
            f"{BASE}/{e.public_id}/verify-bank-account",
            {"account_number": "6222021234567890"},
            content_type="application/json",
        ),
        400,
        "invalid",
    )
    _error(
        client.patch(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000", {}, content_type="application/json"
        ),
        404,
        "not_found",
    )


def test_import_by_the_admin_returns_the_report(city, api):
    client = api(city.admin)
    good, bad = random_credit_code("350503"), "91350503MA2XY00000"
    upload = io.BytesIO(
        f"credit_code,name,industry_code\r\n{good},甲有限公司,C1952\r\n{bad},乙有限公司,C1952\r\n".encode()
    )
    upload.name = "registry.csv"
    body = client.post(f"{BASE}/import", {"file": upload}).json()
    assert body["status"] == "rejected"
    assert (body["row_count"], body["created_count"], body["error_count"]) == (2, 0, 1)
    assert [(i["row"], i["field"]) for i in body["issues"]] == [(3, "credit_code")]
    upload = io.BytesIO(f"credit_code,name,industry_code\r\n{good},甲有限公司,C1952\r\n".encode())
    upload.name = "registry.csv"
    body = client.post(f"{BASE}/import", {"file": upload}).json()
    assert (body["status"], body["created_count"]) == ("imported", 1)
    assert EnterpriseImport.objects.count() == 2


def test_import_file_problems_use_the_error_format(city, api, settings):
    client = api(city.admin)
    upload = io.BytesIO(b"%PDF")
    upload.name = "registry.pdf"
    _error(client.post(f"{BASE}/import", {"file": upload}), 400, "file_type")
    settings.ENTERPRISE_IMPORT_MAX_BYTES = 10
    upload = io.BytesIO(b"credit_code,name,industry_code\r\n")
    upload.name = "registry.csv"
    _error(client.post(f"{BASE}/import", {"file": upload}), 400, "file_too_large")
    _error(client.post(f"{BASE}/import", {}), 422, "invalid")
