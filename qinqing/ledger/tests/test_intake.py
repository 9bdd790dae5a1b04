"""Problems coming in through each channel, and bad input refused with the part named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qinqing.common.errors import NotFound, PermissionDenied, ValidationFailed
from qinqing.ledger import services
from qinqing.ledger.models import (
    Campaign,
    Category,
    Channel,
    DeadlineMode,
    Problem,
    ProblemStatus,
    WalkThrough,
)
from qinqing.workdays.calendar import add_working_days

from .conftest import complaint, pdf


def test_a_monitoring_point_reports_without_an_account_and_follows_by_receipt(ledger):
    problem, receipt = services.problem_report_at_point(
        token=ledger.point.token,
        title="园区道路积水",
        description="雨后积水严重，货车无法进出",
        category=Category.CULTURAL,
        reporter_name="张先生",
        reporter_contact="13800000000",
    )
    assert len(receipt) == 16 and receipt.isdigit()
    assert problem.channel == Channel.MONITORING
    assert problem.receipt_hash and receipt not in problem.receipt_hash
    assert services.problem_by_receipt(receipt[:4] + " " + receipt[4:]) == problem
    with pytest.raises(NotFound):
        services.problem_by_receipt("0" * 16 if receipt != "0" * 16 else "1" * 16)
    with pytest.raises(ValidationFailed):
        services.problem_by_receipt("123")


def test_a_wrong_or_inactive_point_link_is_refused(ledger):
    ledger.point.active = False
    ledger.point.save()
    with pytest.raises(NotFound):
        services.problem_report_at_point(
            token=ledger.point.token, title="x", description="y", category=Category.MARKET
        )


def test_an_observer_reports_through_its_channel_only(ledger):
    problem = services.problem_report(
        actor=ledger.observer_user,
        channel=Channel.OBSERVER,
        title="窗口午休无人",
        description="午休期间窗口无人值守",
        category=Category.GOVERNMENT,
    )
    assert problem.observer == ledger.observer
    with pytest.raises(PermissionDenied):
        services.problem_report(
            actor=ledger.outsider,
            channel=Channel.OBSERVER,
            title="x",
            description="y",
            category=Category.GOVERNMENT,
        )


def test_an_enterprise_reports_under_a_topic(ledger):
    topic = ledger.topic_campaign.topics.get()
    problem = complaint(
        ledger, channel=Channel.TOPIC, topic=topic, category=Category.MARKET, subcategory="fees"
    )
    assert problem.campaign == ledger.topic_campaign
    with pytest.raises(ValidationFailed) as exc:
        complaint(ledger, channel=Channel.TOPIC, category=Category.MARKET)
    assert "topic" in exc.value.fields


def test_bad_classification_names_the_field(ledger):
    with pytest.raises(ValidationFailed) as exc:
        complaint(ledger, category="weather")
    assert "category" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        complaint(ledger, category=Category.LEGAL, subcategory="fees")
    assert "subcategory" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        complaint(ledger, title="")
    assert "title" in exc.value.fields
    assert Problem.objects.count() == 0


def test_a_disguised_upload_is_refused_and_nothing_is_saved(ledger):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        complaint(ledger, files=[fake])
    assert "files" in exc.value.fields
    assert Problem.objects.count() == 0


def test_an_inspection_supervisor_assigns_at_once_with_fix_at_once(ledger):
    c = ledger.city
    campaign = services.campaign_create(
        actor=c.city_supervisor,
        channel=Channel.INSPECTION,
        title="优化营商环境专项巡察",
        organisation=c.commission,
        starts_on=dt.date(2026, 3, 1),
    )
    problem = services.problem_report(
        actor=c.city_supervisor,
        channel=Channel.INSPECTION,
        campaign=campaign,
        title="跨境通关服务有待加强",
        description="鞋纺城商户反映通关服务不便",
        category=Category.GOVERNMENT,
        department=c.commerce,
        deadline_mode=DeadlineMode.IMMEDIATE,
    )
    assert problem.status == ProblemStatus.ASSIGNED
    assert problem.organisation == c.commerce
    assert problem.due_date == add_working_days(timezone.localdate(problem.assigned_at), 3)
    with pytest.raises(ValidationFailed) as exc:
        services.problem_report(
            actor=c.city_supervisor,
            channel=Channel.INSPECTION,
            title="x",
            description="y",
            category=Category.GOVERNMENT,
        )
    assert "campaign" in exc.value.fields


def test_a_head_records_a_walk_through_and_its_problems_are_assigned_to_the_department(ledger):
    c = ledger.city
    walk = services.walkthrough_record(
        actor=c.head,
        department=c.drc,
        process_name="企业投资项目备案",
        walked_on=dt.date(2026, 11, 20),
        steps=[{"name": "网上申报", "minutes": 20}, {"name": "窗口核验", "minutes": 45}],
        problems=[
            {
                "title": "线上线下材料要求不一致",
                "description": "网上申报后窗口要求另交纸质材料",
                "category": Category.GOVERNMENT,
                "subcategory": "approval",
                "deadline_mode": DeadlineMode.IMMEDIATE,
            },
            {
                "title": "备案系统与审批系统未打通",
                "description": "同一信息需录入两次",
                "category": Category.GOVERNMENT,
                "institutional": "mechanism",
                "deadline_days": 20,
            },
        ],
    )
    assert walk.total_minutes == 65
    problems = list(walk.problems.order_by("id"))
    assert [p.status for p in problems] == [ProblemStatus.ASSIGNED, ProblemStatus.ASSIGNED]
    assert all(p.organisation == c.drc and p.channel == Channel.WALK for p in problems)
    assert problems[1].institutional == "mechanism"


def test_a_walk_through_with_a_bad_problem_saves_nothing_and_names_it(ledger):
    c = ledger.city
    with pytest.raises(ValidationFailed) as exc:
        services.walkthrough_record(
            actor=c.head,
            department=c.drc,
            process_name="企业投资项目备案",
            walked_on=dt.date(2026, 11, 20),
            steps=[{"name": "网上申报", "minutes": 20}],
            problems=[
                {"title": "好问题", "description": "d", "category": Category.GOVERNMENT, "deadline_days": 5},
                {"title": "坏问题", "description": "d", "category": Category.GOVERNMENT, "deadline_days": 0},
            ],
        )
    assert "problems.1.deadline_days" in exc.value.fields
    assert WalkThrough.objects.count() == 0 and Problem.objects.count() == 0


def test_walk_through_steps_and_dates_are_checked(ledger):
    c = ledger.city
    base = {"actor": c.head, "department": c.drc, "process_name": "备案"}
    with pytest.raises(ValidationFailed) as exc:
        services.walkthrough_record(**base, walked_on=dt.date(2026, 11, 20), steps=[])
    assert "steps" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.walkthrough_record(
            **base, walked_on=dt.date(2026, 11, 20), steps=[{"name": "排队", "minutes": -5}]
        )
    assert "steps" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.walkthrough_record(
            **base, walked_on=dt.date(2099, 1, 1), steps=[{"name": "排队", "minutes": 5}]
        )
    assert "walked_on" in exc.value.fields
    with pytest.raises(PermissionDenied):
        services.walkthrough_record(
            **{**base, "actor": c.other_officer},
            walked_on=dt.date(2026, 11, 20),
            steps=[{"name": "排队", "minutes": 5}],
        )


def test_only_commission_staff_start_campaigns_and_topic_campaigns_need_topics(ledger):
    c = ledger.city
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=c.officer,
            channel=Channel.INSPECTION,
            title="x",
            organisation=c.commission,
            starts_on=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_create(
            actor=c.city_supervisor,
            channel=Channel.TOPIC,
            title="点题整治",
            organisation=c.commission,
            starts_on=dt.date(2026, 1, 1),
        )
    assert "topics" in exc.value.fields
    assert Campaign.objects.filter(title="点题整治").count() == 0


def test_rules_established_link_their_problems(ledger):
    c = ledger.city
    problem = complaint(ledger, institutional="structural")
    services.problem_assign(actor=c.city_supervisor, problem=problem, department=c.drc, deadline_days=10)
    outcome = services.rule_outcome_record(
        actor=c.head,
        title="投资项目备案一次性告知制度",
        organisation=c.drc,
        issued_on=dt.date(2026, 11, 30),
        problems=[problem],
        document_number="泉发改〔2026〕12号",
    )
    assert list(outcome.problems.all()) == [problem]
    with pytest.raises(ValidationFailed):
        services.rule_outcome_record(
            actor=c.head, title="x", organisation=c.drc, issued_on=dt.date(2026, 11, 30), problems=[]
        )
    with pytest.raises(PermissionDenied):
        services.rule_outcome_record(
            actor=c.enterprise_user,
            title="x",
            organisation=c.drc,
            issued_on=dt.date(2026, 11, 30),
            problems=[problem],
        )


def test_evidence_is_stored_under_a_generated_name(ledger):
    c = ledger.city
    problem = complaint(ledger, files=[pdf("营业执照.pdf")])
    stored = problem.files.get()
    assert stored.original_name == "营业执照.pdf"
    assert "营业执照" not in stored.storage_name
    assert c.enterprise_user.pk == problem.reporter_user_id
