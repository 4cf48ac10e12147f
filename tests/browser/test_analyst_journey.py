"""An analyst passes the second factor, filters the reports, reads the charts and their tables,
and downloads a CSV and an XLSX that hold exactly the filtered rows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.cache import cache
from openpyxl import load_workbook
from playwright.sync_api import expect

from loans.models import ExportJob
from tests.browser.helpers import assert_accessible, field
from tests.browser.journeys import admin_log_in, staff_with_backup_code

# The hand-counted program of the report tests (its table says which rows each filter keeps).
from tests.reports.conftest import program  # noqa: F401

pytestmark = pytest.mark.browser

APPLICATION_HEADERS = [
    "referencia",
    "estado",
    "código de estado",
    "iniciado el",
    "enviada el",
    "decidida el",
    "línea de crédito",
]
LOAN_HEADERS = ["referencia", "desembolsado el", "monto desembolsado (COP)"]


@pytest.fixture
def analyst(site):
    return staff_with_backup_code("Analyst", "analiza1")


@pytest.fixture
def desktop_page(chromium, site):
    cache.clear()  # the reports are cached for five minutes: start from the data of this test
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="es-CO", accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    cache.clear()


def _table(page, name: str) -> list[list[str]]:
    return page.locator(f"#table-{name} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))"
    )


def _download(page, kind: str, fmt: str) -> tuple[str, bytes]:
    export = page.locator("#export-form")
    field(export, "Qué exportar").select_option(kind)
    export.get_by_role("group", name="Formato").get_by_label(fmt.upper(), exact=True).check()
    with page.expect_download() as info:
        export.get_by_role("button", name="Exportar").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def test_an_analyst_filters_the_reports_and_downloads_csv_and_xlsx(desktop_page, site, analyst, program):  # noqa: F811
    page = desktop_page
    page.goto(f"{site.url}/informes/")
    # The reports need the second factor: staff are sent to the admin's login, then back.
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/informes/$"))
    admin_log_in(page, analyst, "analiza1")

    expect(page).to_have_url(f"{site.url}/informes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informes del programa")
    assert _table(page, "funnel")[0][:2] == ["Empezadas (borradores y enviadas)", "10"]
    assert_accessible(page)

    filters = page.locator("#report-filters")
    field(filters, "Departamento").select_option(label="Antioquia")
    field(filters, "Desde").fill("2026-01-01")
    field(filters, "Hasta").fill("2026-02-28")
    filters.get_by_role("button", name="Aplicar filtros").click()

    expect(page).to_have_url(re.compile(r"date_from=2026-01-01&date_to=2026-02-28&department=05"))
    expect(field(filters, "Departamento")).to_have_value("05")
    # Antioquia in January and February: A3 (not eligible), A4 (in review) and A7 (disbursed).
    assert [row[:2] for row in _table(page, "funnel")] == [
        ["Empezadas (borradores y enviadas)", "3"],
        ["Enviada", "3"],
        ["Cumple los requisitos", "2"],
        ["Aprobada", "1"],
        ["Desembolsada", "1"],
    ]
    department_funnel = page.locator("#table-department-funnel tbody th")
    expect(department_funnel).to_have_text(["Antioquia"])
    chart = page.locator("#chart-funnel img")
    expect(chart).to_have_attribute(
        "src", "/informes/graficos/funnel.svg?date_from=2026-01-01&date_to=2026-02-28&department=05"
    )
    expect(chart).to_have_attribute("alt", re.compile(r"^Gráfica: .+\. La tabla de abajo tiene los mismos números\.$"))
    chart.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert page.locator("section[id^='chart-'] table").count() == page.locator("section[id^='chart-'] img").count()
    assert_accessible(page)

    name, body = _download(page, "applications", "csv")
    assert re.fullmatch(r"retorno-applications-\d{4}-\d{2}-\d{2}\.csv", name)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][: len(APPLICATION_HEADERS)] == APPLICATION_HEADERS
    # Each code in words for the reader, and the code beside it for scripts.
    assert [row[:3] for row in rows[1:]] == [
        ["RP-TEST-A3", "No cumple los requisitos", "ineligible"],
        ["RP-TEST-A4", "En revisión", "in_review"],
        ["RP-TEST-A7", "Desembolsada", "disbursed"],
    ]
    a7 = dict(zip(rows[0], rows[3], strict=True))
    assert (a7["monto solicitado (COP)"], a7["código del municipio"]) == ("40000000", "05088")
    assert (a7["sexo"], a7["código de sexo"]) == ("Hombre", "M")

    # Loans are selected by the day they were disbursed: A10 (sent in December) too.
    name, body = _download(page, "loans", "xlsx")
    assert re.fullmatch(r"retorno-loans-\d{4}-\d{2}-\d{2}\.xlsx", name)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    sheet_rows = [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    assert sheet_rows[0][: len(LOAN_HEADERS)] == LOAN_HEADERS
    assert [(row[0], row[2]) for row in sheet_rows[1:]] == [("RP-TEST-A7", 40_000_000), ("RP-TEST-A10", 8_000_000)]

    page.get_by_role("link", name="Mis exportaciones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis exportaciones")
    expect(page.locator("#exports-table tbody tr")).to_have_count(2)
    assert_accessible(page)

    jobs = ExportJob.objects.filter(requested_by=analyst).order_by("pk")
    assert [(job.kind, job.format, job.status, job.row_count, job.include_pii) for job in jobs] == [
        ("applications", "csv", "ready", 3, False),
        ("loans", "xlsx", "ready", 2, False),
    ]
    assert {tuple(sorted(job.filters.items())) for job in jobs} == {
        (("date_from", "2026-01-01"), ("date_to", "2026-02-28"), ("department", "05"))
    }
