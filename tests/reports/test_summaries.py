"""The summary cells kept current by every write equal a full recount, after any sequence of writes.

Applicants go through random walks of the real services (create, choose a product, send, the
eligibility check, review, recommendation, approval, rejection, withdrawal, disbursement,
repayments, the daily loan job, follow-up visits, profile edits); afterwards the nightly
recount must find nothing to correct, and the pages must show the recounted figures.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applicants.services import profile_update
from loans.applications import services
from loans.applications.documents import check_upload
from loans.choices import ApplicationStatus as S
from loans.models import (
    DecisionPart,
    DecisionTotal,
    FollowUpVisit,
    Loan,
    ReportCell,
    ReportPart,
    ReportTotal,
    StatisticsCell,
)
from loans.reports import summaries
from loans.reports.figures import build_report
from loans.reports.filters import ReportFilters
from loans.review import services as review
from loans.servicing import repayments
from portal import changes
from tests.factories import CompleteProfileFactory, PlanFactory, ProductFactory, StaffFactory, UsuryCapFactory


@pytest.fixture
def staff(db):
    officer, approver = StaffFactory(), StaffFactory()
    officer.groups.add(Group.objects.get(name="Program officer"))
    approver.groups.add(Group.objects.get(name="Approver"))
    return officer, approver


def _draft(owner, products, rng):
    application = services.application_create(applicant=owner)
    services.application_set_plan(application=application, plan=PlanFactory(owner=owner))
    services.application_set_loan_request(
        application=application,
        product=rng.choice(products),
        amount=rng.choice([5_000_000, 10_000_000]),
        term_months=24,
        grace_months=3,
    )
    services.document_add(
        application=application,
        kind="id_document",
        upload=check_upload(SimpleUploadedFile("cedula.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")),
        user=owner,
    )
    application.declarations_accepted_at = timezone.now()
    application.save(update_fields=["declarations_accepted_at"])
    return application


def _step(application, rng, officer, approver, products, references):  # noqa: C901 - one branch per move
    application.refresh_from_db()
    status = application.status
    owner = application.applicant
    if status == S.DRAFT:
        if rng.random() < 0.3:
            services.application_set_loan_request(
                application=application, product=rng.choice(products), amount=7_000_000, term_months=24, grace_months=3
            )
        else:
            services.application_submit(application=application, user=owner)
    elif status == S.IN_REVIEW:
        move = rng.choice(["recommend", "reject", "info", "withdraw"])
        if move == "recommend":
            review.application_recommend(
                application=application, officer=officer, amount=rng.choice([None, 4_000_000])
            )
        elif move == "reject":
            review.application_reject(application=application, officer=officer, reason_code="other", message="No.")
        elif move == "info":
            review.application_request_info(application=application, officer=officer, message="¿Cuántos clientes?")
        else:
            services.application_withdraw(application=application, user=owner)
    elif status == S.INFO_REQUESTED:
        services.application_answer_info(application=application, user=owner, message="Veinte.")
    elif status == S.RECOMMENDED:
        offer = application.offer
        if offer is not None and offer.accepted_at is None:
            # Another amount is a new offer: the applicant accepts it, or declines it (the application
            # is then withdrawn).
            if rng.random() < 0.9:
                services.offer_accept(application=application, user=owner, offer_id=offer.pk)
            else:
                services.offer_decline(application=application, user=owner, offer_id=offer.pk)
        elif rng.random() < 0.8:
            review.application_approve(application=application, approver=approver)
        else:
            review.application_reject(application=application, officer=officer, reason_code="other", message="No.")
    elif status == S.INELIGIBLE:
        review.application_override_ineligible(
            application=application, officer=officer, reason="The officer checked the documents by phone."
        )
    elif status == S.APPROVED:
        references.append(f"TRX-{len(references)}")
        review.application_disburse(
            application=application,
            approver=approver,
            disbursed_on=date(2026, 1, 10),
            amount=(application.recommended_amount or application.amount) // 2,
            bank_reference=references[-1],
        )
    elif status == S.DISBURSED:
        loan = Loan.objects.get(application=application)
        move = rng.choice(["pay", "daily", "visit"])
        if move == "pay":
            references.append(f"PAGO-{len(references)}")
            repayments.repayment_record(
                loan=loan,
                paid_on=date(2026, 2, 10),
                amount=rng.choice([300_000, 2_000_000]),
                bank_reference=references[-1],
                user=approver,
            )
        elif move == "daily":
            repayments.loans_daily(today=date(2026, 1, 10) + timedelta(days=rng.choice([40, 95, 200])))
        else:
            visit = FollowUpVisit.objects.filter(loan=loan).order_by("?").first()
            with changes.tracking(applications=[application.pk]):
                visit.done_on = date(2026, 6, 1)
                visit.jobs_created = rng.randint(0, 4)
                visit.save()
    if rng.random() < 0.1:
        profile_update(profile=owner.profile, data={"sex": rng.choice(["F", "M", "N"])})


@pytest.mark.parametrize("seed", [1, 3])
def test_running_totals_equal_a_full_recount_after_random_writes(
    seed, staff, django_capture_on_commit_callbacks, settings
):
    rng = random.Random(seed)
    officer, approver = staff
    UsuryCapFactory()
    products = [ProductFactory(), ProductFactory()]
    owners = [CompleteProfileFactory().user for _ in range(6)]
    references: list[str] = []
    applications = [_draft(owner, products, rng) for owner in owners]
    seen = set()
    for _ in range(80):
        application = rng.choice(applications)
        with django_capture_on_commit_callbacks(execute=True):  # the eligibility check runs on commit
            _step(application, rng, officer, approver, products, references)
        seen.add(application.status)
    assert len(seen) >= 6 and Loan.objects.exists()  # the walk went through review and into servicing
    assert ReportCell.objects.exists() and StatisticsCell.objects.exists()
    assert ReportTotal.objects.filter(dimension="sector").exists() and DecisionTotal.objects.exists()
    assert ReportPart.objects.exclude(department="").exists() and DecisionPart.objects.exists()
    live = build_report(ReportFilters())
    counted = summaries.report_from_cells(ReportFilters())

    check = summaries.rebuild()

    assert check.differences == 0, check.details
    for name in summaries.MEASURES:
        assert getattr(counted.total, name) == getattr(live.total, name), name
    assert counted.total.decided == live.total.decided
    assert [(row.code, row.started, row.disbursed) for row in counted.by_department] == [
        (row.code, row.started, row.disbursed) for row in live.by_department
    ]
    assert (counted.total.median_days, counted.total.decided) == (live.total.median_days, live.total.decided)
    # Without filters the report reads the totals; any filter reads the cells: the same figures.
    from_cells = summaries.report_from_cells(ReportFilters(date_from=date(2012, 1, 1)))
    for dimension in ("by_department", "by_sector"):
        assert _figures(getattr(counted, dimension)) == _figures(getattr(from_cells, dimension))
    assert _figures([counted.total]) == _figures([from_cells.total])
    # Department and/or sector alone read the (department, sector) parts: the same figures as the
    # cells (a date range from 2012 makes the cells answer), and the live query's additive ones.
    pairs = set(ReportCell.objects.exclude(department="").values_list("department", "sector"))
    assert pairs
    for department, sector in sorted(pairs):
        for filters in ({"department": department}, {"sector": sector}, {"department": department, "sector": sector}):
            from_parts = summaries.report_from_cells(ReportFilters(**filters))
            read_from_cells = summaries.report_from_cells(ReportFilters(date_from=date(2012, 1, 1), **filters))
            computed_live = build_report(ReportFilters(**filters))
            for dimension in ("by_department", "by_sector"):
                assert _figures(getattr(from_parts, dimension)) == _figures(getattr(read_from_cells, dimension))
                assert _additive(getattr(from_parts, dimension)) == _additive(getattr(computed_live, dimension))
            assert _figures([from_parts.total]) == _figures([read_from_cells.total])
            assert _additive([from_parts.total]) == _additive([computed_live.total])
            assert from_parts.total.started > 0, filters


def _figures(rows) -> list[tuple]:
    return [
        (row.code, row.median_days, row.decided, *(getattr(row, name) for name in summaries.MEASURES)) for row in rows
    ]


def _additive(rows) -> list[tuple]:
    return [(row.code, row.decided, *(getattr(row, name) for name in summaries.MEASURES)) for row in rows]


def test_a_failed_write_leaves_the_cells_alone(staff, ready_draft, owner):
    before = summaries._stored()
    with pytest.raises(RuntimeError), changes.tracking(applications=[ready_draft.pk]):
        ready_draft.status = S.SUBMITTED
        ready_draft.submitted_at = timezone.now()
        ready_draft.save()
        raise RuntimeError
    assert summaries._stored() == before


def test_nested_tracking_counts_a_change_once(ready_draft):
    def started():
        return sum(ReportCell.objects.values_list("started", flat=True))

    def submitted():
        return sum(ReportCell.objects.values_list("submitted", flat=True))

    assert (started(), submitted()) == (1, 0)
    with changes.tracking(applications=[ready_draft.pk]), changes.tracking(applications=[ready_draft.pk]):
        ready_draft.submitted_at = timezone.now()
        ready_draft.save()
    assert (started(), submitted()) == (1, 1)
    assert summaries.rebuild().differences == 0


@pytest.mark.parametrize(
    ("filters", "answers"),
    [
        ({}, True),
        ({"date_from": date(2026, 1, 1), "date_to": date(2026, 3, 31)}, True),
        ({"department": "05", "sector": "G", "product": "x"}, True),
        ({"date_from": date(2026, 1, 2)}, False),
        ({"date_to": date(2026, 2, 27)}, False),
        ({"date_to": date(2024, 2, 29)}, True),
        ({"status": "approved"}, False),
        ({"sex": "F"}, False),
        ({"age_band": "25-34"}, False),
        ({"municipality": "05001"}, False),
        ({"return_type": "laboral"}, False),
    ],
)
def test_which_filters_the_cells_answer(filters, answers):
    assert summaries.answers(ReportFilters(**filters)) is answers


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [
        ([], None),
        ([(3, 1)], (3.0, 1)),
        ([(1, 1), (3, 1)], (2.0, 2)),
        ([(1, 2), (3, 1), (0, 0)], (1.0, 3)),
        ([(1, 1), (2, 2), (55, 1)], (2.0, 4)),
        ([(1, 1), (2, 1), (5, 2)], (3.5, 4)),
    ],
)
def test_the_median_from_the_histogram(db, histogram, expected):
    from loans.models import DecisionCell

    for days, n in histogram:
        DecisionCell.objects.create(month=date(2026, 1, 1), department="05", days=days, decided=n)
    assert summaries._medians(DecisionCell.objects.all(), None).get(None) == expected
    assert summaries._medians(DecisionCell.objects.all(), "department").get("05") == expected


def test_a_cached_report_is_never_stale(
    ready_draft, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    assert summaries.report_for(ReportFilters()).total.submitted == 0
    with django_assert_max_num_queries(0):  # cached under the summaries' version
        summaries.report_for(ReportFilters())

    with django_capture_on_commit_callbacks(execute=True), changes.tracking(applications=[ready_draft.pk]):
        ready_draft.submitted_at = timezone.now()  # the commit moves the version on
        ready_draft.save()

    assert summaries.report_for(ReportFilters()).total.submitted == 1


def test_the_unfiltered_report_reads_the_totals_not_the_cells(ready_draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loans.models import DecisionCell

    with changes.tracking(applications=[ready_draft.pk]):
        ready_draft.submitted_at = timezone.now()
        ready_draft.save()
    with CaptureQueriesContext(connection) as queries:
        report = summaries.report_from_cells(ReportFilters())

    assert (report.total.started, report.total.submitted) == (1, 1)
    read = " ".join(query["sql"] for query in queries)
    assert ReportTotal._meta.db_table in read and DecisionTotal._meta.db_table in read
    assert ReportCell._meta.db_table + '"' not in read and DecisionCell._meta.db_table + '"' not in read


def test_a_department_or_sector_filter_reads_the_parts_not_the_cells(ready_draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loans.models import DecisionCell

    ready_draft.business_department_id, ready_draft.business_section_id = "05", "G"
    with changes.tracking(applications=[ready_draft.pk]):
        ready_draft.submitted_at = timezone.now()
        ready_draft.save()
    for filters in ({"department": "05"}, {"sector": "G"}, {"department": "05", "sector": "G"}):
        with CaptureQueriesContext(connection) as queries:
            report = summaries.report_from_cells(ReportFilters(**filters))

        assert (report.total.started, report.total.submitted) == (1, 1)
        assert [(row.code, row.started) for row in report.by_department] == [("05", 1)]
        assert [(row.code, row.started) for row in report.by_sector] == [("G", 1)]
        read = " ".join(query["sql"] for query in queries)
        assert ReportPart._meta.db_table in read and DecisionPart._meta.db_table in read
        assert ReportCell._meta.db_table + '"' not in read and DecisionCell._meta.db_table + '"' not in read
    assert summaries.report_from_cells(ReportFilters(department="08")).total.started == 0
    assert summaries.rebuild().differences == 0


def test_the_prepared_reads_measure_what_the_orm_reads_measure(
    staff, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    """PostgreSQL runs the tracker's reads as SQL built once per process; SQLite keeps the ORM.

    After a random walk, both give the same figures, of the same types, for each applicant and
    for all of them together; a measure built before runs 5 statements and builds none.
    """
    rng = random.Random(7)
    officer, approver = staff
    UsuryCapFactory()
    products = [ProductFactory(), ProductFactory()]
    owners = [CompleteProfileFactory().user for _ in range(4)]
    references: list[str] = []
    applications = [_draft(owner, products, rng) for owner in owners]
    for _ in range(40):
        with django_capture_on_commit_callbacks(execute=True):
            _step(rng.choice(applications), rng, officer, approver, products, references)
    assert Loan.objects.exists()
    groups = [[owner.pk] for owner in owners] + [[owner.pk for owner in owners]]

    prepared = [(summaries.report_cells(ids), summaries.statistics_cells(ids)) for ids in groups]
    monkeypatch.setattr(summaries, "_prepare", lambda: False)
    through_orm = [(summaries.report_cells(ids), summaries.statistics_cells(ids)) for ids in groups]
    monkeypatch.undo()

    assert prepared == through_orm
    assert any(cells for (cells, _decisions), _people in prepared)
    assert any(decisions for (_cells, decisions), _people in prepared)
    for (cells, decisions), people in prepared:
        assert people[("total", "")]["applicants"] <= len(owners)
        values = [*decisions.values(), *(v for cell in (*cells.values(), *people.values()) for v in cell.values())]
        assert {type(value) for value in values} <= {int}
        assert {type(key[0]) for key in cells} <= {date}
    built = dict(summaries._statements)
    with django_assert_num_queries(5):  # the report's four reads, the six statistics counts in one
        summaries.report_cells(groups[-1])
        summaries.statistics_cells(groups[-1])
    assert summaries._statements == built
    assert summaries.statistics_cells([0]) == {("total", ""): dict.fromkeys(summaries.STAT_MEASURES, 0)}
