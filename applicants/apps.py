from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from . import personal_data
        from .account_data import PROVIDER

        personal_data.register(PROVIDER)
