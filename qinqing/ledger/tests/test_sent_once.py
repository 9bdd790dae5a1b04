"""A form that registers a problem, sent twice, registers one (Post/Redirect/Get and the
services' idempotency keys): a monitoring point's public form and its receipt page, the
enterprise's and observers' report form, the office's finding form, a head's
walk-through, and the API's `Idempotency-Key`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.common.errors import Conflict, ValidationFailed
from qinqing.common.once import issue_form_key
from qinqing.ledger import services
from qinqing.ledger.models import Category, Channel, Problem, WalkThrough
from qinqing.ledger.services import intake as intake_services

from .conftest import World
from .test_api import error, form, post

pytestmark = pytest.mark.django_db

REPORT = {
    "title": "停车场收费不明",
    "description": "园区停车收费没有公示标准。",
    "category": Category.MARKET,
}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _key_of(response: Any) -> str:
    """The key the page's form carries, written into the page."""
    key = str(response.context["form"]["form_key"].value())
    assert f'name="form_key" value="{key}"' in response.content.decode()
    return key


# --- A monitoring point's public form ------------------------------------------------------------


def test_the_point_form_sent_twice_registers_one_problem_and_reloading_the_receipt_nothing(ledger: World):
    # Given the point's page, with its form's own key
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page_url = reverse("ledger:point_report", args=[ledger.point.token])
    key = _key_of(client.get(page_url))
    assert key
    # When the form is sent twice (a double click, a reload of the answer that sends again)
    first = client.post(page_url, {**REPORT, "form_key": key})
    second = client.post(page_url, {**REPORT, "form_key": key})
    # Then one problem is registered, and both answers lead to the receipt page
    assert Problem.objects.filter(title=REPORT["title"]).count() == 1
    receipt_url = reverse("ledger:point_receipt", args=[ledger.point.token])
    assert (first.status_code, first["Location"]) == (303, receipt_url)
    assert (second.status_code, second["Location"]) == (303, receipt_url)
    # And the receipt page shows the one problem's receipt, reloaded as often as wished
    shown = [client.get(receipt_url) for _ in range(3)]
    codes = {_digits(r.context["receipt"]) for r in shown}
    assert len(codes) == 1
    code = codes.pop()
    problem = Problem.objects.get(title=REPORT["title"])
    assert services.problem_by_receipt(code) == problem
    assert problem.reference in shown[0].content.decode()
    assert "no-store" in shown[0]["Cache-Control"] or shown[0]["Cache-Control"].startswith("max-age=0")
    assert Problem.objects.count() == 1
    # Nothing identifying is kept: the key is stored hashed with the point, not as sent
    assert problem.idempotency_key and key not in problem.idempotency_key
    assert problem.reporter_user_id is None


def test_the_receipt_is_shown_to_the_browser_that_reported_only(ledger: World):
    reporter = Client(HTTP_ACCEPT_LANGUAGE="en")
    page_url = reverse("ledger:point_report", args=[ledger.point.token])
    key = _key_of(reporter.get(page_url))
    reporter.post(page_url, {**REPORT, "form_key": key})
    receipt_url = reverse("ledger:point_receipt", args=[ledger.point.token])
    code = _digits(reporter.get(receipt_url).context["receipt"])
    # Another client at the same address sees no receipt, nor the reference
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    seen = other.get(receipt_url)
    assert seen.status_code == 200
    text = seen.content.decode()
    assert 'data-testid="receipt-gone"' in text
    assert code not in _digits(text)
    assert Problem.objects.get().reference not in text
    # The reporter's session keeps it a short while only
    session = reporter.session
    session[intake_receipt_key()]["until"] = 0
    session.save()
    later = reporter.get(receipt_url).content.decode()
    assert 'data-testid="receipt-gone"' in later and code not in _digits(later)


def intake_receipt_key() -> str:
    from qinqing.ledger.views.reporter import RECEIPT_SESSION_KEY

    return RECEIPT_SESSION_KEY


