"""A payment recorded by hand in the admin goes through the allocation service."""

from datetime import date

import pytest
from django.urls import reverse

from loans.models import Repayment
from loans.review import services as review
from tests.review.admin_pages import flash_messages, staff_client

pytestmark = pytest.mark.django_db

ADD = reverse("admin:loans_repayment_add")


@pytest.fixture
def loan(in_review, program_officer, approver):
    review.application_recommend(application=in_review, officer=program_officer)
    review.application_approve(application=in_review, approver=approver)
    return review.application_disburse(
        application=in_review,
        approver=approver,
        disbursed_on=date(2026, 1, 10),
        amount=10_000_000,
        bank_reference="DESEMBOLSO-1",
    )


def _payment(loan, bank_reference="MAN-1"):
    return {"loan": loan.pk, "paid_on": "2026-02-10", "amount": "100000", "bank_reference": bank_reference}


def test_a_payment_recorded_by_hand_is_allocated(loan, approver):
    response = staff_client(approver).post(ADD, _payment(loan))
    assert response.status_code == 302
    assert flash_messages(response) == ["The repayment “MAN-1: 100000” was added successfully."]
    repayment = Repayment.objects.get()
    assert (repayment.loan, repayment.source, repayment.recorded_by) == (loan, "manual", approver)
    assert repayment.allocated_interest + repayment.allocated_principal + repayment.unallocated == 100_000
    assert repayment.allocated_interest > 0


def test_a_bank_reference_already_recorded_is_a_form_error(loan, approver):
    client = staff_client(approver)
    client.post(ADD, _payment(loan))
    response = client.post(ADD, _payment(loan))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["bank_reference"]
    assert Repayment.objects.count() == 1


def test_a_program_officer_cannot_record_payments(loan, program_officer):
    assert staff_client(program_officer).post(ADD, _payment(loan)).status_code == 403
    assert not Repayment.objects.exists()
