"""What each role finds on its home page: one section per role the person holds."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role, RoleAssignment
from .scoping import Scope

_LINKS: dict[str, list[tuple[str, Any, Any]]] = {
    Role.ENTERPRISE: [
        (
            "policies:fit",
            _("Policies that fit me"),
            _("Policies in force, checked against your registry data: whether you qualify and why."),
        ),
        (
            "policies:invitations",
            _("My invitations"),
            _("Policies the platform found your enterprise eligible for: confirm in one tap."),
        ),
        ("policies:my_cases", _("My cases"), _("Your cases, their progress and the money received.")),
        # Texts of the contracts entries translated by the contracts app's catalogue.
        (
            "contracts:mine",
            _("My contracts"),
            _("What your enterprise promised, next due first, and what the government promised you."),
        ),
        # Texts of the ledger entries translated by the ledger app's catalogue.
        (
            "ledger:report",
            _("Report a problem"),
            _(
                "Something in your dealings with the government holding you back? The commission follows it to the end."
            ),
        ),
        (
            "ledger:mine",
            _("My reported problems"),
            _("What you reported, how far it is, and your return visits."),
        ),
        (
            "enterprises:mine",
            _("My enterprise"),
            _("Registry data, labels and the bank account for payments."),
        ),
        ("notifications:inbox", _("Inbox"), _("Invitations, reminders and decisions.")),
    ],
    Role.OFFICER: [
        (
            "ledger:queue",
            _("Problems to fix"),
            _("Problems assigned to your department, nearest deadline first."),
        ),
        (
            "policies:officer_queue",
            _("Work queue"),
            _("Policy case steps waiting for you, nearest deadline first."),
        ),
        (
            "policies:officer_cases",
            _("Department cases"),
            _("Every policy case of your department, by status."),
        ),
        (
            "policies:officer_policies",
            _("Our policies"),
            _("Draft, publish and match your department's policies."),
        ),
        ("notifications:inbox", _("Inbox"), _("Cases and deadlines assigned to your department.")),
        (
            "deadlines:alerts",
            _("Alerts"),
            _("Reminders, warnings and alarms on your department's time limits."),
        ),
        ("enterprises:list", _("Enterprise registry"), _("Search enterprises by name, pinyin or code.")),
    ],
    Role.DEPARTMENT_HEAD: [
        (
            "ledger:queue",
            _("Problems to fix"),
            _("Problems assigned to your department, nearest deadline first."),
        ),
        (
            "ledger:walk_new",
            _("Walk a process"),
            _("Walk one of your department's processes as an applicant would."),
        ),
        (
            "policies:officer_queue",
            _("Work queue"),
            _("Sign-offs and steps waiting for you, nearest deadline first."),
        ),
        (
            "policies:officer_cases",
            _("Department cases"),
            _("Every policy case of your department, by status."),
        ),
        (
            "policies:officer_policies",
            _("Our policies"),
            _("Draft, publish and match your department's policies."),
        ),
        ("notifications:inbox", _("Inbox"), _("Sign-offs waiting for you and your department's alarms.")),
        (
            "deadlines:alerts",
            _("Alerts"),
            _("Reminders, warnings and alarms on your department's time limits."),
        ),
        ("enterprises:list", _("Enterprise registry"), _("Search enterprises by name, pinyin or code.")),
    ],
    Role.COMMITTEE: [
        (
            "contracts:projects",
            _("Contract fulfilment"),
            _(
                "Both sides' obligations per project: the enterprise's and the government's, with how many "
                "were met on time, how many are late and how many have an open alarm."
            ),
        ),
        (
            "contracts:dashboard",
            _("Contract fulfilment dashboard"),
            _("Fulfilment rate: the government beside the enterprises"),
        ),
        ("notifications:inbox", _("Inbox"), _("Your zone's contracts, warnings and alarms.")),
        ("deadlines:alerts", _("Alerts"), _("Time limits of your zone that are near or overdue.")),
        ("enterprises:list", _("Enterprise registry"), _("Enterprises of your zone and beyond.")),
    ],
    Role.SUPERVISOR: [
        (
            "ledger:group",
            _("Problems to supervise"),
            _("Problems to assign, rectifications to verify, withdrawals to check, return visits owed."),
        ),
        ("ledger:dashboard", _("Problem ledger"), _("The ledger's figures, rankings and reports.")),
        ("supervision:audit", _("Audit trail"), _("Verify the trail and read any record's timeline.")),
        (
            "contracts:dashboard",
            _("Contract fulfilment dashboard"),
            _("Fulfilment rate: the government beside the enterprises"),
        ),
        ("deadlines:alerts", _("Alerts"), _("Overdue time limits and escalations in your remit.")),
        ("notifications:inbox", _("Inbox"), _("Alarms raised to your group.")),
        ("enterprises:list", _("Enterprise registry"), _("Read-only view of the registry.")),
    ],
    Role.ADMIN: [
        (
            "accounts:organisations",
            _("Organisations"),
            _("The tree of city, counties, departments and groups."),
        ),
        ("workdays:calendar", _("Working-day calendar"), _("Statutory holidays and make-up working days.")),
        (
            "deadlines:ladders",
            _("Deadline ladders"),
            _("When reminders, warnings and alarms fire, per kind of item."),
        ),
        ("enterprises:import", _("Import enterprises"), _("Load the registry from CSV or Excel.")),
        ("admin:index", _("Administration"), _("Users, roles and configuration.")),
    ],
}


def home_sections(user: Any, scope: Scope) -> list[dict[str, Any]]:
    roles = set(scope.roles)
    if scope.is_admin:
        roles.add(Role.ADMIN)
    places: dict[str, list[str]] = {}
    for a in RoleAssignment.objects.filter(user=user).select_related("organisation", "enterprise"):
        if a.enterprise is not None:
            where = a.enterprise.name
        else:
            where = a.organisation.name if a.organisation else ""
        places.setdefault(a.role, []).append(where)
    sections = []
    for role in Role.values:
        if role not in roles:
            continue
        links = []
        for url_name, label, help_text in _LINKS.get(role, []):
            try:
                links.append({"url": reverse(url_name), "label": label, "help": help_text})
            except NoReverseMatch:
                continue
        sections.append(
            {"role": role, "label": Role(role).label, "places": places.get(role, []), "links": links}
        )
    if not roles:
        # Observers hold no role; asking only then keeps the others' home page as it was.
        sections.extend(_observer_sections(user))
    return sections


def _observer_sections(user: Any) -> list[dict[str, Any]]:
    """An appointed observer (营商环境观察员) holds no role: the ledger knows them."""
    from qinqing.ledger.models import Observer

    observer = Observer.objects.filter(user=user, active=True).select_related("organisation").first()
    if observer is None:
        return []
    links = [
        {"url": reverse(name), "label": label, "help": help_text}
        for name, label, help_text in (
            ("ledger:report", _("Report a problem"), _("What you saw that hinders business, with photos.")),
            ("ledger:mine", _("My reported problems"), _("What you reported and how far it is.")),
        )
    ]
    return [
        {"role": "observer", "label": _("Observer"), "places": [observer.organisation.name], "links": links}
    ]


# What anyone finds on the home page without an account: the platform's public face.
_PUBLIC_LINKS: list[tuple[str, Any, Any]] = [
    ("policies:list", _("Policies"), _("Every policy in force: who qualifies, how much, on which clause.")),
    (
        "policies:notices",
        _("Award notices"),
        _("Awards in their public notice period, open to objections from anyone."),
    ),
    (
        "contracts:public",
        _("Contract fulfilment"),
        _("How the government and investors keep their promises to each other, in figures."),
    ),
    (
        "ledger:follow",
        _("Follow a report"),
        _("Reported a problem? Follow it with the receipt code you were given."),
    ),
]


def public_links() -> list[dict[str, Any]]:
    links = []
    for url_name, label, help_text in _PUBLIC_LINKS:
        try:
            links.append({"url": reverse(url_name), "label": label, "help": help_text})
        except NoReverseMatch:
            continue
    return links