def test_the_point_form_sent_again_with_other_contents_asks_to_send_it_anew(ledger: World):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page_url = reverse("ledger:point_report", args=[ledger.point.token])
    key = _key_of(client.get(page_url))
    client.post(page_url, {**REPORT, "form_key": key})
    # The back button, another problem typed into the same form
    again = client.post(page_url, {**REPORT, "title": "另一个问题", "form_key": key})
    assert again.status_code == 400
    assert 'data-testid="form-errors"' in again.content.decode()
    assert "另一个问题" in again.content.decode()  # what was typed is kept
    fresh = _key_of(again)
    assert fresh and fresh != key
    assert Problem.objects.count() == 1
    # Sent with the fresh key, it is the second report
    assert client.post(page_url, {**REPORT, "title": "另一个问题", "form_key": fresh}).status_code == 303
    assert Problem.objects.count() == 2


def test_a_forged_or_expired_form_key_registers_nothing_and_keeps_the_answers(ledger: World):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page_url = reverse("ledger:point_report", args=[ledger.point.token])
    response = client.post(page_url, {**REPORT, "form_key": "a" * 40})
    assert response.status_code == 400
    assert "表单已过期" in response.content.decode()
    assert REPORT["description"] in response.content.decode()
    assert not Problem.objects.exists()


# --- Logged-in forms ------------------------------------------------------------------------------


