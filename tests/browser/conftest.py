"""Shared fixtures for real-browser tests: headless Debian Chromium driving pytest-django's
live server.

- `browser`: one Chromium for the whole run (session scope).
- `page`: a fresh browser context and page per test, so cookies never leak between tests.
  `page.csp_violations` collects every Content-Security-Policy violation Chromium reports.
- `signed_in(page, user)`: signs `user` (a provider's user or staff) in without email, by
  giving the browser the session cookie of `django.test.Client.force_login`.

Every test here uses `live_server`, which needs `transactional_db`: the server runs in another
thread and must see committed rows. Mark every test `@pytest.mark.browser`.
"""

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the loop only talks to Chromium).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.csp_violations.append(f"{page.url}: {message.text}")
        ),
    )
    yield page
    context.close()


@pytest.fixture
def signed_in(live_server):
    """Return `sign_in(page, user)`: the browser behind `page` is now signed in as `user`."""

    def sign_in(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return sign_in
