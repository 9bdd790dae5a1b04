"""Registry pages: allowed and denied paths for each, the htmx fragment, the query
count of the list page, the import page and the Excel export."""

from __future__ import annotations

import codecs
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qinqing.accounts.tests.factories import UserFactory
from qinqing.enterprises.models import Enterprise, EnterpriseImport, EnterpriseLabel
from qinqing.enterprises.pinyin_keys import name_keys
from qinqing.enterprises.services import enterprise_update
from qinqing.enterprises.tests.factories import EnterpriseFactory, random_credit_code

LIST = reverse("enterprises:list")
MINE = reverse("enterprises:mine")
IMPORT = reverse("enterprises:import")
EXPORT = reverse("enterprises:export")
READERS = ["officer", "head", "committee_member", "supervisor", "city_supervisor", "admin"]


def _detail(e):
    return reverse("enterprises:detail", kwargs={"public_id": e.public_id})


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.mark.parametrize("url", [LIST, MINE, IMPORT, EXPORT])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", READERS)
def test_government_and_admin_see_the_list(city, login, who):
    response = login(getattr(city, who)).get(LIST)
    assert response.status_code == 200
    assert city.enterprise.name in response.content.decode()
    assert city.other_enterprise.name in response.content.decode()


def test_enterprise_user_list_shows_only_its_own(city, login):
    response = login(city.enterprise_user).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert city.enterprise.name in body
    assert city.other_enterprise.name not in body


def test_a_user_without_a_role_is_refused(city, login):
    client = login(UserFactory())
    for url in (LIST, EXPORT, MINE, IMPORT, _detail(city.enterprise)):
        assert client.get(url).status_code == 403, url


