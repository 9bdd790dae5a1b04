"""The policy supervision pages and their Excel exports, per role."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinqing.deadlines.models import Alert, RungName
from qinqing.policies.models import CaseStep

pytestmark = pytest.mark.django_db

READERS = ["supervisor", "city_supervisor", "officer"]
REFUSED = ["enterprise_user", "admin"]
LISTS = [
    "policy_cases",
    "policy_overdue",
    "policy_overdue_export",
    "policy_alerts",
    "policy_alerts_export",
    "policy_cash",
    "policy_cash_export",
]


def _overdue(tc, case, days: int = 10) -> CaseStep:
    step = tc.step(case)
    CaseStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - dt.timedelta(days=days))
    return step


def _alert(step: CaseStep, rung: str = RungName.ALARM) -> Alert:
    today = timezone.localdate()
    return Alert.objects.create(
        deadline=step.deadline,
        rung=rung,
        due_date=step.deadline.due_date,
        rung_on=today,
        fired_on=today,
        fired_at=timezone.now(),
    )


def _book(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize("who", READERS)
def test_readers_open_every_page(client, two_cases, who):
    client.force_login(getattr(two_cases.world.city, who))
    for name in LISTS:
        assert client.get(reverse(f"supervision:{name}")).status_code == 200, name
    response = client.get(reverse("supervision:policy_case", args=[two_cases.drc_case.public_id]))
    assert response.status_code == 200


@pytest.mark.parametrize("who", REFUSED)
def test_enterprises_and_admins_are_refused_every_page(client, two_cases, who):
    client.force_login(getattr(two_cases.world.city, who))
    for name in LISTS:
        assert client.get(reverse(f"supervision:{name}")).status_code == 403, name
    for name in ["policy_case", "policy_case_export"]:
        url = reverse(f"supervision:{name}", args=[two_cases.drc_case.public_id])
        assert client.get(url).status_code == 403, name


def test_anonymous_visitors_are_sent_to_log_in(client, two_cases):
    response = client.get(reverse("supervision:policy_overdue"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_case_outside_the_reach_is_404(client, two_cases):
    city = two_cases.world.city
    client.force_login(city.supervisor)
    url = reverse("supervision:policy_case", args=[two_cases.commerce_case.public_id])
    assert client.get(url).status_code == 404
    client.force_login(city.other_officer)
    url = reverse("supervision:policy_case_export", args=[two_cases.drc_case.public_id])
    assert client.get(url).status_code == 404


def test_the_late_list_links_each_case_and_exports_the_same_rows(client, two_cases):
    city = two_cases.world.city
    _overdue(two_cases, two_cases.drc_case)
    _overdue(two_cases, two_cases.commerce_case)
    client.force_login(city.supervisor)
    html = client.get(reverse("supervision:policy_overdue")).content.decode()
    assert reverse("supervision:policy_case", args=[two_cases.drc_case.public_id]) in html
    assert reverse("supervision:policy_case", args=[two_cases.commerce_case.public_id]) not in html
    assert "已逾期" in html  # overdue
    sheet = _book(client.get(reverse("supervision:policy_overdue_export"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "办件编号"
    assert [r[1] for r in rows[1:]] == [two_cases.drc_case.reference]
    assert rows[1][3] == two_cases.drc_case.enterprise.name
    assert rows[1][4] == "市发改委"


def test_the_late_list_costs_the_same_queries_for_one_or_two_rows(client, two_cases, monkeypatch):
    from qinqing.supervision import policy_cases
    from qinqing.workdays.calendar import current_calendar

    # The calendar checks its revision every few seconds: hold one snapshot so that the
    # count compares the page's own queries only.
    snapshot = current_calendar()
    monkeypatch.setattr(policy_cases, "current_calendar", lambda: snapshot)
    client.force_login(two_cases.world.city.city_supervisor)
    url = reverse("supervision:policy_overdue")
    _overdue(two_cases, two_cases.drc_case)
    client.get(url)  # warm the calendar and the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).content.decode().count("table-danger") == 1
    _overdue(two_cases, two_cases.commerce_case)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).content.decode().count("table-danger") == 2
    assert len(two) == len(one) <= 12


def test_the_alarm_list_costs_the_same_queries_for_one_or_three_rows(client, two_cases):
    client.force_login(two_cases.world.city.city_supervisor)
    url = reverse("supervision:policy_alerts")
    _alert(two_cases.step(two_cases.drc_case))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert html.count('class="table-danger"') == 1
    _alert(two_cases.step(two_cases.drc_case), RungName.ESCALATION)
    _alert(two_cases.step(two_cases.commerce_case))
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).content.decode()
    assert html.count('class="table-danger"') == 3
    assert len(three) == len(one) <= 12
    sheet = _book(client.get(reverse("supervision:policy_alerts_export"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert {r[1] for r in rows[1:]} == {two_cases.drc_case.reference, two_cases.commerce_case.reference}


def test_the_case_page_shows_steps_events_and_the_checked_stretch(client, two_cases):
    client.force_login(two_cases.world.city.supervisor)
    response = client.get(reverse("supervision:policy_case", args=[two_cases.drc_case.public_id]))
    html = response.content.decode()
    assert 'data-testid="segment-intact"' in html
    assert "case.open" in html and "deadline.open" in html
    assert two_cases.drc_case.reference in html
    book = _book(client.get(reverse("supervision:policy_case_export", args=[two_cases.drc_case.public_id])))
    steps, events = book.worksheets[0], book.worksheets[1]
    assert steps.max_row == 2  # the header and the one open step
    actions = [r[6] for r in events.iter_rows(min_row=2, values_only=True) if r[6]]
    assert "case.open" in actions and "deadline.open" in actions


def test_time_to_cash_page_has_tables_a_chart_and_an_export(client, cash_world):
    from qinqing.accounts.models import User

    client.force_login(User.objects.get(username="citysup"))
    params = {"since": "2026-03-01", "until": "2026-03-31"}
    html = client.get(reverse("supervision:policy_cash"), params).content.decode()
    assert 'data-chart="qq-cash-chart"' in html
    assert "echarts.min.js" in html
    start = html.index('<script id="qq-cash-chart" type="application/json">') + len(
        '<script id="qq-cash-chart" type="application/json">'
    )
    chart = json.loads(html[start : html.index("</script>", start)])
    assert chart["xAxis"]["data"] == ["市发改委", "市商务局"]
    assert chart["series"][0]["data"] == [0.83, 2.0]  # 20 h, 48 h
    assert chart["series"][1]["data"] == [1.75, 2.8]  # 42 h, 67.2 h
    book = _book(client.get(reverse("supervision:policy_cash_export"), params))
    by_department = list(book.worksheets[1].iter_rows(values_only=True))
    assert by_department[1][:6] == ("市发改委", "市发改委", 5, 0.83, 1.75, 3)
    assert by_department[-1][:6] == ("全部", None, 7, 1.0, 2.45, 4)  # no department: an empty cell
    assert by_department[-1][6] == pytest.approx(4 / 7)


def test_an_upside_down_period_is_said_so(client, cash_world):
    from qinqing.accounts.models import User

    client.force_login(User.objects.get(username="citysup"))
    html = client.get(
        reverse("supervision:policy_cash"), {"since": "2026-03-31", "until": "2026-03-01"}
    ).content.decode()
    assert 'data-testid="cash-errors"' in html


def test_a_formula_in_a_name_stays_text_in_the_export(client, two_cases):
    case = two_cases.drc_case
    case.enterprise.name = '=HYPERLINK("http://x")'
    case.enterprise.save(update_fields=["name"])
    _overdue(two_cases, case)
    client.force_login(two_cases.world.city.supervisor)
    sheet = _book(client.get(reverse("supervision:policy_overdue_export"))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"


def test_the_case_page_costs_the_same_queries_with_more_steps_and_a_payment(client, two_cases):
    from qinqing.payments.models import PaymentInstruction
    from qinqing.payments.services import payment_send
    from qinqing.policies.services.cases import case_approve

    w = two_cases.world
    client.force_login(w.city.supervisor)
    url = reverse("supervision:policy_case", args=[two_cases.drc_case.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as one_step:
        client.get(url)
    case = case_approve(actor=w.officer, case=two_cases.drc_case)
    case = case_approve(actor=w.head, case=case)
    case = case_approve(actor=w.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)
    client.get(url)
    with CaptureQueriesContext(connection) as paid:
        html = client.get(url).content.decode()
    assert "payment.instruct" in html and "case.paid" in html
    assert len(paid) == len(one_step) <= 20
