"""Repayment schedule, exact to the peso.

Pure Python arithmetic (no models, no database) so the simulator, the product admin and
disbursement all compute the same rows; ``schedule_for`` reads the terms off a product. See ``docs/SCHEDULE.md``.

Rules, in short:

* The product's rate is an effective annual rate (E.A.); the monthly rate is
  ``(1 + EA) ** (1/12) - 1``, computed with :mod:`decimal` at 50 digits and kept
  at 34 significant digits.
* Money is integer pesos. Each month's interest is ``balance * r`` rounded
  ROUND_HALF_UP to the peso; the level (French) instalment is rounded the same
  way; the last instalment takes whatever balance remains, so the closing balance
  of the last row is exactly 0 and the principal column sums exactly to the
  amount plus any capitalised interest.
* ``term_months`` includes the grace months. In an interest-only grace month the
  borrower pays the interest; in a capitalised grace month nothing is paid and the
  interest is added to the balance.
* Incentives (state-paid instalments, on-time rebate) never change the rows; they
  are marked and totalled separately.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum

from django.utils import timezone

__all__ = [
    "GraceMode",
    "Instalment",
    "Schedule",
    "build_schedule",
    "monthly_rate_from_effective_annual",
    "schedule_to_rows",
]

# Working precision for every intermediate Decimal step. Pesos are at most ~13
# digits, so 50 digits leave far more than enough room for ``balance * r`` and
# ``(1 + r) ** n`` to be exact to well below a peso.
_WORKING_PRECISION = 50
# Precision the monthly rate is stored with (IEEE decimal128).
_RATE_PRECISION = 34
_MAX_ANNUAL_RATE = Decimal(10)
_ONE_PESO = Decimal(1)


class GraceMode(StrEnum):
    INTEREST_ONLY = "interest_only"
    CAPITALISED = "capitalised"


@dataclass(frozen=True)
class Instalment:
    number: int  # 1..term_months
    due_date: date
    opening_balance: int  # integer COP
    interest: int
    principal: int
    payment: int  # interest + principal; 0 in a capitalised grace month
    closing_balance: int
    is_grace: bool
    state_paid: bool  # the state pays this instalment (the row itself is unchanged)

    def __init__(
        self,
        number: int,
        due_date: date,
        opening_balance: int,
        interest: int,
        principal: int,
        payment: int,
        closing_balance: int,
        is_grace: bool,
        state_paid: bool,
    ):
        # Kept instead of the generated __init__ (the same arguments), which writes each field of a frozen
        # dataclass through object.__setattr__: about five times dearer, for every row of every schedule.
        vars(self).update(
            number=number,
            due_date=due_date,
            opening_balance=opening_balance,
            interest=interest,
            principal=principal,
            payment=payment,
            closing_balance=closing_balance,
            is_grace=is_grace,
            state_paid=state_paid,
        )


@dataclass(frozen=True)
class Schedule:
    amount: int
    term_months: int
    grace_months: int
    grace_mode: GraceMode
    annual_rate: Decimal
    monthly_rate: Decimal
    instalments: tuple[Instalment, ...]
    regular_payment: int  # the level (French) instalment after grace
    total_interest: int
    total_paid: int
    capitalised_interest: int
    state_paid_total: int  # sum of the payments the state covers
    on_time_rebate: int  # rebate_pct of the amount, returned to a borrower who pays on time
    borrower_total_if_on_time: int  # total_paid - state_paid_total - on_time_rebate


def _round_peso(value: Decimal) -> int:
    return int(value.quantize(_ONE_PESO, rounding=ROUND_HALF_UP))


def _check_annual_rate(annual_rate: Decimal) -> None:
    if isinstance(annual_rate, bool) or not isinstance(annual_rate, Decimal | int):
        # A float such as 0.2268 is not 0.2268; the caller must say what it means.
        raise ValueError(f"annual_rate must be a Decimal (e.g. Decimal('0.2268')), not {type(annual_rate).__name__}.")
    annual_rate = Decimal(annual_rate)
    if not annual_rate.is_finite():
        raise ValueError(f"annual_rate must be a finite number, got {annual_rate}.")
    if annual_rate < 0:
        raise ValueError(f"annual_rate must be >= 0, got {annual_rate}.")
    if annual_rate >= _MAX_ANNUAL_RATE:
        raise ValueError(
            f"annual_rate is a fraction (0.2268 = 22.68 % E.A.) and must be < {_MAX_ANNUAL_RATE}, got {annual_rate}."
        )


@functools.lru_cache(maxsize=256)
def monthly_rate_from_effective_annual(annual_rate: Decimal) -> Decimal:
    """Monthly rate equivalent to an effective annual rate: ``(1 + EA) ** (1/12) - 1``.

    ``annual_rate`` is a fraction (``Decimal("0.2268")`` is 22.68 % E.A.). The result
    is computed as ``exp(ln(1 + EA) / 12) - 1`` at 50 digits and returned rounded to
    34 significant digits; a rate of 0 gives exactly 0. Remembered per rate (a product has one;
    the logarithm and exponential at 50 digits are most of a schedule's cost).
    """
    _check_annual_rate(annual_rate)
    with localcontext(Context(prec=_WORKING_PRECISION)) as ctx:
        monthly = ((Decimal(1) + Decimal(annual_rate)).ln() / 12).exp() - 1
        ctx.prec = _RATE_PRECISION
        return +monthly


def _level_payment(balance: int, rate: Decimal, months: int) -> int:
    """French instalment ``B * r / (1 - (1 + r) ** -n)``, rounded half up to the peso."""
    with localcontext(Context(prec=_WORKING_PRECISION)):
        if rate == 0:
            return _round_peso(Decimal(balance) / months)
        growth = (1 + rate) ** months
        return _round_peso(Decimal(balance) * rate * growth / (growth - 1))


def _interest_decimal(balance: int, rate: Decimal, context: Context) -> int:
    """The month's interest by the rule itself: ``balance * r`` at 50 digits, rounded half up to the peso."""
    product = context.multiply(Decimal(balance), rate)
    return int(product.quantize(_ONE_PESO, rounding=ROUND_HALF_UP, context=context))


class _Interest:
    """``_interest_decimal`` for one rate, in exact integer arithmetic where that gives the same peso.

    ``r`` is an exact fraction ``numerator / denominator`` (``as_integer_ratio``: its 34
    significant digits over a power of ten, reduced). While ``balance`` has at most 50 - 34
    digits, the Decimal product at 50 digits is exact, so rounding it half up equals
    ``divmod(balance * numerator, denominator)`` with a remainder of half or more rounded up:
    the same peso, without a Decimal per row (tests/loans/test_schedule.py checks both agree).
    Larger or negative balances (and negative rates), which no loan reaches, take the Decimal path.
    """

    __slots__ = ("context", "denominator", "limit", "numerator", "rate")

    def __init__(self, rate: Decimal):
        self.rate = rate
        self.context = Context(prec=_WORKING_PRECISION)
        self.numerator, self.denominator = rate.as_integer_ratio()
        exact_digits = _WORKING_PRECISION - len(rate.as_tuple().digits)
        self.limit = 10**exact_digits if self.numerator >= 0 else 0

    def __call__(self, balance: int) -> int:
        if 0 <= balance < self.limit:
            quotient, remainder = divmod(balance * self.numerator, self.denominator)
            return quotient + 1 if 2 * remainder >= self.denominator else quotient
        return _interest_decimal(balance, self.rate, self.context)


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` later on the same day, or the month's last day if shorter.

    Always computed from the original date, so 31 Jan -> 29 Feb -> 31 Mar (not 29 Mar).
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if start.day <= 28:  # every month has the day: no calendar lookup (most dates, most calls)
        return date(year, month, start.day)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _check_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}.")


def _validate(
    *,
    amount: int,
    annual_rate: Decimal,
    term_months: int,
    grace_months: int,
    first_due_date: date,
    state_pays_every: int | None,
    on_time_rebate_pct: Decimal,
) -> None:
    _check_int("amount", amount)
    _check_int("term_months", term_months)
    _check_int("grace_months", grace_months)
    if amount <= 0:
        raise ValueError(f"amount must be a positive number of pesos, got {amount}.")
    if term_months < 1:
        raise ValueError(f"term_months must be at least 1, got {term_months}.")
    if not 0 <= grace_months < term_months:
        raise ValueError(
            f"grace_months must be between 0 and term_months - 1 ({term_months - 1}), got {grace_months}; "
            "term_months includes the grace months."
        )
    _check_annual_rate(annual_rate)
    if not isinstance(first_due_date, date):
        raise ValueError(f"first_due_date must be a date, got {first_due_date!r}.")
    if state_pays_every is not None:
        _check_int("state_pays_every", state_pays_every)
        if state_pays_every < 1:
            raise ValueError(f"state_pays_every must be at least 1 (or None), got {state_pays_every}.")
    if isinstance(on_time_rebate_pct, bool) or not isinstance(on_time_rebate_pct, Decimal | int):
        raise ValueError(
            f"on_time_rebate_pct must be a Decimal percent (e.g. Decimal('14')), got {on_time_rebate_pct!r}."
        )
    if not Decimal(on_time_rebate_pct).is_finite() or not 0 <= on_time_rebate_pct <= 100:
        raise ValueError(f"on_time_rebate_pct is a percent and must be between 0 and 100, got {on_time_rebate_pct}.")


def build_schedule(
    *,
    amount: int,
    annual_rate: Decimal,
    term_months: int,
    grace_months: int = 0,
    grace_mode: GraceMode = GraceMode.INTEREST_ONLY,
    first_due_date: date,
    state_pays_every: int | None = None,
    on_time_rebate_pct: Decimal = Decimal(0),
) -> Schedule:
    """Build the repayment schedule of a loan of ``amount`` pesos.

    ``annual_rate`` is the effective annual rate as a fraction; ``term_months``
    includes ``grace_months``; instalment k falls k - 1 months after
    ``first_due_date`` (clamped to the month's last day).

    After grace the balance is amortised over ``term_months - grace_months``
    months with a level instalment ``regular_payment``. Every amortisation row
    but the last pays exactly ``regular_payment``, except when rounding would let
    the balance run out early: that row pays the interest plus what is left, and
    later rows (before the last) are all 0. Only tiny amounts meet this. The last
    row pays its interest plus the whole remaining balance, so it may differ from
    ``regular_payment``; the difference is the compounded rounding of the level
    instalment and of each month's interest, at most
    ``((1 + r) ** n - 1) / r`` pesos (``n`` when ``r == 0``) for ``n`` amortisation
    months: about 50 pesos at 22.68 % E.A. over 36 months.

    State-paid instalments (``state_pays_every=k``): the state pays every k-th
    instalment *counting only amortisation rows with a payment above zero*
    (grace rows never count, whether interest-only or capitalised). With
    ``state_pays_every=12`` a 36-month loan without grace has rows 12, 24 and 36
    paid by the state; with 6 grace months it has 30 amortisation rows and the
    state pays the 12th and 24th of them (rows 18 and 30). The rationale: the
    announced formula is "the borrower pays 11 instalments, the state the 12th",
    and an interest-only grace payment is not an instalment of the loan.

    ``on_time_rebate_pct`` is a percent (``Decimal("14")``); the rebate is that
    share of ``amount``, rounded half up to the peso.

    Raises ``ValueError`` for invalid inputs.
    """
    _validate(
        amount=amount,
        annual_rate=annual_rate,
        term_months=term_months,
        grace_months=grace_months,
        first_due_date=first_due_date,
        state_pays_every=state_pays_every,
        on_time_rebate_pct=on_time_rebate_pct,
    )
    try:
        grace_mode = GraceMode(grace_mode)
    except ValueError:
        choices = ", ".join(mode.value for mode in GraceMode)
        raise ValueError(f"grace_mode must be one of {choices}, got {grace_mode!r}.") from None

    rate = monthly_rate_from_effective_annual(annual_rate)
    interest_on = _Interest(rate)
    instalments: list[Instalment] = []
    balance = amount
    capitalised_interest = 0
    regular_payment = 0
    paying_rows = 0
    for number in range(1, term_months + 1):
        is_grace = number <= grace_months
        if number == grace_months + 1:
            regular_payment = _level_payment(balance, rate, term_months - grace_months)
        interest = interest_on(balance)
        if is_grace and grace_mode is GraceMode.CAPITALISED:
            principal, payment, closing = 0, 0, balance + interest
            capitalised_interest += interest
        else:
            if is_grace:
                principal = 0
            elif number == term_months:
                principal = balance  # the last row settles every rounded peso
            else:
                # Never negative: regular_payment rounds B0*r/(1-(1+r)^-n) >= B0*r and the balance
                # never grows, so round(balance*r) <= regular_payment. Capped so tiny loans cannot overpay.
                principal = min(regular_payment - interest, balance)
            payment, closing = interest + principal, balance - principal
        state_paid = False
        if not is_grace and payment > 0:
            paying_rows += 1
            state_paid = state_pays_every is not None and paying_rows % state_pays_every == 0
        instalments.append(
            Instalment(
                number=number,
                due_date=add_months(first_due_date, number - 1),
                opening_balance=balance,
                interest=interest,
                principal=principal,
                payment=payment,
                closing_balance=closing,
                is_grace=is_grace,
                state_paid=state_paid,
            )
        )
        balance = closing

    total_paid = sum(row.payment for row in instalments)
    state_paid_total = sum(row.payment for row in instalments if row.state_paid)
    with localcontext(Context(prec=_WORKING_PRECISION)):
        on_time_rebate = _round_peso(Decimal(amount) * Decimal(on_time_rebate_pct) / 100)
    return Schedule(
        amount=amount,
        term_months=term_months,
        grace_months=grace_months,
        grace_mode=grace_mode,
        annual_rate=Decimal(annual_rate),
        monthly_rate=rate,
        instalments=tuple(instalments),
        regular_payment=regular_payment,
        total_interest=sum(row.interest for row in instalments),
        total_paid=total_paid,
        capitalised_interest=capitalised_interest,
        state_paid_total=state_paid_total,
        on_time_rebate=on_time_rebate,
        borrower_total_if_on_time=total_paid - state_paid_total - on_time_rebate,
    )


def schedule_for(product, *, amount: int, term_months: int, grace_months: int, start: date | None = None) -> Schedule:
    """A product's schedule for a request: first instalment one month after ``start`` (today by default).

    ``product`` is a ``LoanProduct`` (its rate, grace mode and incentives); the simulator, the
    application pages and the disbursement all call this, so they show the same rows.
    """
    start = start or timezone.localdate()
    first_due = add_months(start, 1)
    return build_schedule(
        amount=amount,
        annual_rate=product.annual_rate_pct / 100,
        term_months=term_months,
        grace_months=grace_months,
        grace_mode=GraceMode(product.grace_mode),
        first_due_date=first_due,
        state_pays_every=product.state_pays_every,
        on_time_rebate_pct=product.on_time_rebate_pct,
    )


def schedule_to_rows(schedule: Schedule) -> list[dict[str, int | str | bool]]:
    """The schedule's rows as plain dicts (ISO due dates), ready for a CSV writer."""
    return [
        {
            "number": row.number,
            "due_date": row.due_date.isoformat(),
            "opening_balance": row.opening_balance,
            "interest": row.interest,
            "principal": row.principal,
            "payment": row.payment,
            "closing_balance": row.closing_balance,
            "state_paid": row.state_paid,
        }
        for row in schedule.instalments
    ]
