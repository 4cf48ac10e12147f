"""Colombian pesos: whole numbers, shown as $1.423.500 in Spanish and COP 1,423,500 in English."""

from babel.numbers import format_decimal
from django.utils.translation import get_language


def format_cop(amount: int | str | None, language: str | None = None) -> str:
    if amount in (None, ""):
        return ""
    language = (language or get_language() or "es")[:2]
    if language == "es":
        return "$" + format_decimal(amount, format="#,##0", locale="es_CO")
    return "COP " + format_decimal(amount, format="#,##0", locale="en_US")
