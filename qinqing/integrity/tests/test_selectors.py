"""The recusal look-ups (in force only, one query each) and who reads which declarations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from qinqing.integrity.models import RelationKind
from qinqing.integrity.selectors import (
    declarations_filtered,
    declarations_visible,
    has_relation,
    officials_related_to,
    related_enterprise_ids,
)
from qinqing.integrity.services import relation_end


def test_recusal_lookups_see_declarations_in_force_only(city, declared, declare):
    officer, e1, e2 = city.officer, city.enterprise, city.other_enterprise
    assert has_relation(officer.pk, e1.pk)
    assert not has_relation(officer.pk, e2.pk)
    assert related_enterprise_ids(officer.pk) == {e1.pk}
    assert officials_related_to(e1.pk) == {officer.pk, city.committee_member.pk}
    assert officials_related_to(e2.pk) == {city.other_officer.pk}

    relation_end(actor=officer, declaration=declared["officer"], reason="已退股")
    assert not has_relation(officer.pk, e1.pk)
    assert related_enterprise_ids(officer.pk) == set()
    assert officials_related_to(e1.pk) == {city.committee_member.pk}


def test_two_kinds_to_one_enterprise_count_once(city, declare):
    declare(city.officer, city.enterprise)
    declare(city.officer, city.enterprise, RelationKind.FORMER_EMPLOYMENT)
    assert related_enterprise_ids(city.officer.pk) == {city.enterprise.pk}
    assert officials_related_to(city.enterprise.pk) == {city.officer.pk}


def test_recusal_lookups_are_one_query_each(city, declared, django_assert_num_queries):
    with django_assert_num_queries(1):
        has_relation(city.officer.pk, city.enterprise.pk)
    with django_assert_num_queries(1):
        related_enterprise_ids(city.officer.pk)
    with django_assert_num_queries(1):
        officials_related_to(city.enterprise.pk)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", {"officer"}),
        ("other_officer", {"other_officer"}),
        ("committee_member", {"committee_member"}),
        ("head", set()),  # the head declared nothing; an official sees their own only
        ("supervisor", {"officer"}),  # the group supervises the drc only
        ("city_supervisor", {"officer", "other_officer", "committee_member"}),
        ("admin", {"officer", "other_officer", "committee_member"}),
        ("enterprise_user", set()),
    ],
)
def test_declarations_visible_by_role(city, declared, who, sees):
    visible = set(declarations_visible(getattr(city, who)).values_list("pk", flat=True))
    assert visible == {declared[name].pk for name in sees}


def test_anonymous_sees_nothing(city, declared):
    assert not declarations_visible(AnonymousUser()).exists()


def test_a_supervisor_sees_an_official_by_any_of_their_government_roles(city, declared):
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import give_role

    # The commerce officer also becomes an officer of the drc, which the group supervises.
    give_role(city.other_officer, Role.OFFICER, organisation=city.drc)
    visible = set(declarations_visible(city.supervisor).values_list("pk", flat=True))
    assert visible == {declared["officer"].pk, declared["other_officer"].pk}


def test_filters_by_kind_state_and_search(city, declared):
    sup = city.city_supervisor
    assert set(declarations_filtered(sup, kind=RelationKind.OTHER)) == {declared["committee_member"]}
    relation_end(actor=city.officer, declaration=declared["officer"], reason="已退股")
    assert set(declarations_filtered(sup, state="ended")) == {declared["officer"]}
    assert declared["officer"] not in set(declarations_filtered(sup, state="in_force"))
    by_code = declarations_filtered(sup, q=city.other_enterprise.credit_code)
    assert set(by_code) == {declared["other_officer"]}
    by_name = declarations_filtered(sup, q=city.enterprise.name)
    assert set(by_name) == {declared["officer"], declared["committee_member"]}
    assert set(declarations_filtered(sup, q="officer2")) == {declared["other_officer"]}
    # An unknown kind or state narrows nothing, and a search never widens the scope.
    assert declarations_filtered(sup, kind="x", state="y").count() == 3
    assert set(declarations_filtered(city.supervisor, q=city.other_enterprise.credit_code)) == set()


def test_the_list_costs_the_same_queries_for_many_rows(city, declare, django_assert_max_num_queries):
    from qinqing.enterprises.tests.factories import EnterpriseFactory

    for _ in range(5):
        declare(city.officer, EnterpriseFactory(region=city.district))
        declare(city.other_officer, EnterpriseFactory(region=city.district))
    from qinqing.accounts.scoping import scope_for
    from qinqing.integrity.selectors import official_organisation_names

    scope_for(city.admin)  # computed once per request, before the list
    with django_assert_max_num_queries(2):
        rows = list(declarations_visible(city.admin))
        names = [official_organisation_names(d) for d in rows]
    assert len(rows) == 10
    assert ["市发改委"] in names
    assert ["市商务局"] in names
