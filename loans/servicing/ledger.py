"""The loan ledger: what a borrower owes on a day, and where each peso of a payment goes.

DOMAIN.md, "Offer, disbursement and servicing". In short:

* The schedule comes from the accepted offer at the disbursement date. A capitalised grace
  month owes nothing: its interest is stored as ``capitalised_interest`` (joined to the
  principal) and its ``payment`` is 0, so it is never due nor overdue.
* Default interest (interés moratorio) runs per day on the principal of instalments past
  their due date: ``principal * ((1 + EA) ** (days / 365) - 1)``, rounded half up to the
  peso, at the offer's default rate and never above the usury cap in force that day.
* A payment goes to default interest, then the interest due of every instalment whose due
  date has come (oldest first), then their principal (oldest first). Instalments the state
  pays are left to the state.
* What is left is a prepayment of principal: the remaining rows are rebuilt (a new schedule
  version) either with the same instalment and fewer rows (shorten the term, the default) or
  the same rows and a lower instalment. The interest of the current period on the prepaid
  part is settled to the day of payment: it runs only for the days elapsed.
* What is left beyond the whole debt (balance plus interest accrued to the day) is a credit
  balance owed to the borrower and refunded by staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from django.utils import timezone

from loans.choices import PrepaymentChoice
from loans.products.models import LoanOffer, usury_cap_on
from loans.products.schedule import GraceMode, build_schedule, monthly_rate_from_effective_annual
from loans.servicing.models import Loan, LoanInstalment, Repayment, ScheduleVersion

DAYS_IN_YEAR = 365


def _round_peso(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def default_interest(principal: int, annual_rate: Decimal, days: int) -> int:
    """Default interest on ``principal`` overdue for ``days`` days at an effective annual rate (a fraction)."""
    if principal <= 0 or days <= 0 or annual_rate <= 0:
        return 0
    with localcontext(Context(prec=50)):
        factor = ((Decimal(1) + annual_rate).ln() * Decimal(days) / DAYS_IN_YEAR).exp() - 1
        return _round_peso(Decimal(principal) * factor)


def default_rate_on(offer: LoanOffer | None, day: date) -> Decimal:
    """The default rate (fraction) of a day: the offer's, never above the usury cap in force that day."""
    if offer is None or not offer.default_rate_pct:
        return Decimal(0)
    rate = offer.default_rate_pct
    cap = usury_cap_on(offer.credit_category, day)
    if cap is not None:
        rate = min(rate, cap.rate_pct)
    return rate / 100


def _rows_json(rows) -> list[dict]:
    return [
        {
            "number": row.number,
            "due_date": row.due_date.isoformat(),
            "interest": row.interest,
            "capitalised_interest": row.capitalised_interest,
            "principal": row.principal,
            "payment": row.payment,
            "state_paid": row.state_paid,
        }
        for row in rows
    ]


def version_record(loan: Loan, rows, *, reason: str, choice: str = "", repayment: Repayment | None = None) -> None:
    ScheduleVersion.objects.create(
        loan=loan,
        number=loan.schedule_version,
        reason=reason,
        prepayment_choice=choice,
        repayment=repayment,
        rows=_rows_json(rows),
    )


def opening_rows(loan: Loan, offer: LoanOffer, schedule) -> list[LoanInstalment]:
    """The first schedule's rows, unsaved. A capitalised grace month owes nothing: its interest joins the principal."""
    capitalised = GraceMode(offer.grace_mode) is GraceMode.CAPITALISED
    return [
        LoanInstalment(
            loan=loan,
            number=row.number,
            due_date=row.due_date,
            interest=0 if (row.is_grace and capitalised) else row.interest,
            capitalised_interest=row.interest if (row.is_grace and capitalised) else 0,
            principal=row.principal,
            payment=row.payment,
            state_paid=row.state_paid,
        )
        for row in schedule.instalments
    ]


