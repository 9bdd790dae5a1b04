"""The read-side pages: the project list, a project's timeline, an obligation, the
committee's alarms and the enterprise's phone page, per role, allowed and denied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.contracts import ladders
from qinqing.contracts.models import (
    ClaimEvidence,
    Clause,
    Contract,
    ContractKind,
    DueChangeReason,
    DueDateChange,
    DueMode,
    DueUnit,
    EventKey,
    FulfilmentClaim,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    Project,
    ProjectEvent,
    RemedyPlan,
)
from qinqing.deadlines.models import Alert, Deadline, RungName
from qinqing.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@dataclass
class Pages:
    city: object
    today: dt.date
    project: Project
    other_project: Project  # another enterprise, the same zone
    far_project: Project  # another zone
    far_member: User  # the other zone's committee member
    land: Obligation  # government (市发改委), met 30 days early
    start: Obligation  # enterprise, 6 months after land delivery, open
    permit: Obligation  # government (市商务局), overdue, alarm open
    power: Obligation  # government (市发改委), overdue, alarm answered by a plan
    production: Obligation  # enterprise, counted from an event not yet happened: pending
    tax: Obligation  # enterprise, partly met


def _alarm(obligation: Obligation, organisation, *, fired: dt.date) -> Deadline:
    deadline = Deadline.objects.create(
        kind=ladders.ladder_kind(obligation.kind),
        object_type=ladders.OBJECT_TYPE,
        object_id=str(obligation.pk),
        title=obligation.title,
        organisation=organisation,
        due_date=obligation.due_date,
        original_due_date=obligation.original_due_date or obligation.due_date,
        last_rung=RungName.ALARM,
    )
    for rung in (RungName.REMINDER, RungName.ALARM):
        Alert.objects.create(
            deadline=deadline,
            rung=rung,
            due_date=obligation.due_date,
            rung_on=fired,
            fired_on=fired,
            fired_at=timezone.make_aware(dt.datetime.combine(fired, dt.time(8))),
        )
    obligation.deadline = deadline
    obligation.save(update_fields=["deadline"])
    return deadline


def _project(city, enterprise, committee, reference: str, signed: dt.date) -> tuple[Project, Clause]:
    project = Project.objects.create(
        reference=reference,
        name=f"项目{reference}",
        enterprise=enterprise,
        committee=committee,
        industry="装备制造",
        planned_investment=Decimal("520000000.00"),
        signed_on=signed,
        land_parcel="TS2025-07",
        land_area_mu=Decimal("86.5"),
    )
    contract = Contract.objects.create(
        project=project,
        kind=ContractKind.INVESTMENT_AGREEMENT,
        number=f"HT-{reference}",
        title="投资协议书",
        government_party=committee,
        signed_on=signed,
    )
    clause = Clause.objects.create(contract=contract, number="5.1", text="甲方应于……交付土地。")
    return project, clause


def ob(clause: Clause, **fields) -> Obligation:
    fields.setdefault("due_mode", DueMode.ABSOLUTE)
    if fields["due_mode"] == DueMode.ABSOLUTE:
        fields.setdefault("due_fixed", fields.get("due_date"))
    fields.setdefault("original_due_date", fields.get("due_date"))
    return Obligation.objects.create(project=clause.contract.project, clause=clause, **fields)


@pytest.fixture
def pages(city) -> Pages:
    today = timezone.localdate()
    signed = today - dt.timedelta(days=400)
    project, clause = _project(city, city.enterprise, city.committee, "TS-001", signed)
    land = ob(
        clause,
        obligor_side=ObligorSide.GOVERNMENT,
        obligor_department=city.drc,
        kind=ObligationKind.LAND_DELIVERY,
        title="交付净地",
        due_date=today - dt.timedelta(days=300),
        status=ObligationStatus.MET,
        met_on=today - dt.timedelta(days=330),
        days_early=30,
    )
    start = ob(
        clause,
        obligor_side=ObligorSide.ENTERPRISE,
        kind=ObligationKind.CONSTRUCTION_START,
        title="开工建设",
        due_mode=DueMode.RELATIVE,
        anchor_obligation=land,
        offset=6,
        offset_unit=DueUnit.MONTHS,
        due_date=today + dt.timedelta(days=30),
        status=ObligationStatus.OPEN,
    )
    DueDateChange.objects.create(
        obligation=start,
        old_date=None,
        new_date=start.due_date,
        reason=DueChangeReason.FIRST_DATED,
        changed_at=timezone.now() - dt.timedelta(days=330),
    )
    permit = ob(
        clause,
        obligor_side=ObligorSide.GOVERNMENT,
        obligor_department=city.commerce,
        kind=ObligationKind.PERMIT,
        title="核发施工许可证",
        due_date=today - dt.timedelta(days=10),
        status=ObligationStatus.OPEN,
    )
    _alarm(permit, city.commerce, fired=today - dt.timedelta(days=9))
    power = ob(
        clause,
        obligor_side=ObligorSide.GOVERNMENT,
        obligor_department=city.drc,
        kind=ObligationKind.UTILITY_POWER,
        title="电力接入",
        due_date=today - dt.timedelta(days=5),
        status=ObligationStatus.OPEN,
    )
    _alarm(power, city.drc, fired=today - dt.timedelta(days=4))
    RemedyPlan.objects.create(
        obligation=power,
        due_date=power.due_date,
        cause="变电站扩容延误",
        remedy="临时接电",
        proposed_date=today + dt.timedelta(days=20),
        status=PlanStatus.SUBMITTED,
        submitted_by=city.officer,
        submitted_at=timezone.now(),
    )
    event = ProjectEvent.objects.create(project=project, key=EventKey.PERMIT_APPLIED, label="")
    production = ob(
        clause,
        obligor_side=ObligorSide.ENTERPRISE,
        kind=ObligationKind.PRODUCTION_START,
        title="竣工投产",
        due_mode=DueMode.RELATIVE,
        anchor_event=event,
        offset=20,
        offset_unit=DueUnit.WORKING,
        status=ObligationStatus.PENDING,
    )
    tax = ob(
        clause,
        obligor_side=ObligorSide.ENTERPRISE,
        kind=ObligationKind.TAX_TARGET,
        title="年度税收",
        due_date=today - dt.timedelta(days=20),
        status=ObligationStatus.PARTLY_MET,
        met_on=today - dt.timedelta(days=25),
        days_early=5,
        target_value=Decimal("1000"),
        target_unit="万元",
        achieved_value=Decimal("700"),
    )
    claim = FulfilmentClaim.objects.create(
        obligation=tax,
        status="confirmed",
        outcome="partly_met",
        met_on=tax.met_on,
        achieved_value=Decimal("700"),
        claimed_by=city.enterprise_user,
        claimed_at=timezone.now() - dt.timedelta(days=24),
        answered_by=city.committee_member,
        answered_at=timezone.now() - dt.timedelta(days=23),
    )
    ClaimEvidence.objects.create(
        claim=claim,
        original_name="完税证明.pdf",
        stored_name="contracts/evidence/x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    other_project, other_clause = _project(city, city.other_enterprise, city.committee, "TS-002", signed)
    ob(
        other_clause,
        obligor_side=ObligorSide.ENTERPRISE,
        kind=ObligationKind.INVESTMENT,
        title="完成投资",
        due_date=today + dt.timedelta(days=90),
        status=ObligationStatus.OPEN,
    )
    far_zone = OrganisationFactory(
        code="far", name="经济开发区管委会", kind=OrganisationKind.COMMITTEE, parent=city.city
    )
    far_member = give_role(UserFactory(username="farcmt"), Role.COMMITTEE, organisation=far_zone)
    far_project, far_clause = _project(
        city, EnterpriseFactory(region=city.district), far_zone, "JK-001", signed
    )
    ob(
        far_clause,
        obligor_side=ObligorSide.GOVERNMENT,
        obligor_department=city.commerce,
        kind=ObligationKind.LAND_CLEARANCE,
        title="完成征迁",
        due_date=today + dt.timedelta(days=10),
        status=ObligationStatus.OPEN,
    )
    return Pages(
        city=city,
        today=today,
        project=project,
        other_project=other_project,
        far_project=far_project,
        far_member=far_member,
        land=land,
        start=start,
        permit=permit,
        power=power,
        production=production,
        tax=tax,
    )


def _get(client, user, name: str, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _refs(response) -> list[str]:
    return [p.reference for p, _counts in response.context["rows"]]


# --- The project list ----------------------------------------------------------------------


def test_committee_lists_its_zone_with_counts_per_side(client, pages):
    response = _get(client, pages.city.committee_member, "contracts:projects")
    assert response.status_code == 200
    assert sorted(_refs(response)) == ["TS-001", "TS-002"]
    counts = dict(response.context["rows"])[pages.project]
    assert (counts.government.total, counts.government.on_time, counts.government.early) == (3, 1, 1)
    assert counts.government.late == 2  # the permit and the power connection
    assert (counts.government.alarms, counts.government.answered) == (1, 1)
    assert (counts.enterprise.total, counts.enterprise.on_time, counts.enterprise.late) == (3, 0, 0)
    assert counts.enterprise.partly == 1
    html = response.content.decode()
    assert 'data-testid="alarm-badge"' in html


def test_other_zone_committee_sees_only_its_own(client, pages):
    response = _get(client, pages.far_member, "contracts:projects")
    assert _refs(response) == ["JK-001"]


def test_department_sees_the_projects_it_owes_in(client, pages):
    assert _refs(_get(client, pages.city.officer, "contracts:projects")) == ["TS-001"]
    assert sorted(_refs(_get(client, pages.city.other_officer, "contracts:projects"))) == ["JK-001", "TS-001"]


def test_city_supervisor_sees_all(client, pages):
    response = _get(client, pages.city.city_supervisor, "contracts:projects")
    assert sorted(_refs(response)) == ["JK-001", "TS-001", "TS-002"]


def test_enterprise_is_sent_to_its_phone_page(client, pages):
    response = _get(client, pages.city.enterprise_user, "contracts:projects")
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:mine")


def test_admin_is_refused(client, pages):
    assert _get(client, pages.city.admin, "contracts:projects").status_code == 403


def test_anonymous_goes_to_login(client, pages):
    response = client.get(reverse("contracts:projects"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "TS-002"}, ["TS-002"]),
        ({"q": "项目TS-001"}, ["TS-001"]),
        ({"alarms": "1"}, ["TS-001"]),
        ({"status": "completed"}, []),
        ({"status": "bogus", "industry": "装备制造"}, ["TS-001", "TS-002"]),
        ({"industry": "纺织"}, []),
        ({"page": "x"}, ["TS-001", "TS-002"]),
    ],
)
def test_filters(client, pages, params, expected):
    response = _get(client, pages.city.committee_member, "contracts:projects", **params)
    assert response.status_code == 200
    assert sorted(_refs(response)) == expected


def test_search_by_enterprise_name(client, pages):
    name = pages.city.other_enterprise.name
    assert _refs(_get(client, pages.city.committee_member, "contracts:projects", q=name)) == ["TS-002"]


def test_htmx_filter_gets_only_the_results(client, pages):
    client.force_login(pages.city.committee_member)
    response = client.get(reverse("contracts:projects"), {"alarms": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="project-results">')
    assert "TS-001" in html
    assert "<form" not in html


def test_empty_list_says_so(client, pages):
    response = _get(client, pages.far_member, "contracts:projects", q="nothing")
    assert 'data-testid="no-projects"' in response.content.decode()


def test_list_costs_a_fixed_number_of_queries(client, pages, django_assert_num_queries):
    client.force_login(pages.city.committee_member)
    url = reverse("contracts:projects")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(6):
        project, clause = _project(
            pages.city,
            EnterpriseFactory(region=pages.city.district),
            pages.city.committee,
            f"TS-1{n:02d}",
            pages.today,
        )
        for k in range(3):
            ob(
                clause,
                obligor_side=ObligorSide.ENTERPRISE,
                kind=ObligationKind.INVESTMENT,
                title=f"义务{k}",
                due_date=pages.today + dt.timedelta(days=k),
                status=ObligationStatus.OPEN,
            )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 8
    assert len(first.captured_queries) == LIST_QUERIES, [q["sql"][:90] for q in first.captured_queries]


# Session, user, scope (one statement), the inbox badge, count, page, obligation counts,
# industries.
LIST_QUERIES = 8


# --- One project ----------------------------------------------------------------------------


def test_project_page_shows_both_sides_on_one_timeline(client, pages):
    response = _get(client, pages.city.committee_member, "contracts:project", pages.project.public_id)
    assert response.status_code == 200
    gantt = response.context["gantt"]
    bars = {b["label"]: b for b in gantt["bars"]}
    assert set(bars) == {"交付净地", "开工建设", "核发施工许可证", "电力接入", "竣工投产", "年度税收"}
    assert bars["交付净地"]["tone"] == "met"
    assert bars["交付净地"]["met"] == pages.land.met_on.isoformat()
    assert bars["核发施工许可证"]["tone"] == "late"
    assert bars["年度税收"]["tone"] == "partly"
    assert bars["开工建设"]["tone"] == "open"
    assert bars["竣工投产"]["tone"] == "pending"
    assert bars["竣工投产"]["due"] is None
    # The construction start counts from the land delivery's met date.
    assert bars["开工建设"]["start"] == pages.land.met_on.isoformat()
    # Enterprise rows first, then the government's.
    sides = [b["side"] for b in gantt["bars"]]
    assert sides == sorted(sides, key=lambda s: s != "enterprise")
    html = response.content.decode()
    assert 'id="contracts-gantt-data"' in html
    assert 'data-gantt="contracts-gantt-data"' in html
    assert "<script>" not in html.replace('<script id="contracts-gantt-data" type="application/json">', "")
    assert "TS2025-07" in html
    assert reverse("contracts:obligation", args=[pages.permit.public_id]) in html
    assert 'data-testid="enterprise-obligations"' in html
    assert 'data-testid="government-obligations"' in html
    assert "30 days early" in html or "提前30天" in html.replace(" ", "")


def test_moved_due_date_shows_the_original(client, pages):
    pages.start.original_due_date = pages.today + dt.timedelta(days=10)
    pages.start.save(update_fields=["original_due_date"])
    response = _get(client, pages.city.committee_member, "contracts:project", pages.project.public_id)
    bar = next(b for b in response.context["gantt"]["bars"] if b["label"] == "开工建设")
    assert bar["original"] == (pages.today + dt.timedelta(days=10)).isoformat()
    assert 'data-testid="original-due"' in response.content.decode()


@pytest.mark.parametrize(
    "who", ["committee_member", "officer", "other_officer", "city_supervisor", "enterprise_user"]
)
def test_project_readers(client, pages, who):
    user = getattr(pages.city, who)
    assert _get(client, user, "contracts:project", pages.project.public_id).status_code == 200


def test_project_denied_paths(client, pages):
    # Another enterprise's project, another zone's, a department that owes nothing there.
    assert (
        _get(
            client, pages.city.enterprise_user, "contracts:project", pages.other_project.public_id
        ).status_code
        == 404
    )
    assert _get(client, pages.far_member, "contracts:project", pages.project.public_id).status_code == 404
    assert (
        _get(client, pages.city.officer, "contracts:project", pages.far_project.public_id).status_code == 404
    )
    assert _get(client, pages.city.admin, "contracts:project", pages.project.public_id).status_code == 403
    missing = "00000000-0000-0000-0000-000000000000"
    assert _get(client, pages.city.committee_member, "contracts:project", missing).status_code == 404


def test_project_page_costs_a_fixed_number_of_queries(client, pages, django_assert_num_queries):
    client.force_login(pages.city.committee_member)
    url = reverse("contracts:project", args=[pages.project.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    clause = pages.land.clause
    for k in range(5):
        ob(
            clause,
            obligor_side=ObligorSide.GOVERNMENT,
            obligor_department=pages.city.drc,
            kind=ObligationKind.SUBSIDY,
            title=f"补贴{k}",
            due_mode=DueMode.RELATIVE,
            anchor_obligation=pages.land,
            offset=k,
            offset_unit=DueUnit.CALENDAR,
            due_date=pages.today + dt.timedelta(days=k),
            status=ObligationStatus.OPEN,
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["gantt"]["bars"]) == 11
    assert len(first.captured_queries) == PROJECT_QUERIES, [q["sql"][:90] for q in first.captured_queries]


# Session, user, scope (one statement), the inbox badge, the project, contracts, clauses,
# events, obligations with their claims, evidence and plans.
PROJECT_QUERIES = 12


# --- One obligation -------------------------------------------------------------------------


def test_obligation_page_rule_history_and_alarm(client, pages):
    response = _get(client, pages.city.committee_member, "contracts:obligation", pages.start.public_id)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["rule"] in html
    assert "交付净地" in response.context["rule"]
    assert reverse("contracts:obligation", args=[pages.land.public_id]) in html  # the anchor
    kinds = [e.kind for e in response.context["history"]]
    assert kinds == ["due_change"]

    response = _get(client, pages.city.committee_member, "contracts:obligation", pages.permit.public_id)
    html = response.content.decode()
    assert response.context["obligation"].alarm_state == "open"
    assert 'data-testid="alarm-banner"' in html
    assert [e.kind for e in response.context["history"]] == ["alert", "alert"]

    response = _get(client, pages.city.committee_member, "contracts:obligation", pages.tax.public_id)
    kinds = [e.kind for e in response.context["history"]]
    assert kinds == ["claim", "claim_answer"]
    assert "完税证明.pdf" in response.content.decode()


def test_rule_in_words_for_working_days_after_an_event(client, pages):
    client.force_login(pages.city.committee_member)
    with timezone.override("Asia/Shanghai"):
        response = client.get(
            reverse("contracts:obligation", args=[pages.production.public_id]), HTTP_ACCEPT_LANGUAGE="en"
        )
    rule = response.context["rule"]
    assert "20" in rule
    assert response.context["obligation"].status == ObligationStatus.PENDING


def test_answered_alarm_on_the_obligation(client, pages):
    response = _get(client, pages.city.committee_member, "contracts:obligation", pages.power.public_id)
    assert response.context["obligation"].alarm_state == "answered"
    assert [e.kind for e in response.context["history"]] == ["alert", "alert", "plan"]


def test_obligation_denied_paths(client, pages):
    other = Obligation.objects.get(project=pages.other_project)
    far = Obligation.objects.get(project=pages.far_project)
    assert (
        _get(client, pages.city.enterprise_user, "contracts:obligation", other.public_id).status_code == 404
    )
    assert _get(client, pages.far_member, "contracts:obligation", pages.start.public_id).status_code == 404
    assert _get(client, pages.city.officer, "contracts:obligation", far.public_id).status_code == 404
    assert (
        _get(client, pages.city.enterprise_user, "contracts:obligation", pages.start.public_id).status_code
        == 200
    )
    assert _get(client, pages.city.city_supervisor, "contracts:obligation", far.public_id).status_code == 200


# --- Alarms ---------------------------------------------------------------------------------


def test_alarms_oldest_first(client, pages):
    response = _get(client, pages.city.committee_member, "contracts:alarms")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["obligation"].title for r in rows] == ["核发施工许可证", "电力接入"]
    assert [r["obligation"].alarm_state for r in rows] == ["open", "answered"]
    assert rows[1]["plan"] is not None
    assert rows[0]["days_overdue"] == 10
    only_open = _get(client, pages.city.committee_member, "contracts:alarms", state="open")
    assert [r["obligation"].title for r in only_open.context["rows"]] == ["核发施工许可证"]


def test_alarms_denied_and_empty(client, pages):
    assert _get(client, pages.city.enterprise_user, "contracts:alarms").status_code == 403
    assert _get(client, pages.city.officer, "contracts:alarms").status_code == 403
    response = _get(client, pages.far_member, "contracts:alarms")
    assert response.context["rows"] == []
    assert 'data-testid="no-alarms"' in response.content.decode()
    assert len(_get(client, pages.city.city_supervisor, "contracts:alarms").context["rows"]) == 2


# --- The enterprise's phone page ------------------------------------------------------------


def test_mine_lists_own_obligations_next_due_first(client, pages):
    response = _get(client, pages.city.enterprise_user, "contracts:mine")
    assert response.status_code == 200
    assert [p.reference for p in response.context["projects"]] == ["TS-001"]
    own = [i["obligation"].title for i in response.context["own"]]
    assert own[0] == "年度税收" or own[0] == "开工建设"
    assert set(own) == {"开工建设", "竣工投产", "年度税收"}
    assert own.index("开工建设") < own.index("竣工投产")  # the undated one last among the owed
    theirs = [i["obligation"].title for i in response.context["theirs"]]
    assert set(theirs) == {"交付净地", "核发施工许可证", "电力接入"}
    html = response.content.decode()
    assert "TS-002" not in html


def test_mine_is_for_enterprises(client, pages):
    assert _get(client, pages.city.committee_member, "contracts:mine").status_code == 403


def test_navigation_has_the_contracts_entry(client, pages):
    client.force_login(pages.city.committee_member)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("contracts:projects")}"' in html
    assert f'href="{reverse("contracts:dashboard")}"' in html  # a card on the home page
    assert "合同双兑现看板" in html
    client.force_login(pages.city.enterprise_user)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("contracts:mine")}"' in html
    assert f'href="{reverse("contracts:projects")}"' not in html


def test_authoring_links_only_for_the_zones_committee(client, pages):
    edit = reverse("contracts:project_edit", args=[pages.project.public_id])
    clause = pages.land.clause
    new_obligation = reverse("contracts:obligation_new", args=[clause.contract.public_id, clause.pk])
    html = _get(
        client, pages.city.committee_member, "contracts:project", pages.project.public_id
    ).content.decode()
    assert edit in html
    assert new_obligation in html
    assert reverse("contracts:event_record", args=[pages.project.public_id]) in html
    for user in (pages.city.officer, pages.city.city_supervisor):
        html = _get(client, user, "contracts:project", pages.project.public_id).content.decode()
        assert edit not in html
        assert new_obligation not in html
    # The enterprise records its own applications' events.
    html = _get(
        client, pages.city.enterprise_user, "contracts:project", pages.project.public_id
    ).content.decode()
    assert reverse("contracts:event_record", args=[pages.project.public_id]) in html
    assert edit not in html


def test_list_links_new_project_and_export_for_the_committee(client, pages):
    html = _get(client, pages.city.committee_member, "contracts:projects").content.decode()
    assert reverse("contracts:project_new") in html
    assert reverse("contracts:export_projects") in html
    html = _get(client, pages.city.officer, "contracts:projects").content.decode()
    assert reverse("contracts:project_new") not in html


def test_mine_asks_the_enterprise_to_answer_its_alarm(client, pages):
    start = pages.start
    start.due_date = start.original_due_date = pages.today - dt.timedelta(days=3)
    start.save(update_fields=["due_date", "original_due_date"])
    _alarm(start, pages.city.committee, fired=pages.today - dt.timedelta(days=2))
    response = _get(client, pages.city.enterprise_user, "contracts:mine")
    item = next(i for i in response.context["own"] if i["obligation"].pk == start.pk)
    assert item["todo"] == ["plan", "claim"]
    assert item["days_overdue"] == 3
    assert response.context["own"][0] is item  # the most pressing first
    html = response.content.decode()
    assert 'data-action="plan"' in html


def test_group_supervisor_reads_the_projects_its_department_owes_in(client, pages):
    # The group supervises 市发改委, which owes the land and the power in TS-001 only.
    assert _refs(_get(client, pages.city.supervisor, "contracts:projects")) == ["TS-001"]
    assert (
        _get(client, pages.city.supervisor, "contracts:project", pages.far_project.public_id).status_code
        == 404
    )
    response = _get(client, pages.city.supervisor, "contracts:obligation", pages.permit.public_id)
    assert response.status_code == 200
    assert response.context["actions"] == frozenset()


def test_list_pages_keep_the_filters(client, pages, monkeypatch):
    from qinqing.contracts.views import browse

    monkeypatch.setattr(browse, "PAGE_SIZE", 1)
    first = _get(client, pages.city.city_supervisor, "contracts:projects", industry="装备制造")
    assert first.context["page"].paginator.num_pages == 3
    assert "industry=%E8%A3%85%E5%A4%87%E5%88%B6%E9%80%A0&amp;page=2" in first.content.decode()
    second = _get(client, pages.city.city_supervisor, "contracts:projects", industry="装备制造", page="2")
    assert _refs(second) != _refs(first)
