from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("cuenta/registro/", views.register, name="register"),
    path("cuenta/confirmar/", views.verify_email_sent, name="verify_email_sent"),
    path("cuenta/confirmar/reenviar/", views.verify_email_resend, name="verify_email_resend"),
    path("cuenta/confirmar/<str:uidb64>/<str:token>/", views.verify_email, name="verify_email"),
    path("cuenta/entrar/", views.LoginView.as_view(), name="login"),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("cuenta/clave/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "cuenta/clave/enviada/",
        auth_views.PasswordResetDoneView.as_view(template_name="applicants/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("cuenta/clave/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "cuenta/clave/lista/",
        auth_views.PasswordResetCompleteView.as_view(template_name="applicants/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("idioma/", views.language_switch, name="language"),
    path("cuenta/", views.dashboard, name="dashboard"),
    path("cuenta/consentimiento/", views.consent_detail, name="consent"),
    path("cuenta/consentimiento/retirar/", views.consent_withdraw, name="consent_withdraw"),
    path("cuenta/mensajes/", views.inbox, name="inbox"),
    path("cuenta/mensajes/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("perfil/", views.profile_start, name="profile_start"),
    path("perfil/<uuid:public_id>/", views.profile_summary, name="profile_summary"),
    path("perfil/<uuid:public_id>/paso/<slug:step>/", views.profile_step, name="profile_step"),
    path("perfil/<uuid:public_id>/datos.json", views.data_export, {"fmt": "json"}, name="data_export_json"),
    path("perfil/<uuid:public_id>/datos.pdf", views.data_export, {"fmt": "pdf"}, name="data_export_pdf"),
    path("perfil/<uuid:public_id>/eliminar/", views.deletion_request, name="deletion_request"),
]
