"""Frozen offers, acceptance, the usury cap at disbursement, cancelled approvals, conflicts of interest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from loans.applications import selectors
from loans.applications import services as applications
from loans.choices import ApplicationStatus as S
from loans.models import ApplicationEvent, LoanApplication, LoanOffer, UsuryCap
from loans.review import services as review

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _approved(application, officer, approver, **recommend):
    review.application_recommend(application=application, officer=officer, **recommend)
    application.refresh_from_db()
    if application.offer.accepted_at is None:
        applications.offer_accept(application=application, user=application.applicant, offer_id=application.offer_id)
    review.application_approve(application=application, approver=approver)
    application.refresh_from_db()
    return application


# --- 1. the frozen offer -------------------------------------------------------------------------


def test_submission_freezes_the_products_terms_in_an_offer(in_review, product):
    offer = in_review.offer
    assert (offer.kind, offer.amount, offer.term_months, offer.grace_months) == ("submission", 10_000_000, 24, 3)
    assert (offer.annual_rate_pct, offer.credit_category, offer.grace_mode) == (
        Decimal("22.6800"),
        "productivo_urbano",
        "interest_only",
    )
    assert (offer.min_amount, offer.max_amount, offer.state_pays_every, offer.on_time_rebate_pct) == (
        1_000_000,
        100_000_000,
        12,
        Decimal("14.00"),
    )
    assert offer.accepted_at is not None


def test_editing_the_product_changes_no_submitted_application_nor_its_loan(
    in_review, product, program_officer, approver
):
    schedule_before = selectors.application_schedule(in_review)
    product.annual_rate_pct = Decimal("26.5")
    product.grace_mode = "capitalised"
    product.max_term_months = 12
    product.save()
    in_review = LoanApplication.objects.get(pk=in_review.pk)
    assert selectors.application_schedule(in_review) == schedule_before
    _approved(in_review, program_officer, approver)
    loan = review.application_disburse(
        application=in_review, approver=approver, disbursed_on=TODAY, amount=10_000_000, bank_reference="D-1"
    )
    assert (loan.annual_rate_pct, loan.term_months, loan.offer.grace_mode) == (
        Decimal("22.6800"),
        24,
        "interest_only",
    )


def test_another_amount_is_a_new_offer_the_applicant_accepts_before_approval(
    in_review, owner, program_officer, approver
):
    first = in_review.offer
    review.application_recommend(application=in_review, officer=program_officer, amount=8_000_000, term_months=18)
    in_review.refresh_from_db()
    new = in_review.offer
    assert (new.kind, new.amount, new.term_months, new.replaces_id, new.accepted_at) == (
        "recommendation",
        8_000_000,
        18,
        first.pk,
        None,
    )
    first.refresh_from_db()
    assert first.superseded_at is not None
    with pytest.raises(review.ReviewError, match="has not accepted the new offer"):
        review.application_approve(application=in_review, approver=approver)

    applications.offer_accept(application=in_review, user=owner, offer_id=new.pk)
    new.refresh_from_db()
    assert new.accepted_at is not None
    assert selectors.application_schedule(in_review).amount == 8_000_000
    review.application_approve(application=in_review, approver=approver)
    in_review.refresh_from_db()
    assert in_review.status == S.APPROVED


def test_a_replayed_or_superseded_acceptance_is_refused_and_changes_nothing(in_review, owner, program_officer):
    first = in_review.offer
    review.application_recommend(application=in_review, officer=program_officer, amount=8_000_000)
    in_review.refresh_from_db()
    with pytest.raises(applications.ApplicationError, match="replaced by a newer one"):
        applications.offer_accept(application=in_review, user=owner, offer_id=first.pk)
    applications.offer_accept(application=in_review, user=owner, offer_id=in_review.offer_id)
    accepted_at = LoanOffer.objects.get(pk=in_review.offer_id).accepted_at
    with pytest.raises(applications.ApplicationError, match="already accepted"):
        applications.offer_accept(application=in_review, user=owner, offer_id=in_review.offer_id)
    assert LoanOffer.objects.get(pk=in_review.offer_id).accepted_at == accepted_at


def test_the_applicant_accepts_on_the_status_page_without_javascript(in_review, owner, program_officer, client):
    review.application_recommend(application=in_review, officer=program_officer, amount=8_000_000)
    in_review.refresh_from_db()
    client.force_login(owner)
    page = client.get(f"/solicitudes/{in_review.public_id}/")
    assert "Aceptar la nueva oferta" in page.content.decode()  # Spanish by default
    response = client.post(
        f"/solicitudes/{in_review.public_id}/oferta/", {"offer": in_review.offer_id, "decision": "accept"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Usted aceptó la nueva oferta. Ahora decidirá un aprobador."
    ]
    replay = client.post(
        f"/solicitudes/{in_review.public_id}/oferta/", {"offer": in_review.offer_id, "decision": "accept"}, follow=True
    )
    assert [str(m) for m in replay.context["messages"]] == ["Usted ya aceptó esta oferta."]


def test_a_recommendation_outside_the_offers_limits_is_refused(in_review, program_officer):
    with pytest.raises(review.ReviewError, match="between \\$1.000.000|between COP 1,000,000"):
        review.application_recommend(application=in_review, officer=program_officer, amount=500_000)
    with pytest.raises(review.ReviewError, match="term must be between 6 and 36"):
        review.application_recommend(application=in_review, officer=program_officer, term_months=48)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


# --- 2. the usury cap in force at disbursement -----------------------------------------------------


def test_disbursement_above_the_cap_in_force_is_refused_and_a_repriced_offer_fixes_it(
    in_review, owner, program_officer, approver
):
    _approved(in_review, program_officer, approver)
    # A lower cap certified from today: 20 % for the offer's category.
    UsuryCap.objects.filter(credit_category="productivo_urbano").update(valid_to=TODAY - timedelta(days=1))
    UsuryCap.objects.create(
        credit_category="productivo_urbano", rate_pct=Decimal("20"), valid_from=TODAY, valid_to=TODAY + timedelta(30)
    )
    with pytest.raises(review.ReviewError) as refused:
        review.application_disburse(
            application=in_review, approver=approver, disbursed_on=TODAY, amount=10_000_000, bank_reference="D-1"
        )
    assert "above the usury cap of 20% E.A." in str(refused.value)
    assert "Re-price the offer" in str(refused.value)
    in_review.refresh_from_db()
    assert in_review.status == S.APPROVED

    new = review.application_reprice(application=in_review, approver=approver, annual_rate_pct=Decimal("19.5"))
    with pytest.raises(review.ReviewError, match="has not accepted the current offer"):
        review.application_disburse(
            application=in_review, approver=approver, disbursed_on=TODAY, amount=10_000_000, bank_reference="D-1"
        )
    applications.offer_accept(application=in_review, user=owner, offer_id=new.pk)
    loan = review.application_disburse(
        application=in_review, approver=approver, disbursed_on=TODAY, amount=10_000_000, bank_reference="D-1"
    )
    assert loan.annual_rate_pct == Decimal("19.5000")


def test_a_disbursement_date_in_the_future_is_refused_a_past_one_is_allowed(in_review, program_officer, approver):
    _approved(in_review, program_officer, approver)
    with pytest.raises(review.ReviewError, match="cannot be in the future"):
        review.application_disburse(
            application=in_review,
            approver=approver,
            disbursed_on=TODAY + timedelta(days=1),
            amount=10_000_000,
            bank_reference="D-1",
        )
    loan = review.application_disburse(
        application=in_review,
        approver=approver,
        disbursed_on=TODAY - timedelta(days=3),
        amount=10_000_000,
        bank_reference="D-1",
    )
    assert loan.disbursed_on == TODAY - timedelta(days=3)


# --- 4. cancelled approvals and conflicts of interest ----------------------------------------------


def test_an_approval_lapses_after_the_configured_days_and_the_person_may_apply_again(
    in_review, owner, program_officer, approver, settings
):
    settings.LOANS_APPROVAL_LAPSE_DAYS = 60
    _approved(in_review, program_officer, approver)
    LoanApplication.objects.filter(pk=in_review.pk).update(decided_at=timezone.now() - timedelta(days=61))
    assert applications.approvals_lapse(as_of=TODAY - timedelta(days=2)) == 0  # replayed two days back: not yet
    assert applications.approvals_lapse(as_of=TODAY) == 1
    in_review.refresh_from_db()
    assert in_review.status == S.CANCELLED
    event = ApplicationEvent.objects.filter(application=in_review).last()
    assert (event.from_status, event.to_status, event.actor) == ("approved", "cancelled", None)
    assert event.reason == "The approval lapsed: not disbursed within 60 days."
    assert not LoanApplication.objects.filter(applicant=owner, status__in=S.open_states()).exists()


def test_the_applicant_declines_an_approved_offer_and_it_ends_cancelled(in_review, owner, program_officer, approver):
    _approved(in_review, program_officer, approver)
    applications.offer_decline(application=in_review, user=owner, offer_id=in_review.offer_id)
    in_review.refresh_from_db()
    assert in_review.status == S.CANCELLED
    assert in_review.offer.declined_at is not None


def test_staff_never_act_on_their_own_application(in_review, owner, program_officer, approver):
    from django.contrib.auth.models import Group

    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name="Approver"), Group.objects.get(name="Program officer"))
    owner = type(owner).objects.get(pk=owner.pk)  # fresh permission cache
    refused = "You are the applicant of this application"
    for call in (
        lambda: review.application_assign(application=in_review, officer=program_officer, by=owner),
        lambda: review.application_request_info(application=in_review, officer=owner, message="?"),
        lambda: review.application_recommend(application=in_review, officer=owner),
        lambda: review.note_add(application=in_review, author=owner, body="mine"),
        lambda: review.scores_save(application=in_review, officer=owner, scores={}),
    ):
        with pytest.raises(PermissionDenied, match=refused):
            call()
    with pytest.raises(review.ReviewError, match="is the applicant and cannot be assigned"):
        review.application_assign(application=in_review, officer=owner, by=program_officer)
    review.application_recommend(application=in_review, officer=program_officer)
    with pytest.raises(PermissionDenied, match=refused):
        review.application_approve(application=in_review, approver=owner)
    in_review.refresh_from_db()
    assert in_review.status == S.RECOMMENDED


def test_whoever_recommended_before_a_send_back_cannot_approve(in_review, program_officer, approver, second_approver):
    from django.contrib.auth.models import Group

    # An approver who is also an officer recommends, is sent back, and someone else recommends again.
    program_officer.groups.add(Group.objects.get(name="Approver"))
    recommender = type(program_officer).objects.get(pk=program_officer.pk)
    review.application_recommend(application=in_review, officer=recommender)
    review.application_send_back(application=in_review, approver=approver, reason="Falta el RUT")
    from tests.servicing.conftest import _staff_in

    other = _staff_in("Program officer")
    review.application_recommend(application=in_review, officer=other)
    with pytest.raises(review.ReviewError, match="You recommended this application"):
        review.application_approve(application=in_review, approver=recommender)
    review.application_approve(application=in_review, approver=second_approver)
    in_review.refresh_from_db()
    assert in_review.status == S.APPROVED
