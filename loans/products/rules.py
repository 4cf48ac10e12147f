"""Rules about loan products: amount limits in pesos, usury caps, and what staff may set."""

from __future__ import annotations

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
