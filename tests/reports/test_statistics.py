"""The open-statistics page: no login, people not rows, no published cell under five people
(hand-counted), read from the counted cells, the same numbers in its CSV."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from loans.reports import statistics as stats
from loans.reports import summaries
from tests.factories import StaffFactory
from tests.reports.conftest import make_application, make_loan

URL = reverse("loans:statistics")
M = 1_000_000


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def people(db):
    """Sent applications by department (and two drafts, never counted).

    =====  =======  ===================  ============  ========
    dept   applied  approved (of which   rejected      sex
                    disbursed)
    =====  =======  ===================  ============  ========
    05     12       8 (6)                4             F
    11     7        5 (5)                2             F
    76     3        1 (1)                2             M
    =====  =======  ===================  ============  ========
    """
    approver = StaffFactory()
    plan = [("05", 2, 6, 4, "F"), ("11", 0, 5, 2, "F"), ("76", 0, 1, 2, "M")]
    number = 0
    for department, approved, disbursed, rejected, sex in plan:
        for status, count in (("approved", approved), ("disbursed", disbursed), ("rejected", rejected)):
            for _ in range(count):
                number += 1
                application = make_application(
                    f"S{number}",
                    status=status,
                    created=date(2026, 2, 1),
                    department=department,
                    section="G",
                    amount=10 * M,
                    submitted=date(2026, 2, 2),
                    decided=date(2026, 2, 20),
                    approved_by=approver if status != "rejected" else None,
                    sex=sex,
                )
                if status == "disbursed":
                    make_loan(
                        application,
                        principal=10 * M,
                        disbursed_on=date(2026, 3, 1),
                        disbursed_by=approver,
                        instalments=[(10 * M, 0)],
                    )
    make_application("D1", status="draft", created=date(2026, 2, 1))
    make_application("D2", status="draft", created=date(2026, 2, 1))
    summaries.rebuild(bulk_load=True)


def test_the_raw_counts_are_people_who_sent_an_application(people):
    raw = stats.compute()

    departments = {row["code"]: row for row in raw["tables"]["department"]}
    assert {code: (r["applicants"], r["approved"], r["disbursed"]) for code, r in departments.items()} == {
        "05": (12, 8, 6),
        "11": (7, 5, 5),
        "76": (3, 1, 1),
    }
    assert raw["total"] == {"applicants": 22, "approved": 14, "disbursed": 12, "amount_disbursed": 120 * M}


def test_small_cells_and_the_cells_that_would_reveal_them_are_hidden(people):
    published = stats.suppress(stats.compute())

    departments = {row["code"]: row for row in published["tables"]["department"]}
    cells = {code: tuple(row[m] for m in stats.MEASURES) for code, row in departments.items()}
    assert cells == {
        # 12 - 8 = 4 people applied and were not approved: 8 is hidden.
        "05": (12, "*", 6, 60 * M),
        # 7 - 5 = 2: both 5s hidden; then 7 goes too, or 22 - 12 - 7 would give 76's 3.
        "11": ("*", "*", "*", "*"),
        "76": ("<5", "<5", "<5", "*"),
    }
    # 14 approved, 12 disbursed: the 2 in between would show, so the disbursed total is hidden.
    assert published["total"] == {"applicants": 22, "approved": 14, "disbursed": "*", "amount_disbursed": "*"}
    sexes = {row["code"]: tuple(row[m] for m in stats.COUNTS) for row in published["tables"]["sex"]}
    # Two groups and a published total: hiding the men's counts hides the women's too.
    assert sexes == {"F": ("*", "*", "*"), "M": ("<5", "<5", "<5")}


def test_no_published_count_is_under_five(people):
    published = stats.suppress(stats.compute())

    for table in published["tables"].values():
        for row in table:
            for measure in stats.COUNTS:
                assert isinstance(row[measure], str) or row[measure] >= stats.MIN_CELL


def test_the_page_needs_no_login_and_shows_the_suppressed_tables(client, people):
    response = client.get(URL)
    page = response.content.decode()

    assert response.status_code == 200
    table = re.search(r'id="table-department">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th>(.*?)</tr>", table, re.S)
    assert [(label, re.findall(r">([^<]*)</td>", cells)) for label, cells in rows] == [
        ("Antioquia", ["12", "*", "6", "COP 60,000,000"]),
        ("Bogotá, D.C.", ["*", "*", "*", "*"]),
        ("Valle del Cauca", ["&lt;5", "&lt;5", "&lt;5", "*"]),
    ]
    assert 'href="/estadisticas/department.csv"' in page


def test_the_csv_has_the_same_table(client, people):
    response = client.get(reverse("loans:statistics_csv", args=["department"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows == [
        ["code", "group", "People who applied", "People approved", "People with a loan disbursed", "Amount disbursed"],
        ["05", "Antioquia", "12", "*", "6", "60000000"],
        ["11", "Bogotá, D.C.", "*", "*", "*", "*"],
        ["76", "Valle del Cauca", "<5", "<5", "<5", "*"],
        ["", "Total", "22", "14", "*", "*"],
    ]


def test_the_csv_for_excel_uses_semicolons_and_a_byte_order_mark(client, people):
    response = client.get(reverse("loans:statistics_csv", args=["department"]), {"para": "excel"})
    text = response.content.decode("utf-8")

    assert response["Content-Disposition"] == 'attachment; filename="estadisticas-department-excel.csv"'
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))[1] == [
        "05",
        "Antioquia",
        "12",
        "*",
        "6",
        "60000000",
    ]
    plain = client.get(reverse("loans:statistics_csv", args=["department"])).content.decode("utf-8")
    assert not plain.startswith("\ufeff") and ";" not in plain


def test_an_unknown_table_is_not_found(client, db):
    assert client.get(reverse("loans:statistics_csv", args=["names"])).status_code == 404


def test_a_visit_reads_the_counted_cells_and_never_recounts(client, people, django_assert_max_num_queries):
    # A row written behind the services' back is not seen until the nightly recount...
    make_application("LATE", status="rejected", created=date(2026, 2, 1), department="05", submitted=date(2026, 2, 2))

    with django_assert_max_num_queries(4):  # session-free page: the cells and the two name lists
        page = client.get(URL).content.decode()
    assert ">12</td>" in page

    # ...which counts it, and reports that the running totals had missed it.
    check = summaries.rebuild()
    assert check.differences > 0
    assert ">13</td>" in client.get(URL).content.decode()


def test_the_page_says_when_its_figures_last_changed(client, people):
    from loans.models import StatisticsCell

    moment = timezone.make_aware(datetime(2026, 3, 4, 15, 30))
    StatisticsCell.objects.update(updated_at=moment)
    expected = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    assert f"Kept current with every application; last updated at {expected}." in client.get(URL).content.decode()
