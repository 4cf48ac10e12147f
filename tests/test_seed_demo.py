"""A fresh `make run` shows the programme in motion for every role, the same every run."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from loans.models import (
    ApplicationDocument,
    ApplicationMessage,
    EligibilityResult,
    FollowUpVisit,
    Loan,
    LoanApplication,
    Repayment,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Counter(LoanApplication.objects.values_list("status", flat=True)),
        Counter(Loan.objects.values_list("state", flat=True)),
        Repayment.objects.count(),
        FollowUpVisit.objects.exclude(done_on=None).count(),
    )


def test_seed_demo_puts_applications_in_every_status_and_loans_in_every_state(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo", stdout=io.StringIO())

    statuses, states, payments, visits = _snapshot()
    assert statuses == {
        "in_review": 3,
        "info_requested": 1,
        "recommended": 1,
        "approved": 1,
        "disbursed": 5,
        "ineligible": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert states == {"active": 2, "in_arrears": 2, "repaid": 1}
    assert payments > 10 and visits > 0
    sent = LoanApplication.objects.exclude(status="draft")
    assert EligibilityResult.objects.filter(application__in=sent).values("application").distinct().count() == 14
    assert ApplicationDocument.objects.count() == 28
    assert ApplicationMessage.objects.count() == 3

    call_command("seed_demo", stdout=io.StringIO())

    assert _snapshot() == (statuses, states, payments, visits)
