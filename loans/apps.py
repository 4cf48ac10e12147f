from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        from loans import wiring  # noqa: PLC0415 - it imports models, which load after the app configs

        wiring.connect()
