"""Provisional years: 2027 is seeded with its statutory holidays only, answers through it
work and say so, complete years say nothing, and unknown years still refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qinqing.audit.models import AuditEvent
from qinqing.workdays import calendar
from qinqing.workdays.calendar import CalendarYearNotSeeded, DayUnit, WorkCalendar
from qinqing.workdays.models import CalendarYear, DayKind, HolidayName, YearStatus
from qinqing.workdays.services import calendar_day_create, calendar_day_update, calendar_year_set
from qinqing.workdays.signals import calendar_changed

D = dt.date

pytestmark = pytest.mark.usefixtures("official_calendar")


# --- arithmetic through 2027 ------------------------------------------------------------------


def test_ten_working_days_from_late_december_land_in_january_2027_and_are_flagged():
    # Mon 2026-12-28: 29, 30, 31; Fri 2027-01-01 is New Year's Day, then the weekend;
    # 01-04..01-08 and 01-11, 01-12.
    snapshot = calendar.current_calendar()
    result = snapshot.add_working_days(D(2026, 12, 28), 10)
    assert result == D(2027, 1, 12)
    assert snapshot.provisional_years_between(D(2026, 12, 28), result) == [2027]
    assert calendar.add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 12)
    assert calendar.provisional_years_between(D(2026, 12, 28), result) == [2027]


def test_twenty_working_days_from_10_december_2026():
    start = D(2026, 12, 10)
    result = calendar.add_working_days(start, 20)
    assert result == D(2027, 1, 8)
    assert calendar.working_days_between(start, result) == 20
    assert calendar.provisional_years_between(start, result) == [2027]


def test_the_statutory_days_of_2027_rest_and_weekends_stay_rest_days():
    assert calendar.is_working_day(D(2027, 1, 1)) is False  # 元旦, a Friday
    for day in (D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1)):
        assert calendar.is_working_day(day) is False, day
    assert calendar.is_working_day(D(2027, 2, 9)) is True  # 初四, the Tuesday after
    assert calendar.is_working_day(D(2027, 2, 20)) is False  # a Saturday: no make-up days assumed
    assert calendar.is_working_day(D(2027, 10, 4)) is True  # Monday after 国庆's three days
    # 261 weekdays in 2027, 7 of the statutory days fall on one.
    assert calendar.working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 254


def test_answers_within_complete_years_report_nothing():
    assert calendar.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert calendar.provisional_years_between(D(2025, 12, 31), D(2026, 1, 4)) == []
    assert calendar.provisional_years_between(D(2020, 1, 1), D(2026, 12, 31)) == []
    # Up to 31 December 2026 nothing depends on 2027.
    assert calendar.add_working_days(D(2026, 12, 30), 1) == D(2026, 12, 31)
    assert calendar.provisional_years_between(D(2026, 12, 30), D(2026, 12, 31)) == []


def test_backwards_and_reversed_spans_are_flagged_too():
    assert calendar.add_working_days(D(2027, 1, 4), -1) == D(2026, 12, 31)
    assert calendar.provisional_years_between(D(2027, 1, 4), D(2026, 12, 31)) == [2027]
    assert calendar.working_days_between(D(2027, 1, 12), D(2026, 12, 28)) == -10
    assert calendar.provisional_years_between(D(2027, 1, 12), D(2026, 12, 28)) == [2027]


def test_2028_still_raises():
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.add_working_days(D(2027, 12, 28), 10)
    assert info.value.year == 2028
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.is_working_day(D(2028, 1, 3))
    assert info.value.year == 2028
    with pytest.raises(CalendarYearNotSeeded):
        calendar.working_days_between(D(2027, 6, 1), D(2028, 6, 1))


def test_marking_2027_complete_clears_the_flag_and_withdrawing_it_refuses(city):
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.COMPLETE, source="国务院办公厅通知")
    assert calendar.add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 12)
    assert calendar.provisional_years_between(D(2026, 12, 28), D(2027, 1, 12)) == []
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.INCOMPLETE)
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.add_working_days(D(2026, 12, 28), 10)
    assert info.value.year == 2027


def test_entering_the_notice_changes_the_answers_of_a_provisional_year(city):
    # Say the notice makes Saturday 2027-01-09 a make-up working day.
    calendar_day_create(
        actor=city.admin, date=D(2027, 1, 9), kind=DayKind.MAKEUP_WORKDAY, name=HolidayName.NEW_YEAR
    )
    assert calendar.add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 11)
    assert calendar.provisional_years_between(D(2026, 12, 28), D(2027, 1, 11)) == [2027]


def test_the_snapshot_on_its_own():
    snapshot = WorkCalendar.build(
        revision=1,
        complete_years=[2026],
        provisional_years=[2026, 2027],  # a year in both counts as complete
        days=[(D(2027, 1, 1), False)],
    )
    assert snapshot.complete_years == frozenset({2026})
    assert snapshot.provisional_years == frozenset({2027})
    assert snapshot.covers(2027) and snapshot.is_provisional(2027) and not snapshot.is_provisional(2026)
    assert not snapshot.covers(2028)
    assert snapshot.add_days(D(2026, 12, 31), 1, DayUnit.WORKING) == D(2027, 1, 4)
    assert snapshot.provisional_years_between(D(2026, 1, 1), D(2029, 1, 1)) == [2027]
    only_complete = WorkCalendar.build(revision=1, complete_years=[2026], days=[])
    assert only_complete.provisional_years_between(D(2026, 1, 1), D(2027, 1, 1)) == []


# --- edits announce the years they change ------------------------------------------------------


@pytest.fixture
def announced():
    heard: list[tuple[list[int], int]] = []

    def receiver(sender, *, years, revision, **kwargs):
        heard.append((years, revision))

    calendar_changed.connect(receiver, dispatch_uid="test.announced")
    yield heard
    calendar_changed.disconnect(dispatch_uid="test.announced")


def test_a_change_of_status_is_announced_a_new_source_alone_is_not(city, announced):
    calendar_year_set(actor=city.admin, year=2027, status=YearStatus.PROVISIONAL, source="改写来源")
    assert announced == []
    record = calendar_year_set(actor=city.admin, year=2027, status=YearStatus.COMPLETE, source="通知")
    assert [years for years, _revision in announced] == [[2027]]
    event = AuditEvent.objects.filter(action="calendar.year.set", object_id=str(record.pk)).latest("id")
    assert event.before["status"] == "provisional"
    assert event.after["status"] == "complete"
    assert announced[0][1] == event.after["revision"]


def test_day_edits_announce_their_years(city, announced):
    day = calendar_day_create(
        actor=city.admin, date=D(2027, 1, 9), kind=DayKind.MAKEUP_WORKDAY, name=HolidayName.NEW_YEAR
    )
    calendar_day_update(
        actor=city.admin, day=day, date=D(2028, 1, 8), kind=DayKind.MAKEUP_WORKDAY, name=HolidayName.NEW_YEAR
    )
    assert [years for years, _revision in announced] == [[2027], [2027, 2028]]


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_a_provisional_year_with_its_badge_and_explanation(client, city):
    client.force_login(city.admin)
    response = client.get(reverse("workdays:calendar"), {"year": 2027})
    html = response.content.decode()
    assert 'data-testid="year-provisional"' in html
    assert 'data-testid="year-complete"' not in html
    assert ">暂定<" in html
    assert 'data-testid="provisional-explanation"' in html
    assert "国务院" in html  # the explanation, in Chinese
    assert response.context["year_form"].initial["status"] == "provisional"
    assert response.context["summary"].working_days == 254
    assert 'value="provisional" id="id_status_1" checked' in html
    # A complete year has no such badge.
    html_2026 = client.get(reverse("workdays:calendar"), {"year": 2026}).content.decode()
    assert 'data-testid="year-provisional"' not in html_2026
    assert 'data-testid="provisional-explanation"' not in html_2026


def test_marking_a_provisional_year_complete_on_the_page(client, city):
    client.force_login(city.admin)
    url = reverse("workdays:year_set", args=[2027])
    response = client.post(url, {"status": "complete", "source": "国办发明电〔2026〕号"}, follow=True)
    assert response.status_code == 200
    record = CalendarYear.objects.get(year=2027)
    assert (record.status, record.source) == ("complete", "国办发明电〔2026〕号")
    html = response.content.decode()
    assert 'data-testid="year-complete"' in html
    assert "正在重新计算" in html  # the message says open deadlines are being recomputed
    response = client.post(url, {"status": "provisional", "source": ""}, follow=True)
    assert CalendarYear.objects.get(year=2027).status == "provisional"
    assert 'data-testid="year-provisional"' in response.content.decode()


def test_a_missing_or_unknown_status_is_refused_on_the_page(client, city):
    client.force_login(city.admin)
    url = reverse("workdays:year_set", args=[2027])
    for data in ({"source": "x"}, {"status": "official", "source": "x"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "invalid-feedback" in response.content.decode()
    assert CalendarYear.objects.get(year=2027).status == "provisional"


# --- the API -------------------------------------------------------------------------------------

BASE = "/api/v1/calendar"


def test_api_years_show_the_status(client, city):
    client.force_login(city.enterprise_user)
    years = {y["year"]: y for y in client.get(f"{BASE}/years").json()}
    assert (years[2027]["status"], years[2027]["complete"]) == ("provisional", False)
    assert years[2027]["status_display"] == "暂定"
    assert years[2027]["working_days"] == 254
    assert (years[2026]["status"], years[2026]["complete"]) == ("complete", True)


def test_api_add_between_and_check_list_the_provisional_years(client, city):
    client.force_login(city.officer)
    added = client.get(f"{BASE}/add", {"start": "2026-12-28", "n": 10}).json()
    assert (added["result"], added["provisional_years"]) == ("2027-01-12", [2027])
    within = client.get(f"{BASE}/add", {"start": "2026-09-30", "n": 1}).json()
    assert (within["result"], within["provisional_years"]) == ("2026-10-08", [])
    plain = client.get(f"{BASE}/add", {"start": "2026-12-28", "n": 10, "unit": "calendar"}).json()
    assert (plain["result"], plain["provisional_years"]) == ("2027-01-07", [])
    between = client.get(f"{BASE}/between", {"a": "2026-12-28", "b": "2027-01-12"}).json()
    assert (between["working_days"], between["provisional_years"]) == (10, [2027])
    check = client.get(f"{BASE}/check", {"date": "2027-02-08"}).json()
    assert (check["working"], check["name"], check["provisional_years"]) == (False, "spring_festival", [2027])
    refused = client.get(f"{BASE}/add", {"start": "2027-12-28", "n": 10})
    assert refused.status_code == 409
    assert refused.json()["error"]["extra"] == {"year": 2028}


def test_api_sets_the_status_admin_only(client, city):
    client.force_login(city.officer)
    response = client.put(f"{BASE}/years/2027", {"status": "complete"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(city.admin)
    response = client.put(f"{BASE}/years/2027", {"source": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    response = client.put(
        f"{BASE}/years/2027", {"status": "complete", "source": "通知"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["complete"]) == ("complete", True)
    response = client.put(f"{BASE}/years/2027", {"status": "provisional"}, content_type="application/json")
    assert response.json()["status"] == "provisional"
    assert (
        client.put(f"{BASE}/years/2027", {"status": "maybe"}, content_type="application/json").status_code
        == 422
    )
    assert CalendarYear.objects.get(year=2027).status == "provisional"
