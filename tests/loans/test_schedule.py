"""The repayment schedule: exact to the peso, whatever the inputs.

Worked examples were computed independently of ``loans/schedule.py``: by hand where
the arithmetic is short, otherwise with a throw-away script in binary floating point
(rate ``1.126825 ** (1/12) - 1`` as a float, half-up as ``floor(x + 0.5)``, checking
that no value lay within 1e-4 of a .5 tie), so a bug shared with the Decimal code
would have shown up as a difference.
"""

import dataclasses
import inspect
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans.products.schedule import (
    GraceMode,
    Instalment,
    _Interest,
    build_schedule,
    monthly_rate_from_effective_annual,
    schedule_to_rows,
)

ONE_PERCENT_A_MONTH = Decimal("0.126825")  # 1.01 ** 12 = 1.126825030131969720661201, so r is just under 1 %
EA_2268 = Decimal("0.2268")
FIRST_DUE = date(2025, 3, 15)


def _rows(schedule) -> list[tuple[int, int, int, int, int, int]]:
    return [
        (row.number, row.opening_balance, row.interest, row.principal, row.payment, row.closing_balance)
        for row in schedule.instalments
    ]


def _amortisation_bound(monthly_rate: Decimal, months: int) -> float:
    """Most the last payment may differ from the level one: ((1 + r) ** n - 1) / r, or n at r = 0.

    Each of the n amortisation months adds at most one peso of rounding (half a peso
    from the rounded level instalment, half from that month's rounded interest), and
    a peso missing in month k has grown by (1 + r) ** (n - k) by the last month.
    """
    r = float(monthly_rate)
    return float(months) if r == 0 else ((1 + r) ** months - 1) / r


# --- monthly rate -------------------------------------------------------------------------------------


def test_it_converts_one_percent_a_month():
    rate = monthly_rate_from_effective_annual(ONE_PERCENT_A_MONTH)

    # 12.6825 % is 3.01e-8 below 1.01 ** 12 - 1, so r = 0.01 - 3.01e-8 / (12 * 1.01 ** 11) = 0.01 - 2.2507e-9.
    assert abs(rate - Decimal("0.0099999977493")) < Decimal("1e-13")


def test_it_converts_with_at_least_28_significant_digits():
    rate = monthly_rate_from_effective_annual(EA_2268)

    assert len(rate.as_tuple().digits) >= 28
    with localcontext(Context(prec=60)):
        # 34 significant digits in r leave an error near 12 * 1e-35 once raised to the 12th power.
        assert abs((1 + rate) ** 12 - Decimal("1.2268")) < Decimal("1e-32")


def test_it_converts_a_zero_rate_to_exactly_zero():
    assert monthly_rate_from_effective_annual(Decimal(0)) == 0


# --- worked examples ----------------------------------------------------------------------------------


def test_it_splits_an_interest_free_loan_and_puts_the_remainder_last():
    schedule = build_schedule(amount=10_000_000, annual_rate=Decimal(0), term_months=3, first_due_date=FIRST_DUE)

    # 10,000,000 / 3 = 3,333,333.33 -> 3,333,333; the last row takes 10,000,000 - 2 * 3,333,333 = 3,333,334.
    assert _rows(schedule) == [
        (1, 10_000_000, 0, 3_333_333, 3_333_333, 6_666_667),
        (2, 6_666_667, 0, 3_333_333, 3_333_333, 3_333_334),
        (3, 3_333_334, 0, 3_333_334, 3_333_334, 0),
    ]
    assert schedule.regular_payment == 3_333_333
    assert schedule.total_interest == 0
    assert schedule.total_paid == 10_000_000


