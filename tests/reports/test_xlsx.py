"""The XLSX writer: opens in spreadsheet software (read back by openpyxl), text that looks like a
formula stays text, both renderings (PostgreSQL's COPY and Python) give the same cells, and a
sheet that fills up continues on the next one."""

import zipfile
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from loans.reports import exports, xlsx
from loans.reports.filters import ReportFilters
from tests.services import database_is_postgres

TYPES = ["CharField", "IntegerField", "DecimalField", "DateField", "DateTimeField", "BooleanField", "CharField"]


def _read(path) -> list[list]:
    workbook = load_workbook(path, read_only=True)
    return [[sheet.title, *row] for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def test_cells_of_every_type_read_back(tmp_path):
    moment = timezone.make_aware(datetime(2026, 3, 4, 15, 30, 5))
    rows = [
        ('=HYPERLINK("http://x")', 12, "1.50", date(2026, 1, 31), moment, True, "Peña & <Hijos>"),
        ("@SUM(A1)", -3, None, None, None, False, "línea 1\nlínea 2\ttab \\ fin\x07"),
        ("  espacios  ", 0, "0", date(1900, 3, 1), moment, None, '"comillas"'),
    ]
    path = tmp_path / "x.xlsx"
    book = xlsx.Workbook(path, "applications", ["Texto", "N", "D", "Día", "Momento", "Sí/No", "Nota"])
    for data in xlsx.python_rows(rows, TYPES):
        book.write(data)
    book.close()

    local = timezone.localtime(moment).replace(tzinfo=None)
    assert _read(path) == [
        ["applications", "Texto", "N", "D", "Día", "Momento", "Sí/No", "Nota"],
        ["applications", '=HYPERLINK("http://x")', 12, 1.5, datetime(2026, 1, 31), local, True, "Peña & <Hijos>"],
        ["applications", "@SUM(A1)", -3, None, None, None, False, "línea 1\nlínea 2\ttab \\ fin"],
        ["applications", "  espacios  ", 0, 0, datetime(1900, 3, 1), local, None, '"comillas"'],
    ]
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # never a formula
    assert archive.namelist()[0] == "xl/worksheets/sheet1.xml"


def test_a_full_sheet_continues_on_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_DATA_ROWS", 3)
    path = tmp_path / "x.xlsx"
    book = xlsx.Workbook(path, "loans", ["n"])
    book.write(b"<row><c><v>1</v></c></row>\n<row><c><v>2</v></c></row>\n")
    book.write(b"<row><c><v>3</v></c></row>\n<row><c><v>4</v></c></row>\n<row><c><v>5</v></c></row>\n")
    book.write(b"<row><c><v>6</v></c></row>\n<row><c><v>7</v></c></row>\n")
    book.close()

    assert book.rows == 7
    assert _read(path) == [
        ["loans", "n"], ["loans", 1], ["loans", 2], ["loans", 3],
        ["loans 2", "n"], ["loans 2", 4], ["loans 2", 5], ["loans 2", 6],
        ["loans 3", "n"], ["loans 3", 7],
    ]  # fmt: skip


def test_no_rows_still_makes_a_sheet_with_headers(tmp_path):
    path = tmp_path / "x.xlsx"
    book = xlsx.Workbook(path, "repayments", ["a", "b"])
    book.close()
    assert _read(path) == [["repayments", "a", "b"]]


@pytest.mark.needs_postgres
@pytest.mark.parametrize("kind", ["applications", "loans", "instalments", "repayments"])
def test_postgresql_renders_the_same_cells_as_python(program, kind, tmp_path, monkeypatch):
    assert database_is_postgres()
    from loans.models import LoanApplication

    LoanApplication.objects.filter(pk=program.applications["A1"].pk).update(
        rejection_reason='=cmd|" /C calc"!A0 & <x>\n\\ \x07'
    )
    by_copy = tmp_path / "copy.xlsx"
    exports.write_xlsx(by_copy, kind, ReportFilters(), include_pii=False)
    monkeypatch.setattr(exports, "uses_copy", lambda include_pii: False)
    by_python = tmp_path / "python.xlsx"
    exports.write_xlsx(by_python, kind, ReportFilters(), include_pii=False)

    copied, rendered = _read(by_copy), _read(by_python)
    assert len(copied) > 1
    assert copied == rendered


def test_the_workbook_is_a_valid_zip_with_its_parts(tmp_path):
    path = tmp_path / "x.xlsx"
    xlsx.Workbook(path, "a", ["h"]).close()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == {
            "xl/worksheets/sheet1.xml",
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
        }
