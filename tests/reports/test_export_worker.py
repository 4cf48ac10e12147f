"""A large export on a real Celery worker (exports queue, Redis, PostgreSQL): built, announced
by email, downloaded; and a failing one leaves no file and tells the analyst."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse

from applicants.models import Notification
from loans.models import ExportJob
from loans.reports import exports
from loans.reports.filters import ReportFilters
from portal.queue import enqueue
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]

# The worker runs portal.settings.test, whose MEDIA_ROOT is fixed; the web side must agree.
WORKER_MEDIA_ROOT = Path(django_settings.BASE_DIR) / "var" / "test-uploads"


@pytest.fixture
def shared_media(settings):
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT
    settings.EXPORT_STREAM_MAX_ROWS = 2
    yield WORKER_MEDIA_ROOT
    for job in ExportJob.objects.all():
        default_storage.delete(exports.export_name(job))


def test_a_large_export_is_built_by_the_worker_and_downloaded(
    analyst_client, analyst, program, shared_media, celery_worker_process
):
    response = analyst_client.post(reverse("loans:report_export"), {"kind": "instalments", "format": "csv"})
    assert response.status_code == 302

    job = wait_for(lambda: ExportJob.objects.filter(status="ready").first(), timeout=60)
    assert job, "not built within 60 s; worker log:\n" + celery_worker_process.log()
    assert "Task loans.exports.build[" in celery_worker_process.log()
    assert job.row_count == exports.count("instalments", ReportFilters()) == 5
    notification = Notification.objects.get(user=analyst, kind="export_ready")
    mails = wait_for(lambda: celery_worker_process.mails(), timeout=30)
    assert mails and "Your export is ready" in mails[0]

    download = analyst_client.get(notification.link)
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 6 and rows[1][:2] == ["RP-TEST-A7", "1"]


def test_a_failing_export_on_the_worker_leaves_nothing_and_tells_the_analyst(
    analyst, program, shared_media, celery_worker_process, celery_app_on_redis
):
    from loans.reports.tasks import build_export

    # Filters that no longer validate (a product deleted since, say): the build fails.
    job = exports.export_log(
        user=analyst,
        kind="loans",
        fmt="xlsx",
        filters={"product": "gone"},
        include_pii=False,
        mode="background",
        status="queued",
    )
    assert enqueue(build_export, job.pk)

    failed = wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status="failed").first(), timeout=60)
    assert failed, "not failed within 60 s; worker log:\n" + celery_worker_process.log()
    assert "There is no loan product with the code" in failed.error
    assert not default_storage.exists(exports.export_name(job))
    assert Notification.objects.get(user=analyst, kind="export_failed").subject == "Your export could not be built"
