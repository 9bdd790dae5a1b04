"""The public catalogue pages: no login, published policies only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from .factories import make_policy


@pytest.fixture
def window():
    today = timezone.localdate()
    return {"valid_from": today - dt.timedelta(days=30), "valid_until": today + dt.timedelta(days=300)}


def test_public_list_shows_published_only(client, city, window):
    make_policy(actor=city.officer, department=city.drc, publish=True, title="景区奖励", **window)
    make_policy(actor=city.officer, department=city.drc, title="草稿政策", **window)
    response = client.get("/policies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "景区奖励" in html
    assert "草稿政策" not in html
    assert "市发改委" in html
    assert "3A" in html


def test_public_detail_and_draft_is_404(client, city, window):
    live = make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    draft = make_policy(actor=city.officer, department=city.drc, **window)
    response = client.get(f"/policies/{live.public_id}/")
    assert response.status_code == 200
    assert "泉政文〔2023〕15号" in response.content.decode()
    assert client.get(f"/policies/{draft.public_id}/").status_code == 404


def test_list_query_count_does_not_grow_with_policies(client, city, window, django_assert_max_num_queries):
    for _ in range(5):
        make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    with django_assert_max_num_queries(6):
        assert client.get("/policies/").status_code == 200


def test_detail_spells_out_the_conditions(client, city, window):
    live = make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    html = client.get(f"/policies/{live.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3A, 4A, 5A" in html
    assert "3505" in html
    html = client.get(f"/policies/{live.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "3A、4A、5A" in html


def test_amounts_are_grouped_yuan(client, city, window):
    make_policy(actor=city.officer, department=city.drc, publish=True, **window)
    html = client.get("/policies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = strip_tags(html)
    assert "5,000,000 yuan" in text
    assert "3A: 600,000 yuan" in text
    # Each amount keeps its unit on its line (layout.whole_figures).
    assert '<span class="text-nowrap">600,000 yuan</span>' in html
