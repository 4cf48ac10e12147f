"""Rules about loan products: amount limits in pesos, usury caps, and what staff may set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from loans.products.models import smmlv_for
from loans.products.money import format_cop, format_percent


def amount_limits(product, day: date | None = None) -> tuple[int, int]:
    """The product's (minimum, maximum) in pesos on a day: the tighter of COP and SMMLV limits."""
    day = day or timezone.localdate()
    minimum, maximum = product.min_amount_cop or 1, product.max_amount_cop
    if product.min_amount_smmlv is not None or product.max_amount_smmlv is not None:
        wage = smmlv_for(day.year)
        if wage is None:
            raise ValidationError(
                _("There is no minimum wage (SMMLV) for %(year)s yet; staff must add it."), params={"year": day.year}
            )
        if product.min_amount_smmlv is not None:
            minimum = max(minimum, int((product.min_amount_smmlv * wage).to_integral_value(ROUND_FLOOR)))
        if product.max_amount_smmlv is not None:
            by_wage = int((product.max_amount_smmlv * wage).to_integral_value(ROUND_FLOOR))
            maximum = by_wage if maximum is None else min(maximum, by_wage)
    if maximum is None:
        raise ValidationError(_("The product has no maximum amount."))
    return minimum, maximum


def max_financing(product, total_investment: int) -> int:
    """The most the product may lend for a plan: its share of the plan's investment, in whole pesos."""
    return int((Decimal(total_investment) * product.max_financing_pct / 100).to_integral_value(ROUND_FLOOR))


def loan_request_errors(
    product,
    *,
    amount: int | None,
    term_months: int | None,
    grace_months: int | None,
    total_investment: int | None,
    day: date | None = None,
    require_active: bool = True,
) -> dict[str, str]:
    """What is wrong with a loan request for this product, by field, in the user's language."""
    day = day or timezone.localdate()
    errors: dict[str, str] = {}
    in_window = product.window_opens <= day and (product.window_closes is None or day <= product.window_closes)
    if not in_window or (require_active and not product.is_active):
        errors["product"] = _("Applications for this product are closed.")
        return errors
    try:
        minimum, maximum = amount_limits(product, day)
    except ValidationError as error:
        errors["amount"] = error.messages[0]
        return errors
    if amount is not None:
        if not minimum <= amount <= maximum:
            errors["amount"] = _("The amount must be between %(min)s and %(max)s.") % {
                "min": format_cop(minimum),
                "max": format_cop(maximum),
            }
        elif total_investment is not None:
            ceiling = max_financing(product, total_investment)
            if amount > ceiling:
                errors["amount"] = _(
                    "This product lends at most %(pct)s%% of the plan's investment (%(investment)s): "
                    "at most %(ceiling)s."
                ) % {
                    "pct": format_percent(product.max_financing_pct),
                    "investment": format_cop(total_investment),
                    "ceiling": format_cop(ceiling),
                }
    if term_months is not None and not product.min_term_months <= term_months <= product.max_term_months:
        errors["term_months"] = _("The term must be between %(min)s and %(max)s months.") % {
            "min": product.min_term_months,
            "max": product.max_term_months,
        }
    if grace_months is not None:
        if grace_months > product.max_grace_months:
            errors["grace_months"] = _("The grace can be at most %(max)s months.") % {"max": product.max_grace_months}
        elif term_months is not None and grace_months >= term_months:
            errors["grace_months"] = _("The grace must be shorter than the term.")
    return errors


@dataclass(frozen=True)
class RequestLimits:
    """What a person may ask of a product, shown before they try (and checked again on save)."""

    min_amount: int
    max_amount: int
    # The product's share of the plan, when it is what caps the amount.
    share_pct: str | None
    min_term: int
    max_term: int
    max_grace: int

    @property
    def example_amount(self) -> int:
        """A round amount inside the limits, for the hint's "for example"."""
        step = 1_000_000 if self.max_amount >= 5_000_000 else 100_000
        example = (self.max_amount * 3 // 4) // step * step
        return min(max(example, self.min_amount), self.max_amount)


def request_limits(product, total_investment: int | None = None, day: date | None = None) -> RequestLimits | None:
    """The product's limits for a plan with this investment; None if its amounts cannot be known
    today (no minimum wage for the year yet: the error then says so on the first try)."""
    try:
        minimum, maximum = amount_limits(product, day)
    except ValidationError:
        return None
    share = None
    if total_investment is not None:
        ceiling = max_financing(product, total_investment)
        if ceiling < maximum:
            maximum, share = ceiling, format_percent(product.max_financing_pct)
    max_grace = min(product.max_grace_months, max(product.max_term_months - 1, 0))
    return RequestLimits(minimum, maximum, share, product.min_term_months, product.max_term_months, max_grace)


def _plain_pesos(amount: int) -> str:
    """12.000.000: how people type an amount (the field takes it with or without dots)."""
    return format_cop(amount, "es").removeprefix("$")


def request_hints(limits: RequestLimits) -> dict[str, str]:
    """One sentence per field saying its limits, in the reader's language."""
    params = {
        "min": format_cop(limits.min_amount),
        "max": format_cop(limits.max_amount),
        "example": _plain_pesos(limits.example_amount),
    }
    if limits.max_amount < limits.min_amount:
        amount = _("Your plan's investment is too small for this product's minimum of %(min)s.") % params
    elif limits.share_pct is not None:
        amount = _(
            "From %(min)s to %(max)s (at most %(pct)s%% of your plan's investment), in pesos; for example %(example)s."
        ) % {**params, "pct": limits.share_pct}
    else:
        amount = _("From %(min)s to %(max)s, in pesos; for example %(example)s.") % params
    term = _("From %(min)s to %(max)s months, grace included.") % {"min": limits.min_term, "max": limits.max_term}
    if limits.max_grace:
        grace = _("Up to %(max)s months at the start in which you do not repay capital.") % {"max": limits.max_grace}
    else:
        grace = _("This product has no grace period: enter 0.")
    return {"amount": amount, "term_months": term, "grace_months": grace}
