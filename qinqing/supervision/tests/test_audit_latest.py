"""The audit page's latest events read as the timeline does: the action's label, the
record by its reference (linked to its page), who acted with their organisation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qinqing.supervision.actions import action_label
from qinqing.supervision.references import record_subjects

from .conftest import record

# The audit page with twenty events of four kinds of record: the session, the user and
# their roles, the verification card, the checkpoints (three), the events, four kinds
# of record, the actors' roles, the session saved (three, the first page after login).
QUERIES = 17


def _latest(html: str) -> str:
    start = html.index('data-testid="recent-events"')
    return html[start : html.index("</ul>", start)]


def _rows(html: str) -> list[str]:
    return _latest(html).split('data-testid="recent-event"')[1:]


def test_a_case_reads_by_its_number_and_links_to_its_supervision_page(client, two_cases):
    city = two_cases.world.city
    case = two_cases.drc_case
    client.force_login(city.city_supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    latest = _latest(html)
    # A notification by the case its key names, the key kept in the title.
    assert f">通知 · 办件 {case.reference}<" in latest
    assert ">通知 #" not in latest
    assert case.reference and case.reference.startswith("ZC")
    page = reverse("supervision:policy_case", args=[case.public_id])
    assert f'href="{page}"' in latest
    assert f"办件 {case.reference}" in latest
    assert f"#{case.pk}<" not in latest
    # The action by its label, the recorded name kept in the title.
    assert ">立案<" in latest
    assert 'title="case.open"' in latest
    assert ">case.open<" not in latest
    # The enterprise's user with the enterprise they act for.
    row = next(r for r in _rows(html) if 'title="case.open"' in r and f"{case.reference}<" in r)
    assert f"{two_cases.world.spot_user} · {case.enterprise.name}" in row


def test_a_policy_reads_by_its_code_and_the_system_by_name(client, two_cases):
    city = two_cases.world.city
    policy = two_cases.world.policy
    record(
        organisation=None, object_type="accounts.user", object_id=str(city.officer.pk), action="user.create"
    )
    client.force_login(city.city_supervisor)
    html = client.get(reverse("supervision:audit")).content.decode()
    rows = _rows(html)
    policy_row = next(r for r in rows if 'title="policy.publish"' in r and f"{policy.code}<" in r)
    assert ">政策发布<" in policy_row
    assert f"{city.officer} · 市发改委" in policy_row
    user_row = rows[0]
    assert f">用户 {city.officer.username}<" in re.sub(r"\s+", " ", user_row)
    assert 'data-testid="event-actor">系统<' in user_row


def test_the_latest_events_read_in_english(client, two_cases):
    city = two_cases.world.city
    client.force_login(city.city_supervisor)
    html = client.get(reverse("supervision:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    latest = _latest(html)
    assert ">Case opened<" in latest
    assert f"Case {two_cases.drc_case.reference}" in latest
    assert f">Notification · Case {two_cases.drc_case.reference}<" in latest


def test_a_record_without_a_reference_reads_by_its_type_and_id(client, city, trail):
    client.force_login(city.city_supervisor)
    latest = _latest(client.get(reverse("supervision:audit")).content.decode())
    timeline = reverse("supervision:timeline") + "?type=policies.application&amp;id=8"
    assert f'href="{timeline}"' in latest
    assert ">申请已提交<" in latest  # application.submit


def test_the_audit_page_reads_labels_in_bulk(client, two_cases, django_assert_num_queries):
    """Twenty events of four kinds of record, by two people: one query per kind of
    record and one for the people's roles, not one per event."""
    city = two_cases.world.city
    subjects = [two_cases.drc_case, two_cases.world.policy, city.drc, city.officer]
    for n in range(20):
        subject = subjects[n % 4]
        record(
            organisation=city.drc,
            object_type=subject._meta.label_lower,
            object_id=str(subject.pk),
            actor=city.officer if n % 2 else city.head,
            action="organisation.rename",
        )
    client.force_login(city.city_supervisor)
    with django_assert_num_queries(QUERIES):
        html = client.get(reverse("supervision:audit")).content.decode()
    assert _latest(html).count(">组织更名<") == 20  # organisation.rename
    assert _latest(html).count(f">办件 {two_cases.drc_case.reference}<") == 5


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("case.approve", "已通过"),
        ("ledger.problem.verify", "核实已整改"),
        ("contracts.obligation.change_rule", "修改到期规则"),
        ("something.new", "something.new"),
    ],
)
def test_actions_read_by_their_labels_or_as_recorded(action, label):
    assert action_label(action) == label


def test_a_record_gone_or_unknown_reads_by_its_id(city):
    subjects = record_subjects(
        city.city_supervisor, [("accounts.user", "999999"), ("nowhere.thing", "5"), ("accounts.user", "x")]
    )
    assert str(subjects[("accounts.user", "999999")]) == "用户 #999999"
    assert str(subjects[("nowhere.thing", "5")]) == "nowhere.thing #5"
    assert subjects[("accounts.user", "x")].url.endswith("?type=accounts.user&id=x")


def test_a_record_s_timeline_names_its_actions_by_their_labels_too(client, city, trail):
    client.force_login(city.supervisor)
    event = trail["drc"][0]
    html = client.get(
        reverse("supervision:timeline"), {"type": event.object_type, "id": event.object_id}
    ).content.decode()
    assert '<strong title="application.submit" data-testid="event-action">申请已提交</strong>' in html
