"""What the browser tests do again and again: check a page with axe-core, log in, find a field."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.test import Client

_axe = Axe()


def log_in(page, site, user, *, language: str = "en") -> None:
    """Give the browser a logged-in session (the login form has tests of its own) and a language."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url},
        ]
    )


def assert_accessible(page) -> None:
    """axe-core finds no violation on the page as it stands."""
    results = _axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def link_in_last_email(base_url: str) -> str:
    body = mail.outbox[-1].body
    return re.search(rf"{re.escape(base_url)}/\S+", body).group(0)


def field(page, label: str):
    """The control labelled exactly so; crispy ends a required field's label with an asterisk."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))