# --- reading the ledger -------------------------------------------------------------------


def _owed(row: LoanInstalment) -> int:
    return row.payment - row.paid_interest - row.paid_principal


def _is_due(row: LoanInstalment, day: date) -> bool:
    """The borrower owes this row on ``day`` (the state's rows are the state's)."""
    return not row.state_paid and row.due_date <= day and _owed(row) > 0


def _is_overdue(row: LoanInstalment, day: date) -> bool:
    return not row.state_paid and row.due_date < day and _owed(row) > 0


def balance_after(rows: list[LoanInstalment], day: date) -> int:
    """Principal still owed once every row due by ``day`` is paid: the opening balance of the next period."""
    future = [row for row in rows if row.due_date > day]
    return sum(row.principal - row.paid_principal - row.capitalised_interest for row in future)


def _period(loan: Loan, rows: list[LoanInstalment], day: date) -> tuple[date, date | None]:
    """The due dates around ``day``: (previous due date or disbursement, next due date)."""
    previous = loan.disbursed_on
    for row in rows:
        if row.due_date <= day:
            previous = max(previous, row.due_date)
    upcoming = [row.due_date for row in rows if row.due_date > day]
    return previous, (min(upcoming) if upcoming else None)


def accrued_interest(loan: Loan, rows: list[LoanInstalment], day: date, balance: int) -> int:
    """Interest of the current period on ``balance`` for the days run up to ``day`` (never for days not run)."""
    previous, upcoming = _period(loan, rows, day)
    if upcoming is None or balance <= 0 or day <= previous:
        return 0
    rate = monthly_rate_from_effective_annual(loan.annual_rate_pct / 100)
    with localcontext(Context(prec=50)):
        share = Decimal((day - previous).days) / Decimal((upcoming - previous).days)
        return _round_peso(Decimal(balance) * rate * share)


def payoff_amount(loan: Loan, rows: list[LoanInstalment], day: date) -> int:
    """Everything owed on ``day``: default interest, what is due, the balance and the interest run to the day."""
    due = sum(_owed(row) for row in rows if _is_due(row, day))
    balance = balance_after(rows, day)
    return loan.default_interest_due + due + balance + accrued_interest(loan, rows, day, balance)


def accrue_default_interest(loan: Loan, rows: list[LoanInstalment], up_to: date) -> int:
    """Add default interest on overdue principal from the last accrual to ``up_to``; returns what was added."""
    start = loan.default_accrued_through or loan.disbursed_on
    if up_to <= start:
        return 0
    rate = default_rate_on(loan.offer, up_to)
    added = 0
    for row in rows:
        if row.state_paid or row.due_date >= up_to:
            continue
        overdue_principal = row.principal - row.paid_principal
        days = (up_to - max(row.due_date, start)).days
        added += default_interest(overdue_principal, rate, days)
    loan.default_interest_due += added
    loan.default_interest_charged += added
    loan.default_accrued_through = up_to
    return added


# --- applying a payment -------------------------------------------------------------------


@dataclass
class Allocation:
    default_interest: int = 0
    interest: int = 0
    principal: int = 0
    prepaid_principal: int = 0
    credit: int = 0
    choice: str = ""
    new_version: str = ""  # ScheduleVersion.Reason of the schedule this payment issued, if any


def _pay_row(row: LoanInstalment, *, interest: int = 0, principal: int = 0, day: date) -> None:
    row.paid_interest += interest
    row.paid_principal += principal
    if _owed(row) == 0 and row.paid_on is None:
        row.paid_on = day


