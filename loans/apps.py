from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from applicants import pii
from loans import permissions


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self):
        # applicants holds the personal data but knows no app's roles: loans tells it who may see
        # whole values, so no arrow points from applicants to loans.
        pii.register_viewer(permissions.sees_pii)
