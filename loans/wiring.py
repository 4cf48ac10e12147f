"""What the loans app plugs in at start-up, called from ``LoansConfig.ready()`` (this module
imports models, which Django loads after the app configs)."""

from applicants import personal_data, pii
from loans import permissions
from loans.applications import hooks
from loans.applications.personal_data import PROVIDER as applications
from loans.eligibility.personal_data import PROVIDER as eligibility
from loans.lenders import selectors as lender_selectors
from loans.lenders import services as lenders
from loans.programmes.personal_data import PROVIDER as programmes
from loans.reports import summaries
from loans.review.personal_data import PROVIDER as review
from loans.servicing import selectors as servicing_selectors
from loans.servicing.personal_data import PROVIDER as servicing


def connect() -> None:
    # applicants holds the personal data but knows no app's roles: loans tells it who may see
    # whole values, so no arrow points from applicants to loans.
    pii.register_viewer(permissions.sees_pii)
    # Each subject package says what it holds about a person (applicants.personal_data).
    for provider in (review, eligibility, servicing, programmes, applications):
        personal_data.register(provider)
    # Every write wrapped in portal.changes.tracking keeps the report and statistics cells current.
    summaries.register()
    # A partner lender hears by webhook what happens to an application it holds (issue 16); the
    # applications room cannot import the lenders room, so it calls these after the commit.
    hooks.on_move(lenders.application_moved)
    hooks.on_offer_accepted(lenders.application_offer_accepted)
    # The borrower's page names the partner lender that disbursed the loan and collects it.
    servicing_selectors.register_lender_of(lender_selectors.lender_of_loan)
