"""Celery settings that keep work from being lost or done twice, routes, and the beat rows."""

import json
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings

from portal.celery import app

EXPECTED_QUEUES = {
    "loans.eligibility.check": "eligibility",
    "loans.eligibility.check_batch": "eligibility",
    "loans.eligibility.sweep": "eligibility",
    "loans.eligibility.recheck": "eligibility",
    "loans.eligibility.recheck_chunk": "eligibility",
    "loans.notifications.remind_idle_drafts": "notifications",
    "loans.notifications.remind_unanswered_info_requests": "notifications",
    "loans.notifications.officer_digest": "notifications",
    "applicants.deliver_notification": "notifications",
    "applicants.sweep_undelivered_notifications": "notifications",
}


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


@pytest.mark.parametrize(("name", "queue"), sorted(EXPECTED_QUEUES.items()))
def test_each_task_is_registered_under_its_name_and_routed_to_its_queue(name, queue):
    app.loader.import_default_modules()
    assert name in app.tasks
    assert queue_of(name) == queue


def test_every_task_of_the_project_lands_on_a_known_queue():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if name.startswith(("loans.", "applicants."))]
    assert {queue_of(name) for name in ours} <= {"eligibility", "notifications", "exports", "default"}
    for name in ours:
        assert app.tasks[name].acks_late, f"{name} must acknowledge after running (acks_late)"


def test_nothing_lost_nothing_twice_settings():
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    # Redis redelivers an unacknowledged message after this: never while a task may still run.
    longest = max([settings.CELERY_TASK_TIME_LIMIT, *(t.time_limit or 0 for t in app.tasks.values())])
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


def test_the_visibility_timeout_comes_from_the_environment(monkeypatch):
    import importlib

    import portal.settings.base as base

    monkeypatch.setenv("REDIS_VISIBILITY_TIMEOUT", "7")
    try:
        assert importlib.reload(base).CELERY_BROKER_TRANSPORT_OPTIONS == {"visibility_timeout": 7}
    finally:
        monkeypatch.delenv("REDIS_VISIBILITY_TIMEOUT")
        importlib.reload(base)


@pytest.mark.django_db
def test_the_data_migration_schedules_the_periodic_jobs_editable_in_the_admin():
    from django_celery_beat.models import PeriodicTask

    migration = import_module("loans.migrations.0004_periodic_jobs")
    PeriodicTask.objects.filter(name__in=[job[0] for job in migration.JOBS]).delete()
    migration.create(apps, None)
    migration.create(apps, None)  # a second run adds nothing

    jobs = {
        task.task: (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone), json.loads(task.kwargs))
        for task in PeriodicTask.objects.filter(name__in=[job[0] for job in migration.JOBS]).select_related("crontab")
    }
    assert jobs == {
        "loans.eligibility.sweep": ("*/5", "*", "America/Bogota", {"older_than_minutes": 5}),
        "applicants.sweep_undelivered_notifications": ("*/5", "*", "America/Bogota", {"older_than_minutes": 5}),
        "loans.notifications.remind_idle_drafts": ("0", "9", "America/Bogota", {"idle_days": 7}),
        "loans.notifications.remind_unanswered_info_requests": ("15", "9", "America/Bogota", {"waiting_days": 5}),
        "loans.notifications.officer_digest": ("0", "7", "America/Bogota", {"overdue_days": 5}),
    }
    app.loader.import_default_modules()
    assert set(jobs) <= set(app.tasks)


def test_a_worker_keeps_its_database_connection_between_tasks_as_django_would():
    # Without CELERY_DB_REUSE_MAX, Celery's Django fixup opens a new connection for every task.
    assert settings.CELERY_DB_REUSE_MAX >= 100
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX


class FakeTask:
    def __init__(self, eager):
        self.request = type("Request", (), {"is_eager": eager})()


@pytest.mark.parametrize(("eager", "closed"), [(False, 1), (True, 0)])
def test_django_connection_rules_apply_around_tasks_run_by_a_worker_only(monkeypatch, eager, closed):
    from portal.celery import close_old_database_connections

    calls = []
    monkeypatch.setattr("portal.celery.close_old_connections", lambda: calls.append(1))
    close_old_database_connections(task=FakeTask(eager))
    assert len(calls) == closed
