"""A reporter's contact at a monitoring point (no account) is a way to reach them: a
telephone number or an e-mail address when given, as for an anonymous objector
(qinqing/common/contact.py), in the service, the page and the API; bad input is kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.common.errors import ValidationFailed
from qinqing.ledger import services
from qinqing.ledger.models import Category, Problem

from .conftest import World
from .test_api import ApiWorld, error, form, world  # noqa: F401 - fixture

REPORT: dict[str, Any] = {
    "title": "园区道路积水",
    "description": "雨后积水严重，货车无法进出",
    "category": Category.MARKET,
}
MESSAGE = "请留下能联系到您的电话号码或电子邮箱。"


@pytest.mark.parametrize("contact", ["abc", "12345", "张先生", "wang@", "1380000000012345678"])
def test_a_contact_that_reaches_no_one_is_refused(ledger: World, contact: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.problem_report_at_point(token=ledger.point.token, reporter_contact=contact, **REPORT)
    assert exc.value.fields == {"reporter_contact": [MESSAGE]}
    assert not Problem.objects.filter(title=REPORT["title"]).exists()


@pytest.mark.parametrize(
    "contact", ["", "13800000000", "0595-2218 8888", "+86 138 0000 0000", "wang@example.cn"]
)
def test_a_telephone_or_an_e_mail_or_nothing_is_taken(ledger: World, contact: str) -> None:
    problem, _receipt = services.problem_report_at_point(
        token=ledger.point.token, reporter_contact=contact, **REPORT
    )
    assert problem.reporter_contact == contact


def test_the_page_says_what_is_wrong_and_keeps_what_was_typed(ledger: World) -> None:
    page = reverse("ledger:point_report", args=[ledger.point.token])
    data = {**REPORT, "reporter_name": "王先生", "reporter_contact": "找前台"}
    response = Client().post(page, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="error-reporter_contact"' in text and MESSAGE in text
    assert "找前台" in text and "园区道路积水" in text and "王先生" in text
    assert not Problem.objects.filter(title=REPORT["title"]).exists()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post(page, data).content.decode()
    assert "Give a telephone number or an e-mail address to reach you at." in english
    sent = Client().post(page, {**data, "reporter_contact": "138 0000 0000"})
    assert sent.status_code == 303


def test_the_api_refuses_it_with_the_field_named(client, world: ApiWorld) -> None:  # noqa: F811
    response = form(
        client, None, f"/points/{world.w.point.token}/report", {**REPORT, "reporter_contact": "abc"}
    )
    assert error(response, 400)["fields"] == {
        "reporter_contact": ["Give a telephone number or an e-mail address to reach you at."]
    }
