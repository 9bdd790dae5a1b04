"""The navbar groups an official's two dozen pages into menus; daily pages stay outside,
a menu with one entry for the user shows as that entry, and the phone's bar is unchanged."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _navbar(html: str) -> str:
    return html[html.index('<ul class="navbar-nav') : html.index("</ul>\n      <form")]


def _menus(navbar: str) -> dict[str, list[str]]:
    """Each dropdown's label and the hrefs inside it."""
    found = re.findall(r'dropdown-toggle[^>]*>([^<]+)</a><ul class="dropdown-menu">(.*?)</ul>', navbar)
    return {label: re.findall(r'href="([^"]+)"', items) for label, items in found}


def test_a_head_sees_menus_and_the_daily_pages_outside_them(client, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city.head)
    navbar = _navbar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    menus = _menus(navbar)
    assert set(menus) == {"Policy benefits", "Problems", "More"}
    assert reverse("policies:officer_overview") in menus["Policy benefits"]
    assert reverse("policies:notices") in menus["Policy benefits"]
    assert reverse("ledger:walks") in menus["Problems"]
    assert reverse("accounts:tokens") in menus["More"]
    # The work queue and the problems to fix are one click away, outside any menu
    for daily in ("policies:officer_queue", "ledger:queue"):
        url = reverse(daily)
        assert f'class="nav-link" href="{url}"' in navbar
        assert all(url not in hrefs for hrefs in menus.values())


def test_a_menu_with_one_entry_for_the_user_is_that_entry(client, city) -> None:  # type: ignore[no-untyped-def]
    # An enterprise user sees one page each of the menus "Problems" and "More"
    client.force_login(city.enterprise_user)
    navbar = _navbar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    menus = _menus(navbar)
    assert set(menus) == {"Policy benefits"}
    assert f'class="nav-link" href="{reverse("ledger:mine")}">My reported problems</a>' in navbar
    assert f'class="nav-link" href="{reverse("accounts:tokens")}">API tokens</a>' in navbar


def test_the_menu_of_the_page_shown_is_marked_and_the_entry_is_current(client, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city.supervisor)
    url = reverse("supervision:audit")
    navbar = _navbar(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert '<a class="nav-link dropdown-toggle active" href="#" role="button"' in navbar
    assert f'<a class="dropdown-item active" aria-current="page" href="{url}">' in navbar
    assert "监督" in _menus(navbar)


def test_the_phones_bar_keeps_the_first_four_pages(client, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city.head)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    bar = html[html.index('class="qq-bottom-nav') :]
    assert re.findall(r'<a href="([^"]+)"', bar) == [
        reverse("home"),
        reverse("notifications:inbox"),
        reverse("policies:list"),
        reverse("policies:officer_queue"),
    ]


def test_the_inbox_is_its_badge_beside_the_row_not_an_entry_in_it(client, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city.officer)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    inbox = reverse("notifications:inbox")
    assert f'href="{inbox}"' not in _navbar(html)
    assert html.count('data-testid="inbox-badge"') == 1
    # The phone's bar still offers it
    bar = html[html.index('class="qq-bottom-nav') :]
    assert f'href="{inbox}"' in bar


def test_anyone_without_an_account_finds_the_public_pages_from_home(client, city) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    wanted = [
        reverse(name) for name in ("policies:list", "policies:notices", "contracts:public", "ledger:follow")
    ]
    cards = re.findall(r'<a class="qq-card-link" href="([^"]+)" data-testid="public-link">', html)
    assert cards == wanted
    # The navbar offers them on every public page, home marked only on home
    navbar = _navbar(client.get(reverse("policies:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert all(f'href="{url}"' in navbar for url in wanted)
    assert f'class="nav-link" href="{reverse("home")}"' in navbar
    assert f'href="{reverse("accounts:login")}"' in html
    zh = client.get(reverse("home")).content.decode()
    assert "合同双兑现" in zh and "查询反映进度" in zh and "登录" in zh


def test_only_the_page_s_own_entry_is_marked_not_the_one_above_it(client, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city.committee_member)
    navbar = _navbar(client.get(reverse("contracts:claims"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert re.findall(r'aria-current="page" href="([^"]+)"', navbar) == [reverse("contracts:claims")]
    navbar = _navbar(client.get(reverse("contracts:projects"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert re.findall(r'aria-current="page" href="([^"]+)"', navbar) == [reverse("contracts:projects")]
