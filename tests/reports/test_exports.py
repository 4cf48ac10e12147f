"""Streamed exports: the file holds exactly the filtered rows, personal data only with the
permission, and every attempt (refused ones too) is logged."""

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from loans.models import ExportJob
from loans.reports import exports
from loans.reports.filters import ReportFilters
from tests.reports.conftest import english_client

URL = reverse("loans:report_export")
KINDS = ["applications", "loans", "instalments", "repayments"]


def export(client, kind, fmt="csv", **filters):
    return client.post(URL, {"kind": kind, "format": fmt, **filters})


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def expected_csv(kind, filters, include_pii=False) -> list[list[str]]:
    """The filtered queryset, row for row, as text (the CSV's own conversions)."""
    rows = exports.values(kind, filters, include_pii=include_pii)
    return [["" if v == "" else str(v) for v in map(exports.csv_cell, row)] for row in rows]


def _xlsx_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, bool)):
        return float(value)
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_csv_holds_exactly_the_filtered_rows(analyst_client, program, kind):
    response = export(analyst_client, kind, department="05")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="retorno-{kind}-')
    rows = read_csv(response)
    assert rows[0] == exports.headers(kind, include_pii=False)
    assert rows[1:] == expected_csv(kind, ReportFilters(department="05"))
    assert len(rows) > 1


def test_the_application_export_row_by_row(analyst_client, program):
    rows = read_csv(export(analyst_client, "applications", date_from="2026-01-10", date_to="2026-01-14"))

    assert [row[0] for row in rows[1:]] == ["RP-TEST-A3", "RP-TEST-A4", "RP-TEST-A5", "RP-TEST-A6", "RP-TEST-A7"]
    header = rows[0]
    a7 = dict(zip(header, rows[5], strict=True))
    # Each code in words for people, and the code itself beside it for scripts.
    assert (a7["status"], a7["status code"]) == ("Disbursed", "disbursed")
    assert a7["amount requested (COP)"] == "40000000"
    assert a7["municipality code"] == "05088"
    assert a7["jobs planned"] == "3"
    assert a7["submitted at"] == "2026-01-14 10:00:00"
    assert (a7["sex"], a7["sex code"]) == ("Male", "M")
    assert (a7["return type"], a7["return type code"]) == ("Labour return", "laboral")


def test_a_spanish_reader_gets_spanish_headers_and_labels_beside_the_codes(analyst_client, program):
    analyst_client.cookies["django_language"] = "es"

    rows = read_csv(export(analyst_client, "applications", date_from="2026-01-10", date_to="2026-01-14"))

    a7 = dict(zip(rows[0], rows[5], strict=True))
    assert (a7["estado"], a7["código de estado"]) == ("Desembolsada", "disbursed")
    assert (a7["tipo de retorno"], a7["código del tipo de retorno"]) == ("Retorno laboral", "laboral")


def test_a_loan_export_gives_the_outstanding_principal(analyst_client, program):
    rows = read_csv(export(analyst_client, "loans"))
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    assert by_reference["RP-TEST-A7"]["outstanding principal (COP)"] == "20000000"
    assert by_reference["RP-TEST-A7"]["days in arrears"] == "45"
    assert by_reference["RP-TEST-A10"]["outstanding principal (COP)"] == "8000000"


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_holds_exactly_the_filtered_rows(analyst_client, program, kind):
    response = export(analyst_client, kind, "xlsx", date_from="2026-01-01")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    filters = ReportFilters(date_from=date(2026, 1, 1))
    expected = [[_xlsx_value(value) for value in row] for row in exports.values(kind, filters, include_pii=False)]
    assert rows[0] == exports.headers(kind, include_pii=False)
    assert rows[1:] == expected
    assert len(rows) > 1


