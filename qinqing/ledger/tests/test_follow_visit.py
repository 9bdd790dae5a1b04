"""An answer to the return visit (回访) with the receipt code that comes too late: answered
already (a second click, a second tab, the group's telephone call first), or the problem
reopened meanwhile. The follow page no longer offers the visit then, and still says why
the answer was refused, in the reader's language, without losing what was typed; the API
answers the same with a 409 and the same reason. Nothing is recorded either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qinqing.common.errors import InvalidTransition
from qinqing.ledger import services
from qinqing.ledger.models import Problem, ProblemStatus, ReturnVisit, ReturnVisitMode
from qinqing.ledger.services.common import return_visit_refusal

from .conftest import World, assigned
from .test_follow_reopen import closed_at_point, period_ended, reload, verified_at_point

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger/follow/visit"
ANSWERED = "The return visit was already answered and the problem is closed; this answer was not recorded."
ANSWERED_ZH = "该问题的回访已经答复，问题已销号，本次答复未予记录。"
REOPENED = "The problem was reopened and is back with the department; this answer was not recorded."
REOPENED_ZH = "该问题已重新办理，退回责任部门整改，本次答复未予记录。"


def follow_visit(client: Client, receipt: str, **answer: str) -> Any:
    return client.post(reverse("ledger:follow_visit"), {"code": receipt, **answer})


def html(response: Any) -> str:
    return response.content.decode()


def closed_by_the_group(world: World) -> tuple[Problem, str]:
    """Verified, then closed by the supervising group's telephone call to the reporter."""
    problem, receipt = verified_at_point(world)
    services.problem_return_visit(
        actor=world.city.supervisor, problem=problem, score=4, fixed=True, mode=ReturnVisitMode.PHONE
    )
    return reload(problem), receipt


# --- Why the visit is refused, once -----------------------------------------------------------


def test_the_reason_names_what_happened_since_the_reporter_was_asked(ledger: World) -> None:
    problem, receipt = verified_at_point(ledger)
    assert return_visit_refusal(problem) is None
    with translation.override("en"):
        services.problem_return_visit_by_receipt(code=receipt, score=5, fixed=True)
        assert str(return_visit_refusal(reload(problem)).message) == ANSWERED  # type: ignore[union-attr]
        services.problem_reopen_by_receipt(code=receipt, reason="又积水了")
        reopened = return_visit_refusal(reload(problem))
        assert reopened is not None and str(reopened.message).startswith(REOPENED)
        fresh = return_visit_refusal(assigned(ledger))
        assert fresh is not None
        assert str(fresh.message) == "The return visit comes after the supervising group verified the fix."
        final = Problem(status=ProblemStatus.WITHDRAWN)
        assert "“Withdrawn”: no return visit is due" in str(return_visit_refusal(final).message)  # type: ignore[union-attr]


