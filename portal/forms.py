"""What every form of the portal shares, whichever app it belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

CHOOSE_AN_OPTION = _("Choose an option")


class WordedChoicesMixin:
    """An empty choice says what to do ("Choose an option") instead of Django's dashes; a set of
    radio buttons has no empty choice at all, because choosing it is not an answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            word_empty_choice(field)


def word_empty_choice(field: forms.Field) -> None:
    radio = isinstance(field.widget, forms.RadioSelect)
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = None if radio else CHOOSE_AN_OPTION
        return
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.MultipleChoiceField):
        return
    choices = list(cast(Iterable, field.choices))
    if choices and choices[0][0] in ("", None) and str(choices[0][1]).strip("-") == "":
        field.choices = choices[1:] if radio else [("", CHOOSE_AN_OPTION), *choices[1:]]