def allocate(loan: Loan, rows: list[LoanInstalment], amount: int, day: date, *, choice: str) -> Allocation:
    """Apply ``amount`` paid on ``day`` to the locked loan and its current rows (in memory; the caller saves)."""
    result = Allocation()
    accrue_default_interest(loan, rows, day)
    left = amount
    result.default_interest = min(left, loan.default_interest_due)
    loan.default_interest_due -= result.default_interest
    left -= result.default_interest
    due_rows = sorted((row for row in rows if _is_due(row, day)), key=lambda row: (row.due_date, row.number))
    for row in due_rows:
        pay = min(left, row.interest - row.paid_interest)
        _pay_row(row, interest=pay, day=day)
        result.interest += pay
        left -= pay
    for row in due_rows:
        pay = min(left, row.principal - row.paid_principal)
        _pay_row(row, principal=pay, day=day)
        result.principal += pay
        left -= pay
    if left == 0:
        return result
    balance = balance_after(rows, day)
    if balance <= 0:
        result.credit = left
        return result
    accrued = accrued_interest(loan, rows, day, balance)
    if left >= balance:
        # Enough to repay the whole balance: the loan is settled to the day (interest run to the day first).
        # Short of that interest, the rest stays owed on a row due today.
        to_interest = min(left, accrued)
        to_principal = min(left - to_interest, balance)
        result.interest += to_interest
        result.prepaid_principal = to_principal
        result.credit = left - to_interest - to_principal
        result.new_version = ScheduleVersion.Reason.PAYOFF
        _settle(
            loan,
            rows,
            day,
            interest=accrued,
            principal=balance,
            paid_interest=to_interest,
            paid_principal=to_principal,
        )
        return result
    result.prepaid_principal = left
    result.choice = choice
    result.new_version = ScheduleVersion.Reason.PREPAYMENT
    _rebuild(loan, rows, day, prepaid=left, balance=balance, choice=choice)
    return result


def _future(rows: list[LoanInstalment], day: date) -> list[LoanInstalment]:
    return sorted((row for row in rows if row.due_date > day), key=lambda row: row.number)


def _settle(
    loan: Loan,
    rows: list[LoanInstalment],
    day: date,
    *,
    interest: int,
    principal: int,
    paid_interest: int,
    paid_principal: int,
) -> None:
    """Paid off early: the next row carries the interest run to the day and the whole balance; later rows go."""
    future = _future(rows, day)
    first, dropped = future[0], future[1:]
    first.due_date = day
    first.interest, first.capitalised_interest, first.principal = interest, 0, principal
    first.payment = interest + principal
    first.state_paid = False
    first.paid_interest, first.paid_principal = paid_interest, paid_principal
    first.paid_on = day if (paid_interest, paid_principal) == (interest, principal) else None
    for row in dropped:
        row.number = -row.number  # marked for deletion by the caller


def _rebuild(loan: Loan, rows: list[LoanInstalment], day: date, *, prepaid: int, balance: int, choice: str) -> None:
    """A new schedule for the rows still to come, from the balance less the prepayment."""
    future = _future(rows, day)
    offer = loan.offer
    grace_mode = GraceMode(offer.grace_mode if offer else GraceMode.INTEREST_ONLY)
    grace_left = sum(1 for row in future if row.number <= loan.grace_months)
    annual = loan.annual_rate_pct / 100
    new_balance = balance - prepaid
    old_interest = sum(row.interest + row.capitalised_interest for row in future)

    capitalised = grace_mode is GraceMode.CAPITALISED
    # The prepaid part ran for the days of this period before the payment: that interest is owed, no more.
    elapsed = accrued_interest(loan, rows, day, prepaid)
    first_is_capitalised = capitalised and future[0].number <= loan.grace_months

    def build(term: int, extra: int):
        # In a capitalised grace month the elapsed interest joins the balance, like the month's own interest.
        return build_schedule(
            amount=new_balance + (extra if first_is_capitalised else 0),
            annual_rate=annual,
            term_months=term,
            grace_months=min(grace_left, term - 1),
            grace_mode=grace_mode,
            first_due_date=future[0].due_date,
        )

    def shaped(extra: int):
        schedule = build(len(future), extra)
        if choice == PrepaymentChoice.SHORTEN_TERM:
            amortising = [row for row in future if row.number > loan.grace_months and not row.state_paid]
            paying = [row.payment for row in amortising[:-1]] or [row.payment for row in amortising]
            target = max(paying, default=0)
            for term in range(grace_left + 1, len(future) + 1):
                candidate = build(term, extra)
                if candidate.regular_payment <= target:
                    return candidate
        return schedule

    schedule = shaped(elapsed)
    if schedule.total_interest + elapsed > old_interest:
        elapsed = 0
        schedule = shaped(0)
    if schedule.total_interest > old_interest:
        # Rounding could make a tiny prepayment cost a peso more over the term: never let it. The
        # rows stay as they were and the prepayment repays the last ones' principal instead.
        _repay_from_the_end(future, prepaid)
        return
    for index, row in enumerate(future):
        if index >= len(schedule.instalments):
            row.number = -row.number  # dropped: the term is shorter
            continue
        new = schedule.instalments[index]
        extra = elapsed if index == 0 else 0
        if new.is_grace and capitalised:
            row.interest, row.capitalised_interest = 0, new.interest + extra
        else:
            row.interest, row.capitalised_interest = new.interest + extra, 0
        row.principal = new.principal
        row.payment = row.interest + row.principal
        row.paid_interest = row.paid_principal = 0
        row.paid_on = None


