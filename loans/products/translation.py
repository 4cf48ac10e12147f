"""Which product fields staff write in Spanish and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from loans.products.models import LoanProduct


@register(LoanProduct)
class LoanProductTranslationOptions(TranslationOptions):
    # The admin asks for the Spanish name (the default language of a required field); English
    # may be left for later and falls back to Spanish.
    fields = ("name", "description")
