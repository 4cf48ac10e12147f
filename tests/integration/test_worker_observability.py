"""Against real workers: /healthz counts them, and a request's id reaches the task's log lines."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from loans.reports import exports
from loans.reports.models import ExportJob
from portal import request_id
from portal.queue import enqueue
from tests.factories import StaffFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]


def test_healthz_counts_the_workers_that_answer(client, settings, start_worker):
    from tests import services

    settings.REDIS_URL = services.redis_url()
    start_worker()
    cache.delete("portal:health:workers")
    assert client.get(reverse("healthz")).json()["workers"] == 1

    start_worker()
    cache.delete("portal:health:workers")
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["workers"] == 2


def test_the_request_id_is_carried_into_the_task_and_its_log(start_worker, celery_app_on_redis):
    from loans.reports.tasks import build_export

    worker = start_worker()
    job = exports.export_log(
        user=StaffFactory(),
        kind="loans",
        fmt="csv",
        filters={"product": "gone"},
        include_pii=False,
        mode="background",
        status="queued",
    )
    token = request_id._current.set("req-7f3a9c")
    try:
        assert enqueue(build_export, job.pk)
    finally:
        request_id._current.reset(token)

    assert wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status="failed").exists(), timeout=60), worker.log()
    failure = [line for line in worker.log().splitlines() if f"Export {job.pk} failed" in line]
    assert failure and "[req-7f3a9c]" in failure[0], worker.log()
