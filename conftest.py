"""Fixtures shared by every app's tests: a small city and one user per role.

The tree:   city 泉州市
              ├─ district 丰泽区 ── department 丰泽区市场监管局
              ├─ department 市发改委, department 市商务局
              ├─ committee 台商投资区管委会
              └─ commission 市纪委监委 ── group 派驻第一纪检监察组 (supervises 市发改委)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory

# Lets the test database's flush through the audit trail's append-only guards.
pytest_plugins = ["qinqing.audit.testing"]


@pytest.fixture
def file_storage(settings, tmp_path):
    """The default file storage (uploads, evidence, reports) in a folder of the test's
    own, which is returned."""
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@dataclass
class City:
    city: Organisation
    district: Organisation
    district_dept: Organisation
    drc: Organisation
    commerce: Organisation
    committee: Organisation
    commission: Organisation
    group: Organisation
    enterprise: Enterprise
    other_enterprise: Enterprise
    enterprise_user: User
    officer: User
    other_officer: User
    head: User
    committee_member: User
    supervisor: User
    city_supervisor: User
    admin: User


@pytest.fixture
def city(db) -> City:
    c = OrganisationFactory(code="qz", name="泉州市", kind=OrganisationKind.CITY, region_code="350500")
    d = OrganisationFactory(
        code="fz", name="丰泽区", kind=OrganisationKind.DISTRICT, parent=c, region_code="350503"
    )
    dd = OrganisationFactory(code="fz-scjg", name="丰泽区市场监管局", parent=d)
    drc = OrganisationFactory(code="drc", name="市发改委", parent=c)
    com = OrganisationFactory(code="commerce", name="市商务局", parent=c)
    cmt = OrganisationFactory(code="tsq", name="台商投资区管委会", kind=OrganisationKind.COMMITTEE, parent=c)
    jw = OrganisationFactory(code="jw", name="市纪委监委", kind=OrganisationKind.COMMISSION, parent=c)
    grp = OrganisationFactory(
        code="jw-g1", name="派驻第一纪检监察组", kind=OrganisationKind.SUPERVISION_GROUP, parent=jw
    )
    grp.supervised.set([drc])
    e1 = EnterpriseFactory(region=d)
    e2 = EnterpriseFactory(region=d)
    return City(
        city=c,
        district=d,
        district_dept=dd,
        drc=drc,
        commerce=com,
        committee=cmt,
        commission=jw,
        group=grp,
        enterprise=e1,
        other_enterprise=e2,
        enterprise_user=give_role(UserFactory(username="ent"), Role.ENTERPRISE, enterprise=e1),
        officer=give_role(UserFactory(username="officer"), Role.OFFICER, organisation=drc),
        other_officer=give_role(UserFactory(username="officer2"), Role.OFFICER, organisation=com),
        head=give_role(UserFactory(username="head"), Role.DEPARTMENT_HEAD, organisation=drc),
        committee_member=give_role(UserFactory(username="cmt"), Role.COMMITTEE, organisation=cmt),
        supervisor=give_role(UserFactory(username="sup"), Role.SUPERVISOR, organisation=grp),
        city_supervisor=give_role(UserFactory(username="citysup"), Role.SUPERVISOR, organisation=jw),
        admin=give_role(UserFactory(username="admin"), Role.ADMIN, organisation=c),
    )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans). A request through the test
    client leaves its language active on the thread afterwards, so without this a test
    ran in whatever language the test before it last asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(scope="session")
def chromium():
    """One real Chromium for the session (see qinqing/common/testing/browser.py)."""
    from qinqing.common.testing.browser import launch_chromium

    yield from launch_chromium()


@pytest.fixture
def phone_page(chromium, live_server):
    """A fresh phone-sized page; console errors (a CSP violation, a script error) fail the test."""
    from qinqing.common.testing.browser import PHONE

    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.console_errors = errors
    page.base_url = live_server.url
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def steady_calendar(monkeypatch):
    """The working-day calendar re-reads its revision at most once an hour instead of
    every few seconds, so that a test counting a page's queries counts the page's own
    (on a slow machine the check could fall in either of two requests compared)."""
    monkeypatch.setattr("qinqing.workdays.calendar.REVISION_CHECK_SECONDS", 3600.0)
