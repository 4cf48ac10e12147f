"""Repayments after disbursement: allocation, arrears, incentives and the bank file import."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.choices import PrepaymentChoice
from loans.products.money import format_cop
from loans.servicing import daily, ledger
from loans.servicing.models import CreditRefund, Loan, LoanInstalment, Repayment
from portal import changes


class RepaymentError(Exception):
    pass


def loan_refresh_state(loan: Loan, today: date | None = None) -> Loan:
    """Recompute arrears, state and rebate of one loan as of ``today`` (default interest accrues too)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Loan.objects.select_for_update(of=("self",)).select_related("offer").get(pk=loan.pk)
        rows = ledger.loan_rows(locked, lock=True)
        if locked.state != Loan.State.REPAID:
            ledger.accrue_default_interest(locked, rows, today)
        ledger.refresh_state(locked, rows, today)
        locked.save(update_fields=ledger.LOAN_LEDGER_FIELDS)
    return locked


def _same_payment_or_error(existing: Repayment, loan: Loan, amount: int) -> None:
    """A repeated bank reference is the same payment only if loan and amount match too."""
    if existing.loan_id != loan.pk or existing.amount != amount:
        raise RepaymentError(
            _(
                "The bank reference %(ref)s was already used for another payment (%(amount)s on another loan or "
                "for another amount)."
            )
            % {"ref": existing.bank_reference, "amount": existing.amount}
        )


def payment_problem(loan: Loan, paid_on: date, amount: int, today: date) -> str | None:
    if amount <= 0:
        return _("The amount must be greater than zero.")
    if paid_on > today:
        return _("The payment date %(day)s is in the future; record the payment on or after the day it was made.") % {
            "day": paid_on.isoformat()
        }
    if paid_on < loan.disbursed_on:
        return _("The payment date %(day)s is before the disbursement (%(disbursed)s).") % {
            "day": paid_on.isoformat(),
            "disbursed": loan.disbursed_on.isoformat(),
        }
    if loan.state == Loan.State.REPAID:
        return _("This loan is fully repaid; nothing more can be paid on it.")
    return None


def repayment_record(
    *,
    loan: Loan,
    paid_on: date,
    amount: int,
    bank_reference: str,
    user: User | None,
    source: str = Repayment.Source.MANUAL,
    state_instalment: int | None = None,
    prepayment_choice: str | None = None,
    today: date | None = None,
) -> tuple[Repayment, bool]:
    """Record a payment once per bank reference; a repeated reference returns the first (created=False).

    The money goes to default interest, interest due, principal due (oldest first), then to principal
    not yet due (a new schedule version: ``prepayment_choice``, else the borrower's standing
    preference, else shorten the term), and beyond the whole debt to the loan's credit balance.
    """
    today = today or timezone.localdate()
    reference = bank_reference.strip()
    if amount <= 0:
        raise RepaymentError(_("The amount must be greater than zero."))
    if not reference:
        raise RepaymentError(_("The bank reference is required."))
    if prepayment_choice not in (None, *PrepaymentChoice.values):
        raise RepaymentError(_("Choose whether the extra payment shortens the term or lowers the instalment."))
    try:
        with transaction.atomic():
            # Lock the loan: two payments for one loan are allocated one after the other.
            locked = Loan.objects.select_for_update(of=("self",)).select_related("offer").get(pk=loan.pk)
            # Looked up under the lock: the same file imported twice at once waits above, then
            # finds the payment the other import committed.
            existing = Repayment.objects.filter(bank_reference=reference).first()
            if existing:
                _same_payment_or_error(existing, locked, amount)
                return existing, False
            with changes.tracking(applications=[locked.application_id]):  # outstanding, PAR30
                problem = payment_problem(locked, paid_on, amount, today)
                if problem:
                    raise RepaymentError(problem)
                rows = ledger.loan_rows(locked, lock=True)
                if state_instalment is not None:
                    allocation = _allocate_state(rows, amount, paid_on, state_instalment)
                else:
                    choice = prepayment_choice or locked.prepayment_choice or PrepaymentChoice.SHORTEN_TERM
                    allocation = ledger.allocate(locked, rows, amount, paid_on, choice=choice)
                locked.credit_balance += allocation.credit
                repayment = Repayment.objects.create(
                    loan=locked,
                    paid_on=paid_on,
                    amount=amount,
                    bank_reference=reference,
                    source=source,
                    allocated_default_interest=allocation.default_interest,
                    allocated_interest=allocation.interest,
                    allocated_principal=allocation.principal,
                    prepaid_principal=allocation.prepaid_principal,
                    unallocated=allocation.credit,
                    prepayment_choice=allocation.choice,
                    recorded_by=user,
                )
                ledger.save_rows(locked, rows, allocation, repayment)
                ledger.refresh_state(locked, rows, max(today, paid_on))
                locked.save(update_fields=ledger.LOAN_LEDGER_FIELDS)
    except IntegrityError:
        # The same reference committed a moment ago for another loan (not under this loan's
        # lock): the allocation above is rolled back and the first payment stands.
        existing = Repayment.objects.filter(bank_reference=reference).first()
        if existing is None:
            raise
        _same_payment_or_error(existing, loan, amount)
        return existing, False
    return repayment, True


