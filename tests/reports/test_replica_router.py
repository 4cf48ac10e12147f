"""Reports, statistics and exports read from the replica alias; applicants' pages never do.

Two aliases on the CI PostgreSQL: ``replica`` is a test mirror of ``default`` (the same
database through its own connection), so the queries each connection runs show where the
router sent them.
"""

import pytest
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import db_router

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]


@pytest.fixture(autouse=True)
def replica_on(settings):
    settings.REPORTS_READ_FROM_REPLICA = True
    db_router._last_check.clear()
    yield
    db_router._last_check.clear()


def _tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


def _capture(fetch):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = fetch()
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return response, primary.captured_queries, replica.captured_queries


def test_the_replica_is_a_second_alias_mirroring_default():
    assert connections["replica"].settings_dict["TEST"]["MIRROR"] == "default"
    assert connections["replica"] is not connections["default"]


def test_the_open_statistics_read_from_the_replica(client, program):
    response, primary, replica = _capture(lambda: client.get(reverse("loans:statistics")))

    assert response.status_code == 200
    assert "loans_loanapplication" in _tables(replica)
    assert "loans_loanapplication" not in _tables(primary)


def test_the_reports_page_reads_figures_from_the_replica(analyst_client, program):
    response, primary, replica = _capture(lambda: analyst_client.get(reverse("loans:reports")))

    assert response.status_code == 200
    # The figures come from the summaries (loans.reports.summaries): unfiltered, their totals.
    assert "loans_reporttotal" in _tables(replica)
    assert "loans_reporttotal" not in _tables(primary)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_its_rows_from_the_replica_and_logs_on_the_primary(analyst_client, program, fmt):
    response, primary, replica = _capture(
        lambda: analyst_client.post(reverse("loans:report_export"), {"kind": "loans", "format": fmt})
    )

    assert response.status_code == 200
    assert "loans_loan" in _tables(replica)
    primary_sql = _tables(primary)
    assert 'INSERT INTO "loans_exportjob"' in primary_sql  # the log is a write: primary
    assert 'FROM "loans_loan"' not in primary_sql


def test_a_returnees_pages_never_read_from_the_replica(owner_client, ready_draft):
    response, primary, replica = _capture(
        lambda: owner_client.get(reverse("loans:application_detail", args=[ready_draft.public_id]))
    )

    assert response.status_code == 200
    assert replica == []
    assert "loans_loanapplication" in _tables(primary)


def test_a_lagging_replica_is_skipped(client, program, monkeypatch, settings):
    monkeypatch.setattr(db_router, "replica_lag_seconds", lambda: settings.DATABASE_REPLICA_MAX_LAG + 1)

    response, primary, replica = _capture(lambda: client.get(reverse("loans:statistics")))

    assert response.status_code == 200
    assert "loans_loanapplication" in _tables(primary)
    assert replica == []


def test_an_unreachable_replica_is_skipped(client, program, monkeypatch):
    def down():
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(db_router, "replica_lag_seconds", down)

    response, primary, replica = _capture(lambda: client.get(reverse("loans:statistics")))

    assert response.status_code == 200
    assert "loans_loanapplication" in _tables(primary)


def test_the_lag_of_a_primary_or_a_caught_up_replica_is_zero():
    assert db_router.replica_lag_seconds() == 0.0


def test_writes_and_locks_always_go_to_the_primary():
    from loans.models import ExportJob

    router = db_router.ReportsReplicaRouter()
    with db_router.replica_reads():
        assert router.db_for_read(ExportJob) == "replica"
        assert router.db_for_write(ExportJob) == "default"
        assert ExportJob.objects.select_for_update().db == "default"
    assert router.db_for_read(ExportJob) is None
    assert router.allow_migrate("replica", "loans") is False
    assert router.allow_migrate("default", "loans") is True


def test_without_a_replica_everything_reads_from_the_primary(settings):
    from loans.models import ExportJob

    settings.REPORTS_READ_FROM_REPLICA = False
    with db_router.replica_reads():
        assert db_router.ReportsReplicaRouter().db_for_read(ExportJob) == "default"
