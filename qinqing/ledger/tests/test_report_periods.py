"""A report's period follows its kind: the quarterly progress report (工作进展季报)
covers a calendar quarter (or the quarter under way, to date), on the page through a
quarter picker defaulting to the last quarter ended, and the same rule in the service and
the API; the organisation pickers of the ledger follow the tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinqing.common.errors import ValidationFailed
from qinqing.ledger.forms import AssignForm
from qinqing.ledger.models import LedgerReport, ReportKind
from qinqing.ledger.services.reports import (
    is_calendar_quarter,
    last_complete_quarter,
    quarter_of,
    report_generate,
)

from .conftest import World, complaint
from .test_api import error, post

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_quarters_are_calendar_quarters():
    assert quarter_of(dt.date(2026, 11, 30)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert quarter_of(dt.date(2026, 2, 28)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert last_complete_quarter(dt.date(2026, 12, 7)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert last_complete_quarter(dt.date(2026, 1, 1)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert is_calendar_quarter(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert not is_calendar_quarter(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert not is_calendar_quarter(dt.date(2026, 7, 1), dt.date(2026, 8, 31))  # a quarter over, cut short


def test_the_service_refuses_a_quarterly_report_of_one_month(ledger: World):
    with pytest.raises(ValidationFailed) as refused:
        report_generate(
            actor=ledger.city.city_supervisor,
            kind=ReportKind.QUARTERLY_PROGRESS,
            scope=ledger.city.city,
            period_start=dt.date(2026, 8, 1),
            period_end=dt.date(2026, 8, 31),
        )
    assert "自然季度" in refused.value.fields["period_start"][0]  # zh-hans by default
    # From a quarter's first day, the end is what is wrong
    with pytest.raises(ValidationFailed) as short:
        report_generate(
            actor=ledger.city.city_supervisor,
            kind=ReportKind.QUARTERLY_PROGRESS,
            scope=ledger.city.city,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 7, 31),
        )
    assert set(short.value.fields) == {"period_end"}
    assert not LedgerReport.objects.exists()
    # A month stays a month for the monthly report
    report_generate(
        actor=ledger.city.city_supervisor,
        kind=ReportKind.MONTHLY_CLUES,
        scope=ledger.city.city,
        period_start=dt.date(2026, 8, 1),
        period_end=dt.date(2026, 8, 31),
    )


def test_the_api_refuses_a_quarterly_report_of_one_month_in_the_users_language(client, ledger: World):
    body = {
        "kind": ReportKind.QUARTERLY_PROGRESS,
        "scope": ledger.city.city.code,
        "period_start": "2026-08-01",
        "period_end": "2026-08-31",
    }
    refused = error(
        post(client, ledger.city.city_supervisor, "/reports", body, HTTP_ACCEPT_LANGUAGE="zh-hans"), 400
    )
    assert "自然季度" in refused["fields"]["period_start"][0]
    assert not LedgerReport.objects.exists()
    quarter = {**body, "period_start": "2026-07-01", "period_end": "2026-09-30"}
    assert post(client, ledger.city.city_supervisor, "/reports", quarter).status_code == 202


def test_the_page_offers_quarters_and_defaults_to_the_last_one_ended(ledger: World):
    client = _client(ledger.city.city_supervisor)
    page = client.get(reverse("ledger:reports"))
    start, end = last_complete_quarter()
    form = page.context["form"]
    assert form["quarter"].value() == f"{start.year}-{(start.month - 1) // 3 + 1}"
    offered = [value for value, _label in form.fields["quarter"].choices]
    current, _current_end = quarter_of(timezone.localdate())
    assert offered[0] == f"{current.year}-{(current.month - 1) // 3 + 1}"  # to date
    assert len(offered) == 9
    assert "report_form.js" in page.content.decode()


def test_the_quarterly_report_asked_on_the_page_covers_the_quarter_chosen(ledger: World):
    # Given the page's monthly default dates left as they were
    client = _client(ledger.city.city_supervisor)
    response = client.post(
        reverse("ledger:reports"),
        {
            "kind": ReportKind.QUARTERLY_PROGRESS,
            "scope": str(ledger.city.city.public_id),
            "quarter": "2026-3",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = LedgerReport.objects.get()
    assert (made.period_start, made.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_a_quarterly_report_of_one_month_without_a_quarter_is_refused_on_the_form(ledger: World):
    client = _client(ledger.city.city_supervisor, "zh-hans")
    response = client.post(
        reverse("ledger:reports"),
        {
            "kind": ReportKind.QUARTERLY_PROGRESS,
            "scope": str(ledger.city.city.public_id),
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="error-period_start"' in text and "自然季度" in text
    assert not LedgerReport.objects.exists()
    bare = client.post(
        reverse("ledger:reports"),
        {"kind": ReportKind.QUARTERLY_PROGRESS, "scope": str(ledger.city.city.public_id)},
    )
    assert bare.status_code == 400 and 'data-testid="error-quarter"' in bare.content.decode()
    monthly = client.post(
        reverse("ledger:reports"),
        {"kind": ReportKind.MONTHLY_CLUES, "scope": str(ledger.city.city.public_id), "quarter": "2026-3"},
    )
    assert monthly.status_code == 400 and 'data-testid="error-period_start"' in monthly.content.decode()


# --- Organisation pickers ---------------------------------------------------------------------------


def test_the_assign_form_groups_departments_under_the_city_and_each_district(ledger: World):
    c = ledger.city
    problem = complaint(ledger)
    html = str(AssignForm(problem=problem, user=c.city_supervisor)["department"])
    assert f'<optgroup label="{c.city.name}">' in html
    assert f'<optgroup label="{c.district.name}">' in html
    assert (
        html.index(c.drc.name)
        < html.index(f'<optgroup label="{c.district.name}">')
        < html.index(c.district_dept.name)
    )


def test_the_problem_list_filter_groups_departments(ledger: World):
    c = ledger.city
    page = _client(c.city_supervisor).get(reverse("ledger:problems")).content.decode()
    assert f'<optgroup label="{c.city.name}">' in page
    assert f'<optgroup label="{c.district.name}">' in page
