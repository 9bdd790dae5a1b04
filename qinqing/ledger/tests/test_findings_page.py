"""The office's page for registering a problem found on an inspection tour, in a topic
campaign or on a visit (ledger:finding_new): the commission assigns it at once or
later, a department's own finding is assigned to the department, evidence is kept, and
bad input is marked field by field without losing the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.ledger.models import Channel, Problem, ProblemStatus

from .conftest import World, pdf

pytestmark = pytest.mark.django_db

URL = "/ledger/problems/new/"


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _body(**changes: Any) -> dict[str, Any]:
    body = {
        "channel": Channel.VISIT,
        "title": "园区企业反映用电报装周期长",
        "description": "下访时三家企业反映报装需两个月。",
        "category": "market",
        "severity": "minor",
        "deadline_mode": "working_days",
        "deadline_days": "10",
    }
    body.update(changes)
    return body


def test_the_address_is_the_office_page():
    assert reverse("ledger:finding_new") == URL


def test_the_commission_registers_a_visit_finding_and_assigns_it_at_once(ledger: World):
    c = ledger.city
    client = _client(c.city_supervisor)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert f'value="c:{ledger.topic_campaign.public_id}"' in html  # the active topic campaign
    response = client.post(
        URL,
        _body(
            department=str(c.drc.public_id),
            evidence=pdf("走访记录.pdf"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = Problem.objects.get(title="园区企业反映用电报装周期长")
    assert response["Location"] == reverse("ledger:problem", args=[problem.public_id])
    assert (problem.channel, problem.status, problem.organisation_id) == (
        Channel.VISIT,
        ProblemStatus.ASSIGNED,
        c.drc.pk,
    )
    assert problem.reporter_user_id == c.city_supervisor.pk
    assert problem.files.count() == 1


def test_a_topic_finding_names_its_campaign_and_topic_and_may_wait_to_be_assigned(ledger: World):
    c = ledger.city
    topic = ledger.topic_campaign.topics.get()
    response = _client(c.city_supervisor).post(
        URL, _body(channel=Channel.TOPIC, campaign=f"t:{topic.pk}", deadline_days="")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = Problem.objects.get(title="园区企业反映用电报装周期长")
    assert (problem.campaign_id, problem.topic_id) == (ledger.topic_campaign.pk, topic.pk)
    assert problem.status == ProblemStatus.REGISTERED


def test_a_department_registers_its_own_finding_assigned_to_itself(ledger: World):
    c = ledger.city
    client = _client(c.officer)
    html = client.get(URL).content.decode()
    assert f'value="{c.drc.public_id}"' in html
    assert f'value="{c.commerce.public_id}"' not in html  # not its department
    assert 'value="topic"' not in html  # topic campaigns are the commission's
    response = client.post(URL, _body(department=str(c.drc.public_id)))
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = Problem.objects.get(title="园区企业反映用电报装周期长")
    assert (problem.status, problem.organisation_id) == (ProblemStatus.ASSIGNED, c.drc.pk)
    missing = client.post(URL, _body(title="另一个问题"))
    assert missing.status_code == 400
    assert 'data-testid="error-department"' in missing.content.decode()


def test_bad_input_is_marked_and_the_form_kept(ledger: World):
    client = _client(ledger.city.city_supervisor)
    response = client.post(URL, _body(title="", evidence=pdf()))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-title"' in html
    assert "下访时三家企业反映报装需两个月。" in html  # what was typed is kept
    assert 'data-testid="files-lost"' in html
    # An inspection finding names its inspection round (the service's own check).
    no_round = client.post(URL, _body(channel=Channel.INSPECTION))
    assert no_round.status_code == 400
    assert "Name the campaign this comes from." in no_round.content.decode()
    assert not Problem.objects.exists()


@pytest.mark.parametrize("who", ["enterprise_user", "admin"])
def test_enterprises_and_administrators_use_other_pages(ledger: World, who: str):
    response = _client(getattr(ledger.city, who)).get(URL)
    assert response.status_code == 403
