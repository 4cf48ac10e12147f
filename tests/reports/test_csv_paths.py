"""On PostgreSQL a CSV export without personal data is rendered by COPY; it must read exactly
like the Python path (server-side cursor + csv module) that exports with personal data use."""

import csv
import io

import pytest

from loans.models import LoanApplication
from loans.reports import exports
from loans.reports.filters import ReportFilters

pytestmark = pytest.mark.needs_postgres

RISKY = [
    "=SUM(A1)",
    "@cmd",
    "+",
    "-",
    "+57 300",
    "-12",
    "+1a",
    "-x",
    "\tx",
    " =not at start",
    "+ 1",
    "1\n2",
    'say "hi"',
]


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("kind", ["applications", "loans", "instalments", "repayments"])
def test_copy_and_python_give_the_same_rows(program, kind):
    for application, value in zip(LoanApplication.objects.order_by("pk"), RISKY, strict=False):
        LoanApplication.objects.filter(pk=application.pk).update(eligibility_outcome=value[:12])
    filters = ReportFilters()
    by_python = b"".join(exports.csv_chunks(kind, filters, include_pii=False))
    out = io.BytesIO()

    rows = exports.copy_csv(out, kind, filters)

    assert parse(out.getvalue()) == parse(by_python)
    assert rows == len(parse(by_python)) - 1 > 0


def test_the_formula_guard_is_the_same_in_sql_and_python(program):
    from django.db import connection

    with connection.cursor() as cursor:
        for value in RISKY:
            cursor.execute("SELECT %s ~ %s", [value, exports.FORMULA_SQL])
            assert cursor.fetchone()[0] == bool(exports.FORMULA.match(value)), value
