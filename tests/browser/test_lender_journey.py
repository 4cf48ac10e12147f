"""A partner lender's staff member opens the workspace on a phone (password and code in one step)
and sees only the lender's own referrals; the lender disburses through the API and the borrower's
"Mi crédito" names the lender and how to reach it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from loans.choices import ApplicationStatus as S
from loans.lenders import services
from loans.lenders.models import Referral
from tests.browser.helpers import assert_accessible, log_in
from tests.browser.journeys import admin_log_in, staff_with_backup_code
from tests.factories import StaffFactory
from tests.lenders.conftest import api_client, make_intermediary
from tests.review.admin_pages import queued_application

pytestmark = pytest.mark.browser


def _post(client, referral: Referral, step: str, data=None):
    response = client.post(
        f"/api/v1/referrals/{referral.public_id}/{step}/",
        data or {},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code in (200, 201), response.json()
    return response.json()


def test_a_lenders_staff_sees_only_its_referrals_and_the_borrower_sees_who_lends(page, site, product):
    andino = make_intermediary("Banco Andino", "890903938-8", products=[product], contact_phone="+576045551234")
    bolivar = make_intermediary("Cooperativa Bolívar", "860034313-7", products=[product])
    officer = StaffFactory(is_superuser=True)
    mine = queued_application(product=product, status=S.APPROVED, amount=10_000_000, department="05")
    theirs = queued_application(product=product, status=S.APPROVED, amount=8_000_000, department="05")
    referral = services.referral_create(application=mine, officer=officer, intermediary=andino)
    services.referral_create(application=theirs, officer=officer, intermediary=bolivar)
    member = staff_with_backup_code("Intermediary", "andino42")
    andino.users.add(member)

    # The workspace asks for the staff login first: a password alone opens nothing.
    page.goto(f"{site.url}/intermediario/remisiones/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/intermediario/remisiones/$"))
    admin_log_in(page, member, "andino42")
    expect(page).to_have_url(f"{site.url}/intermediario/remisiones/")
    expect(page.get_by_role("heading", name="Solicitudes remitidas", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=mine.reference)).to_be_visible()
    expect(page.get_by_text(theirs.reference)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    # The lender's systems take the referral through the API to disbursement and a payment.
    client = api_client(andino)
    _post(client, referral, "accept")
    _post(client, referral, "study", {"outcome": "approved", "note": "Buen historial"})
    offer = client.get(f"/api/v1/referrals/{referral.public_id}/").json()["offer"]
    _post(
        client,
        referral,
        "disbursement",
        {"disbursed_on": "2026-02-01", "amount": offer["amount"], "term_months": offer["term_months"],
         "bank_reference": "D-77"},
    )  # fmt: skip
    _post(client, referral, "payments", {"paid_on": "2026-03-01", "amount": 150_000, "bank_reference": "P-1"})

    # The borrower's own page says who lent the money and how to reach the lender.
    log_in(page, site, mine.applicant, language="es")
    page.goto(f"{site.url}/solicitudes/{mine.public_id}/mi-credito/")
    expect(page.get_by_role("heading", name="Mi crédito", level=1)).to_be_visible()
    expect(page.get_by_text("Tu crédito lo desembolsó y lo cobra Banco Andino.")).to_be_visible()
    expect(page.get_by_role("link", name="c@example.com")).to_have_attribute("href", "mailto:c@example.com")
    expect(page.get_by_role("link", name="+576045551234")).to_have_attribute("href", "tel:+576045551234")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
