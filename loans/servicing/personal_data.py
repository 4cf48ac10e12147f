"""What the servicing package holds about a person, for the personal-data registry: loans,
their instalments, payments and follow-up visits.

Kept by law: a disbursed loan's ledger (the loan, its instalments and payments) for ten years
after its last entry (Ley 962 de 2005, art. 28). Erasure keeps the amounts, dates and bank
references and blanks the officers' visit notes; the person is told what is kept and why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.personal_data import DataProvider, Retention
from loans.servicing.models import FollowUpVisit, Loan

RETENTION_YEARS = 10


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _loan(loan: Loan) -> dict[str, Any]:
    return {
        "application": loan.application.reference,
        "principal": loan.principal,
        "annual_rate_pct": str(loan.annual_rate_pct),
        "term_months": loan.term_months,
        "grace_months": loan.grace_months,
        "disbursed_on": _iso(loan.disbursed_on),
        "bank_reference": loan.bank_reference,
        "state": loan.get_state_display(),
        "days_in_arrears": loan.days_in_arrears,
        "instalments": [
            {
                "number": i.number,
                "due_date": _iso(i.due_date),
                "payment": i.payment,
                "paid_interest": i.paid_interest,
                "paid_principal": i.paid_principal,
                "paid_on": _iso(i.paid_on),
            }
            for i in loan.instalments.order_by("number")
        ],
        "payments": [
            {"paid_on": _iso(r.paid_on), "amount": r.amount, "bank_reference": r.bank_reference}
            for r in loan.repayments.order_by("paid_on", "pk")
        ],
        "follow_up_visits": [
            {"due_on": _iso(v.due_on), "done_on": _iso(v.done_on), "notes": v.notes} for v in loan.visits.all()
        ],
    }


def _loans(user):
    return Loan.objects.filter(application__applicant=user).select_related("application")


def export(user) -> dict[str, Any]:
    return {"loans": [_loan(loan) for loan in _loans(user)]}


def _last_entry(loan: Loan) -> date:
    last_payment = loan.repayments.aggregate(last=Max("paid_on"))["last"]
    last_due = loan.instalments.aggregate(last=Max("due_date"))["last"]
    return max(d for d in (loan.disbursed_on, last_payment, last_due) if d is not None)


def retained(user) -> list[Retention]:
    kept = []
    for loan in _loans(user):
        last = _last_entry(loan)
        try:
            until = last.replace(year=last.year + RETENTION_YEARS)
        except ValueError:  # 29 February
            until = last.replace(year=last.year + RETENTION_YEARS, day=28)
        kept.append(
            Retention(
                what=_("Loan %(reference)s: disbursement, repayment schedule and payments")
                % {"reference": loan.application.reference},
                reason=_(
                    "Accounting records of a disbursed public loan must be kept for ten years after the last entry "
                    "(Ley 962 de 2005, art. 28). Only the amounts, dates and bank references are kept."
                ),
                until=until.isoformat(),
            )
        )
    return kept


def erase(user) -> dict[str, int]:
    return {"visit_notes": FollowUpVisit.objects.filter(loan__application__applicant=user).update(notes="")}


PROVIDER = DataProvider(
    name="loans.servicing",
    label=gettext_lazy("Loans and payments"),
    export=export,
    erase=erase,
    retained=retained,
    order=100,
)
