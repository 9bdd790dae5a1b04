"""The dashboard's figures: live while they are cheap, a snapshot once they are not
(services/dashboard.py): shared by those whose view is the same query and by no one
else, said as of when, refreshed by one job however many viewers find it stale, labelled
in each viewer's language, dropped once the figures are cheap again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qinqing.accounts.models import Role, RoleAssignment
from qinqing.accounts.tests.factories import UserFactory
from qinqing.ledger.models import DashboardSnapshot
from qinqing.ledger.services.dashboard import REFRESH_CLAIM_SECONDS
from qinqing.ledger.tasks import refresh_ledger_dashboard
from qinqing.ledger.views import dashboard as dashboard_views

from .conftest import complaint
from .test_pages_office import Office, book, build_office, column, get

pytestmark = pytest.mark.django_db

REFRESH_TASK = "qinqing.ledger.tasks.refresh_ledger_dashboard"


@pytest.fixture
def office(ledger: Any) -> Office:
    return build_office(ledger)


@pytest.fixture
def slow(settings: Any) -> Any:
    """Every computation counts as slow: the dashboard keeps snapshots."""
    settings.LEDGER_DASHBOARD_SNAPSHOT_MS = 0
    settings.LEDGER_DASHBOARD_MAX_AGE_SECONDS = 300
    return settings


@pytest.fixture
def view(client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Show the dashboard to a user; what the view leaves for after the commit (the
    refresh job's enqueueing) runs at its end, as a real request's transaction would."""

    def show(user: Any, **params: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = get(client, user, "ledger:dashboard", **params)
        assert response.status_code == 200
        return response

    return show


def refresh_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=REFRESH_TASK))


