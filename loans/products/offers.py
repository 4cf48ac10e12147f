"""Frozen offers: the terms of a product on one day, copied so later edits cannot reach them."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans.products.models import LoanOffer, LoanProduct, UsuryCap, usury_cap_on
from loans.products.money import format_cop
from loans.products.rules import amount_limits
from loans.products.schedule import GraceMode, Schedule, add_months, build_schedule


class OfferError(Exception):
    """An offer that cannot be made, accepted or used; the message is for the person who tried."""


def offer_create(
    *,
    product: LoanProduct,
    amount: int,
    term_months: int,
    grace_months: int,
    day: date,
    kind: str = LoanOffer.Kind.SUBMISSION,
    created_by: User | None = None,
    replaces: LoanOffer | None = None,
    accepted: bool = False,
    annual_rate_pct: Decimal | None = None,
    default_rate_pct: Decimal | None = None,
) -> LoanOffer:
    """Copy the product's terms of ``day`` (limits resolved to pesos) with the requested amount and term.

    A replacing offer keeps the limits of the offer it replaces: the applicant's terms only ever
    change by an offer the applicant accepts, never by an edit of the product.
    """
    if replaces is not None:
        limits = {
            field: getattr(replaces, field)
            for field in (
                "annual_rate_pct",
                "credit_category",
                "min_amount",
                "max_amount",
                "max_financing_pct",
                "min_term_months",
                "max_term_months",
                "max_grace_months",
                "grace_mode",
                "state_pays_every",
                "on_time_rebate_pct",
                "guarantee_coverage_pct",
                "guarantee_fee_pct",
                "default_rate_pct",
            )
        }
        product = replaces.product
    else:
        minimum, maximum = amount_limits(product, day)
        limits = {
            "annual_rate_pct": product.annual_rate_pct,
            "credit_category": product.credit_category,
            "min_amount": minimum,
            "max_amount": maximum,
            "max_financing_pct": product.max_financing_pct,
            "min_term_months": product.min_term_months,
            "max_term_months": product.max_term_months,
            "max_grace_months": product.max_grace_months,
            "grace_mode": product.grace_mode,
            "state_pays_every": product.state_pays_every,
            "on_time_rebate_pct": product.on_time_rebate_pct,
            "guarantee_coverage_pct": product.guarantee_coverage_pct,
            "guarantee_fee_pct": product.guarantee_fee_pct,
            "default_rate_pct": product.default_rate_pct,
        }
    if annual_rate_pct is not None:  # re-pricing: the rest of the terms stay as they were
        limits["annual_rate_pct"] = annual_rate_pct
    if default_rate_pct is not None:
        limits["default_rate_pct"] = default_rate_pct
    now = timezone.now()
    offer = LoanOffer.objects.create(
        product=product,
        replaces=replaces,
        kind=kind,
        amount=amount,
        term_months=term_months,
        grace_months=min(grace_months, term_months - 1),
        offered_on=day,
        created_by=created_by,
        accepted_at=now if accepted else None,
        **limits,
    )
    if replaces is not None:
        LoanOffer.objects.filter(pk=replaces.pk, superseded_at__isnull=True).update(superseded_at=now)
    return offer


def offer_limit_errors(offer: LoanOffer, *, amount: int, term_months: int) -> list[str]:
    """An officer's recommendation must stay inside the limits the applicant was offered."""
    errors = []
    if not offer.min_amount <= amount <= offer.max_amount:
        errors.append(
            _("The amount must be between %(min)s and %(max)s (the limits of the applicant's offer).")
            % {"min": format_cop(offer.min_amount), "max": format_cop(offer.max_amount)}
        )
    if not offer.min_term_months <= term_months <= offer.max_term_months:
        errors.append(
            _("The term must be between %(min)s and %(max)s months (the limits of the applicant's offer).")
            % {"min": offer.min_term_months, "max": offer.max_term_months}
        )
    return errors


def offer_request_errors(
    offer: LoanOffer, *, amount: int, term_months: int, grace_months: int, total_investment: int | None
) -> dict[str, str]:
    """The request checked against the frozen offer's limits (eligibility after submission)."""
    errors: dict[str, str] = {}
    if not offer.min_amount <= amount <= offer.max_amount:
        errors["amount"] = _("The amount must be between %(min)s and %(max)s.") % {
            "min": format_cop(offer.min_amount),
            "max": format_cop(offer.max_amount),
        }
    elif total_investment is not None:
        ceiling = int((Decimal(total_investment) * offer.max_financing_pct / 100).to_integral_value(ROUND_FLOOR))
        if amount > ceiling:
            errors["amount"] = _(
                "This product lends at most %(pct)s%% of the plan's investment: at most %(ceiling)s."
            ) % {
                "pct": f"{offer.max_financing_pct.normalize():f}",
                "ceiling": format_cop(ceiling),
            }
    if not offer.min_term_months <= term_months <= offer.max_term_months:
        errors["term_months"] = _("The term must be between %(min)s and %(max)s months.") % {
            "min": offer.min_term_months,
            "max": offer.max_term_months,
        }
    if grace_months > offer.max_grace_months:
        errors["grace_months"] = _("The grace can be at most %(max)s months.") % {"max": offer.max_grace_months}
    elif grace_months >= term_months:
        errors["grace_months"] = _("The grace must be shorter than the term.")
    return errors


def offer_schedule(offer: LoanOffer, *, start: date, amount: int | None = None) -> Schedule:
    """The offer's schedule for a loan paid out on ``start``: first instalment one month later."""
    return build_schedule(
        amount=amount or offer.amount,
        annual_rate=offer.annual_rate_pct / 100,
        term_months=offer.term_months,
        grace_months=offer.grace_months,
        grace_mode=GraceMode(offer.grace_mode),
        first_due_date=add_months(start, 1),
        state_pays_every=offer.state_pays_every,
        on_time_rebate_pct=offer.on_time_rebate_pct,
    )


def offer_cap_problem(offer: LoanOffer, day: date) -> str | None:
    """Why the offer cannot be disbursed on ``day`` under the usury cap in force, or None."""
    cap: UsuryCap | None = usury_cap_on(offer.credit_category, day)
    if cap is None:
        return _(
            "There is no usury cap recorded for %(category)s on %(day)s. Add the certified cap in "
            "“Usury caps” before disbursing."
        ) % {"category": offer.get_credit_category_display(), "day": day.isoformat()}
    if offer.annual_rate_pct > cap.rate_pct or offer.default_rate_pct > cap.rate_pct:
        return _(
            "The offer's rate (%(rate)s%% E.A.) is above the usury cap of %(cap)s%% E.A. in force on %(day)s for "
            "%(category)s. Re-price the offer at or below the cap; the applicant must accept the new offer in the "
            "portal before the loan can be disbursed."
        ) % {
            "rate": f"{offer.annual_rate_pct.normalize():f}",
            "cap": f"{cap.rate_pct.normalize():f}",
            "day": day.isoformat(),
            "category": offer.get_credit_category_display(),
        }
    return None
