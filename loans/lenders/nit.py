"""The NIT (Número de Identificación Tributaria) and its DIAN check digit.

DIAN's algorithm: the digits of the number, read from the right, are multiplied by the primes
3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71; the sum modulo 11 gives the digit:
0 and 1 stay as they are, any other remainder r gives 11 - r.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
NIT_RE = re.compile(r"^(\d{6,15})-(\d)$")


def check_digit(number: str) -> int:
    """DIAN's check digit of the NIT ``number`` (digits only, without the digit)."""
    if not number.isdigit() or len(number) > len(WEIGHTS):
        raise ValueError(number)
    total = sum(int(digit) * weight for digit, weight in zip(reversed(number), WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def normalise(value: str) -> str:
    """``'860.034.313-7'`` → ``'860034313-7'``: dots and spaces dropped, one hyphen before the digit."""
    return re.sub(r"[.\s]", "", value or "")


def validate_nit(value: str) -> None:
    match = NIT_RE.match(normalise(value))
    if not match:
        raise ValidationError(
            _("Enter the NIT as digits followed by its check digit, for example 860034313-7."), code="format"
        )
    number, digit = match.groups()
    if check_digit(number) != int(digit):
        raise ValidationError(
            _("The check digit of this NIT does not match; check the number with the RUT."), code="check_digit"
        )
