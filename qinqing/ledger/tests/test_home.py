"""The ledger's entries on the home page and in the navigation, per role."""

from __future__ import annotations

from django.urls import reverse


def test_an_observer_without_a_role_finds_the_report_form_at_home(client, ledger):
    client.force_login(ledger.observer_user)
    page = client.get(reverse("home")).content.decode()
    assert reverse("ledger:report") in page
    assert reverse("ledger:mine") in page


def test_an_outsider_gets_no_observer_section(client, ledger):
    client.force_login(ledger.outsider)
    page = client.get(reverse("home")).content.decode()
    assert reverse("ledger:report") not in page


def test_each_role_finds_its_ledger_pages(client, ledger):
    c = ledger.city
    expected = {
        c.enterprise_user: [reverse("ledger:report"), reverse("ledger:mine")],
        c.officer: [reverse("ledger:queue"), reverse("ledger:problems")],
        c.head: [reverse("ledger:queue"), reverse("ledger:walk_new"), reverse("ledger:walks")],
        c.supervisor: [reverse("ledger:group"), reverse("ledger:dashboard")],
    }
    for user, links in expected.items():
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        for link in links:
            assert f'href="{link}"' in page, (user.username, link)
    client.force_login(c.enterprise_user)
    assert reverse("ledger:dashboard") not in client.get(reverse("home")).content.decode()
