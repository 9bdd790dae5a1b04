"""The read-side pages over records made by the real services: an obligation counted
from an event gets its date when the event is recorded, a claim confirmed dates the
obligation counted from it, and the pages show each step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qinqing.contracts import services
from qinqing.contracts.models import ObligationStatus, ObligorSide

from .conftest import D, Zone, add_obligation, evidence, reload

pytestmark = pytest.mark.django_db


def _page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response


def test_the_timeline_follows_the_services(client, zone: Zone):
    event = services.event_declare(actor=zone.member, project=zone.project, key="permit_applied")
    permit = add_obligation(
        zone,
        side=ObligorSide.GOVERNMENT,
        title="施工许可证核发",
        after_event=event,
        offset=20,
        unit="working",
    )
    start = add_obligation(zone, title="开工建设", after=permit, offset=6, unit="months")
    bars = {
        b["label"]: b
        for b in _page(client, zone.member, "contracts:project", zone.project.public_id).context["gantt"][
            "bars"
        ]
    }
    assert bars["施工许可证核发"]["tone"] == "pending"
    assert bars["开工建设"]["due"] is None

    # The enterprise files its application: the permit is due 20 working days later.
    services.event_record(
        actor=zone.enterprise_user, project=zone.project, key="permit_applied", occurred_on=D(2026, 9, 1)
    )
    permit = reload(permit)
    assert permit.due_date is not None
    response = _page(client, zone.member, "contracts:obligation", permit.public_id)
    assert [e.kind for e in response.context["history"]] == ["due_change"]
    assert "20" in response.context["rule"]
    bars = {
        b["label"]: b
        for b in _page(client, zone.member, "contracts:project", zone.project.public_id).context["gantt"][
            "bars"
        ]
    }
    assert bars["施工许可证核发"]["start"] == "2026-09-01"
    assert bars["施工许可证核发"]["due"] == permit.due_date.isoformat()

    # The department claims it with evidence; the enterprise confirms.
    claim = services.obligation_claim(
        actor=zone.officer, obligation=permit, met_on=D(2026, 9, 20), files=[evidence()], today=D(2026, 9, 21)
    )
    services.claim_confirm(actor=zone.enterprise_user, claim=claim)
    permit = reload(permit)
    assert permit.status == ObligationStatus.MET
    response = _page(client, zone.enterprise_user, "contracts:obligation", permit.public_id)
    history = response.context["history"]
    assert [e.kind for e in history] == ["due_change", "claim", "claim_answer"]
    evidence_url = reverse("contracts:evidence", args=[claim.evidence.get().public_id])
    assert history[1].links == [("证明.pdf", evidence_url)]
    assert evidence_url in response.content.decode()

    # The construction start now counts from the permit's met date.
    bars = {
        b["label"]: b
        for b in _page(client, zone.member, "contracts:project", zone.project.public_id).context["gantt"][
            "bars"
        ]
    }
    assert bars["施工许可证核发"]["tone"] == "met"
    assert bars["施工许可证核发"]["met"] == "2026-09-20"
    assert bars["开工建设"]["start"] == "2026-09-20"
    assert bars["开工建设"]["due"] == reload(start).due_date.isoformat()

    # On the enterprise's phone page: its own start to do, the permit met.
    mine = _page(client, zone.enterprise_user, "contracts:mine").context
    own = {i["obligation"].title: i for i in mine["own"]}
    assert own["开工建设"]["todo"] == ["claim"]
    theirs = {i["obligation"].title: i for i in mine["theirs"]}
    assert theirs["施工许可证核发"]["tone"] == "met"


def test_a_project_without_obligations_says_so(client, zone: Zone):
    response = _page(client, zone.member, "contracts:project", zone.project.public_id)
    html = response.content.decode()
    assert response.context["gantt"]["bars"] == []
    assert 'data-testid="no-obligations"' in html
    assert 'data-gantt="' not in html


def test_the_other_enterprise_and_zone_are_refused(client, zone: Zone):
    client.force_login(zone.other_enterprise_user)
    assert client.get(reverse("contracts:project", args=[zone.project.public_id])).status_code == 404
    client.force_login(zone.other_member)
    assert client.get(reverse("contracts:project", args=[zone.project.public_id])).status_code == 404
    assert client.get(reverse("contracts:projects")).context["rows"] == []
