"""Pesos formatted without a babel round trip per call, exactly as babel formats them."""

import random
from decimal import Decimal

import pytest
from babel.numbers import format_decimal

from loans.products.money import format_cop


def _babel(amount, language):
    if language == "es":
        return "$" + format_decimal(amount, format="#,##0", locale="es_CO")
    return "COP " + format_decimal(amount, format="#,##0", locale="en_US")


@pytest.mark.parametrize("language", ["es", "en"])
def test_ten_thousand_random_amounts_match_babel(language):
    rng = random.Random(13)
    amounts = [0, 1, -1, 999, 1000, -1000, 10**15, -(10**15)]
    amounts += [rng.randint(-(10**12), 10**12) for _ in range(5_000)]
    amounts += [rng.randint(0, 10 ** rng.randint(1, 10)) for _ in range(5_000 - len(amounts) + 5_000)]
    assert len(amounts) >= 10_000
    assert [format_cop(amount, language) for amount in amounts] == [_babel(amount, language) for amount in amounts]


def test_examples_in_both_languages():
    assert format_cop(1_423_500, "es") == "$1.423.500"
    assert format_cop(1_423_500, "en") == "COP 1,423,500"
    assert format_cop(-2_500, "es") == "$-2.500"
    assert format_cop(None) == "" and format_cop("") == ""


@pytest.mark.parametrize("amount", ["1423500", Decimal("1423500"), Decimal("1423500.5"), 1423500.4])
def test_text_and_decimals_still_go_the_babel_way(amount):
    assert format_cop(amount, "es") == _babel(amount, "es")
    assert format_cop(amount, "en") == _babel(amount, "en")


def test_the_active_language_is_used(settings):
    from django.utils import translation

    with translation.override("en"):
        assert format_cop(5000) == "COP 5,000"
    with translation.override("es"):
        assert format_cop(5000) == "$5.000"