def test_it_amortises_twelve_months_at_one_percent():
    schedule = build_schedule(
        amount=12_000_000, annual_rate=ONE_PERCENT_A_MONTH, term_months=12, first_due_date=FIRST_DUE
    )

    # At exactly 1 %: 1.01 ** -12 = 0.8874492253, 1 - 0.8874492253 = 0.1125507747,
    # 120,000 / 0.1125507747 = 1,066,185.46. r is 2.25e-9 lower, which lowers it by 0.015 peso:
    # 1,066,185.45 -> 1,066,185. First interest 12,000,000 * 0.0099999977 = 119,999.97 -> 120,000.
    # Each row: interest = round(opening * r), principal = 1,066,185 - interest;
    # the last row pays its opening 1,055,635 plus round(1,055,635 * r) = 10,556 -> 1,066,191.
    assert schedule.regular_payment == 1_066_185
    assert _rows(schedule) == [
        (1, 12_000_000, 120_000, 946_185, 1_066_185, 11_053_815),
        (2, 11_053_815, 110_538, 955_647, 1_066_185, 10_098_168),
        (3, 10_098_168, 100_982, 965_203, 1_066_185, 9_132_965),
        (4, 9_132_965, 91_330, 974_855, 1_066_185, 8_158_110),
        (5, 8_158_110, 81_581, 984_604, 1_066_185, 7_173_506),
        (6, 7_173_506, 71_735, 994_450, 1_066_185, 6_179_056),
        (7, 6_179_056, 61_791, 1_004_394, 1_066_185, 5_174_662),
        (8, 5_174_662, 51_747, 1_014_438, 1_066_185, 4_160_224),
        (9, 4_160_224, 41_602, 1_024_583, 1_066_185, 3_135_641),
        (10, 3_135_641, 31_356, 1_034_829, 1_066_185, 2_100_812),
        (11, 2_100_812, 21_008, 1_045_177, 1_066_185, 1_055_635),
        (12, 1_055_635, 10_556, 1_055_635, 1_066_191, 0),
    ]
    # 11 * 1,066,185 + 1,066,191 = 12,794,226 = 12,000,000 + 794,226 of interest.
    assert schedule.total_paid == 12_794_226
    assert schedule.total_interest == 794_226


def test_it_charges_interest_only_during_grace_then_amortises_the_rest():
    schedule = build_schedule(
        amount=50_000_000, annual_rate=EA_2268, term_months=36, grace_months=6, first_due_date=FIRST_DUE
    )

    # r = 1.2268 ** (1/12) - 1 = 0.01718000361; grace interest 50,000,000 * r = 859,000.18 -> 859,000.
    # Level over 30 months: 859,000.18 / (1 - 1.01718000361 ** -30) = 2,146,865.28 -> 2,146,865.
    assert schedule.regular_payment == 2_146_865
    assert len(schedule.instalments) == 36
    for row in schedule.instalments[:6]:
        assert (row.opening_balance, row.interest, row.principal, row.payment, row.closing_balance) == (
            50_000_000,
            859_000,
            0,
            859_000,
            50_000_000,
        )
        assert row.is_grace
    assert _rows(schedule)[6] == (7, 50_000_000, 859_000, 1_287_865, 2_146_865, 48_712_135)
    assert _rows(schedule)[7] == (8, 48_712_135, 836_875, 1_309_990, 2_146_865, 47_402_145)
    # Row 36 opens at 2,110,617; interest round(2,110,617 * r) = 36,260; pays 2,146,877.
    assert _rows(schedule)[35] == (36, 2_110_617, 36_260, 2_110_617, 2_146_877, 0)
    assert not any(row.is_grace for row in schedule.instalments[6:])
    # 6 * 859,000 + 29 * 2,146,865 + 2,146,877 = 5,154,000 + 62,259,085 + 2,146,877 = 69,559,962.
    assert schedule.total_paid == 69_559_962
    assert schedule.total_interest == 19_559_962
    assert schedule.capitalised_interest == 0


def test_it_capitalises_grace_interest_into_the_balance():
    schedule = build_schedule(
        amount=10_000_000,
        annual_rate=ONE_PERCENT_A_MONTH,
        term_months=12,
        grace_months=3,
        grace_mode=GraceMode.CAPITALISED,
        first_due_date=FIRST_DUE,
    )

    # 10,000,000 * 0.0099999977 = 99,999.98 -> 100,000; 10,100,000 * r = 100,999.98 -> 101,000;
    # 10,201,000 * r = 102,009.98 -> 102,010. Capitalised: 303,010 (= 10,000,000 * (1.01 ** 3 - 1)).
    assert schedule.capitalised_interest == 303_010
    assert _rows(schedule)[:3] == [
        (1, 10_000_000, 100_000, 0, 0, 10_100_000),
        (2, 10_100_000, 101_000, 0, 0, 10_201_000),
        (3, 10_201_000, 102_010, 0, 0, 10_303_010),
    ]
    # 103,030.10 / (1 - 1.01 ** -9) = 103,030.10 / 0.0856601 = 1,202,777.11 -> 1,202,777.
    assert schedule.regular_payment == 1_202_777
    assert _rows(schedule)[3] == (4, 10_303_010, 103_030, 1_099_747, 1_202_777, 9_203_263)
    assert _rows(schedule)[11] == (12, 1_190_870, 11_909, 1_190_870, 1_202_779, 0)
    assert sum(row.principal for row in schedule.instalments) == 10_303_010
    # 8 * 1,202,777 + 1,202,779 = 10,824,995; interest 10,824,995 - 10,000,000 = 824,995.
    assert schedule.total_paid == 10_824_995
    assert schedule.total_interest == 824_995


