"""Reopening a closed problem with the receipt code: a monitoring point's reporter has no
account, and the code makes them the reporter, so they may reopen it within the reopening
period as a logged-in reporter may. The service, the follow page and `POST /follow/reopen`,
each with the allowed and the refused paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition, NotFound, ValidationFailed
from qinqing.ledger import services
from qinqing.ledger.models import Category, Problem, ProblemStatus, UpdateKind
from qinqing.notifications.models import Notification

from .conftest import World, pdf

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger/follow/reopen"


def verified_at_point(world: World) -> tuple[Problem, str]:
    """Reported at the monitoring point, fixed by the department, verified by the group."""
    c = world.city
    problem, receipt = services.problem_report_at_point(
        token=world.point.token,
        title="园区道路积水",
        description="雨后积水严重。",
        category=Category.CULTURAL,
    )
    problem = services.problem_assign(
        actor=c.city_supervisor, problem=problem, department=c.drc, deadline_days=5
    )
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已疏通排水", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    return problem, receipt


def closed_at_point(world: World) -> tuple[Problem, str]:
    """...and closed by the reporter's own return visit with the code."""
    problem, receipt = verified_at_point(world)
    services.problem_return_visit_by_receipt(code=receipt, score=5, fixed=True)
    problem.refresh_from_db()
    return problem, receipt


def period_ended(problem: Problem) -> dt.date:
    ended = timezone.localdate() - dt.timedelta(days=1)
    Problem.objects.filter(pk=problem.pk).update(reopen_until=ended)
    return ended


def reload(problem: Problem) -> Problem:
    return Problem.objects.get(pk=problem.pk)


def url(name: str) -> str:
    return reverse(f"ledger:{name}")


def html(response: Any) -> str:
    return response.content.decode()


# --- The service --------------------------------------------------------------------------------


def test_the_receipt_holder_reopens_a_closed_problem_within_the_period(ledger: World) -> None:
    # Given a problem closed by its reporter at a monitoring point
    problem, receipt = closed_at_point(ledger)
    assert problem.status == ProblemStatus.CLOSED
    assert problem.reopen_until is not None and problem.reopen_until >= timezone.localdate()

    # When the code (typed with a space) reopens it
    reopened = services.problem_reopen_by_receipt(code=receipt[:8] + " " + receipt[8:], reason="又积水了")

    # Then it is back with the department, with a new clock, as a reporter's reopening
    problem = reload(problem)
    assert reopened.pk == problem.pk
    assert (problem.status, problem.reopen_count, problem.reason) == (ProblemStatus.RECTIFYING, 1, "又积水了")
    assert (problem.closed_at, problem.reopen_until, problem.outcome) == (None, None, "")
    assert problem.due_date is not None and problem.due_date >= timezone.localdate()
    last = problem.transitions.order_by("-id").first()
    assert last is not None and (last.action, last.actor_id) == ("reopen", None)
    update = problem.updates.order_by("-id").first()
    assert update is not None and (update.kind, update.text, update.public) == (
        UpdateKind.REOPENED,
        "又积水了",
        True,
    )
    event = AuditEvent.objects.filter(action="ledger.problem.reopen", object_id=str(problem.pk)).get()
    assert event.actor_id is None
    assert event.after["by"] == "receipt" and event.after["status"] == ProblemStatus.RECTIFYING
    assert Notification.objects.filter(kind="ledger.reopened", recipient=ledger.city.officer).exists()


