"""Records the audit page named by a key or an id now read by what they are about: a
payment instruction by the case it pays, a notification event by what its key names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from qinqing.audit.services import audit_seal_pending
from qinqing.deadlines.models import Alert, RungName
from qinqing.payments.models import PaymentInstruction
from qinqing.policies.models import CaseStep
from qinqing.policies.services.cases import case_approve
from qinqing.supervision.readable import record_type_name
from qinqing.supervision.references import record_label, record_subjects

from .conftest import record
from .test_audit_latest import QUERIES, _latest, _rows

NOTIFICATION = "notifications.event"
INSTRUCTION = "payments.paymentinstruction"


def _paying(two_cases):
    w = two_cases.world
    case = case_approve(actor=w.officer, case=two_cases.drc_case)
    case = case_approve(actor=w.head, case=case)
    case = case_approve(actor=w.officer_b, case=case)
    audit_seal_pending()
    return case, PaymentInstruction.objects.get(source_type="policies.case", source_id=str(case.pk))


def test_a_payment_instruction_reads_by_its_case_and_links_to_the_case_page(client, two_cases):
    case, instruction = _paying(two_cases)
    client.force_login(two_cases.world.city.city_supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    row = next(r for r in _rows(html) if 'title="payment.instruct"' in r)
    page = reverse("supervision:policy_case", args=[case.public_id])
    assert f'href="{page}"' in row
    assert f">支付指令 · 办件 {case.reference}<" in row
    # The recorded type and id stay in the title.
    assert f'title="{INSTRUCTION} {instruction.pk}"' in row
    assert "支付指令 #" not in _latest(html)


def test_an_instruction_links_to_its_own_timeline_without_the_case_page(two_cases):
    case, instruction = _paying(two_cases)
    key = (INSTRUCTION, str(instruction.pk))
    subject = record_subjects(None, [key])[key]
    assert str(subject) == f"支付指令 · 办件 {case.reference}"
    assert subject.url.endswith(f"?type={INSTRUCTION}&id={instruction.pk}")


def test_an_instruction_for_something_else_reads_by_its_purpose(two_cases):
    _case, instruction = _paying(two_cases)
    PaymentInstruction.objects.filter(pk=instruction.pk).update(source_type="elsewhere.thing")
    key = (INSTRUCTION, str(instruction.pk))
    assert record_subjects(None, [key])[key].label == instruction.purpose


def test_notification_events_read_by_what_their_key_names(two_cases):
    case = two_cases.drc_case
    step = two_cases.step(case)
    deadline = step.deadline
    assert deadline is not None
    alert = Alert.objects.create(
        deadline=deadline,
        rung=RungName.ALARM,
        due_date=deadline.due_date,
        rung_on=timezone.localdate(),
        fired_on=timezone.localdate(),
        fired_at=timezone.now(),
    )
    policy = two_cases.world.policy
    invitation_id = case.invitation_id
    expected = {
        f"case:{case.pk}:paid:7": f"通知 · 办件 {case.reference}",
        f"step:{step.pk}:assigned": f"通知 · 办件 {case.reference}",
        f"hand-over:step-{step.pk}:12": f"通知 · 办件 {case.reference}",
        f"invitation:{invitation_id}:lapsed": f"通知 · 政策 {policy.code}",
        f"deadline-alert:{alert.pk}": f"通知 · {record_type_name('deadlines.deadline')} {deadline.title}",
        # Records gone (or never there) read by their type and id, never by the key.
        "ledger.problem:999999:verify:2": f"通知 · {record_type_name('ledger.problem')} #999999",
        "contracts.claim:999999:made": f"通知 · {record_type_name('contracts.fulfilmentclaim')} #999999",
        "notifications.digest:2026-12-07": "通知 · 2026-12-07 每日汇总",
        "batch": "通知 · 多个事件",
        "something:else": "通知 · 其他事件",
    }
    keys = [(NOTIFICATION, k) for k in expected]
    subjects = record_subjects(two_cases.world.city.city_supervisor, keys)
    assert {k: str(subjects[(NOTIFICATION, k)]) for k in expected} == expected
    # A notification's page is its own timeline: the case page does not show it.
    one = subjects[(NOTIFICATION, f"case:{case.pk}:paid:7")]
    assert one.url == reverse("supervision:timeline") + f"?type={NOTIFICATION}&id=case%3A{case.pk}%3Apaid%3A7"


def test_notification_events_read_in_english(two_cases):
    case = two_cases.drc_case
    keys = [(NOTIFICATION, f"case:{case.pk}:paid:7"), (NOTIFICATION, "batch"), (NOTIFICATION, "x:y")]
    with override("en"):
        subjects = record_subjects(None, keys)
        digest = record_label(NOTIFICATION, "notifications.digest:2026-12-07")
    assert [str(subjects[k]) for k in keys] == [
        f"Notification · Case {case.reference}",
        "Notification · several events",
        "Notification · another event",
    ]
    assert digest == "Notification · daily digest of 2026-12-07"


def test_the_audit_page_names_a_notification_by_its_case_keeping_the_key_in_the_title(client, two_cases):
    case = two_cases.drc_case
    key = f"case:{case.pk}:paid:7"
    record(organisation=None, object_type=NOTIFICATION, object_id=key, action="notification.notify")
    client.force_login(two_cases.world.city.city_supervisor)
    for language, text in (
        ("zh-hans", f"通知 · 办件 {case.reference}"),
        ("en", f"Notification · Case {case.reference}"),
    ):
        html = client.get(reverse("supervision:audit"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        row = _rows(html)[0]
        assert f'title="{NOTIFICATION} {key}">{text}<' in row
        assert f">{record_type_name(NOTIFICATION)} #" not in _latest(html)


@pytest.mark.parametrize("instructions", [1, 3])
def test_instructions_and_notifications_are_read_in_bulk(
    client, two_cases, django_assert_num_queries, instructions
):
    """Twenty events about instructions, notifications (by a case's, a step's and an
    invitation's key) and a case: one query per kind of record, whatever their number."""
    city = two_cases.world.city
    case, instruction = _paying(two_cases)
    # More instructions than one change nothing but the rows read.
    extra = [
        PaymentInstruction.objects.create(
            key=f"test-{n}",
            source_type="policies.case",
            source_id=str(case.pk),
            organisation=case.organisation,
            payee_name="x",
            payee_account="1",
            amount=1,
            purpose="p",
        )
        for n in range(instructions - 1)
    ]
    step = CaseStep.objects.filter(case=case).order_by("pk")[0]
    subjects = [(INSTRUCTION, str(i.pk)) for i in [instruction, *extra]] + [
        (NOTIFICATION, f"case:{case.pk}:paid:7"),
        (NOTIFICATION, f"step:{step.pk}:assigned"),
        (NOTIFICATION, f"invitation:{case.invitation_id}"),
        ("policies.case", str(case.pk)),
    ]
    for n in range(20):
        object_type, object_id = subjects[n % len(subjects)]
        record(
            organisation=city.drc,
            object_type=object_type,
            object_id=object_id,
            actor=city.officer if n % 2 else city.head,
            action="organisation.rename",
        )
    client.force_login(city.city_supervisor)
    # Against the four kinds of record of the pinned page: the instructions, the steps,
    # the invitations, the cases and the policies they lead to (five).
    with django_assert_num_queries(QUERIES - 4 + 5):
        html = client.get(reverse("supervision:audit")).content.decode()
    latest = _latest(html)
    by_invitation = sum(1 for n in range(20) if subjects[n % len(subjects)][1].startswith("invitation"))
    assert latest.count(f"办件 {case.reference}<") == 20 - by_invitation
    assert latest.count(f"通知 · 政策 {two_cases.world.policy.code}<") == by_invitation
    assert "#" not in "".join(r.split("</a>")[0].split(">")[-1] for r in _rows(html))