def _allocate_state(rows, amount: int, paid_on: date, number: int) -> ledger.Allocation:
    """The state pays exactly its own instalment (product incentive)."""
    allocation = ledger.Allocation()
    row = next(row for row in rows if row.number == number)
    interest = min(amount, row.interest - row.paid_interest)
    principal = min(amount - interest, row.principal - row.paid_principal)
    row.paid_interest += interest
    row.paid_principal += principal
    if row.paid_interest + row.paid_principal == row.payment:
        row.paid_on = paid_on
    allocation.interest, allocation.principal = interest, principal
    allocation.credit = amount - interest - principal
    return allocation


def loan_prepayment_choice_set(*, loan: Loan, user: User, choice: str) -> Loan:
    """The borrower's standing answer: what money paid beyond what is due does to the schedule."""
    if loan.application.applicant_id != user.pk:
        raise RepaymentError(_("Only the borrower can choose this."))
    if choice not in PrepaymentChoice.values:
        raise RepaymentError(_("Choose whether the extra payment shortens the term or lowers the instalment."))
    Loan.objects.filter(pk=loan.pk).update(prepayment_choice=choice, prepayment_choice_set_at=timezone.now())
    loan.refresh_from_db()
    return loan


def credit_refund_request(*, loan: Loan, user: User, amount: int | None = None) -> CreditRefund:
    """Ask to return the borrower's credit balance; another person approves and pays it."""
    if not permissions.may_refund(user):
        raise RepaymentError(_("You do not have the permission for this decision."))
    with transaction.atomic():
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        amount = locked.credit_balance if amount is None else amount
        if amount <= 0 or amount > locked.credit_balance:
            raise RepaymentError(
                _("The refund must be above zero and at most the credit balance (%(balance)s).")
                % {"balance": format_cop(locked.credit_balance)}
            )
        if CreditRefund.objects.filter(loan=locked, state=CreditRefund.State.REQUESTED).exists():
            raise RepaymentError(_("A refund of this loan is already waiting for approval."))
        return CreditRefund.objects.create(loan=locked, amount=amount, requested_by=user)


def credit_refund_decide(*, refund: CreditRefund, user: User, approve: bool, bank_reference: str = "") -> CreditRefund:
    """Pay (or cancel) a requested refund: never by the person who asked for it."""
    if not permissions.may_decide_refund(user):
        raise RepaymentError(_("You do not have the permission for this decision."))
    with transaction.atomic():
        locked = CreditRefund.objects.select_for_update().get(pk=refund.pk)
        if locked.state != CreditRefund.State.REQUESTED:
            raise RepaymentError(_("This refund was already decided."))
        if locked.requested_by_id == user.pk:
            raise RepaymentError(_("You asked for this refund; a different person must approve it."))
        loan = Loan.objects.select_for_update().get(pk=locked.loan_id)
        if approve:
            if not bank_reference.strip():
                raise RepaymentError(_("Enter the bank reference of the transfer."))
            if locked.amount > loan.credit_balance:
                raise RepaymentError(_("The credit balance is now lower than this refund; cancel it and ask again."))
            loan.credit_balance -= locked.amount
            loan.save(update_fields=["credit_balance"])
            locked.state = CreditRefund.State.PAID
            locked.bank_reference = bank_reference.strip()
        else:
            locked.state = CreditRefund.State.CANCELLED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "bank_reference", "decided_by", "decided_at"])
    return locked


def state_payments_apply(*, today: date | None = None) -> int:
    """The state pays its instalments when they fall due (product incentive); safe to run every day."""
    today = today or timezone.localdate()
    due = LoanInstalment.objects.filter(state_paid=True, paid_on__isnull=True, due_date__lte=today).select_related(
        "loan"
    )
    count = 0
    for instalment in due:
        _repayment, created = repayment_record(
            loan=instalment.loan,
            paid_on=instalment.due_date,
            amount=instalment.payment,
            bank_reference=f"ESTADO-{instalment.loan_id}-{instalment.number}",
            user=None,
            source=Repayment.Source.STATE,
            state_instalment=instalment.number,
            today=today,
        )
        count += int(created)
    return count


