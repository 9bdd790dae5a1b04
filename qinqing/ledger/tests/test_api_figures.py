"""The commission's figures over JSON (/api/v1/ledger/dashboard and /reports): the same
figures as the pages, who may read them, a report asked for, followed, read and
downloaded, and bad requests answered with the field in the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from qinqing.ledger.models import LedgerReport, ReportKind
from qinqing.ledger.services.reports import quarter_of, report_run

from .conftest import World, assigned, complaint
from .test_api import error, get, post

pytestmark = pytest.mark.django_db


def _ask(client: Any, world: World, **overrides: Any) -> Any:
    body = {
        "kind": ReportKind.QUARTERLY_PROGRESS,
        "scope": world.city.city.code,
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
    }
    body.update(overrides)
    return post(client, world.city.city_supervisor, "/reports", body)


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_gives_the_pages_figures_to_the_commission(client, ledger):
    assigned(ledger)
    complaint(ledger, title="第二个问题")
    response = get(client, ledger.city.city_supervisor, "/dashboard")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] is None  # a small ledger is counted live
    assert body["totals"]["registered"] == 2
    assert {row["channel"]: row["name"] for row in body["channels"]}["complaint"] == "Enterprise complaint"
    drc = next(row for row in body["departments"] if row["public_id"] == str(ledger.city.drc.public_id))
    assert (drc["registered"], drc["rank"]) == (1, None)  # one problem: too few to rank
    later = get(client, ledger.city.city_supervisor, "/dashboard", {"from": "2099-01-01"})
    assert later.json()["totals"]["registered"] == 0


@pytest.mark.parametrize("who", ["enterprise_user", "officer", "head", "admin"])
def test_the_dashboard_is_the_commissions(client, ledger, who):
    assert error(get(client, getattr(ledger.city, who), "/dashboard"), 403)["code"] == "forbidden"


def test_the_dashboard_refuses_an_area_outside_the_readers_reach(client, ledger):
    response = get(client, ledger.city.city_supervisor, "/dashboard", {"area": "not-a-district"})
    assert "area" in error(response, 400)["fields"]
    district = str(ledger.city.district.public_id)
    assert get(client, ledger.city.city_supervisor, "/dashboard", {"area": district}).status_code == 200
    assert get(client, ledger.city.city_supervisor, "/dashboard", {"area": "city"}).status_code == 200
    backwards = get(
        client, ledger.city.city_supervisor, "/dashboard", {"from": "2026-09-01", "to": "2026-08-01"}
    )
    assert "to" in error(backwards, 400)["fields"]


# --- Reports ------------------------------------------------------------------------------------


def test_a_report_is_asked_for_followed_read_and_downloaded(client, ledger):
    assigned(ledger)
    asked = _ask(client, ledger)
    assert asked.status_code == 202, asked.content
    made = asked.json()
    assert (made["status"], made["scope"], made["files"]) == ("pending", ledger.city.city.code, {})
    address = f"/reports/{made['public_id']}"
    assert get(client, ledger.city.city_supervisor, address).json()["figures"] is None

    report_run(report_id=made["public_id"])  # the job
    ready = get(client, ledger.city.city_supervisor, address).json()
    stored = LedgerReport.objects.get(public_id=made["public_id"])
    assert ready["status"] == "ready"
    assert ready["figures"] == stored.figures
    assert ready["figures_sha256"] == stored.figures_sha256
    assert ready["provisional_as_of"] is None  # the third quarter is over
    listed = get(client, ledger.city.city_supervisor, "/reports", {"kind": ReportKind.QUARTERLY_PROGRESS})
    assert [item["public_id"] for item in listed.json()["items"]] == [made["public_id"]]

    download = get(client, ledger.city.city_supervisor, ready["files"]["xlsx"].removeprefix("/api/v1/ledger"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(download.streaming_content).startswith(b"PK")
    pdf = get(client, ledger.city.city_supervisor, ready["files"]["pdf"].removeprefix("/api/v1/ledger"))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "fmt" in error(get(client, ledger.city.city_supervisor, f"{address}/files/docx"), 422)["fields"]


def test_a_report_of_a_period_ending_today_says_it_is_provisional(client, ledger):
    today = timezone.localdate()
    # The quarterly report of the quarter under way, to date.
    start, _end = quarter_of(today)
    made = _ask(client, ledger, period_start=str(start), period_end=str(today)).json()
    assert (
        get(client, ledger.city.city_supervisor, f"/reports/{made['public_id']}").json()["provisional_as_of"]
        is None
    )  # not counted yet
    report_run(report_id=made["public_id"])
    ready = get(client, ledger.city.city_supervisor, f"/reports/{made['public_id']}").json()
    assert ready["provisional_as_of"] is not None
    assert dt.datetime.fromisoformat(ready["provisional_as_of"]) <= dt.datetime.fromisoformat(
        ready["generated_at"]
    )


def test_a_file_of_a_report_not_ready_is_a_404(client, ledger):
    made = _ask(client, ledger).json()
    response = get(client, ledger.city.city_supervisor, f"/reports/{made['public_id']}/files/pdf")
    assert error(response, 404)["message"] == "The report is not ready."


@pytest.mark.parametrize("who", ["enterprise_user", "officer", "head", "admin"])
def test_reports_are_the_commissions(client, ledger, who):
    user = getattr(ledger.city, who)
    assert error(get(client, user, "/reports"), 403)["code"] == "forbidden"
    body = {
        "kind": "circular",
        "scope": ledger.city.city.code,
        "period_start": "2026-07-01",
        "period_end": "2026-07-31",
    }
    assert error(post(client, user, "/reports", body), 403)["code"] == "forbidden"
    assert not LedgerReport.objects.exists()


def test_a_group_reads_only_what_lies_in_its_reach(client, ledger):
    made = _ask(client, ledger).json()  # the commission's report on the whole city
    group = ledger.city.supervisor  # watches drc only
    assert get(client, group, "/reports").json()["count"] == 0
    assert error(get(client, group, f"/reports/{made['public_id']}"), 404)["code"] == "not_found"
    # Asking about the whole city is beyond its reach; about drc it may.
    body = {
        "kind": "monthly_clues",
        "scope": ledger.city.city.code,
        "period_start": "2026-07-01",
        "period_end": "2026-07-31",
    }
    assert error(post(client, group, "/reports", body), 403)["code"] == "forbidden"
    mine = post(client, group, "/reports", {**body, "scope": ledger.city.drc.code})
    assert mine.status_code == 202, mine.content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_end": "2099-12-31"}, "period_end"),
        ({"period_start": "2026-09-01", "period_end": "2026-08-01"}, "period_end"),
        ({"period_start": "2024-01-01", "period_end": "2026-09-30"}, "period_end"),
        ({"scope": "no-such-unit"}, "scope"),
    ],
)
def test_bad_report_requests_name_the_field_and_keep_nothing(client, ledger, change, field):
    response = _ask(client, ledger, **change)
    assert field in error(response, 400)["fields"]
    assert not LedgerReport.objects.exists()


def test_a_bad_report_request_is_answered_in_chinese_by_default(client, ledger):
    today = timezone.localdate()
    response = post(
        client,
        ledger.city.city_supervisor,
        "/reports",
        {
            "kind": "monthly_clues",
            "scope": ledger.city.city.code,
            "period_start": str(today - dt.timedelta(days=1)),
            "period_end": str(today + dt.timedelta(days=1)),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    fields = error(response, 400)["fields"]
    assert fields == {"period_end": ["统计期间尚未结束，数据仍可能变化。请选择更早的结束日期。"]}
    assert not LedgerReport.objects.exists()
