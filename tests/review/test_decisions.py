from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from loans.applications import services
from loans.applications.workflow import transition
from loans.choices import ApplicationStatus as S
from loans.models import ApplicationEvent, ApplicationMessage, FollowUpVisit, Loan, LoanInstalment
from loans.review import services as review

pytestmark = pytest.mark.django_db


def _moves(application):
    return list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor__email")
    )


def test_the_full_path_from_review_to_disbursement(in_review, owner, program_officer, approver):
    review.application_request_info(application=in_review, officer=program_officer, message="Suba su certificado.")
    services.application_answer_info(application=in_review, user=owner, message="Ya lo subí.")
    review.application_recommend(application=in_review, officer=program_officer, note="Viable", amount=8_000_000)
    review.application_approve(application=in_review, approver=approver)
    loan = review.application_disburse(
        application=in_review,
        approver=approver,
        disbursed_on=date(2026, 3, 15),
        amount=8_000_000,
        bank_reference="TRX-0001",
    )

    in_review.refresh_from_db()
    assert in_review.status == S.DISBURSED
    assert _moves(in_review)[2:] == [
        ("in_review", "info_requested", program_officer.email),
        ("info_requested", "in_review", owner.email),
        ("in_review", "recommended", program_officer.email),
        ("recommended", "approved", approver.email),
        ("approved", "disbursed", approver.email),
    ]
    assert list(ApplicationMessage.objects.values_list("from_applicant", "body")) == [
        (False, "Suba su certificado."),
        (True, "Ya lo subí."),
    ]
    assert (in_review.recommended_by, in_review.approved_by, in_review.recommended_amount) == (
        program_officer,
        approver,
        8_000_000,
    )
    assert Loan.objects.get() == loan
    assert loan.principal == 8_000_000
    instalments = list(LoanInstalment.objects.filter(loan=loan).order_by("number"))
    assert len(instalments) == 24
    assert instalments[0].due_date == date(2026, 4, 15)
    assert sum(i.principal for i in instalments) == 8_000_000
    assert list(FollowUpVisit.objects.filter(loan=loan).values_list("months_after", "due_on")) == [
        (3, date(2026, 6, 15)),
        (6, date(2026, 9, 15)),
        (12, date(2027, 3, 15)),
    ]


def test_the_person_who_recommended_cannot_approve(in_review, program_officer, approver):
    program_officer.groups.add(*approver.groups.all())  # an officer who is also an approver
    review.application_recommend(application=in_review, officer=program_officer)
    with pytest.raises(review.ReviewError, match="a different person must approve"):
        review.application_approve(application=in_review, approver=program_officer)
    in_review.refresh_from_db()
    assert in_review.status == S.RECOMMENDED
    assert in_review.approved_by is None


def test_an_officer_without_approver_rights_cannot_approve_or_disburse(in_review, program_officer):
    second = type(program_officer).objects.create_user(email="otro@retorno.gov.co", is_staff=True)
    second.groups.add(*program_officer.groups.all())
    review.application_recommend(application=in_review, officer=program_officer)
    with pytest.raises(PermissionDenied):
        review.application_approve(application=in_review, approver=second)
    assert in_review.__class__.objects.get(pk=in_review.pk).status == S.RECOMMENDED


def test_an_approver_cannot_recommend_or_request_information(in_review, approver):
    with pytest.raises(PermissionDenied):
        review.application_recommend(application=in_review, officer=approver)
    with pytest.raises(PermissionDenied):
        review.application_request_info(application=in_review, officer=approver, message="?")


def test_an_analyst_can_decide_nothing(in_review, analyst):
    for call in (
        lambda: review.application_recommend(application=in_review, officer=analyst),
        lambda: review.application_reject(application=in_review, officer=analyst, reason_code="other", message="x"),
        lambda: review.application_approve(application=in_review, approver=analyst),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_reject_needs_a_message_and_records_the_reason(in_review, program_officer):
    with pytest.raises(review.ReviewError, match="Write the message"):
        review.application_reject(application=in_review, officer=program_officer, reason_code="capacity", message=" ")
    review.application_reject(
        application=in_review, officer=program_officer, reason_code="capacity", message="Sus ingresos no alcanzan."
    )
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rejection_reason) == (S.REJECTED, "capacity")
    event = ApplicationEvent.objects.filter(application=in_review).last()
    assert (event.reason, event.message_to_applicant) == ("capacity", "Sus ingresos no alcanzan.")


def test_an_ineligible_result_is_overridden_only_with_a_written_reason(in_review, program_officer):
    transition(in_review, S.INELIGIBLE, reason="test")
    with pytest.raises(review.ReviewError, match="at least 20 characters"):
        review.application_override_ineligible(application=in_review, officer=program_officer, reason="ok")
    review.application_override_ineligible(
        application=in_review, officer=program_officer, reason="Deportado en 2025; excepción por retorno forzado."
    )
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


def test_a_recommendation_cannot_raise_the_amount(in_review, program_officer):
    with pytest.raises(review.ReviewError, match="cannot be higher"):
        review.application_recommend(application=in_review, officer=program_officer, amount=in_review.amount + 1)


def test_disbursement_refuses_an_amount_above_the_approved_one(in_review, program_officer, approver):
    review.application_recommend(application=in_review, officer=program_officer)
    review.application_approve(application=in_review, approver=approver)
    with pytest.raises(review.ReviewError, match="at most the approved amount"):
        review.application_disburse(
            application=in_review,
            approver=approver,
            disbursed_on=date(2026, 1, 5),
            amount=in_review.amount + 1,
            bank_reference="TRX-9",
        )
    assert not Loan.objects.exists()
    assert in_review.__class__.objects.get(pk=in_review.pk).status == S.APPROVED


def test_one_table_says_which_decisions_each_status_allows():
    from loans.applications import workflow
    from loans.review.admin import DECISIONS

    # The admin has a screen for every staff decision of the table, in the table's order.
    assert list(DECISIONS) == list(workflow.DECISIONS)
    # The transition's allowed moves are read off the same table.
    assert workflow.ALLOWED[S.RECOMMENDED] == {S.APPROVED, S.REJECTED, S.IN_REVIEW, S.WITHDRAWN}
    assert workflow.ALLOWED[S.DISBURSED] == set()
    assert {name for name, move in workflow.MOVES.items() if S.IN_REVIEW in move.sources and move.permission} == {
        "request_info",
        "recommend",
        "reject",
    }
