from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415 - models load after app configs

        from portal.health import register_check  # noqa: PLC0415 - models load after app configs
        from portal.middleware import SessionLifetimeMiddleware  # noqa: PLC0415 - models load after app configs

        from . import personal_data  # noqa: PLC0415 - models load after app configs
        from .account_data import PROVIDER  # noqa: PLC0415 - models load after app configs
        from .health import encryption_state  # noqa: PLC0415 - models load after app configs

        personal_data.register(PROVIDER)
        register_check("encryption", encryption_state)
        user_logged_in.connect(SessionLifetimeMiddleware.on_login, dispatch_uid="session_lifetime_on_login")
