from django.urls import path

from loans.applications import views
from loans.eligibility import views as eligibility_views
from loans.products import views as product_views
from loans.programmes.urls import urlpatterns as programme_urlpatterns
from loans.reports.urls import urlpatterns as report_urlpatterns
from loans.servicing import views as loan_views

app_name = "loans"

urlpatterns = [
    path("simulador/", product_views.simulator, name="simulator"),
    path("requisitos/", eligibility_views.self_check, name="self_check"),
    path("creditos/", views.product_list, name="products"),
    path("planes/", views.plan_list, name="plans"),
    path("planes/<uuid:public_id>/", views.plan_edit, name="plan_edit"),
    path("solicitudes/", views.application_list, name="applications"),
    path("solicitudes/nueva/", views.application_new, name="application_new"),
    path("solicitudes/<uuid:public_id>/", views.application_detail, name="application_detail"),
    path("solicitudes/<uuid:public_id>/plan/", views.application_plan, name="application_plan"),
    path("solicitudes/<uuid:public_id>/credito/", views.application_loan, name="application_loan"),
    path("solicitudes/<uuid:public_id>/documentos/", views.application_documents, name="application_documents"),
    path(
        "solicitudes/<uuid:public_id>/documentos/<uuid:document_id>/quitar/",
        views.document_remove,
        name="document_remove",
    ),
    path("documentos/<uuid:document_id>/", views.document_download, name="document_download"),
    path(
        "solicitudes/<uuid:public_id>/declaraciones/", views.application_declarations, name="application_declarations"
    ),
    path("solicitudes/<uuid:public_id>/revisar/", views.application_review, name="application_review"),
    path(
        "solicitudes/<uuid:public_id>/plan-de-pagos.csv",
        views.application_schedule_csv,
        name="application_schedule_csv",
    ),
    path("solicitudes/<uuid:public_id>/responder/", views.application_answer, name="application_answer"),
    path("solicitudes/<uuid:public_id>/retirar/", views.application_withdraw, name="application_withdraw"),
    path("solicitudes/<uuid:public_id>/oferta/", views.application_offer, name="application_offer"),
    path("solicitudes/<uuid:public_id>/mi-credito/", loan_views.my_loan, name="my_loan"),
    path("solicitudes/<uuid:public_id>/mi-credito/abonos/", loan_views.my_loan_preference, name="my_loan_preference"),
    path(
        "solicitudes/<uuid:public_id>/mi-credito/extracto.csv",
        loan_views.my_loan_statement,
        {"fmt": "csv"},
        name="my_loan_statement_csv",
    ),
    path(
        "solicitudes/<uuid:public_id>/mi-credito/extracto.pdf",
        loan_views.my_loan_statement,
        {"fmt": "pdf"},
        name="my_loan_statement_pdf",
    ),
    path(
        "solicitudes/<uuid:public_id>/mi-credito/paz-y-salvo.pdf",
        loan_views.my_loan_paz_y_salvo,
        name="my_loan_paz_y_salvo",
    ),
]

urlpatterns += programme_urlpatterns
urlpatterns += report_urlpatterns
