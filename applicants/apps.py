from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from . import wiring  # noqa: PLC0415 - it imports models, which load after the app configs

        wiring.connect()