def _repay_from_the_end(future: list[LoanInstalment], prepaid: int) -> None:
    left = prepaid
    for row in reversed(future):
        take = min(left, row.principal)
        row.principal -= take
        row.payment -= take
        left -= take
        if left == 0:
            break


def loan_rows(loan: Loan, *, lock: bool = False) -> list[LoanInstalment]:
    rows = LoanInstalment.objects.filter(loan=loan).order_by("number")
    return list(rows.select_for_update() if lock else rows)


def save_rows(loan: Loan, rows: list[LoanInstalment], allocation: Allocation, repayment: Repayment) -> None:
    """Write the rows back; a new schedule version is recorded when the payment issued one."""
    dropped = [row.pk for row in rows if row.number < 0]
    if dropped:
        LoanInstalment.objects.filter(pk__in=dropped).delete()
    kept = [row for row in rows if row.number > 0]
    LoanInstalment.objects.bulk_update(
        kept,
        [
            "due_date",
            "interest",
            "capitalised_interest",
            "principal",
            "payment",
            "state_paid",
            "paid_interest",
            "paid_principal",
            "paid_on",
        ],
    )
    if allocation.new_version:
        loan.schedule_version += 1
        version_record(loan, kept, reason=allocation.new_version, choice=allocation.choice, repayment=repayment)
    rows[:] = kept


def refresh_state(loan: Loan, rows: list[LoanInstalment], today: date) -> None:
    """Days and amount in arrears, the loan's state, and the on-time rebate when repaid (in memory)."""
    overdue = [row for row in rows if _is_overdue(row, today)]
    loan.days_in_arrears = (today - min(row.due_date for row in overdue)).days if overdue else 0
    loan.arrears_amount = sum(_owed(row) for row in overdue) + loan.default_interest_due
    if all(_owed(row) == 0 for row in rows) and loan.default_interest_due == 0:
        loan.state = Loan.State.REPAID
        on_time = loan.default_interest_charged == 0 and not any(
            row.paid_on and row.paid_on > row.due_date for row in rows if not row.state_paid
        )
        if on_time and loan.rebate_amount and loan.rebate_granted_at is None:
            loan.rebate_granted_at = timezone.now()
    else:
        loan.state = Loan.State.IN_ARREARS if loan.days_in_arrears > 0 else Loan.State.ACTIVE


LOAN_LEDGER_FIELDS = [
    "days_in_arrears",
    "arrears_amount",
    "state",
    "rebate_granted_at",
    "default_interest_due",
    "default_interest_charged",
    "default_accrued_through",
    "credit_balance",
    "schedule_version",
]
