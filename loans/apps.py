from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from applicants import pii
from loans import permissions


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        # applicants holds the personal data but knows no app's roles: loans tells it who may see
        # whole values, so no arrow points from applicants to loans.
        pii.register_viewer(permissions.sees_pii)

        # Each subject package says what it holds about a person (applicants.personal_data).
        # Imported here, not above: they import models, which Django loads after the app configs.
        from applicants import personal_data  # noqa: PLC0415 - models load after app configs
        from loans.applications.personal_data import PROVIDER as applications  # noqa: PLC0415 - models load after app configs
        from loans.eligibility.personal_data import PROVIDER as eligibility  # noqa: PLC0415 - models load after app configs
        from loans.programmes.personal_data import PROVIDER as programmes  # noqa: PLC0415 - models load after app configs
        from loans.reports import summaries  # noqa: PLC0415 - models load after app configs
        from loans.review.personal_data import PROVIDER as review  # noqa: PLC0415 - models load after app configs
        from loans.servicing.personal_data import PROVIDER as servicing  # noqa: PLC0415 - models load after app configs

        for provider in (review, eligibility, servicing, programmes, applications):
            personal_data.register(provider)

        # Every write wrapped in portal.changes.tracking keeps the report and statistics cells current.
        summaries.register()
