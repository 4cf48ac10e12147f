"""Helpers for driving the officers' admin pages in tests: clients, applications, tables."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from itertools import count

from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from applicants.models import Department, EconomicSection
from loans.applications import selectors
from loans.models import LoanApplication
from tests.conftest import otp_verified_client
from tests.factories import CompleteProfileFactory, PlanFactory

_references = count(1)


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def staff_client(user, *, language: str = "en") -> Client:
    """Logged in with password and second factor, reading the admin in ``language``."""
    client = otp_verified_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def flash_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def queued_application(
    *,
    product,
    status: str = "in_review",
    amount: int = 10_000_000,
    department: str = "05",
    section: str = "C",
    outcome: str = "eligible",
    flags: list[str] | None = None,
    assigned_to=None,
    waiting_days: int = 1,
    profile=None,
    **profile_fields,
) -> LoanApplication:
    """An application as the queue sees it once sent (drafts have no reference or date)."""
    profile = profile or CompleteProfileFactory(**profile_fields)
    plan = PlanFactory(owner=profile.user)
    sent = status != "draft"
    return LoanApplication.objects.create(
        applicant=profile.user,
        plan=plan,
        frozen_plan=selectors.plan_snapshot(plan) if sent else None,
        frozen_profile=selectors.profile_snapshot(profile) if sent else None,
        reference=f"RP-2025-{next(_references):06d}" if sent else None,
        status=status,
        product=product,
        amount=amount,
        term_months=24,
        grace_months=3,
        submitted_at=timezone.now() - timedelta(days=waiting_days, hours=1) if sent else None,
        business_department=Department.objects.get(code=department) if sent else None,
        business_section=EconomicSection.objects.get(code=section) if sent else None,
        eligibility_outcome=outcome if sent else "",
        review_flags=flags or [],
        assigned_to=assigned_to,
    )


class _ResultTable(HTMLParser):
    """Header and cell texts of the admin changelist table (``#result_list``)."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._in_table = False
        self._section = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "result_list":
            self._in_table = True
        elif self._in_table and tag in ("thead", "tbody"):
            self._section = tag
        elif self._in_table and tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._in_table:
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._section == "thead":
                self.headers.append(text)
            else:
                self.rows[-1].append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def result_table(response) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the changelist, without the action checkbox column."""
    parser = _ResultTable()
    parser.feed(response.content.decode())
    return parser.headers[1:], [row[1:] for row in parser.rows]


def listed_references(response) -> set[str]:
    return {application.reference for application in response.context["cl"].result_list}