def test_the_service_refuses_a_second_answer_with_that_reason(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    with pytest.raises(InvalidTransition) as refused, translation.override("en"):
        services.problem_return_visit_by_receipt(code=receipt, score=1, fixed=False, comment="又积水了")
    with translation.override("en"):
        assert str(refused.value.message) == ANSWERED
    problem = reload(problem)
    assert (problem.status, problem.satisfaction, problem.return_visits.count()) == (
        ProblemStatus.CLOSED,
        5,
        1,
    )


# --- The follow page ----------------------------------------------------------------------------


def test_a_second_answer_is_refused_on_the_page_with_its_reason(ledger: World) -> None:
    # Given a problem its reporter closed with the code
    problem, receipt = closed_at_point(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    # When the same answer is sent again (a second click, another tab)
    again = follow_visit(client, receipt, fixed="1", score="4")

    # Then the page says it was answered already, offers no visit, and records nothing
    assert again.status_code == 409
    page = html(again)
    assert 'data-testid="visit-refused"' in page and ANSWERED in page
    assert 'data-testid="receipt-visit"' not in page
    assert 'data-testid="found"' in page and problem.reference in page
    assert 'data-testid="receipt-reopen"' in page  # what the code may still do
    problem = reload(problem)
    assert (problem.status, problem.satisfaction, problem.return_visits.count()) == (
        ProblemStatus.CLOSED,
        5,
        1,
    )


def test_the_refusal_speaks_chinese_by_default(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    page = html(follow_visit(Client(), receipt, fixed="1", score="4"))
    assert 'data-testid="visit-refused"' in page and ANSWERED_ZH in page
    assert ANSWERED not in page


def test_an_answer_after_the_problem_was_reopened_keeps_the_comment(ledger: World) -> None:
    # Given a problem closed and then reopened with the code
    problem, receipt = closed_at_point(ledger)
    services.problem_reopen_by_receipt(code=receipt, reason="又积水了")

    # When the visit's form, still open in another tab, answers "not fixed"
    late = follow_visit(
        Client(HTTP_ACCEPT_LANGUAGE="en"), receipt, fixed="0", score="2", comment="排水口仍堵塞"
    )

    # Then the page says it was reopened and shows back what was written
    assert late.status_code == 409
    page = html(late)
    assert 'data-testid="visit-refused"' in page and REOPENED in page
    assert 'data-testid="visit-kept"' in page and "排水口仍堵塞" in page
    assert 'data-testid="receipt-visit"' not in page and 'data-testid="receipt-reopen"' not in page
    problem = reload(problem)
    assert (problem.status, problem.reopen_count, problem.return_visits.count()) == (
        ProblemStatus.RECTIFYING,
        1,
        1,
    )
    zh = html(follow_visit(Client(), receipt, fixed="0", score="2", comment="排水口仍堵塞"))
    assert REOPENED_ZH in zh and "您填写的内容" in zh


def test_a_late_incomplete_answer_is_told_the_visit_is_over_not_its_missing_fields(ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    late = follow_visit(Client(HTTP_ACCEPT_LANGUAGE="en"), receipt, fixed="0")
    assert late.status_code == 409
    page = html(late)
    assert ANSWERED in page and 'data-testid="error-score"' not in page
    assert reload(problem).return_visits.count() == 1


def test_not_fixed_after_the_group_closed_it_becomes_the_reopening_to_send(ledger: World) -> None:
    # Given the group closed the problem on the telephone
    problem, receipt = closed_by_the_group(ledger)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    # When the reporter answers online that it is not fixed
    late = follow_visit(client, receipt, fixed="0", score="2", comment="又积水了")

    # Then the answer is refused, and the reopening form holds the comment, not yet sent
    assert late.status_code == 409
    page = html(late)
    assert ANSWERED in page
    assert 'data-testid="receipt-reopen"' in page and "又积水了</textarea>" in page
    assert 'data-testid="visit-kept"' not in page
    problem = reload(problem)
    assert (problem.status, problem.satisfaction, problem.reopen_count) == (ProblemStatus.CLOSED, 4, 0)

    # And once the reopening period is over, the comment is shown back instead
    period_ended(problem)
    page = html(follow_visit(client, receipt, fixed="0", score="2", comment="又积水了"))
    assert 'data-testid="receipt-reopen"' not in page
    assert 'data-testid="visit-kept"' in page and "又积水了" in page


def test_an_answer_overtaken_between_the_lookup_and_the_lock_is_refused_too(
    ledger: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the group's telephone call lands while the reporter's answer is on its way
    problem, receipt = verified_at_point(ledger)
    answer = services.problem_return_visit_by_receipt

    def overtaken(**kwargs: Any) -> Any:
        services.problem_return_visit(
            actor=ledger.city.supervisor, problem=problem, score=4, fixed=True, mode=ReturnVisitMode.PHONE
        )
        return answer(**kwargs)

    monkeypatch.setattr(services, "problem_return_visit_by_receipt", overtaken)

    # When the reporter's answer reaches the service
    late = follow_visit(Client(HTTP_ACCEPT_LANGUAGE="en"), receipt, fixed="1", score="5")

    # Then it is refused on the page, with the reason, and the group's visit stands
    assert late.status_code == 409
    page = html(late)
    assert ANSWERED in page and 'data-testid="receipt-visit"' not in page
    problem = reload(problem)
    assert (problem.satisfaction, problem.return_visits.get().mode) == (4, ReturnVisitMode.PHONE)


def test_the_visit_still_offered_keeps_what_was_typed(ledger: World) -> None:
    problem, receipt = verified_at_point(ledger)
    refused = follow_visit(Client(HTTP_ACCEPT_LANGUAGE="en"), receipt, fixed="0", score="2", comment="  ")
    assert refused.status_code == 400
    page = html(refused)
    assert 'data-testid="receipt-visit"' in page and 'data-testid="error-comment"' in page
    assert 'data-testid="visit-refused"' not in page
    assert 'name="score" value="2" class="form-check-input" id="id_score_1" required checked' in page
    assert 'name="fixed" value="0" class="form-check-input" id="id_fixed_1" required checked' in page
    assert reload(problem).status == ProblemStatus.VERIFIED


# --- The API ------------------------------------------------------------------------------------


def api(client: Any, path: str, body: dict[str, Any], language: str = "en") -> Any:
    return client.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def test_the_api_refuses_a_second_answer_with_a_409_and_the_reason(client: Any, ledger: World) -> None:
    problem, receipt = verified_at_point(ledger)
    first = api(client, API, {"receipt": receipt, "fixed": True, "score": 5})
    assert first.status_code == 200, first.content

    again = api(client, API, {"receipt": receipt, "fixed": True, "score": 4})
    assert again.status_code == 409
    error = again.json()["error"]
    assert (error["code"], error["message"]) == ("invalid_transition", ANSWERED)
    chinese = api(client, API, {"receipt": receipt, "fixed": False, "score": 1, "comment": "x"}, "zh-hans")
    assert chinese.status_code == 409 and chinese.json()["error"]["message"] == ANSWERED_ZH

    followed = api(client, "/api/v1/ledger/follow", {"receipt": receipt}).json()
    assert (followed["can_answer_visit"], followed["status"]) == (False, ProblemStatus.CLOSED)
    problem = reload(problem)
    assert (problem.satisfaction, ReturnVisit.objects.filter(problem=problem).count()) == (5, 1)


def test_the_api_refuses_an_answer_after_the_problem_was_reopened(client: Any, ledger: World) -> None:
    problem, receipt = closed_at_point(ledger)
    services.problem_reopen_by_receipt(code=receipt, reason="又积水了")
    late = api(client, API, {"receipt": receipt, "fixed": False, "score": 2, "comment": "排水口仍堵塞"})
    assert late.status_code == 409
    error = late.json()["error"]
    assert error["code"] == "invalid_transition" and error["message"].startswith(REOPENED)
    problem = reload(problem)
    assert (problem.status, problem.reopen_count, problem.return_visits.count()) == (
        ProblemStatus.RECTIFYING,
        1,
        1,
    )
