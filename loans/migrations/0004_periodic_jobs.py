"""Periodic jobs as django-celery-beat rows, so staff can change times or pause them in the admin.

Run by the beat service (docker-compose). The task names route to their queues through
CELERY_TASK_ROUTES: loans.eligibility.* → eligibility; applicants.* and loans.notifications.*
→ notifications.
"""

import json

from django.db import migrations
from django.utils import timezone

TIMEZONE = "America/Bogota"

# name, task, crontab (minute, hour, day_of_week), kwargs, description
JOBS = [
    (
        "Eligibility: re-queue applications left in submitted",
        "loans.eligibility.sweep",
        ("*/5", "*", "*"),
        {"older_than_minutes": 5},
        "Applications sent while the broker was down stay in 'submitted'; this queues their check again.",
    ),
    (
        "Notifications: re-queue emails never queued",
        "applicants.sweep_undelivered_notifications",
        ("*/5", "*", "*"),
        {"older_than_minutes": 5},
        "Notifications created while the broker was down have no email yet; this queues it.",
    ),
    (
        "Reminder: draft idle for 7 days",
        "loans.notifications.remind_idle_drafts",
        ("0", "9", "*"),
        {"idle_days": 7},
        "Reminds applicants of a draft nobody has touched for 7 days (once per idle spell).",
    ),
    (
        "Reminder: information request unanswered for 5 days",
        "loans.notifications.remind_unanswered_info_requests",
        ("15", "9", "*"),
        {"waiting_days": 5},
        "Reminds applicants who have not answered an officer's request for 5 days (once per request).",
    ),
    (
        "Officers: daily digest of new and overdue applications",
        "loans.notifications.officer_digest",
        ("0", "7", "*"),
        {"overdue_days": 5},
        "Sends every officer the applications in review that are new since yesterday or waiting over 5 days.",
    ),
]


def create(apps, schema_editor):
    create_jobs(apps, JOBS)


def create_jobs(apps, jobs):
    """Shared with later migrations that add periodic jobs."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (minute, hour, day_of_week), kwargs, description in jobs:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=TIMEZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": schedule, "kwargs": json.dumps(kwargs), "description": description},
        )
    # The beat scheduler reloads its schedule when this marker moves (signals do not fire here).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0003_eligibility_recheck"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