def _logged_in(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_enterprise_report_form_sent_twice_registers_one_problem(ledger: World):
    client = _logged_in(ledger.city.enterprise_user)
    key = _key_of(client.get(reverse("ledger:report")))
    answers = [client.post(reverse("ledger:report"), {**REPORT, "form_key": key}) for _ in range(2)]
    problem = Problem.objects.get()
    assert problem.channel == Channel.COMPLAINT
    assert [(r.status_code, r["Location"]) for r in answers] == [
        (302, reverse("ledger:problem", args=[problem.public_id]))
    ] * 2


def test_the_observer_report_form_sent_twice_registers_one_problem(ledger: World):
    client = _logged_in(ledger.observer_user)
    key = _key_of(client.get(reverse("ledger:report")))
    for _ in range(2):
        assert client.post(reverse("ledger:report"), {**REPORT, "form_key": key}).status_code == 302
    assert Problem.objects.get().channel == Channel.OBSERVER


def test_the_finding_form_sent_twice_registers_one_problem(ledger: World):
    c = ledger.city
    client = _logged_in(c.city_supervisor)
    url = reverse("ledger:finding_new")
    key = _key_of(client.get(url))
    body = {
        **REPORT,
        "channel": Channel.VISIT,
        "severity": "minor",
        "department": str(c.drc.public_id),
        "deadline_mode": "working_days",
        "deadline_days": "10",
        "form_key": key,
    }
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    assert Problem.objects.count() == 1


def test_a_walk_through_sent_twice_is_recorded_once(ledger: World):
    from .test_pages_office import walk_data

    c = ledger.city
    client = _logged_in(c.head)
    key = _key_of(client.get(reverse("ledger:walk_new")))
    data = walk_data(c, form_key=key)
    assert [client.post(reverse("ledger:walk_new"), data).status_code for _ in range(2)] == [302, 302]
    walk = WalkThrough.objects.get()
    assert walk.problems.count() == 2
    assert Problem.objects.count() == 2


def test_the_same_key_from_two_people_registers_two_problems(ledger: World):
    key = "k" * 32
    one = services.problem_report(
        actor=ledger.city.enterprise_user, channel=Channel.COMPLAINT, idempotency_key=key, **REPORT
    )
    two = services.problem_report(
        actor=ledger.observer_user, channel=Channel.OBSERVER, idempotency_key=key, **REPORT
    )
    assert one.pk != two.pk


def test_two_sendings_racing_past_the_check_meet_at_the_unique_index(ledger: World, monkeypatch):
    # Given a first sending registered, and a second that did not see it (it checked
    # before the first committed)
    key = "r" * 32
    first = services.problem_report(
        actor=ledger.city.enterprise_user, channel=Channel.COMPLAINT, idempotency_key=key, **REPORT
    )
    real = intake_services._sent_before
    calls = []

    def late(digest: str, **kwargs: Any) -> Problem | None:
        calls.append(digest)
        return None if len(calls) == 1 else real(digest, **kwargs)

    monkeypatch.setattr(intake_services, "_sent_before", late)
    # When it registers, the unique index refuses the row, and it answers the first's problem
    again = services.problem_report(
        actor=ledger.city.enterprise_user, channel=Channel.COMPLAINT, idempotency_key=key, **REPORT
    )
    assert again.pk == first.pk and len(calls) == 2
    assert Problem.objects.count() == 1


def test_a_walk_through_key_sent_with_another_walk_is_a_conflict(ledger: World):
    import datetime as dt

    c = ledger.city
    walk = {
        "actor": c.head,
        "department": c.drc,
        "walked_on": dt.date(2026, 11, 2),
        "steps": [{"name": "取号", "minutes": 5}],
        "idempotency_key": "w" * 20,
    }
    first = services.walkthrough_record(process_name="备案", **walk)
    assert services.walkthrough_record(process_name="备案", **walk).pk == first.pk
    with pytest.raises(Conflict) as refused:
        services.walkthrough_record(process_name="另一流程", **walk)
    assert refused.value.code == "idempotency_key_reused"
    assert WalkThrough.objects.count() == 1


# --- The API's Idempotency-Key ---------------------------------------------------------------------


def test_the_api_report_with_the_same_idempotency_key_registers_one_problem(client, ledger: World):
    user = ledger.city.enterprise_user
    body = {**REPORT, "channel": Channel.COMPLAINT}
    key = "6f1c1a52-3a53-4d5c-9a8e-2f1b0b9d1e77"
    first = form(client, user, "/problems", body, HTTP_IDEMPOTENCY_KEY=key)
    again = form(client, user, "/problems", body, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert first.json()["public_id"] == again.json()["public_id"]
    assert Problem.objects.count() == 1
    # The same key with another report is a conflict, and registers nothing
    other = form(client, user, "/problems", {**body, "title": "另一个"}, HTTP_IDEMPOTENCY_KEY=key)
    assert error(other, 409)["code"] == "idempotency_key_reused"
    # Without a key, each call registers
    assert form(client, user, "/problems", body).status_code == 201
    assert Problem.objects.count() == 2
    # A key too short to be unique is refused, naming it
    short = form(client, user, "/problems", body, HTTP_IDEMPOTENCY_KEY="1")
    assert "idempotency_key" in error(short, 400)["fields"]
    assert Problem.objects.count() == 2


def test_the_api_point_report_retried_answers_the_same_receipt(client, ledger: World):
    key = "0b5e7c1e-8a0d-4a57-b2a6-1b0f43f3f0c1"
    path = f"/points/{ledger.point.token}/report"
    first = form(client, None, path, REPORT, HTTP_IDEMPOTENCY_KEY=key)
    again = form(client, None, path, REPORT, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert first.json() == again.json()
    assert Problem.objects.count() == 1
    assert services.problem_by_receipt(first.json()["receipt"]).reference == first.json()["reference"]
    # The same key at another client's report with other contents learns nothing
    stolen = form(client, None, path, {**REPORT, "title": "猜的"}, HTTP_IDEMPOTENCY_KEY=key)
    assert first.json()["receipt"] not in stolen.content.decode()
    assert error(stolen, 409)["code"] == "idempotency_key_reused"


def test_the_api_walk_through_with_the_same_idempotency_key_is_recorded_once(client, ledger: World):
    c = ledger.city
    body = {
        "department": c.drc.code,
        "process_name": "企业开办",
        "walked_on": "2026-11-02",
        "steps": [{"name": "网上申报", "minutes": 20}],
        "problems": [{**REPORT, "category": Category.GOVERNMENT, "deadline_days": 5}],
    }
    key = "a1b2c3d4e5f6a7b8c9d0"
    answers = [post(client, c.head, "/walk-throughs", body, HTTP_IDEMPOTENCY_KEY=key) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201], answers[0].content
    assert answers[0].json()["public_id"] == answers[1].json()["public_id"]
    assert WalkThrough.objects.count() == 1 and Problem.objects.count() == 1


def test_a_bad_key_is_refused_by_the_service(ledger: World):
    with pytest.raises(ValidationFailed) as refused:
        services.problem_report_at_point(token=ledger.point.token, idempotency_key="no spaces!", **REPORT)
    assert "idempotency_key" in refused.value.fields
    assert issue_form_key() != issue_form_key()
