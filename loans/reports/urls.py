"""URLs of the analysts' reports and exports and the open statistics (added to loans.urls)."""

from django.urls import path

from loans.reports import views as report_views

urlpatterns = [
    path("informes/", report_views.reports, name="reports"),
    path("informes/graficos/<slug:name>.svg", report_views.report_chart, name="report_chart"),
    path("informes/programas/", report_views.programme_funnel, name="report_programmes"),
    path("informes/exportar/", report_views.report_export, name="report_export"),
    path("informes/exportaciones/", report_views.export_list, name="export_list"),
    path("informes/exportaciones/<uuid:public_id>/", report_views.export_download, name="export_download"),
    path("estadisticas/", report_views.statistics, name="statistics"),
    path("estadisticas/<slug:table>.csv", report_views.statistics_csv, name="statistics_csv"),
]
