"""Home page per role, the organisation page (admin only)."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "role_heading"),
    [
        ("enterprise_user", "企业用户"),
        ("officer", "经办人"),
        ("head", "部门负责人"),
        ("committee_member", "管委会成员"),
        ("supervisor", "纪检监察"),
        ("admin", "管理员"),
    ],
)
def test_each_role_gets_its_home_section(client, city, who, role_heading):
    client.force_login(getattr(city, who))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{role_heading}" in html


def test_home_names_where_the_role_is_held(client, city):
    client.force_login(city.officer)
    html = client.get(reverse("home")).content.decode()
    assert "市发改委" in html


def test_person_with_two_roles_sees_both_sections(client, city):
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import give_role

    give_role(city.officer, Role.SUPERVISOR, organisation=city.group)
    client.force_login(city.officer)
    html = client.get(reverse("home")).content.decode()
    assert ">经办人" in html
    assert ">纪检监察" in html


def test_organisations_page_is_for_admins(client, city):
    client.force_login(city.admin)
    response = client.get(reverse("accounts:organisations"))
    assert response.status_code == 200
    assert "派驻第一纪检监察组" in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "supervisor", "enterprise_user", "committee_member"])
def test_organisations_page_is_denied_to_others(client, city, who):
    client.force_login(getattr(city, who))
    response = client.get(reverse("accounts:organisations"))
    assert response.status_code == 403
    assert "您无权查看此页面" in response.content.decode()


def test_home_page_query_count_is_pinned(client, city, django_assert_max_num_queries):
    client.force_login(city.officer)
    with django_assert_max_num_queries(9):
        client.get(reverse("home"))


def test_a_user_creates_uses_and_revokes_a_token(client, city):
    client.force_login(city.officer)
    response = client.post(reverse("accounts:tokens"), {"name": "报表脚本"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("qq_")
    api = client.__class__()
    assert api.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token = city.officer.api_tokens.get()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_nobody_revokes_another_persons_token(client, city):
    from qinqing.accounts.services import api_token_create

    token, _key = api_token_create(actor=city.officer, user=city.officer, name="x")
    client.force_login(city.other_officer)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_name_is_required(client, city):
    client.force_login(city.officer)
    response = client.post(reverse("accounts:tokens"), {"name": ""})
    assert response.status_code == 200
    assert response.context["new_key"] is None
    assert "此项为必填项" in response.content.decode()


def test_anonymous_visitors_see_the_public_policy_link(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'href="/policies/"' in html
    assert "惠企政策" in html
