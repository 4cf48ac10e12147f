"""The intermediary dimension: referred, accepted, disbursed and PAR30 per lender."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from loans.lenders import selectors, services
from loans.servicing.models import Loan
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory
from tests.review.admin_pages import queued_application


def test_figures_by_intermediary(product, lender_a, lender_b, programme_officer):
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

    figures = selectors.figures_by_intermediary()
    a = figures[lender_a.pk]
    assert (a.referred, a.accepted, a.disbursed, a.disbursed_amount) == (3, 2, 1, 8_000_000)
    assert a.outstanding == 8_000_000
    assert a.par30 == 100.0
    assert lender_b.pk not in figures


def test_the_admin_list_shows_the_figures(lender_a, approved_application, programme_officer):
    services.referral_create(application=approved_application, officer=programme_officer, intermediary=lender_a)
    admin_user = StaffFactory(is_superuser=True)
    response = otp_verified_client(admin_user).get(reverse("admin:loans_intermediary_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PAR30 (%)" in html
    assert '<td class="field-referred">1</td>' in html
