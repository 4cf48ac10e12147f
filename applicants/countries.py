"""Country names in the reader's language, from Babel's CLDR data."""

from functools import cache

from babel import Locale
from django.utils.translation import get_language

# CLDR territory codes that are regions or groupings, not countries one returns from.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "CO"}


@cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse((language or "es").split("-")[0])
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
    return tuple(sorted(names.items(), key=lambda item: item[1]))


def country_choices() -> tuple[tuple[str, str], ...]:
    return _choices(get_language() or "es")


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)
