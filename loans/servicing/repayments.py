"""Repayments after disbursement: allocation, arrears, incentives and the bank file import."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans.servicing.models import Loan, LoanInstalment, Repayment
from portal import changes


class RepaymentError(Exception):
    pass


def _allocate(loan: Loan, amount: int, paid_on: date, *, state_instalment: int | None = None) -> tuple[int, int, int]:
    """Pay interest then principal of the oldest open instalments; returns (interest, principal, left over).

    Borrower payments skip the instalments the state pays; a state payment goes to its own instalment.
    """
    instalments = loan.instalments.select_for_update().filter(paid_on__isnull=True).order_by("number")
    if state_instalment is None:
        instalments = instalments.filter(state_paid=False)
    else:
        instalments = instalments.filter(number=state_instalment)
    to_interest = to_principal = 0
    left = amount
    for instalment in instalments:
        if left == 0:
            break
        interest_due = instalment.interest - instalment.paid_interest
        pay_interest = min(left, interest_due)
        instalment.paid_interest += pay_interest
        left -= pay_interest
        principal_due = instalment.principal - instalment.paid_principal
        pay_principal = min(left, principal_due)
        instalment.paid_principal += pay_principal
        left -= pay_principal
        if instalment.paid_interest == instalment.interest and instalment.paid_principal == instalment.principal:
            instalment.paid_on = paid_on
        instalment.save(update_fields=["paid_interest", "paid_principal", "paid_on"])
        to_interest += pay_interest
        to_principal += pay_principal
    return to_interest, to_principal, left


def loan_refresh_state(loan: Loan, today: date | None = None) -> Loan:
    """Recompute days in arrears and the state; grant the on-time rebate when repaid on time."""
    today = today or timezone.localdate()
    open_instalments = loan.instalments.filter(paid_on__isnull=True)
    oldest_overdue = open_instalments.filter(due_date__lt=today, state_paid=False).order_by("due_date").first()
    loan.days_in_arrears = (today - oldest_overdue.due_date).days if oldest_overdue else 0
    if not open_instalments.exists():
        loan.state = Loan.State.REPAID
        paid_late = loan.instalments.filter(state_paid=False, paid_on__gt=F("due_date")).exists()
        if not paid_late and loan.rebate_amount and loan.rebate_granted_at is None:
            loan.rebate_granted_at = timezone.now()
    else:
        loan.state = Loan.State.IN_ARREARS if loan.days_in_arrears > 0 else Loan.State.ACTIVE
    loan.save(update_fields=["days_in_arrears", "state", "rebate_granted_at"])
    return loan


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


def repayment_record(
    *,
    loan: Loan,
    paid_on: date,
    amount: int,
    bank_reference: str,
    user: User | None,
    source: str = Repayment.Source.MANUAL,
    state_instalment: int | None = None,
) -> tuple[Repayment, bool]:
    """Record a payment once per bank reference; a repeated reference returns the first (created=False)."""
    reference = bank_reference.strip()
    if amount <= 0:
        raise RepaymentError(_("The amount must be greater than zero."))
    if not reference:
        raise RepaymentError(_("The bank reference is required."))
    try:
        with transaction.atomic():
            # Lock the loan: two payments for one loan are allocated one after the other.
            locked = Loan.objects.select_for_update().get(pk=loan.pk)
            # Looked up under the lock: the same file imported twice at once waits above, then
            # finds the payment the other import committed.
            existing = Repayment.objects.filter(bank_reference=reference).first()
            if existing:
                _same_payment_or_error(existing, locked, amount)
                return existing, False
            with changes.tracking(applications=[locked.application_id]):  # outstanding, PAR30
                interest, principal, left = _allocate(locked, amount, paid_on, state_instalment=state_instalment)
                repayment = Repayment.objects.create(
                    loan=locked,
                    paid_on=paid_on,
                    amount=amount,
                    bank_reference=reference,
                    source=source,
                    allocated_interest=interest,
                    allocated_principal=principal,
                    unallocated=left,
                    recorded_by=user,
                )
                loan_refresh_state(locked)
    except IntegrityError:
        # The same reference committed a moment ago for another loan (not under this loan's
        # lock): the allocation above is rolled back and the first payment stands.
        existing = Repayment.objects.filter(bank_reference=reference).first()
        if existing is None:
            raise
        _same_payment_or_error(existing, loan, amount)
        return existing, False
    return repayment, True


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
    """Once a day: the state's instalments, then days in arrears and state of every open loan."""
    today = today or timezone.localdate()
    state_payments_apply(today=today)
    count = 0
    open_loans = Loan.objects.filter(state__in=[Loan.State.ACTIVE, Loan.State.IN_ARREARS]).order_by("pk")
    last = 0
    while chunk := list(open_loans.filter(pk__gt=last)[:2000]):
        # Arrears move loans in and out of PAR30 and repaid loans out of the outstanding figure.
        with changes.tracking(applications=[loan.application_id for loan in chunk]):
            for loan in chunk:
                loan_refresh_state(loan, today=today)
        count += len(chunk)
        last = chunk[-1].pk
    return count
