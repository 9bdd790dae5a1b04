"""The write side in real Chromium at a phone's size, under the strict CSP: the enterprise
claims fulfilment with a photo from the obligation page; the committee's obligation form
shows the due rule's fields as the rule's mode and starting point are chosen
(static/contracts/forms.js)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from qinqing.common.testing.browser import log_in
from qinqing.contracts.models import ObligationStatus

from .test_forms_world import PNG, World, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["world"]


def _fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_enterprise_claims_with_a_photo_on_its_phone(world: World, phone_page: Any) -> None:
    page = phone_page
    log_in(page, world.city.enterprise_user.username)
    url = reverse("contracts:obligation", args=[world.construction.public_id])
    page.goto(page.base_url + url)
    form = page.get_by_test_id("claim-form")
    expect(form).to_be_visible()
    _fits_the_phone(page)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    form.locator("input[name=met_on]").fill(yesterday)
    form.locator("textarea[name=note]").fill("已开工，附现场照片")
    form.locator("input[name=photo]").set_input_files(
        files=[{"name": "site.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_url(page.base_url + url)
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id("withdraw-form")).to_be_visible()
    _fits_the_phone(page)
    assert world.reload(world.construction).status == ObligationStatus.CLAIMED


def test_the_due_rule_fields_follow_the_choices(world: World, phone_page: Any) -> None:
    page = phone_page
    log_in(page, world.member.username)
    page.goto(
        page.base_url + reverse("contracts:obligation_new", args=[world.contract.public_id, world.clause.pk])
    )
    fixed = page.locator("[data-field=due_fixed]")
    offset = page.locator("[data-field=offset]")
    new_event = page.locator("[data-field=new_event_key]")
    department = page.locator("[data-field=obligor_department]")
    expect(fixed).to_be_visible()
    expect(offset).to_be_hidden()
    expect(department).to_be_hidden()
    page.locator("input[name=obligor_side][value=government]").check()
    expect(department).to_be_visible()
    page.locator("input[name=due_mode][value=relative]").check()
    expect(fixed).to_be_hidden()
    expect(offset).to_be_visible()
    expect(new_event).to_be_hidden()
    page.locator("select[name=anchor]").select_option("new")
    expect(new_event).to_be_visible()
    expect(page.locator("[data-field=new_event_code]")).to_be_hidden()
    page.locator("select[name=new_event_key]").select_option("custom")
    expect(page.locator("[data-field=new_event_code]")).to_be_visible()
    _fits_the_phone(page)
