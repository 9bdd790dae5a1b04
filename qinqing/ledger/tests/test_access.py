"""Who sees which problems (selectors), written once and tested per role, denied paths
included."""

from __future__ import annotations

import pytest

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.common.errors import NotFound
from qinqing.ledger import selectors, services
from qinqing.ledger.models import Category, Channel

from .conftest import assigned, complaint


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def spread(ledger):
    """One problem each: with the commission's department (drc), with the commerce bureau,
    from the observer, from the monitoring point."""
    c = ledger.city
    drc_problem = assigned(ledger)
    commerce_problem = complaint(ledger, title="外贸企业退税慢")
    commerce_problem = services.problem_assign(
        actor=c.city_supervisor, problem=commerce_problem, department=c.commerce, deadline_days=10
    )
    observed = services.problem_report(
        actor=ledger.observer_user,
        channel=Channel.OBSERVER,
        title="窗口午休无人",
        description="午休期间窗口无人值守",
        category=Category.GOVERNMENT,
    )
    at_point, _receipt = services.problem_report_at_point(
        token=ledger.point.token, title="园区道路积水", description="雨后积水", category=Category.CULTURAL
    )
    return drc_problem, commerce_problem, observed, at_point


def test_the_reporting_enterprise_sees_its_own_and_its_points(ledger, spread):
    drc_problem, commerce_problem, observed, at_point = spread
    seen = _ids(selectors.problems_for(ledger.city.enterprise_user))
    # Its two complaints and the reports of the monitoring point at the enterprise.
    assert seen == {drc_problem.pk, commerce_problem.pk, at_point.pk}


def test_another_enterprise_sees_nothing_and_gets_not_found(ledger, spread):
    other = give_role(UserFactory(username="ent-b"), Role.ENTERPRISE, enterprise=ledger.city.other_enterprise)
    assert _ids(selectors.problems_for(other)) == set()
    with pytest.raises(NotFound):
        selectors.access_problem_by_id(other, spread[0].public_id)


def test_an_observer_sees_only_what_it_reported(ledger, spread):
    assert _ids(selectors.problems_for(ledger.observer_user)) == {spread[2].pk}


def test_a_department_sees_its_own_problems_and_those_it_shares(ledger, spread):
    c = ledger.city
    drc_problem, commerce_problem, _observed, _point = spread
    assert _ids(selectors.problems_for(c.officer)) == {drc_problem.pk}
    assert _ids(selectors.problems_for(c.other_officer)) == {commerce_problem.pk}
    # Named as co-responsible, the commerce bureau sees the drc problem too.
    services.problem_assign(
        actor=c.city_supervisor,
        problem=drc_problem,
        department=c.drc,
        co_departments=[c.commerce],
        deadline_days=5,
    )
    assert _ids(selectors.problems_for(c.other_officer)) == {drc_problem.pk, commerce_problem.pk}
    assert [p.pk for p in selectors.department_queue(c.officer)] == [drc_problem.pk]


def test_a_stationed_group_reads_its_departments_and_the_commission_reads_all(ledger, spread):
    c = ledger.city
    drc_problem, commerce_problem, observed, at_point = spread
    assert _ids(selectors.problems_for(c.supervisor)) == {drc_problem.pk}
    assert _ids(selectors.problems_for(c.city_supervisor)) == {p.pk for p in spread}
    queue = _ids(selectors.group_queue(c.city_supervisor))
    assert {observed.pk, at_point.pk} <= queue  # registered, waiting to be assigned


def test_the_admin_and_an_outsider_see_no_problems(ledger, spread):
    assert _ids(selectors.problems_for(ledger.city.admin)) == set()
    assert _ids(selectors.problems_for(ledger.outsider)) == set()


def test_a_county_department_is_received_by_the_county_commission(ledger):
    c = ledger.city
    county_commission = OrganisationFactory(
        code="fz-jw", name="丰泽区纪委监委", kind="commission", parent=c.district
    )
    county_sup = give_role(UserFactory(username="fz-sup"), Role.SUPERVISOR, organisation=county_commission)
    problem = complaint(ledger)  # the enterprise is registered in the district
    assert problem.intake == county_commission
    assert problem.pk in _ids(selectors.problems_for(county_sup))
    services.problem_assign(actor=county_sup, problem=problem, department=c.district_dept, deadline_days=3)
    # A city department lies outside the county commission's reach.
    assert problem.pk not in _ids(selectors.problems_for(c.supervisor))
