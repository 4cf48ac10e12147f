"""The borrower's loan page ("Mi crédito") and its downloads."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applicants.models import Notification
from loans.models import Loan, PaymentInstructions, Repayment
from loans.servicing import repayments
from tests.servicing.helpers import cap, make_loan

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    return "".join(zlib.decompress(stream).decode("latin-1") for stream in streams)


@pytest.fixture
def loan(db):
    cap()
    start = timezone.localdate() - timedelta(days=400)
    return make_loan(amount=10_000_000, term=24, disbursed_on=start, default_rate="20", rebate="14")


def _url(loan, tail=""):
    return f"/solicitudes/{loan.application.public_id}/mi-credito/{tail}"


def _pay(loan, day, amount, ref):
    return repayments.repayment_record(loan=loan, paid_on=day, amount=amount, bank_reference=ref, user=None)[0]


def test_the_borrower_sees_balance_next_instalment_schedule_payments_and_arrears(loan, client):
    PaymentInstructions.objects.create(
        title="Banco Agrario", body_es="Convenio 12345, referencia: su cédula.", body_en="Agreement 12345."
    )
    rows = list(loan.instalments.order_by("number"))
    _pay(loan, rows[0].due_date, rows[0].payment, "P-1")
    _pay(loan, rows[1].due_date, rows[1].payment // 2, "P-2")
    repayments.loan_refresh_state(loan)
    client.force_login(loan.application.applicant)
    response = client.get(_url(loan))
    assert response.status_code == 200
    page = response.context
    statuses = [row.status for row in page["rows"]]
    assert statuses[0] == "paid"
    assert statuses[1] == "overdue"  # half paid and past its date
    assert page["days_in_arrears"] == (timezone.localdate() - rows[1].due_date).days
    assert page["next"].instalment.number == 2
    assert page["default_interest_due"] > 0
    assert page["rebate_lost"] is True
    html = response.content.decode()
    assert "Convenio 12345, referencia: su cédula." in html
    assert "Pagado" in html and "Vencida" in html  # Spanish by default
    assert "Certificado de paz y salvo" not in html


def test_a_stranger_gets_a_404(loan, client, new_user):
    client.force_login(new_user)
    assert client.get(_url(loan)).status_code == 404
    assert client.get(_url(loan, "extracto.csv")).status_code == 404


def test_the_page_costs_the_same_queries_with_6_and_200_payments(loan, client):
    client.force_login(loan.application.applicant)
    day = loan.disbursed_on + timedelta(days=1)
    for n in range(6):
        _pay(loan, day, 1_000, f"S-{n}")
    with CaptureQueriesContext(connection) as six:
        assert client.get(_url(loan)).status_code == 200
    Repayment.objects.bulk_create(
        Repayment(loan=loan, paid_on=day, amount=1, bank_reference=f"B-{n}", allocated_interest=1) for n in range(194)
    )
    assert Repayment.objects.filter(loan=loan).count() == 200
    with CaptureQueriesContext(connection) as two_hundred:
        assert client.get(_url(loan)).status_code == 200
    assert len(two_hundred) == len(six)


def test_the_cached_schedule_and_payments_change_with_each_payment_and_language(loan, client):
    """The schedule table and the payments list are a cached fragment: a payment shows at once."""
    client.force_login(loan.application.applicant)
    first = loan.instalments.get(number=1)
    before = client.get(_url(loan)).content.decode()
    assert "Aún no hay pagos." in before
    assert 'class="row-paid"' not in before and 'class="row-overdue"' in before
    _pay(loan, first.due_date, first.payment, "P-1")
    after = client.get(_url(loan)).content.decode()
    assert "Aún no hay pagos." not in after
    assert after.count('class="row-paid"') == 1
    assert after.count('<li class="mb-2 border-bottom pb-2">') == 1
    assert after.count('class="row-overdue"') == before.count('class="row-overdue"') - 1
    client.cookies["django_language"] = "en"
    english = client.get(_url(loan)).content.decode()
    assert "Payments received" in english and '<span class="status-paid">Paid</span>' in english
    assert "Pagado" not in english


def test_statement_downloads_in_csv_and_pdf(loan, client):
    rows = list(loan.instalments.order_by("number"))
    _pay(loan, rows[0].due_date, rows[0].payment, "P-1")
    client.force_login(loan.application.applicant)
    csv_response = client.get(_url(loan, "extracto.csv"))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode()
    assert f"{rows[0].due_date.isoformat()},P-1" not in text
    assert f"{rows[0].due_date.isoformat()},{rows[0].payment},0,{rows[0].interest},{rows[0].principal},0,0,P-1" in text
    pdf = client.get(_url(loan, "extracto.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert loan.application.reference in _pdf_text(pdf.content)


def test_the_certificate_of_full_payment_only_once_repaid(loan, client):
    client.force_login(loan.application.applicant)
    assert client.get(_url(loan, "paz-y-salvo.pdf")).status_code == 404
    from loans.servicing import ledger

    day = loan.disbursed_on + timedelta(days=20)
    _pay(loan, day, ledger.payoff_amount(loan, ledger.loan_rows(loan), day), "ALL")
    loan.refresh_from_db()
    assert loan.state == Loan.State.REPAID
    pdf = client.get(_url(loan, "paz-y-salvo.pdf"))
    assert pdf.status_code == 200
    assert "paz y salvo" in _pdf_text(pdf.content)
    assert "Descargar el certificado de paz y salvo" in client.get(_url(loan)).content.decode()


def test_the_borrower_chooses_what_an_extra_payment_does(loan, client):
    client.force_login(loan.application.applicant)
    response = client.post(_url(loan, "abonos/"), {"choice": "lower_instalment"}, follow=True)
    loan.refresh_from_db()
    assert (loan.prepayment_choice, loan.prepayment_choice_set_at is not None) == ("lower_instalment", True)
    assert response.status_code == 200
    bad = client.post(_url(loan, "abonos/"), {"choice": "nonsense"}, follow=True)
    assert [str(m) for m in bad.context["messages"]] == ["Elija si el pago adicional acorta el plazo o baja la cuota."]
    loan.refresh_from_db()
    assert loan.prepayment_choice == "lower_instalment"


def test_the_disbursement_message_links_to_my_loan(loan):
    from loans.applications.notifications import notify_disbursed

    notify_disbursed(loan.application_id)
    notification = Notification.objects.get(kind="disbursed")
    assert notification.link == _url(loan)


def test_in_english_too(loan, client, settings):
    client.force_login(loan.application.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_url(loan)).content.decode()
    assert "<h1>My loan</h1>" in html
    assert "Principal owed" in html and "Payments received" in html


MY_LOAN_PAGES = ["", "extracto.csv", "extracto.pdf", "paz-y-salvo.pdf"]


@pytest.mark.parametrize("tail", [*MY_LOAN_PAGES, "abonos/"])
def test_anonymous_is_sent_to_log_in(loan, client, tail):
    response = client.post(_url(loan, tail)) if tail == "abonos/" else client.get(_url(loan, tail))
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/?next=/solicitudes/")


@pytest.mark.parametrize("tail", [*MY_LOAN_PAGES, "abonos/"])
def test_strangers_and_staff_get_404_and_change_nothing(loan, client, new_user, tail):
    from tests.factories import StaffFactory

    for user in (new_user, StaffFactory(is_superuser=True)):
        client.force_login(user)
        response = (
            client.post(_url(loan, tail), {"choice": "lower_instalment"})
            if tail == "abonos/"
            else client.get(_url(loan, tail))
        )
        assert response.status_code == 404
    loan.refresh_from_db()
    assert loan.prepayment_choice == "shorten_term"


def test_the_preference_post_without_a_csrf_token_is_refused(loan):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(loan.application.applicant)
    assert client.post(_url(loan, "abonos/"), {"choice": "lower_instalment"}).status_code == 403
    loan.refresh_from_db()
    assert loan.prepayment_choice == "shorten_term"


def test_a_loan_the_programme_disbursed_names_no_partner_lender(loan, client):
    client.force_login(loan.application.applicant)
    page = client.get(_url(loan)).content.decode()
    assert 'id="lender"' not in page
