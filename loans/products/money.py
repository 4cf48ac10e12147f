"""Colombian pesos: whole numbers, shown as $1.423.500 in Spanish and COP 1,423,500 in English;
and rates as people write them (42.5, not 42.5000)."""

from decimal import Decimal

from babel.numbers import format_decimal
from django.utils.translation import get_language


def format_cop(amount: int | str | None, language: str | None = None) -> str:
    if amount in (None, ""):
        return ""
    language = (language or get_language() or "es")[:2]
    if language == "es":
        return "$" + format_decimal(amount, format="#,##0", locale="es_CO")
    return "COP " + format_decimal(amount, format="#,##0", locale="en_US")


def format_percent(value) -> str:
    # Caps are stored with four decimals; show 42.5, not 42.5000 (and never 4.25E+1).
    return f"{Decimal(value).normalize():f}"
