"""Who reads the registry: every government role and the admin read all of it, an
enterprise user only its own, anyone else nothing; search by name, pinyin, initials
and code."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from qinqing.accounts.tests.factories import UserFactory
from qinqing.common.errors import NotFound
from qinqing.enterprises.models import EnterpriseLabel
from qinqing.enterprises.pinyin_keys import name_keys
from qinqing.enterprises.selectors import (
    access_enterprise_by_code,
    access_enterprise_by_id,
    enterprise_list,
    registry_can_read,
    registry_can_write,
    registry_sees_bank_accounts,
)
from qinqing.enterprises.tests.factories import EnterpriseFactory, random_credit_code

GOVERNMENT = [
    "officer",
    "other_officer",
    "head",
    "committee_member",
    "supervisor",
    "city_supervisor",
    "admin",
]


def _named(name, region, **kwargs):
    keys = name_keys(name)
    return EnterpriseFactory(
        name=name, name_pinyin=keys.full, name_initials=keys.initials, region=region, **kwargs
    )


@pytest.mark.parametrize("who", GOVERNMENT)
def test_government_roles_and_admin_read_the_whole_registry(city, who):
    user = getattr(city, who)
    elsewhere = EnterpriseFactory(region=city.city)
    seen = set(enterprise_list(user))
    assert {city.enterprise, city.other_enterprise, elsewhere} <= seen
    assert access_enterprise_by_id(user, elsewhere.public_id) == elsewhere
    assert registry_can_read(user)


def test_enterprise_user_reads_only_its_own(city):
    user = city.enterprise_user
    assert list(enterprise_list(user)) == [city.enterprise]
    assert access_enterprise_by_id(user, city.enterprise.public_id) == city.enterprise
    assert access_enterprise_by_code(user, city.enterprise.credit_code.lower()) == city.enterprise
    with pytest.raises(NotFound):
        access_enterprise_by_id(user, city.other_enterprise.public_id)
    with pytest.raises(NotFound):
        access_enterprise_by_code(user, city.other_enterprise.credit_code)


@pytest.mark.parametrize("user", [AnonymousUser(), None, "no_role"])
def test_others_read_nothing(city, user):
    if user == "no_role":
        user = UserFactory()
    assert list(enterprise_list(user)) == []
    assert not registry_can_read(user)
    with pytest.raises(NotFound):
        access_enterprise_by_id(user, city.enterprise.public_id)


def test_only_the_admin_writes_and_sees_full_bank_accounts(city):
    assert registry_can_write(city.admin)
    assert registry_sees_bank_accounts(city.admin)
    for who in ["officer", "head", "committee_member", "supervisor", "city_supervisor", "enterprise_user"]:
        assert not registry_can_write(getattr(city, who)), who
        assert not registry_sees_bank_accounts(getattr(city, who)), who


@pytest.mark.parametrize("bad", ["not-a-uuid", "", str(uuid.uuid4())])
def test_access_by_id_refuses_unknown_ids(city, bad):
    with pytest.raises(NotFound):
        access_enterprise_by_id(city.admin, bad)


@pytest.mark.parametrize("bad", ["", "123", "91350503MA2X\x00YZ000", "I" * 18])
def test_access_by_code_refuses_malformed_codes(city, bad):
    with pytest.raises(NotFound):
        access_enterprise_by_code(city.admin, bad)


@pytest.fixture
def named(city):
    return {
        "shoes": _named("晋江鸿盛鞋业有限公司", city.district, industry_code="C1952"),
        "tea": _named("安溪铁观音茶业有限公司", city.city, industry_code="C1530"),
        "scenic": _named("清源山旅游有限公司", city.district, industry_code="N7861"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("鞋业", {"shoes"}),
        ("晋江鸿盛", {"shoes"}),
        ("jinjiang", {"shoes"}),
        ("Jin Jiang", {"shoes"}),
        ("tieguanyin", {"tea"}),
        ("jjhs", {"shoes"}),
        ("AXTGY", {"tea"}),
        ("lvyou", {"scenic"}),
        ("youxiangongsi", {"shoes", "tea", "scenic"}),
        ("不存在", set()),
    ],
)
def test_search_by_name_pinyin_and_initials(city, named, q, expected):
    found = {k for k, e in named.items() if e in set(enterprise_list(city.officer, q=q))}
    assert found == expected


def test_search_by_code_prefix_and_full_code_in_any_width(city, named):
    code = named["tea"].credit_code
    assert named["tea"] in enterprise_list(city.officer, q=code[:12])
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert list(enterprise_list(city.officer, q=full_width)) == [named["tea"]]


def test_search_ignores_control_characters(city, named):
    assert list(enterprise_list(city.officer, q="鞋\x00业")) == [named["shoes"]]


def test_sorted_by_pinyin(city, named):
    names = [e.name_pinyin for e in enterprise_list(city.officer)]
    assert names == sorted(names)


def test_filter_by_region_industry_label_status(city, named):
    EnterpriseLabel.objects.create(enterprise=named["scenic"], key="scenic_grade", value="4A")
    EnterpriseLabel.objects.create(enterprise=named["shoes"], key="high_tech", value="yes")
    officer = city.officer
    in_district = set(enterprise_list(officer, region=city.district))
    assert named["shoes"] in in_district and named["tea"] not in in_district
    assert named["tea"] in set(enterprise_list(officer, region=city.city))  # the city covers its subtree
    assert set(enterprise_list(officer, industry="C15")) == {named["tea"]}
    assert set(enterprise_list(officer, industry="1530")) == {named["tea"]}
    assert named["scenic"] in set(enterprise_list(officer, industry="N"))
    assert set(enterprise_list(officer, industry="Q99")) == set()
    assert set(enterprise_list(officer, label="scenic_grade")) == {named["scenic"]}
    assert set(enterprise_list(officer, label="scenic_grade=4A")) == {named["scenic"]}
    assert set(enterprise_list(officer, label="scenic_grade=5A")) == set()
    assert set(enterprise_list(officer, label="high_tech", q="jinjiang")) == {named["shoes"]}
    named["tea"].status = "suspended"
    named["tea"].save()
    assert set(enterprise_list(officer, status="suspended")) == {named["tea"]}


def test_enterprise_user_filters_stay_within_its_scope(city, named):
    assert list(enterprise_list(city.enterprise_user, q="jinjiang")) == []
    assert list(enterprise_list(city.enterprise_user, q="youxiangongsi")) == [city.enterprise]


def test_list_prefetches_regions_and_labels(city, named, django_assert_num_queries):
    for e in named.values():
        EnterpriseLabel.objects.create(enterprise=e, key="high_tech", value="yes")
    from qinqing.accounts.scoping import scope_for

    scope_for(city.officer)  # scope is computed once per request
    with django_assert_num_queries(2):
        rows = list(enterprise_list(city.officer))
        assert all(e.region.name for e in rows)
        assert all(len(e.labels.all()) <= 1 for e in rows)


def test_code_prefix_with_the_region_digits(city):
    e = EnterpriseFactory(credit_code=random_credit_code("350582"), region=city.city)
    assert list(enterprise_list(city.officer, q="91350582")) == [e]
