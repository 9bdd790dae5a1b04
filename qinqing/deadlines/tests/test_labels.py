"""The alerts as people read them: kinds by their labels, items by their names in the
reader's language, lateness in working days."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from qinqing.deadlines.ladders import register_ladder, unregister_ladder
from qinqing.deadlines.scan import deadlines_scan
from qinqing.deadlines.selectors import alert_kinds, alert_rows, open_alerts
from qinqing.deadlines.testing import scan_and_notify
from qinqing.notifications.models import Notification

from .conftest import KIND, WORKING_RUNGS

D = dt.date
ALERTS = reverse("deadlines:alerts")
NAMED = "test.named"


@pytest.fixture
def named_kind(ladders):
    """A kind that names its items itself, lazily: Django's own "Yes" (是)."""
    register_ladder(
        NAMED,
        rungs=WORKING_RUNGS,
        label=gettext_lazy("Policy approval step"),
        titles=lambda ids: {object_id: gettext_lazy("Yes") for object_id in ids},
    )
    yield
    unregister_ladder(NAMED)


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "政策审批环节"), ("en", "Policy approval step")])
def test_the_kind_filter_lists_labels_not_codes(client, city, open_item, named_kind, language, label):
    open_item(D(2026, 3, 10), kind=NAMED)
    open_item(D(2026, 3, 10))
    deadlines_scan(today=D(2026, 3, 11))
    client.force_login(city.officer)
    client.cookies["django_language"] = language

    response = client.get(ALERTS)

    html = response.content.decode()
    assert f'<option value="{NAMED}">{label}</option>' in html
    assert f'<option value="{KIND}">Test item</option>' in html
    assert f">{NAMED}<" not in html
    # and filtering by a kind still goes by its code
    rows = client.get(ALERTS, {"kind": NAMED}).context["rows"]
    assert {row.deadline.kind for row in rows} == {NAMED}


def test_alert_kinds_pairs_each_code_with_its_label(city, open_item, named_kind):
    open_item(D(2026, 3, 10), kind=NAMED)
    deadlines_scan(today=D(2026, 3, 11))

    with translation.override("zh-hans"):
        assert alert_kinds(city.officer) == [(NAMED, "政策审批环节")]
    with translation.override("en"):
        assert alert_kinds(city.officer) == [(NAMED, "Policy approval step")]


def test_lateness_counts_working_days_as_the_other_pages_do(city, open_item):
    # Due on Friday 6 March 2026; on Monday 16 March it is 10 calendar days late but 6
    # working days (two weekends between).
    open_item(D(2026, 3, 6))
    deadlines_scan(today=D(2026, 3, 16))

    rows = alert_rows(open_alerts(city.officer), today=D(2026, 3, 16))

    assert rows
    assert {row.days_overdue for row in rows} == {6}


def test_not_yet_due_is_zero_late(city, open_item):
    open_item(D(2026, 3, 10))
    deadlines_scan(today=D(2026, 3, 10))

    rows = alert_rows(open_alerts(city.officer), today=D(2026, 3, 10))

    assert {row.days_overdue for row in rows} == {0}


def test_the_page_and_the_export_say_working_days(client, city, open_item):
    open_item(D(2026, 3, 10))
    deadlines_scan(today=D(2026, 3, 11))
    client.force_login(city.officer)

    html = client.get(ALERTS).content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("deadlines:alerts_export")).content)).active

    assert "逾期工作日" in html
    assert next(sheet.iter_rows(values_only=True))[6] == "逾期工作日"


@pytest.mark.parametrize(("language", "name"), [("zh-hans", "是"), ("en", "Yes")])
def test_items_are_named_in_the_readers_language_on_the_page_export_and_api(
    client, city, open_item, named_kind, language, name
):
    open_item(D(2026, 3, 10), kind=NAMED, title="存储的标题")
    deadlines_scan(today=D(2026, 3, 11))
    client.force_login(city.officer)
    client.cookies["django_language"] = language

    rows = client.get(ALERTS).context["rows"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("deadlines:alerts_export")).content)).active
    api = client.get("/api/v1/deadlines/alerts").json()

    assert {row.title for row in rows} == {name}
    assert {r[1] for r in list(sheet.iter_rows(values_only=True))[1:]} == {name}
    assert {item["title"] for item in api["items"]} == {name}
    assert {item["kind_display"] for item in api["items"]} == {
        "政策审批环节" if language == "zh-hans" else "Policy approval step"
    }


def test_an_item_the_kind_cannot_name_keeps_its_stored_title(client, city, open_item, ladders):
    register_ladder(NAMED, rungs=WORKING_RUNGS, titles=lambda ids: {})
    try:
        open_item(D(2026, 3, 10), kind=NAMED, title="存储的标题")
        deadlines_scan(today=D(2026, 3, 11))
        client.force_login(city.officer)

        assert {row.title for row in client.get(ALERTS).context["rows"]} == {"存储的标题"}
    finally:
        unregister_ladder(NAMED)


def test_alert_messages_name_the_item_in_each_recipients_language(city, open_item, named_kind):
    city.officer.language = "en"
    city.officer.save(update_fields=["language"])
    open_item(D(2026, 3, 10), kind=NAMED, title="存储的标题")

    scan_and_notify(today=D(2026, 3, 11))

    english = Notification.objects.filter(recipient=city.officer, kind="deadline.alarm").get()
    chinese = Notification.objects.filter(recipient=city.head, kind="deadline.alarm").get()
    assert "Yes" in english.subject and "存储的标题" not in english.subject
    assert "是" in chinese.subject and "存储的标题" not in chinese.subject
