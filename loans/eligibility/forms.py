from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.choices import DocumentType, ReturnType
from applicants.forms import DATE_WIDGET, yes_no_field


class SelfCheckForm(forms.Form):
    """A few questions for the public self-check (no account, nothing stored)."""

    birth_date = forms.DateField(label=_("Your birth date"), widget=DATE_WIDGET, help_text=_("Day, month and year."))
    is_colombian_national = yes_no_field(_("Are you a Colombian national?"), _("Citizens by birth or by adoption."))
    document_type = forms.ChoiceField(
        label=_("Your identity document"),
        choices=DocumentType.choices,
        help_text=_("The one you would register with."),
    )
    departure_date = forms.DateField(
        label=_("When you left Colombia"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("An approximate date is fine. After a deportation you may leave it empty if you do not know it."),
    )
    return_date = forms.DateField(
        label=_("When you came back, or when you plan to come back"),
        widget=DATE_WIDGET,
        help_text=_("If you still live abroad, give the date you plan to return. An approximate date is fine."),
    )
    forced_return = yes_no_field(
        _("Was your return forced (for example, a deportation)?"), _("It does not exclude you.")
    )
    return_type = forms.ChoiceField(label=_("Return type"), choices=ReturnType.choices, help_text=_("Under Ley 1565."))
    rur_number = forms.CharField(
        label=_("RUR number (optional)"),
        required=False,
        max_length=30,
        help_text=_("Your number in the Registro Único de Retornados, if you have one."),
    )

    def clean(self):
        cleaned = super().clean()
        left, back = cleaned.get("departure_date"), cleaned.get("return_date")
        if left and left > timezone.localdate():
            self.add_error("departure_date", _("The date you left Colombia cannot be in the future."))
        elif left and back and back < left:
            self.add_error("return_date", _("The return date cannot be before the date you left Colombia."))
        return cleaned
