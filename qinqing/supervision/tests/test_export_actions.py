"""The timeline's and the policy case page's Excel exports give each action by its label
in the reader's language beside the recorded name (which auditors filter on), and who
acted with their organisation, as the pages do."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

LANGUAGES = [
    ("zh-hans", ("动作", "原始动作"), {"application.submit": "申请已提交", "case.open": "立案"}),
    (
        "en",
        ("Action", "Recorded action"),
        {"application.submit": "Application submitted", "case.open": "Case opened"},
    ),
]


def _rows(response) -> list[tuple]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[-1].iter_rows(values_only=True))


@pytest.mark.parametrize(("language", "headers", "labels"), LANGUAGES)
def test_the_timeline_export_gives_the_action_s_label_beside_its_recorded_name(
    client, city, trail, language, headers, labels
):
    client.force_login(city.supervisor)
    event = trail["drc"][0]
    response = client.get(
        reverse("supervision:timeline_export"),
        {"type": event.object_type, "id": event.object_id},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    rows = _rows(response)
    header = rows[2]
    assert (header[4], header[5]) == headers
    submitted = [r for r in rows[3:] if r[5] == "application.submit"]
    assert submitted
    assert {r[4] for r in submitted} == {labels["application.submit"]}
    # Who acted, with the organisation they act for, as the page shows them.
    assert {(r[2], r[3]) for r in submitted} == {(str(city.officer), "市发改委")}


@pytest.mark.parametrize(("language", "headers", "labels"), LANGUAGES)
def test_the_case_export_gives_the_action_s_label_beside_its_recorded_name(
    client, two_cases, language, headers, labels
):
    case = two_cases.drc_case
    client.force_login(two_cases.world.city.city_supervisor)
    response = client.get(
        reverse("supervision:policy_case_export", args=[case.public_id]), HTTP_ACCEPT_LANGUAGE=language
    )
    rows = _rows(response)
    header = rows[0]
    assert (header[5], header[6]) == headers
    opened = next(r for r in rows[1:] if r[6] == "case.open")
    assert opened[5] == labels["case.open"]
    # The enterprise's user, acting for the enterprise.
    assert (opened[3], opened[4]) == (str(two_cases.world.spot_user), case.enterprise.name)
