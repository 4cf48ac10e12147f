"""Playwright against Debian's Chromium, on pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
from a thread with a running loop unless told the caller knows what it does.
"""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail

from tests import services
from tests.browser.helpers import assert_accessible

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# The programme's users are mostly on small, cheap phones.
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def chromium():
    path = services.chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings, transactional_db, django_db_serialized_rollback):
    """The live server, with emailed links pointing at it.

    Transactional tests empty the tables afterwards; the serialized rollback brings back the
    reference geography that a data migration loads.
    """
    settings.SITE_URL = live_server.url
    mail.outbox = []
    return live_server


def _new_page(chromium, **options):
    # A Colombian phone asks for Spanish, the portal's default language.
    context = chromium.new_context(viewport=PHONE_VIEWPORT, locale="es-CO", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(chromium, site):
    context, page = _new_page(chromium)
    yield page
    context.close()


@pytest.fixture
def page_without_js(chromium, site):
    context, page = _new_page(chromium, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def assert_accessible_without_js(chromium, site):
    """axe-core needs timers, which a page without JavaScript does not run: check a copy of its
    document in a second page where scripts run but the portal's own are blocked."""
    context, checker = _new_page(chromium)
    context.route(re.compile(r"\.js$"), lambda route: route.abort())
    checker.goto(f"{site.url}/")

    def check(page) -> None:
        checker.set_content(page.content())
        assert_accessible(checker)

    yield check
    context.close()
