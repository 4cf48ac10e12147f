"""Phone numbers of any country, validated with Google's libphonenumber port, stored in E.164.

Colombians still abroad register with the number they have there (DOMAIN.md): a number typed
with "+" and its country code is read as such; one typed without is read in the country the
person chose (Colombia unless they chose another).
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "CO"


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 (+573001234567, +12125550123) or raise ValidationError."""
    text = (raw or "").strip()
    region = (region or DEFAULT_REGION).upper()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a phone number: in Colombia for example 300 123 4567, abroad with + and its country code."),
            code="invalid_phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        if not text.startswith("+") and region == DEFAULT_REGION:
            raise ValidationError(
                _(
                    "This is not a valid Colombian phone number (mobiles have 10 digits and start with 3). "
                    "For a number of another country, choose the country or type it with + and its code."
                ),
                code="invalid_phone",
            )
        raise ValidationError(
            _("This is not a valid phone number for the country given. Check the digits and the country code."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_colombian_phone(raw: str) -> str:
    """A Colombian number (+57) only, for the places that need one."""
    e164 = parse_phone(raw, DEFAULT_REGION)
    if not e164.startswith("+57"):
        raise ValidationError(_("Enter a Colombian number (+57)."), code="not_colombian")
    return e164


def phone_region(e164: str) -> str:
    """The two-letter country of a stored number ("" when unknown)."""
    if not e164:
        return ""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def format_phone(e164: str) -> str:
    """Colombian numbers as Colombians write them; others with their country code."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 57
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