def test_it_stops_a_tiny_loan_early_rather_than_go_negative():
    schedule = build_schedule(amount=3, annual_rate=Decimal(0), term_months=5, first_due_date=FIRST_DUE)

    # 3 / 5 = 0.6 -> 1 peso a month; the balance is gone after three months.
    assert schedule.regular_payment == 1
    assert _rows(schedule) == [
        (1, 3, 0, 1, 1, 2),
        (2, 2, 0, 1, 1, 1),
        (3, 1, 0, 1, 1, 0),
        (4, 0, 0, 0, 0, 0),
        (5, 0, 0, 0, 0, 0),
    ]


# --- incentives ---------------------------------------------------------------------------------------


def test_it_marks_every_twelfth_instalment_as_state_paid():
    schedule = build_schedule(
        amount=50_000_000, annual_rate=EA_2268, term_months=36, first_due_date=FIRST_DUE, state_pays_every=12
    )

    assert [row.number for row in schedule.instalments if row.state_paid] == [12, 24, 36]
    rows = {row.number: row for row in schedule.instalments}
    assert schedule.state_paid_total == rows[12].payment + rows[24].payment + rows[36].payment
    assert schedule.state_paid_total == 2 * schedule.regular_payment + rows[36].payment
    assert schedule.borrower_total_if_on_time == schedule.total_paid - schedule.state_paid_total


@pytest.mark.parametrize("grace_mode", list(GraceMode))
def test_it_counts_state_paid_instalments_after_grace_only(grace_mode):
    schedule = build_schedule(
        amount=50_000_000,
        annual_rate=EA_2268,
        term_months=36,
        grace_months=6,
        grace_mode=grace_mode,
        first_due_date=FIRST_DUE,
        state_pays_every=12,
    )

    # 30 amortisation rows (7..36): their 12th and 24th are rows 18 and 30.
    assert [row.number for row in schedule.instalments if row.state_paid] == [18, 30]
    assert schedule.state_paid_total == 2 * schedule.regular_payment


def test_it_leaves_the_rows_unchanged_by_incentives():
    plain = build_schedule(amount=50_000_000, annual_rate=EA_2268, term_months=36, first_due_date=FIRST_DUE)
    with_incentives = build_schedule(
        amount=50_000_000,
        annual_rate=EA_2268,
        term_months=36,
        first_due_date=FIRST_DUE,
        state_pays_every=12,
        on_time_rebate_pct=Decimal("14"),
    )

    assert _rows(with_incentives) == _rows(plain)
    assert with_incentives.total_paid == plain.total_paid
    assert plain.state_paid_total == 0
    assert plain.on_time_rebate == 0
    assert plain.borrower_total_if_on_time == plain.total_paid


def test_it_computes_the_on_time_rebate():
    schedule = build_schedule(
        amount=50_000_000,
        annual_rate=EA_2268,
        term_months=36,
        first_due_date=FIRST_DUE,
        state_pays_every=12,
        on_time_rebate_pct=Decimal("14"),
    )

    # 50,000,000 * 14 / 100 = 7,000,000.
    assert schedule.on_time_rebate == 7_000_000
    assert schedule.borrower_total_if_on_time == schedule.total_paid - schedule.state_paid_total - 7_000_000


@pytest.mark.parametrize(
    ("amount", "pct", "rebate"),
    [
        (25, Decimal("14"), 4),  # 3.5 -> 4 (half up)
        (25, Decimal("10"), 3),  # 2.5 -> 3 (half up, not to even)
        (12_345_679, Decimal("14"), 1_728_395),  # 1,728,395.06
        (1_423_500, Decimal("12.5"), 177_938),  # 177,937.5 -> 177,938
    ],
)
def test_it_rounds_the_rebate_half_up(amount, pct, rebate):
    schedule = build_schedule(
        amount=amount, annual_rate=EA_2268, term_months=12, first_due_date=FIRST_DUE, on_time_rebate_pct=pct
    )

    assert schedule.on_time_rebate == rebate


