"""Loans built straight from an offer (no review path), for the ledger's tests."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from loans.choices import CreditCategory, GraceMode
from loans.models import LoanApplication, UsuryCap
from loans.products.offers import offer_create
from loans.servicing import services as loans
from tests.factories import ProductFactory, StaffFactory, UserFactory

_references = itertools.count(1)


def cap(rate: str = "42.00", *, category: str = CreditCategory.PRODUCTIVO_URBANO) -> UsuryCap:
    return UsuryCap.objects.create(
        credit_category=category, rate_pct=Decimal(rate), valid_from=date(2020, 1, 1), valid_to=date(2030, 12, 31)
    )


def make_loan(
    *,
    amount: int,
    rate: str = "22.68",
    term: int = 12,
    grace: int = 0,
    grace_mode: str = GraceMode.INTEREST_ONLY,
    disbursed_on: date = date(2026, 1, 15),
    default_rate: str = "0",
    state_pays_every: int | None = None,
    rebate: str = "0",
):
    product = ProductFactory(
        annual_rate_pct=Decimal(rate),
        max_amount_cop=1_000_000_000,
        max_term_months=60,
        max_grace_months=12,
        grace_mode=grace_mode,
        default_rate_pct=Decimal(default_rate),
        state_pays_every=state_pays_every,
        on_time_rebate_pct=Decimal(rebate),
        window_opens=date(2020, 1, 1),
    )
    applicant = UserFactory()
    application = LoanApplication.objects.create(
        applicant=applicant,
        product=product,
        amount=amount,
        term_months=term,
        grace_months=grace,
        status="disbursed",
        reference=f"RP-2026-9{next(_references):05d}",
    )
    offer = offer_create(
        product=product, amount=amount, term_months=term, grace_months=grace, day=disbursed_on, accepted=True
    )
    application.offer = offer
    application.save(update_fields=["offer"])
    return loans.loan_open(
        application=application,
        offer=offer,
        amount=amount,
        disbursed_on=disbursed_on,
        bank_reference=f"DES-{application.reference}",
        disbursed_by=StaffFactory(),
    )
