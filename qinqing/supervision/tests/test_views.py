"""The supervisor's pages, per role: allowed for supervisors, refused to everyone else."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.urls import reverse

from qinqing.audit.models import AuditVerification, VerificationStatus
from qinqing.audit.services import audit_checkpoint_create
from qinqing.supervision.links import timeline_url

OTHERS = ["officer", "head", "committee_member", "enterprise_user", "admin"]
SUPERVISORS = ["supervisor", "city_supervisor"]


def _timeline(client, event):
    return client.get(reverse("supervision:timeline"), {"type": event.object_type, "id": event.object_id})


@pytest.mark.parametrize("who", SUPERVISORS)
def test_supervisors_open_the_audit_page(client, city, trail, who):
    client.force_login(getattr(city, who))
    response = client.get(reverse("supervision:audit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="verification"' in html
    assert "尚未检查" in html  # not checked yet
    assert reverse("supervision:checkpoints_export") in html


@pytest.mark.parametrize("who", OTHERS)
def test_everyone_else_is_refused_the_audit_pages(client, city, trail, who):
    client.force_login(getattr(city, who))
    for name in ["audit", "audit_status", "checkpoints_export", "timeline", "timeline_export"]:
        assert client.get(reverse(f"supervision:{name}")).status_code == 403, name
    assert client.post(reverse("supervision:audit_verify")).status_code == 403
    assert not AuditVerification.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, trail):
    response = client.get(reverse("supervision:audit"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_latest_events_on_the_audit_page_follow_the_supervisors_reach(client, city, trail):
    client.force_login(city.supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    assert "#7" in html and "#8" not in html and "#99" not in html
    client.force_login(city.city_supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    assert "#7" in html and "#8" in html and "#99" in html


def test_a_supervisor_runs_a_check_and_sees_its_result(client, city, trail):
    client.force_login(city.supervisor)
    response = client.post(reverse("supervision:audit_verify"), follow=True)
    assert response.status_code == 200
    run = AuditVerification.objects.get()
    assert run.status == VerificationStatus.INTACT
    assert run.requested_by == city.supervisor
    html = response.content.decode()
    assert "审计留痕完整" in html  # the trail is intact
    assert 'data-testid="verification-status">完整<' in html


def test_the_check_button_answers_htmx_with_the_card_alone(client, city, trail):
    client.force_login(city.supervisor)
    response = client.post(reverse("supervision:audit_verify"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="qq-verification"' in html
    assert "<html" not in html


def test_verification_is_only_posted(client, city):
    client.force_login(city.supervisor)
    assert client.get(reverse("supervision:audit_verify")).status_code == 405


def test_a_run_under_way_is_polled(client, city, trail):
    AuditVerification.objects.create(trigger="manual", requested_by=city.supervisor)
    client.force_login(city.supervisor)
    html = client.get(reverse("supervision:audit_status")).content.decode()
    assert 'hx-trigger="every 3s"' in html
    assert "disabled" in html


def test_the_checkpoint_export_downloads(client, city, trail):
    audit_checkpoint_create()
    client.force_login(city.supervisor)
    response = client.get(reverse("supervision:checkpoints_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert json.loads(lines[0])["type"] == "header"
    assert json.loads(lines[1])["seq"] == 5
    assert json.loads(lines[-1])["type"] == "signature"


def test_a_group_supervisor_reads_the_timeline_of_a_supervised_record(client, city, trail):
    client.force_login(city.supervisor)
    response = _timeline(client, trail["drc"][0])
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.index("application.submit")
        < html.index("application.review")
        < html.index("application.approve")
    )
    assert "市发改委" in html
    assert trail["drc"][1].request_id == "" or trail["drc"][1].request_id in html
    assert "600000.00" in html
    # the changed fields by their names, the recorded ones behind a toggle
    assert 'data-testid="event-changes"' in html and 'data-testid="event-raw"' in html
    assert "3 个事件" in html


def test_a_group_supervisor_does_not_see_other_departments_records(client, city, trail):
    client.force_login(city.supervisor)
    html = _timeline(client, trail["commerce"]).content.decode()
    assert 'data-testid="timeline-empty"' in html
    html = _timeline(client, trail["nowhere"]).content.decode()
    assert 'data-testid="timeline-empty"' in html


def test_the_city_wide_supervisor_sees_every_record(client, city, trail):
    client.force_login(city.city_supervisor)
    for event in [trail["drc"][0], trail["commerce"], trail["nowhere"]]:
        html = _timeline(client, event).content.decode()
        assert event.action in html
        assert 'data-testid="timeline-empty"' not in html


def test_times_are_shown_in_beijing_time(client, city, trail):
    client.force_login(city.city_supervisor)
    event = trail["commerce"]
    html = _timeline(client, event).content.decode()
    from zoneinfo import ZoneInfo

    assert event.at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") in html


def test_the_timeline_form_explains_missing_input(client, city, trail):
    client.force_login(city.supervisor)
    response = client.get(reverse("supervision:timeline"), {"type": "policies.application", "id": ""})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_other_pages_link_to_a_records_timeline(client, city, trail):
    url = timeline_url(object_type="policies.application", object_id=7)
    assert url == reverse("supervision:timeline") + "?type=policies.application&id=7"
    assert timeline_url(city.drc).endswith(f"?type=accounts.organisation&id={city.drc.pk}")
    client.force_login(city.supervisor)
    assert "application.approve" in client.get(url).content.decode()


def test_the_timeline_page_query_count_is_pinned(client, city, trail, django_assert_max_num_queries):
    client.force_login(city.supervisor)
    with django_assert_max_num_queries(12):
        _timeline(client, trail["drc"][0])


def test_the_audit_page_query_count_is_pinned(client, city, trail, django_assert_max_num_queries):
    client.force_login(city.supervisor)
    with django_assert_max_num_queries(14):
        client.get(reverse("supervision:audit"))


def test_a_timeline_exports_to_excel_with_text_kept_as_text(client, city, trail):
    client.force_login(city.supervisor)
    event = trail["drc"][0]
    response = client.get(
        reverse("supervision:timeline_export"), {"type": event.object_type, "id": event.object_id}
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    assert header[0] == "序号" and header[6] == "字段"
    data = rows[3:]
    actions = [r[5] for r in data]
    assert actions.count("application.submit") == 2  # two fields set at submission
    review_note = next(r for r in data if r[9] == "note")
    assert review_note[8] == review_note[11] == '=HYPERLINK("x")'
    cell = next(c for c in sheet.iter_rows() for c in c if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"


def test_an_export_without_a_record_goes_back_to_the_form(client, city):
    client.force_login(city.supervisor)
    response = client.get(reverse("supervision:timeline_export"))
    assert response.status_code == 302


def test_an_export_without_its_signing_key_says_why(client, city, trail, settings):
    audit_checkpoint_create()
    settings.AUDIT_SIGNING_KEY_FILE.unlink()
    client.force_login(city.supervisor)
    response = client.get(reverse("supervision:checkpoints_export"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision:audit")
    assert "密钥" in response.content.decode()
