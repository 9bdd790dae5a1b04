"""The committee's and the supervisor's dashboard: the figures per side, per department
and per enterprise, the charts' data, who may read it, and its fixed cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from qinqing.contracts.models import ObligationKind, ObligationStatus, ObligorSide
from qinqing.enterprises.tests.factories import EnterpriseFactory

from .test_pages_browse import Pages, _project, ob, pages

pytestmark = pytest.mark.django_db

__all__ = ["pages"]


def _dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("contracts:dashboard"))


def test_committee_dashboard_figures(client, pages: Pages):
    response = _dashboard(client, pages.city.committee_member)
    assert response.status_code == 200
    ctx = response.context
    assert ctx["project_count"] == 2
    government, enterprise = ctx["government"], ctx["enterprise"]
    # Government: land met 30 days early; permit and power overdue (one alarm open, one answered).
    assert (government["total"], government["met_on_time"], government["met_early"]) == (3, 1, 1)
    assert government["avg_days_early"] == 30
    assert (government["overdue_open"], government["open_alarms"], government["answered_alarms"]) == (2, 1, 1)
    assert government["percent"] == pytest.approx(33.3)
    # Enterprises: the tax target partly met (not on time in full), nothing else due yet.
    assert (enterprise["total"], enterprise["partly_met"], enterprise["met_on_time"]) == (4, 1, 0)
    assert enterprise["percent"] == 0
    departments = {row["name"]: row for row in ctx["departments"]}
    assert set(departments) == {pages.city.drc.name, pages.city.commerce.name}
    assert departments[pages.city.commerce.name]["open_alarms"] == 1
    assert departments[pages.city.drc.name]["met_on_time"] == 1
    names = {row["name"] for row in ctx["enterprises"]}
    assert names == {pages.city.enterprise.name, pages.city.other_enterprise.name}
    mine = next(r for r in ctx["enterprises"] if r["name"] == pages.city.enterprise.name)
    assert mine["government_percent"] == pytest.approx(33.3)
    chart = ctx["chart"]
    assert [r["value"] for r in chart["rates"]] == [pytest.approx(33.3), 0]
    assert chart["departments"]["names"] == [d["name"] for d in ctx["departments"]]
    html = response.content.decode()
    assert 'id="contracts-dashboard-data"' in html
    assert 'data-dashboard="rates"' in html
    assert reverse("contracts:project", args=[pages.project.public_id]) in html
    for name in ("contracts:export_dashboard", "contracts:export_projects", "contracts:export_alarms"):
        try:
            url = reverse(name)
        except NoReverseMatch:  # the open-data pages, when not mounted
            continue
        assert url in html


def test_other_zone_sees_its_own_figures(client, pages: Pages):
    ctx = _dashboard(client, pages.far_member).context
    assert ctx["project_count"] == 1
    assert ctx["government"]["total"] == 1
    assert ctx["enterprise"]["total"] == 0
    assert ctx["enterprise"]["percent"] is None


def test_city_supervisor_reads_every_zone(client, pages: Pages):
    ctx = _dashboard(client, pages.city.city_supervisor).context
    assert ctx["project_count"] == 3


@pytest.mark.parametrize("who", ["enterprise_user", "officer", "head", "admin"])
def test_dashboard_refused(client, pages: Pages, who):
    assert _dashboard(client, getattr(pages.city, who)).status_code == 403


def test_dashboard_costs_a_fixed_number_of_queries(client, pages: Pages, django_assert_num_queries):
    client.force_login(pages.city.committee_member)
    url = reverse("contracts:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(4):
        _project_, clause = _project(
            pages.city,
            EnterpriseFactory(region=pages.city.district),
            pages.city.committee,
            f"TS-2{n:02d}",
            pages.today,
        )
        ob(
            clause,
            obligor_side=ObligorSide.GOVERNMENT,
            obligor_department=pages.city.district_dept,
            kind=ObligationKind.SUBSIDY,
            title="补贴",
            due_date=pages.today - dt.timedelta(days=n),
            status=ObligationStatus.OPEN,
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.context["project_count"] == 6
    assert len(first.captured_queries) == DASHBOARD_QUERIES, [q["sql"][:90] for q in first.captured_queries]


# Session, user, scope (one statement), the inbox badge, the summary, per department, per
# enterprise (its own and the government's to it), per project, the project count.
DASHBOARD_QUERIES = 10
