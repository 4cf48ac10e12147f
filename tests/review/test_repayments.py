from datetime import date

import pytest

from loans.models import Loan, LoanInstalment, Repayment
from loans.review import services as review
from loans.servicing import repayments

pytestmark = pytest.mark.django_db


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


def _csv(*rows: str) -> bytes:
    return ("loan_reference,paid_on,amount,bank_reference\n" + "\n".join(rows) + "\n").encode()


def test_a_payment_goes_to_interest_then_principal_of_the_oldest_instalment(loan, approver):
    # Instalments 1-3 are grace (interest only); 4 is the first with principal.
    grace_interest = sum(loan.instalments.filter(number__lte=3).values_list("interest", flat=True))
    fourth = loan.instalments.get(number=4)
    amount = grace_interest + fourth.interest + 1000
    repayment, created = repayments.repayment_record(
        loan=loan, paid_on=date(2026, 2, 10), amount=amount, bank_reference="B-1", user=approver
    )
    assert created
    assert (repayment.allocated_interest, repayment.allocated_principal, repayment.unallocated) == (
        grace_interest + fourth.interest,
        1000,
        0,
    )
    paid_on = list(loan.instalments.filter(number__lte=3).values_list("paid_on", flat=True))
    assert paid_on == [date(2026, 2, 10)] * 3
    fourth.refresh_from_db()
    assert (fourth.paid_interest, fourth.paid_principal, fourth.paid_on) == (fourth.interest, 1000, None)


def test_an_overpayment_is_kept_as_unallocated(loan, approver):
    total = sum(i.payment for i in loan.instalments.filter(state_paid=False))
    repayment, _created = repayments.repayment_record(
        loan=loan, paid_on=date(2026, 2, 10), amount=total + 5, bank_reference="B-ALL", user=approver
    )
    assert repayment.unallocated == 5


def test_the_same_bank_reference_is_applied_once(loan, approver):
    for _ in range(2):
        repayments.repayment_record(
            loan=loan, paid_on=date(2026, 2, 10), amount=50_000, bank_reference="B-2", user=approver
        )
    assert Repayment.objects.filter(bank_reference="B-2").count() == 1


def test_days_in_arrears_and_state(loan):
    repayments.loan_refresh_state(loan, today=date(2026, 3, 1))
    loan.refresh_from_db()
    # The first instalment fell due on 2026-02-10 and nothing was paid.
    assert (loan.state, loan.days_in_arrears) == (Loan.State.IN_ARREARS, 19)


def test_a_good_bank_file_is_applied_and_a_second_import_changes_nothing(loan, approver):
    reference = loan.application.reference
    content = _csv(f"{reference},2026-02-10,300000,BANCO-1", f"{reference},2026-03-10,300000,BANCO-2")
    report = repayments.bank_file_import(content=content, user=approver)
    assert (report.applied, report.duplicates, report.errors) == (2, 0, [])
    again = repayments.bank_file_import(content=content, user=approver)
    assert (again.applied, again.duplicates, again.errors) == (0, 2, [])
    assert Repayment.objects.filter(loan=loan).count() == 2


def test_a_broken_file_reports_each_bad_line_and_applies_nothing(loan, approver):
    reference = loan.application.reference
    content = _csv(
        f"{reference},2026-02-10,300000,BANCO-1",
        f"{reference},10/02/2026,300000,BANCO-3",
        "RP-1999-000001,2026-02-10,100,BANCO-4",
        f"{reference},2026-02-10,-5,BANCO-5",
        f"{reference},2026-02-10,300000,BANCO-1",
    )
    report = repayments.bank_file_import(content=content, user=approver)
    assert report.applied == 0
    assert report.errors == [
        "Line 3: the date must be YYYY-MM-DD.",
        "Line 4: no disbursed loan with reference RP-1999-000001.",
        "Line 5: the amount must be a whole number of pesos above zero.",
        "Line 6: the bank reference BANCO-1 appears twice in the file.",
    ]
    assert not Repayment.objects.exists()
    assert not LoanInstalment.objects.filter(paid_interest__gt=0).exists()


def test_a_file_without_the_columns_is_refused(approver):
    report = repayments.bank_file_import(content=b"fecha,valor\n2026-01-01,5\n", user=approver)
    assert report.errors == ["Missing columns: loan_reference, paid_on, amount, bank_reference."]


def test_the_state_pays_its_instalments_when_due(loan):
    state_rows = list(loan.instalments.filter(state_paid=True).values_list("number", flat=True))
    assert state_rows  # the product pays every 12th amortisation instalment
    paid = repayments.state_payments_apply(today=date(2030, 1, 1))
    assert paid == len(state_rows)
    assert repayments.state_payments_apply(today=date(2030, 1, 1)) == 0
    assert set(Repayment.objects.filter(source="state").values_list("bank_reference", flat=True)) == {
        f"ESTADO-{loan.pk}-{n}" for n in state_rows
    }


def test_repaid_on_time_grants_the_rebate(loan, approver):
    for instalment in loan.instalments.filter(state_paid=False).order_by("number"):
        repayments.repayment_record(
            loan=loan,
            paid_on=instalment.due_date,
            amount=instalment.payment,
            bank_reference=f"P-{instalment.number}",
            user=approver,
        )
    repayments.state_payments_apply(today=date(2030, 1, 1))
    loan.refresh_from_db()
    assert loan.state == Loan.State.REPAID
    assert loan.rebate_amount == 1_400_000  # 14 % of 10,000,000
    assert loan.rebate_granted_at is not None


def test_the_daily_job_applies_state_payments_and_arrears(loan):
    from loans.servicing.tasks import loans_daily

    assert loans_daily.apply().get() == 1
    loan.refresh_from_db()
    assert loan.state == Loan.State.IN_ARREARS  # nothing paid since 2026-02-10


def test_officers_are_reminded_of_follow_up_visits_once(loan, django_capture_on_commit_callbacks):
    from applicants.models import Notification
    from loans.servicing.notifications import remind_follow_up_visits

    application = loan.application
    with django_capture_on_commit_callbacks(execute=True):
        sent = remind_follow_up_visits(today=date(2026, 4, 5))
        again = remind_follow_up_visits(today=date(2026, 4, 5))
    assert (sent, again) == (1, 1)  # the 3-month visit (2026-04-10) is due within a week
    rows = Notification.objects.filter(kind="follow_up_visit")
    assert rows.count() == 1
    assert rows.get().user == application.approved_by
