"""Two people acting on the same application, loan or bank file at the same moment.

Each thread has its own database connection (PostgreSQL row locks are real; SQLite would
serialise everything and prove nothing). The first thread to take the lock is slowed down
while it holds it, so the other one really waits on the lock instead of arriving after.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import translation

from loans.choices import ApplicationStatus as S
from loans.models import (
    ApplicationEvent,
    FollowUpVisit,
    Loan,
    LoanApplication,
    LoanInstalment,
    Repayment,
)
from loans.review import services as review
from loans.servicing import repayments
from tests.factories import StaffFactory
from tests.review.admin_pages import queued_application

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]

SOMEONE_ELSE = "someone else may have acted on it"
HOLD_SECONDS = 0.3


@pytest.fixture(autouse=True)
def _roles(db):
    """A transactional test flushes the tables, groups included: put the three roles back."""
    roles = import_module("loans.migrations.0006_roles").ROLES
    for name, codenames in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in codenames
            ]
        )


def _staff(group: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officers(_roles):
    return _staff("Program officer"), _staff("Program officer")


@pytest.fixture
def approvers(_roles):
    return _staff("Approver"), _staff("Approver")


@pytest.fixture
def slow_transition(monkeypatch):
    """Whoever takes an application's row lock keeps it a moment before writing."""
    original = LoanApplication.save

    def save(self, *args, **kwargs):
        time.sleep(HOLD_SECONDS)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LoanApplication, "save", save)


def race(*calls):
    """Run the calls in threads released together; each result is ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # the active language is per thread
                results[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the test inspects whatever happened
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a lock never released?)"
    return results


def _one_winner(results):
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    winner = next(i for i, (kind, _value) in enumerate(results) if kind == "ok")
    error = results[1 - winner][1]
    return winner, error


def _events(application, **filters):
    return list(
        ApplicationEvent.objects.filter(application=application, **filters)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor")
    )


def _sent(product, status):
    """Another returnee's application, already at ``status``."""
    return queued_application(product=product, status=status)


# --- officers ---------------------------------------------------------------------------


def test_one_officer_recommends_while_another_rejects_only_one_decision_stands(in_review, officers, slow_transition):
    recommender, rejecter = officers
    seen_by_recommender = LoanApplication.objects.get(pk=in_review.pk)
    seen_by_rejecter = LoanApplication.objects.get(pk=in_review.pk)
    before = ApplicationEvent.objects.filter(application=in_review).count()

    results = race(
        lambda: review.application_recommend(application=seen_by_recommender, officer=recommender, note="Viable"),
        lambda: review.application_reject(
            application=seen_by_rejecter, officer=rejecter, reason_code="capacity", message="No alcanza."
        ),
    )

    winner, error = _one_winner(results)
    assert isinstance(error, review.ReviewError)
    assert SOMEONE_ELSE in str(error)
    in_review.refresh_from_db()
    new_events = list(ApplicationEvent.objects.filter(application=in_review).order_by("pk")[before:])
    assert len(new_events) == 1
    if winner == 0:
        assert (in_review.status, in_review.recommended_by, in_review.rejection_reason) == (
            S.RECOMMENDED,
            recommender,
            "",
        )
        assert (new_events[0].to_status, new_events[0].actor) == (S.RECOMMENDED, recommender)
        assert "“Recommended”" in str(error)
    else:
        assert (in_review.status, in_review.recommended_by, in_review.rejection_reason) == (
            S.REJECTED,
            None,
            "capacity",
        )
        assert (new_events[0].to_status, new_events[0].actor) == (S.REJECTED, rejecter)
        assert "“Rejected”" in str(error)
    assert new_events[0].from_status == S.IN_REVIEW


def test_two_officers_asking_for_information_at_once_ask_once(in_review, officers, slow_transition):
    first, second = officers
    results = race(
        lambda: review.application_request_info(application=in_review, officer=first, message="¿RUT?"),
        lambda: review.application_request_info(application=in_review, officer=second, message="¿Cédula?"),
    )
    winner, error = _one_winner(results)
    assert SOMEONE_ELSE in str(error)
    in_review.refresh_from_db()
    assert in_review.status == S.INFO_REQUESTED
    assert in_review.messages.count() == 1
    assert len(_events(in_review, to_status=S.INFO_REQUESTED)) == 1
    assert _events(in_review, to_status=S.INFO_REQUESTED)[0][2] == officers[winner].pk


def test_two_approvers_approving_at_once_approve_once(in_review, officers, approvers, slow_transition):
    review.application_recommend(application=in_review, officer=officers[0])
    results = race(
        lambda: review.application_approve(application=in_review, approver=approvers[0]),
        lambda: review.application_approve(application=in_review, approver=approvers[1]),
    )
    winner, error = _one_winner(results)
    assert isinstance(error, review.ReviewError)
    assert SOMEONE_ELSE in str(error)
    assert "“Approved”" in str(error)
    in_review.refresh_from_db()
    assert (in_review.status, in_review.approved_by) == (S.APPROVED, approvers[winner])
    assert _events(in_review, to_status=S.APPROVED) == [(S.RECOMMENDED, S.APPROVED, approvers[winner].pk)]


@pytest.fixture
def approved(in_review, officers, approvers):
    review.application_recommend(application=in_review, officer=officers[0])
    review.application_approve(application=in_review, approver=approvers[0])
    return in_review


