from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView, TemplateView

from applicants import views as applicant_views
from applicants.admin_login import StaffAdminSite

from .health import healthz

# Staff need a second factor (TOTP app or backup codes), given with the password in one step:
# a password alone opens nothing and is not even confirmed (applicants/admin_login.py).
admin.site.__class__ = StaffAdminSite
admin.site.site_header = "Retorno Productivo"
admin.site.site_title = "Retorno Productivo"
# Officers triage at 1280 px: the queue's columns and filters need the width the app list in a
# side bar would take (the home page and the breadcrumbs lead to every model).
admin.site.enable_nav_sidebar = False


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's); send them to the
    static file. Not permanent: the static name changes with the icon's content."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("portal/img/favicon.ico")


handler500 = "portal.views.server_error"

urlpatterns = [
    path("favicon.ico", require_safe(cache_control(max_age=86400)(FaviconView.as_view())), name="favicon"),
    path("", applicant_views.home, name="home"),
    path("como-funciona/", TemplateView.as_view(template_name="pages/how_it_works.html"), name="how_it_works"),
    path("healthz", healthz, name="healthz"),
    path("", include("applicants.urls")),
    path("", include("loans.urls")),
    path("", include("loans.lenders.api.urls")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
