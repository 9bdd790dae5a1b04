"""The integrity API: an official's own declarations (list, declare, end) and the
supervisor's list, each allowed and denied."""

from __future__ import annotations

import pytest

from qinqing.integrity.models import RelationDeclaration, RelationKind

BASE = "/api/v1/integrity/relations"
MINE = f"{BASE}/mine"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_an_official_declares_lists_and_ends(client, city):
    client.force_login(city.officer)
    response = _post(
        client, MINE, {"enterprise": city.enterprise.credit_code.lower(), "kind": "relative_shareholder"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise_credit_code"] == city.enterprise.credit_code
    assert body["official"] == "officer"
    assert body["organisations"] == ["市发改委"]
    assert body["in_force"] is True

    listed = client.get(MINE).json()
    assert [d["public_id"] for d in listed] == [body["public_id"]]

    response = _post(client, f"{MINE}/{body['public_id']}/end", {"reason": "配偶已转让全部股份"})
    assert response.status_code == 200, response.content
    assert response.json()["in_force"] is False
    assert response.json()["ended_reason"] == "配偶已转让全部股份"

    response = _post(client, f"{MINE}/{body['public_id']}/end", {"reason": "again"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("who", ["admin", "supervisor", "enterprise_user"])
def test_who_is_not_an_official_is_refused(client, city, declare, who):
    declaration = declare(city.officer, city.enterprise)
    client.force_login(getattr(city, who))
    assert client.get(MINE).status_code == 403
    response = _post(client, MINE, {"enterprise": city.enterprise.credit_code, "kind": "shareholding"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _post(client, f"{MINE}/{declaration.public_id}/end", {"reason": "x"}).status_code == 403
    assert RelationDeclaration.objects.count() == 1


def test_anonymous_is_unauthenticated(client, city):
    assert client.get(MINE).status_code == 401
    assert client.get(BASE).status_code == 401


def test_bad_input_gets_field_messages(client, city):
    client.force_login(city.officer)
    response = _post(client, MINE, {"enterprise": "91350500XXXXXXXXXX", "kind": "shareholding"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"enterprise"}
    response = _post(client, MINE, {"enterprise": city.enterprise.credit_code, "kind": "other"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"description"}
    response = _post(client, MINE, {"enterprise": city.enterprise.credit_code, "kind": "uncle"})
    assert response.status_code == 422
    assert "kind" in response.json()["error"]["fields"]


def test_declaring_twice_is_a_conflict_pointing_to_the_first(client, city, declare):
    first = declare(city.officer, city.enterprise, RelationKind.SHAREHOLDING)
    client.force_login(city.officer)
    response = _post(client, MINE, {"enterprise": city.enterprise.credit_code, "kind": "shareholding"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "relation_already_declared"
    assert error["extra"] == {"public_id": str(first.public_id)}


def test_an_official_cannot_end_anothers_declaration(client, city, declare):
    declaration = declare(city.officer, city.enterprise)
    client.force_login(city.head)
    response = _post(client, f"{MINE}/{declaration.public_id}/end", {"reason": "代为撤销"})
    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.in_force


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("supervisor", {"officer"}),
        ("city_supervisor", {"officer", "other_officer", "committee_member"}),
        ("admin", {"officer", "other_officer", "committee_member"}),
    ],
)
def test_the_supervisor_list_follows_the_scope(client, city, declared, who, sees):
    client.force_login(getattr(city, who))
    body = client.get(BASE).json()
    assert body["count"] == len(sees)
    assert {d["public_id"] for d in body["results"]} == {str(declared[n].public_id) for n in sees}


@pytest.mark.parametrize("who", ["officer", "committee_member", "enterprise_user"])
def test_the_supervisor_list_is_refused_to_others(client, city, declared, who):
    client.force_login(getattr(city, who))
    response = client.get(BASE)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_supervisor_list_filters_and_pages(client, city, declared):
    client.force_login(city.city_supervisor)
    body = client.get(BASE, {"kind": "former_employment"}).json()
    assert [d["public_id"] for d in body["results"]] == [str(declared["other_officer"].public_id)]
    body = client.get(BASE, {"q": city.enterprise.credit_code, "state": "in_force"}).json()
    assert body["count"] == 2
    body = client.get(BASE, {"page": 2, "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 1
    assert client.get(BASE, {"state": "gone"}).status_code == 422


def test_a_token_works_like_the_session(client, city):
    from qinqing.accounts.services import api_token_create

    _token, key = api_token_create(actor=city.officer, user=city.officer, name="app")
    response = client.get(MINE, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == []
