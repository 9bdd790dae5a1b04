"""The reporter's "is it really fixed?" stops asking once the problem has moved on."""

from __future__ import annotations

from qinqing.ledger import services
from qinqing.ledger.models import ProblemStatus, ReturnVisitMode
from qinqing.notifications.models import DigestItem, Notification

from .conftest import assigned, pdf


def test_the_call_to_answer_the_return_visit_is_settled_when_the_group_closes_it(ledger):
    # Given a problem the group verified: its reporter is asked whether it is fixed
    c = ledger.city
    problem = assigned(ledger)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="已整改", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    asked = Notification.objects.get(recipient=c.enterprise_user, kind="ledger.verified")
    assert asked.read_at is None and asked.urgent

    # When the group closes it after calling the reporter
    services.problem_return_visit(
        actor=c.supervisor,
        problem=problem,
        score=5,
        fixed=True,
        mode=ReturnVisitMode.PHONE,
        comment="企业确认",
    )

    # Then the question no longer waits unread; the news that it ended comes with the
    # reporter's daily digest
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    asked.refresh_from_db()
    assert asked.read_at is not None
    assert DigestItem.objects.filter(recipient=c.enterprise_user, kind="ledger.ended").exists()