def test_an_xlsx_export_leaves_no_temporary_file(analyst_client, program, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = export(analyst_client, "applications", "xlsx")
    b"".join(response.streaming_content)
    response.close()

    assert list(tmp_path.iterdir()) == []


def test_personal_data_is_left_out_unless_asked_for_and_allowed(pii_analyst_client, analyst_client, program):
    plain = read_csv(export(pii_analyst_client, "applications", status="disbursed"))
    with_pii = read_csv(
        pii_analyst_client.post(
            URL, {"kind": "applications", "format": "csv", "include_pii": "on", "status": "disbursed"}
        )
    )

    assert "document number" not in plain[0] and "phone" not in plain[0] and "address" not in plain[0]
    assert {"document number", "phone", "address", "email", "first names"} <= set(with_pii[0])
    a7 = next(dict(zip(with_pii[0], row, strict=True)) for row in with_pii[1:] if row[0] == "RP-TEST-A7")
    profile = program.applications["A7"].applicant.profile
    assert a7["document number"] == profile.document_number  # decrypted
    assert a7["phone"] == profile.phone
    assert a7["address"] == "Calle 10 # 43-25"
    assert a7["email"] == program.applications["A7"].applicant.email
    log = ExportJob.objects.order_by("pk").last()
    assert (log.include_pii, log.status, log.row_count) == (True, "ready", 3)


def test_personal_data_in_xlsx_for_the_allowed(pii_analyst_client, program):
    rows = read_xlsx(
        pii_analyst_client.post(URL, {"kind": "loans", "format": "xlsx", "include_pii": "on", "department": "76"})
    )
    row = dict(zip(rows[0], rows[1], strict=True))

    assert row["document number"] == program.applications["A8"].applicant.profile.document_number


def test_asking_for_personal_data_without_the_permission_is_refused_and_logged(analyst_client, analyst, program):
    response = analyst_client.post(
        URL, {"kind": "applications", "format": "csv", "include_pii": "on", "department": "05"}
    )

    assert response.status_code == 403
    assert "You do not have permission to export personal data." in response.content.decode()
    log = ExportJob.objects.get()
    assert (log.requested_by, log.status, log.kind, log.format, log.include_pii) == (
        analyst,
        "refused",
        "applications",
        "csv",
        True,
    )
    assert log.filters == {"department": "05"}
    assert log.error == "personal data asked for without permission loans.view_pii"
    assert log.row_count is None


def test_an_export_without_the_export_permission_is_refused_and_logged(viewer, program):
    client = english_client(viewer)

    response = export(client, "loans", "xlsx", sex="F")

    assert response.status_code == 403
    assert "You do not have permission to export reports." in response.content.decode()
    log = ExportJob.objects.get()
    assert (log.requested_by, log.status, log.kind, log.format, log.filters) == (
        viewer,
        "refused",
        "loans",
        "xlsx",
        {"sex": "F"},
    )


def test_a_returnee_trying_to_export_is_logged_and_sees_nothing(owner_client, owner, program):
    response = export(owner_client, "applications")

    assert response.status_code == 404
    assert ExportJob.objects.get().requested_by == owner
    assert ExportJob.objects.get().status == "refused"


def test_the_viewer_sees_no_export_form(viewer, db):
    page = english_client(viewer).get(reverse("loans:reports")).content.decode()

    assert 'id="export-form"' not in page
    assert "You can see reports but not export them." in page


def test_the_personal_data_box_shows_only_for_those_allowed(analyst_client, pii_analyst_client, db):
    assert 'id="export-include-pii"' not in analyst_client.get(reverse("loans:reports")).content.decode()
    assert 'id="export-include-pii"' in pii_analyst_client.get(reverse("loans:reports")).content.decode()


def test_every_export_is_logged_with_who_what_filters_rows_and_when(analyst_client, analyst, program):
    read_csv(export(analyst_client, "instalments", department="05", date_from="2026-01-01"))

    log = ExportJob.objects.get()
    assert (log.requested_by, log.kind, log.format, log.mode, log.status) == (
        analyst,
        "instalments",
        "csv",
        "streamed",
        "ready",
    )
    assert log.filters == {"date_from": "2026-01-01", "department": "05"}
    assert log.row_count == 3  # A7's two instalments and A10's one fall due from February
    assert log.finished_at is not None and log.created_at <= log.finished_at


def test_an_export_with_bad_filters_is_refused_with_the_reason(analyst_client, program):
    response = export(analyst_client, "loans", date_from="2026-02-01", date_to="2026-01-01")

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_or_format_is_a_clear_error(analyst_client, db):
    page = export(analyst_client, "people", "pdf").content.decode()

    assert "There is no export of “people”." in page
    assert "There is no format “pdf”; choose CSV or XLSX." in page


def test_text_that_a_spreadsheet_would_run_is_neutralised():
    assert exports.csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert exports.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.csv_cell("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert exports.csv_cell("+573001234567") == "+573001234567"  # a phone stays a phone
    assert exports.csv_cell("Calle 10") == "Calle 10"
