"""Every figure of the report against the program counted by hand (tests/reports/conftest.py)."""

from datetime import date

import pytest

from loans.reports.figures import build_report
from loans.reports.filters import ReportFilters

M = 1_000_000


def figures(row) -> dict:
    return {
        "started": row.started,
        "submitted": row.submitted,
        "eligible": row.eligible,
        "approved": row.approved,
        "disbursed": row.disbursed,
        "requested": row.requested_amount,
        "approved_amount": row.approved_amount,
        "disbursed_amount": row.disbursed_amount,
        "outstanding": row.outstanding,
        "at_risk": row.at_risk,
        "par30": row.par30,
        "jobs_planned": row.jobs_planned,
        "visited": row.visited_loans,
        "jobs_planned_visited": row.jobs_planned_visited,
        "jobs_found": row.jobs_found,
        "median_days": row.median_days,
        "decided": row.decided,
    }


def test_the_whole_program(program):
    report = build_report(ReportFilters())

    assert figures(report.total) == {
        "started": 10,
        "submitted": 8,
        "eligible": 7,  # all sent but A3
        "approved": 4,  # A6, A7, A8, A10
        "disbursed": 3,
        "requested": 138 * M,
        "approved_amount": 83 * M,  # 25 + 40 + 10 (no recommendation: the amount asked) + 8
        "disbursed_amount": 58 * M,
        "outstanding": 38 * M,  # 20 + 10 + 8
        "at_risk": 20 * M,  # A7 only: 45 days late; A8's 10 days do not count
        "par30": 52.6,
        "jobs_planned": 6,  # 3 + 2 + 1
        "visited": 1,
        "jobs_planned_visited": 3,
        "jobs_found": 2,  # the latest visit of A7, not the sum of its visits
        "median_days": 6.0,  # 2, 4, 6, 10, 10; A3's automatic decision is not counted
        "decided": 5,
    }


def test_by_department(program):
    rows = {row.code: row for row in build_report(ReportFilters()).by_department}

    assert set(rows) == {None, "05", "11", "76"}
    assert (rows[None].started, rows[None].submitted) == (2, 0)  # the drafts have no department yet
    assert figures(rows["05"]) == {
        "started": 4,
        "submitted": 4,
        "eligible": 3,
        "approved": 2,
        "disbursed": 2,
        "requested": 78 * M,
        "approved_amount": 48 * M,
        "disbursed_amount": 48 * M,
        "outstanding": 28 * M,
        "at_risk": 20 * M,
        "par30": 71.4,
        "jobs_planned": 4,
        "visited": 1,
        "jobs_planned_visited": 3,
        "jobs_found": 2,
        "median_days": 8.0,  # 6 and 10
        "decided": 2,
    }
    assert figures(rows["11"]) == {
        "started": 2,
        "submitted": 2,
        "eligible": 2,
        "approved": 1,
        "disbursed": 0,
        "requested": 45 * M,
        "approved_amount": 25 * M,
        "disbursed_amount": 0,
        "outstanding": 0,
        "at_risk": 0,
        "par30": None,
        "jobs_planned": 0,
        "visited": 0,
        "jobs_planned_visited": 0,
        "jobs_found": 0,
        "median_days": 7.0,  # 4 and 10
        "decided": 2,
    }
    assert (rows["76"].approved, rows["76"].disbursed_amount, rows["76"].par30, rows["76"].median_days) == (
        1,
        10 * M,
        0.0,
        2.0,
    )
    assert rows["05"].name == "Antioquia"
    # The largest department first, the drafts' row last.
    assert [row.code for row in build_report(ReportFilters()).by_department] == ["05", "11", "76", None]


def test_by_sector(program):
    rows = {row.code: row for row in build_report(ReportFilters()).by_sector}

    assert (rows["C"].started, rows["C"].submitted, rows["C"].disbursed) == (5, 5, 2)  # A3, A4, A7, A9, A10
    assert (rows["G"].started, rows["G"].approved, rows["G"].outstanding, rows["G"].at_risk) == (3, 2, 10 * M, 0)
    assert rows["C"].median_days == 8.0
    assert rows["G"].median_days == 4.0  # 2, 4, 10


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # January: A10 (started in December) is out.
        ({"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)}, (9, 7, 2, 30 * M, 5.0)),
        ({"date_to": date(2025, 12, 31)}, (1, 1, 1, 8 * M, 10.0)),
        ({"department": "05"}, (4, 4, 2, 28 * M, 8.0)),
        ({"municipality": "05088"}, (1, 1, 1, 20 * M, 6.0)),  # only A7 is in Bello
        ({"product": "semilla"}, (5, 3, 2, 18 * M, 6.0)),  # A1, A2, A8, A9, A10
        ({"sector": "G"}, (3, 3, 1, 10 * M, 4.0)),
        ({"return_type": "laboral"}, (1, 1, 1, 20 * M, 6.0)),
        ({"sex": "M"}, (1, 1, 1, 20 * M, 6.0)),
        ({"age_band": "55-64"}, (1, 1, 1, 10 * M, 2.0)),
        ({"age_band": "25-34"}, (8, 6, 1, 8 * M, 10.0)),  # 4, 10, 10
        ({"status": "disbursed"}, (3, 3, 3, 38 * M, 6.0)),
    ],
)
def test_filters(program, filters, expected):
    total = build_report(ReportFilters(**filters)).total

    assert (total.started, total.submitted, total.disbursed, total.outstanding, total.median_days) == expected


def test_no_data_gives_zeros_not_errors(db):
    report = build_report(ReportFilters())

    assert (report.total.started, report.total.par30, report.total.median_days) == (0, None, None)
    assert report.by_department == [] and report.by_sector == []
