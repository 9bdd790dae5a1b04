"""The committee's work list of claims waiting for an answer (page, Excel, JSON API,
navigation), who the ladder tells while a claim waits, and the OCDS download's name."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qinqing.accounts.navigation import nav_items
from qinqing.contracts import services
from qinqing.contracts.models import FulfilmentClaim, ObligorSide
from qinqing.deadlines.testing import scan_and_notify
from qinqing.notifications.models import DigestItem, Notification

from .conftest import D, add_obligation, evidence, reload


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _claim(zone, ob, *, days_ago: int, met_on: dt.date | None = None) -> FulfilmentClaim:
    by = zone.enterprise_user if ob.obligor_side == ObligorSide.ENTERPRISE else zone.officer
    claim = services.obligation_claim(
        actor=by, obligation=reload(ob), met_on=met_on or D(2026, 3, 10), files=[evidence()]
    )
    FulfilmentClaim.objects.filter(pk=claim.pk).update(
        claimed_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return reload(claim)


@pytest.fixture
def waiting(zone):
    """Two claims waiting: the government's permit (for the enterprise to confirm, 2 days)
    and the enterprise's construction start (for the committee, 6 days); one answered."""
    permit = add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 4, 1), title="施工许可证核发")
    start = add_obligation(zone, due=D(2026, 3, 5), title="开工建设")
    done = add_obligation(zone, due=D(2026, 5, 1), title="供水接入", kind="investment")
    permit_claim = _claim(zone, permit, days_ago=2)
    start_claim = _claim(zone, start, days_ago=6)  # met 03-10, due 03-05: claimed late
    services.claim_confirm(actor=zone.member, claim=_claim(zone, done, days_ago=9))
    return {"permit": permit_claim, "start": start_claim}


