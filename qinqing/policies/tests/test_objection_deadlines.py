"""An objection (异议) goes to one official who took no part in the case, with a deadline
in working days: warned before it, alarmed to the supervisors once overdue, each once;
closed when decided. The officials' objections page lists them by deadline, and exports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import override_settings
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.deadlines.models import Alert, Deadline, DeadlineStatus, RungName
from qinqing.deadlines.testing import scan_and_notify
from qinqing.integrity.services import relation_declare
from qinqing.policies.ladders import OBJECTION_DEADLINE_KIND
from qinqing.policies.models import Objection
from qinqing.policies.services.cases import (
    case_approve,
    case_reject,
    invitation_confirm,
    objection_decide,
    objection_lodge,
)
from qinqing.workdays.calendar import current_calendar

from .workflow import World, refreshed

pytestmark = pytest.mark.django_db

PAGE = "/policies/office/objections/"


def _rejected(world: World) -> Any:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    return case_reject(actor=world.head, case=case, reason="评定文件不全")


def test_an_appeal_goes_to_an_official_who_took_no_part_with_a_deadline(world: World) -> None:
    head_b = give_role(UserFactory(username="head-b"), Role.DEPARTMENT_HEAD, organisation=world.city.drc)
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    # A head who took no part is preferred to an officer; the head who rejected is not one.
    assert objection.assignee == head_b
    today = timezone.localdate()
    assert objection.due_date == current_calendar().add_working_days(today, 5)
    deadline = Deadline.objects.get(pk=objection.deadline_id)
    assert (deadline.kind, deadline.owner, deadline.due_date, deadline.status) == (
        OBJECTION_DEADLINE_KIND,
        head_b,
        objection.due_date,
        DeadlineStatus.OPEN,
    )
    objection_decide(actor=world.officer_b, objection=objection, uphold=False, reply="驳回维持")
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET  # any eligible official may decide it


def test_the_owner_is_never_barred_and_the_limit_is_a_setting(world: World) -> None:
    case = _rejected(world)
    relation_declare(
        actor=world.officer_b, enterprise=world.spot, kind="relative_employee", description="配偶任该企业财务"
    )
    officer_c = give_role(UserFactory(username="officer-c"), Role.OFFICER, organisation=world.city.drc)
    with override_settings(POLICY_OBJECTION_WORKING_DAYS=3):
        objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    # officer and head acted, officer_b declared a relation: officer_c is left.
    assert objection.assignee == officer_c
    assert objection.due_date == current_calendar().add_working_days(timezone.localdate(), 3)


def test_warned_before_and_alarmed_once_after_the_deadline(world: World) -> None:
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    calendar = current_calendar()
    warn_day = calendar.add_working_days(objection.due_date, -1)
    scan_and_notify(today=warn_day)
    alerts = Alert.objects.filter(deadline_id=objection.deadline_id)
    assert list(alerts.values_list("rung", flat=True)) == [RungName.WARNING]
    alarm_day = calendar.add_working_days(objection.due_date, 1)
    scan_and_notify(today=alarm_day)
    scan_and_notify(today=alarm_day)  # a second scan the same day fires nothing again
    assert sorted(alerts.values_list("rung", flat=True)) == sorted([RungName.WARNING, RungName.ALARM])
    assert alerts.filter(rung=RungName.ALARM).count() == 1


def test_objections_page_lists_by_deadline_and_exports(client: Any, world: World) -> None:
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")
    owner = objection.assignee
    assert owner is not None
    client.force_login(owner)
    html = client.get(PAGE).content.decode()
    assert html.count('data-testid="objection-row"') == 1
    assert case.reference in html
    assert client.get(PAGE + "?mine=1").content.decode().count('data-testid="objection-row"') == 1
    client.force_login(world.officer)  # took part: still sees the department's objections
    assert client.get(PAGE + "?mine=1").content.decode().count('data-testid="objection-row"') == 0
    assert client.get(PAGE).content.decode().count('data-testid="objection-row"') == 1
    book = openpyxl.load_workbook(io.BytesIO(client.get(PAGE + "export/").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == case.reference and rows[1][6] == str(owner)
    objection_decide(actor=world.officer_b, objection=objection, uphold=False, reply="维持")
    assert client.get(PAGE).content.decode().count('data-testid="objection-row"') == 0
    decided = client.get(PAGE + "?status=dismissed").content.decode()
    assert decided.count('data-testid="objection-row"') == 1
    client.force_login(world.city.supervisor)
    assert client.get(PAGE + "?status=all").status_code == 200
    client.force_login(world.city.other_officer)
    assert client.get(PAGE + "?status=all").content.decode().count('data-testid="objection-row"') == 0
    client.force_login(world.spot_user)
    assert client.get(PAGE).status_code == 403


def test_case_page_and_api_show_who_answers_and_by_when(client: Any, world: World) -> None:
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    client.force_login(world.officer)
    html = client.get(f"/policies/office/cases/{case.public_id}/").content.decode()
    assert 'data-testid="objection-owner"' in html
    body = client.get(f"/api/v1/policies/cases/{case.public_id}").json()
    item = body["objections"][0]
    assert item["decide_by"] == objection.due_date.isoformat()
    assert item["assignee"] == str(objection.assignee)
    assert refreshed(case).status == "appealed"
    assert Objection.objects.get(pk=objection.pk).deadline_id is not None


def test_api_lists_objections_by_deadline(client: Any, world: World) -> None:
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    owner = objection.assignee
    assert owner is not None
    client.force_login(owner)
    body = client.get("/api/v1/policies/objections?mine=true").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["case_reference"], item["assignee"], item["overdue"]) == (case.reference, str(owner), False)
    assert item["decide_by"] == objection.due_date.isoformat()
    client.force_login(world.officer)
    assert client.get("/api/v1/policies/objections?mine=true").json()["count"] == 0
    assert client.get("/api/v1/policies/objections?status=all").json()["count"] == 1
    client.force_login(world.spot_user)
    assert client.get("/api/v1/policies/objections").status_code == 403


def test_the_supervisors_timeline_shows_the_objections_deadline(world: World) -> None:
    from qinqing.supervision.policy_cases import case_timeline

    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    objection_decide(actor=world.officer_b, objection=objection, uphold=False, reply="维持")
    timeline = case_timeline(world.city.supervisor, refreshed(case), verify=False)
    actions = [
        e.entry.event.action
        for e in timeline.events
        if e.entry.event.object_type == "deadlines.deadline"
        and e.entry.event.object_id == str(objection.deadline_id)
    ]
    assert actions == ["deadline.open", "deadline.close"]


def test_the_enterprise_sees_by_when_its_objection_is_decided(client: Any, world: World) -> None:
    case = _rejected(world)
    objection = objection_lodge(actor=world.spot_user, case=case, text="异议")
    client.force_login(world.spot_user)
    html = client.get(f"/policies/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="objection-due"' in html
    assert objection.due_date.isoformat() in html
    assert str(objection.assignee) not in html  # who answers is the department's business


def test_the_supervisors_pages_lead_to_the_objections(client: Any, world: World) -> None:
    case = _rejected(world)
    objection_lodge(actor=world.spot_user, case=case, text="异议")
    client.force_login(world.city.supervisor)
    html = client.get("/supervision/policies/late/").content.decode()
    assert 'data-testid="objections-tab"' in html
    listed = client.get(PAGE + "?status=all").content.decode()
    assert listed.count('data-testid="objection-row"') == 1