def test_search_filters_and_htmx_gets_only_the_fragment(city, login):
    keys = name_keys("晋江鸿盛鞋业有限公司")
    shoes = EnterpriseFactory(
        name="晋江鸿盛鞋业有限公司", name_pinyin=keys.full, name_initials=keys.initials, region=city.district
    )
    client = login(city.officer)
    page = client.get(LIST, {"q": "jinjiang"})
    assert shoes.name in page.content.decode()
    assert city.enterprise.name not in page.content.decode()
    assert b"<html" in page.content
    fragment = client.get(LIST, {"q": "jjhs"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'id="enterprise-results"' in fragment.content
    assert shoes.name in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_bad_filter_input_is_ignored_not_a_500(city, login):
    response = login(city.officer).get(LIST, {"q": "x" * 500, "region": "nowhere", "page": "abc"})
    assert response.status_code == 200


def test_pagination(city, login):
    EnterpriseFactory.create_batch(30, region=city.district)
    client = login(city.officer)
    first = client.get(LIST)
    assert first.content.decode().count('data-testid="enterprise-row"') == 25
    second = client.get(LIST, {"page": 2})
    assert second.content.decode().count('data-testid="enterprise-row"') == 7


def _list_queries(client, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_list_page_query_count_is_pinned(city, login, django_assert_num_queries, rows):
    for e in EnterpriseFactory.create_batch(rows, region=city.district):
        EnterpriseLabel.objects.create(enterprise=e, key="high_tech", value="yes")
    client = login(city.officer)
    # session, user, role assignments with their organisations (scope, one statement),
    # region choices, count, page, labels; the base page's unread-notification count;
    # then the session's idle-expiry refresh (savepoint, update, release). The same for
    # 3 rows and for 30: no query per row.
    _list_queries(client, django_assert_num_queries, 11)


@pytest.mark.parametrize("who", READERS)
def test_detail_for_readers_with_masked_bank_account(city, login, who):
    enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    response = login(getattr(city, who)).get(_detail(city.enterprise))
    assert response.status_code == 200
    body = response.content.decode()
    assert city.enterprise.credit_code in body
    if who == "admin":
        assert "6222021234567890" in body
    else:
        assert "6222021234567890" not in body
        assert "************7890" in body


def test_detail_for_the_enterprise_user(city, login):
    client = login(city.enterprise_user)
    assert client.get(_detail(city.enterprise)).status_code == 200
    assert client.get(_detail(city.other_enterprise)).status_code == 404


def test_detail_of_an_unknown_id(city, login):
    assert login(city.admin).get("/enterprises/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_mine_for_an_enterprise_user(city, login):
    response = login(city.enterprise_user).get(MINE)
    assert response.status_code == 200
    assert response.content.decode().count(city.enterprise.credit_code) >= 1
    assert city.other_enterprise.credit_code not in response.content.decode()


def test_mine_is_refused_to_government_users(city, login):
    assert login(city.officer).get(MINE).status_code == 403


def _post_action(client, name, e, data):
    return client.post(reverse(f"enterprises:{name}", kwargs={"public_id": e.public_id}), data)


def test_admin_actions_on_the_detail_page(city, login):
    e = enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    client = login(city.admin)
    response = _post_action(client, "verify_bank_account", e, {"account_number": "6222021234567890"})
    assert response.status_code == 302
    response = _post_action(client, "set_pinyin", e, {"reading": "quan zhou ce shi"})
    assert response.status_code == 302
    response = _post_action(client, "set_labels", e, {"labels": "high_tech=yes;scenic_grade=5A"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.bank_account_verified
    assert (e.name_pinyin, e.pinyin_override) == ("quanzhouceshi", True)
    assert dict(e.labels.values_list("key", "value")) == {"high_tech": "yes", "scenic_grade": "5A"}


def test_a_refused_admin_action_is_a_message_not_an_error(city, login):
    client = login(city.admin)
    response = _post_action(client, "set_labels", city.enterprise, {"labels": "scenic_grade=9A"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "alert-danger" in page.content.decode()
    assert not city.enterprise.labels.exists()
    response = _post_action(client, "set_pinyin", city.enterprise, {"reading": "泉州"})
    assert response.status_code == 302
    city.enterprise.refresh_from_db()
    assert not city.enterprise.pinyin_override


@pytest.mark.parametrize("who", ["officer", "supervisor", "enterprise_user"])
@pytest.mark.parametrize("action", ["verify_bank_account", "set_pinyin", "set_labels"])
def test_admin_actions_are_refused_to_others(city, login, who, action):
    response = _post_action(login(getattr(city, who)), action, city.enterprise, {"labels": "high_tech=yes"})
    assert response.status_code == 403
    assert not city.enterprise.labels.exists()


def test_import_page_for_the_admin(city, login):
    client = login(city.admin)
    assert client.get(IMPORT).status_code == 200
    code = random_credit_code("350503")
    data = (
        codecs.BOM_UTF8 + f"统一社会信用代码,企业名称,行业代码\r\n{code},晋江鞋业有限公司,C1952\r\n".encode()
    )
    upload = io.BytesIO(data)
    upload.name = "registry.csv"
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 302
    record = EnterpriseImport.objects.get()
    assert response["Location"] == reverse(
        "enterprises:import_detail", kwargs={"public_id": record.public_id}
    )
    report = client.get(response["Location"])
    assert report.status_code == 200
    assert "registry.csv" in report.content.decode()
    assert Enterprise.objects.filter(credit_code=code).exists()


def test_import_page_shows_a_file_problem_as_a_form_error(city, login):
    client = login(city.admin)
    upload = io.BytesIO(b"%PDF-1.7 not a registry")
    upload.name = "registry.pdf"
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert 'data-testid="import-errors"' in response.content.decode()
    assert not EnterpriseImport.objects.exists()


def test_import_page_shows_the_row_report_of_a_rejected_file(city, login):
    client = login(city.admin)
    upload = io.BytesIO(b"credit_code,name,industry_code\r\nBAD,x,C1952\r\n")
    upload.name = "registry.csv"
    response = client.post(IMPORT, {"file": upload})
    report = client.get(response["Location"])
    assert 'data-testid="import-report"' in report.content.decode()
    assert "BAD" in report.content.decode()


@pytest.mark.parametrize("who", ["officer", "supervisor", "city_supervisor", "enterprise_user"])
def test_import_pages_are_refused_to_others(city, login, who):
    client = login(getattr(city, who))
    assert client.get(IMPORT).status_code == 403
    upload = io.BytesIO(b"credit_code,name,industry_code\r\n")
    upload.name = "registry.csv"
    assert client.post(IMPORT, {"file": upload}).status_code == 403
    record = EnterpriseImport.objects.create(
        file_name="x.csv", file_size=1, sha256="0" * 64, file_format="csv_utf8", status="rejected"
    )
    assert (
        client.get(reverse("enterprises:import_detail", kwargs={"public_id": record.public_id})).status_code
        == 403
    )


def _sheet(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def test_export_writes_codes_as_text_and_masks_bank_accounts(city, login):
    enterprise_update(
        actor=city.admin,
        enterprise=city.enterprise,
        data={"bank_account_number": "6222021234567890", "name": '=HYPERLINK("http://x")'},
    )
    response = login(city.officer).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = _sheet(response)
    rows = list(sheet.iter_rows())
    assert len(rows) == 3
    by_code = {r[0].value: r for r in rows[1:]}
    row = by_code[city.enterprise.credit_code]
    assert row[0].data_type == "s"
    assert row[1].data_type == "s"  # a name starting with "=" stays text, never a formula
    assert row[1].value.startswith("=HYPERLINK")
    assert "************7890" in [c.value for c in row]


def test_export_for_the_admin_has_full_accounts(city, login):
    enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    sheet = _sheet(login(city.admin).get(EXPORT))
    assert "6222021234567890" in [c.value for r in sheet.iter_rows() for c in r]


def test_export_follows_the_filters_and_the_scope(city, login):
    sheet = _sheet(login(city.enterprise_user).get(EXPORT))
    codes = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert codes == [city.enterprise.credit_code]
    sheet = _sheet(login(city.officer).get(EXPORT, {"q": city.other_enterprise.credit_code}))
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [city.other_enterprise.credit_code]


def test_an_export_beyond_the_limit_asks_to_narrow_the_search(city, login, settings):
    settings.ENTERPRISE_EXPORT_MAX_ROWS = 1
    client = login(city.officer)
    response = client.get(EXPORT, {"q": "youxiangongsi"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?q=youxiangongsi"
    page = client.get(response["Location"])
    assert "alert-danger" in page.content.decode()
    assert client.get(EXPORT, {"q": city.enterprise.credit_code}).status_code == 200


def test_mine_lists_several_enterprises_of_one_user(city, login):
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import give_role

    give_role(city.enterprise_user, Role.ENTERPRISE, enterprise=city.other_enterprise)
    response = login(city.enterprise_user).get(MINE)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="enterprise-row"') == 2


def test_list_shows_label_names_not_keys(client, city):
    from qinqing.enterprises.models import EnterpriseLabel

    EnterpriseLabel.objects.create(enterprise=city.enterprise, key="high_tech", value="yes")
    client.force_login(city.officer)
    html = client.get("/enterprises/").content.decode()
    assert "高新技术企业" in html
    assert ">high_tech<" not in html