def test_the_committee_sees_the_claims_waiting_oldest_first(zone, waiting):
    response = _client(zone.member).get(reverse("contracts:claims"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.claim.pk for row in rows] == [waiting["start"].pk, waiting["permit"].pk]
    assert [row.waited_days for row in rows] == [6, 2]
    assert [row.answered_by for row in rows] == ["committee", "enterprise"]
    assert [row.late for row in rows] == [True, False]
    page = response.content.decode()
    assert page.count('data-testid="claim-row"') == 2 and "供水接入" not in page


def test_the_work_list_filters_by_side_search_and_stage(zone, waiting):
    client = _client(zone.member)
    rows = client.get(reverse("contracts:claims"), {"side": "government"}).context["rows"]
    assert [row.claim.pk for row in rows] == [waiting["permit"].pk]
    rows = client.get(reverse("contracts:claims"), {"q": "开工"}).context["rows"]
    assert [row.claim.pk for row in rows] == [waiting["start"].pk]
    services.claim_dispute(actor=zone.enterprise_user, claim=waiting["permit"], reason="尚未取得")
    assert [r.claim.pk for r in client.get(reverse("contracts:claims")).context["rows"]] == [
        waiting["start"].pk
    ]
    rows = client.get(reverse("contracts:claims"), {"stage": "disputed"}).context["rows"]
    assert [(r.claim.pk, r.answered_by) for r in rows] == [(waiting["permit"].pk, "committee")]
    partial = client.get(reverse("contracts:claims"), {"stage": "all"}, headers={"HX-Request": "true"})
    assert partial.content.decode().count('data-testid="claim-row"') == 2
    assert "<html" not in partial.content.decode()


def test_the_work_list_is_scoped_and_denied_to_others(zone, waiting):
    assert _client(zone.other_member).get(reverse("contracts:claims")).context["rows"] == []
    assert _client(zone.city_supervisor).get(reverse("contracts:claims")).status_code == 200
    assert _client(zone.enterprise_user).get(reverse("contracts:claims")).status_code == 403
    assert Client().get(reverse("contracts:claims")).status_code == 302


def test_the_work_list_exports_to_excel(zone, waiting):
    response = _client(zone.member).get(reverse("contracts:export_claims"), {"side": "enterprise"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="contracts-claims-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][1] == 6 and rows[0][9] == "开工建设"
    assert _client(zone.enterprise_user).get(reverse("contracts:export_claims")).status_code == 403


def test_the_work_list_over_json(zone, waiting):
    def api(user, **params):
        return _client(user).get("/api/v1/contracts/claims", params)

    body = json.loads(api(zone.member).content)
    assert body["count"] == 2
    first = body["items"][0]
    assert (first["claim"], first["waited_days"], first["answered_by"], first["late"]) == (
        str(waiting["start"].public_id),
        6,
        "committee",
        True,
    )
    assert first["original_due_date"] == "2026-03-05"
    assert json.loads(api(zone.member, side="government").content)["count"] == 1
    assert json.loads(api(zone.other_member).content)["count"] == 0
    assert api(zone.member, stage="nonsense").status_code in (400, 422)
    assert Client().get("/api/v1/contracts/claims").status_code == 401


def test_the_committee_finds_the_work_list_in_its_navigation(zone):
    urls = [item["url"] for item in nav_items(zone.member, "/")]
    assert reverse("contracts:claims") in urls
    assert reverse("contracts:claims") not in [item["url"] for item in nav_items(zone.enterprise_user, "/")]


def _told():
    told = set(
        Notification.objects.filter(event_key__startswith="deadline-alert:").values_list(
            "recipient__username", "kind"
        )
    )
    return told | set(
        DigestItem.objects.filter(event_key__startswith="deadline-alert:").values_list(
            "recipient__username", "kind"
        )
    )


def test_a_claimed_obligation_reminds_the_confirming_side_not_the_obligor(zone):
    ob = add_obligation(zone, due=D(2026, 10, 30))  # reminder 09-30, warning 10-23
    services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=D(2026, 9, 28),
        files=[evidence()],
        today=D(2026, 9, 29),
    )
    scan_and_notify(today=D(2026, 9, 30))
    assert _told() == {("cmt", "deadline.reminder"), ("cmt2", "deadline.reminder")}
    # Each rung once: a scan again tells nobody again.
    scan_and_notify(today=D(2026, 9, 30))
    assert len(_told()) == 2
    assert DigestItem.objects.filter(event_key__startswith="deadline-alert:").count() == 2


def test_a_government_claim_reminds_the_enterprise_to_confirm(zone):
    add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 10, 29))  # reminder 10-22
    ob = reload(add_obligation(zone, side=ObligorSide.GOVERNMENT, due=D(2026, 10, 29), title="供电"))
    services.obligation_claim(
        actor=zone.officer, obligation=ob, met_on=D(2026, 10, 20), files=[evidence()], today=D(2026, 10, 21)
    )
    scan_and_notify(today=D(2026, 10, 22))
    told = _told()
    # The unclaimed permit reminds the department; the claimed one, the enterprise.
    assert ("ent", "deadline.reminder") in told
    assert {("officer", "deadline.reminder"), ("head", "deadline.reminder")} <= told
    reminders = DigestItem.objects.filter(
        event_key__startswith="deadline-alert:", recipient=zone.enterprise_user
    )
    assert reminders.count() == 1


def test_an_alarm_while_a_claim_waits_reaches_the_committee_not_the_obligor(zone):
    ob = add_obligation(zone, due=D(2026, 10, 30))
    services.obligation_claim(
        actor=zone.enterprise_user,
        obligation=ob,
        met_on=D(2026, 10, 29),
        files=[evidence()],
        today=D(2026, 10, 30),
    )
    scan_and_notify(today=D(2026, 10, 31))
    alarm = {user for user, kind in _told() if kind == "deadline.alarm"}
    assert alarm == {"cmt", "cmt2"}


def test_the_ocds_download_names_a_chinese_file_as_browsers_read_it(zone):
    zone.agreement.number = "泉台投〔2026〕7号"
    zone.agreement.save(update_fields=["number"])
    response = _client(zone.member).get(reverse("contracts:ocds_contract", args=[zone.agreement.public_id]))
    header = response["Content-Disposition"]
    assert "=?utf-8?" not in header
    assert header.startswith('attachment; filename="ocds-')
    assert "filename*=UTF-8''ocds-" in header and "%E6%B3%89" in header
