"""The loop: assign, rectify, submit, verify or send back, return visit, close, reopen;
withdrawal by the reporter and the department's withdrawal check; merge and refer."""

from __future__ import annotations

import pytest

from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.ledger import ladders, services
from qinqing.ledger.models import (
    Outcome,
    ProblemStatus,
    ReferralLevel,
    ReturnVisitMode,
)

from .conftest import assigned, complaint, pdf


def _deadline(problem, status=DeadlineStatus.OPEN):
    return Deadline.objects.filter(kind=ladders.KIND, object_id=str(problem.pk), status=status).first()


def test_a_complaint_is_registered_at_the_commission_covering_the_enterprise(ledger):
    problem = complaint(ledger)
    assert problem.status == ProblemStatus.REGISTERED
    assert problem.intake == ledger.city.commission
    assert problem.organisation == ledger.city.commission
    assert problem.reporter_enterprise == ledger.city.enterprise
    assert problem.reference.startswith("TZ2026")
    assert list(problem.transitions.values_list("to_status", flat=True)) == ["registered"]


def test_the_whole_loop_with_a_send_back(ledger):
    c = ledger.city
    problem = assigned(ledger, days=5)
    assert problem.status == ProblemStatus.ASSIGNED
    assert problem.organisation == c.drc
    assert problem.supervising_group == c.group  # the group watching the department
    deadline = _deadline(problem)
    assert deadline is not None and deadline.due_date == problem.due_date

    problem = services.problem_progress(actor=c.officer, problem=problem, text="已约谈窗口，梳理补正清单")
    assert problem.status == ProblemStatus.RECTIFYING
    problem = services.problem_submit(
        actor=c.officer, problem=problem, text="一次性告知清单已上线", files=[pdf()]
    )
    assert problem.status == ProblemStatus.SUBMITTED
    assert _deadline(problem).paused

    problem = services.problem_send_back(actor=c.supervisor, problem=problem, reason="清单未在窗口公示")
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.send_back_count == 1
    assert not _deadline(problem).paused

    problem = services.problem_submit(actor=c.officer, problem=problem, text="已公示", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    assert problem.status == ProblemStatus.VERIFIED
    assert problem.outcome == Outcome.FIXED
    assert problem.rectified_on is not None
    assert _deadline(problem) is None
    assert _deadline(problem, DeadlineStatus.MET) is not None

    visit = services.problem_return_visit(actor=c.enterprise_user, problem=problem, score=4, fixed=True)
    problem.refresh_from_db()
    assert visit.score == 4
    assert problem.status == ProblemStatus.CLOSED
    assert problem.satisfaction == 4
    assert problem.reopen_until is not None
    statuses = list(problem.transitions.values_list("to_status", flat=True))
    assert statuses == [
        "registered",
        "assigned",
        "rectifying",
        "submitted",
        "rectifying",
        "submitted",
        "verified",
        "closed",
    ]


def test_not_fixed_at_the_return_visit_reopens_with_a_new_clock(ledger):
    c = ledger.city
    problem = assigned(ledger)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="done", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    services.problem_return_visit(
        actor=c.enterprise_user, problem=problem, score=1, fixed=False, comment="窗口仍要求补正"
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.reopen_count == 1
    assert problem.outcome == ""
    assert _deadline(problem) is not None


def test_the_reporter_reopens_a_closed_problem_within_the_period_only(ledger, settings):
    c = ledger.city
    problem = assigned(ledger)
    problem = services.problem_submit(actor=c.officer, problem=problem, text="done", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    services.problem_return_visit(actor=c.enterprise_user, problem=problem, score=5, fixed=True)
    problem.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.problem_reopen(actor=c.officer, problem=problem, reason="x")
    problem = services.problem_reopen(actor=c.enterprise_user, problem=problem, reason="又出现了")
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.reopen_count == 1


def test_a_withdrawal_asked_by_the_department_is_flagged_and_checked(ledger):
    c = ledger.city
    problem = assigned(ledger)
    problem = services.problem_request_withdrawal(actor=c.officer, problem=problem, reason="企业已不需要")
    assert problem.status == ProblemStatus.WITHDRAWAL_REQUESTED
    assert problem.withdrawal_flagged
    assert _deadline(problem).paused
    with pytest.raises(PermissionDenied):
        services.problem_check_withdrawal(actor=c.officer, problem=problem, agrees=True)
    services.problem_check_withdrawal(
        actor=c.supervisor,
        problem=problem,
        agrees=False,
        comment="企业表示问题仍在",
        mode=ReturnVisitMode.PHONE,
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.withdrawal_flagged
    assert not _deadline(problem).paused


def test_the_reporter_withdraws_without_a_flag(ledger):
    problem = complaint(ledger)
    problem = services.problem_withdraw(
        actor=ledger.city.enterprise_user, problem=problem, reason="已自行解决"
    )
    assert problem.status == ProblemStatus.WITHDRAWN
    assert not problem.withdrawal_flagged


def test_merge_and_refer(ledger):
    c = ledger.city
    first = complaint(ledger)
    second = complaint(ledger, title="施工许可补正问题（重复）")
    merged = services.problem_merge(actor=c.city_supervisor, problem=second, into=first)
    assert merged.status == ProblemStatus.MERGED
    assert merged.duplicate_of == first
    referred = services.problem_refer(
        actor=c.city_supervisor,
        problem=first,
        level=ReferralLevel.PROVINCE,
        referred_to="省住建厅",
        reason="审批权限在省级",
    )
    assert referred.status == ProblemStatus.REFERRED


def test_only_the_group_verifies_and_only_the_department_submits(ledger):
    c = ledger.city
    problem = assigned(ledger)
    with pytest.raises(PermissionDenied):
        services.problem_submit(actor=c.other_officer, problem=problem, text="x", files=[pdf()])
    with pytest.raises(PermissionDenied):
        services.problem_submit(actor=c.enterprise_user, problem=problem, text="x", files=[pdf()])
    problem = services.problem_submit(actor=c.officer, problem=problem, text="x", files=[pdf()])
    with pytest.raises(PermissionDenied):
        services.problem_verify(actor=c.officer, problem=problem)
    with pytest.raises(PermissionDenied):
        services.problem_verify(actor=c.admin, problem=problem)


def test_a_submission_needs_evidence_and_a_verified_problem_cannot_be_sent_back(ledger):
    c = ledger.city
    problem = assigned(ledger)
    with pytest.raises(ValidationFailed) as exc:
        services.problem_submit(actor=c.officer, problem=problem, text="x", files=[])
    assert "files" in exc.value.fields
    problem = services.problem_submit(actor=c.officer, problem=problem, text="x", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    with pytest.raises(InvalidTransition):
        services.problem_send_back(actor=c.supervisor, problem=problem, reason="x")


def test_a_stale_revision_is_a_conflict(ledger):
    c = ledger.city
    problem = assigned(ledger)
    seen = problem.revision
    services.problem_progress(actor=c.officer, problem=problem, text="进展", revision=seen)
    with pytest.raises(Conflict) as exc:
        services.problem_progress(actor=ledger.officer2, problem=problem, text="进展2", revision=seen)
    assert exc.value.code == "problem_changed"


def test_a_department_never_judges_its_own_walk_through_findings(ledger, client):
    """A head who found a problem walking the department's own process is its reporter,
    but answers for it: the head may not withdraw it, answer its return visit or its
    withdrawal check, or reopen it; the department asks for a withdrawal (flagged,
    checked) and the supervising group calls back."""
    import datetime as dt

    from qinqing.ledger.models import Category, ReturnVisitMode

    c = ledger.city
    walk = services.walkthrough_record(
        actor=c.head,
        department=c.drc,
        process_name="企业投资项目备案",
        walked_on=dt.date(2026, 11, 20),
        steps=[{"name": "网上申报", "minutes": 20}],
        problems=[
            {
                "title": "线上线下材料要求不一致",
                "description": "窗口另要纸质材料",
                "category": Category.GOVERNMENT,
                "subcategory": "approval",
                "deadline_days": 10,
            }
        ],
    )
    problem = walk.problems.get()
    assert problem.reporter_user_id == c.head.pk
    with pytest.raises(PermissionDenied):
        services.problem_withdraw(actor=c.head, problem=problem, reason="已自行解决")
    client.force_login(c.head)
    page = client.get(f"/ledger/problems/{problem.public_id}/").content.decode()
    assert 'data-testid="action-withdraw"' not in page

    problem = services.problem_submit(actor=c.head, problem=problem, text="已统一材料清单", files=[pdf()])
    problem = services.problem_verify(actor=c.supervisor, problem=problem)
    with pytest.raises(PermissionDenied):
        services.problem_return_visit(actor=c.head, problem=problem, score=5, fixed=True)
    services.problem_return_visit(
        actor=c.supervisor,
        problem=problem,
        score=4,
        fixed=True,
        mode=ReturnVisitMode.PHONE,
        comment="企业确认",
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    with pytest.raises(PermissionDenied):
        services.problem_reopen(actor=c.head, problem=problem, reason="又出现")


def test_the_reporter_of_a_merged_duplicate_follows_the_problem_it_joined(ledger):
    from qinqing.ledger.models import Category, Channel
    from qinqing.ledger.selectors import problems_for

    c = ledger.city
    kept = complaint(ledger)
    observer = ledger.observer.user
    duplicate = services.problem_report(
        actor=observer,
        channel=Channel.OBSERVER,
        title="施工许可材料反复补正",
        description="与企业反映的是同一件事。",
        category=Category.GOVERNMENT,
        subcategory="approval",
    )
    assert not problems_for(observer).filter(pk=kept.pk).exists()
    services.problem_merge(actor=c.city_supervisor, problem=duplicate, into=kept)
    visible = problems_for(observer)
    assert set(visible.values_list("pk", flat=True)) == {kept.pk, duplicate.pk}
    assert not problems_for(ledger.outsider).filter(pk=kept.pk).exists()


def test_a_withdrawal_the_department_asked_for_counts_as_not_closed(ledger):
    """On the dashboard as in the circular: asking the reporter to withdraw never raises
    a department's closure rate; the reporter's own withdrawal leaves the ledger."""
    import datetime as dt

    from django.utils import timezone

    from qinqing.ledger.figures import figures
    from qinqing.ledger.models import Problem

    c = ledger.city
    asked = assigned(ledger)
    asked = services.problem_request_withdrawal(actor=c.officer, problem=asked, reason="企业已不需要")
    services.problem_check_withdrawal(
        actor=c.supervisor, problem=asked, agrees=True, comment="企业同意撤单", mode=ReturnVisitMode.PHONE
    )
    own = complaint(ledger)
    services.problem_withdraw(actor=c.enterprise_user, problem=own, reason="已自行解决")
    today = timezone.localdate() + dt.timedelta(days=1)
    total = figures(Problem.objects.filter(pk__in=[asked.pk, own.pk]), today)["totals"]
    assert (total["closed"], total["kept"], total["closure_rate"]) == (0, 1, 0.0)
