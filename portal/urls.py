from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from applicants import views as applicant_views
from applicants.admin_login import StaffAdminSite

from .health import healthz

# Staff need a second factor (TOTP app or backup codes), given with the password in one step:
# a password alone opens nothing and is not even confirmed (applicants/admin_login.py).
admin.site.__class__ = StaffAdminSite
admin.site.site_header = "Retorno Productivo"
admin.site.site_title = "Retorno Productivo"

handler500 = "portal.views.server_error"

urlpatterns = [
    path("", applicant_views.home, name="home"),
    path("como-funciona/", TemplateView.as_view(template_name="pages/how_it_works.html"), name="how_it_works"),
    path("healthz", healthz, name="healthz"),
    path("", include("applicants.urls")),
    path("", include("loans.urls")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
