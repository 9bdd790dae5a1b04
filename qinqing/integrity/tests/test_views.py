"""The official's page (find, declare, end) and the supervisor's list with its export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from qinqing.integrity.models import RelationDeclaration, RelationKind

MINE = reverse("integrity:mine")
DECLARE = reverse("integrity:declare")
SUPERVISED = reverse("integrity:supervised")
EXPORT = reverse("integrity:supervised_export")


def _end_url(declaration):
    return reverse("integrity:end", kwargs={"public_id": declaration.public_id})


@pytest.mark.parametrize("who", ["officer", "head", "committee_member"])
def test_an_official_opens_their_page(client, city, who):
    client.force_login(getattr(city, who))
    response = client.get(MINE)
    assert response.status_code == 200
    assert 'data-testid="no-declarations"' in response.content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "supervisor", "admin"])
def test_who_declares_nothing_has_no_page(client, city, who):
    client.force_login(getattr(city, who))
    assert client.get(MINE).status_code == 403
    assert client.post(DECLARE, {}).status_code == 403


def test_anonymous_is_sent_to_log_in(client, city):
    response = client.get(MINE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_finds_an_enterprise_by_credit_code_and_preselects_it(client, city):
    client.force_login(city.officer)
    page = client.get(MINE, {"q": city.enterprise.credit_code.lower()}).content.decode()
    assert city.enterprise.name in page
    assert city.other_enterprise.name not in page
    assert f'value="{city.enterprise.public_id}" checked' in page


def test_the_page_finds_enterprises_by_name(client, city):
    client.force_login(city.officer)
    page = client.get(MINE, {"q": "泉州测试企业"}).content.decode()
    assert city.enterprise.name in page
    assert city.other_enterprise.name in page


def test_an_official_declares_and_ends_a_relation(client, city):
    client.force_login(city.officer)
    response = client.post(
        DECLARE, {"enterprise": city.enterprise.public_id, "kind": RelationKind.RELATIVE_LEGAL_REPRESENTATIVE}
    )
    assert response.status_code == 302
    declaration = RelationDeclaration.objects.get(official=city.officer)
    page = client.get(MINE).content.decode()
    assert city.enterprise.name in page
    assert 'data-testid="end-form"' in page

    response = client.post(_end_url(declaration), {f"{declaration.public_id}-reason": "配偶已辞去法定代表人"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.ended_reason == "配偶已辞去法定代表人"
    assert 'data-testid="end-form"' not in client.get(MINE).content.decode()


def test_refusals_come_back_as_form_messages(client, city, declare):
    client.force_login(city.officer)
    response = client.post(DECLARE, {"enterprise": city.enterprise.public_id, "kind": RelationKind.OTHER})
    assert response.status_code == 400
    assert "请说明这一关系。" in response.content.decode()
    response = client.post(DECLARE, {"kind": RelationKind.SHAREHOLDING})
    assert response.status_code == 400
    assert "请选择企业。" in response.content.decode()
    declare(city.officer, city.enterprise, RelationKind.SHAREHOLDING)
    response = client.post(
        DECLARE, {"enterprise": city.enterprise.public_id, "kind": RelationKind.SHAREHOLDING}
    )
    assert response.status_code == 400
    assert "已申报且仍然有效。" in response.content.decode()
    assert RelationDeclaration.objects.count() == 1


def test_ending_without_a_reason_is_refused(client, city, declare):
    declaration = declare(city.officer, city.enterprise)
    client.force_login(city.officer)
    response = client.post(_end_url(declaration), {f"{declaration.public_id}-reason": ""})
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.in_force


def test_an_official_cannot_end_anothers_declaration(client, city, declare):
    declaration = declare(city.officer, city.enterprise)
    client.force_login(city.head)
    response = client.post(_end_url(declaration), {f"{declaration.public_id}-reason": "代为撤销"})
    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.in_force


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("supervisor", {"officer"}),
        ("city_supervisor", {"officer", "other_officer", "committee_member"}),
        ("admin", {"officer", "other_officer", "committee_member"}),
    ],
)
def test_the_supervisor_list_follows_the_scope(client, city, declared, who, sees):
    client.force_login(getattr(city, who))
    response = client.get(SUPERVISED)
    assert response.status_code == 200
    rows = {d.public_id for d in (r["declaration"] for r in response.context["rows"])}
    assert rows == {declared[name].public_id for name in sees}


@pytest.mark.parametrize("who", ["officer", "head", "enterprise_user"])
def test_the_supervisor_list_is_refused_to_others(client, city, declared, who):
    client.force_login(getattr(city, who))
    assert client.get(SUPERVISED).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_supervisor_list_filters(client, city, declared):
    client.force_login(city.city_supervisor)
    response = client.get(SUPERVISED, {"kind": "other", "state": "in_force", "q": ""})
    assert [r["declaration"] for r in response.context["rows"]] == [declared["committee_member"]]
    assert "kind=other" in response.context["export_url"]
    # Unknown filter values are ignored rather than an error.
    assert client.get(SUPERVISED, {"kind": "nope", "page": "x"}).status_code == 200


def test_the_supervisor_list_costs_a_fixed_number_of_queries(
    client, city, declare, django_assert_max_num_queries
):
    from qinqing.enterprises.tests.factories import EnterpriseFactory

    client.force_login(city.city_supervisor)
    declare(city.officer, city.enterprise)
    client.get(SUPERVISED)
    with django_assert_max_num_queries(12) as few:
        client.get(SUPERVISED)
    for _ in range(8):
        declare(city.other_officer, EnterpriseFactory(region=city.district))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SUPERVISED)
    assert len(response.context["rows"]) == 9


def test_the_export_holds_the_rows_in_scope_as_text(client, city, declare):
    declare(city.officer, city.enterprise, RelationKind.OTHER, '=HYPERLINK("http://x")')
    declare(city.other_officer, city.other_enterprise)
    client.force_login(city.supervisor)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the drc officer's only
    assert rows[1][0] == str(city.officer)
    assert rows[1][1] == "市发改委"
    assert rows[1][3] == city.enterprise.credit_code
    assert rows[1][5] == '=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=6).data_type == "s"


def test_the_navigation_shows_each_role_its_entry(client, city):
    client.force_login(city.officer)
    page = client.get(reverse("home")).content.decode()
    assert MINE in page
    assert "我申报的关系" in page  # the same words as the page's title, whichever catalogue wins
    assert SUPERVISED not in page
    client.force_login(city.supervisor)
    page = client.get(reverse("home")).content.decode()
    assert SUPERVISED in page
    assert MINE not in page


def test_the_officials_page_costs_a_fixed_number_of_queries(
    client, city, declare, django_assert_max_num_queries
):
    from qinqing.enterprises.tests.factories import EnterpriseFactory

    client.force_login(city.officer)
    declare(city.officer, city.enterprise)
    client.get(MINE)
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    for _ in range(8):
        declare(city.officer, EnterpriseFactory(region=city.district))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MINE)
    assert len(response.context["rows"]) == 9


def test_the_admin_site_shows_declarations_read_only(client, city, declare):
    from qinqing.accounts.tests.factories import UserFactory

    declaration = declare(city.officer, city.enterprise)
    operator = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(operator)
    changelist = reverse("admin:integrity_relationdeclaration_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:integrity_relationdeclaration_add")).status_code == 403
    delete = reverse("admin:integrity_relationdeclaration_delete", args=[declaration.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RelationDeclaration.objects.filter(pk=declaration.pk).exists()
