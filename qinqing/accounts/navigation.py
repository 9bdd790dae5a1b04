"""The navigation each role sees. Apps add entries here as their pages appear."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Role
from .scoping import Scope, scope_for


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Promise | str
    roles: frozenset[str]  # empty: every signed-in user
    # A menu of the navbar the entry goes in (GROUPS); "" stands alone. A menu with one
    # entry for the user shows as that entry.
    group: str = ""
    # Shown in the desktop navbar's row; the inbox is not, its badge link stands beside
    # the row on every screen (the phone's bottom bar still lists it).
    in_navbar: bool = True


# The navbar's menus, by key: officials see two dozen pages, which in one row wrapped to
# three on a desktop. Their daily pages (work queue, problems to fix) stay outside.
GROUPS: dict[str, Promise] = {
    "policies": _("Policy benefits"),
    "ledger": _("Problems"),
    "supervision": _("Supervision"),
    "more": _("More"),
}


_ALL_GOV = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR})

ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), frozenset()),
    NavEntry("notifications:inbox", _("Inbox"), frozenset(), in_navbar=False),
    # The enterprise's policy pages come first: on a phone the bottom bar shows four.
    NavEntry("policies:fit", _("Policies that fit me"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:my_cases", _("My cases"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:invitations", _("My invitations"), frozenset({Role.ENTERPRISE})),
    NavEntry("enterprises:mine", _("My enterprise"), frozenset({Role.ENTERPRISE})),
    # Labels translated by the contracts app's catalogue.
    NavEntry("contracts:mine", _("My contracts"), frozenset({Role.ENTERPRISE})),
    NavEntry("policies:list", _("Policies"), frozenset(), "policies"),
    NavEntry("policies:officer_queue", _("Work queue"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})),
    # Supervisors read the department's cases in their reach (views/officer_cases.department).
    NavEntry(
        "policies:officer_cases",
        _("Department cases"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR}),
        "policies",
    ),
    NavEntry(
        "policies:officer_policies",
        _("Our policies"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD}),
        "policies",
    ),
    # Labels translated by the policies app's catalogue.
    NavEntry(
        "policies:officer_objections",
        _("Objections to decide"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD}),
        "policies",
    ),
    NavEntry(
        "policies:officer_overview",
        _("Department overview"),
        frozenset({Role.DEPARTMENT_HEAD, Role.SUPERVISOR}),
        "policies",
    ),
    NavEntry(
        "payments:list",
        _("Payments"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.ADMIN}),
        "policies",
    ),
    NavEntry("policies:notices", _("Award notices"), frozenset(), "policies"),
    NavEntry("contracts:projects", _("Contract fulfilment"), _ALL_GOV),
    # The committee's daily list (label translated by the contracts app's catalogue).
    NavEntry("contracts:claims", _("Claims to confirm"), frozenset({Role.COMMITTEE})),
    # Labels translated by the ledger app's catalogue.
    NavEntry("ledger:queue", _("Problems to fix"), frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})),
    NavEntry("ledger:group", _("Problems to supervise"), frozenset({Role.SUPERVISOR})),
    NavEntry("ledger:dashboard", _("Problem ledger"), frozenset({Role.SUPERVISOR}), "ledger"),
    NavEntry(
        "ledger:problems",
        _("Department problems"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD}),
        "ledger",
    ),
    NavEntry("ledger:walks", _("Walk-throughs"), frozenset({Role.DEPARTMENT_HEAD}), "ledger"),
    NavEntry("ledger:mine", _("My reported problems"), frozenset(), "ledger"),
    NavEntry("deadlines:alerts", _("Alerts"), _ALL_GOV),
    NavEntry("supervision:audit", _("Audit trail"), frozenset({Role.SUPERVISOR}), "supervision"),
    # Label translated by the supervision app's catalogue.
    NavEntry(
        "supervision:policy_overdue",
        _("Policy cases under supervision"),
        frozenset({Role.SUPERVISOR}),
        "supervision",
    ),
    NavEntry("integrity:supervised", _("Declared relations"), frozenset({Role.SUPERVISOR}), "supervision"),
    NavEntry("enterprises:list", _("Registry"), _ALL_GOV | {Role.ADMIN}, "more"),
    NavEntry(
        "integrity:mine",
        _("My declared relations"),
        frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE}),
        "more",
    ),
    NavEntry("workdays:calendar", _("Calendar"), frozenset({Role.ADMIN}), "more"),
    NavEntry("deadlines:ladders", _("Deadline ladders"), frozenset({Role.ADMIN}), "more"),
    NavEntry("accounts:organisations", _("Organisations"), frozenset({Role.ADMIN}), "more"),
    NavEntry("accounts:tokens", _("API tokens"), frozenset(), "more"),
]


# What anyone sees without logging in.
PUBLIC_ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), frozenset()),
    NavEntry("policies:list", _("Policies"), frozenset()),
    NavEntry("policies:notices", _("Award notices"), frozenset()),
    # Labels translated by the contracts and the ledger apps' catalogues.
    NavEntry("contracts:public", _("Contract fulfilment"), frozenset()),
    NavEntry("ledger:follow", _("Follow a report"), frozenset()),
]


# The entries a set of roles sees, with their URLs reversed and their labels translated,
# per language and URL configuration: built once per process, not on every page (the
# reverse() and gettext of two dozen entries were a third of an empty page's cost). The
# key holds everything the result depends on; a changed setting (tests) clears it.
_BUILT: dict[tuple[Any, ...], tuple[tuple[str, str, str, bool], ...]] = {}
_BUILT_KEPT = 512


def _built(
    entries: list[NavEntry], roles: frozenset[str], public: bool
) -> tuple[tuple[str, str, str, bool], ...]:
    """(url, label, menu, in the navbar's row) of each entry the roles see, a menu's
    label for its key."""
    key = (public, roles, get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    built = _BUILT.get(key)
    if built is None:
        items = []
        for entry in entries:
            if entry.roles and not (entry.roles & roles):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            items.append((url, str(entry.label), entry.group, entry.in_navbar))
        # A menu the roles see one entry of shows as that entry.
        counts: dict[str, int] = {}
        for _url, _label, group, _row in items:
            counts[group] = counts.get(group, 0) + 1
        items = [
            (url, label, str(GROUPS[group]) if group and counts[group] > 1 else "", row)
            for url, label, group, row in items
        ]
        built = tuple(items)
        if len(_BUILT) >= _BUILT_KEPT:
            _BUILT.clear()
        _BUILT[key] = built
    return built


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _BUILT.clear()


def _items(built: tuple[tuple[str, str, str, bool], ...], current_path: str) -> list[dict[str, Any]]:
    """The entries with the page's own marked: the one whose address is the longest start
    of the page's ("/contracts/claims/" is "Claims to confirm", not also "Contract
    fulfilment" at "/contracts/"); home only on itself."""
    matching = [
        url for url, *_rest in built if current_path == url or (url != "/" and current_path.startswith(url))
    ]
    current = max(matching, key=len, default=None)
    return [
        {"url": url, "label": label, "menu": menu, "navbar": row, "active": url == current}
        for url, label, menu, row in built
    ]


def public_nav_items(current_path: str) -> list[dict[str, Any]]:
    return _items(_built(PUBLIC_ENTRIES, frozenset(), public=True), current_path)


def nav_items(user: Any, current_path: str) -> list[dict[str, Any]]:
    scope: Scope = scope_for(user)
    roles = set(scope.roles)
    if scope.is_admin:
        roles.add(Role.ADMIN)
    return _items(_built(ENTRIES, frozenset(roles), public=False), current_path)


def nav_markup(items: list[dict[str, Any]]) -> dict[str, SafeString]:
    """The navbar's list items, an entry's menu (a dropdown) where its first entry
    stands, and the phone's bottom bar (its first four entries) as HTML, built here
    rather than by template loops on every page."""
    top: list[tuple[str, str]] = []  # ("entry", its HTML) or ("menu", its label)
    menus: dict[str, list[str]] = {}
    menu_active: dict[str, bool] = {}
    bottom = []
    for n, item in enumerate(items):
        url, label = escape(item["url"]), escape(item["label"])
        active = item["active"]
        current = ' aria-current="page"' if active else ""
        menu = item.get("menu", "")
        in_row = item.get("navbar", True)  # else in the phone's bar only (below)
        if in_row and menu:
            if menu not in menus:
                menus[menu] = []
                top.append(("menu", menu))
            menus[menu].append(
                f'<li><a class="dropdown-item{" active" if active else ""}"{current} href="{url}">{label}</a></li>'
            )
            menu_active[menu] = menu_active.get(menu, False) or active
        elif in_row:
            top.append(
                (
                    "entry",
                    f'<li class="nav-item"><a class="nav-link{" active" if active else ""}"{current} href="{url}">'
                    f"{label}</a></li>",
                )
            )
        if n < 4:
            bottom.append(f'<a href="{url}" class="{"active" if active else ""}">{label}</a>')
    html = []
    for kind, part in top:
        if kind == "menu":
            html.append(
                '<li class="nav-item dropdown">'
                f'<a class="nav-link dropdown-toggle{" active" if menu_active[part] else ""}" href="#" role="button"'
                f' data-bs-toggle="dropdown" aria-expanded="false">{escape(part)}</a>'
                f'<ul class="dropdown-menu">{"".join(menus[part])}</ul></li>'
            )
        else:
            html.append(part)
    return {
        "nav_html": mark_safe("\n".join(html)),  # noqa: S308 - every value escaped above
        "bottom_nav_html": mark_safe("\n".join(bottom)),  # noqa: S308 - likewise
    }
