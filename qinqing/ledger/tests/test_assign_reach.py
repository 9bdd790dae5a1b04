"""A problem received by a county's commission may be sent by the city's commission to a
city department: the assign form offers what the dispatcher's reach covers."""

from __future__ import annotations

from django.urls import reverse

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.ledger.models import ProblemStatus

from .conftest import complaint


def test_the_city_commission_assigns_a_county_problem_to_a_city_department(client, ledger):
    c = ledger.city
    county_commission = OrganisationFactory(
        code="fz-jw-reach", name="丰泽区纪委监委", kind="commission", parent=c.district
    )
    county_sup = give_role(
        UserFactory(username="fz-sup-reach"), Role.SUPERVISOR, organisation=county_commission
    )
    problem = complaint(ledger)
    assert problem.intake == county_commission
    url = reverse("ledger:problem", args=[problem.public_id])

    # The county's commission is offered the county's departments only.
    client.force_login(county_sup)
    page = client.get(url).content.decode()
    assert str(c.district_dept.public_id) in page
    assert str(c.drc.public_id) not in page

    # The city's commission is offered the city's too, and the assignment goes through.
    client.force_login(c.city_supervisor)
    page = client.get(url).content.decode()
    assert str(c.drc.public_id) in page and str(c.district_dept.public_id) in page
    response = client.post(
        reverse("ledger:problem_assign", args=[problem.public_id]),
        {
            "assign-revision": problem.revision,
            "assign-department": str(c.drc.public_id),
            "assign-deadline_mode": "working_days",
            "assign-deadline_days": "5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ASSIGNED
    assert problem.organisation == c.drc
    assert problem.supervising_group == c.group
