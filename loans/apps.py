from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        from loans.reports import summaries

        # Every write wrapped in portal.changes.tracking keeps the report and statistics cells current.
        summaries.register()
