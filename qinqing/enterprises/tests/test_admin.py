"""Django admin: search works, changes go through the services (and are audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.audit.models import AuditEvent
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import random_credit_code


@pytest.fixture
def operator(city, client):
    user = give_role(UserFactory(is_staff=True, is_superuser=True), Role.ADMIN, organisation=city.city)
    client.force_login(user)
    return client


def test_changelist_searches_by_name_and_code(city, operator):
    url = reverse("admin:enterprises_enterprise_changelist")
    response = operator.get(url, {"q": city.enterprise.credit_code})
    assert response.status_code == 200
    assert city.enterprise.name in response.content.decode()
    assert city.other_enterprise.name not in response.content.decode()


def test_add_goes_through_the_service(city, operator):
    code = random_credit_code("350503")
    data = {
        "credit_code": code.lower(),
        "name": "丰泽石材有限公司",
        "industry_code": "3032",
        "region": "",
        "status": "active",
        "employees": 10,
        "insured_employees": 8,
        "revenue": "100.00",
        "tax_paid": "0",
        "registered_capital": "0",
        "labels-TOTAL_FORMS": 0,
        "labels-INITIAL_FORMS": 0,
    }
    response = operator.post(reverse("admin:enterprises_enterprise_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    e = Enterprise.objects.get(credit_code=code)
    assert (e.industry_code, e.region, e.name_pinyin) == ("C3032", city.district, "fengzeshicaiyouxiangongsi")
    assert AuditEvent.objects.filter(action="enterprise.create", object_id=str(e.pk)).exists()


def test_add_shows_the_services_field_messages(city, operator):
    data = {
        "credit_code": city.enterprise.credit_code,
        "name": "x",
        "industry_code": "Z9",
        "status": "active",
        "employees": 0,
        "insured_employees": 0,
        "revenue": "0",
        "tax_paid": "0",
        "registered_capital": "0",
        "labels-TOTAL_FORMS": 0,
        "labels-INITIAL_FORMS": 0,
    }
    response = operator.post(reverse("admin:enterprises_enterprise_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"credit_code", "industry_code"}


def test_change_goes_through_the_service(city, operator):
    e = city.enterprise
    url = reverse("admin:enterprises_enterprise_change", args=[e.pk])
    page = operator.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"employees": 99, "region": e.region_id, "labels-TOTAL_FORMS": 0, "labels-INITIAL_FORMS": 0})
    response = operator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    e.refresh_from_db()
    assert e.employees == 99
    event = AuditEvent.objects.get(action="enterprise.update", object_id=str(e.pk))
    assert event.after == {"employees": 99}


def test_delete_is_not_offered(city, operator):
    url = reverse("admin:enterprises_enterprise_delete", args=[city.enterprise.pk])
    assert operator.get(url).status_code == 403


def test_a_staff_user_without_the_admin_role_cannot_change(city, client):
    staff = give_role(
        UserFactory(is_staff=True, is_superuser=True), Role.SUPERVISOR, organisation=city.commission
    )
    client.force_login(staff)
    url = reverse("admin:enterprises_enterprise_change", args=[city.enterprise.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.get(reverse("admin:enterprises_enterprise_add")).status_code == 403
