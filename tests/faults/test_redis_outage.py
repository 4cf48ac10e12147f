"""Redis stops (our own redis-server, never the machine's) while a returnee signs up, sends
an application and reads its status page: no 5xx anywhere, nothing lost, and the
confirmation email that could not be queued goes out through the sweeper once Redis is back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from applicants.models import Notification, User
from applicants.tasks import sweep_undelivered_notifications
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_private_redis(private_redis, settings):
    """Cache, rate limits and Celery broker on the private Redis; tasks are queued, not inline."""
    from portal.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FaultTolerantRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=private_redis.url, task_always_eager=False)
    app._pool = None
    yield private_redis
    app.conf.update(saved)
    app._pool = None


def test_nothing_fails_and_nothing_is_lost_while_redis_is_down(on_private_redis, client, ready_draft, owner):
    from django.test import Client

    returnee = Client()
    returnee.force_login(owner)
    detail = reverse("loans:application_detail", args=[ready_draft.public_id])
    assert client.get(reverse("loans:statistics")).status_code == 200  # the cache is warm and working

    on_private_redis.stop()

    signed_up = client.post(
        reverse("applicants:register"),
        {"email": "durante.caida@example.co", "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )
    sent = returnee.post(reverse("loans:application_review", args=[ready_draft.public_id]))
    pages = {
        "status": returnee.get(detail),
        "schedule_csv": returnee.get(reverse("loans:application_schedule_csv", args=[ready_draft.public_id])),
        "statistics": client.get(reverse("loans:statistics")),
        "simulator": client.get(reverse("loans:simulator")),
    }

    assert (signed_up.status_code, signed_up["Location"]) == (302, reverse("applicants:verify_email_sent"))
    assert (sent.status_code, sent["Location"]) == (302, detail)
    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert pages["schedule_csv"].content.decode().count("\n") > ready_draft.term_months
    ready_draft.refresh_from_db()
    assert ready_draft.status == "submitted"  # saved; the eligibility sweeper queues the check later
    assert ready_draft.reference
    user = User.objects.get(email="durante.caida@example.co")
    pending = Notification.objects.get(user=user, kind="account_verify_email")
    assert pending.emailed_at is None
    assert mail.outbox == []

    on_private_redis.start()
    from portal.celery import app

    app.conf.update(task_always_eager=True)  # the worker, inline
    queued = sweep_undelivered_notifications.apply(kwargs={"older_than_minutes": 0}).get()

    assert queued >= 1
    assert [m.to for m in mail.outbox if m.to == ["durante.caida@example.co"]] == [["durante.caida@example.co"]]
    assert mail.outbox[0].subject == "Confirme su correo para Retorno Productivo"
    pending.refresh_from_db()
    assert pending.emailed_at is not None
