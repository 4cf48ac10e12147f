"""The Ley 1581 data-processing consent text. Bump the version whenever the text changes."""

from django.utils.translation import gettext as _

CONSENT_VERSION = "2026-11"


def consent_text() -> str:
    """The consent text in the active language (it is recorded verbatim with each consent)."""
    return _(
        "I authorise the Retorno Productivo programme to collect, store and use my personal "
        "data (identity, contact details, return history, business plan and documents) to "
        "check my eligibility, study my loan application, disburse and follow up the loan, "
        "and produce anonymised statistics, under Ley 1581 de 2012 and Decreto 1377 de 2013. "
        "I know I may see, correct and update my data, ask for its deletion, and withdraw "
        "this authorisation at any time from my account, and that answering questions about "
        "sensitive data is optional."
    )
