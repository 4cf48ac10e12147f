"""Submit → a real worker on the real Redis checks it → the applicant sees the result.

Also: submissions while the broker is unreachable, and a worker killed in the middle of
sending an email.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from applicants.models import Notification
from applicants.notify import notify
from loans.choices import ApplicationStatus
from loans.models import EligibilityResult, LoanApplication, RecheckRun
from tests import services
from tests.eligibility.applications import draft_ready_to_send
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def point_broker(app, url: str) -> None:
    """Point this process's Celery app at another broker (connection pools dropped)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def statuses(applications) -> list[str]:
    return list(
        LoanApplication.objects.filter(pk__in=[a.pk for a in applications])
        .order_by("pk")
        .values_list("status", flat=True)
    )


def send_through_the_site(application) -> int:
    client = Client()
    client.force_login(application.applicant)
    return client.post(reverse("loans:application_review", args=[application.public_id])).status_code


def test_a_sent_application_is_checked_by_the_worker_and_the_result_shows_on_the_status_page(
    owner_client, ready_draft, celery_worker_process
):
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(reverse("loans:application_review", args=[ready_draft.public_id]))
    assert response.status_code == 302

    checked = wait_for(lambda: LoanApplication.objects.get(pk=ready_draft.pk).status != ApplicationStatus.SUBMITTED)
    assert checked, "not checked within 30 s; worker log:\n" + celery_worker_process.log()

    page = owner_client.get(reverse("loans:application_detail", args=[ready_draft.public_id])).content.decode()
    assert LoanApplication.objects.get(pk=ready_draft.pk).status == ApplicationStatus.IN_REVIEW
    assert "In review" in page
    assert "Your application meets the basic requirements." in page
    assert EligibilityResult.objects.get(application=ready_draft).outcome == "eligible"
    assert "Task loans.eligibility.check[" in celery_worker_process.log()
    mails = wait_for(lambda: len(celery_worker_process.mails()) == 2 and celery_worker_process.mails())
    assert mails, "expected the 'received' and 'in review' emails"


def test_applications_sent_while_the_broker_is_down_are_checked_once_it_is_back(
    product, start_worker, celery_app_on_redis
):
    worker = start_worker()
    drafts = [draft_ready_to_send(product) for _ in range(3)]

    point_broker(celery_app_on_redis, UNREACHABLE_BROKER)
    assert [send_through_the_site(draft) for draft in drafts] == [302, 302, 302]
    assert statuses(drafts) == [ApplicationStatus.SUBMITTED] * 3
    received = Notification.objects.filter(kind="application_received")
    assert received.count() == 3 and not received.exclude(emailed_at=None).exists()

    point_broker(celery_app_on_redis, services.redis_url())
    from applicants.tasks import sweep_undelivered_notifications
    from loans.applications.tasks import sweep_submitted

    sweep_submitted.delay(older_than_minutes=0)
    sweep_undelivered_notifications.delay(older_than_minutes=0)

    done = wait_for(lambda: statuses(drafts) == [ApplicationStatus.IN_REVIEW] * 3)
    assert done, f"{statuses(drafts)}; worker log:\n{worker.log()}"
    assert EligibilityResult.objects.count() == 3
    assert "Task loans.eligibility.check_batch[" in worker.log()
    # Nothing lost: the 'received' emails queued by the notification sweeper, and 'in review'.
    assert wait_for(lambda: len(worker.mails()) == 6), worker.log()
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_a_worker_killed_while_sending_an_email_leaves_it_to_the_next_worker_which_sends_it_once(
    owner, start_worker, tmp_path
):
    short_visibility = {
        "REDIS_VISIBILITY_TIMEOUT": "3",
        "EMAIL_BACKEND": "tests.integration.slow_mail.SlowFileBackend",
    }
    first = start_worker(**short_visibility, SLOW_EMAIL_SECONDS="60")

    notification = notify(user=owner, key="test:killed-worker", kind="test", subject="Una prueba", body="Hola")

    sending = wait_for(lambda: list(first.mail_dir.glob("sending-*")))
    assert sending, "the first worker never started sending; log:\n" + first.log()
    first.kill()
    assert first.mails() == []
    notification.refresh_from_db()
    assert notification.emailed_at is None  # its transaction died with the worker

    # The message was never acknowledged (acks_late): after the visibility timeout Redis
    # gives it to the next worker that asks.
    time.sleep(4)
    second = start_worker(**short_visibility, SLOW_EMAIL_SECONDS="0")

    sent = wait_for(lambda: len(second.mails()) == 1, timeout=60)
    assert sent, "the redelivered task did not send; log:\n" + second.log()
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert "Subject: Una prueba" in second.mails()[0]
    # And never a second time: wait past another visibility timeout.
    time.sleep(5)
    assert len(second.mails()) == 1
    assert second.log().count("Task applicants.deliver_notification[") == 2  # received, then succeeded


def test_a_recheck_runs_through_the_worker_at_low_priority(product, start_worker, celery_app_on_redis):
    from loans.applications import services as recheck

    worker = start_worker()
    drafts = [draft_ready_to_send(product) for _ in range(2)]
    for draft in drafts:
        assert send_through_the_site(draft) == 302
    assert wait_for(lambda: statuses(drafts) == [ApplicationStatus.IN_REVIEW] * 2), worker.log()
    product.accepted_countries = ["ES"]
    product.save()

    run = recheck.recheck_start(product=product, user=None)

    finished = wait_for(lambda: RecheckRun.objects.get(pk=run.pk).status == RecheckRun.Status.FINISHED)
    assert finished, worker.log()
    run.refresh_from_db()
    assert (run.total, run.done, run.now_failing) == (2, 2, 2)
    assert statuses(drafts) == [ApplicationStatus.IN_REVIEW] * 2
