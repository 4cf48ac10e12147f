from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

ADULT_AGE = 18


def age_on(birth_date: date, today: date) -> int:
    """Whole years between two dates; a person born on 29 February turns a year older on 1 March."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def validate_not_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


def validate_adult_birth_date(value: date) -> None:
    today = timezone.localdate()
    validate_not_future(value)
    if value.year < 1900:
        raise ValidationError(_("Check the year of birth."), code="too_old")
    if age_on(value, today) < ADULT_AGE:
        raise ValidationError(_("You must be at least 18 years old to take part in the programme."), code="minor")
