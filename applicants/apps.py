from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.health import register_check
        from portal.middleware import SessionLifetimeMiddleware

        from . import personal_data
        from .account_data import PROVIDER
        from .health import encryption_state

        personal_data.register(PROVIDER)
        register_check("encryption", encryption_state)
        user_logged_in.connect(SessionLifetimeMiddleware.on_login, dispatch_uid="session_lifetime_on_login")
