"""``manage.py export`` gives scripts the same files as the page; ``seed_bulk`` refuses SQLite."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from loans.models import ExportJob
from loans.reports import exports
from loans.reports.filters import ReportFilters


def test_the_command_writes_the_same_csv_as_the_page(analyst_client, program, tmp_path):
    output = tmp_path / "loans.csv"
    out = io.StringIO()

    call_command(
        "export",
        "--kind=loans",
        "--format=csv",
        f"--output={output}",
        "--department=05",
        "--language=en",
        stdout=out,
    )
    page = analyst_client.post("/informes/exportar/", {"kind": "loans", "format": "csv", "department": "05"})

    assert output.read_bytes() == b"".join(page.streaming_content)
    assert out.getvalue().startswith(f"2 rows written to {output}")
    job = ExportJob.objects.filter(mode="command").get()
    assert (job.requested_by, job.status, job.row_count, job.filters) == (None, "ready", 2, {"department": "05"})


def test_the_command_writes_xlsx_with_personal_data_when_asked(program, tmp_path):
    output = tmp_path / "applications.xlsx"

    call_command(
        "export", "--kind=applications", "--format=xlsx", f"--output={output}", "--with-pii", "--language=en",
        "--status=disbursed",
        stdout=io.StringIO(),
    )  # fmt: skip

    rows = [list(r) for r in load_workbook(output, read_only=True).worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == exports.headers("applications", include_pii=True)
    assert len(rows) - 1 == exports.count("applications", ReportFilters(status="disbursed")) == 3
    assert "document number" in rows[0]
    assert ExportJob.objects.get().include_pii is True


def test_the_command_rejects_bad_filters_with_the_reason(db, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command(
            "export", "--kind=loans", "--format=csv", f"--output={tmp_path / 'x.csv'}", "--date-from=2026-02-01",
            "--date-to=2026-01-01", "--language=en",
        )  # fmt: skip

    assert "The end date is before the start date." in str(error.value)
    assert not (tmp_path / "x.csv").exists()
    assert not ExportJob.objects.exists()


def test_the_command_headers_are_in_spanish_by_default(program, tmp_path):
    output = tmp_path / "r.csv"

    call_command("export", "--kind=repayments", "--format=csv", f"--output={output}", stdout=io.StringIO())

    header = next(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert header[0] == "referencia"


def test_seed_bulk_refuses_to_run_on_sqlite(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("checks the message on the embedded SQLite default")
    with pytest.raises(CommandError) as error:
        call_command("seed_bulk", "--applications=10")

    assert "seed_bulk loads data with PostgreSQL COPY and does not run on sqlite" in str(error.value)


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_seed_bulk_loads_every_status_with_loans_instalments_and_repayments():
    from loans.models import Loan, LoanApplication, LoanInstalment, Repayment
    from loans.reports.figures import build_report
    from tests.factories import ProductFactory

    ProductFactory()
    call_command("seed_bulk", "--applications=400", "--chunk=150", "--encrypted=5", stdout=io.StringIO())

    statuses = set(LoanApplication.objects.values_list("status", flat=True))
    assert statuses == {
        "draft", "submitted", "in_review", "info_requested", "recommended", "approved", "disbursed", "ineligible",
        "rejected", "withdrawn",
    }  # fmt: skip
    assert LoanApplication.objects.count() == 400
    loans = Loan.objects.count()
    assert loans == LoanApplication.objects.filter(status="disbursed").count() > 0
    assert LoanInstalment.objects.count() >= 12 * loans
    assert Repayment.objects.exists()
    # The sequences follow the loaded ids, and the report reads the data.
    assert ProductFactory().pk
    assert build_report(ReportFilters()).total.started == 400
    # The first profiles are really encrypted; the rest carry only the blind index.
    from applicants.models import ReturneeProfile

    first = ReturneeProfile.objects.order_by("pk").first()
    assert first.document_number and first.document_number_hash
    assert ReturneeProfile.objects.filter(document_number__isnull=True).count() == 395
