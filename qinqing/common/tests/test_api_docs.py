"""The API's browsable document (/api/v1/docs) renders Swagger UI from our own static
files: loaded from a CDN it would be blocked by our CSP (script-src 'self') and the page
would stay blank, as it did."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/docs"


def test_the_docs_page_names_only_our_own_scripts_and_styles() -> None:
    response = Client().get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_shows_the_api_in_chromium(phone_page) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(page.base_url + DOCS)
    # Swagger UI drew the document it fetched: the title and the operations.
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=20_000)
    assert "Qinqing API" in title.inner_text()
    page.locator(".opblock").first.wait_for(timeout=20_000)
    assert page.locator(".opblock").count() > 50
    # `phone_page` fails the test on any console error, a CSP violation included.


def test_the_document_names_each_status_of_an_operation_once() -> None:
    """JSON with a key twice is read differently by different parsers (Swagger UI's
    refuses it): endpoints that describe a file response used to list "200" twice."""
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in items]
        twice.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    document = json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert twice == []
    # The file responses keep what their endpoints say of them.
    download = document["paths"]["/api/v1/policies/mine/cases/{case_id}/materials/{material_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    assert {"200", "404"} <= set(download["responses"])
