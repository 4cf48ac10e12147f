"""A product that names programmes: enrolment to send, completion to disburse (DOMAIN.md)."""

from datetime import date

import pytest

from loans.applications import services
from loans.applications.services import ApplicationError
from loans.choices import ApplicationStatus as S
from loans.models import EligibilityResult, Loan
from loans.programmes import services as programmes
from loans.review import services as review
from loans.review.services import ReviewError
from tests.review.conftest import _staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def requiring(product, cohort):
    product.accepted_programmes.add(cohort.programme)
    return product


def test_without_enrolment_the_application_cannot_be_sent_and_says_which_programmes(ready_draft, owner, requiring):
    with pytest.raises(ApplicationError, match="This loan requires enrolment in one of these entrepreneurship"):
        services.application_submit(application=ready_draft, user=owner)

    ready_draft.refresh_from_db()
    assert ready_draft.status == S.DRAFT


def test_the_waiting_list_is_not_an_enrolment(ready_draft, owner, requiring, cohort):
    cohort.places = 1
    cohort.save()
    from tests.factories import CompleteProfileFactory

    programmes.enrolment_create(returnee=CompleteProfileFactory().user, cohort=cohort)
    programmes.enrolment_create(returnee=owner, cohort=cohort)

    with pytest.raises(ApplicationError, match="a place, not the waiting list"):
        services.application_submit(application=ready_draft, user=owner)


def test_a_product_that_names_no_programme_requires_none(
    ready_draft, owner, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=ready_draft, user=owner)

    result = EligibilityResult.objects.get(application=ready_draft)
    programme = next(v for v in result.verdicts if v["rule"] == "programme_enrolled")
    assert (programme["verdict"], programme["reason"]) == ("pass", "no_programme_required")
    assert result.ruleset_version == "2026.3"


@pytest.fixture
def approved(ready_draft, owner, requiring, cohort, django_capture_on_commit_callbacks):
    enrolment = programmes.enrolment_create(returnee=owner, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.IN_REVIEW
    officer, approver = _staff_in("Program officer"), _staff_in("Approver")
    review.application_recommend(application=ready_draft, officer=officer, note="Viable", amount=8_000_000)
    review.application_approve(application=ready_draft, approver=approver)
    return ready_draft, approver, enrolment


def _disburse(application, approver, reference):
    return review.application_disburse(
        application=application,
        approver=approver,
        disbursed_on=date.today(),
        amount=8_000_000,
        bank_reference=reference,
    )


def test_the_engine_records_the_enrolment(approved):
    application, _approver, _enrolment = approved
    verdict = next(v for v in application.eligibility_results.get().verdicts if v["rule"] == "programme_enrolled")
    assert (verdict["verdict"], verdict["reason"]) == ("pass", "enrolled_in_programme")


def test_disbursement_is_refused_until_the_programme_is_completed(approved, operator):
    application, approver, enrolment = approved

    with pytest.raises(ReviewError, match="cannot be disbursed until the applicant completes one of the accepted"):
        _disburse(application, approver, "TRX-1")
    application.refresh_from_db()
    assert (application.status, Loan.objects.count()) == (S.APPROVED, 0)

    programmes.enrolment_complete(enrolment=enrolment, operator=operator)
    loan = _disburse(application, approver, "TRX-1")

    application.refresh_from_db()
    assert application.status == S.DISBURSED
    assert loan.principal == 8_000_000
