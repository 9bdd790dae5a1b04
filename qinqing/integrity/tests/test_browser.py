"""An official declares and ends a relation on a phone, in real Chromium; the
supervisor then reads it in the list."""

from __future__ import annotations

import pytest

from qinqing.common.testing.browser import log_in
from qinqing.integrity.models import RelationDeclaration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_declares_and_ends_a_relation_on_a_phone(city, phone_page):
    page = phone_page
    log_in(page, "officer")
    page.goto(page.base_url + "/integrity/relations/")
    assert page.get_by_role("heading", name="我申报的关系").is_visible()

    page.get_by_label("企业：统一社会信用代码或名称").fill(city.enterprise.credit_code)
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/integrity/relations/?q=*")
    assert page.get_by_label(city.enterprise.name).is_checked()
    page.get_by_label("关系类型").select_option("relative_employee")
    page.get_by_role("button", name="申报", exact=True).click()
    page.wait_for_url(page.base_url + "/integrity/relations/")
    card = page.get_by_test_id("declaration")
    assert city.enterprise.name in card.inner_text()
    assert "配偶或近亲属在该企业任职" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_text("终止此项申报").click()
    page.get_by_label("终止原因").fill("亲属已离职")
    page.get_by_role("button", name="终止", exact=True).click()
    page.wait_for_url(page.base_url + "/integrity/relations/")
    assert "已终止" in page.get_by_test_id("declaration").inner_text()
    declaration = RelationDeclaration.objects.get()
    assert declaration.ended_reason == "亲属已离职"


def test_the_supervisor_reads_the_list_on_a_phone(city, phone_page):
    from qinqing.integrity.services import relation_declare

    relation_declare(actor=city.officer, enterprise=city.enterprise, kind="shareholding")
    page = phone_page
    log_in(page, "sup")
    page.goto(page.base_url + "/integrity/supervision/relations/")
    table = page.get_by_test_id("relations-table").inner_text()
    assert city.enterprise.name in table
    assert "市发改委" in table
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