def age(snapshot_filter: dict[str, Any], seconds: int) -> None:
    DashboardSnapshot.objects.filter(**snapshot_filter).update(
        as_of=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_cheap_figures_are_live_and_keep_no_snapshot(view: Any, office: Office) -> None:
    response = view(office.c.city_supervisor)
    assert response.context["totals"]["registered"] == 5
    assert response.context["as_of"] is None
    assert 'data-testid="snapshot-note"' not in response.content.decode()
    complaint(office.w, title="新问题")
    assert view(office.c.city_supervisor).context["totals"]["registered"] == 6
    assert not DashboardSnapshot.objects.exists()


def test_slow_figures_are_kept_and_said_as_of_when(
    view: Any, office: Office, slow: Any, monkeypatch: Any
) -> None:
    first = view(office.c.city_supervisor)
    assert first.context["totals"]["registered"] == 5
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.user == office.c.city_supervisor
    assert first.context["as_of"] == snapshot.as_of
    complaint(office.w, title="新问题")

    def not_again(*args: Any) -> None:
        raise AssertionError("the figures' part is rendered once per snapshot")

    monkeypatch.setattr(dashboard_views, "_body_context", not_again)
    again = view(office.c.city_supervisor)
    # The snapshot, not the ledger as it is now; the page says so.
    assert again.context["totals"]["registered"] == 5
    html = again.content.decode()
    assert 'data-testid="snapshot-note"' in html
    assert timezone.localtime(snapshot.as_of).strftime("%Y-%m-%d %H:%M") in html
    # The second view reused the figures' part the first rendered: the same bytes.
    assert (
        html.split('data-testid="definitions"')[1]
        == first.content.decode().split('data-testid="definitions"')[1]
    )
    assert 'data-testid="figure-registered">5</a>' in html
    # Fresh: nobody asked for a refresh.
    assert refresh_jobs() == []


def test_a_stale_snapshot_is_shown_at_once_and_refreshed_by_one_job(
    view: Any, office: Office, slow: Any
) -> None:
    view(office.c.city_supervisor)
    complaint(office.w, title="新问题")
    age({}, 301)
    # Several viewers find it stale: each sees the old figures at once; one job is asked.
    for _ in range(3):
        assert view(office.c.city_supervisor).context["totals"]["registered"] == 5
    jobs = refresh_jobs()
    assert len(jobs) == 1
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.refreshing_since is not None
    assert jobs[0].args_kwargs["kwargs"] == {"key": snapshot.key}

    assert refresh_ledger_dashboard.call(key=snapshot.key) == "refreshed"
    snapshot.refresh_from_db()
    assert snapshot.refreshing_since is None
    assert snapshot.figures["totals"]["registered"] == 6
    response = view(office.c.city_supervisor)
    assert response.context["totals"]["registered"] == 6
    assert response.context["as_of"] == snapshot.as_of
    # The page's figures too, not a part rendered from the earlier snapshot.
    assert 'data-testid="figure-registered">6</a>' in response.content.decode()
    # Twice is harmless.
    assert refresh_ledger_dashboard.call(key=snapshot.key) == "refreshed"


def test_a_snapshot_of_an_earlier_day_is_stale(view: Any, office: Office, slow: Any) -> None:
    view(office.c.city_supervisor)
    slow.LEDGER_DASHBOARD_MAX_AGE_SECONDS = 10 * 86400
    age({}, 86400)  # yesterday, at most: overdue counts have moved
    view(office.c.city_supervisor)
    assert len(refresh_jobs()) == 1


def test_views_of_a_snapshot_being_refreshed_write_nothing(view: Any, office: Office, slow: Any) -> None:
    view(office.c.city_supervisor)
    age({}, 301)
    view(office.c.city_supervisor)  # claims the refresh
    with CaptureQueriesContext(connection) as seen:
        view(office.c.city_supervisor)
    writes = [
        q["sql"] for q in seen.captured_queries if "dashboardsnapshot" in q["sql"] and "UPDATE" in q["sql"]
    ]
    assert writes == []


def test_a_refresh_claim_left_by_a_dead_worker_expires(view: Any, office: Office, slow: Any) -> None:
    view(office.c.city_supervisor)
    age({}, 301)
    view(office.c.city_supervisor)
    view(office.c.city_supervisor)
    assert len(refresh_jobs()) == 1
    DashboardSnapshot.objects.update(
        refreshing_since=timezone.now() - dt.timedelta(seconds=REFRESH_CLAIM_SECONDS + 1)
    )
    view(office.c.city_supervisor)
    assert len(refresh_jobs()) == 2


def test_a_refresh_drops_the_snapshot_once_figures_are_cheap(view: Any, office: Office, slow: Any) -> None:
    view(office.c.city_supervisor)
    key = DashboardSnapshot.objects.get().key
    slow.LEDGER_DASHBOARD_SNAPSHOT_MS = 60_000
    assert refresh_ledger_dashboard.call(key=key) == "dropped"
    assert not DashboardSnapshot.objects.exists()
    complaint(office.w, title="新问题")
    response = view(office.c.city_supervisor)
    assert response.context["as_of"] is None
    assert response.context["totals"]["registered"] == 6
    assert refresh_ledger_dashboard.call(key=key) == "gone"


def test_a_refresh_drops_a_snapshot_whose_recipe_changed(view: Any, office: Office, slow: Any) -> None:
    """The recipe is the user who first viewed it and the filters; once that user's reach
    is another, recomputing would put other figures under the key: the snapshot goes."""
    c = office.c
    view(c.city_supervisor)
    key = DashboardSnapshot.objects.get().key
    RoleAssignment.objects.filter(user=c.city_supervisor).delete()
    assert refresh_ledger_dashboard.call(key=key) == "dropped"
    assert not DashboardSnapshot.objects.exists()


def test_one_query_one_snapshot_and_none_shared_across_reaches(view: Any, office: Office, slow: Any) -> None:
    c = office.c
    colleague = UserFactory(username="citysup2")
    RoleAssignment.objects.create(user=colleague, role=Role.SUPERVISOR, organisation=c.commission)
    assert view(c.city_supervisor).context["totals"]["registered"] == 5
    complaint(office.w, title="新问题")
    # The colleague's view is the same query: the same snapshot (and its figures).
    assert view(colleague).context["totals"]["registered"] == 5
    assert DashboardSnapshot.objects.count() == 1
    # The stationed group reads less: its own figures, computed now.
    group = view(c.supervisor)
    assert group.context["totals"]["registered"] == 3
    # A period or an area is another query, another snapshot.
    area = view(c.city_supervisor, area=str(c.district.public_id))
    assert area.context["totals"]["registered"] == 1
    today = timezone.localdate().isoformat()
    period = view(c.city_supervisor, **{"from": today, "to": today})
    assert period.context["totals"]["registered"] == 6
    assert DashboardSnapshot.objects.count() == 4


def test_a_snapshot_speaks_each_viewers_language(office: Office, slow: Any) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(office.c.city_supervisor)
    first = english.get(reverse("ledger:dashboard"))
    assert "Enterprise complaint" in [row["name"] for row in first.context["channels"]]
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(office.c.city_supervisor)
    second = chinese.get(reverse("ledger:dashboard"))
    assert second.context["as_of"] is not None  # from the snapshot
    names = [row["name"] for row in second.context["channels"]]
    assert "企业投诉" in names
    assert "Enterprise complaint" not in names
    # The rendered figures are kept per language: each viewer reads their own.
    assert "企业投诉" in second.content.decode() and "Enterprise complaint" not in second.content.decode()
    again = english.get(reverse("ledger:dashboard")).content.decode()
    assert "Enterprise complaint" in again and "企业投诉" not in again


def test_the_export_writes_what_the_page_shows(client: Any, view: Any, office: Office, slow: Any) -> None:
    view(office.c.city_supervisor)
    complaint(office.w, title="新问题")
    workbook = book(get(client, office.c.city_supervisor, "ledger:dashboard_export"))
    assert column(workbook.worksheets[0], "Value")[1] == 5  # under the scope: registered
