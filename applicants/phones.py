"""Colombian phone numbers, validated with Google's libphonenumber port."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_colombian_phone(raw: str) -> str:
    """Return the number in E.164 (+573001234567) or raise ValidationError with a clear message."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "CO")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a Colombian phone number of 10 digits, for example 300 123 4567."), code="invalid_phone"
        ) from None
    if number.country_code != 57:
        raise ValidationError(_("Enter a Colombian number (+57)."), code="not_colombian")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid Colombian phone number. Mobile numbers have 10 digits and start with 3."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, "CO"), phonenumbers.PhoneNumberFormat.NATIONAL)
