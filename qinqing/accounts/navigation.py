"""The navigation each role sees. Apps add entries here as their pages appear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role
from .scoping import Scope, scope_for


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Promise | str
    roles: frozenset[str]  # empty: every signed-in user


_ALL_GOV = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR})

ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), frozenset()),
    NavEntry("notifications:inbox", _("Inbox"), frozenset()),
    # The enterprise's policy pages come first: on a phone the bottom bar shows four.
    NavEntry("policies:fit", _("Policies that fit me"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:my_cases", _("My cases"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:invitations", _("My invitations"), frozenset({Role.ENTERPRISE})),
    NavEntry("enterprises:mine", _("My enterprise"), frozenset({Role.ENTERPRISE})),
    # Labels translated by the contracts app's catalogue.
    NavEntry("contracts:mine", _("My contracts"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:list", _("Policies"), frozenset()),
    NavEntry("policies:officer_queue", _("Work queue"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})),
    NavEntry(
        "policies:officer_cases", _("Department cases"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})
    ),
    NavEntry("policies:officer_policies", _("Our policies"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})),
    NavEntry("contracts:projects", _("Contract fulfilment"), _ALL_GOV),
    # Labels translated by the ledger app's catalogue.
    NavEntry("ledger:queue", _("Problems to fix"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})),
    NavEntry("ledger:group", _("Problems to supervise"), frozenset({Role.SUPERVISOR})),
    NavEntry("ledger:dashboard", _("Problem ledger"), frozenset({Role.SUPERVISOR})),
    NavEntry("enterprises:list", _("Registry"), _ALL_GOV | {Role.ADMIN}),
    NavEntry("supervision:audit", _("Audit trail"), frozenset({Role.SUPERVISOR})),
    # Label translated by the supervision app's catalogue.
    NavEntry("supervision:policy_overdue", _("Policy cases under supervision"), frozenset({Role.SUPERVISOR})),
    NavEntry("deadlines:alerts", _("Alerts"), _ALL_GOV),
    NavEntry(
        "payments:list",
        _("Payments"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.ADMIN}),
    ),
    NavEntry(
        "integrity:mine",
        _("My declared relations"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE}),
    ),
    NavEntry("integrity:supervised", _("Declared relations"), frozenset({Role.SUPERVISOR})),
    NavEntry("workdays:calendar", _("Calendar"), frozenset({Role.ADMIN})),
    NavEntry("deadlines:ladders", _("Deadline ladders"), frozenset({Role.ADMIN})),
    NavEntry("accounts:organisations", _("Organisations"), frozenset({Role.ADMIN})),
    NavEntry("policies:notices", _("Award notices"), frozenset()),
    NavEntry("ledger:mine", _("My reported problems"), frozenset()),
    NavEntry("accounts:tokens", _("API tokens"), frozenset()),
]


# What anyone sees without logging in.
PUBLIC_ENTRIES: list[NavEntry] = [
    NavEntry("policies:list", _("Policies"), frozenset()),
    NavEntry("policies:notices", _("Award notices"), frozenset()),
]


def public_nav_items(current_path: str) -> list[dict[str, Any]]:
    items = []
    for entry in PUBLIC_ENTRIES:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": entry.label, "active": current_path.startswith(url)})
    return items


def nav_items(user: Any, current_path: str) -> list[dict[str, Any]]:
    scope: Scope = scope_for(user)
    roles = set(scope.roles)
    if scope.is_admin:
        roles.add(Role.ADMIN)
    items = []
    for entry in ENTRIES:
        if entry.roles and not (entry.roles & roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"url": url, "label": entry.label, "active": active})
    return items
