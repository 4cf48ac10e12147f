"""A borrower opens "Mi crédito" on a phone: balance, schedule, payments, downloads; also without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from loans.models import PaymentInstructions
from loans.servicing import repayments
from tests.browser.helpers import assert_accessible, log_in
from tests.servicing.helpers import cap, make_loan

pytestmark = pytest.mark.browser


@pytest.fixture
def loan(site):
    cap()
    loan = make_loan(
        amount=12_000_000, term=12, disbursed_on=timezone.localdate() - timedelta(days=75), default_rate="20"
    )
    first = loan.instalments.order_by("number").first()
    repayments.repayment_record(
        loan=loan, paid_on=first.due_date, amount=first.payment, bank_reference="BCO-1", user=None
    )
    PaymentInstructions.objects.create(
        title="Banco Agrario", body_es="Convenio 12345: pague con su número de cédula.", body_en="Agreement 12345."
    )
    return loan


def test_the_borrower_reads_the_loan_on_a_phone(page, site, loan):
    log_in(page, site, loan.application.applicant, language="es")
    page.goto(f"{site.url}/solicitudes/{loan.application.public_id}/mi-credito/")
    expect(page.get_by_role("heading", name="Mi crédito", level=1)).to_be_visible()
    expect(page.get_by_text("Convenio 12345: pague con su número de cédula.")).to_be_visible()
    expect(page.get_by_text("Pago vencido")).to_be_visible()  # instalment 2 is past its date
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sideways but the table region
    assert_accessible(page)
    page.get_by_label("Bajar la cuota (mismo plazo)").check()
    page.get_by_role("button", name="Guardar mi elección").click()
    expect(page.get_by_text("Guardado: Bajar la cuota (mismo plazo).")).to_be_visible()
    assert_accessible(page)


def test_the_page_works_without_javascript(page_without_js, site, loan, assert_accessible_without_js):
    log_in(page_without_js, site, loan.application.applicant, language="en")
    page_without_js.goto(f"{site.url}/solicitudes/{loan.application.public_id}/mi-credito/")
    expect(page_without_js.get_by_role("heading", name="My loan", level=1)).to_be_visible()
    with page_without_js.expect_download() as download:
        page_without_js.get_by_role("link", name="Statement (CSV)").click()
    assert download.value.suggested_filename == f"extracto-{loan.application.reference}.csv"
    assert_accessible_without_js(page_without_js)
