"""The audit page's latest events name a verification run by when it ran and what it
found, and a batch of notifications by how many events of which kinds it held."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from qinqing.audit.models import AuditEvent, AuditVerification
from qinqing.audit.services import audit_seal_pending, audit_verification_request
from qinqing.supervision.references import batch_label, event_subjects, record_subjects
from qinqing.supervision.selectors import SHANGHAI

from .conftest import record

pytestmark = pytest.mark.django_db

VERIFICATION = "audit.auditverification"
NOTIFICATION = "notifications.event"


def test_a_verification_run_reads_by_its_time_and_result(city, trail):
    run = audit_verification_request(actor=city.city_supervisor, background=False)
    run.refresh_from_db()
    key = (VERIFICATION, str(run.pk))
    stamp = run.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert (
        str(record_subjects(None, [key])[key])
        == f"审计核验 {stamp} · 完整 · 已核验 {run.events_checked} 个事件"
    )
    with override("en"):
        label = str(record_subjects(None, [key])[key])
    assert label.endswith(f"{stamp} · Intact · {run.events_checked} events checked")
    assert "#" not in label


def test_a_queued_run_says_so(city):
    run = AuditVerification.objects.create(trigger="manual", requested_by=city.supervisor)
    key = (VERIFICATION, str(run.pk))
    assert str(record_subjects(None, [key])[key]).endswith(" · 排队中")


def test_a_batch_reads_by_its_count_and_kinds():
    after = {"event_count": 12, "kinds": ["deadline.alarm", "deadline.warning", "policy_step", "odd.kind"]}
    assert batch_label(after) == "12 个事件：警报、预警、审批环节、odd.kind"
    with override("en"):
        assert batch_label(after) == "12 events: Alarm, Warning, Approval step, odd.kind"
        assert batch_label({"event_count": 1, "kinds": ["notifications.digest"]}) == "1 event: daily digest"
        assert batch_label({"event_count": 3}) == "3 events"
        # Nothing recorded to go by: as before.
        assert batch_label(None) == batch_label({"kinds": ["x"]}) == "several events"


def test_the_audit_page_names_each_batch_by_its_own_event(client, city):
    for count, kind in ((7, "deadline.alarm"), (3, "policy_invitation")):
        record(
            organisation=None,
            object_type=NOTIFICATION,
            object_id="batch",
            action="notification.notify",
            after={"event_keys": [], "event_count": count, "kinds": [kind]},
        )
    audit_seal_pending()
    client.force_login(city.city_supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    subjects = re.findall(r'data-testid="event-subject" title="notifications.event batch">([^<]*)<', html)
    assert subjects == ["通知 · 3 个事件：政策邀请", "通知 · 7 个事件：警报"]


def test_event_subjects_keep_the_events_order(city, trail):
    events = list(AuditEvent.objects.order_by("-id")[:4])
    subjects = event_subjects(city.city_supervisor, events)
    expected = record_subjects(city.city_supervisor, [(e.object_type, e.object_id) for e in events])
    assert subjects == [expected[(e.object_type, e.object_id)] for e in events]
