from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        # Each subject package says what it holds about a person (applicants.personal_data).
        from applicants import personal_data
        from loans.applications.personal_data import PROVIDER as applications
        from loans.eligibility.personal_data import PROVIDER as eligibility
        from loans.review.personal_data import PROVIDER as review
        from loans.servicing.personal_data import PROVIDER as servicing

        for provider in (review, eligibility, servicing, applications):
            personal_data.register(provider)
