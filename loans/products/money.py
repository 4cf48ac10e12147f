"""Colombian pesos: whole numbers, shown as $1.423.500 in Spanish and COP 1,423,500 in English;
and rates as people write them (42.5, not 42.5000).

A status page shows a hundred and fifty amounts; babel's ``format_decimal`` parses its pattern
and looks up the locale on every call. Whole pesos need only the locale's grouping and minus
symbols, looked up once per language (``tests/loans/test_money.py`` holds the result equal to
babel's for 10,000 random amounts in both languages); anything else goes to babel.
"""

from decimal import Decimal
from functools import cache

from babel.numbers import format_decimal, get_group_symbol, get_minus_sign_symbol
from django.utils.translation import get_language

LOCALES = {"es": "es_CO", "en": "en_US"}
PREFIXES = {"es": "$", "en": "COP "}


@cache
def _symbols(language: str) -> tuple[str, str, str]:
    locale = LOCALES[language]
    return PREFIXES[language], get_group_symbol(locale), get_minus_sign_symbol(locale)


def _babel(amount, language: str) -> str:
    return PREFIXES[language] + format_decimal(amount, format="#,##0", locale=LOCALES[language])


def format_cop(amount: int | str | Decimal | None, language: str | None = None) -> str:
    if amount in (None, ""):
        return ""
    language = (language or get_language() or "es")[:2]
    if language not in LOCALES:
        language = "en"
    if isinstance(amount, bool) or not isinstance(amount, int):
        if isinstance(amount, Decimal) and amount == amount.to_integral_value():
            amount = int(amount)
        else:
            return _babel(amount, language)  # text or fractions: babel parses and rounds them
    prefix, group, minus = _symbols(language)
    digits = f"{abs(amount):,}".replace(",", group)
    return f"{prefix}{minus}{digits}" if amount < 0 else prefix + digits


def format_percent(value) -> str:
    # Caps are stored with four decimals; show 42.5, not 42.5000 (and never 4.25E+1).
    return f"{Decimal(value).normalize():f}"
