from django.urls import path

from loans.programmes import views

urlpatterns = [
    path("programas/", views.programme_list, name="programmes"),
    path("programas/<uuid:public_id>/", views.programme_detail, name="programme_detail"),
    path("programas/cohortes/<uuid:public_id>/inscribirme/", views.cohort_enrol, name="cohort_enrol"),
    path("mis-programas/", views.enrolment_list, name="enrolments"),
    path("mis-programas/<uuid:public_id>/", views.enrolment_detail, name="enrolment_detail"),
    path("mis-programas/<uuid:public_id>/plan/", views.enrolment_plan, name="enrolment_plan"),
    path("mis-programas/<uuid:public_id>/certificado/", views.enrolment_certificate, name="enrolment_certificate"),
    path(
        "mis-programas/<uuid:public_id>/certificado/descargar/",
        views.enrolment_certificate_download,
        name="enrolment_certificate_download",
    ),
    path("mis-programas/<uuid:public_id>/comentar/", views.enrolment_comment, name="enrolment_comment"),
    path("mis-programas/<uuid:public_id>/retirarme/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("mentoria/", views.mentor_home, name="mentor_home"),
    path("mentoria/<uuid:public_id>/", views.mentor_enrolment, name="mentor_enrolment"),
    path("operador/", views.operator_home, name="operator_home"),
    path("operador/cohortes/<uuid:public_id>/", views.operator_cohort, name="operator_cohort"),
    path("operador/inscripciones/<uuid:public_id>/asistencia/", views.operator_attendance, name="operator_attendance"),
    path("operador/inscripciones/<uuid:public_id>/completar/", views.operator_complete, name="operator_complete"),
    path(
        "operador/inscripciones/<uuid:public_id>/verificar-certificado/",
        views.operator_verify_certificate,
        name="operator_verify_certificate",
    ),
    path(
        "operador/inscripciones/<uuid:public_id>/mentor/", views.operator_assign_mentor, name="operator_assign_mentor"
    ),
    path(
        "operador/inscripciones/<uuid:public_id>/certificado/",
        views.operator_certificate_download,
        name="operator_certificate_download",
    ),
]
