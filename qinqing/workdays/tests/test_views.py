"""The admin's calendar page: allowed and denied, and each edit through it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qinqing.workdays.models import CalendarDay, CalendarYear

URL = reverse("workdays:calendar")


@pytest.mark.django_db
def test_admin_sees_a_year_of_days(client, city):
    client.force_login(city.admin)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-02-14" in html  # a make-up Saturday
    assert "调休上班" in html and "春节" in html
    assert 'data-testid="year-complete"' in html
    assert response.context["summary"].working_days == 248


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "head", "supervisor", "enterprise_user"])
def test_others_are_refused(client, city, who):
    client.force_login(getattr(city, who))
    assert client.get(URL).status_code == 403
    assert client.post(reverse("workdays:day_add"), {"date": "2028-01-01"}).status_code == 403
    assert client.post(reverse("workdays:year_set", args=[2027]), {"status": "complete"}).status_code == 403
    assert CalendarYear.objects.get(year=2027).status == "provisional"


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_add_edit_remove_a_day_and_mark_the_year(client, city):
    client.force_login(city.admin)
    response = client.post(
        reverse("workdays:day_add"),
        {"year": "2028", "date": "2028-01-01", "kind": "holiday", "name": "new_year", "note": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2028")
    day = CalendarDay.objects.get(date=dt.date(2028, 1, 1))

    edit_url = reverse("workdays:day_edit", args=[day.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url, {"date": "2028-01-01", "kind": "holiday", "name": "new_year", "note": "改"}
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.note == "改"

    response = client.post(
        reverse("workdays:year_set", args=[2028]), {"status": "complete", "source": "通知"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2028).is_complete

    assert client.post(reverse("workdays:day_delete", args=[day.pk])).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


@pytest.mark.django_db
def test_a_refused_edit_shows_the_reason_on_the_form(client, city):
    client.force_login(city.admin)
    response = client.post(
        reverse("workdays:day_add"),
        {"year": "2027", "date": "2027-01-06", "kind": "makeup_workday", "name": "new_year"},
    )
    assert response.status_code == 400
    assert "调休上班日只能是星期六或星期日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2027, 1, 6)).exists()


@pytest.mark.django_db
def test_unknown_day_is_404(client, city):
    client.force_login(city.admin)
    assert client.get(reverse("workdays:day_edit", args=[999999])).status_code == 404
    assert client.post(reverse("workdays:day_delete", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_year_exports_to_excel(client, city):
    import io

    import openpyxl

    client.force_login(city.admin)
    response = client.get(reverse("workdays:calendar_export"), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="calendar-2026.xlsx"'
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("日期", "星期", "类型", "节日", "备注")
    assert len(rows) == 1 + CalendarDay.objects.filter(date__year=2026).count()
    first = rows[1]
    assert (first[0].date(), first[2], first[3]) == (dt.date(2026, 1, 1), "放假", "元旦")


@pytest.mark.django_db
def test_the_export_is_refused_to_others(client, city):
    client.force_login(city.officer)
    assert client.get(reverse("workdays:calendar_export")).status_code == 403
