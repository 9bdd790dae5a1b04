"""The public page: aggregate figures for anyone, no enterprise or project named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.contracts.views.open_data import public_figures

from .test_ocds_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city: Any) -> World:
    return build_world(city)


def test_public_figures(world: World) -> None:
    figures = public_figures()
    totals = figures["totals"]
    assert totals["projects"] == 2
    # land delivered in the Taishang zone only (the other zone's delivery is overdue)
    assert totals["land_supplied_projects"] == 1
    assert float(totals["land_supplied_mu"]) == pytest.approx(120.5)
    assert figures["summary"]["government"]["fulfilment_rate"] == pytest.approx(0.4)
    zones = {zone["id"]: zone for zone in figures["zones"]}
    assert zones[world.other_zone.pk]["projects"] == 1
    assert zones[world.city.committee.pk]["all"]["met_early"] == 2


def test_anonymous_reads_the_public_page_without_names(world: World) -> None:
    response = Client().get(reverse("contracts:public"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="public-government-rate">40%' in html
    assert 'data-testid="public-enterprise-rate">40%' in html
    assert 'data-testid="public-projects">2<' in html
    assert 'data-testid="public-land">120.5<' in html
    # nobody named: neither enterprise, nor a project, nor an obligation
    for name in (world.city.enterprise.name, world.city.other_enterprise.name, world.project.name):
        assert name not in html
    for obligation in world.obligations.values():
        assert obligation.title not in html
    # the chart's data comes as JSON, its code from a static file (no inline script)
    assert "contracts/public.js" in html
    data = re.search(r'<script id="qq-contracts-public-chart" type="application/json">(.*?)</script>', html)
    assert data is not None
    chart = json.loads(data.group(1))
    assert len(chart["zones"]) == 2
    assert sorted(chart["series"][0]["data"]) == [0.0, 50.0]
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert scripts == []


def test_public_page_with_nothing_recorded(db: Any) -> None:
    response = Client().get(reverse("contracts:public"))
    assert response.status_code == 200
    assert "qq-contracts-public-chart" not in response.content.decode()


def test_public_page_costs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    # totals, land supplied, both sides' figures, per zone, projects per zone
    with django_assert_num_queries(5):
        response = Client().get(reverse("contracts:public"))
    assert response.status_code == 200