# --- due dates ----------------------------------------------------------------------------------------


def test_it_clamps_due_dates_to_the_month_end_and_keeps_the_anchor_day():
    schedule = build_schedule(amount=1_000_000, annual_rate=EA_2268, term_months=5, first_due_date=date(2024, 1, 31))

    assert [row.due_date for row in schedule.instalments] == [
        date(2024, 1, 31),
        date(2024, 2, 29),  # leap year
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_it_clamps_february_in_a_common_year():
    schedule = build_schedule(amount=1_000_000, annual_rate=EA_2268, term_months=3, first_due_date=date(2025, 1, 31))

    assert [row.due_date for row in schedule.instalments] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]


def test_it_keeps_the_29th_of_february_across_years():
    schedule = build_schedule(amount=1_000_000, annual_rate=EA_2268, term_months=49, first_due_date=date(2024, 2, 29))

    dates = {row.number: row.due_date for row in schedule.instalments}
    assert dates[12] == date(2025, 1, 29)
    assert dates[13] == date(2025, 2, 28)
    assert dates[14] == date(2025, 3, 29)
    assert dates[49] == date(2028, 2, 29)


def test_it_crosses_the_year_end():
    schedule = build_schedule(amount=1_000_000, annual_rate=EA_2268, term_months=3, first_due_date=date(2025, 11, 30))

    assert [row.due_date for row in schedule.instalments] == [
        date(2025, 11, 30),
        date(2025, 12, 30),
        date(2026, 1, 30),
    ]


# --- export -------------------------------------------------------------------------------------------


def test_it_exports_plain_rows():
    schedule = build_schedule(
        amount=10_000_000,
        annual_rate=Decimal(0),
        term_months=3,
        first_due_date=date(2025, 1, 31),
        state_pays_every=3,
    )

    assert schedule_to_rows(schedule) == [
        {
            "number": 1,
            "due_date": "2025-01-31",
            "opening_balance": 10_000_000,
            "interest": 0,
            "principal": 3_333_333,
            "payment": 3_333_333,
            "closing_balance": 6_666_667,
            "state_paid": False,
        },
        {
            "number": 2,
            "due_date": "2025-02-28",
            "opening_balance": 6_666_667,
            "interest": 0,
            "principal": 3_333_333,
            "payment": 3_333_333,
            "closing_balance": 3_333_334,
            "state_paid": False,
        },
        {
            "number": 3,
            "due_date": "2025-03-31",
            "opening_balance": 3_333_334,
            "interest": 0,
            "principal": 3_333_334,
            "payment": 3_333_334,
            "closing_balance": 0,
            "state_paid": True,
        },
    ]


# --- validation ---------------------------------------------------------------------------------------

VALID = {"amount": 1_000_000, "annual_rate": EA_2268, "term_months": 12, "first_due_date": FIRST_DUE}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": 0}, "amount must be a positive number of pesos, got 0."),
        ({"amount": -5}, "amount must be a positive number of pesos, got -5."),
        ({"amount": Decimal("1000.5")}, "amount must be an integer, got Decimal('1000.5')."),
        ({"term_months": 0}, "term_months must be at least 1, got 0."),
        ({"grace_months": 12}, "grace_months must be between 0 and term_months - 1 (11), got 12;"),
        ({"grace_months": -1}, "grace_months must be between 0 and term_months - 1 (11), got -1;"),
        ({"annual_rate": Decimal("-0.01")}, "annual_rate must be >= 0, got -0.01."),
        ({"annual_rate": Decimal(10)}, "annual_rate is a fraction (0.2268 = 22.68 % E.A.) and must be < 10, got 10."),
        ({"annual_rate": 0.2268}, "annual_rate must be a Decimal (e.g. Decimal('0.2268')), not float."),
        ({"annual_rate": Decimal("NaN")}, "annual_rate must be a finite number, got NaN."),
        ({"grace_mode": "deferred"}, "grace_mode must be one of interest_only, capitalised, got 'deferred'."),
        ({"state_pays_every": 0}, "state_pays_every must be at least 1 (or None), got 0."),
        ({"on_time_rebate_pct": Decimal(101)}, "on_time_rebate_pct is a percent and must be between 0 and 100"),
        ({"first_due_date": "2025-03-15"}, "first_due_date must be a date, got '2025-03-15'."),
    ],
)
def test_it_rejects_invalid_input(changes, message):
    with pytest.raises(ValueError) as excinfo:
        build_schedule(**{**VALID, **changes})

    assert str(excinfo.value).startswith(message)


