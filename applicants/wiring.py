"""What the applicants app plugs in at start-up, called from ``ApplicantsConfig.ready()``
(this module imports models, which Django loads after the app configs)."""

from django.contrib.auth.signals import user_logged_in

from portal.health import register_check
from portal.middleware import SessionLifetimeMiddleware

from . import personal_data
from .account_data import PROVIDER
from .health import encryption_state


def connect() -> None:
    personal_data.register(PROVIDER)
    register_check("encryption", encryption_state)
    user_logged_in.connect(SessionLifetimeMiddleware.on_login, dispatch_uid="session_lifetime_on_login")
