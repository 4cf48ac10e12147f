"""Exports over the threshold: built by the task, announced to the analyst, downloaded by the
analyst alone until the link expires; a failure leaves no file and tells the analyst.

Every test runs on both storages: the local disk and an S3 bucket."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from applicants.models import Notification
from loans.models import ExportJob
from loans.reports import exports
from loans.reports.filters import ReportFilters
from loans.reports.tasks import build_export
from portal.storage import walk
from tests.reports.conftest import english_client

URL = reverse("loans:report_export")

pytestmark = pytest.mark.usefixtures("storage_backend")


@pytest.fixture
def small_threshold(settings):
    settings.EXPORT_STREAM_MAX_ROWS = 2


def ask(client, kind="applications", fmt="csv", **filters):
    return client.post(URL, {"kind": kind, "format": fmt, **filters})


def test_a_large_export_is_queued_built_and_announced(
    analyst_client, analyst, program, small_threshold, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(analyst_client, department="05")

    assert response.status_code == 302
    assert response["Location"] == reverse("loans:export_list")
    job = ExportJob.objects.get()
    assert (job.mode, job.status, job.row_count, job.requested_by) == ("background", "ready", 4, analyst)
    assert job.file_path == f"exports/{job.public_id}.csv"
    assert default_storage.exists(job.file_path)
    assert timedelta(hours=23, minutes=59) < job.expires_at - job.finished_at <= timedelta(hours=24)
    notification = Notification.objects.get(user=analyst)
    assert notification.key == f"export-ready:{job.public_id}"
    assert notification.subject == "Your export is ready"
    assert "(CSV, 4 rows)" in notification.body
    assert notification.link == reverse("loans:export_download", args=[job.public_id])

    download = analyst_client.get(notification.link)
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == exports.headers("applications", include_pii=False)
    assert [row[0] for row in rows[1:]] == ["RP-TEST-A3", "RP-TEST-A4", "RP-TEST-A7", "RP-TEST-A10"]


def test_the_page_says_the_export_is_on_its_way(analyst_client, program, small_threshold, monkeypatch):
    monkeypatch.setattr("loans.reports.views.enqueue", lambda *args, **kwargs: True)

    page = analyst_client.post(URL, {"kind": "applications", "format": "xlsx"}, follow=True).content.decode()

    assert "This export has 10 rows, so it is being prepared in the background." in page
    assert ExportJob.objects.get().status == "queued"
    assert "Queued" in page


def test_an_xlsx_built_in_the_background_reads_back(
    analyst_client, program, small_threshold, django_capture_on_commit_callbacks, settings
):
    from openpyxl import load_workbook

    with django_capture_on_commit_callbacks(execute=True):
        ask(analyst_client, "instalments", "xlsx")

    job = ExportJob.objects.get()
    sheet = load_workbook(default_storage.open(job.file_path, "rb"), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) - 1 == job.row_count == exports.count("instalments", ReportFilters()) == 5
    assert [row[:2] for row in rows[1:]] == [
        ["RP-TEST-A7", 1],
        ["RP-TEST-A7", 2],
        ["RP-TEST-A8", 1],
        ["RP-TEST-A8", 2],
        ["RP-TEST-A10", 1],
    ]


def test_only_the_analyst_who_asked_may_download(
    program, small_threshold, analyst, django_capture_on_commit_callbacks
):
    from tests.reports.conftest import _staff_in

    with django_capture_on_commit_callbacks(execute=True):
        ask(english_client(analyst), "loans")
    job = ExportJob.objects.get()
    colleague = english_client(_staff_in("Analyst"))

    assert colleague.get(reverse("loans:export_download", args=[job.public_id])).status_code == 404


def test_an_expired_link_is_gone(analyst_client, program, small_threshold, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(analyst_client, "loans")
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = analyst_client.get(reverse("loans:export_download", args=[job.public_id]))

    assert response.status_code == 410
    assert "Export files are kept for 24 hours." in response.content.decode()


def test_expired_files_are_purged_and_the_log_stays(
    analyst_client, program, small_threshold, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(analyst_client, "loans")
    job = ExportJob.objects.get()
    name = job.file_path
    assert default_storage.exists(name)

    assert exports.purge_expired() == 0
    assert exports.purge_expired(now=job.expires_at + timedelta(seconds=1)) == 1
    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert (job.status, job.file_path, job.row_count) == ("ready", "", 3)


def test_running_the_task_twice_builds_once(
    analyst_client, analyst, program, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(analyst_client, "loans")
    job = ExportJob.objects.get()
    finished = job.finished_at

    assert build_export.apply(args=[job.pk]).get() is None
    job.refresh_from_db()
    assert job.finished_at == finished
    assert Notification.objects.filter(user=analyst).count() == 1


def test_a_failed_build_leaves_no_file_marks_the_job_and_tells_the_analyst(
    analyst_client, analyst, program, small_threshold, monkeypatch, django_capture_on_commit_callbacks, settings
):
    written = []

    def half_then_crash(path, kind, filters, *, include_pii):
        path.write_text("reference,status\nRP-TEST-A3,ineligible\n")
        written.append(path)
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(exports.WRITERS, "csv", half_then_crash)
    with django_capture_on_commit_callbacks(execute=True):
        ask(analyst_client, "applications")

    job = ExportJob.objects.get()
    assert written and not written[0].exists()
    assert list(walk(default_storage)) == []
    assert (job.status, job.file_path) == ("failed", "")
    assert job.error == "RuntimeError: disk on fire"
    notification = Notification.objects.get(user=analyst)
    assert notification.key == f"export-failed:{job.public_id}"
    assert notification.subject == "Your export could not be built"
    assert "failed and no file was kept" in notification.body
    assert analyst_client.get(reverse("loans:export_download", args=[job.public_id])).status_code == 404
    page = analyst_client.get(reverse("loans:export_list")).content.decode()
    assert "Failed" in page


def test_a_file_system_error_is_retried_then_fails(analyst, program, monkeypatch, settings):
    attempts = []

    def full_disk(path, kind, filters, *, include_pii):
        attempts.append(1)
        path.write_text("partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exports.WRITERS, "csv", full_disk)
    monkeypatch.setattr(build_export, "max_retries", 0)
    job = exports.export_log(
        user=analyst,
        kind="loans",
        fmt="csv",
        filters={},
        include_pii=False,
        mode="background",
        status="queued",
    )

    build_export.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.status == "failed" and "No space left on device" in job.error
    assert list(walk(default_storage)) == []
    assert attempts == [1]


def test_the_task_routes_to_the_exports_queue():
    from portal.celery import app

    assert app.amqp.router.route({}, "loans.exports.build")["queue"].name == "exports"
    assert build_export.acks_late is True
    assert build_export.max_retries == 3
