from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        from applicants import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
