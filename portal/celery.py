import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The planned-return reminder lives beside what it composes (applicants.reminders), not in tasks.py.
app.autodiscover_tasks(related_name="reminders")

# Their signal handlers: request ids carried into tasks, task failures counted for /metrics.
from portal.metrics import CeleryCollector  # noqa: E402,F401
from portal.request_id import RequestIdLogFilter  # noqa: E402,F401


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(**kwargs) -> None:
    """Around each task, what Django does around each request: drop a connection past
    CONN_MAX_AGE or left unusable by an error, keep a healthy one (CELERY_DB_REUSE_MAX)."""
    task = kwargs.get("task")
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run inline (tests, eager mode): the caller's connection and transaction stay

    close_old_connections()
