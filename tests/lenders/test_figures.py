"""The intermediary dimension: referred, accepted, disbursed and PAR30 per lender."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loans.lenders import selectors, services
from loans.servicing.models import Loan
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory
from tests.review.admin_pages import queued_application


def _programme(product, lender_a, lender_b, programme_officer):
    """Lender A: three referrals (one disbursed and 45 days in arrears, one accepted, one declined);
    lender B: one referral not yet answered."""
    applications = [queued_application(product=product, status="approved") for _ in range(3)]
    referrals = [
        services.referral_create(application=application, officer=programme_officer, intermediary=lender_a)
        for application in applications
    ]
    services.referral_accept(referral=referrals[0], intermediary=lender_a)
    services.referral_study(referral=referrals[0], intermediary=lender_a, approved=True)
    loan = services.referral_disburse(
        referral=referrals[0],
        intermediary=lender_a,
        disbursed_on=date(2026, 1, 5),
        amount=8_000_000,
        term_months=24,
        grace_months=3,
        bank_reference="D-F1",
        actor=programme_officer,
    )
    services.referral_accept(referral=referrals[1], intermediary=lender_a)
    services.referral_decline(referral=referrals[2], intermediary=lender_a, reason="Sin cupo")
    Loan.objects.filter(pk=loan.pk).update(days_in_arrears=45, state=Loan.State.IN_ARREARS)
    services.referral_create(
        application=queued_application(product=product, status="approved"),
        officer=programme_officer,
        intermediary=lender_b,
    )


def test_figures_by_intermediary(product, lender_a, lender_b, programme_officer):
    _programme(product, lender_a, lender_b, programme_officer)
    figures = selectors.figures_by_intermediary()
    a = figures[lender_a.pk]
    assert (a.referred, a.accepted, a.disbursed, a.disbursed_amount) == (3, 2, 1, 8_000_000)
    assert a.outstanding == 8_000_000
    assert a.par30 == 100.0
    b = figures[lender_b.pk]
    assert (b.referred, b.accepted, b.disbursed, b.par30) == (1, 0, 0, None)


def _analyst():
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_reports"))
    return otp_verified_client(user)


def _lender_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="table table-sm" id="table-lenders">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody>")[1]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_reports_page_has_a_row_per_lender(product, lender_a, lender_b, programme_officer):
    _programme(product, lender_a, lender_b, programme_officer)
    cache.clear()
    page = _analyst().get(reverse("loans:reports")).content.decode()
    assert _lender_rows(page) == [
        ["Banco Andino", "3", "2", "1", "$8.000.000", "100,0 %"],
        ["Cooperativa Bolívar", "1", "0", "0", "$0", "–"],
    ]


def test_the_lender_table_costs_no_query_per_visitor_once_cached(product, lender_a, lender_b, programme_officer):
    _programme(product, lender_a, lender_b, programme_officer)
    client = _analyst()
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("loans:reports"))
    with CaptureQueriesContext(connection) as cached:
        client.get(reverse("loans:reports"))
    lender_queries = [q["sql"] for q in first if "lenders" in q["sql"] or "intermediary" in q["sql"]]
    assert len(lender_queries) == 3  # figures_by_intermediary's two aggregates and the lenders' names
    assert not [q["sql"] for q in cached if "lenders" in q["sql"] or "intermediary" in q["sql"]]
    for _ in range(5):  # more referrals: the same three queries
        services.referral_create(
            application=queued_application(product=product, status="approved"),
            officer=programme_officer,
            intermediary=lender_b,
        )
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("loans:reports"))
    assert len(more) == len(first)


def test_the_admin_list_shows_the_figures(lender_a, approved_application, programme_officer):
    services.referral_create(application=approved_application, officer=programme_officer, intermediary=lender_a)
    admin_user = StaffFactory(is_superuser=True)
    response = otp_verified_client(admin_user).get(reverse("admin:loans_intermediary_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PAR30 (%)" in html
    assert '<td class="field-referred">1</td>' in html