@dataclass
class ImportReport:
    applied: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


REQUIRED_COLUMNS = ("loan_reference", "paid_on", "amount", "bank_reference")
WHOLE_PESOS = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


def bank_file_import(*, content: bytes, user: User) -> ImportReport:
    """Import a bank CSV: every row is checked first; one bad row and nothing of the file is applied.

    Rows whose bank reference was already imported are counted as duplicates and skipped, so the
    same file can be imported twice without paying anything twice.
    """
    report = ImportReport()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(_("The file is not UTF-8 text. Export it from the bank as CSV (UTF-8)."))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        return report
    rows = []
    seen: set[str] = set()
    loans: dict[str, Loan | None] = {}
    for line, row in enumerate(reader, start=2):
        reference = (row.get("loan_reference") or "").strip()
        bank_reference = (row.get("bank_reference") or "").strip()
        try:
            paid_on = date.fromisoformat((row.get("paid_on") or "").strip())
        except ValueError:
            report.errors.append(_("Line %(line)d: the date must be YYYY-MM-DD.") % {"line": line})
            continue
        amount_text = (row.get("amount") or "").strip()
        # Whole pesos, grouped by thousands or not. "150000.00" is refused, never read as 15,000,000.
        if WHOLE_PESOS.fullmatch(amount_text):
            amount_text = amount_text.replace(".", "").replace(",", "")
        if not amount_text.isdigit() or int(amount_text) <= 0:
            report.errors.append(
                _("Line %(line)d: the amount must be a whole number of pesos above zero.") % {"line": line}
            )
            continue
        if not bank_reference:
            report.errors.append(_("Line %(line)d: the bank reference is empty.") % {"line": line})
            continue
        if bank_reference in seen:
            report.errors.append(
                _("Line %(line)d: the bank reference %(ref)s appears twice in the file.")
                % {"line": line, "ref": bank_reference}
            )
            continue
        seen.add(bank_reference)
        if reference not in loans:
            loans[reference] = Loan.objects.filter(application__reference=reference).first()
        loan = loans[reference]
        if loan is None:
            report.errors.append(
                _("Line %(line)d: no disbursed loan with reference %(ref)s.") % {"line": line, "ref": reference}
            )
            continue
        if paid_on > timezone.localdate():
            report.errors.append(_("Line %(line)d: the date is in the future.") % {"line": line})
            continue
        if paid_on < loan.disbursed_on:
            report.errors.append(_("Line %(line)d: the date is before the disbursement.") % {"line": line})
            continue
        rows.append((line, loan, paid_on, int(amount_text), bank_reference))
    known = {r.bank_reference: r for r in Repayment.objects.filter(bank_reference__in=[row[4] for row in rows])}
    for line, loan, _paid_on, amount, bank_reference in rows:
        earlier = known.get(bank_reference)
        if earlier and (earlier.loan_id != loan.pk or earlier.amount != amount):
            report.errors.append(
                _("Line %(line)d: the bank reference %(ref)s was already used for another payment.")
                % {"line": line, "ref": bank_reference}
            )
    if report.errors:
        return report
    try:
        with transaction.atomic():
            # Loan by loan (file order within a loan): two imports lock loans in the same order
            # and cannot deadlock.
            for _line, loan, paid_on, amount, bank_reference in sorted(rows, key=lambda row: row[1].pk):
                _repayment, created = repayment_record(
                    loan=loan,
                    paid_on=paid_on,
                    amount=amount,
                    bank_reference=bank_reference,
                    user=user,
                    source=Repayment.Source.BANK_FILE,
                )
                report.applied += int(created)
                report.duplicates += int(not created)
    except RepaymentError as error:
        report.applied = report.duplicates = 0
        report.errors.append(str(error))
    return report


def loans_daily(*, today: date | None = None) -> int:
    """Once a day (or replayed for any ``today``): the state's instalments, then every open loan.

    Lapsed approvals are the applications' own daily job (``loans.applications.lapse_approvals``).
    """
    today = today or timezone.localdate()
    state_payments_apply(today=today)
    # The refresh tells the summaries which loans move in or out of PAR30 (daily.CROSSING_SQL).
    return daily.loans_refresh(as_of=today)
