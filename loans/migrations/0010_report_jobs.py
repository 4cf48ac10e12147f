"""Periodic jobs of the reports (issue 6): the monthly report to analysts and the purge of
expired export files. ``loans.exports.*`` routes to the exports queue (CELERY_TASK_ROUTES).
"""

from importlib import import_module

from django.db import migrations

MONTHLY_REPORT = "Analysts: monthly report by email"
JOBS = [
    (
        MONTHLY_REPORT,
        "loans.exports.monthly_report",
        ("0", "6", "*"),
        {},
        "On the 1st of each month, sends every analyst last month's figures with a link to the full report.",
    ),
    (
        "Exports: delete expired download files",
        "loans.exports.purge_expired",
        ("45", "3", "*"),
        {},
        "Deletes export files whose 24-hour download link expired; the export log stays.",
    ),
]


def create(apps, schema_editor):
    import_module("loans.migrations.0004_periodic_jobs").create_jobs(apps, JOBS)
    # create_jobs builds daily crontabs; the monthly report runs on the first day of the month.
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="1", month_of_year="*", timezone="America/Bogota"
    )
    PeriodicTask.objects.filter(name=MONTHLY_REPORT).update(crontab=monthly)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0009_exports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
