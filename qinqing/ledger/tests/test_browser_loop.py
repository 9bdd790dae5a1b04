"""The issue's "done means" story in real Chromium, under the strict CSP: an enterprise
reports a problem from its phone with a photo; the commission assigns it to the
department; the department's officer reports progress and submits the fix with a PDF;
the supervising group verifies it; the enterprise, back on its phone, says it is fixed,
scores it 5 and sees it closed. Officials work at a desktop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from qinqing.common.testing.browser import log_in
from qinqing.ledger.models import Problem, ProblemStatus

from .conftest import PDF, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desktop(chromium: Any, live_server: Any) -> Iterator[Any]:
    """Opens a desktop page per official; console errors fail the test as on the phone."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page() -> Any:
        context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.base_url = live_server.url
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


def _fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(ProblemStatus(status).label)


def test_reported_on_a_phone_fixed_verified_scored_and_closed(
    ledger: World, phone_page: Any, desktop: Any
) -> None:
    c = ledger.city
    phone = phone_page

    # The enterprise reports on its phone, with a photo.
    log_in(phone, c.enterprise_user.username)
    phone.goto(phone.base_url + reverse("ledger:report"))
    form = phone.get_by_test_id("report-form")
    expect(form).to_be_visible()
    _fits_the_phone(phone)
    form.locator("input[name=title]").fill("施工许可审批材料反复补正")
    form.locator("textarea[name=description]").fill("同一份材料被要求补正三次，每次意见不同。")
    form.locator("select[name=category]").select_option("government")
    # Only the chosen category's sub-types are offered (static/ledger/forms.js).
    expect(form.locator("select[name=subcategory] optgroup:not([hidden])")).to_have_count(1)
    form.locator("select[name=subcategory]").select_option("approval")
    form.locator("input[name=photo]").set_input_files(
        files=[{"name": "window.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    problem = Problem.objects.get(title="施工许可审批材料反复补正")
    problem_path = reverse("ledger:problem", args=[problem.public_id])
    assert phone.url == phone.base_url + problem_path
    expect(phone.get_by_test_id("status")).to_have_text(_label(ProblemStatus.REGISTERED))
    _fits_the_phone(phone)

    # The commission assigns it to the development and reform commission, 5 working days.
    commission = desktop()
    log_in(commission, c.city_supervisor.username)
    commission.goto(commission.base_url + problem_path)
    assign = commission.get_by_test_id("assign-form")
    assign.locator("select[name=assign-department]").select_option(str(c.drc.public_id))
    assign.locator("input[name=assign-deadline_days]").fill("5")
    assign.locator("button[type=submit]").click()
    expect(commission.locator(".alert-success")).to_be_visible()
    expect(commission.get_by_test_id("status")).to_have_text(_label(ProblemStatus.ASSIGNED))

    # The department's officer finds it in the queue, reports progress, submits with a PDF.
    officer = desktop()
    log_in(officer, c.officer.username)
    officer.goto(officer.base_url + reverse("ledger:queue"))
    officer.get_by_test_id("problem-row").filter(has_text="施工许可审批材料反复补正").click()
    officer.wait_for_url(officer.base_url + problem_path)
    progress = officer.get_by_test_id("progress-form")
    progress.locator("textarea[name=progress-text]").fill("已约谈窗口，梳理一次性告知清单")
    progress.locator("button[type=submit]").click()
    expect(officer.locator(".alert-success")).to_be_visible()
    expect(officer.get_by_test_id("status")).to_have_text(_label(ProblemStatus.RECTIFYING))
    officer.get_by_test_id("action-submit").locator("summary").click()
    submit = officer.get_by_test_id("submit-form")
    submit.locator("textarea[name=submit-text]").fill("一次性告知清单已上线并在窗口公示")
    submit.locator("input[name=submit-evidence]").set_input_files(
        files=[{"name": "清单.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit.locator("button[type=submit]").click()
    expect(officer.locator(".alert-success")).to_be_visible()
    expect(officer.get_by_test_id("status")).to_have_text(_label(ProblemStatus.SUBMITTED))

    # The supervising group finds it on its page and verifies it.
    group = desktop()
    log_in(group, c.supervisor.username)
    group.goto(group.base_url + reverse("ledger:group"))
    group.get_by_test_id("section-verify").get_by_test_id("problem-row").click()
    group.wait_for_url(group.base_url + problem_path)
    expect(group.get_by_test_id("story")).to_contain_text("清单.pdf")
    group.get_by_test_id("verify-form").locator("button[type=submit]").click()
    expect(group.locator(".alert-success")).to_be_visible()
    expect(group.get_by_test_id("status")).to_have_text(_label(ProblemStatus.VERIFIED))

    # Back on the phone: the enterprise is asked, says it is fixed, scores 5, sees it closed.
    phone.goto(phone.base_url + reverse("ledger:mine"))
    expect(phone.get_by_test_id("todo")).to_be_visible()
    phone.get_by_test_id("problem-row").first.click()
    phone.wait_for_url(phone.base_url + problem_path)
    visit = phone.get_by_test_id("return_visit-form")
    expect(visit).to_be_visible()
    _fits_the_phone(phone)
    visit.locator("input[name=return_visit-fixed][value='1']").check()
    visit.locator("input[name=return_visit-score][value='5']").check()
    visit.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.get_by_test_id("status")).to_have_text(_label(ProblemStatus.CLOSED))
    expect(phone.get_by_test_id("satisfaction")).to_have_text("5 / 5")
    _fits_the_phone(phone)

    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    assert problem.satisfaction == 5
    assert problem.files.count() == 2
