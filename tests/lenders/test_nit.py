"""DIAN's check digit, on NITs of real institutions (digits computed by hand from the weights)."""

import pytest
from django.core.exceptions import ValidationError

from loans.lenders.nit import check_digit, validate_nit


@pytest.mark.parametrize(
    ("number", "digit"),
    [
        ("890903938", 8),  # Bancolombia S.A.
        ("860034313", 7),  # Banco Davivienda S.A.
        ("800037800", 8),  # Banco Agrario de Colombia
        ("899999090", 2),  # Ministerio de Hacienda y Crédito Público
    ],
)
def test_check_digit_of_real_nits(number, digit):
    assert check_digit(number) == digit
    validate_nit(f"{number}-{digit}")
    validate_nit(f"{number[:3]}.{number[3:6]}.{number[6:]}-{digit}")


def test_the_weights_worked_by_hand():
    # 800037800 from the right: 0·3 + 0·7 + 8·13 + 7·17 + 3·19 + 0·23 + 0·29 + 0·37 + 8·41 = 608
    # 608 = 55·11 + 3 → remainder 3 → 11 - 3 = 8.
    assert check_digit("800037800") == 8


@pytest.mark.parametrize("value", ["890903938-7", "890903938", "89090393A-8", "", "12-3"])
def test_wrong_digit_or_format_is_refused(value):
    with pytest.raises(ValidationError):
        validate_nit(value)
