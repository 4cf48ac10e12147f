"""The partner lenders' API (issue 16): auth, scopes, 404 for others, idempotency, problem+json."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from loans.applications.models import ApplicationEvent
from loans.choices import ApplicationStatus as S
from loans.lenders import services
from loans.lenders.models import ApiToken, IdempotencyRecord, Referral, ReferralEvent
from loans.servicing.models import Loan, Repayment
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory
from tests.lenders.conftest import api_client, make_intermediary
from tests.review.admin_pages import queued_application

PROBLEM = "application/problem+json"


def post(client: APIClient, url: str, data=None, *, key: str | None = None):
    return client.post(url, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def url(referral: Referral, step: str = "") -> str:
    return f"/api/v1/referrals/{referral.public_id}/" + (f"{step}/" if step else "")


@pytest.fixture
def referral(approved_application, programme_officer, lender_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.referral_create(application=approved_application, officer=programme_officer)


def test_referral_goes_to_the_first_lender_serving_the_department(referral, lender_a, lender_b, approved_application):
    # lender_a ("Banco Andino") sorts before lender_b; both serve 05 with the product.
    assert referral.intermediary == lender_a
    assert referral.status == Referral.Status.REFERRED
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True)) == ["referred"]
    notification = approved_application.applicant.notifications.get(key=f"referral:{referral.pk}:referred")
    assert "Banco Andino" in notification.body


def test_a_second_open_referral_is_refused(referral, programme_officer, lender_b):
    with pytest.raises(services.LenderError) as error:
        services.referral_create(application=referral.application, officer=programme_officer, intermediary=lender_b)
    assert error.value.status == 409


def test_an_inactive_intermediary_is_refused(approved_application, programme_officer, lender_a):
    lender_a.active = False
    lender_a.save()
    with translation.override("es"), pytest.raises(services.LenderError, match="no está activo"):
        services.referral_create(application=approved_application, officer=programme_officer, intermediary=lender_a)


def test_list_shows_only_own_referrals_with_the_needed_personal_data(referral, client_a, client_b):
    response = client_a.get("/api/v1/referrals/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(referral.public_id)
    assert set(row["applicant"]) == {"first_names", "last_names", "document_type", "document_number"}
    assert row["offer"] == {"amount": 10_000_000, "term_months": 24, "grace_months": 3}
    assert "phone" not in str(row) and "address" not in str(row)
    assert client_b.get("/api/v1/referrals/").json()["results"] == []


def test_another_lenders_referral_is_404_not_403(referral, client_b):
    response = client_b.get(url(referral))
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    response = post(client_b, url(referral, "accept"))
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED


def test_anonymous_and_bad_tokens_get_401_problem(referral):
    anonymous = APIClient()
    response = anonymous.get("/api/v1/referrals/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer abc.def")
    assert bad.get("/api/v1/referrals/").status_code == 401


def test_a_token_without_the_scope_is_refused(referral, lender_a):
    reader = api_client(lender_a, [ApiToken.Scope.READ_REFERRALS])
    assert reader.get("/api/v1/referrals/").status_code == 200
    response = post(reader, url(referral, "accept"))
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED


def test_a_post_without_idempotency_key_is_refused(referral, client_a):
    response = client_a.post(url(referral, "accept"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("idempotency_key_required")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED


def test_replay_returns_the_first_answer_and_another_body_is_409(referral, client_a):
    assert post(client_a, url(referral, "accept")).status_code == 200
    first = post(client_a, url(referral, "decline"), {"reason": "Sin cupo"}, key="k-1")
    assert first.status_code == 200
    again = post(client_a, url(referral, "decline"), {"reason": "Sin cupo"}, key="k-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = post(client_a, url(referral, "decline"), {"reason": "Otra razón"}, key="k-1")
    assert other.status_code == 409
    assert other["Content-Type"] == PROBLEM
    assert ReferralEvent.objects.filter(referral=referral, to_status="declined").count() == 1


def test_errors_speak_the_callers_language(referral, lender_a):
    spanish = api_client(lender_a)
    english = api_client(lender_a, language="en")
    es = post(spanish, url(referral, "decline"), {"reason": ""})
    en = post(english, url(referral, "decline"), {"reason": ""})
    assert es.status_code == en.status_code == 400
    assert es.json()["detail"] == "Algunos campos no son válidos; vea errors."
    assert en.json()["detail"] == "Some fields are not valid; see errors."


@pytest.mark.parametrize(
    "body",
    [
        {"disbursed_on": "2026-13-01", "amount": 1, "term_months": 12, "bank_reference": "X"},
        {"disbursed_on": "2026-01-01", "amount": "mucho", "term_months": 12, "bank_reference": "X"},
        {"disbursed_on": "2026-01-01", "amount": 1, "term_months": 12},
    ],
)
def test_wrong_types_are_a_validation_problem(referral, client_a, body):
    response = post(client_a, url(referral, "disbursement"), body)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"]
    assert not Loan.objects.exists()


def test_malformed_json_is_a_problem(referral, client_a):
    response = client_a.post(
        url(referral, "accept"), "{no", content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("size", ["0", "201", "9999999", "x"])
def test_huge_or_bad_page_sizes_are_refused(referral, client_a, size):
    response = client_a.get(f"/api/v1/referrals/?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def _accept_and_approve_study(client, referral):
    assert post(client, url(referral, "accept")).status_code == 200
    response = post(client, url(referral, "study"), {"outcome": "approved", "note": "Buen historial"})
    assert response.status_code == 200
    assert response.json()["status"] == "study_approved"


def test_a_disbursement_outside_the_offer_is_refused(referral, client_a):
    _accept_and_approve_study(client_a, referral)
    body = {"disbursed_on": "2026-02-01", "amount": 10_000_001, "term_months": 24, "bank_reference": "D-1"}
    response = post(client_a, url(referral, "disbursement"), body)
    assert response.status_code == 422
    assert response.json()["type"].endswith("outside_offer")
    body.update(amount=9_000_000, term_months=36)
    assert post(client_a, url(referral, "disbursement"), body).status_code == 422
    assert not Loan.objects.exists()
    referral.application.refresh_from_db()
    assert referral.application.status == S.APPROVED


def test_a_decline_returns_the_application_to_the_programme(referral, client_a, programme_officer, lender_b):
    response = post(client_a, url(referral, "decline"), {"reason": "No atendemos ese municipio"})
    assert response.json()["status"] == "declined"
    again = services.referral_create(application=referral.application, officer=programme_officer)
    assert again.intermediary == lender_b  # the first lender, who declined, is not chosen again


def test_full_run_accept_disburse_and_three_payments_via_api(referral, client_a, django_capture_on_commit_callbacks):
    body = {
        "disbursed_on": "2026-02-01",
        "amount": 9_000_000,
        "term_months": 24,
        "grace_months": 3,
        "bank_reference": "D-77",
    }
    key = "disb-1"
    with django_capture_on_commit_callbacks(execute=True):
        _accept_and_approve_study(client_a, referral)
        response = post(client_a, url(referral, "disbursement"), body, key=key)
    assert response.status_code == 201, response.json()
    assert response.json()["loan"]["principal"] == 9_000_000
    # The replay does not disburse twice.
    assert post(client_a, url(referral, "disbursement"), body, key=key).status_code == 201
    loan = Loan.objects.get()
    assert (loan.principal, loan.term_months, loan.grace_months) == (9_000_000, 24, 3)
    application = referral.application
    application.refresh_from_db()
    assert application.status == S.DISBURSED
    assert ApplicationEvent.objects.filter(application=application, to_status=S.DISBURSED).count() == 1
    for n, paid_on in enumerate(["2026-03-01", "2026-04-01", "2026-05-01"], start=1):
        payment = {"paid_on": paid_on, "amount": 150_000, "bank_reference": f"P-{n}"}
        response = post(client_a, url(referral, "payments"), payment, key=f"pay-{n}")
        assert response.status_code == 201, response.json()
        assert response.json()["amount"] == 150_000
        # Replaying the key returns the same answer and records nothing more.
        assert post(client_a, url(referral, "payments"), payment, key=f"pay-{n}").json() == response.json()
    assert list(Repayment.objects.order_by("paid_on").values_list("bank_reference", "amount")) == [
        ("P-1", 150_000),
        ("P-2", 150_000),
        ("P-3", 150_000),
    ]
    steps = list(ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True))
    assert steps == ["referred", "accepted", "study_approved", "disbursed", "disbursed", "disbursed", "disbursed"]
    keys = set(application.applicant.notifications.values_list("key", flat=True))
    assert {
        f"referral:{referral.pk}:{step}" for step in ("referred", "accepted", "study_approved", "disbursed")
    } <= keys
    # The borrower's page names the lender and its contact; the reports have the lender's row.
    borrower = Client(HTTP_ACCEPT_LANGUAGE="es")
    borrower.force_login(application.applicant)
    with translation.override("es"):
        page = borrower.get(reverse("loans:my_loan", args=[application.public_id])).content.decode()
    assert "Tu crédito lo desembolsó y lo cobra Banco Andino." in page
    assert '<a class="alert-link" href="mailto:c@example.com">c@example.com</a>' in page
    analyst = StaffFactory()
    analyst.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_reports"))
    cache.clear()
    with translation.override("es"):
        report = otp_verified_client(analyst).get(reverse("loans:reports")).content.decode()
    lenders = re.search(r'id="table-lenders">(.*?)</table>', report, re.S).group(1)
    assert re.search(
        r"<th scope=\"row\">Banco Andino</th><td[^>]*>1</td><td[^>]*>1</td><td[^>]*>1</td><td[^>]*>\$9\.000\.000</td>",
        lenders,
    )


def test_a_payment_for_a_loan_not_theirs_is_404(referral, client_a, client_b):
    _accept_and_approve_study(client_a, referral)
    body = {"disbursed_on": "2026-02-01", "amount": 9_000_000, "term_months": 24, "bank_reference": "D-9"}
    assert post(client_a, url(referral, "disbursement"), body).status_code == 201
    response = post(client_b, url(referral, "payments"), {"paid_on": "2026-03-01", "amount": 1, "bank_reference": "Z"})
    assert response.status_code == 404
    assert not Repayment.objects.exists()


def test_a_payment_before_disbursement_is_a_conflict(referral, client_a):
    response = post(client_a, url(referral, "payments"), {"paid_on": "2026-03-01", "amount": 1, "bank_reference": "Z"})
    assert response.status_code == 409
    assert not Repayment.objects.exists()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_posts_have_one_effect(product, programme_officer):

    lender = make_intermediary("Banco Andino", "890903938-8", products=[product])
    application = queued_application(product=product, status=S.APPROVED)
    referral = services.referral_create(application=application, officer=programme_officer)
    services.referral_accept(referral=referral, intermediary=lender)
    services.referral_study(referral=referral, intermediary=lender, approved=True)
    clients = [api_client(lender), api_client(lender)]
    body = {"disbursed_on": "2026-02-01", "amount": 9_000_000, "term_months": 24, "bank_reference": "D-C"}
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def send(client):
        try:
            barrier.wait()
            response = post(client, url(referral, "disbursement"), body, key="same")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Loan.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert date.fromisoformat(answers[0][1]["loan"]["disbursed_on"]) == date(2026, 2, 1)
