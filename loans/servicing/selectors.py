"""Reads for the borrower's loan page ("Mi crédito") and its downloads, in a fixed number of queries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applicants.models import User
from loans.servicing import ledger
from loans.servicing.models import Loan, LoanInstalment, PaymentInstructions, Repayment

ROW_STATUS = {
    "paid": _("Paid"),
    "partly_paid": _("Partly paid"),
    "due": _("Due today"),
    "overdue": _("Overdue"),
    "upcoming": _("Upcoming"),
    "nothing_due": _("Nothing to pay (interest added to the loan)"),
    "state": _("Paid by the state"),
}


@dataclass(frozen=True)
class Row:
    instalment: LoanInstalment
    status: str
    owed: int

    @property
    def status_label(self) -> str:
        return str(ROW_STATUS[self.status])


def _row_status(row: LoanInstalment, today: date) -> str:
    owed = row.payment - row.paid_interest - row.paid_principal
    if row.payment == 0:
        return "nothing_due"
    if owed == 0:
        return "paid"
    if row.state_paid:
        return "state"
    if row.due_date < today:
        return "overdue"
    if row.paid_interest or row.paid_principal:
        return "partly_paid"
    return "due" if row.due_date == today else "upcoming"


@dataclass(frozen=True)
class Lender:
    """Who disbursed the loan and collects it, when it is not the programme (a partner lender)."""

    name: str
    contact_name: str = ""
    phone: str = ""
    email: str = ""


# The servicing room does not know the partner lenders (loans.lenders imports it, not the
# reverse): loans/wiring.py registers the function that names a loan's lender.
LenderOf = Callable[[Loan], Lender | None]
_lender_providers: list[LenderOf] = []


def register_lender_of(provider: LenderOf) -> None:
    if provider not in _lender_providers:
        _lender_providers.append(provider)


def lender_of(loan: Loan) -> Lender | None:
    """The loan's lender, or None when the programme disbursed it (one query per provider)."""
    for provider in _lender_providers:
        lender = provider(loan)
        if lender is not None:
            return lender
    return None


def loan_for_borrower(*, public_id, user: User) -> Loan:
    """The loan of the user's own application (404 for anyone else's)."""
    return get_object_or_404(
        Loan.objects.select_related("application", "offer"),
        application__public_id=public_id,
        application__applicant=user,
    )


def _ledger_key(loan: Loan, rows: list[Row], repayments: list[Repayment]) -> str:
    """A digest of every value the schedule table and the payments list show, the key of their
    cached fragment: a payment, the daily job, a new schedule or a new day that turns a row overdue
    changes it, so the fragment never shows stale money (the language is the fragment's other key)."""
    shown = (
        loan.pk,
        [
            (r.instalment.number, r.instalment.due_date, r.instalment.payment, r.instalment.capitalised_interest)
            + (r.owed, r.status)
            for r in rows
        ],
        [
            (p.pk, p.paid_on, p.amount, p.source, p.allocated_default_interest, p.allocated_interest)
            + (p.allocated_principal, p.prepaid_principal, p.prepayment_choice, p.unallocated)
            for p in repayments
        ],
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def loan_page(loan: Loan, *, today: date | None = None) -> dict[str, Any]:
    """Everything the borrower's page shows: four queries whatever the number of payments."""
    today = today or timezone.localdate()
    instalments = list(LoanInstalment.objects.filter(loan=loan).order_by("number"))
    repayments = list(Repayment.objects.filter(loan=loan).order_by("paid_on", "pk"))
    instructions = PaymentInstructions.objects.filter(is_active=True).first()
    rows = [
        Row(row, _row_status(row, today), row.payment - row.paid_interest - row.paid_principal) for row in instalments
    ]
    upcoming = [row for row in rows if row.owed > 0 and row.status not in ("state", "nothing_due")]
    overdue = [row for row in rows if row.status == "overdue"]
    principal_owed = sum(r.principal - r.paid_principal for r in instalments) - sum(
        r.capitalised_interest for r in instalments if r.due_date > today
    )
    repaid = loan.state == Loan.State.REPAID
    paid_late = any(r.paid_on and r.paid_on > r.due_date for r in instalments if not r.state_paid)
    rebate_lost = paid_late or loan.default_interest_charged > 0 or bool(overdue)
    language = (get_language() or "es")[:2]
    return {
        "loan": loan,
        "application": loan.application,
        "lender": lender_of(loan),
        "rows": rows,
        "repayments": repayments,
        "ledger_key": _ledger_key(loan, rows, repayments),
        "next": upcoming[0] if upcoming else None,
        "principal_owed": max(principal_owed, 0),
        "payoff_today": 0 if repaid else ledger.payoff_amount(loan, instalments, today),
        "overdue_amount": sum(row.owed for row in overdue),
        "days_in_arrears": (today - overdue[0].instalment.due_date).days if overdue else 0,
        "default_interest_due": loan.default_interest_due,
        "default_interest_charged": loan.default_interest_charged,
        "state_paid_total": sum(r.payment for r in instalments if r.state_paid),
        "state_paid_done": sum(r.paid_interest + r.paid_principal for r in instalments if r.state_paid),
        "rebate": loan.rebate_amount,
        "rebate_earned": loan.rebate_granted_at is not None,
        "rebate_at_risk": bool(loan.rebate_amount) and not rebate_lost and loan.rebate_granted_at is None,
        "rebate_lost": bool(loan.rebate_amount) and rebate_lost and loan.rebate_granted_at is None,
        "instructions": (instructions.body_es if language == "es" else instructions.body_en) if instructions else "",
        "instructions_title": instructions.title if instructions else "",
        "repaid": repaid,
        "today": today,
    }
