"""Real Chromium for browser tests: Debian's package driven by Playwright.

No download: `playwright install` cannot reach its servers here, and the suite must fail
(never skip) when Chromium is missing, so a missing browser is an error that names the
package to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# A laptop: what officials and supervisors use.
DESKTOP = {"width": 1366, "height": 900}


def launch_chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        raise RuntimeError(
            "Browser tests need Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium fonts-noto-cjk"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Any, username: str, password: str | None = None) -> None:
    """Log in through the login page, in Chinese, as a person would; lands on home."""
    if password is None:
        from qinqing.accounts.tests.factories import DEFAULT_PASSWORD

        password = DEFAULT_PASSWORD
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
