"""The alerts page (scoped, exported to Excel) and the admin's ladders page."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from qinqing.audit.models import AuditEvent
from qinqing.deadlines.models import LadderOverride
from qinqing.deadlines.scan import deadlines_scan

from .conftest import KIND

D = dt.date
ALERTS = reverse("deadlines:alerts")


@pytest.fixture
def alerted(open_item, city):
    """One overdue item in the drc and one in the commerce bureau, both alarmed."""
    drc = open_item(D(2026, 3, 10), title="发改委事项")
    commerce = open_item(
        D(2026, 3, 10), organisation=city.commerce, owner="other_officer", title="商务局事项"
    )
    deadlines_scan(today=D(2026, 3, 11))
    return drc, commerce


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", {"发改委事项"}),
        ("head", {"发改委事项"}),
        ("other_officer", {"商务局事项"}),
        ("supervisor", {"发改委事项"}),  # the group supervises the drc only
        ("city_supervisor", {"发改委事项", "商务局事项"}),
        ("committee_member", set()),
    ],
)
def test_each_reader_sees_the_alerts_in_scope(client, city, alerted, who, sees):
    client.force_login(getattr(city, who))
    response = client.get(ALERTS)
    assert response.status_code == 200
    assert {str(row.deadline) for row in response.context["rows"]} == sees


@pytest.mark.parametrize("who", ["enterprise_user", "admin"])
def test_enterprise_users_and_admins_are_refused(client, city, alerted, who):
    client.force_login(getattr(city, who))
    assert client.get(ALERTS).status_code == 403
    assert client.get(reverse("deadlines:alerts_export")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, alerted):
    assert client.get(ALERTS).status_code == 302


def test_filter_by_rung(client, city, alerted):
    client.force_login(city.officer)
    rows = client.get(ALERTS, {"rung": "alarm"}).context["rows"]
    assert [r.alert.rung for r in rows] == ["alarm"]
    assert client.get(ALERTS, {"rung": "nonsense"}).status_code == 200  # ignored, not an error


def test_closed_or_moved_items_drop_out(client, city, alerted):
    from qinqing.deadlines.models import DeadlineStatus
    from qinqing.deadlines.services import deadline_close, deadline_move

    drc, commerce = alerted
    deadline_close(actor=city.officer, deadline=drc, status=DeadlineStatus.MET)
    deadline_move(actor=city.other_officer, deadline=commerce, due_date=D(2026, 4, 30), reason="延期")
    client.force_login(city.city_supervisor)
    assert client.get(ALERTS).context["rows"] == []


def test_the_page_costs_a_fixed_number_of_queries(client, city, open_item, django_assert_max_num_queries):
    for i in range(12):
        open_item(D(2026, 3, 10), title=f"事项{i}")
    deadlines_scan(today=D(2026, 3, 11))
    client.force_login(city.officer)
    client.get(ALERTS)  # warm the session and the calendar
    with django_assert_max_num_queries(12):
        response = client.get(ALERTS)
    assert len(response.context["rows"]) == 36


def test_excel_export_has_the_same_rows(client, city, alerted):
    client.force_login(city.officer)
    response = client.get(reverse("deadlines:alerts_export"), {"rung": "alarm"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("级别", "事项", "类型")
    assert len(rows) == 2
    assert rows[1][0] == "警报" and rows[1][1] == "发改委事项" and rows[1][3] == "市发改委"
    assert rows[1][5].date() == D(2026, 3, 10)


# --- the admin's ladders page ------------------------------------------------------------------


LADDERS = reverse("deadlines:ladders")


def _form(**rungs):
    data = {"note": "试行"}
    for name in ("reminder", "warning", "alarm", "escalation"):
        data[f"{name}_unit"] = "working"
        data[f"{name}_offset"] = ""
    for name, offset in rungs.items():
        data[f"{name}_on"] = "on"
        data[f"{name}_offset"] = str(offset)
    return data


def test_admin_sees_and_changes_a_ladder(client, city, ladders):
    client.force_login(city.admin)
    response = client.get(LADDERS)
    assert response.status_code == 200
    assert f'data-testid="ladder-{KIND}"' in response.content.decode()
    url = reverse("deadlines:ladder_set", args=[KIND])
    response = client.post(url, _form(warning=-1, alarm=2))
    assert response.status_code == 302
    override = LadderOverride.objects.get(kind=KIND)
    assert override.rungs == [
        {"name": "warning", "offset": -1, "unit": "working"},
        {"name": "alarm", "offset": 2, "unit": "working"},
    ]
    assert client.post(reverse("deadlines:ladder_reset", args=[KIND])).status_code == 302
    assert not LadderOverride.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="deadline.ladder.").count() == 2


def test_a_bad_ladder_is_shown_back_with_its_reason(client, city, ladders):
    client.force_login(city.admin)
    response = client.post(reverse("deadlines:ladder_set", args=[KIND]), _form())
    assert response.status_code == 400
    assert "至少保留一个级别" in response.content.decode()
    response = client.post(
        reverse("deadlines:ladder_set", args=[KIND]), {**_form(alarm=1), "alarm_offset": ""}
    )
    assert response.status_code == 400
    assert not LadderOverride.objects.exists()


@pytest.mark.parametrize("who", ["officer", "head", "supervisor"])
def test_others_cannot_see_or_change_ladders(client, city, ladders, who):
    client.force_login(getattr(city, who))
    assert client.get(LADDERS).status_code == 403
    assert client.post(reverse("deadlines:ladder_set", args=[KIND]), _form(alarm=1)).status_code == 403
    assert not LadderOverride.objects.exists()


def test_unknown_kind_is_404(client, city, ladders):
    client.force_login(city.admin)
    assert client.post(reverse("deadlines:ladder_set", args=["no.such"]), _form(alarm=1)).status_code == 404