def test_the_last_day_of_the_period_still_counts(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    Problem.objects.filter(pk=problem.pk).update(reopen_until=timezone.localdate())
    services.problem_reopen_by_receipt(code=receipt, reason="又积水了")
    assert reload(problem).status == ProblemStatus.RECTIFYING


def test_the_receipt_holder_may_not_reopen_after_the_period(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    ended = period_ended(problem)
    with pytest.raises(InvalidTransition) as refused:
        services.problem_reopen_by_receipt(code=receipt, reason="又积水了")
    assert ended.isoformat() in str(refused.value.message)
    problem = reload(problem)
    assert (problem.status, problem.reopen_count) == (ProblemStatus.CLOSED, 0)
    assert not AuditEvent.objects.filter(action="ledger.problem.reopen").exists()


def test_only_a_closed_problem_is_reopened_by_receipt(ledger: World) -> None:
    problem, receipt = verified_at_point(ledger)
    with pytest.raises(InvalidTransition) as refused:
        services.problem_reopen_by_receipt(code=receipt, reason="又积水了")
    with translation.override("en"):
        assert str(refused.value.message) == "Only a closed problem can be reopened."
    assert reload(problem).status == ProblemStatus.VERIFIED


def test_a_wrong_code_or_no_reason_reopens_nothing(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    wrong = "0" * 16 if receipt != "0" * 16 else "1" * 16
    with pytest.raises(NotFound):
        services.problem_reopen_by_receipt(code=wrong, reason="又积水了")
    with pytest.raises(ValidationFailed) as short:
        services.problem_reopen_by_receipt(code="123", reason="又积水了")
    assert "receipt" in short.value.fields
    with pytest.raises(ValidationFailed) as blank:
        services.problem_reopen_by_receipt(code=receipt, reason="  ")
    assert "reason" in blank.value.fields
    assert reload(problem).status == ProblemStatus.CLOSED


# --- The follow page ----------------------------------------------------------------------------


def test_the_follow_page_offers_the_reopening_only_while_it_is_allowed(ledger: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    problem, receipt = verified_at_point(ledger)
    assert 'data-testid="receipt-reopen"' not in html(client.post(url("follow"), {"code": receipt}))

    services.problem_return_visit_by_receipt(code=receipt, score=5, fixed=True)
    found = html(client.post(url("follow"), {"code": receipt}))
    assert 'data-testid="receipt-reopen"' in found
    assert "Not fixed after all? Reopen it" in found
    assert f'action="{url("follow_reopen")}"' in found
    assert f'name="code" value="{receipt}"' in found  # carried as the return visit's form does

    period_ended(problem)
    assert 'data-testid="receipt-reopen"' not in html(client.post(url("follow"), {"code": receipt}))


def test_the_follow_page_reopens_with_the_code(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    done = client.post(url("follow_reopen"), {"code": receipt, "reason": "又积水了"})
    assert done.status_code == 200
    page = html(done)
    assert 'data-testid="reopen-recorded"' in page
    assert "Reopened: the department must fix it again." in page
    assert 'data-testid="receipt-reopen"' not in page  # no longer closed
    problem = reload(problem)
    assert (problem.status, problem.reopen_count) == (ProblemStatus.RECTIFYING, 1)


def test_the_follow_page_shows_why_it_refused_and_keeps_the_reason(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    blank = client.post(url("follow_reopen"), {"code": receipt, "reason": ""})
    assert blank.status_code == 400 and 'data-testid="error-reason"' in html(blank)

    ended = period_ended(problem)
    late = client.post(url("follow_reopen"), {"code": receipt, "reason": "又积水了"})
    assert late.status_code == 409
    page = html(late)
    assert 'data-testid="form-errors"' in page
    assert f"The period for reopening ended on {ended.isoformat()}" in page
    assert "又积水了</textarea>" in page
    assert reload(problem).status == ProblemStatus.CLOSED

    wrong = "0" * 16 if receipt != "0" * 16 else "1" * 16
    unknown = client.post(url("follow_reopen"), {"code": wrong, "reason": "又积水了"})
    assert unknown.status_code == 404 and "No problem has this receipt code." in html(unknown)
    assert client.get(url("follow_reopen")).status_code == 405


def test_the_follow_page_speaks_chinese(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    found = html(client.post(url("follow"), {"code": receipt}))
    assert "问题其实没有解决？申请重新办理" in found and "仍存在什么问题？" in found
    assert "Reopen it" not in found

    period_ended(problem)
    late = html(client.post(url("follow_reopen"), {"code": receipt, "reason": "又积水了"}))
    assert "申请重新办理的期限已于" in late


def test_the_follow_page_wants_the_csrf_token(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("follow_reopen"), {"code": receipt, "reason": "又积水了"}).status_code == 403
    assert reload(problem).status == ProblemStatus.CLOSED


# --- The API ------------------------------------------------------------------------------------


def api(client: Any, body: dict[str, Any], language: str = "en") -> Any:
    return client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def test_a_receipt_holder_reopens_over_the_api(client: Any, ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    response = api(client, {"receipt": receipt, "reason": "又积水了"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["reference"], body["status"]) == (problem.reference, "rectifying")
    assert body["story"][-1]["kind"] == UpdateKind.REOPENED
    assert reload(problem).reopen_count == 1


def test_the_api_refuses_a_reopening_it_may_not_make(client: Any, ledger: World) -> None:
    problem, receipt = verified_at_point(ledger)
    refused = api(client, {"receipt": receipt, "reason": "又积水了"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"

    services.problem_return_visit_by_receipt(code=receipt, score=5, fixed=True)
    wrong = "0" * 16 if receipt != "0" * 16 else "1" * 16
    assert api(client, {"receipt": wrong, "reason": "x"}).json()["error"]["code"] == "not_found"
    short = api(client, {"receipt": "123", "reason": "x"})
    assert short.status_code == 400 and "receipt" in short.json()["error"]["fields"]
    missing = api(client, {"receipt": receipt})
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["fields"]

    period_ended(problem)
    late = api(client, {"receipt": receipt, "reason": "又积水了"}, language="zh-hans")
    assert late.status_code == 409
    assert "申请重新办理的期限已于" in late.json()["error"]["message"]
    assert reload(problem).status == ProblemStatus.CLOSED


def test_the_api_documents_the_reopening_by_receipt() -> None:
    from config.api import api as root

    operation = root.get_openapi_schema()["paths"][API]["post"]
    assert "receipt code" in operation["summary"] and "Reopen" in operation["summary"]
    assert not operation.get("security")


def test_the_follow_api_says_what_the_code_may_do_now(client: Any, ledger: World) -> None:
    def follow(receipt: str) -> dict[str, Any]:
        response = client.post(
            "/api/v1/ledger/follow", data={"receipt": receipt}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    problem, receipt = verified_at_point(ledger)
    body = follow(receipt)
    assert (body["can_answer_visit"], body["can_reopen"], body["reopen_until"]) == (True, False, None)
    services.problem_return_visit_by_receipt(code=receipt, score=5, fixed=True)
    body = follow(receipt)
    until = reload(problem).reopen_until
    assert until is not None
    assert (body["can_answer_visit"], body["can_reopen"], body["reopen_until"]) == (
        False,
        True,
        until.isoformat(),
    )
    ended = period_ended(problem)
    body = follow(receipt)
    assert (body["can_reopen"], body["reopen_until"]) == (False, ended.isoformat())