def test_two_disbursements_at_once_make_one_loan(approved, approvers, slow_transition):
    def disburse(approver, bank_reference):
        return lambda: review.application_disburse(
            application=approved,
            approver=approver,
            disbursed_on=date(2026, 3, 15),
            amount=10_000_000,
            bank_reference=bank_reference,
        )

    results = race(disburse(approvers[0], "TRX-A"), disburse(approvers[1], "TRX-B"))

    winner, error = _one_winner(results)
    assert isinstance(error, review.ReviewError)
    assert SOMEONE_ELSE in str(error)
    loan = Loan.objects.get()
    assert loan == results[winner][1]
    assert (loan.application_id, loan.bank_reference, loan.disbursed_by) == (
        approved.pk,
        ["TRX-A", "TRX-B"][winner],
        approvers[winner],
    )
    assert LoanInstalment.objects.count() == 24
    assert set(LoanInstalment.objects.values_list("loan", flat=True)) == {loan.pk}
    assert FollowUpVisit.objects.filter(loan=loan).count() == 3
    assert FollowUpVisit.objects.count() == 3
    assert len(_events(approved, to_status=S.DISBURSED)) == 1
    approved.refresh_from_db()
    assert approved.status == S.DISBURSED


def test_two_applications_disbursed_at_once_with_one_bank_reference_make_one_loan(
    approved, approvers, product, slow_transition
):
    other = _sent(product, S.APPROVED)

    def disburse(application, approver):
        return lambda: review.application_disburse(
            application=application,
            approver=approver,
            disbursed_on=date(2026, 3, 15),
            amount=5_000_000,
            bank_reference="TRX-SAME",
        )

    results = race(disburse(approved, approvers[0]), disburse(other, approvers[1]))

    winner, error = _one_winner(results)
    assert isinstance(error, review.ReviewError)
    assert str(error) == "This bank reference was already used for another disbursement."
    loan = Loan.objects.get()
    assert loan.application_id == [approved.pk, other.pk][winner]
    loser = [approved, other][1 - winner]
    loser.refresh_from_db()
    assert loser.status == S.APPROVED
    assert _events(loser, to_status=S.DISBURSED) == []
    assert set(LoanInstalment.objects.values_list("loan", flat=True)) == {loan.pk}


# --- bank file --------------------------------------------------------------------------


@pytest.fixture
def loan(approved, approvers):
    return review.application_disburse(
        application=approved,
        approver=approvers[0],
        disbursed_on=date(2026, 1, 10),
        amount=10_000_000,
        bank_reference="DESEMBOLSO-1",
    )


@pytest.fixture
def slow_allocation(monkeypatch):
    """Whoever locks the loan first keeps it a moment while allocating."""
    original = repayments._allocate

    def allocate(*args, **kwargs):
        time.sleep(HOLD_SECONDS)
        return original(*args, **kwargs)

    monkeypatch.setattr(repayments, "_allocate", allocate)


def test_two_imports_of_the_same_bank_file_apply_each_payment_once(loan, approvers, slow_allocation):
    reference = loan.application.reference
    content = (
        "loan_reference,paid_on,amount,bank_reference\n"
        f"{reference},2026-02-10,150000,BCO-001\n"
        f"{reference},2026-03-10,250000,BCO-002\n"
    ).encode()

    results = race(
        lambda: repayments.bank_file_import(content=content, user=approvers[0]),
        lambda: repayments.bank_file_import(content=content, user=approvers[1]),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    reports = [value for _kind, value in results]
    assert sorted((r.applied, r.duplicates, tuple(r.errors)) for r in reports) == [(0, 2, ()), (2, 0, ())]
    assert sorted(Repayment.objects.values_list("bank_reference", "amount")) == [
        ("BCO-001", 150_000),
        ("BCO-002", 250_000),
    ]
    paid = LoanInstalment.objects.filter(loan=loan).values_list("paid_interest", "paid_principal")
    assert sum(i + p for i, p in paid) == 400_000


def test_two_payments_of_one_loan_at_once_are_allocated_one_after_the_other(loan, approvers, slow_allocation):
    def pay(amount, bank_reference, approver):
        return lambda: repayments.repayment_record(
            loan=loan, paid_on=date(2026, 2, 10), amount=amount, bank_reference=bank_reference, user=approver
        )

    results = race(pay(100_000, "BCO-A", approvers[0]), pay(200_000, "BCO-B", approvers[1]))

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    paid = LoanInstalment.objects.filter(loan=loan).values_list("paid_interest", "paid_principal")
    assert sum(i + p for i, p in paid) == 300_000
    for repayment in Repayment.objects.all():
        assert repayment.allocated_interest + repayment.allocated_principal + repayment.unallocated == (
            repayment.amount
        )


def test_one_bank_reference_for_two_loans_in_two_files_at_once_is_applied_once(
    loan, approvers, product, slow_allocation
):
    other_application = _sent(product, S.APPROVED)
    other_loan = review.application_disburse(
        application=other_application,
        approver=approvers[1],
        disbursed_on=date(2026, 1, 10),
        amount=5_000_000,
        bank_reference="DESEMBOLSO-2",
    )

    def file_for(target):
        return (
            "loan_reference,paid_on,amount,bank_reference\n"
            f"{target.application.reference},2026-02-10,150000,BCO-SAME\n"
        ).encode()

    results = race(
        lambda: repayments.bank_file_import(content=file_for(loan), user=approvers[0]),
        lambda: repayments.bank_file_import(content=file_for(other_loan), user=approvers[1]),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    reports = [value for _kind, value in results]
    # The second import finds the reference taken by another loan: an error, nothing applied.
    assert sorted((r.applied, r.duplicates, len(r.errors)) for r in reports) == [(0, 0, 1), (1, 0, 0)]
    [error] = [e for r in reports for e in r.errors]
    assert error.startswith("The bank reference BCO-SAME was already used for another payment")
    repayment = Repayment.objects.get()
    untouched = other_loan if repayment.loan_id == loan.pk else loan
    paid = LoanInstalment.objects.filter(loan=untouched).values_list("paid_interest", "paid_principal")
    assert sum(i + p for i, p in paid) == 0
