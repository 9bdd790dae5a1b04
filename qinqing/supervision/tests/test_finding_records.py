"""A supervisor reaches a record by the reference people quote, finds any case of the
departments in reach, and reads its events by names and labels, not internal ones."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from qinqing.audit.services import audit_seal_pending
from qinqing.deadlines.models import DeadlinePause
from qinqing.policies.models import CaseStep
from qinqing.policies.services.cases import case_return

pytestmark = pytest.mark.django_db


def test_a_case_number_in_the_timeline_search_leads_to_the_case_page(client, two_cases):
    city = two_cases.world.city
    client.force_login(city.city_supervisor)
    # Given the case number as people quote it (any case)
    response = client.get(reverse("supervision:timeline"), {"ref": two_cases.drc_case.reference.lower()})
    # Then the supervisor lands on the case's supervision page
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:policy_case", args=[two_cases.drc_case.public_id])


def test_a_case_outside_the_reach_is_not_found_by_its_number(client, two_cases):
    city = two_cases.world.city
    client.force_login(city.supervisor)  # the group supervising 市发改委 only
    response = client.get(reverse("supervision:timeline"), {"ref": two_cases.commerce_case.reference})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="timeline-not-found"' in html
    assert two_cases.commerce_case.enterprise.name not in html


def test_a_policy_code_shows_the_policy_timeline_without_internal_names(client, two_cases):
    city = two_cases.world.city
    policy = two_cases.world.policy
    audit_seal_pending()
    client.force_login(city.city_supervisor)
    response = client.get(reverse("supervision:timeline"), {"ref": policy.code})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="timeline"' in html
    assert policy.code in html
    # the heading names the record, not its type label and database id
    heading = html.split("<h1")[1].split("</h1>")[0]
    assert policy.code in heading and "policies.policy" not in heading and f"#{policy.pk}" not in heading
    # and the export link carries the record
    assert 'data-testid="timeline-export"' in html


def test_the_timeline_form_asks_for_a_reference_only(client, two_cases):
    client.force_login(two_cases.world.city.city_supervisor)
    html = client.get(reverse("supervision:timeline")).content.decode()
    assert 'name="ref"' in html
    assert 'name="type"' not in html and 'name="id"' not in html
    assert "accounts.organisation" not in html


def test_the_case_search_finds_cases_in_reach_by_number_or_enterprise(client, two_cases):
    city = two_cases.world.city
    url = reverse("supervision:policy_cases")
    drc_link = reverse("supervision:policy_case", args=[two_cases.drc_case.public_id])
    commerce_link = reverse("supervision:policy_case", args=[two_cases.commerce_case.public_id])
    client.force_login(city.city_supervisor)
    # by the start of the number
    html = client.get(url, {"q": two_cases.drc_case.reference[:-1]}).content.decode()
    assert drc_link in html
    # by the enterprise's name
    html = client.get(url, {"q": two_cases.commerce_case.enterprise.name}).content.decode()
    assert commerce_link in html and drc_link not in html
    # the group reads only its department's cases
    client.force_login(city.supervisor)
    html = client.get(url).content.decode()
    assert drc_link in html and commerce_link not in html
    # and the tabs of the supervision pages lead there
    assert 'data-testid="cases-tab"' in client.get(reverse("supervision:policy_overdue")).content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "admin"])
def test_the_case_search_refuses_enterprises_and_admins(client, two_cases, who):
    client.force_login(getattr(two_cases.world.city, who))
    assert client.get(reverse("supervision:policy_cases")).status_code == 403


def test_the_case_page_reads_its_events_by_names_and_labels(client, two_cases):
    w = two_cases.world
    case_return(actor=w.officer, case=two_cases.drc_case, request="请补充材料")
    audit_seal_pending()
    client.force_login(w.city.city_supervisor)
    html = client.get(
        reverse("supervision:policy_case", args=[two_cases.drc_case.public_id])
    ).content.decode()
    events = html.split('data-testid="case-events"')[1]
    shown = "".join(part.split("</details>")[-1] for part in events.split("<details"))
    # Then the status reads by its label, the deadline's fields by their names
    assert "状态:</span> 审核中 → 退回补正" in shown or "审核中 → " in shown
    assert "in_review" not in shown and "next_rung" not in shown and "object_type" not in shown
    # the enterprise user acts for her enterprise, not for the case's department
    assert f"{w.spot_user} · {two_cases.drc_case.enterprise.name}" in shown
    # and the recorded values stay behind a toggle
    assert "in_review" in events and 'data-testid="event-raw"' in events


def test_the_case_export_reads_the_same_labels(client, two_cases):
    w = two_cases.world
    case_return(actor=w.officer, case=two_cases.drc_case, request="请补充材料")
    audit_seal_pending()
    client.force_login(w.city.city_supervisor)
    response = client.get(reverse("supervision:policy_case_export", args=[two_cases.drc_case.public_id]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    changes = " ".join(str(r[7]) for r in rows[1:] if r[7])
    assert "审核中" in changes and "in_review" not in changes


def test_a_paused_step_reads_paused_on_the_page_and_in_the_api(client, two_cases):
    w = two_cases.world
    case_return(actor=w.officer, case=two_cases.drc_case, request="请补充材料")
    step = two_cases.step(two_cases.drc_case)
    # due ten days ago, paused (returned for materials) two days before that
    today = timezone.localdate()
    CaseStep.objects.filter(pk=step.pk).update(due_date=today - dt.timedelta(days=10))
    DeadlinePause.objects.filter(deadline_id=step.deadline_id).update(start=today - dt.timedelta(days=12))
    client.force_login(w.city.city_supervisor)
    html = client.get(reverse("supervision:policy_overdue")).content.decode()
    assert 'data-state="paused"' in html and 'data-state="overdue"' not in html
    body = client.get("/api/v1/supervision/policies/steps/late").json()
    assert [(s["state"], s["working_days_overdue"], s["paused"]) for s in body["steps"]] == [
        ("paused", 0, True)
    ]
    assert body["steps"][0]["paused_since"] == (today - dt.timedelta(days=12)).isoformat()
    body = client.get("/api/v1/supervision/policies/steps/late", {"overdue_only": "true"}).json()
    assert body["count"] == 0


def test_an_event_without_a_user_is_the_systems_in_the_readers_language(client, city, trail):
    client.force_login(city.city_supervisor)
    event = trail["nowhere"]
    response = client.get(reverse("supervision:timeline"), {"type": event.object_type, "id": event.object_id})
    actor = response.content.decode().split('data-testid="event-actor"')[1].split("</div>")[0]
    assert "系统" in actor and "system" not in actor


def test_a_deadline_event_reads_by_names_and_the_raw_values_stay(city):
    from qinqing.supervision.readable import readable_events
    from qinqing.supervision.selectors import timeline_for

    from .conftest import record

    record(
        organisation=city.drc,
        object_type="deadlines.deadline",
        object_id="5",
        actor=None,
        action="deadline.open",
        after={
            "owner": city.officer.pk,
            "next_rung": "warning",
            "object_type": "policies.casestep",
            "paused": False,
        },
    )
    record(
        organisation=city.drc,
        object_type="policies.case",
        object_id="999999",
        actor=city.officer,
        action="case.open",
        after={"version": 1, "status": "in_review"},
    )
    entries, _total = timeline_for(user=city.city_supervisor, object_type="deadlines.deadline", object_id="5")
    (event,) = readable_events(entries)
    shown = {c.label: c.after for c in event.changed_only}
    assert shown == {"责任人": str(city.officer), "下一级别": "预警", "记录类型": "审批环节", "已暂停": "否"}
    assert event.actor == "系统"
    raw = {c.field: c.raw_after for c in event.changed_only}
    assert raw["owner"] == city.officer.pk and raw["next_rung"] == "warning"
    entries, _total = timeline_for(user=city.city_supervisor, object_type="policies.case", object_id="999999")
    (event,) = readable_events(entries)
    # a policy version is recorded by its number, not its id: shown as it is
    assert {c.field: c.after for c in event.changed_only} == {"version": "1", "status": "审核中"}
    assert event.actor_organisation == "市发改委"
