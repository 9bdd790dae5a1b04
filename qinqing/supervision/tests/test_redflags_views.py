"""The red flags page and its Excel export: supervisors only, within their reach, in
both languages, never a 500 on what the address holds."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from qinqing.supervision.redflags import FlagKind

from .redflag_world import beijing

pytestmark = pytest.mark.django_db

YEAR = "since=2026-01-01&until=2026-12-31"
PAGE = reverse("supervision:redflags")
EXPORT = reverse("supervision:redflags_export")


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="red-flags-')
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _sunday_night(w, enterprise=None, policy=None, minute=14):
    case = w.case(enterprise or w.enterprise(), policy=policy)
    return w.decide(case, actor=w.officer, at=beijing(2026, 3, 8, 22, minute))


@pytest.mark.parametrize("who", ["officer", "head", "committee_member", "enterprise_user", "admin"])
def test_only_supervisors_open_the_page_and_the_export(client, flag_world, who):
    client.force_login(getattr(flag_world.city, who))
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_page_changes_nothing(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    assert client.post(PAGE).status_code == 405
    assert client.post(EXPORT).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, flag_world):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_tab_shows_for_supervisors_only(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    html = client.get(reverse("supervision:policy_overdue")).content.decode()
    assert 'data-testid="redflags-tab"' in html and "风险提示" in html
    client.force_login(flag_world.city.officer)
    html = client.get(reverse("supervision:policy_overdue")).content.decode()
    assert 'data-testid="redflags-tab"' not in html


def test_the_page_counts_each_kind_and_lists_the_first_with_flags(client, flag_world):
    w = flag_world
    step = _sunday_night(w)
    w.case(w.enterprise("111122223333"))
    w.case(w.enterprise("1111 2222 3333"))
    client.force_login(w.city.supervisor)
    html = client.get(f"{PAGE}?{YEAR}").content.decode()
    assert 'data-kind="after_hours"' in html
    counts = html.split('data-testid="redflag-kinds"')[1].split("</ul>")[0]
    assert [c.split("<")[0] for c in counts.split('data-testid="redflag-count">')[1:]] == [
        "1",
        "1",
        "0",
        "0",
        "0",
        "0",
    ]
    assert "非工作时间审批" in html  # the kind's label
    assert "2026-03-08" in html and "星期日" in html and "22:14" in html and "休息日" in html
    assert reverse("supervision:policy_case", args=[step.case.public_id]) in html
    assert "张三" in html
    # The other kind, asked for.
    html = client.get(f"{PAGE}?{YEAR}&kind=shared_bank_account").content.decode()
    assert "尾号 3333 的银行账户由 2 家有办件的企业使用" in html
    assert "111122223333" not in html


def test_the_page_reads_in_english(client, flag_world):
    _sunday_night(flag_world)
    client.force_login(flag_world.city.supervisor)
    html = client.get(f"{PAGE}?{YEAR}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Red flags" in html and "Decided outside working hours" in html
    assert "Acceptance approved on Sunday 2026-03-08 at 22:14: a rest day" in html


def test_the_group_sees_none_of_another_departments_flags(client, flag_world):
    w = flag_world
    _sunday_night(w, policy=w.other_policy)
    client.force_login(w.city.supervisor)
    html = client.get(f"{PAGE}?{YEAR}").content.decode()
    assert 'data-testid="redflags-empty"' in html
    assert 'data-testid="redflag"' not in html
    client.force_login(w.city.city_supervisor)
    html = client.get(f"{PAGE}?{YEAR}").content.decode()
    assert html.count('data-testid="redflag"') == 1
    # A department outside the group's reach, asked by its id, is refused by the form.
    client.force_login(w.city.supervisor)
    html = client.get(f"{PAGE}?{YEAR}&department={w.city.commerce.pk}").content.decode()
    assert 'data-testid="redflags-errors"' in html and 'data-testid="redflag"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "kind=nonsense",
        "since=yesterday",
        "since=2026-12-31&until=2026-01-01",
        "since=2001-01-01&until=2026-01-01",
        "since=0001-01-01&until=0001-01-02",
        "since=9999-12-30&until=9999-12-31",
        "department=abc",
        "department=99999999999999999999",
        "page=-3",
        "page=99999",
        "page=x",
        "kind=after_hours&page=2",
        "since=%00",
    ],
)
def test_bad_input_is_told_never_a_500(client, flag_world, query):
    _sunday_night(flag_world)
    client.force_login(flag_world.city.supervisor)
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    assert client.get(f"{EXPORT}?{query}").status_code == 200


def test_a_bad_period_is_said_in_the_users_language(client, flag_world):
    client.force_login(flag_world.city.supervisor)
    html = client.get(f"{PAGE}?since=2026-12-31&until=2026-01-01").content.decode()
    assert "期间的结束日期早于开始日期。" in html
    html = client.get(f"{PAGE}?since=2026-12-31&until=2026-01-01", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The period ends before it starts." in html


def test_pages_of_fifty(client, flag_world):
    w = flag_world
    ent = w.enterprise()
    for n in range(51):
        w.decide(
            w.case(ent),
            actor=w.officer,
            at=beijing(2026, 3, 8, 20, 0) + n * (beijing(2026, 3, 8, 0, 1) - beijing(2026, 3, 8, 0, 0)),
        )
    client.force_login(w.city.supervisor)
    first = client.get(f"{PAGE}?{YEAR}").content.decode()
    assert first.count('data-testid="redflag"') == 50 and "1 / 2" in first
    second = client.get(f"{PAGE}?{YEAR}&kind=after_hours&page=2").content.decode()
    assert second.count('data-testid="redflag"') == 1
    assert "20:00" in second  # the oldest last


def test_the_export_holds_every_kind_with_the_counts(client, flag_world):
    w = flag_world
    step = _sunday_night(w)
    evil = w.enterprise("111122223333", name='=HYPERLINK("http://x","y")')
    w.case(evil)
    w.case(w.enterprise("111122223333"))
    client.force_login(w.city.supervisor)
    book = _book(client.get(f"{EXPORT}?{YEAR}"))
    assert len(book.sheetnames) == 1 + len(FlagKind.values)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[0] == ("类型", "提示数")
    assert summary[1] == ("非工作时间审批", 1)
    assert summary[2] == ("多家企业共用银行账户", 1)
    after_hours = list(book["非工作时间审批"].iter_rows(values_only=True))
    assert after_hours[0][:4] == ("风险等级", "提示依据", "时间（北京时间）", "办件编号")
    assert after_hours[1][0] == "高"
    assert "2026-03-08" in after_hours[1][1] and "22:14" in after_hours[1][1]
    assert str(after_hours[1][2]).startswith("2026-03-08 22:14")
    assert after_hours[1][3] == step.case.reference
    assert after_hours[1][6] == "张三"
    shared = list(book["多家企业共用银行账户"].iter_rows(values_only=True))
    # Text stays text: an enterprise's name is never a formula.
    assert '=HYPERLINK("http://x","y")' in shared[1][4]
    assert "111122223333" not in str(shared)


def test_the_export_of_one_kind_holds_that_kind_only(client, flag_world):
    _sunday_night(flag_world)
    client.force_login(flag_world.city.supervisor)
    book = _book(client.get(f"{EXPORT}?{YEAR}&kind=after_hours"))
    assert book.sheetnames == ["风险提示", "非工作时间审批"]
    with_english = _book(client.get(f"{EXPORT}?{YEAR}&kind=after_hours", HTTP_ACCEPT_LANGUAGE="en"))
    assert with_english.sheetnames == ["Red flags", "Decided outside working hours"]


def _every_kind(w, rows: int):
    """`rows` flags of each kind but the shared account (one per account)."""
    for n in range(rows):
        ent = w.enterprise(f"9999000011{n:02d}")
        w.case(w.enterprise(f"9999000011{n:02d}"))
        case = w.case(ent, award_computed="295000", facts={"staff": 10})
        w.decide(case, actor=w.officer_b, at=beijing(2026, 3, 8, 22, n))
        w.declare(w.officer_b, ent, declared=beijing(2026, 6, 1, 9, n))
        for m in range(3):
            w.decide(w.case(ent), actor=w.officer_b, at=beijing(2026, 3, 10 + m, 10, n))
            # The department's other cases, by another hand.
            w.decide(w.case(w.enterprise()), actor=w.officer, at=beijing(2026, 3, 10 + m, 11, n))
    ent = w.enterprise()
    for hours in range(1, 11):
        w.approved(ent, hours=hours**3)


def test_the_page_costs_the_same_queries_whatever_the_flags(
    client, flag_world, settings, steady_calendar, django_assert_num_queries
):
    settings.QINQING_RED_FLAGS = {"duration_min_cases": 10, "duration_share": "0.1"}
    w = flag_world
    client.force_login(w.city.supervisor)
    client.get(f"{PAGE}?{YEAR}")  # warm the session and the calendar
    _every_kind(w, 1)
    # Session and user (2), scope and the group's departments (2), the department
    # filter (1), the inbox badge (1), the counts (7: the thresholds read the rule
    # versions first), then the listed kind's page: its rows and what they name.
    kinds_extra = {
        FlagKind.AFTER_HOURS: 1,
        FlagKind.SHARED_BANK_ACCOUNT: 2,
        FlagKind.JUST_UNDER_THRESHOLD: 4,
        FlagKind.RELATED_APPROVER: 2,
        FlagKind.SAME_OFFICIAL_SAME_FIRM: 4,
        FlagKind.UNUSUAL_DURATION: 4,
    }
    measured = {}
    for kind in FlagKind.values:
        with django_assert_num_queries(6 + 7 + kinds_extra[kind]):
            html = client.get(f"{PAGE}?{YEAR}&kind={kind}").content.decode()
        measured[kind] = html.count('data-testid="redflag"')
    assert all(measured.values()), measured
    _every_kind(w, 3)
    for kind in FlagKind.values:
        with django_assert_num_queries(6 + 7 + kinds_extra[kind]):
            html = client.get(f"{PAGE}?{YEAR}&kind={kind}").content.decode()
        assert html.count('data-testid="redflag"') >= measured[kind]