def test_it_accepts_a_grace_mode_given_as_text():
    schedule = build_schedule(**VALID, grace_months=2, grace_mode="capitalised")

    assert schedule.grace_mode is GraceMode.CAPITALISED


def test_it_rejects_a_negative_rate_in_the_conversion_too():
    with pytest.raises(ValueError, match="annual_rate must be >= 0"):
        monthly_rate_from_effective_annual(Decimal("-0.5"))


# --- properties ---------------------------------------------------------------------------------------


@st.composite
def loans(draw):
    term = draw(st.integers(min_value=1, max_value=120))
    return {
        "amount": draw(st.integers(min_value=1, max_value=2_000_000_000)),
        "annual_rate": draw(st.decimals(min_value=0, max_value=Decimal("1.5"), places=4)),
        "term_months": term,
        "grace_months": draw(st.integers(min_value=0, max_value=term - 1)),
        "grace_mode": draw(st.sampled_from(GraceMode)),
        "first_due_date": draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))),
        "state_pays_every": draw(st.none() | st.integers(min_value=1, max_value=24)),
        "on_time_rebate_pct": draw(st.decimals(min_value=0, max_value=100, places=2)),
    }


PROPERTY_SETTINGS = settings(
    max_examples=300, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(loans())
def test_it_always_balances_to_the_peso(loan):
    schedule = build_schedule(**loan)
    rows = schedule.instalments
    capitalised = loan["grace_mode"] == GraceMode.CAPITALISED

    assert len(rows) == loan["term_months"]
    assert [row.number for row in rows] == list(range(1, loan["term_months"] + 1))
    assert rows[0].opening_balance == loan["amount"]
    assert rows[-1].closing_balance == 0
    assert sum(row.principal for row in rows) == loan["amount"] + schedule.capitalised_interest
    if not capitalised:
        assert schedule.capitalised_interest == 0
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.opening_balance == previous.closing_balance
        assert row.due_date > previous.due_date
    for row in rows:
        assert min(row.opening_balance, row.interest, row.principal, row.payment, row.closing_balance) >= 0
        assert row.opening_balance + row.interest - row.payment == row.closing_balance
        if row.is_grace and capitalised:
            assert (row.principal, row.payment) == (0, 0)
        else:
            assert row.payment == row.interest + row.principal
            assert row.opening_balance - row.principal == row.closing_balance
    assert sum(row.is_grace for row in rows) == loan["grace_months"]
    assert all(row.is_grace for row in rows[: loan["grace_months"]])
    assert schedule.total_interest == sum(row.interest for row in rows)
    assert schedule.total_paid == sum(row.payment for row in rows) == loan["amount"] + schedule.total_interest


@PROPERTY_SETTINGS
@given(loans())
def test_it_pays_level_instalments_and_the_last_one_stays_close(loan):
    schedule = build_schedule(**loan)
    amortisation = schedule.instalments[loan["grace_months"] :]

    for row in amortisation[:-1]:
        # A row pays less than the level instalment only when the balance ran out (tiny amounts).
        assert row.payment == schedule.regular_payment or row.closing_balance == 0
    last = amortisation[-1]
    bound = _amortisation_bound(schedule.monthly_rate, len(amortisation))
    assert abs(last.payment - schedule.regular_payment) <= bound


@PROPERTY_SETTINGS
@given(loans())
def test_it_totals_the_incentives_separately(loan):
    schedule = build_schedule(**loan)
    paying = [row for row in schedule.instalments if not row.is_grace and row.payment > 0]
    every = loan["state_pays_every"]

    expected = [] if every is None else [row.number for row in paying[every - 1 :: every]]
    assert [row.number for row in schedule.instalments if row.state_paid] == expected
    assert schedule.state_paid_total == sum(row.payment for row in schedule.instalments if row.state_paid)
    assert schedule.borrower_total_if_on_time == (
        schedule.total_paid - schedule.state_paid_total - schedule.on_time_rebate
    )
    # The rebate: amount * pct / 100, half up, checked with integers (pct has two decimals).
    hundredths = int(loan["on_time_rebate_pct"] * 100)
    assert schedule.on_time_rebate == (loan["amount"] * hundredths * 2 + 10_000) // 20_000


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _decimal_rows(amount, annual_rate, term_months, grace_months, grace_mode):
    """The schedule's rows computed as the rule reads, every step in Decimal at 50 digits."""
    r = monthly_rate_from_effective_annual(annual_rate)
    rows, balance, level = [], amount, 0
    with localcontext(Context(prec=50)):
        for number in range(1, term_months + 1):
            if number == grace_months + 1:
                n = term_months - grace_months
                growth = (1 + r) ** n
                level = _half_up(Decimal(balance) / n) if r == 0 else _half_up(balance * r * growth / (growth - 1))
            interest = _half_up(Decimal(balance) * r)
            if number <= grace_months and grace_mode == GraceMode.CAPITALISED:
                principal, payment, closing = 0, 0, balance + interest
            else:
                if number <= grace_months:
                    principal = 0
                elif number == term_months:
                    principal = balance
                else:
                    principal = min(level - interest, balance)
                payment, closing = interest + principal, balance - principal
            rows.append((number, balance, interest, principal, payment, closing))
            balance = closing
    return rows, level


@PROPERTY_SETTINGS
@given(
    amount=st.integers(min_value=1, max_value=200_000_000),
    annual_rate=st.just(Decimal(0)) | st.decimals(min_value=0, max_value=Decimal("0.99"), places=4),
    term=st.integers(min_value=1, max_value=120),
    data=st.data(),
)
def test_it_computes_the_same_rows_as_decimal_arithmetic_step_by_step(amount, annual_rate, term, data):
    # The interest is computed with integers (an exact fraction for r); every peso must equal the
    # Decimal computation's.
    grace = data.draw(st.integers(min_value=0, max_value=term - 1))
    mode = data.draw(st.sampled_from(GraceMode))
    schedule = build_schedule(
        amount=amount,
        annual_rate=annual_rate,
        term_months=term,
        grace_months=grace,
        grace_mode=mode,
        first_due_date=FIRST_DUE,
    )

    rows, level = _decimal_rows(amount, annual_rate, term, grace, mode)
    assert _rows(schedule) == rows
    assert schedule.regular_payment == level


@PROPERTY_SETTINGS
@given(
    balance=st.integers(min_value=-(10**20), max_value=10**20),
    rate=st.decimals(min_value=0, max_value=Decimal("0.3"), places=34).map(lambda rate: +rate.normalize()),
)
def test_its_integer_interest_equals_decimal_rounding_half_up(balance, rate):
    # Ties (rate 0.05 on 10 pesos) round up; balances of 17 digits and more take the Decimal path.
    with localcontext(Context(prec=50)):
        expected = _half_up(Decimal(balance) * rate)

    assert _Interest(rate)(balance) == expected


@pytest.mark.parametrize(("balance", "rate", "interest"), [(10, "0.05", 1), (30, "0.05", 2), (29, "0.05", 1)])
def test_its_integer_interest_rounds_a_half_peso_up(balance, rate, interest):
    assert _Interest(Decimal(rate))(balance) == interest


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.integers(min_value=1, max_value=2_000_000_000), st.integers(min_value=1, max_value=36))
def test_it_keeps_the_last_payment_within_50_pesos_at_22_68_percent_over_36_months(amount, term):
    # r = 0.01718000361: ((1 + r) ** 36 - 1) / r = (1.8465 - 1) / 0.01718 = 49.27, so at most 50 pesos.
    schedule = build_schedule(amount=amount, annual_rate=EA_2268, term_months=term, first_due_date=FIRST_DUE)

    assert abs(schedule.instalments[-1].payment - schedule.regular_payment) <= 50


def test_instalment_is_immutable():
    row = build_schedule(**VALID).instalments[0]

    assert isinstance(row, Instalment)
    with pytest.raises(AttributeError):
        row.payment = 0


def test_instalment_sets_exactly_its_fields():
    # Instalment writes its own __init__ (cheaper than the generated one); it must take every field, in order.
    names = [field.name for field in dataclasses.fields(Instalment)]
    values = {name: position for position, name in enumerate(names)}
    row = Instalment(**values)

    assert list(inspect.signature(Instalment).parameters) == names
    assert dataclasses.asdict(row) == values
    assert Instalment(*values.values()) == row
