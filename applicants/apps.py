from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from portal.health import register_check

        from . import personal_data
        from .account_data import PROVIDER
        from .health import encryption_state

        personal_data.register(PROVIDER)
        register_check("encryption", encryption_state)
